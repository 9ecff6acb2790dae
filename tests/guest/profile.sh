#!/bin/sh
# Profiles one sendfile stream (or, with PROFILE_WORKLOAD=rr, 4000
# request/response transactions) per driver (sgnic, and the VM's C
# driver: e1000, or igb on the 82576) with perf (software cpu-clock
# sampling of kernel code only; TCG has no PMU) and writes, per driver,
# the hottest kernel symbols with sample counts and their call chains to
# /out/profile/<driver>.{symbols,callers}.txt. Both ports are driven by
# the driver under test, so the profile covers sender and receiver.
# Used by `make profile`; PROFILE_SIZE and PROFILE_TOP tune it.
. /tests/sgnic.sh
echo 0 >/proc/sys/kernel/kptr_restrict
echo -1 >/proc/sys/kernel/perf_event_paranoid
mkdir -p /out/profile
sgnic-test mkfile /tmp/prof.bin "${PROFILE_SIZE:-64M}" --seed 3 >/dev/null
for drv in sgnic $C_DRIVER; do
	switch_driver $drv
	if [ "${PROFILE_WORKLOAD:-sendfile}" = rr ]; then
		rm -f /tmp/rr.ready
		peer sgnic-test rr-server --port 5300 --ready-file /tmp/rr.ready >/dev/null &
		RECV_PID=$!
		wait_for "[ -f /tmp/rr.ready ]" 10 || die "rr server did not start"
		set -- sgnic-test rr --to "$ADDR1:5300" --count 4000 --size 64
	else
		start_receiver peer $PORT 1
		set -- sgnic-test send --to "$ADDR1:$PORT" --file /tmp/prof.bin --method sendfile
	fi
	perf record -q -a -g -e cpu-clock:k -F "${PROFILE_HZ:-4000}" -o /tmp/perf.$drv.data -- "$@"
	wait "$RECV_PID"
	perf report -q -i /tmp/perf.$drv.data --stdio -n --no-children --sort sym -g none 2>/dev/null |
		grep -v '^$' >/out/profile/$drv.symbols.txt
	perf report -q -i /tmp/perf.$drv.data --stdio -n --no-children --sort sym \
		-g fractal,5,callee,function --percent-limit 1 2>/dev/null >/out/profile/$drv.callers.txt
	# Inclusive samples of the driver's own functions (NAPI poll, xmit,
	# interrupt handler, ...), to compare the two drivers entry by entry.
	perf report -q -i /tmp/perf.$drv.data --stdio -n --children --sort sym -g none 2>/dev/null |
		grep -E "sgnic_main|${C_DRIVER}_" | sed 's/_RN[A-Za-z0-9_]*Operations[0-9]*\([a-z_]*\)$/sgnic::\1/' \
		>/out/profile/$drv.driver.txt
	# Where each entry point's time goes: samples under it, by the function
	# it called directly (perf script lists call chains leaf first).
	case $drv in
	sgnic) entries='Operations4poll$ Operations10start_xmit$' ;;
	igb) entries='^igb_poll$ ^igb_xmit_frame_ring$' ;; # igb_xmit_frame tail-calls it
	*) entries='^e1000_clean$ ^e1000_xmit_frame$' ;;
	esac
	for re in $entries; do
		echo "-- under $re, by direct callee (samples, share)"
		perf script -i /tmp/perf.$drv.data -F ip,sym 2>/dev/null | awk -v re="$re" '
			/^[[:space:]]*$/ { prev = ""; done = 0; next }
			{ s = $NF }
			!done && s ~ re { n[prev == "" ? "(itself)" : prev]++; tot++; done = 1 }
			{ prev = s }
			END {
				printf "%7d 100.0%% (all)\n", tot
				for (k in n) if (n[k] * 100 >= tot) printf "%7d %5.1f%% %s\n", n[k], 100 * n[k] / tot, k
			}' | sed 's/_RN[A-Za-z0-9_]*sgnic_main[0-9]*//' | sort -rn
	done >/out/profile/$drv.entries.txt
	echo "== $drv: total kernel samples $(awk '{ n += $2 } END { print n }' /out/profile/$drv.symbols.txt)"
	head -"${PROFILE_TOP:-25}" /out/profile/$drv.symbols.txt
	echo "== $drv: driver functions, inclusive of what they call"
	head -12 /out/profile/$drv.driver.txt
	cat /out/profile/$drv.entries.txt
done
teardown_wire
c_unload
sgnic_load
