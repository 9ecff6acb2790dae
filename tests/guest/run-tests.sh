#!/bin/sh
# In-guest test runner: runs every /tests/tNN-*.sh in order (or those named
# in $SGNIC_TESTS, e.g. "t01 t30"), each under a timeout, and prints one
# line per test, prefixed so the host harness can pick it out of the
# console: "SGNIC-RESULT ok|FAIL|skip name[: reason]".
mkdir -p /out/tests
limit=${SGNIC_TEST_TIMEOUT:-600}
failed=0
for t in /tests/t[0-9][0-9]-*.sh; do
	base=$(basename "$t" .sh)
	id=${base%%-*}
	name=${base#*-}
	if [ -n "${SGNIC_TESTS:-}" ]; then
		case " $SGNIC_TESTS " in *" $id "* | *" $base "* | *" $name "*) ;; *) continue ;; esac
	fi
	log=/out/tests/$base.log
	start=$(date +%s)
	timeout "$limit" sh "$t" >"$log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	# A failed or timed-out test may leave helpers behind: end them so the
	# next test starts from a known state.
	killall sgnic-test iperf3 nginx curl 2>/dev/null
	if [ $rc = 0 ]; then
		echo "SGNIC-RESULT ok $base (${secs}s)"
	elif [ $rc = 77 ]; then
		echo "SGNIC-RESULT skip $base: $(tail -1 "$log")"
	else
		[ $rc = 143 ] && echo "timed out after ${limit}s" >>"$log"
		echo "SGNIC-RESULT FAIL $base: $(tail -1 "$log")"
		failed=1
	fi
done
exit $failed
