#!/bin/sh
# The 82576's receive checksum offload (SGNIC_NIC_MODEL=igb): the port
# is bound by sgnic's 82576 driver (device 0x10c9), rx-checksumming is on,
# and TCP frames received are passed up as verified by the device
# (rx_csum_verified counts them, rx_csum_errors none); with
# `ethtool -K rx off` the verdict is no longer taken, and data still
# arrives intact either way. The 8254x reports no checksum verdict:
# skipped there.
. /tests/sgnic.sh
if [ "$IGB" != 1 ]; then
	echo "not an 82576 VM (SGNIC_NIC_MODEL=igb): the 8254x gives no receive checksum verdict" >&2
	exit 77
fi
setup_wire
pci=$(basename "$(readlink -f /sys/class/net/$IF0/device)")
[ -e /sys/bus/pci/drivers/sgnic_igb/$pci ] || die "$IF0 ($pci) is not bound by sgnic_igb"
[ "$(cat /sys/bus/pci/devices/$pci/device)" = 0x10c9 ] || die "$pci is not an 82576"
restore() { ethtool -K "$IF0" rx on 2>/dev/null; }
trap restore EXIT
ethtool -k "$IF0" | grep -q '^rx-checksumming: on' || die "rx-checksumming is off on $IF0"
sgnic-test mkfile /tmp/t45 $(bulk 8M) --seed 45 >/dev/null

# received(): "packets verified errors" on $IF0 so far.
received() { echo "$(counter "$IF0" rx_packets) $(counter "$IF0" rx_csum_verified) $(counter "$IF0" rx_csum_errors)"; }

set -- $(received)
transfer /tmp/t45 read-write reverse >/dev/null || die "transfer to $IF0 failed"
set -- $(received) "$@"
packets=$(($1 - $4)) verified=$(($2 - $5)) errors=$(($3 - $6))
[ "$errors" -eq 0 ] || die "$errors checksum errors reported on a clean wire"
# Every frame of the transfer is TCP over IPv4; ARP and the like are not
# verified, so allow a few.
[ "$packets" -gt 100 ] || die "only $packets frames received"
[ "$verified" -ge $((packets - 10)) ] || die "$verified of $packets frames verified by the device"
on="$packets frames, $verified verified"

ethtool -K "$IF0" rx off || die "cannot turn rx-checksumming off"
set -- $(received)
transfer /tmp/t45 read-write reverse >/dev/null || die "transfer to $IF0 with rx off failed"
set -- $(received) "$@"
packets=$(($1 - $4)) verified=$(($2 - $5))
[ "$verified" -eq 0 ] || die "$verified frames marked verified with rx-checksumming off"
ethtool -K "$IF0" rx on || die "cannot turn rx-checksumming back on"
trap - EXIT
rm -f /tmp/t45
echo "rx on: $on; rx off: $packets frames, none verified"
