#!/bin/sh
# Two CPUs, and the TSC as the clock: streams in both directions at once,
# each sender pinned to its own CPU, so start_xmit on one CPU races the
# NAPI poll (TX reclaim, RX) on the other, on both ports at once. Both
# streams must arrive intact.
. /tests/sgnic.sh
cpus=$(grep -c '^processor' /proc/cpuinfo)
[ "$cpus" -ge 2 ] || die "the guest has $cpus CPU(s); this test needs 2"
# Timings (bench, rr latency) need a fine clock, not jiffies.
clock=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)
[ "$clock" = tsc ] || die "the guest clock is $clock, not tsc"
setup_wire
sgnic-test mkfile /tmp/t21 $(bulk 32M) --seed 21 >/dev/null
start_receiver peer $PORT 1
fwd_recv=$RECV_PID
start_receiver local $((PORT + 1)) 1
rev_recv=$RECV_PID
taskset -c 1 sgnic-test send --to "$ADDR1:$PORT" --file /tmp/t21 --method sendfile >/tmp/t21.fwd &
fwd=$!
peer taskset -c 0 sgnic-test send --to "$ADDR0:$((PORT + 1))" --file /tmp/t21 --method splice >/tmp/t21.rev &
rev=$!
wait $fwd || die "forward send failed"
wait $rev || die "reverse send failed"
wait $fwd_recv || die "forward receiver failed"
wait $rev_recv || die "reverse receiver failed"
want=$(json_field "$(cat /tmp/t21.fwd)" sha256)
for f in /tmp/recv.$PORT.json /tmp/recv.$((PORT + 1)).json; do
	got=$(json_field "$(grep '"sha256"' "$f" | tail -1)" sha256)
	[ "$got" = "$want" ] || die "$f: sha256 $got, sent $want"
done
[ "$(json_field "$(cat /tmp/t21.rev)" sha256)" = "$want" ] || die "reverse sender read a different file"
rm -f /tmp/t21 /tmp/t21.fwd /tmp/t21.rev
