#!/bin/sh
# ethtool -G while a transfer runs: the rings are rebuilt with the new
# sizes, the transfer survives (TCP retransmits what was dropped) intact.
. /tests/sgnic.sh
setup_wire
sgnic-test mkfile /tmp/t17 $(bulk 32M) --seed 17 >/dev/null
start_receiver peer $PORT 1
sgnic-test send --to "$ADDR1:$PORT" --file /tmp/t17 --method sendfile >/tmp/t17.send &
sp=$!
sleep 0.5
ethtool -G "$IF0" rx 1024 tx 512 || die "ethtool -G rx 1024 tx 512 failed"
sleep 0.5
ethtool -G "$IF0" rx 64 tx 64 || die "ethtool -G rx 64 tx 64 failed"
wait $sp || die "transfer failed across ring resizes"
wait $RECV_PID
sent=$(json_field "$(cat /tmp/t17.send)" sha256)
got=$(json_field "$(grep sha256 /tmp/recv.$PORT.json)" sha256)
[ "$sent" = "$got" ] || die "data corrupted across ring resize"
ethtool -g "$IF0" | awk '/Current/ {c=1} c && /^RX:/ {print $2; exit}' | grep -qx 64 || die "RX ring is not 64"
ethtool -G "$IF0" rx 100 tx 3000 || die "ethtool -G rx 100 tx 3000 failed"
ethtool -g "$IF0" | awk '/Current/ {c=1} c && /^RX:/ {print $2; exit}' | grep -qx 128 || die "rx 100 was not rounded to 128"
if ethtool -G "$IF0" rx 8192 2>/dev/null; then die "rx 8192 (above the maximum) was accepted"; fi
ethtool -G "$IF0" rx 256 tx 256
wait_for "ping -c 1 -W 1 $ADDR1" 10 || die "no traffic after resizing back"
rm -f /tmp/t17
