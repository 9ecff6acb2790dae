#!/bin/sh
# Jumbo frames: MTU 9000 on both ports, a 16 MiB transfer each way, and
# frames of nearly 9000 bytes on the wire (large pings unfragmented); the
# family's largest MTU accepted and one more refused (16110 on the 8254x,
# 9190 on the 82576, as the C drivers set them).
. /tests/sgnic.sh
setup_wire
ip link set "$IF0" mtu 9000 || die "mtu 9000 on $IF0"
peer ip link set "$IF1" mtu 9000 || die "mtu 9000 on $IF1"
wait_for "ping -c 1 -W 1 $ADDR1" 15 || die "no connectivity after MTU change"
ping -c 2 -W 2 -M do -s 8972 $ADDR1 >/dev/null 2>&1 ||
	ping -c 2 -W 2 -s 8972 $ADDR1 >/dev/null || die "8972-byte ping failed"
sgnic-test mkfile /tmp/t12 $(bulk 16M) --seed 12 >/dev/null
transfer /tmp/t12 sendfile forward >/dev/null
transfer /tmp/t12 read-write reverse >/dev/null
if [ "$IGB" = 1 ]; then max=9190; else max=16110; fi
ip link set "$IF0" mtu $max || die "MTU $max (jumbo maximum) refused"
if ip link set "$IF0" mtu $((max + 1)) 2>/dev/null; then die "MTU $((max + 1)) accepted"; fi
ip link set "$IF0" mtu 1500; peer ip link set "$IF1" mtu 1500
rm -f /tmp/t12
