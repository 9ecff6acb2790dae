#!/bin/sh
# A forced TX stall (private flag inject-tx-stall: frames are queued but
# the doorbell is never rung) trips the watchdog; the timeout handler
# resets the TX ring and traffic recovers.
. /tests/sgnic.sh
setup_wire
before=$(counter "$IF0" tx_timeouts)
ethtool --set-priv-flags "$IF0" inject-tx-stall on || die "cannot set inject-tx-stall"
sgnic-test mkfile /tmp/t18 8M --seed 18 >/dev/null
start_receiver peer $PORT 1
sgnic-test send --to "$ADDR1:$PORT" --file /tmp/t18 --method sendfile >/tmp/t18.send 2>&1 &
sp=$!
wait_for "[ \$(counter $IF0 tx_timeouts) -gt $before ]" 30 || die "the TX watchdog never fired"
ethtool --show-priv-flags "$IF0" | grep -q 'inject-tx-stall *: off' || die "recovery did not clear the stall"
wait $sp || die "transfer did not complete after recovery"
wait $RECV_PID
[ "$(json_field "$(cat /tmp/t18.send)" sha256)" = "$(json_field "$(grep sha256 /tmp/recv.$PORT.json)" sha256)" ] ||
	die "data corrupted across the TX reset"
dmesg | grep -q "TX timeout, resetting" || die "no reset message in the log"
rm -f /tmp/t18
