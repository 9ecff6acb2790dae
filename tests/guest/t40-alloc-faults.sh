#!/bin/sh
# Allocation faults in sgnic's own call paths (failslab and
# fail_page_alloc with require-start/require-end on sgnic's code) while
# data flows both ways at once: the first half with 1% of sgnic's
# allocations failing, the second half with 10%, then all of them for a
# few seconds under ping traffic. Nothing crashes, leaks or warns (the
# harness checks the kernel log), every phase injects faults, RX refill
# failures are counted in ethtool -S rx_alloc_failed, at 100% nothing is
# delivered and the pings' frames are counted as dropped (at RX or TX),
# the port stays up through it, and once the faults stop traffic
# resumes with the data intact. IP and TCP run from the RPS backlog while
# the faults are on (faults_on), not nested in sgnic's poll, where the
# faults would hit TCP's own allocations too: see Documentation/testing.md,
# "TCP under injected faults".
. /tests/sgnic.sh
setup_wire
trap 'faults_off >/dev/null' EXIT
# The stream is 64 MiB each way; on the debug kernel, where data moves
# about ten times slower, 16 MiB each way (32 MiB in all, both ways at
# once: about 100 s, thousands of faults). SGNIC_FAULT_STREAM=64M gives
# 64 MiB each way there too (about six minutes).
if debug_kernel; then total=${SGNIC_FAULT_STREAM:-16M}; else total=${SGNIC_FAULT_STREAM:-64M}; fi
half=$((${total%M} / 2))
sgnic-test mkfile /tmp/t40a "${half}M" --seed 40 >/dev/null
sgnic-test mkfile /tmp/t40b "${half}M" --seed 42 >/dev/null
sgnic-test mkfile /tmp/t40s 1M --seed 41 >/dev/null

# A counter's sum over both ports.
both() { echo $(($(counter "$IF0" "$1") + $(peer_counter "$IF1" "$1"))); }
failed0=$(both rx_alloc_failed)
faults_on 1
both_ways /tmp/t40a
n1=$(faults_injected)
[ "$n1" -gt 0 ] || die "no fault was injected at 1%"
faults_set 10
both_ways /tmp/t40b
n10=$(($(faults_injected) - n1))
[ "$n10" -gt 0 ] || die "no fault was injected at 10%"
failed1=$(both rx_alloc_failed)
[ "$failed1" -gt "$failed0" ] || die "no RX refill failure was counted in rx_alloc_failed at 1-10%"

# Every allocation of sgnic's fails: frames are dropped, nothing else. The
# pings' own results do not matter. Each frame they send is dropped on one
# side or the other: at TX, if its mapping needs a new IOVA or IOMMU page
# table, or at RX, where each of these small frames is
# copied into a new skb whose head comes from the slab. Either way it is
# counted, and nothing is delivered.
faults_set 100
rx100=$(both rx_packets) dropped100=$(($(both rx_alloc_failed) + $(both tx_dropped)))
ping -c 30 -i 0.1 -W 1 "$ADDR1" >/dev/null 2>&1
peer ping -c 30 -i 0.1 -W 1 "$ADDR0" >/dev/null 2>&1
n100=$(($(faults_injected) - n1 - n10))
failed100=$(($(both rx_alloc_failed) - failed1))
dropped100=$(($(both rx_alloc_failed) + $(both tx_dropped) - dropped100))
[ "$n100" -gt 0 ] || die "no fault was injected at 100%"
[ "$dropped100" -gt 0 ] || die "no frame was counted as dropped (rx_alloc_failed, tx_dropped) while every allocation failed"
[ "$(both rx_packets)" = "$rx100" ] || die "$(($(both rx_packets) - rx100)) frames were delivered while every allocation failed"
[ "$(cat /sys/class/net/$IF0/operstate)" = up ] || die "$IF0 went down under the faults"
n=$(faults_off)
echo "faults injected: $n1 at 1%, $n10 at 10%, $n100 at 100% ($n in all); $((failed1 - failed0)) RX refills failed at 1-10%; at 100% $dropped100 frames dropped, $failed100 of them at RX" >&2

# Faults off: traffic resumes, intact, both ways.
wait_for "ping -c 1 -W 1 $ADDR1" 15 || die "no traffic after the faults stopped"
both_ways /tmp/t40s
rm -f /tmp/t40a /tmp/t40b /tmp/t40s /tmp/both-ways.fwd /tmp/both-ways.rev
