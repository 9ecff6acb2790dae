#!/bin/sh
# The 82576's receive checksum offload (SGNIC_NIC_MODEL=igb): the port
# is bound by sgnic's 82576 driver (device 0x10c9), rx-checksumming is on,
# and TCP frames received are passed up as verified by the device
# (rx_csum_verified counts them, rx_csum_errors none); with
# `ethtool -K rx off` the verdict is no longer taken, and data still
# arrives intact either way.
#
# Then frames with a wrong checksum: $N IPv4 frames from a raw socket on
# $IF0 (sgnic-test raw-send --tcp-bad-csum, --udp-bad-csum) to the
# peer's $IF1, to a port nothing listens on, with a valid IPv4 header
# checksum and a wrong TCP (UDP) checksum. QEMU's igb (10.0,
# hw/net/igb_core.c) checks them in software, as nothing on the hub
# carries a virtio-net header: igb_receive_internal clears the header
# (net_rx_pkt_unset_vhdr), so igb_build_rx_metadata_common calls
# igb_verify_csum_in_sw, which sets IPCS and TCPCS (and UDPCS) with the
# error bit TCPE, the 82576's L4E, on a frame whose TCP/UDP checksum
# does not verify. So on the peer, with rx-checksumming on:
# rx_csum_errors counts every one of them, rx_csum_verified none (sgnic
# never marks them CHECKSUM_UNNECESSARY), they are still passed up
# (rx_packets), and the stack drops each as a checksum error
# (/proc/net/snmp Tcp: or Udp: InCsumErrors rises by exactly $N) without
# answering it (no RST, no port unreachable: Tcp OutRsts and Udp
# NoPorts stay). With `ethtool -K rx off` on the peer the device still
# flags them, but sgnic takes no verdict at all (rust/driver/rx.rs,
# igb's `offloads`): neither rx_csum_errors nor rx_csum_verified moves,
# and the stack, checking every frame itself, still drops all $N (TCP).
#
# The 8254x reports no checksum verdict: skipped there.
. /tests/sgnic.sh
if [ "$IGB" != 1 ]; then
	echo "not an 82576 VM (SGNIC_NIC_MODEL=igb): the 8254x gives no receive checksum verdict" >&2
	exit 77
fi
setup_wire
pci=$(basename "$(readlink -f /sys/class/net/$IF0/device)")
[ -e /sys/bus/pci/drivers/sgnic_igb/$pci ] || die "$IF0 ($pci) is not bound by sgnic_igb"
[ "$(cat /sys/bus/pci/devices/$pci/device)" = 0x10c9 ] || die "$pci is not an 82576"
restore() { ethtool -K "$IF0" rx on 2>/dev/null; }
trap restore EXIT
ethtool -k "$IF0" | grep -q '^rx-checksumming: on' || die "rx-checksumming is off on $IF0"
sgnic-test mkfile /tmp/t45 $(bulk 8M) --seed 45 >/dev/null

# received(): "packets verified errors" on $IF0 so far.
received() { echo "$(counter "$IF0" rx_packets) $(counter "$IF0" rx_csum_verified) $(counter "$IF0" rx_csum_errors)"; }

set -- $(received)
transfer /tmp/t45 read-write reverse >/dev/null || die "transfer to $IF0 failed"
set -- $(received) "$@"
packets=$(($1 - $4)) verified=$(($2 - $5)) errors=$(($3 - $6))
[ "$errors" -eq 0 ] || die "$errors checksum errors reported on a clean wire"
# Every frame of the transfer is TCP over IPv4; ARP and the like are not
# verified, so allow a few.
[ "$packets" -gt 100 ] || die "only $packets frames received"
[ "$verified" -ge $((packets - 10)) ] || die "$verified of $packets frames verified by the device"
on="$packets frames, $verified verified"

ethtool -K "$IF0" rx off || die "cannot turn rx-checksumming off"
set -- $(received)
transfer /tmp/t45 read-write reverse >/dev/null || die "transfer to $IF0 with rx off failed"
set -- $(received) "$@"
packets=$(($1 - $4)) verified=$(($2 - $5))
[ "$verified" -eq 0 ] || die "$verified frames marked verified with rx-checksumming off"
ethtool -K "$IF0" rx on || die "cannot turn rx-checksumming back on"
rm -f /tmp/t45
good="rx on: $on; rx off: $packets frames, none verified"

# Frames with a wrong TCP or UDP checksum, into the peer's $IF1.
N=50 BADPORT=9
MAC1=$(peer cat /sys/class/net/$IF1/address) || die "no MAC address for the peer's $IF1"
restore() {
	ethtool -K "$IF0" rx on 2>/dev/null
	peer ethtool -K "$IF1" rx on 2>/dev/null
}
peer ethtool -k "$IF1" | grep -q '^rx-checksumming: on' || die "rx-checksumming is off on the peer's $IF1"

