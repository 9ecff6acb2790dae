#!/bin/sh
# Header layouts the context descriptor cannot describe are never
# offloaded wrongly, and never crash the kernel: an unprivileged process
# sends with IPv4 options (0-40 bytes) and with IPv6 routing headers of
# 24-1024 bytes (the TCP checksum offset crosses the descriptor's one-byte
# fields between 184 and 192 bytes), with TSO on and off. Every transfer
# arrives intact (sha256), with no retransmit storm. IPv4 with options
# still uses TSO.
. /tests/sgnic.sh
setup_wire
# The peer accepts segment routing headers (only the last, reached
# segment: they route nowhere else).
peer sh -c "echo 1 >/proc/sys/net/ipv6/conf/all/seg6_enabled && echo 1 >/proc/sys/net/ipv6/conf/$IF1/seg6_enabled" ||
	die "cannot enable segment routing on the peer"
# IPv4 option lengths and IPv6 routing-header lengths. The debug kernel
# sends each transfer about ten times slower, so there only the ends and
# the lengths around the descriptor's limits are tried, with a smaller
# file (still about 180 segments, every one of which a wrong descriptor
# would corrupt).
size=1M
options="0 4 8 20 40"
rthdrs="0 24 64 128 168 176 184 192 200 232 240 248 256 264 512 1024"
if debug_kernel; then
	size=256K
	options="0 40"
	rthdrs="0 176 184 192 1024"
fi
sgnic-test mkfile /tmp/t37 $size --seed 37 >/dev/null
chmod 644 /tmp/t37
NOBODY=65534

# send_checked WHAT ARGS...: one transfer (sha256-checked by `transfer`);
# fails if TCP had to retransmit much of it. A descriptor built from
# truncated offsets corrupts every segment, so the peer drops them all and
# the transfer (about 730 segments of 1 MiB) retransmits hundreds; under
# TCG a few retransmits from receive overruns are normal.
worst=0 total=0 sent=0
send_checked() { # send_checked WHAT ADDR SEND-ARGS...
	what=$1 to=$2
	shift 2
	r0=$(retransmits)
	(ADDR1=$to && transfer /tmp/t37 sendfile forward "$@" >/dev/null) || die "$what: transfer failed"
	r=$(($(retransmits) - r0))
	total=$((total + r)) sent=$((sent + 1))
	[ "$r" -gt "$worst" ] && worst=$r
	[ "$r" -le 100 ] || die "$what: $r retransmits for $size"
}

for tso in on off; do
	ethtool -K "$IF0" tso $tso || die "ethtool -K tso $tso failed"
	for opt in $options; do
		args="--as-user $NOBODY"
		[ "$opt" -gt 0 ] && args="$args --ip-options $opt"
		t0=$(counter "$IF0" tx_tso_frames)
		# shellcheck disable=SC2086
		send_checked "IPv4, $opt bytes of options, TSO $tso" "$ADDR1" $args
		t1=$(counter "$IF0" tx_tso_frames)
		if [ $tso = on ] && [ "$t1" -le "$t0" ]; then
			die "IPv4 with $opt bytes of options: no TSO frames"
		fi
	done
	for ext in $rthdrs; do
		args="--as-user $NOBODY"
		[ "$ext" -gt 0 ] && args="$args --ipv6-rthdr $ext"
		# shellcheck disable=SC2086
		send_checked "IPv6, $ext-byte routing header, TSO $tso" "[$ADDR1_6]" $args
	done
done
ethtool -K "$IF0" tso on
echo "$sent transfers, $total retransmits, at most $worst in one" >&2
rm -f /tmp/t37
