#!/bin/sh
# Link down/up from the QEMU monitor: the carrier follows the link-status
# interrupt and traffic resumes.
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

# A flap in the middle of a stream: the queue stops while the link is down
# and must wake on link-up by itself, not through the TX watchdog.
timeouts=$(counter "$IF0" tx_timeouts)
sgnic-test mkfile /tmp/t14 $(bulk 16M) --seed 14 >/dev/null
background_sendfile /tmp/t14 /tmp/t14.send
sp=$SEND_PID
sgnic-link p0 off || die "host refused set_link p0 off"
wait_for "[ \"\$(cat /sys/class/net/$IF0/carrier)\" = 0 ]" 10 || die "carrier stayed up after set_link off"
sleep 1
sgnic-link p0 on || die "host refused set_link p0 on"
wait $sp || die "the stream failed across the flap"
wait $RECV_PID
sent=$(json_field "$(cat /tmp/t14.send)" sha256)
got=$(json_field "$(grep sha256 /tmp/recv.$PORT.json)" sha256)
[ "$sent" = "$got" ] || die "data corrupted across the flap"
[ "$(counter "$IF0" tx_timeouts)" = "$timeouts" ] || die "the queue needed the TX watchdog to restart after the flap"
rm -f /tmp/t14 /tmp/t14.send
