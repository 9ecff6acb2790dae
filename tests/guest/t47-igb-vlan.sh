#!/bin/sh
# The 82576's 802.1Q tag offloads (SGNIC_NIC_MODEL=igb): both on at
# registration; VLANs 5 and 7 over the wire (10.0.5.0/24, 10.0.7.0/24),
# the peer's port offloading as it comes. With both on, port 0 sends
# tagged frames by the device (tx_vlan_tagged) and gets tags stripped by
# it (rx_vlan_stripped); with `ethtool -K txvlan off` the stack tags in
# software and the device inserts none; with `rxvlan off` the device
# strips none and the stack untags. Each phase: ping and a TCP transfer
# each way, data verified. Then transfers on both VLANs at once (frames
# with either tag interleaved, so the cached TX context must follow the
# tag) while rxvlan and txvlan flip; untagged traffic alongside. VLAN
# filtering: the VFTA holds the VLANs added, and the device drops frames
# of another (VLAN 9) unless the filter is off, the port promiscuous, or
# VLAN 9 added. The 8254x family offers no VLAN offload: skipped there.
. /tests/sgnic.sh
if [ "$IGB" != 1 ]; then
	echo "not an 82576 VM (SGNIC_NIC_MODEL=igb): sgnic's 8254x family offers no VLAN offload" >&2
	exit 77
fi
setup_wire
ethtool -k "$IF0" | grep -q '^rx-vlan-offload: on' || die "rx-vlan-offload is not on at registration"
ethtool -k "$IF0" | grep -q '^tx-vlan-offload: on' || die "tx-vlan-offload is not on at registration"

cleanup() {
	ethtool -K "$IF0" rxvlan on txvlan on rx-vlan-filter on 2>/dev/null
	ip link set "$IF0" promisc off 2>/dev/null
	ip link del vl9 2>/dev/null
	peer ip link del vl9 2>/dev/null
	ip link del vl5 2>/dev/null
	ip link del vl7 2>/dev/null
	peer ip link del vl5 2>/dev/null
	peer ip link del vl7 2>/dev/null
	rm -f /tmp/t47 /tmp/t47.*
}
trap cleanup EXIT
if ! ip link add link "$IF0" name vl5 type vlan id 5 2>/tmp/t47.err; then
	[ -e /proc/net/vlan ] || { echo "the guest kernel has no 802.1Q support (CONFIG_VLAN_8021Q)" >&2; exit 77; }
	die "cannot add VLAN 5 on $IF0: $(cat /tmp/t47.err)"
fi
ip -batch - <<-EOF || die "cannot configure the VLANs on $IF0"
	link add link $IF0 name vl7 type vlan id 7
	addr add 10.0.5.1/24 dev vl5
	addr add 10.0.7.1/24 dev vl7
	link set vl5 up
	link set vl7 up
EOF
peer ip -batch - <<-EOF || die "cannot configure the VLANs on the peer's $IF1"
	link add link $IF1 name vl5 type vlan id 5
	link add link $IF1 name vl7 type vlan id 7
	addr add 10.0.5.2/24 dev vl5
	addr add 10.0.7.2/24 dev vl7
	link set vl5 up
	link set vl7 up
EOF
wait_for "ping -c 1 -W 1 10.0.5.2" 15 || die "no connectivity on VLAN 5"
wait_for "ping -c 1 -W 1 10.0.7.2" 15 || die "no connectivity on VLAN 7"
sgnic-test mkfile /tmp/t47 $(bulk 4M) --seed 47 >/dev/null

# vlan_counts(): "tagged stripped" on $IF0 so far.
vlan_counts() { echo "$(counter "$IF0" tx_vlan_tagged) $(counter "$IF0" rx_vlan_stripped)"; }

# phase NAME: ping both VLANs, a transfer each way on VLAN 5 (data
# checked by `transfer`); sets TAGGED and STRIPPED to what $IF0's device
# did meanwhile. The counters are read after a pause, so that frames
# handled before a feature change are not counted after it.
phase() {
	name=$1
	nap 0.5
	set -- $(vlan_counts)
	ping -c 3 -W 2 10.0.5.2 >/dev/null || die "$name: ping on VLAN 5 failed"
	ping -c 3 -W 2 10.0.7.2 >/dev/null || die "$name: ping on VLAN 7 failed"
	(ADDR1=10.0.5.2; transfer /tmp/t47 sendfile forward >/dev/null) || die "$name: transfer to the peer on VLAN 5 failed"
	(ADDR0=10.0.5.1; transfer /tmp/t47 read-write reverse >/dev/null) || die "$name: transfer from the peer on VLAN 5 failed"
	set -- $(vlan_counts) "$@"
	TAGGED=$(($1 - $3)) STRIPPED=$(($2 - $4))
}

