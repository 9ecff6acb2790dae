#!/bin/sh
# sgnic binds both emulated ports (the 8254x with its PCI driver "sgnic",
# the 82576 with "sgnic_igb", each checked against the device ID); each
# netdev carries the MAC QEMU assigned; modinfo lists the PCI aliases of
# both families; ethtool -i names the driver.
. /tests/sgnic.sh
sgnic_load
n=$(ls -d /sys/bus/pci/drivers/$SGNIC_PCI/0000:* 2>/dev/null | wc -l)
[ "$n" -eq 2 ] || die "sgnic ($SGNIC_PCI) bound $n devices, expected 2"
if [ "$IGB" = 1 ]; then id=0x10c9 other=sgnic; else id= other=sgnic_igb; fi
for d in /sys/bus/pci/drivers/$SGNIC_PCI/0000:*; do
	[ -z "$id" ] || [ "$(cat "$d/device")" = "$id" ] || die "$d is not an 82576 ($(cat "$d/device"))"
done
[ -d /sys/bus/pci/drivers/$other ] || die "the module did not register its $other PCI driver"
[ -z "$(ls -d /sys/bus/pci/drivers/$other/0000:* 2>/dev/null)" ] || die "$other bound a device of the other family"
for mac in 52:54:00:12:34:01 52:54:00:12:34:02; do
	found=
	for i in $(sgnic_ifaces); do
		[ "$(cat /sys/class/net/$i/address)" = "$mac" ] && found=$i
	done
	[ -n "$found" ] || die "no sgnic interface has MAC $mac"
	perm=$(ethtool -P "$found" | awk '{print $3}')
	[ "$perm" = "$mac" ] || die "$found permanent address $perm, expected $mac"
done
aliases=$(modinfo /lib/modules/sgnic/sgnic.ko | grep -ci '^alias: *pci:v00008086d0000100[cef]')
[ "$aliases" -eq 3 ] || die "modinfo shows $aliases of 3 8254x PCI aliases"
aliases=$(modinfo /lib/modules/sgnic/sgnic.ko | grep -ci '^alias: *pci:v00008086d000010C9')
[ "$aliases" -eq 1 ] || die "modinfo shows $aliases of 1 82576 PCI alias"
for i in $(sgnic_ifaces); do
	ethtool -i "$i" | grep -qx 'driver: sgnic' || die "ethtool -i $i does not name sgnic"
	bus=$(ethtool -i "$i" | awk '/^bus-info/ {print $2}')
	[ -e "/sys/bus/pci/drivers/$SGNIC_PCI/$bus" ] || die "bus-info $bus is not an sgnic device"
done
[ ! -e /sys/module/e1000 ] || die "the C e1000 driver is loaded"
[ ! -e /sys/module/igb ] || die "the C igb driver is loaded"
