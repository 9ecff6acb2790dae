#!/bin/sh
# Probe and remove under traffic: port 1 is bound to the C e1000 and
# floods port 0 with frames addressed to it, while sgnic is loaded, port 0
# brought up until it has received, and sgnic unloaded again, over and
# over: 200 times, or SGNIC_PROBE_CYCLES (for example 1000 in a long run:
#   make vm CMD="SGNIC_PROBE_CYCLES=1000 SGNIC_TEST_TIMEOUT=7200 SGNIC_TESTS=t44 sh /tests/run-tests.sh").
# On make test's debug kernel a cycle takes about 4.5 s (the flood keeps
# one vCPU busy), so there it is 20 cycles. Rings are 64 descriptors: mapping and unmapping buffers under the
# strict IOMMU is most of a cycle, and ring size is not what is tested.
# No cycle may crash, hang, leak or warn (the harness reads the log).
. /tests/sgnic.sh
MAC0=52:54:00:12:34:01
MAC1=52:54:00:12:34:02
n=${SGNIC_PROBE_CYCLES:-200}
debug_kernel && n=${SGNIC_PROBE_CYCLES:-20}

teardown_wire
sgnic_unload || die "cannot unload sgnic"
insmod /opt/baseline/e1000.ko || die "cannot load the C e1000 driver"
restore() {
	kill "$flood" 2>/dev/null
	wait "$flood" 2>/dev/null
	sgnic_unload
	rmmod e1000 2>/dev/null
	sgnic_load
}
trap restore EXIT
wait_for "iface_with_mac $MAC0 && iface_with_mac $MAC1" 10 || die "e1000 did not bind both ports"
if0=$(iface_with_mac $MAC0) if1=$(iface_with_mac $MAC1)
pci0=$(basename "$(readlink "/sys/class/net/$if0/device")")
# Port 0 goes back to no driver; the C driver keeps port 1 only.
echo "$pci0" >/sys/bus/pci/drivers/e1000/unbind || die "cannot unbind $pci0 from e1000"
ip link set "$if1" up || die "cannot bring up the C port"
sgnic-test raw-send --iface "$if1" --dst $MAC0 --count 1000000000 >/dev/null 2>&1 &
flood=$!

start=$(date +%s)
received=0
for i in $(seq 1 "$n"); do
	insmod "$SGNIC_KO" || die "insmod failed in cycle $i"
	wait_for "[ -e /sys/bus/pci/drivers/sgnic/$pci0 ]" 10 || die "cycle $i: sgnic did not bind $pci0"
	[ ! -e /sys/bus/pci/drivers/sgnic/"$(basename "$(readlink "/sys/class/net/$if1/device")")" ] ||
		die "cycle $i: sgnic took the port the C driver holds"
	i0=$(iface_with_mac $MAC0) || die "cycle $i: no interface for port 0"
	ethtool -G "$i0" rx 64 tx 64 || die "cycle $i: cannot size the rings"
	ip link set "$i0" up || die "cycle $i: cannot bring $i0 up"
	# Unload while frames are arriving: wait until some have.
	if wait_for "[ \$(cat /sys/class/net/$i0/statistics/rx_packets) -gt 0 ]" 10; then
		received=$((received + 1))
	fi
	kill -0 "$flood" 2>/dev/null || die "cycle $i: the flood stopped"
	rmmod sgnic || die "rmmod failed in cycle $i"
done
secs=$(($(date +%s) - start))
[ "$received" -eq "$n" ] || die "port 0 received nothing in $((n - received)) of $n cycles"
echo "$n load/up/unload cycles under a flood in ${secs}s, each with frames received"