phase "both on"
[ "$TAGGED" -ge 20 ] || die "both on: only $TAGGED frames tagged by the device"
[ "$STRIPPED" -ge 100 ] || die "both on: only $STRIPPED frames stripped by the device"
result="both on: $TAGGED tagged, $STRIPPED stripped"

ethtool -K "$IF0" txvlan off || die "cannot turn txvlan off"
ethtool -k "$IF0" | grep -q '^tx-vlan-offload: off' || die "tx-vlan-offload still on"
ethtool -k "$IF0" | grep -q '^rx-vlan-offload: on' || die "txvlan off turned rx-vlan-offload off too"
phase "txvlan off"
[ "$TAGGED" -eq 0 ] || die "txvlan off: $TAGGED frames tagged by the device"
[ "$STRIPPED" -ge 100 ] || die "txvlan off: only $STRIPPED frames stripped by the device"
result="$result; txvlan off: 0 tagged, $STRIPPED stripped"

ethtool -K "$IF0" txvlan on rxvlan off || die "cannot turn txvlan on and rxvlan off"
ethtool -k "$IF0" | grep -q '^rx-vlan-offload: off' || die "rx-vlan-offload still on"
phase "rxvlan off"
[ "$TAGGED" -ge 20 ] || die "rxvlan off: only $TAGGED frames tagged by the device"
[ "$STRIPPED" -eq 0 ] || die "rxvlan off: $STRIPPED frames stripped by the device"
result="$result; rxvlan off: $TAGGED tagged, 0 stripped"

ethtool -K "$IF0" rxvlan on || die "cannot turn rxvlan back on"
phase "both on again"
[ "$TAGGED" -ge 20 ] && [ "$STRIPPED" -ge 100 ] ||
	die "both on again: $TAGGED tagged, $STRIPPED stripped by the device"

# VLAN filtering (rx-vlan-filter, on at registration): the device takes
# tagged frames only of the VLANs added (5, 7, and 0 for priority tags),
# whose bits are set in the VFTA; frames the peer sends on VLAN 9 are
# dropped by the device, until the filter goes off (ethtool -K
# rx-vlan-filter off) or the port turns promiscuous.
ethtool -k "$IF0" | grep -q '^rx-vlan-filter: on' || die "rx-vlan-filter is not on at registration"
pci0=$(basename "$(readlink -f /sys/class/net/$IF0/device)")
vfta_has() {
	_r=$(sgnic-test bar-read "$pci0" $((0x5600 + 4 * ($1 >> 5)))) || die "cannot read the VFTA of $pci0"
	_w=$(json_field "$_r" value)
	[ $(((_w >> ($1 & 31)) & 1)) = 1 ]
}
vfta_has 0 || die "VLAN 0 (priority tags) is not in the VFTA"
vfta_has 5 && vfta_has 7 || die "VLANs 5 and 7 are not in the VFTA"
! vfta_has 9 || die "VLAN 9 is in the VFTA before anything added it"
peer ip link add link "$IF1" name vl9 type vlan id 9 && peer ip link set vl9 up ||
	die "cannot add VLAN 9 on the peer"
