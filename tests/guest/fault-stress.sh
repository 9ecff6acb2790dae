#!/bin/sh
# Not a test: t40's allocation-fault stream, repeated, against sgnic or the
# C e1000 (STRESS_DRIVER=e1000), to tell a driver bug from one in the
# stack's own error paths. Each round sends STRESS_SIZE (default 16M) each
# way at once with STRESS_PERCENT (default 10) of the driver's allocations
# failing; it stops at the first kernel warning or stalled round.
# STRESS_SYMBOLS='FIRST LAST' fails the allocations made under that kernel
# code instead of the driver's ('ip_call_ra_chain ip_rcv_finish_core': all
# of IPv4's receive path, TCP's input under it; a range that takes in
# socket creation fails the senders themselves).
#   make vm CMD='STRESS_DRIVER=e1000 STRESS_ROUNDS=20 sh /tests/fault-stress.sh'
# (on the debug kernel: SGNIC_KERNEL_VARIANT=debug). As in t40, IP and TCP
# run from the RPS backlog; FAULT_IN_STACK=1 lets the faults reach them.
# STRESS_SLAB_SYMBOLS='FIRST LAST' aims the slab faults alone at that code
# instead, at STRESS_SLAB_PERCENT (default 100); page faults stay on the driver.
. /tests/sgnic.sh
debug_kernel || die "fault injection needs the debug kernel (SGNIC_KERNEL_VARIANT=debug)"
drv=${STRESS_DRIVER:-sgnic}
rounds=${STRESS_ROUNDS:-10}
size=${STRESS_SIZE:-16M}
FAULT_MODULE=$drv
FAULT_SYMBOLS=${STRESS_SYMBOLS:-}
switch_driver "$drv"
trap 'faults_off >/dev/null' EXIT
sgnic-test mkfile /tmp/stress "$size" --seed 7 >/dev/null
warned() { dmesg | grep -q -e 'WARNING:' -e 'BUG:' -e 'Oops'; }
warned && die "the kernel had warned before the first round"
faults_on "${STRESS_PERCENT:-10}"
if [ -n "$STRESS_SLAB_SYMBOLS" ]; then
	# shellcheck disable=SC2086 # two symbol names
	r=$(sgnic-test symbol-range $STRESS_SLAB_SYMBOLS) || die "cannot find $STRESS_SLAB_SYMBOLS"
	d=/sys/kernel/debug/failslab
	json_field "$r" start >$d/require-start
	json_field "$r" end >$d/require-end
	echo "${STRESS_SLAB_PERCENT:-100}" >$d/probability
fi
i=1
while [ "$i" -le "$rounds" ]; do
	start=$(date +%s)
	(both_ways /tmp/stress) &
	pid=$!
	# A round that stalls for STRESS_STALL seconds (default 300) has hung.
	left=${STRESS_STALL:-300}
	while kill -0 $pid 2>/dev/null && [ "$left" -gt 0 ] && ! warned; do
		nap 1
		left=$((left - 1))
	done
	if warned; then
		echo "round $i: kernel warning after $(($(date +%s) - start)) s ($(faults_injected) faults so far)"
		dmesg | grep -A 40 -m 1 -e 'WARNING:' -e 'BUG:' -e 'Oops'
		exit 1
	fi
	kill -0 $pid 2>/dev/null && die "round $i: stalled for ${STRESS_STALL:-300} s without a warning"
	wait $pid || die "round $i failed"
	echo "round $i: ok in $(($(date +%s) - start)) s ($(faults_injected) faults so far)"
	i=$((i + 1))
done
echo "$drv: ${STRESS_SYMBOLS:+faults under $STRESS_SYMBOLS, }$rounds rounds of $size each way at ${STRESS_PERCENT:-10}%, no warning ($(faults_off) faults)"
