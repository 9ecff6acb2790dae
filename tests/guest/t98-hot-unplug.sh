#!/bin/sh
# Hot-unplug under traffic: the host removes a NIC (QEMU device_del; the
# guest's ACPI hotplug, or pciehp on a kernel without it, ejects the
# device and the driver core unbinds sgnic)
# first in the middle of a sendfile from that port, then in the middle of
# an RX flood into the other port. Each time the driver unbinds without a
# crash, hang, leak or warning (the harness reads the log), and when the
# host plugs the NIC back (device_add) sgnic probes it and it passes
# traffic. Then port 0 vanishes from the bus first (command register
# cleared) and is removed after that, as in a surprise removal. Only on
# the q35 machine (make test), where NICs sit behind hotplug-capable PCIe
# root ports.
. /tests/sgnic.sh
MAC0=52:54:00:12:34:01
MAC1=52:54:00:12:34:02
if ! ls /sys/bus/pci/slots/ 2>/dev/null | grep -q .; then
	echo "this machine has no hotplug slots (run with --iommu, as make test does)"
	exit 77
fi

bound() { ls -d /sys/bus/pci/drivers/$SGNIC_PCI/0000:* 2>/dev/null | wc -l; }

# unplug PORT MAC: ask the host to remove the NIC; wait until sgnic let
# go of it and its interface is gone (from every namespace).
unplug() {
	sgnic-link unplug "$1" || die "the host refused to unplug $1"
	# pciehp (not ACPI hotplug) waits 5 s for the attention button to
	# be cancelled.
	wait_for "[ \$(bound) -eq 1 ]" 60 || die "$1: sgnic still bound after the unplug"
	wait_for "! iface_with_mac $2 >/dev/null && ! peer sh -c '. /tests/lib.sh; iface_with_mac $2' >/dev/null 2>&1" 20 ||
		die "$1: interface still present after the unplug"
}

# plug PORT MAC: ask the host to put the NIC back; wait until sgnic bound it.
plug() {
	sgnic-link plug "$1" || die "the host refused to plug $1 back"
	wait_for "[ \$(bound) -eq 2 ]" 60 || die "$1: sgnic did not probe the NIC plugged back"
	wait_for "iface_with_mac $2 >/dev/null" 20 || die "$1: no interface after the plug"
}

# replug_port0 SENDER-PID: the host removes port 0 while SENDER-PID sends
# through it, then plugs it back; the new port 0 (in this namespace; the
# peer's stays where it is) carries a whole transfer.
replug_port0() {
	unplug p0 $MAC0
	# The connection lost its interface; its sockets go with the processes
	# (the receiver runs in the peer's namespace, under nsenter: by name).
	killall sgnic-test 2>/dev/null
	wait_for "! killall -0 sgnic-test 2>/dev/null" 10 || die "the transfer's processes did not exit"
	wait "$1" 2>/dev/null
	plug p0 $MAC0
	IF0=$(iface_with_mac $MAC0)
	ip addr add $ADDR0/24 dev "$IF0"
	ip -6 addr add $ADDR0_6/64 dev "$IF0" nodad
	ip link set "$IF0" up
	wait_for "ping -c 1 -W 1 $ADDR1" 20 || die "no connectivity through the port plugged back"
	transfer /tmp/t98 sendfile forward >/dev/null
}

# 1. Port 0 removed in the middle of a sendfile it sends.
setup_wire
sgnic-test mkfile /tmp/t98 $(bulk 64M) --seed 98 >/dev/null
background_sendfile /tmp/t98
sp=$SEND_PID
replug_port0 "$sp"

# 2. Port 1 (the peer's) removed while port 0 floods it.
sgnic-test raw-send --iface "$IF0" --dst $MAC1 --count 1000000000 >/dev/null 2>&1 &
flood=$!
wait_for "[ \$(peer_counter $IF1 rx_packets) -gt 100 ]" 20 || die "the flood did not reach port 1"
unplug p1 $MAC1
kill $flood 2>/dev/null
wait $flood 2>/dev/null
plug p1 $MAC1
# The new port 1 comes up in this namespace: move it to the peer's.
IF1=$(iface_with_mac $MAC1)
ip link set "$IF1" netns "$(cat $PEER_PIDFILE)" || die "cannot move $IF1 to the peer namespace"
peer ip addr add $ADDR1/24 dev "$IF1"
peer ip -6 addr add $ADDR1_6/64 dev "$IF1" nodad
peer ip link set "$IF1" up
wait_for "ping -c 1 -W 1 $ADDR1" 20 || die "no connectivity to the port plugged back"
transfer /tmp/t98 sendfile reverse >/dev/null

# 3. A surprise removal: port 0 leaves the bus before anyone is told. In
# the middle of a sendfile its PCI command register is cleared (no memory
# decoding, so every register access goes unanswered; no bus mastering,
# so no DMA; INTx disabled, as a vanished device raises none). The driver
# must survive its own paths on a dead device (statistics, stop) and the
# removal that follows, which finds the device already gone.
bdf=$(basename "$(readlink "/sys/class/net/$IF0/device")")
background_sendfile /tmp/t98
sp=$SEND_PID
status=$(json_field "$(sgnic-test bar-read "$bdf" 0x8)" value)
[ "$status" != 0x00000000 ] || die "$bdf's STATUS reads 0 while it is on the bus"
stats0=$(sgnic-test ethtool-stats "$IF0") || die "cannot read $IF0's counters"
printf '\000\004' | dd of="/sys/bus/pci/devices/$bdf/config" bs=1 seek=4 count=2 conv=notrunc 2>/dev/null ||
	die "cannot switch $bdf off the bus"
# The device no longer answers: QEMU completes the reads with zeros (a
# real bus gives all ones, which the host tests of rust/hw cover).
gone=$(json_field "$(sgnic-test bar-read "$bdf" 0x8)" value)
[ "$gone" != "$status" ] || die "$bdf still answers after leaving the bus (STATUS $gone)"
sleep 2
stats1=$(sgnic-test ethtool-stats "$IF0") || die "ethtool -S failed on the vanished port"
# What the driver read from the dead device must not turn into counts:
# the device's own drop counters stay where they were.
for c in rx_missed rx_no_buffer rx_oversize rx_undersize; do
	case $stats0 in *"\"$c\":"*) ;; *) die "no counter $c on $IF0" ;; esac
	[ "$(json_field "$stats1" $c)" = "$(json_field "$stats0" $c)" ] ||
		die "$c moved from $(json_field "$stats0" $c) to $(json_field "$stats1" $c) on the vanished port"
done
ip link set "$IF0" down || die "ip link set down failed on the vanished port"
replug_port0 "$sp"
rm -f /tmp/t98
echo "both ports unplugged under traffic and plugged back, port 0 also after leaving the bus unannounced; traffic passes"
