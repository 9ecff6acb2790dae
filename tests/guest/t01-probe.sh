#!/bin/sh
# sgnic binds both emulated ports; each netdev carries the MAC QEMU
# assigned; modinfo lists the PCI aliases; ethtool -i names the driver.
. /tests/sgnic.sh
sgnic_load
n=$(ls -d /sys/bus/pci/drivers/sgnic/0000:* 2>/dev/null | wc -l)
[ "$n" -eq 2 ] || die "sgnic bound $n devices, expected 2"
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
[ "$aliases" -eq 3 ] || die "modinfo shows $aliases of 3 PCI aliases"
for i in $(sgnic_ifaces); do
	ethtool -i "$i" | grep -qx 'driver: sgnic' || die "ethtool -i $i does not name sgnic"
	bus=$(ethtool -i "$i" | awk '/^bus-info/ {print $2}')
	[ -e "/sys/bus/pci/drivers/sgnic/$bus" ] || die "bus-info $bus is not an sgnic device"
done
[ ! -e /sys/module/e1000 ] || die "the C e1000 driver is loaded"
