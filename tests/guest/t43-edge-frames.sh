#!/bin/sh
# Edge and malformed frames from the wire, sent from a raw socket on the
# peer (MTU 9000, so it can send anything): each size three times, then a
# good 114-byte frame. The receiver (sgnic, port 0) must deliver exactly
# the frames it can hold, at their exact length and in order, drop the
# rest, count each dropped frame once (ethtool -S and ip -s link length
# errors), and never lose the good frame behind a bad one.
#
# Port 0 at MTU 1500 (long packets off, 1522-byte buffers):
#   runt (15 bytes: padded to 60 by the sender), 60, 1514 and 1518 arrive;
#   1519, 1522 and 9014 exceed what the MAC stores with LPE off (1518
#   without FCS) and are dropped by the device (rx_oversize).
# Port 0 at MTU 4000 (long packets on, 4096-byte buffers):
#   4014 and 4096 arrive; 4097 and 9014 span two or three descriptors and
#   are dropped by the driver (rx_multi_descriptor), once per frame.
# Frames with error bits cannot come from QEMU's e1000 (it sets none), so
# that class is covered by the RX state machine's host tests (rust/hw/rx.rs).
#
# On the 82576 (SGNIC_NIC_MODEL=igb) long packets are always on, with
# RLPML at MTU + 26 (as the C igb driver sets it) and buffers of that
# rounded up to a KiB, so the device takes frames up to MTU + 22 bytes
# (FCS stripped) and drops longer ones itself; QEMU's model counts those
# drops nowhere outside VMDq mode, so only delivery is checked there:
#   MTU 1500: runt, 60, 1514, 1518 and 1522 arrive; 1523 and 9014 do not;
#   MTU 4000: 4014 and 4022 arrive; 4023 and 9014 do not.
. /tests/sgnic.sh
setup_wire
MAC0=52:54:00:12:34:01
GOOD=100
peer ip link set "$IF1" mtu 9000 || die "cannot set the peer's MTU to 9000"

length_errors() {
	ip -s -s -j link show "$IF0" | sed -n 's/.*"rx":{[^}]*"length_errors":\([0-9]*\).*/\1/p'
}

# phase MTU COUNTER ACCEPTED DROPPED: frame lengths (header included)
# that must arrive and that must be dropped and counted in COUNTER (- for
# drops the device does not count).
phase() {
	mtu=$1 ctr=$2 accepted=$3 dropped=$4
	ip link set "$IF0" mtu "$mtu" || die "cannot set MTU $mtu"
	wait_for "ping -c 1 -W 1 $ADDR1" 15 || die "MTU $mtu: no connectivity"
	expect="" sizes="" n=0
	for len in $accepted $dropped; do sizes="$sizes $len"; done
	for len in $sizes; do
		got_len=$len
		[ "$len" -lt 60 ] && got_len=60
		case " $accepted " in *" $len "*) expect="$expect $got_len $got_len $got_len" n=$((n + 3)) ;; esac
		expect="$expect $((GOOD + 14))" n=$((n + 1))
	done
	c0=0 l0=$(length_errors)
	[ "$ctr" = - ] || c0=$(counter "$IF0" "$ctr")
	[ -n "$l0" ] || die "ip -s -s -j link shows no length errors"
	rm -f /tmp/raw.ready
	sgnic-test raw-recv --iface "$IF0" --seconds 60 --count "$n" --ready-file /tmp/raw.ready >/tmp/raw.json &
	rp=$!
	wait_for "[ -f /tmp/raw.ready ]" 10 || die "raw receiver did not start"
	for len in $sizes; do
		peer sgnic-test raw-send --iface "$IF1" --dst $MAC0 --count 3 --size $((len - 14)) >/dev/null ||
			die "the peer cannot send $len-byte frames"
		peer sgnic-test raw-send --iface "$IF1" --dst $MAC0 --count 1 --size $GOOD >/dev/null
	done
	wait $rp
	got=$(json_field "$(cat /tmp/raw.json)" lengths)
	# shellcheck disable=SC2086
	[ "$(echo $got)" = "$(echo $expect)" ] ||
		die "MTU $mtu: received lengths [$got], expected [$(echo $expect)]"
	ndropped=$(($(echo $dropped | wc -w) * 3))
	if [ "$ctr" = - ]; then
		echo "MTU $mtu: received [$(echo $got)]; $ndropped dropped by the device"
		return 0
	fi
	c1=$(counter "$IF0" "$ctr") l1=$(length_errors)
	[ $((c1 - c0)) -eq $ndropped ] || die "MTU $mtu: $ctr moved by $((c1 - c0)) for $ndropped frames"
	[ $((l1 - l0)) -eq $ndropped ] ||
		die "MTU $mtu: ip -s link length errors moved by $((l1 - l0)) for $ndropped frames"
	echo "MTU $mtu: received [$(echo $got)]; $ndropped dropped and counted in $ctr"
}

if [ "$IGB" = 1 ]; then
	phase 1500 - "15 60 1514 1518 1522" "1523 9014"
	phase 4000 - "4014 4022" "4023 9014"
else
	phase 1500 rx_oversize "15 60 1514 1518" "1519 1522 9014"
	phase 4000 rx_multi_descriptor "4014 4096" "4097 9014"
fi
ip link set "$IF0" mtu 1500
peer ip link set "$IF1" mtu 1500
wait_for "ping -c 1 -W 1 $ADDR1" 15 || die "no connectivity after the edge frames"
