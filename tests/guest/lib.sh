# shellcheck shell=sh
# Common helpers for the in-guest tests (sourced).
#
# A test is a sh script tNN-name.sh: exit 0 passes, 77 skips, anything else
# fails; the last line on stderr says why.

. /etc/sgnic/env.sh

die() {
	echo "$*" >&2
	exit 1
}

# die_all MESSAGE: as die, but from inside $(...) too, where exit alone
# ends only the subshell and the test would go on with an empty value.
# ($$ is the test's own shell, in a subshell as well.)
trap 'exit 1' USR1
die_all() {
	echo "$*" >&2
	kill -USR1 $$
	exit 1
}

# On make test's debug kernel starting a process costs 0.1-0.3 s, so the
# helpers here start as few as they can. A FIFO that nobody writes makes
# `read -t` a sleep that starts none.
if { [ -p /run/sgnic-nap ] || mkfifo /run/sgnic-nap 2>/dev/null; } && exec 9<>/run/sgnic-nap; then
	nap() { read -r -t "$1" -u 9 _ || :; }
else
	nap() { sleep "$1"; }
fi

# wait_for 'shell condition' SECONDS: poll every 0.2 s.
wait_for() {
	_cond=$1 _limit=$(($2 * 5))
	while [ "$_limit" -gt 0 ]; do
		eval "$_cond" >/dev/null 2>&1 && return 0
		nap 0.2
		_limit=$((_limit - 1))
	done
	return 1
}

SGNIC_KO=/lib/modules/sgnic/sgnic.ko
PEER_PIDFILE=/run/sgnic-peer.pid

# The PCI driver of the sgnic module that binds this VM's NICs
# (/sys/bus/pci/drivers/NAME): "sgnic" for the 8254x, "sgnic_igb" for the
# 82576 (SGNIC_NIC_MODEL=igb). IGB=1 on an 82576 VM.
if grep -qx 0x10c9 /sys/bus/pci/devices/*/device 2>/dev/null; then
	SGNIC_PCI=sgnic_igb IGB=1
else
	SGNIC_PCI=sgnic IGB=0
fi

sgnic_load() {
	[ -e /sys/module/sgnic ] && return 0
	insmod "$SGNIC_KO" || return 1
	wait_for "[ \$(ls -d /sys/bus/pci/drivers/$SGNIC_PCI/0000:* 2>/dev/null | wc -l) -ge 2 ]" 10
}

sgnic_unload() {
	[ -e /sys/module/sgnic ] || return 0
	rmmod sgnic
}

# Names of the netdevs bound to PCI driver $1 (default sgnic's for this
# VM's NICs), in this namespace.
sgnic_ifaces() {
	for _d in /sys/bus/pci/drivers/${1:-$SGNIC_PCI}/0000:*/net/*; do
		[ -e "$_d" ] && basename "$_d"
	done
}

# The interface (in this namespace) with MAC $1.
iface_with_mac() {
	for _d in /sys/class/net/*; do
		read -r _a 2>/dev/null <"$_d/address" && [ "$_a" = "$1" ] && echo "${_d##*/}" && return 0
	done
	return 1
}

# Runs a command in the peer namespace.
peer() {
	# nsenter runs busybox applets by name, so give real tools by path.
	_cmd=$1
	shift
	case $_cmd in
	ip) _cmd=/usr/sbin/ip ;;
	bridge) _cmd=/usr/sbin/bridge ;;
	esac
	read -r _pid <$PEER_PIDFILE
	nsenter --net=/proc/$_pid/ns/net --mount=/proc/$_pid/ns/mnt -- "$_cmd" "$@"
}

