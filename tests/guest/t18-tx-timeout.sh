#!/bin/sh
# A forced TX stall fills the ring, the queue stops and the watchdog fires;
# the timeout handler resets the TX ring and traffic recovers with data
# intact. The stall comes from the kernel's fault injection: the port's
# fault point fail_sgnic_tx_doorbell-<pci> (debugfs) makes start_xmit skip
# the doorbell, so queued frames never reach the device.
. /tests/sgnic.sh
setup_wire
pci=$(basename "$(readlink "/sys/class/net/$IF0/device")")
point=/sys/kernel/debug/fail_sgnic_tx_doorbell-$pci
if [ ! -d "$point" ]; then
	debug_kernel && die "$point missing on a kernel with fault injection"
	echo "this kernel has no fault injection"
	exit 77
fi
# The smallest TX ring, so that the queue stops before the sender's socket
# buffer is full whatever BQL's limit is (an earlier transfer may have
# grown it) and however the frames spread over the queues: with the
# queues running, the sender would block and the watchdog see nothing.
ethtool -G "$IF0" tx 64 || die "ethtool -G tx 64 failed"
wait_for "[ \$(cat /sys/class/net/$IF0/carrier) = 1 ]" 10 || die "no carrier after ethtool -G"
before=$(counter "$IF0" tx_timeouts)
echo 0 >"$point/verbose"
echo -1 >"$point/times"
echo 100 >"$point/probability"
# Whatever happens, leave the port able to transmit for the next test.
trap 'echo 0 >"$point/probability"; ethtool -G "$IF0" tx 256 2>/dev/null' EXIT
# Frames that never complete: BQL (or the ring) stops the queue. The
# sender blocks once its socket buffer is full, so it runs in the
# background until the fault is off.
sgnic-test raw-send --iface "$IF0" --dst 02:00:00:00:00:02 --count 400 >/dev/null &
rs=$!
# The watchdog fires 5-10 s after the queue stops.
wait_for "[ \$(counter $IF0 tx_timeouts) -gt $before ]" 60 || die "the TX watchdog never fired"
echo 0 >"$point/probability"
wait $rs || die "raw-send failed"
# Frames queued on any queue while the doorbell failed reach the device
# once a later frame on their queue rings it, or, where the queue had
# stopped, once its watchdog resets it (5-10 s). Nudge each queue that
# still has bytes in flight (XPS maps CPU n to queue n) until none has:
# otherwise the transfer's ARP request could wait behind a stalled
# queue and its connect fail ("No route to host", seen on the 82576).
nudge_stalled_queues() {
	for _q in /sys/class/net/$IF0/queues/tx-*; do
		[ "$(cat "$_q/byte_queue_limits/inflight")" = 0 ] && continue
		taskset -c "${_q##*/tx-}" sgnic-test raw-send --iface "$IF0" --dst 02:00:00:00:00:02 --count 1 >/dev/null 2>&1
		return 1
	done
}
wait_for nudge_stalled_queues 30 || die "a TX queue still has bytes in flight 30 s after the stall ended"
dmesg | grep -q "TX timeout on queue [0-9]*, resetting" || die "no reset message in the log"
[ "$(counter "$IF0" tx_dropped)" -gt 0 ] || die "frames in flight at the reset were not counted as dropped"
sgnic-test mkfile /tmp/t18 8M --seed 18 >/dev/null
transfer /tmp/t18 sendfile forward >/dev/null
rm -f /tmp/t18
# The point goes with the port: after rmmod no directory is left behind
# (a stale one would point into freed memory).
teardown_wire
sgnic_unload || die "rmmod failed"
[ ! -d "$point" ] || die "$point survived rmmod"
sgnic_load || die "insmod failed"
