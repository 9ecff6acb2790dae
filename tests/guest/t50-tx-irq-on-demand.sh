#!/bin/sh
# TX completions without an interrupt (Family::TX_IRQ_ON_DEMAND, 8254x):
# QEMU's device sends inside the doorbell write, start_xmit reclaims the
# frames there, and the TX completion cause stays masked.
# - 2000 raw frames from port 0, nothing received: every one completes
#   (tx_packets), and port 0 takes (almost) no interrupt;
# - the same with fail_sgnic_tx_late_completion-<pci> failing every
#   reclaim in start_xmit, as on a device that sends later: the frames
#   still all complete, now through TX interrupts and polls;
# - the fault off again: the poll that emptied the ring masked the cause,
#   and a third flood again takes (almost) no interrupt.
# On the 82576 (one vector for a pair's TX and RX) only completion is
# checked: its TX interrupt stays.
. /tests/sgnic.sh
setup_wire
pci=$(basename "$(readlink "/sys/class/net/$IF0/device")")
late=/sys/kernel/debug/fail_sgnic_tx_late_completion-$pci
n=2000

# flood: sends $n frames; sets DP (frames completed) and DI (interrupts).
flood() {
	s0=$(sgnic-test ethtool-stats "$IF0") || die "cannot read $IF0's counters"
	sgnic-test raw-send --iface "$IF0" --dst 02:00:00:00:00:50 --count $n --gap-us 0 >/dev/null ||
		die "raw-send failed"
	wait_for "[ \$((\$(counter $IF0 tx_packets) - $(json_field "$s0" tx_packets))) -ge $n ]" 10 ||
		die "not all $n frames completed"
	s1=$(sgnic-test ethtool-stats "$IF0") || die "cannot read $IF0's counters"
	DP=$(($(json_field "$s1" tx_packets) - $(json_field "$s0" tx_packets)))
	DI=$(($(json_field "$s1" irqs) - $(json_field "$s0" irqs)))
	echo "$1: $DP frames completed, $DI interrupts" >&2
}

flood quiet
if [ "$IGB" = 1 ]; then
	exit 0
fi
# Other traffic (an IPv6 router solicitation, a link event) may interrupt.
[ "$DI" -le 5 ] || die "$n frames sent took $DI interrupts"
if [ ! -d "$late" ]; then
	debug_kernel && die "$late missing on a kernel with fault injection"
	exit 0
fi
echo 0 >"$late/verbose"
echo -1 >"$late/times"
echo 100 >"$late/probability"
trap 'echo 0 >"$late/probability"' EXIT
flood late
[ "$DI" -gt 5 ] || die "frames completed late took only $DI interrupts: how did they complete?"
echo 0 >"$late/probability"
# The last late frames' poll masked the cause once the ring was empty.
sleep 0.5
flood again
[ "$DI" -le 5 ] || die "after late completions, $n frames took $DI interrupts: TXDW left unmasked"
