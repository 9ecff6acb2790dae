#!/bin/sh
# make profile (PROFILE_MODE=insn), guest side: runs each workload once
# per driver per round, sgnic and the VM's C driver (e1000 for the 8254x,
# igb for the 82576: C_DRIVER in sgnic.sh), in the order sgnic, C, C,
# sgnic (so that
# anything that drifts over the run, such as the page cache warming up,
# favours neither), while the host's QEMU counts every guest kernel
# instruction and MMIO access (qemu/plugin/insncount.c).
#
# The plugin starts a new phase each time the kernel enters sync(2), so
# the script brackets every workload with `sync` and records which phase
# was which in /out/insn/phases ("PHASE DRIVER WORKLOAD RUN UNITS UNIT");
# /out/insn/ksyms.RUN holds the driver's symbols as loaded for that run;
# /out/insn/queues the queue pairs each run's driver started with
# ("RUN DRIVER N"); /out/insn/unsupported the workloads a driver refused
# ("DRIVER RUN WORKLOAD REASON..."). Nothing else in the guest calls
# sync(2) while this runs.
#
# Knobs: PROFILE_WORKLOAD ("rr sendfile"; on the 82576 also "sendfile4-q1
# sendfile4-q2": four sendfiles at once over the one port pair, each of a
# quarter of the sendfile file's size, data checked, at 1 and at 2 queue
# pairs set with `ethtool -L combined` on both ports), PROFILE_SIZE (16M,
# the sendfile file), PROFILE_RR (2000 transactions), PROFILE_ROUNDS (2).
. /tests/sgnic.sh
OUT=/out/insn
mkdir -p $OUT
: >$OUT/phases
: >$OUT/queues
: >$OUT/unsupported
if [ "$IGB" = 1 ]; then
	WORKLOADS=${PROFILE_WORKLOAD:-rr sendfile sendfile4-q1 sendfile4-q2}
else
	WORKLOADS=${PROFILE_WORKLOAD:-rr sendfile}
fi
SIZE=${PROFILE_SIZE:-16M}
RR=${PROFILE_RR:-2000}
sgnic-test mkfile /tmp/insn.bin "$SIZE" --seed 11 >/dev/null
bytes=$(stat -c %s /tmp/insn.bin)
sgnic-test mkfile /tmp/insn4.bin $((bytes / 4)) --seed 12 >/dev/null
phase=0

mark() {
	sync
	phase=$((phase + 1))
}

# run DRIVER RUN WORKLOAD: one measured phase.
run() {
	case $3 in
	rr)
		rm -f /tmp/rr.ready
		peer sgnic-test rr-server --port 5300 --ready-file /tmp/rr.ready >/dev/null &
		sp=$!
		wait_for "[ -f /tmp/rr.ready ]" 10 || die "rr server did not start"
		mark
		echo "$phase $1 rr $2 $RR transaction" >>$OUT/phases
		sgnic-test rr --to "$ADDR1:5300" --count "$RR" --size 64 >$OUT/$1-$2-rr.json ||
			die "rr failed"
		mark
		wait $sp
		;;
	sendfile)
		start_receiver peer $PORT 1
		mark
		echo "$phase $1 sendfile $2 $bytes byte" >>$OUT/phases
		sgnic-test send --to "$ADDR1:$PORT" --file /tmp/insn.bin --method sendfile \
			>$OUT/$1-$2-sendfile.json || die "sendfile failed"
		mark
		wait "$RECV_PID"
		;;
	sendfile4-q[0-9]*)
		if ! why=$(set_queue_pairs "${3#sendfile4-q}"); then
			echo "insn-profile: $1 refused $3: $why" >&2
			echo "$1 $2 $3 $why" >>$OUT/unsupported
			return 0
		fi
		flows_listen 4
		mark
		echo "$phase $1 $3 $2 $(($(stat -c %s /tmp/insn4.bin) * 4)) byte" >>$OUT/phases
		# Untimed, and checked after the phase: it counts the transfers only.
		FLOWS_CLOCK=0 flows_send 4 /tmp/insn4.bin || die "$3 failed"
		mark
		flows_check 4 >$OUT/$1-$2-$3.json || die "$3: the data arrived altered"
		;;
	*) die "unknown PROFILE_WORKLOAD '$3' (rr, sendfile, sendfile4-qN)" ;;
	esac
}

echo 0 >/proc/sys/kernel/kptr_restrict
# The NICs' register windows, to tell their MMIO from the APIC's.
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor")" = 0x8086 ] && [ "$(cat "$d/class")" = 0x020000 ] &&
		echo "$(basename "$d") $(head -1 "$d/resource")"
done >$OUT/nic-bars
# A warm-up pass first: the first transfer after boot pays one-time costs
# (page-cache activation, the page allocator filling per-CPU lists) that
# would otherwise land on whichever driver goes first.
# Each round runs sgnic, C, C, sgnic: two runs of each driver. Where the
# scheduler puts the rr client, its server and their wakeups moves the
# rest of the kernel by up to 4% from run to run, for either driver, so
# the default takes two rounds' means.
order=warmup
for _ in $(seq "${PROFILE_ROUNDS:-2}"); do
	order="$order sgnic $C_DRIVER $C_DRIVER sgnic"
done
n=0
for drv in $order; do
	n=$((n + 1))
	if [ $drv = warmup ]; then switch_driver sgnic; else switch_driver $drv; fi
	# The module's own functions, for the host to name addresses with.
	grep -E "\[(sgnic|$C_DRIVER)\]" /proc/kallsyms >$OUT/ksyms.$n
	default_queues=$(queue_pairs)
	echo "$n $drv $default_queues" >>$OUT/queues
	for w in $WORKLOADS; do
		echo "insn-profile: $drv, $w" >&2
		run $drv $n $w
	done
	[ "$(queue_pairs)" = "$default_queues" ] || set_queue_pairs "$default_queues" >&2
done
teardown_wire
c_unload
sgnic_load