# peer_rx: "frames verified errors tcp_csum udp_csum rsts noports" so
# far: the peer's $IF1 counters rx_packets, rx_csum_verified and
# rx_csum_errors, and its stack's Tcp InCsumErrors, Udp InCsumErrors,
# Tcp OutRsts and Udp NoPorts (/proc/net/snmp, a header line and a value
# line per protocol).
peer_rx() {
	_stats=$(peer sgnic-test ethtool-stats "$IF1") || die_all "no counters on the peer's $IF1"
	_snmp=$(peer cat /proc/net/snmp | awk '
		$1 == "Tcp:" || $1 == "Udp:" {
			if (!seen[$1]++) { for (i = 2; i <= NF; i++) col[$1 $i] = i; next }
			for (k in col) if (index(k, $1) == 1) val[k] = $(col[k])
		}
		END {
			n = split("Tcp:InCsumErrors Udp:InCsumErrors Tcp:OutRsts Udp:NoPorts", want)
			for (i = 1; i <= n; i++) {
				if (!(want[i] in val)) { print "missing " want[i]; exit }
				out = out " " val[want[i]]
			}
			print out
		}')
	case $_snmp in *missing* | "") die_all "peer /proc/net/snmp: ${_snmp:-unreadable}" ;; esac
	for _c in rx_packets rx_csum_verified rx_csum_errors; do
		case $_stats in *"\"$_c\":"*) ;; *) die_all "no counter $_c on the peer's $IF1" ;; esac
	done
	echo "$(json_field "$_stats" rx_packets) $(json_field "$_stats" rx_csum_verified)" \
		"$(json_field "$_stats" rx_csum_errors)$_snmp"
}

# bad_frames tcp|udp: sends $N such frames and waits (10 s at most) until
# the peer's stack has counted them; sets frames verified errors stack
# rsts noports to what rose meanwhile (stack: InCsumErrors of that
# protocol).
bad_frames() {
	set -- "$1" $(peer_rx)
	b_f=$2 b_v=$3 b_e=$4 b_t=$5 b_u=$6 b_r=$7 b_n=$8
	sgnic-test raw-send --iface "$IF0" --dst "$MAC1" --count $N --"$1"-bad-csum \
		--src-ip $ADDR0 --dst-ip $ADDR1 --dst-port $BADPORT >/dev/null ||
		die "raw-send --$1-bad-csum failed"
	_tries=20
	while :; do
		set -- "$1" $(peer_rx)
		frames=$(($2 - b_f)) verified=$(($3 - b_v)) errors=$(($4 - b_e))
		rsts=$(($7 - b_r)) noports=$(($8 - b_n))
		if [ "$1" = tcp ]; then stack=$(($5 - b_t)); else stack=$(($6 - b_u)); fi
		[ "$stack" -ge $N ] && break
		_tries=$((_tries - 1))
		[ "$_tries" -gt 0 ] || break
		nap 0.5
	done
	echo "$1 (rx-checksumming $(peer ethtool -k "$IF1" | sed -n 's/^rx-checksumming: //p')):" \
		"$frames frames passed up, $verified verified, $errors checksum errors," \
		"stack InCsumErrors +$stack, OutRsts +$rsts, NoPorts +$noports" >&2
}

# stack_dropped_all PROTO: the peer's stack took every frame for a
# checksum error, and answered none of them.
stack_dropped_all() {
	[ "$frames" -ge $N ] || die "$1: only $frames of $N frames passed up by the peer's $IF1"
	[ "$stack" -eq $N ] || die "$1: the peer's $1 InCsumErrors rose by $stack, not $N"
	[ "$rsts" -eq 0 ] || die "$1: the peer answered with $rsts RSTs: a wrong checksum was taken for a good one"
	[ "$noports" -eq 0 ] || die "$1: the peer counted $noports datagrams to no port: a wrong checksum was taken for a good one"
}

for l4 in tcp udp; do
	bad_frames $l4
	stack_dropped_all $l4
	[ "$errors" -ge $N ] || die "$l4: rx_csum_errors rose by $errors for $N frames the device flags (L4E)"
	[ "$verified" -eq 0 ] || die "$l4: $verified frames with a wrong checksum counted verified (CHECKSUM_UNNECESSARY)"
	eval "bad_$l4=\"\$errors errors\""
done

peer ethtool -K "$IF1" rx off || die "cannot turn rx-checksumming off on the peer's $IF1"
bad_frames tcp
stack_dropped_all tcp
[ "$errors" -eq 0 ] || die "rx off: rx_csum_errors rose by $errors: a verdict was taken with rx-checksumming off"
[ "$verified" -eq 0 ] || die "rx off: $verified frames with a wrong checksum counted verified"
peer ethtool -K "$IF1" rx on || die "cannot turn rx-checksumming back on on the peer's $IF1"
trap - EXIT
echo "$good; $N bad-checksum frames each: tcp $bad_tcp, udp $bad_udp, all dropped by the stack; rx off: none counted, all dropped"
