#!/bin/sh
# A one-round, small-size run of the make-bench workloads on both drivers,
# so the benchmark harness cannot rot. No figure is asserted here; the host
# harness builds the report from /out/bench to prove it parses.
. /tests/sgnic.sh
if [ "$IGB" = 1 ]; then
	echo "the bench compares sgnic with the C e1000 only; against the C igb is a later step (Documentation/igb.md, Next)" >&2
	exit 77
fi
BENCH_ROUNDS=1 BENCH_SIZE=2M BENCH_SECONDS=1 BENCH_SWEEP="4K 256K" BENCH_RR=100 \
	sh /tests/bench.sh || die "bench.sh failed"
n=$(ls /out/bench/*.kv | wc -l)
[ "$n" -eq 16 ] || die "expected 16 measurements (8 workloads x 2 drivers), got $n"
if grep -l failed=1 /out/bench/*.kv >/dev/null 2>&1; then die "failed: $(grep -l failed=1 /out/bench/*.kv | head -3)"; fi
[ -e /sys/module/sgnic ] || die "sgnic not reloaded after the bench"
