#!/bin/sh
# Link down/up from the QEMU monitor: the carrier follows the link-status
# interrupt and traffic resumes; a TX queue stopped while the link was
# down restarts on link-up.
. /tests/sgnic.sh
setup_wire
ping -c 1 -W 2 $ADDR1 >/dev/null || die "no connectivity before the flap"
changes=$(counter "$IF0" link_changes)
sgnic-link p0 off || die "host refused set_link p0 off"
wait_for "[ \"\$(cat /sys/class/net/$IF0/carrier)\" = 0 ]" 10 || die "carrier stayed up after set_link off"
if ping -c 1 -W 1 $ADDR1 >/dev/null 2>&1; then die "ping succeeded with the link down"; fi
sgnic-link p0 on || die "host refused set_link p0 on"
wait_for "[ \"\$(cat /sys/class/net/$IF0/carrier)\" = 1 ]" 10 || die "carrier stayed down after set_link on"
wait_for "ping -c 1 -W 1 $ADDR1" 15 || die "traffic did not resume after the flap"
[ "$(counter "$IF0" link_changes)" -ge $((changes + 2)) ] || die "link_changes did not count the flap"

# Flaps in the middle of a stream, with the queue stopped: at the
# smallest TX ring one TSO frame stops it, and while the carrier is off
# reclaim must not restart it (frames would go to a dead link). On
# link-up the poll that sees the link restarts it: within 3 s, not
# through the TX watchdog (5 s). A queue that was stopped while the
# carrier was off has more stops than restarts then; up to 10 flaps find
# one.
ethtool -G "$IF0" tx 64 || die "cannot shrink the TX ring"
timeouts=$(counter "$IF0" tx_timeouts)
sgnic-test mkfile /tmp/t14 $(bulk 32M) --seed 14 >/dev/null
background_sendfile /tmp/t14 /tmp/t14.send
sp=$SEND_PID
flaps=0 stopped=0
while [ $flaps -lt 10 ] && [ $stopped = 0 ] && kill -0 $sp 2>/dev/null; do
	flaps=$((flaps + 1))
	sgnic-link p0 off || die "host refused set_link p0 off"
	wait_for "[ \"\$(cat /sys/class/net/$IF0/carrier)\" = 0 ]" 10 || die "carrier stayed up after set_link off"
	# Past linkwatch's 1 s delay, the stack hands the driver nothing more.
	sleep 1.5
	stops=$(counter "$IF0" tx_stops) restarts=$(counter "$IF0" tx_restarts)
	sgnic-link p0 on || die "host refused set_link p0 on"
	wait_for "[ \"\$(cat /sys/class/net/$IF0/carrier)\" = 1 ]" 10 || die "carrier stayed down after set_link on"
	if [ "$stops" -gt "$restarts" ]; then
		stopped=$flaps
		wait_for "[ \$(counter $IF0 tx_restarts) -gt $restarts ]" 3 ||
			die "the queue stopped across flap $flaps did not restart within 3 s of link-up"
	fi
	sleep 0.5
done
wait $sp || die "the stream failed across the flaps"
wait $RECV_PID
sent=$(json_field "$(cat /tmp/t14.send)" sha256)
got=$(json_field "$(grep sha256 /tmp/recv.$PORT.json)" sha256)
[ "$sent" = "$got" ] || die "data corrupted across the flaps"
[ "$(counter "$IF0" tx_timeouts)" = "$timeouts" ] || die "the queue needed the TX watchdog to restart after a flap"
[ $stopped -gt 0 ] || die "the queue was never stopped across a flap in $flaps flaps"
ethtool -G "$IF0" tx 256
rm -f /tmp/t14 /tmp/t14.send
echo "the queue was stopped across flap $stopped of $flaps and restarted on link-up"
