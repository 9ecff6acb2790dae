#!/bin/sh
# Captures the wire (QEMU filter-dump, started from the guest through
# sgnic-link) while 8 MiB go out with TSO and checksum offload over IPv4,
# then 8 MiB over IPv6; the host harness then checks every TCP segment's
# checksum and frame length, and every IPv6 payload length.
. /tests/sgnic.sh
setup_wire
wire_ipv6
ip link set "$IF0" mtu 1500
ethtool -K "$IF0" sg on tx on tso on
sgnic-test mkfile /tmp/t36 8M --seed 36 >/dev/null
sgnic-link pcap start || die "host refused to start the capture"
t0=$(counter "$IF0" tx_tso_frames)
transfer /tmp/t36 sendfile forward >/dev/null
ADDR1=[$ADDR1_6] transfer /tmp/t36 sendfile forward >/dev/null
sgnic-link pcap stop || die "host refused to stop the capture"
[ "$(counter "$IF0" tx_tso_frames)" -gt "$t0" ] || die "no TSO frames in the captured transfer"
rm -f /tmp/t36
