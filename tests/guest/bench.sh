#!/bin/sh
# make bench, guest side: the same workloads on sgnic and on the in-tree C
# driver for the VM's NICs (e1000 for the 8254x, igb for the 82576, see
# C_DRIVER in sgnic.sh), alternating drivers within one boot, for several
# rounds.
# Raw figures go to /out/bench/ (one key=value file per measurement); the
# host (tests/bench-report.py) turns them into medians, ratios and plots.
#
# Knobs: BENCH_ROUNDS (8), BENCH_SECONDS (5, iperf3 duration),
# BENCH_SIZE (64M, stream file size), BENCH_SWEEP (sizes of the sweep),
# BENCH_ONLY (run only the workloads named, space-separated), BENCH_RR (rr count).
#
# On the 82576 four more workloads run by default (elsewhere only when
# BENCH_ONLY names them): sendfile4-q1 and sendfile4-q2, four sendfiles of
# the stream file at once over the one port pair, each flow's data
# checked, after `ethtool -L combined 1` (then 2) on both ports; and
# iperf3-Z4-q1 and -q2, iperf3 -Z -P 4 (four sendfile flows, nothing
# checked) at the same settings. A driver
# that refuses the queue count gets an "unsupported" record with
# ethtool's words instead of a measurement, and the bench goes on.
. /tests/sgnic.sh
ROUNDS=${BENCH_ROUNDS:-8}
SECS=${BENCH_SECONDS:-5}
SIZE=${BENCH_SIZE:-64M}
SWEEP=${BENCH_SWEEP:-4K 64K 1M 16M 64M}
RR=${BENCH_RR:-2000}
OUT=/out/bench
mkdir -p $OUT
echo "rounds=$ROUNDS seconds=$SECS size=$SIZE sweep=$SWEEP rr=$RR kernel-debug=${BENCH_KERNEL_DEBUG:-1}" >$OUT/params

wanted() { [ -z "${BENCH_ONLY:-}" ] || case " $BENCH_ONLY " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
# The multi-queue workloads: by default on the 82576 only.
wanted_mq() {
	if [ -z "${BENCH_ONLY:-}" ]; then [ "$IGB" = 1 ]; else wanted "$1"; fi
}

# A snapshot of the guest's CPU time (one JSON line): CLOCK_MONOTONIC and
# the all-CPU line of /proc/stat. The guest kernel accounts idle time at
# each idle entry and exit and interrupt time at each transition, so idle,
# irq and softirq are exact; the report derives system time from them.
cpu_snapshot() { sgnic-test cpu-snapshot; }
# Interrupts taken by both NICs' lines and vectors, sender's and
# receiver's: the C drivers name theirs after the interface (igb's MSI-X
# queue vectors "IF-TxRx-N"), sgnic after the driver and the PCI device
# ("sgnic@PCI"; on the 82576 its queue vectors "sgnic-qN@PCI").
nic_irqs() {
	awk -v a="$IF0" -v b="$IF1" '{
		hit = 0
		for (i = 2; i <= NF; i++) {
			f = $i; sub(/,$/, "", f)
			if (f == a || f == b || index(f, a "-") == 1 || index(f, b "-") == 1 ||
				f ~ /^sgnic(-q[0-9]+)?@/) hit = 1
		}
		if (hit) for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i
	} END { print s + 0 }' /proc/interrupts
}
NCPU=$(grep -c '^cpu[0-9]' /proc/stat)

# measure ROUND DRIVER WORKLOAD CMD...: runs CMD (its stdout is the
# workload's own JSON), recording CPU, interrupts and sgnic counters.
measure() {
	_r=$1 _drv=$2 _w=$3
	shift 3
	f=$OUT/$_r-$_drv-$_w
	[ "$_drv" = sgnic ] && sgnic-test ethtool-stats "$IF0" >"$f.before.json"
	c0=$(cpu_snapshot) i0=$(nic_irqs)
	# For the host's view of QEMU's threads (qemu/thread-sampler.py).
	echo "SGNIC-SPAN begin $_r-$_drv-$_w" >/dev/console
	"$@" >"$f.json" 2>"$f.err" || echo "failed=1" >>"$f.kv"
	echo "SGNIC-SPAN end $_r-$_drv-$_w" >/dev/console
	c1=$(cpu_snapshot) i1=$(nic_irqs)
	[ "$_drv" = sgnic ] && sgnic-test ethtool-stats "$IF0" >"$f.after.json"
	printf 'round=%s\ndriver=%s\nworkload=%s\nncpu=%s\ncpu_before=%s\ncpu_after=%s\nirqs=%s\nqueues=%s\n' \
		"$_r" "$_drv" "$_w" "$NCPU" "$c0" "$c1" $((i1 - i0)) "$(queue_pairs)" >>"$f.kv"
}