# setup_wire: port 0 (MAC ...:01) stays here as 10.0.0.1/fd00::1; port 1
# (MAC ...:02) moves into a namespace held by `unshare -n -m` as
# 10.0.0.2/fd00::2. Both up, link waited for. Idempotent. Sets IF0, IF1.
setup_wire() {
	if [ -f $PEER_PIDFILE ] && read -r _pid <$PEER_PIDFILE && [ -d /proc/"$_pid" ]; then
		IF0=$(iface_with_mac 52:54:00:12:34:01)
		IF1=$(peer sh -c '. /tests/lib.sh; iface_with_mac 52:54:00:12:34:02')
		[ -n "$IF0" ] && [ -n "$IF1" ] && return 0
		teardown_wire
	fi
	if [ "${SGNIC_DRIVER:-sgnic}" = sgnic ]; then sgnic_load || die "cannot load sgnic"; fi
	IF0=$(iface_with_mac 52:54:00:12:34:01) || die "no interface with MAC 52:54:00:12:34:01"
	IF1=$(iface_with_mac 52:54:00:12:34:02) || die "no interface with MAC 52:54:00:12:34:02"
	# A network namespace plus a mount namespace with its own sysfs, so
	# /sys/class/net inside `peer` shows the peer's interfaces.
	unshare -n -m sh -c 'mount -t sysfs sysfs /sys && exec sleep 100000' &
	_peer=$!
	echo $_peer >$PEER_PIDFILE
	wait_for "[ \"\$(readlink /proc/$_peer/ns/net)\" != \"\$(readlink /proc/self/ns/net)\" ]" 5 ||
		die "peer namespace did not appear"
	ip link set "$IF1" netns "$_peer" || die "cannot move $IF1 to the peer namespace"
	# One ip process per side (each costs 0.5 s on the debug kernel).
	ip -batch - <<-EOF || die "cannot configure $IF0"
		addr add 10.0.0.1/24 dev $IF0
		addr add fd00::1/64 dev $IF0 nodad
		link set $IF0 up
	EOF
	peer ip -batch - <<-EOF || die "cannot configure $IF1 in the peer namespace"
		link set lo up
		addr add 10.0.0.2/24 dev $IF1
		addr add fd00::2/64 dev $IF1 nodad
		link set $IF1 up
	EOF
	wait_for "read -r _c </sys/class/net/$IF0/carrier && [ \"\$_c\" = 1 ]" 10 || die "$IF0 has no carrier"
	wait_for "peer cat /sys/class/net/$IF1/carrier | grep -qx 1" 10 || die "$IF1 has no carrier"
	wait_for "ping -c 1 -W 1 10.0.0.2" 15 || die "no IPv4 connectivity across the wire"
}

# Ends the peer namespace; its interface falls back here.
teardown_wire() {
	[ -f $PEER_PIDFILE ] || return 0
	read -r _pid <$PEER_PIDFILE
	rm -f $PEER_PIDFILE
	kill "$_pid" 2>/dev/null
	wait "$_pid" 2>/dev/null
	# The namespace dies when its last process exits; devices return here
	# (unless no driver holds the NICs any more: sgnic unloaded under it).
	wait_for "iface_with_mac 52:54:00:12:34:02 || ! ls -d /sys/bus/pci/drivers/$SGNIC_PCI/0000:* \
		/sys/bus/pci/drivers/e1000/0000:* /sys/bus/pci/drivers/igb/0000:* >/dev/null 2>&1" 10
	for _m in 52:54:00:12:34:01 52:54:00:12:34:02; do
		_i=$(iface_with_mac $_m) || continue
		ip link set "$_i" down 2>/dev/null
		ip addr flush dev "$_i" 2>/dev/null
	done
	return 0
}

# Fails if kmemleak finds unreferenced objects.
kmemleak_scan() {
	f=/sys/kernel/debug/kmemleak
	[ -w $f ] || return 0
	echo scan >$f
	sleep 2
	echo scan >$f
	leaks=$(grep -c '^unreferenced object' $f)
	[ "$leaks" = 0 ] || { head -30 $f >&2; echo "kmemleak: $leaks unreferenced objects" >&2; return 1; }
}
