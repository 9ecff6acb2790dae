#!/bin/sh
# Frames with more page fragments than the default MAX_SKB_FRAGS (17):
# make test's kernel is built with 45, the Kconfig ceiling. MSG_ZEROCOPY
# sends of data scattered in memory in 1000-byte pieces give each TSO
# frame one fragment per piece, up to net.core.max_skb_frags. They go out
# at the default TX ring and at the smallest (where one worst-case frame's
# descriptors are all the room the queue stops at) and arrive intact, none
# dropped by the driver. The net_dev_start_xmit tracepoint counts the
# frames handed to sgnic with more than 17,000 bytes in fragments: at most
# 1000 bytes each, that is 18 fragments or more. On a kernel of 17
# fragments there must be none.
. /tests/sgnic.sh
setup_wire
frags=$(cat /proc/sys/net/core/max_skb_frags)
tr=/sys/kernel/tracing
[ -d $tr/events ] || mount -t tracefs nodev $tr 2>/dev/null
ev=$tr/events/net/net_dev_start_xmit
if [ ! -d $ev ]; then
	# The bench kernel has no tracing; there the fragments go uncounted.
	[ "$frags" = 17 ] || die "no net_dev_start_xmit tracepoint to count fragments with"
	ev=
fi
# TCP sizes TSO frames to about a millisecond of its sending rate, which
# under TCG is a few segments: make it build frames of 64 segments (so
# of as many fragments as it may), and keep BQL from stopping the queue
# before the ring fills.
bql=/sys/class/net/$IF0/queues/tx-0/byte_queue_limits/limit_min
read -r bql0 <$bql
read -r segs0 </proc/sys/net/ipv4/tcp_min_tso_segs
restore() {
	[ -n "$ev" ] && echo 0 >$ev/enable && echo 0 >$ev/filter
	echo "$bql0" >$bql
	echo "$segs0" >/proc/sys/net/ipv4/tcp_min_tso_segs
	ethtool -G "$IF0" tx 256
}
trap restore EXIT
echo 10000000 >$bql
echo 64 >/proc/sys/net/ipv4/tcp_min_tso_segs
if [ -n "$ev" ]; then
	echo "name == \"$IF0\" && data_len > 17000" >$ev/filter || die "cannot set the tracepoint filter"
	echo >$tr/trace
	echo 1 >$ev/enable
fi

sgnic-test mkfile /tmp/t39 $(bulk 16M) --seed 39 >/dev/null
tso0=$(counter "$IF0" tx_tso_frames) dropped0=$(counter "$IF0" tx_dropped) stops0=$(counter "$IF0" tx_stops)
for ring in 256 64; do
	ethtool -G "$IF0" tx $ring || die "ethtool -G tx $ring failed"
	wait_for "ping -c 1 -W 1 $ADDR1" 10 || die "no traffic at TX ring $ring"
	transfer /tmp/t39 zerocopy forward --scatter 1000 >/dev/null
done
tso=$(($(counter "$IF0" tx_tso_frames) - tso0))
[ "$tso" -gt 0 ] || die "no frame went out with TSO"
dropped=$(($(counter "$IF0" tx_dropped) - dropped0))
[ "$dropped" = 0 ] || die "$dropped frames dropped on transmit"
stops=$(($(counter "$IF0" tx_stops) - stops0))
if [ -z "$ev" ]; then
	echo "max_skb_frags 17 (no tracing to count fragments with): $tso TSO frames intact at TX rings of 256 and the smallest; the queue stopped $stops times"
	rm -f /tmp/t39
	exit 0
fi
echo 0 >$ev/enable
many=$(grep -c 'net_dev_start_xmit:' $tr/trace)
if [ "$frags" -gt 17 ]; then
	[ "$many" -gt 0 ] || die "no frame with more than 17 fragments reached sgnic (max_skb_frags $frags)"
else
	[ "$many" = 0 ] || die "$many frames with more than 17 fragments on a kernel of $frags"
fi
rm -f /tmp/t39
echo "max_skb_frags $frags: $many of $tso TSO frames carried 18 or more fragments, intact at TX rings of 256 and the smallest; the queue stopped $stops times"