# unsupported ROUND DRIVER WORKLOAD REASON: the driver refused the
# workload's setup; recorded instead of a measurement.
unsupported() {
	echo "bench: $2 $3: unsupported: $4" >&2
	printf 'round=%s\ndriver=%s\nworkload=%s\nunsupported=%s\n' "$1" "$2" "$3" "$4" >"$OUT/$1-$2-$3.kv"
}

# served SERVER_PID CLIENT...: runs the client; if it fails (it says why
# on stderr, kept in the workload's .err), stops the server, which would
# otherwise wait for a connection forever, and fails.
served() {
	_sp=$1
	shift
	if ! "$@"; then
		kill "$_sp" 2>/dev/null
		wait "$_sp" 2>/dev/null
		return 1
	fi
	wait "$_sp"
}

send_file() { # send_file FILE METHOD: one transfer to the peer's receiver
	start_receiver peer $PORT 1
	served "$RECV_PID" sgnic-test send --to "$ADDR1:$PORT" --file "$1" --method "$2"
}

send_file6() { # send_file6 FILE METHOD: as send_file, over IPv6
	start_receiver peer $PORT 1
	served "$RECV_PID" sgnic-test send --to "[$ADDR1_6]:$PORT" --file "$1" --method "$2"
}

iperf() { # iperf [-Z]: iperf3 for $SECS seconds, JSON report
	peer iperf3 -s -1 -p 5201 >/dev/null 2>&1 &
	sp=$!
	sleep 0.5
	served $sp iperf3 -c $ADDR1 -p 5201 -t "$SECS" -J "$@"
}

rr() {
	# A ready file left from elsewhere would let the client go first.
	rm -f /tmp/rr.ready
	peer sgnic-test rr-server --port 5300 --ready-file /tmp/rr.ready >/dev/null &
	sp=$!
	wait_for "[ -f /tmp/rr.ready ]" 10 || echo "bench: the rr server did not start" >&2
	rm -f /tmp/rr.ready
	served $sp sgnic-test rr --to "$ADDR1:5300" --count "$RR" --size 64
}

sgnic-test mkfile /tmp/bench.bin "$SIZE" --seed 99 >/dev/null
for s in $SWEEP; do sgnic-test mkfile /tmp/sweep.$s "$s" --seed 5 >/dev/null; done

for r in $(seq 1 "$ROUNDS"); do
	# Alternate which driver goes first so slow drift favours neither.
	if [ $((r % 2)) = 1 ]; then order="sgnic $C_DRIVER"; else order="$C_DRIVER sgnic"; fi
	for drv in $order; do
		echo "bench: round $r/$ROUNDS, driver $drv" >&2
		switch_driver $drv
		default_queues=$(queue_pairs)
		wanted sendfile && measure $r $drv sendfile send_file /tmp/bench.bin sendfile
		wanted sendfile-ipv6 && measure $r $drv sendfile-ipv6 send_file6 /tmp/bench.bin sendfile
		wanted readwrite && measure $r $drv readwrite send_file /tmp/bench.bin read-write
		wanted iperf3-Z && measure $r $drv iperf3-Z iperf -Z
		wanted iperf3 && measure $r $drv iperf3 iperf
		wanted rr && measure $r $drv rr rr
		if wanted sweep; then
			for s in $SWEEP; do measure $r $drv sweep-$s send_file /tmp/sweep.$s sendfile; done
		fi
		for q in 1 2; do
			wanted_mq sendfile4-q$q || wanted_mq iperf3-Z4-q$q || continue
			if ! why=$(set_queue_pairs $q); then
				wanted_mq sendfile4-q$q && unsupported $r $drv sendfile4-q$q "$why"
				wanted_mq iperf3-Z4-q$q && unsupported $r $drv iperf3-Z4-q$q "$why"
				continue
			fi
			wanted_mq sendfile4-q$q && measure $r $drv sendfile4-q$q sendfile_flows 4 /tmp/bench.bin
			wanted_mq iperf3-Z4-q$q && measure $r $drv iperf3-Z4-q$q iperf -Z -P 4
		done
		[ "$(queue_pairs)" = "$default_queues" ] || set_queue_pairs "$default_queues" >&2
	done
done
teardown_wire
c_unload
sgnic_load
rm -f /tmp/bench.bin /tmp/sweep.*
echo "bench: done" >&2
