#!/bin/sh
# Reconfiguration while data flows both ways: ethtool -K sg/tso/tx off and
# on, -G to the smallest and largest rings, -C to both ends of its range,
# and the MTU flipped to 9000 and back. Transfers run back to back in
# both directions (sendfile out, read()+write() in) for the whole time, each one
# checked end to end: every change succeeds and every transfer arrives
# intact.
. /tests/sgnic.sh
setup_wire
sgnic-test mkfile /tmp/t42 $(bulk 16M) --seed 42 >/dev/null
rm -f /tmp/t42.stop /tmp/t42.fwd /tmp/t42.rev

# stream NAME PORT METHOD DIRECTION: transfers of the file, each checked
# end to end (sha256), one after another until /tmp/t42.stop appears;
# then writes how many completed to /tmp/t42.NAME.
stream() {
	n=0
	while [ ! -f /tmp/t42.stop ]; do
		(PORT=$2 transfer /tmp/t42 "$3" "$4" >/dev/null) || exit 1
		n=$((n + 1))
	done
	echo $n >/tmp/t42.$1
}
stream fwd $PORT sendfile forward &
fwd=$!
stream rev $((PORT + 1)) read-write reverse &
rev=$!
sleep 1

change() {
	kill -0 $fwd 2>/dev/null || die "the forward stream failed before '$*'"
	kill -0 $rev 2>/dev/null || die "the reverse stream failed before '$*'"
	"$@" || die "during traffic: '$*' failed"
	sleep 0.3
}
for f in sg tso tx; do
	change ethtool -K "$IF0" "$f" off
	change ethtool -K "$IF0" "$f" on
done
change ethtool -G "$IF0" rx 64 tx 64
change ethtool -G "$IF0" rx 4096 tx 4096
change ethtool -G "$IF0" rx 256 tx 256
# rx-usecs 0 is no moderation; 16000 is near the 16-bit ITR limit.
change ethtool -C "$IF0" adaptive-rx off rx-usecs 0
change ethtool -C "$IF0" rx-usecs 16000
change ethtool -C "$IF0" adaptive-rx on
change ip link set "$IF0" mtu 9000
change ip link set "$IF0" mtu 1500
touch /tmp/t42.stop
wait $fwd || die "a forward transfer failed or arrived corrupted"
wait $rev || die "a reverse transfer failed or arrived corrupted"
ethtool -k "$IF0" | grep -q '^scatter-gather: on' || die "SG did not come back on"
ethtool -k "$IF0" | grep -q '^tcp-segmentation-offload: on' || die "TSO did not come back on"
echo "intact: $(cat /tmp/t42.fwd) transfers forward, $(cat /tmp/t42.rev) reverse, across every change"
rm -f /tmp/t42 /tmp/t42.stop /tmp/t42.fwd /tmp/t42.rev
