#!/bin/sh
# Reconfiguration while sgnic's allocations fail (failslab and
# fail_page_alloc, limited to sgnic's code): an MTU change and an ethtool
# -G fail cleanly, and the port keeps running at its old settings (new
# rings are allocated before the old ones go); down/up and rmmod work
# after the failures. At 5%, an MTU change succeeds with a part-filled RX
# ring, which fills as frames arrive. Afterwards both changes work, and
# so does down/up.
. /tests/sgnic.sh
setup_wire
trap 'faults_off >/dev/null' EXIT
ring() { ethtool -g "$IF0" | awk -v w="$1:" '/Current/ { c = 1 } c && $1 == w { print $2; exit }'; }
mtu0=$(cat /sys/class/net/$IF0/mtu) rx0=$(ring RX) tx0=$(ring TX)

faults_on 100
if ip link set dev "$IF0" mtu 4000 2>/tmp/t41.err; then die "the MTU change succeeded with every allocation failing"; fi
grep -q 'Cannot allocate memory' /tmp/t41.err || die "the MTU change failed, but not for lack of memory: $(cat /tmp/t41.err)"
if ethtool -G "$IF0" rx 1024 tx 1024 2>/tmp/t41.err; then die "ethtool -G succeeded with every allocation failing"; fi
n=$(faults_off)
[ "$n" -gt 0 ] || die "no fault was injected"
echo "$n allocations failed" >&2

[ "$(cat /sys/class/net/$IF0/mtu)" = "$mtu0" ] || die "the MTU changed to $(cat /sys/class/net/$IF0/mtu)"
[ "$(ring RX)" = "$rx0" ] && [ "$(ring TX)" = "$tx0" ] || die "ring sizes changed to $(ring RX)/$(ring TX)"
ip link show "$IF0" | grep -q 'state UP' || die "$IF0 is no longer up"
wait_for "ping -c 1 -W 1 $ADDR1" 10 || die "no traffic at the old settings after the failed changes"
sgnic-test mkfile /tmp/t41 4M --seed 41 >/dev/null
transfer /tmp/t41 sendfile forward >/dev/null

# A failed change leaves nothing behind that down/up or unbinding trips
# on (NAPI disabled twice would hang here, under RTNL).
ip link set "$IF0" down && ip link set "$IF0" up || die "down/up failed after the failed changes"
wait_for "ping -c 1 -W 1 $ADDR1" 10 || die "no traffic after down/up"
teardown_wire
sgnic_unload || die "rmmod failed after the failed changes"
[ ! -e /sys/module/sgnic ] || die "sgnic still loaded after rmmod"
setup_wire
wait_for "ping -c 1 -W 1 $ADDR1" 10 || die "no traffic after reloading sgnic"

# A ring built while some buffer allocations fail starts part-filled
# (at least one buffer, or the change fails); refill fills the rest as
# traffic flows, and nothing stalls or leaks. At MTU 4000 every RX buffer
# is an sk_buff of its own, allocated one by one, each a chance to fail.
# A failed attempt changes nothing (the rings are allocated before the
# port goes down, and starting it again allocates nothing).
peer ip link set dev "$IF1" mtu 4000
faults_on 5
ok=
for _ in $(seq 30); do
	if ip link set dev "$IF0" mtu 4000 2>/dev/null; then ok=1; break; fi
	[ "$(cat /sys/class/net/$IF0/mtu)" = "$mtu0" ] || die "a failed MTU change left MTU $(cat /sys/class/net/$IF0/mtu)"
done
[ -n "$ok" ] || die "the MTU change never succeeded at 5% faults"
# Still at 5%: refill fails now and then as the ring fills; while a slot
# it reaches cannot be filled, the poll keeps polling rather than wait
# for an interrupt. Every byte arrives.
sgnic-test mkfile /tmp/t41 4M --seed 41 >/dev/null
transfer /tmp/t41 sendfile backward >/dev/null
n=$(faults_off)
[ "$n" -gt 0 ] || die "no fault was injected"
ip link set dev "$IF0" mtu "$mtu0" || die "the MTU change back failed without faults"
peer ip link set dev "$IF1" mtu "$mtu0"

# The same changes now succeed, and so does down/up.
ip link set dev "$IF0" mtu 4000 || die "the MTU change failed without faults"
ethtool -G "$IF0" rx 1024 tx 1024 || die "ethtool -G failed without faults"
peer ip link set dev "$IF1" mtu 4000
ip link set "$IF0" down && ip link set "$IF0" up || die "down/up failed"
wait_for "[ \"\$(cat /sys/class/net/$IF0/carrier)\" = 1 ]" 10 || die "no carrier after down/up"
transfer /tmp/t41 sendfile forward >/dev/null
ip link set dev "$IF0" mtu "$mtu0"
peer ip link set dev "$IF1" mtu "$mtu0"
ethtool -G "$IF0" rx "$rx0" tx "$tx0"
rm -f /tmp/t41 /tmp/t41.err
