#!/bin/sh
# Real sendfile clients nobody here wrote: iperf3 -Z, and nginx with
# `sendfile on` serving a static file to curl in the other namespace.
# The driver's counters show page-cache frags carrying the payload.
. /tests/sgnic.sh
setup_wire
peer iperf3 -s -1 -p 5201 >/dev/null 2>&1 &
ip3=$!
wait_for "iperf3 -c $ADDR1 -p 5201 -t 0 -n 1 >/dev/null 2>&1 || [ -d /proc/$ip3 ]" 5
sleep 1
p0=$(counter "$IF0" tx_pagecache_bytes)
n=$(bulk 32M)
iperf3 -c $ADDR1 -p 5201 -Z -n $n -J >/tmp/iperf.json || die "iperf3 -Z failed"
wait $ip3
dp=$(($(counter "$IF0" tx_pagecache_bytes) - p0))
# iperf3 3.12 -Z counts a whole block as sent whatever sendfile() took,
# so fewer bytes than -n cross the wire: 2.6-3.7 of 4 MiB on the first
# host's debug kernel, 1.04-3.3 on a faster one (9 runs, 2026-11-26, the
# same spread before and after that day's driver changes), and once 0.43
# (2026-11-27). Judge by what the server received, and by where those
# bytes came from; the floor (a few TSO frames' worth) only rules out a
# transfer that stalled.
got=$(awk '/"sum_received"/ { r = 1 } r && /"bytes"/ { gsub(/[^0-9]/, ""); print; exit }' /tmp/iperf.json)
[ -n "$got" ] && [ "$got" -ge 262144 ] || die "iperf3 -Z: the server received ${got:-nothing} (of $n)"
[ $((dp * 100)) -ge $((got * 99)) ] || die "iperf3 -Z: only $dp page-cache bytes for $got received"
echo "iperf3 -Z: $got bytes received, $dp of them sent from page-cache frags" >&2

mkdir -p /tmp/www
sgnic-test mkfile /tmp/www/blob $n --seed 35 >/dev/null
want=$(sgnic-test sha256 /tmp/www/blob --hex)
start_nginx nginx /tmp/www
p0=$(counter "$IF0" tx_pagecache_bytes)
peer curl -sf -o /tmp/blob.got http://$ADDR0:8080/blob || { kill "$(cat /tmp/nginx.pid)"; die "curl failed"; }
dp=$(($(counter "$IF0" tx_pagecache_bytes) - p0))
kill "$(cat /tmp/nginx.pid)"
got=$(sgnic-test sha256 /tmp/blob.got --hex)
[ "$got" = "$want" ] || die "nginx/curl: sha256 mismatch"
[ $((dp * 100)) -ge $((${n%M} * 1048576 * 99)) ] || die "nginx: only $dp page-cache bytes for $n"
rm -rf /tmp/www /tmp/blob.got
