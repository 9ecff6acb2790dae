#!/bin/sh
# TX copybreak (TX_COPYBREAK in rust/driver/tx.rs): a frame of at most 256
# bytes with no page-cache bytes is copied into the ring's own coherent
# buffer rather than mapped; a longer one, or one with page-cache bytes at
# any length, is mapped. On either family:
# - raw frames of 60, 214 and 256 bytes move tx_copied_bytes by exactly
#   their bytes and tx_head_bytes not at all, 257 and 600 bytes the
#   reverse; every frame arrives at the peer at its length, its payload
#   intact;
# - TCP request/response at payloads each side of the boundary, over IPv4
#   and IPv6 (headers of 66 and 86 bytes): the client compares every
#   response with its request, and the receiving stack checks every
#   segment's checksum, which the device filled in;
# - a sendfile of a 100-byte file: its bytes go out from the page cache,
#   mapped, not copied.
. /tests/sgnic.sh
setup_wire
wire_ipv6
MAC1=52:54:00:12:34:02

# stats NAME...: the named counters of port 0, from one snapshot.
stats() {
	_s=$(sgnic-test ethtool-stats "$IF0") || die "cannot read $IF0's counters"
	for _n; do printf '%s ' "$(json_field "$_s" "$_n")"; done
}

# raw LEN copied|mapped: 20 frames of LEN bytes, header included.
raw() {
	len=$1 how=$2 n=20
	rm -f /tmp/raw.ready
	peer sgnic-test raw-recv --iface "$IF1" --seconds 30 --count $n --ready-file /tmp/raw.ready \
		>/tmp/raw.json &
	rp=$!
	wait_for "[ -f /tmp/raw.ready ]" 10 || die "raw receiver did not start"
	set -- $(stats tx_packets tx_copied_bytes tx_head_bytes)
	p0=$1 c0=$2 h0=$3
	sgnic-test raw-send --iface "$IF0" --dst $MAC1 --count $n --size $((len - 14)) >/dev/null ||
		die "cannot send $len-byte frames"
	wait $rp || die "raw receiver failed"
	wait_for "[ \$((\$(counter $IF0 tx_packets) - $p0)) -ge $n ]" 5 || die "$len-byte frames not completed"
	set -- $(stats tx_packets tx_copied_bytes tx_head_bytes)
	dp=$(($1 - p0)) dc=$(($2 - c0)) dh=$(($3 - h0))
	got=$(cat /tmp/raw.json)
	[ "$(json_field "$got" received)" = $n ] || die "$len-byte frames: $(json_field "$got" received) of $n arrived"
	[ "$(json_field "$got" patterned)" = $n ] ||
		die "$len-byte frames: only $(json_field "$got" patterned) of $n arrived intact"
	for l in $(json_field "$got" lengths); do
		[ "$l" = "$len" ] || die "a $len-byte frame arrived as $l bytes"
	done
	want=$((n * len))
	if [ $how = copied ]; then moved=$dc other=$dh; else moved=$dh other=$dc; fi
	echo "$len bytes: copied $dc, head $dh, $dp frames" >&2
	# Other traffic (IPv6 housekeeping) may interleave: allow only whole
	# extra frames, and demand exact counts when there were none.
	[ "$dp" -ge $n ] && [ "$moved" -ge $want ] || die "$len-byte frames ($how): copied $dc head $dh bytes"
	if [ "$dp" -eq $n ]; then
		[ "$moved" -eq $want ] && [ "$other" -eq 0 ] ||
			die "$n $len-byte frames ($how) counted copied $dc, head $dh bytes"
	fi
}

raw 60 copied
raw 214 copied
raw 256 copied
raw 257 mapped
raw 600 mapped

# rr ADDR SIZE copied|mapped: 50 request/response transactions of SIZE
# bytes each way.
rr() {
	rm -f /tmp/t49-rr.ready
	peer sgnic-test rr-server --bind :: --port 5302 --ready-file /tmp/t49-rr.ready >/dev/null &
	sp=$!
	wait_for "[ -f /tmp/t49-rr.ready ]" 10 || die "rr server did not start"
	rm -f /tmp/t49-rr.ready
	set -- "$@" $(stats tx_copied_bytes tx_head_bytes tx_frag_bytes)
	sgnic-test rr --to "$1:5302" --count 50 --size "$2" >/dev/null || die "rr of $2 bytes to $1 failed"
	wait $sp || die "rr server failed"
	set -- "$@" $(stats tx_copied_bytes tx_head_bytes tx_frag_bytes)
	dc=$(($7 - $4)) dm=$(($8 + $9 - $5 - $6))
	echo "rr $2 bytes to $1: copied $dc, mapped $dm" >&2
	# Each request is one segment of SIZE payload bytes (TCP_NODELAY),
	# plus the 66 or 86 bytes of headers.
	case $1 in *:*) hdr=86 ;; *) hdr=66 ;; esac
	want=$((50 * ($2 + hdr)))
	if [ "$3" = copied ]; then
		[ "$dc" -ge $want ] || die "rr of $2 bytes to $1: only $dc bytes copied, want $want"
	else
		[ "$dm" -ge $want ] || die "rr of $2 bytes to $1: only $dm bytes mapped, want $want"
	fi
}

rr "$ADDR1" 1 copied
rr "$ADDR1" 190 copied
rr "$ADDR1" 191 mapped
rr "[$ADDR1_6]" 170 copied
rr "[$ADDR1_6]" 171 mapped

# Page-cache bytes are never copied, however short the frame.
sgnic-test mkfile /tmp/t49 100 --seed 49 >/dev/null
for attempt in 1 2 3; do
	r0=$(retransmits)
	set -- $(stats tx_pagecache_bytes)
	transfer /tmp/t49 sendfile forward >/dev/null
	[ "$(retransmits)" = "$r0" ] || continue
	set -- "$@" $(stats tx_pagecache_bytes)
	[ $(($2 - $1)) -eq 100 ] || die "a 100-byte sendfile moved tx_pagecache_bytes by $(($2 - $1))"
	break
done
[ "$attempt" -le 3 ] || die "TCP retransmitted in every attempt"
rm -f /tmp/t49
