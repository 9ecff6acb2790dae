#!/bin/sh
# Receive filter: a joined multicast group is received and a group that is
# not joined is filtered by the NIC (MTA); promiscuous mode receives frames
# for another station's MAC, and without it they are dropped by the NIC.
. /tests/sgnic.sh
setup_wire
# 239.1.2.3 and 239.1.2.4 map to different MTA bits (01:00:5e:01:02:03/04).
mc_before=$(peer_counter "$IF1" rx_multicast)
rm -f /tmp/mc.ready
peer sgnic-test mcast-recv --group 239.1.2.3 --port 6000 --iface-addr $ADDR1 --seconds 4 \
	--ready-file /tmp/mc.ready >/tmp/mc.json &
rp=$!
wait_for "[ -f /tmp/mc.ready ]" 10 || die "multicast receiver did not start"
sgnic-test mcast-send --group 239.1.2.3 --port 6000 --iface-addr $ADDR0 --count 20 >/dev/null
wait $rp
got=$(json_field "$(cat /tmp/mc.json)" received)
[ "$got" -ge 18 ] || die "joined group received $got of 20"
mid=$(peer_counter "$IF1" rx_multicast)
sgnic-test mcast-send --group 239.1.2.4 --port 6000 --iface-addr $ADDR0 --count 20 >/dev/null
sleep 1
after=$(peer_counter "$IF1" rx_multicast)
[ $((after - mid)) -le 2 ] || die "NIC passed $((after - mid)) frames for a group not joined"
[ $((mid - mc_before)) -ge 18 ] || die "rx_multicast counted $((mid - mc_before)) joined-group frames"

# Unicast to a MAC nobody owns: dropped by the NIC unless promiscuous.
# foreign_frames_received: send 20 such frames, print how many the peer got.
foreign_frames_received() {
	rm -f /tmp/raw.ready
	peer sgnic-test raw-recv --iface "$IF1" --seconds 3 --ready-file /tmp/raw.ready >/tmp/raw.json &
	rp=$!
	wait_for "[ -f /tmp/raw.ready ]" 10 || die "raw receiver did not start"
	sgnic-test raw-send --iface "$IF0" --dst 02:00:00:00:be:ef --count 20 >/dev/null
	wait $rp
	json_field "$(cat /tmp/raw.json)" received
}
got=$(foreign_frames_received)
[ "$got" -eq 0 ] || die "$got frames for a foreign MAC got through without promiscuous mode"
peer ip link set "$IF1" promisc on
got=$(foreign_frames_received)
peer ip link set "$IF1" promisc off
[ "$got" -ge 18 ] || die "promiscuous port received $got of 20 foreign frames"
