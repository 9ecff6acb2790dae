#!/bin/sh
# In-guest test runner: runs every /tests/tNN-*.sh in order (or those named
# in $SGNIC_TESTS, e.g. "t01 t30"), each under a timeout, and prints one
# line per test, prefixed so the host harness can pick it out of the
# console: "SGNIC-RESULT ok|FAIL|skip name[: reason]". A passing test's
# line gives its time and the tasks (processes and threads) it started: on
# make test's debug kernel starting a process costs 0.1-0.3 s, so that
# count explains much of a test's time.
mkdir -p /out/tests
limit=${SGNIC_TEST_TIMEOUT:-600}
failed=0
read -r pid_max </proc/sys/kernel/pid_max
for t in /tests/t[0-9][0-9]-*.sh; do
	base=$(basename "$t" .sh)
	id=${base%%-*}
	name=${base#*-}
	if [ -n "${SGNIC_TESTS:-}" ]; then
		case " $SGNIC_TESTS " in *" $id "* | *" $base "* | *" $name "*) ;; *) continue ;; esac
	fi
	log=/out/tests/$base.log
	start=$(date +%s)
	read -r _ _ _ _ pid0 </proc/loadavg
	timeout "$limit" sh "$t" >"$log" 2>&1
	rc=$?
	read -r _ _ _ _ pid1 </proc/loadavg
	secs=$(($(date +%s) - start))
	tasks=$((pid1 - pid0))
	[ $tasks -ge 0 ] || tasks=$((tasks + pid_max - 300)) # wrapped: new PIDs restart at 300
	# A failed or timed-out test may leave helpers behind: end them so the
	# next test starts from a known state.
	killall sgnic-test iperf3 nginx curl 2>/dev/null
	# A test killed by the timeout skips its EXIT trap: fault injection
	# must not outlive it (nor the log marker the harness reads).
	for f in /sys/kernel/debug/failslab /sys/kernel/debug/fail_page_alloc; do
		read -r p 2>/dev/null <$f/probability && [ "$p" != 0 ] || continue
		echo 0 >$f/probability
		echo "sgnic-faults: off" >/dev/kmsg
	done
	if [ $rc = 0 ]; then
		echo "SGNIC-RESULT ok $base (${secs}s, $tasks tasks)"
	elif [ $rc = 77 ]; then
		echo "SGNIC-RESULT skip $base: $(tail -1 "$log")"
	else
		[ $rc = 143 ] && echo "timed out after ${limit}s" >>"$log"
		echo "SGNIC-RESULT FAIL $base: $(tail -1 "$log")"
		failed=1
	fi
done
exit $failed
