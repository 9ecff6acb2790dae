#!/bin/sh
# The proof counters are exact: a known number of bytes sent gives exactly
# that many page-cache bytes (when TCP retransmitted nothing), and raw
# frames of a known size move tx_packets/tx_bytes/tx_head_bytes exactly
# (frames longer than the 256-byte TX copybreak, which are mapped; t49
# counts the copied ones).
. /tests/sgnic.sh
setup_wire
retrans() { awk '/^Tcp:/ { if (h) print $13; h=1 }' /proc/net/snmp; }
n=1048583
sgnic-test mkfile /tmp/t31 $n --seed 31 >/dev/null
for attempt in 1 2 3; do
	r0=$(retrans)
	p0=$(counter "$IF0" tx_pagecache_bytes)
	f0=$(counter "$IF0" tx_frag_bytes)
	transfer /tmp/t31 sendfile forward >/dev/null
	[ "$(retrans)" = "$r0" ] || continue
	dp=$(($(counter "$IF0" tx_pagecache_bytes) - p0))
	df=$(($(counter "$IF0" tx_frag_bytes) - f0))
	[ "$dp" -eq $n ] || die "sent $n file bytes, tx_pagecache_bytes moved by $dp"
	[ "$df" -eq $n ] || die "sent $n file bytes, tx_frag_bytes moved by $df"
	break
done
[ "$attempt" -le 3 ] || die "TCP retransmitted in every attempt"
# Raw frames: 20 x (14-byte header + 400 bytes), linear, no padding.
# Each snapshot is one read of all counters: a frame completing between
# two separate reads (an IPv6 router solicitation, 70 bytes, was seen)
# would show in the bytes but not in the packets.
s0=$(sgnic-test ethtool-stats "$IF0") || die "cannot read $IF0's counters"
p0=$(json_field "$s0" tx_packets) b0=$(json_field "$s0" tx_bytes) h0=$(json_field "$s0" tx_head_bytes)
sgnic-test raw-send --iface "$IF0" --dst 02:00:00:00:00:02 --count 20 --size 400 >/dev/null
wait_for "[ \$((\$(counter $IF0 tx_packets) - $p0)) -ge 20 ]" 5 || die "raw frames not completed"
sleep 0.5
s1=$(sgnic-test ethtool-stats "$IF0") || die "cannot read $IF0's counters"
dp=$(($(json_field "$s1" tx_packets) - p0))
db=$(($(json_field "$s1" tx_bytes) - b0))
dh=$(($(json_field "$s1" tx_head_bytes) - h0))
# Other traffic (IPv6 housekeeping) may interleave: allow only whole extra frames.
[ "$dp" -ge 20 ] && [ "$db" -ge 8280 ] && [ "$dh" -ge 8280 ] || die "raw frames: packets $dp bytes $db head $dh"
if [ "$dp" -eq 20 ]; then
	[ "$db" -eq 8280 ] || die "20 frames of 414 bytes counted as $db bytes"
	[ "$dh" -eq 8280 ] || die "20 linear frames counted $dh head bytes"
fi
rm -f /tmp/t31
