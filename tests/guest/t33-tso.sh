#!/bin/sh
# TSO on produces TSO frames (IPv4 and IPv6); TSO off produces none. Both
# deliver correct data.
. /tests/sgnic.sh
setup_wire
sgnic-test mkfile /tmp/t33 $(bulk 16M) --seed 33 >/dev/null
ethtool -K "$IF0" tso on
t0=$(counter "$IF0" tx_tso_frames)
transfer /tmp/t33 sendfile forward >/dev/null
t1=$(counter "$IF0" tx_tso_frames)
[ "$t1" -gt "$t0" ] || die "TSO on: no TSO frames"
out=$(ADDR1=[$ADDR1_6] transfer /tmp/t33 sendfile forward)
t2=$(counter "$IF0" tx_tso_frames)
[ "$t2" -gt "$t1" ] || die "TSO on, IPv6: no TSO frames"
ethtool -K "$IF0" tso off || die "ethtool -K tso off failed"
transfer /tmp/t33 sendfile forward >/dev/null
t3=$(counter "$IF0" tx_tso_frames)
[ "$t3" -eq "$t2" ] || die "TSO off: $((t3 - t2)) TSO frames"
ethtool -K "$IF0" tso on
rm -f /tmp/t33
