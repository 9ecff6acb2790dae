#!/bin/sh
# Probe and remove under traffic: port 1 is bound to the C e1000 and
# floods port 0 with frames addressed to it, while sgnic is loaded, port 0
# (rings of 64) brought up, and sgnic unloaded again: 200 times, or
# SGNIC_PROBE_CYCLES (for example 1000 in a long run:
#   make vm CMD="SGNIC_PROBE_CYCLES=1000 SGNIC_TEST_TIMEOUT=7200 SGNIC_TESTS=t44 sh /tests/run-tests.sh").
# QEMU's e1000 takes no frame for 1 s after each RCTL write, so a cycle
# that is to unload with frames arriving must wait for them: every 10th
# cycle does (SGNIC_PROBE_RX_EVERY), the others unload right after the
# open. The cycles run inside sgnic-test: on the debug kernel every
# process started costs 0.1-0.3 s, which would be most of a cycle.
# No cycle may crash, hang, leak or warn (the harness reads the log).
. /tests/sgnic.sh
MAC0=52:54:00:12:34:01
MAC1=52:54:00:12:34:02
n=${SGNIC_PROBE_CYCLES:-200}
every=${SGNIC_PROBE_RX_EVERY:-10}

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
pci1=$(basename "$(readlink "/sys/class/net/$if1/device")")
# Port 0 goes back to no driver; the C driver keeps port 1 only.
echo "$pci0" >/sys/bus/pci/drivers/e1000/unbind || die "cannot unbind $pci0 from e1000"
ip link set "$if1" up || die "cannot bring up the C port"
sgnic-test raw-send --iface "$if1" --dst $MAC0 --count 1000000000 >/dev/null 2>&1 &
flood=$!

start=$(date +%s)
out=$(sgnic-test probe-cycles --module "$SGNIC_KO" --driver sgnic --port "$pci0" --guard "$pci1" \
	--ring 64 --cycles "$n" --rx-every "$every") || die "probe-cycles failed"
secs=$(($(date +%s) - start))
kill -0 "$flood" 2>/dev/null || die "the flood stopped during the cycles"
[ -e /sys/bus/pci/drivers/e1000/"$pci1" ] || die "the C driver lost $pci1"
[ "$(json_field "$out" cycles)" = "$n" ] || die "unexpected result: $out"
echo "$n load/up/unload cycles under a flood in ${secs}s, $(json_field "$out" rx_cycles) of them unloading with frames received: $out"
