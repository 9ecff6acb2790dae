#!/bin/sh
# Profiles one sendfile stream per driver with perf (software cpu-clock
# sampling; TCG has no PMU) and prints the hottest kernel symbols, so
# performance.md can name where the time goes. Used by `make profile`.
. /tests/sgnic.sh
echo 0 >/proc/sys/kernel/kptr_restrict
echo -1 >/proc/sys/kernel/perf_event_paranoid
sgnic-test mkfile /tmp/prof.bin ${PROFILE_SIZE:-64M} --seed 3 >/dev/null
for drv in sgnic e1000; do
	teardown_wire
	sgnic_unload
	[ -e /sys/module/e1000 ] && rmmod e1000
	if [ $drv = sgnic ]; then sgnic_load; else insmod /opt/baseline/e1000.ko; sleep 1; fi
	SGNIC_DRIVER=$drv setup_wire
	start_receiver peer $PORT 1
	perf record -q -a -e cpu-clock -F 2000 -o /tmp/perf.$drv.data -- \
		sgnic-test send --to "$ADDR1:$PORT" --file /tmp/prof.bin --method sendfile
	wait "$RECV_PID"
	echo "== $drv: hottest symbols (all CPUs, both ports)"
	perf report -q -i /tmp/perf.$drv.data --stdio --sort sym 2>/dev/null | grep -v '^$' | head -${PROFILE_TOP:-25}
done
teardown_wire
[ -e /sys/module/e1000 ] && rmmod e1000
sgnic_load
