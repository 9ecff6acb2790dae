#!/bin/sh
# A forced TX stall (private flag inject-tx-stall: frames are queued but
# the doorbell is never rung) fills the ring, the queue stops, and the
# watchdog fires; the timeout handler resets the TX ring, clears the
# stall, and traffic recovers with data intact.
. /tests/sgnic.sh
setup_wire
before=$(counter "$IF0" tx_timeouts)
ethtool --set-priv-flags "$IF0" inject-tx-stall on || die "cannot set inject-tx-stall"
# Whatever happens, leave the port able to transmit for the next test.
trap 'ethtool --set-priv-flags "$IF0" inject-tx-stall off 2>/dev/null' EXIT
# More frames than the ring holds, so the queue must stop.
sgnic-test raw-send --iface "$IF0" --dst 02:00:00:00:00:02 --count 400 >/dev/null ||
	die "raw-send failed"
# The watchdog fires 5-10 s after the queue stops.
wait_for "[ \$(counter $IF0 tx_timeouts) -gt $before ]" 60 || die "the TX watchdog never fired"
ethtool --show-priv-flags "$IF0" | grep -q 'inject-tx-stall *: off' || die "recovery did not clear the stall"
dmesg | grep -q "TX timeout, resetting" || die "no reset message in the log"
[ "$(counter "$IF0" tx_dropped)" -gt 0 ] || die "frames in flight at the reset were not counted as dropped"
sgnic-test mkfile /tmp/t18 8M --seed 18 >/dev/null
transfer /tmp/t18 sendfile forward >/dev/null
rm -f /tmp/t18