# vl9_send: the peer broadcasts 40 frames on VLAN 9; vl9_arrived: how
# many frames $IF0 received since: after WAIT seconds at most for all 40,
# or with WAIT 0 after half a second (when none should come).
vl9_send() {
	VL9_BEFORE=$(cat /sys/class/net/$IF0/statistics/rx_packets)
	peer sgnic-test raw-send --iface vl9 --dst ff:ff:ff:ff:ff:ff --count 40 --gap-us 500 >/dev/null ||
		die "raw-send on the peer's VLAN 9 failed"
}
vl9_arrived() {
	[ "$1" = 0 ] && nap 0.5 ||
		wait_for "[ \$((\$(cat /sys/class/net/$IF0/statistics/rx_packets) - VL9_BEFORE)) -ge 40 ]" "$1" || :
	echo $(($(cat /sys/class/net/$IF0/statistics/rx_packets) - VL9_BEFORE))
}
vl9_send
filtered=$(vl9_arrived 0)
[ "$filtered" -lt 10 ] || die "filter on: $filtered of 40 frames of VLAN 9 got through"
ethtool -K "$IF0" rx-vlan-filter off || die "cannot turn rx-vlan-filter off"
vl9_send
n=$(vl9_arrived 5)
[ "$n" -ge 40 ] || die "filter off: only $n of 40 frames of VLAN 9 arrived"
ethtool -K "$IF0" rx-vlan-filter on || die "cannot turn rx-vlan-filter on again"
ip link set "$IF0" promisc on
vl9_send
n=$(vl9_arrived 5)
ip link set "$IF0" promisc off
[ "$n" -ge 40 ] || die "promiscuous: only $n of 40 frames of VLAN 9 arrived"
vl9_send
n=$(vl9_arrived 0)
[ "$n" -lt 10 ] || die "filter on after promiscuous: $n of 40 frames of VLAN 9 got through"
ip link add link "$IF0" name vl9 type vlan id 9 || die "cannot add VLAN 9 on $IF0"
vfta_has 9 || die "VLAN 9 is not in the VFTA once its device exists"
vl9_send
n=$(vl9_arrived 5)
[ "$n" -ge 40 ] || die "VLAN 9 added: only $n of 40 frames arrived"
ip link del vl9
! vfta_has 9 || die "VLAN 9 is still in the VFTA after its device went"
peer ip link del vl9
# The table survives the device reset of a down and up.
ip link set "$IF0" down
ip link set "$IF0" up
wait_for "[ \"\$(cat /sys/class/net/$IF0/carrier)\" = 1 ]" 10 || die "no link after down and up"
vfta_has 0 && vfta_has 5 && vfta_has 7 || die "the VFTA lost VLANs across a down and up"
wait_for "ping -c 1 -W 1 10.0.5.2" 15 || die "no connectivity on VLAN 5 after a down and up"
result="$result; VLAN 9 filtered by the device ($filtered of 40 through), passed with the filter off, promiscuous, or VLAN 9 added; the VFTA kept across a down and up"

# Both VLANs and the untagged wire at once, each way on VLAN 5, while the
# offloads flip: every transfer arrives intact.
# send_bg NAME WHERE ADDR PORT: a transfer of /tmp/t47 to ADDR:PORT, from
# here or from the peer, into the receiver started for PORT; its JSON
# line goes to /tmp/t47.NAME.
send_bg() {
	if [ "$2" = here ]; then
		start_receiver peer "$4" 1
		sgnic-test send --to "$3:$4" --file /tmp/t47 --method sendfile >/tmp/t47.$1 &
	else
		start_receiver local "$4" 1
		peer sgnic-test send --to "$3:$4" --file /tmp/t47 --method read-write >/tmp/t47.$1 &
	fi
	eval "SEND_$1=\$! RECV_$1=\$RECV_PID PORT_$1=$4"
}
# check_bg NAME: waits for it; the receiver must have got every byte.
check_bg() {
	eval "s=\$SEND_$1 r=\$RECV_$1 p=\$PORT_$1"
	wait "$s" || die "transfer $1 failed"
	wait "$r" || die "receiver of $1 failed"
	got=
	while read -r _line; do
		case $_line in *'"sha256"'*) got=$_line ;; esac
	done <"/tmp/recv.$p.json"
	read -r sent </tmp/t47.$1
	[ "$(json_field "$got" sha256)" = "$(json_field "$sent" sha256)" ] || die "transfer $1 arrived corrupted"
}
send_bg v5out here 10.0.5.2 $PORT
send_bg v7out here 10.0.7.2 $((PORT + 1))
send_bg v5in peer 10.0.5.1 $((PORT + 2))
send_bg plain here $ADDR1 $((PORT + 3))
for f in rxvlan txvlan rxvlan txvlan; do
	nap 0.3
	ethtool -K "$IF0" $f off || die "during traffic: $f off failed"
	nap 0.3
	ethtool -K "$IF0" $f on || die "during traffic: $f on failed"
done
for t in v5out v7out v5in plain; do check_bg $t; done
ping -c 2 -W 2 $ADDR1 >/dev/null || die "untagged ping failed"
echo "$result; 4 concurrent transfers intact (VLAN 5 both ways, VLAN 7, untagged) across rxvlan/txvlan flips"
