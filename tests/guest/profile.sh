#!/bin/sh
# Profiles one sendfile stream per driver with perf (software cpu-clock
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
for drv in sgnic e1000; do
	teardown_wire
	sgnic_unload
	[ -e /sys/module/e1000 ] && rmmod e1000
	if [ $drv = sgnic ]; then sgnic_load; else insmod /opt/baseline/e1000.ko; sleep 1; fi
	SGNIC_DRIVER=$drv setup_wire
	start_receiver peer $PORT 1
	perf record -q -a -g -e cpu-clock:k -F "${PROFILE_HZ:-4000}" -o /tmp/perf.$drv.data -- \
		sgnic-test send --to "$ADDR1:$PORT" --file /tmp/prof.bin --method sendfile
	wait "$RECV_PID"
	perf report -q -i /tmp/perf.$drv.data --stdio -n --no-children --sort sym -g none 2>/dev/null |
		grep -v '^$' >/out/profile/$drv.symbols.txt
	perf report -q -i /tmp/perf.$drv.data --stdio -n --no-children --sort sym \
		-g caller,0.5,callee,function,percent --percent-limit 2 2>/dev/null >/out/profile/$drv.callers.txt
	echo "== $drv: total kernel samples $(awk '{ n += $2 } END { print n }' /out/profile/$drv.symbols.txt)"
	head -"${PROFILE_TOP:-25}" /out/profile/$drv.symbols.txt
done
teardown_wire
[ -e /sys/module/e1000 ] && rmmod e1000
sgnic_load
