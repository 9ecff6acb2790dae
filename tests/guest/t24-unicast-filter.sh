#!/bin/sh
# Secondary unicast addresses go into the 15 spare receive-address slots:
# the port accepts them without turning promiscuous, and still drops
# frames for any other station. A 16th address falls back to unicast
# promiscuous. After a live MAC change the old address is no longer
# accepted.
. /tests/sgnic.sh
setup_wire
MAC1=52:54:00:12:34:02 NEWMAC=52:54:00:12:34:99 FOREIGN=02:00:00:00:be:ef
trap 'peer ip link set "$IF1" address $MAC1 2>/dev/null' EXIT

# frames_to MAC: send 20 raw frames to MAC, print how many the peer got.
frames_to() {
	rm -f /tmp/raw.ready
	# Returns as soon as all 20 came, or after 3 s.
	peer sgnic-test raw-recv --iface "$IF1" --seconds 3 --count 20 --ready-file /tmp/raw.ready >/tmp/raw.json &
	rp=$!
	wait_for "[ -f /tmp/raw.ready ]" 10 || die "raw receiver did not start"
	sgnic-test raw-send --iface "$IF0" --dst "$1" --count 20 >/dev/null
	wait $rp
	json_field "$(cat /tmp/raw.json)" received
}
extra() { printf '02:00:00:00:b0:%02x' "$1"; }
promiscuous() { [ $(($(peer cat /sys/class/net/"$IF1"/flags) & 0x100)) != 0 ]; }

for i in $(seq 1 15); do
	peer bridge fdb add "$(extra "$i")" dev "$IF1" self permanent || die "cannot add unicast address $i"
done
promiscuous && die "15 secondary unicast addresses made $IF1 promiscuous"
got=$(frames_to "$(extra 1)")
[ "$got" -ge 18 ] || die "first secondary address: $got of 20 frames"
got=$(frames_to "$(extra 15)")
[ "$got" -ge 18 ] || die "15th secondary address: $got of 20 frames"
got=$(frames_to $FOREIGN)
[ "$got" -eq 0 ] || die "with 15 secondary addresses, $got frames for a foreign MAC got through"

# One more than the slots: the device must accept all of them.
peer bridge fdb add "$(extra 16)" dev "$IF1" self permanent || die "cannot add unicast address 16"
got=$(frames_to "$(extra 16)")
[ "$got" -ge 18 ] || die "16th secondary address: $got of 20 frames"
for i in $(seq 1 16); do peer bridge fdb del "$(extra "$i")" dev "$IF1" self; done
got=$(frames_to "$(extra 1)")
[ "$got" -eq 0 ] || die "a removed secondary address still accepted $got frames"

peer ip link set "$IF1" address $NEWMAC || die "live MAC change refused"
got=$(frames_to $MAC1)
[ "$got" -eq 0 ] || die "after the MAC change the old address still accepted $got frames"
got=$(frames_to $NEWMAC)
[ "$got" -ge 18 ] || die "after the MAC change the new address got $got of 20 frames"
peer ip link set "$IF1" address $MAC1 || die "cannot restore the MAC"
wait_for "ping -c 1 -W 1 $ADDR1" 10 || die "no connectivity after restoring the MAC"
