#!/bin/sh
# A one-round, small-size run of the make-bench workloads on both drivers
# (sgnic and the VM's C driver: e1000, or igb on the 82576), so the
# benchmark harness cannot rot. No figure is asserted here; the host
# harness builds the report from /out/bench to prove it parses.
#
# On the 82576 the bench adds the 4-flow sendfile and the 4-flow iperf3
# -Z at 1 and at 2 queue pairs (sendfile4-q1/-q2, iperf3-Z4-q1/-q2): 12
# workloads instead of 8. A driver that refuses `ethtool -L combined 2`
# gets an "unsupported" record for those rows, which is not a failure;
# the line printed at the end names it.
. /tests/sgnic.sh
BENCH_ROUNDS=1 BENCH_SIZE=2M BENCH_SECONDS=1 BENCH_SWEEP="4K 256K" BENCH_RR=100 \
	sh /tests/bench.sh || die "bench.sh failed"
if [ "$IGB" = 1 ]; then workloads=12; else workloads=8; fi
n=$(ls /out/bench/*.kv | wc -l)
[ "$n" -eq $((workloads * 2)) ] ||
	die "expected $((workloads * 2)) records ($workloads workloads x 2 drivers), got $n"
if grep -l failed=1 /out/bench/*.kv >/dev/null 2>&1; then die "failed: $(grep -l failed=1 /out/bench/*.kv | head -3)"; fi
[ -e /sys/module/sgnic ] || die "sgnic not reloaded after the bench"
[ ! -e /sys/module/$C_DRIVER ] || die "the C $C_DRIVER driver still loaded after the bench"
# Only sgnic may refuse a row (the C igb takes `ethtool -L combined 2`).
for f in $(grep -l '^unsupported=' /out/bench/*.kv); do
	case $f in */*-sgnic-sendfile4-q2.kv | */*-sgnic-iperf3-Z4-q2.kv) ;; *) die "unexpected unsupported record $f: $(grep '^unsupported=' "$f")" ;; esac
	echo "not measured: $(basename "$f" .kv): $(sed -n 's/^unsupported=//p' "$f")"
done
echo "$n records against the C $C_DRIVER"
