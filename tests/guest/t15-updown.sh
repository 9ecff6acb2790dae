#!/bin/sh
# ifdown/ifup 50 times (10 on the debug kernel); the link and traffic
# work afterwards.
. /tests/sgnic.sh
setup_wire
for i in $(seq 1 "$(cycles 50)"); do
	ip link set "$IF0" down || die "down $i"
	ip link set "$IF0" up || die "up $i"
done
wait_for "ping -c 1 -W 1 $ADDR1" 20 || die "no traffic after $(cycles 50) down/up cycles"
