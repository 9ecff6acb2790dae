#!/bin/sh
# ICMP across the emulated wire in both directions, IPv4 and IPv6.
. /tests/sgnic.sh
setup_wire
ping -c 3 -W 2 $ADDR1 >/dev/null || die "ping $ADDR1 failed"
peer ping -c 3 -W 2 $ADDR0 >/dev/null || die "reverse ping $ADDR0 failed"
ping -c 3 -W 2 $ADDR1_6 >/dev/null || die "ping $ADDR1_6 failed"
peer ping -c 3 -W 2 $ADDR0_6 >/dev/null || die "reverse ping $ADDR0_6 failed"
