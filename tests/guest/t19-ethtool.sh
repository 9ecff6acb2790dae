#!/bin/sh
# The ethtool surface: link settings, driver info, rings, coalescing,
# counters, offload features.
. /tests/sgnic.sh
setup_wire
ethtool "$IF0" | grep -q 'Speed: 1000Mb/s' || die "ethtool shows no 1000Mb/s speed"
ethtool "$IF0" | grep -q 'Duplex: Full' || die "ethtool shows no full duplex"
ethtool "$IF0" | grep -q 'Link detected: yes' || die "ethtool shows no link"
ethtool -i "$IF0" | grep -q '^bus-info: 0000:' || die "ethtool -i has no bus-info"
ethtool -g "$IF0" | grep -q '^RX:.*4096' || die "ethtool -g shows no 4096 maximum"
# interval_ok USECS: the device holds USECS as its interrupt interval: the
# 8254x's ITR (256 ns units), or the EITR of each running queue pair's
# MSI-X vector on the 82576 (vector n + 1 for pair n; microseconds in
# bits 2-14). Each pair's NAPI poll writes its own EITR.
pci0=$(basename "$(readlink -f /sys/class/net/$IF0/device)")
reg() { _v=$(json_field "$(sgnic-test bar-read "$pci0" "$1")" value) && echo $((_v)); }
interval_ok() {
	if [ "$IGB" = 1 ]; then
		_pairs=$(queue_pairs)
		for _n in $(seq 1 "$_pairs"); do
			[ $(($(reg $((0x1680 + 4 * _n))) & 0x7ffc)) = $(($1 << 2)) ] || return 1
		done
	else
		[ "$(reg 0xc4)" = $((($1 * 1000 + 128) / 256)) ]
	fi
}
ethtool -C "$IF0" rx-usecs 100 || die "ethtool -C rx-usecs 100 failed"
ethtool -c "$IF0" | grep -q '^rx-usecs: *100' || die "rx-usecs did not read back as 100"
wait_for "interval_ok 100" 5 || die "the device does not hold a 100 us interrupt interval"
ping -c 3 -i 0.2 -W 1 $ADDR1 >/dev/null || die "ping failed"
interval_ok 100 || die "traffic changed the fixed 100 us interval"
ethtool -C "$IF0" rx-usecs 30 || die "ethtool -C rx-usecs 30 failed"
wait_for "interval_ok 30" 5 || die "the device does not hold a 30 us interrupt interval"
ethtool -C "$IF0" rx-usecs 0 || die "rx-usecs 0 (no throttling) refused"
if ethtool -C "$IF0" rx-usecs 100000 2>/dev/null; then die "rx-usecs beyond the ITR range accepted"; fi
ethtool -c "$IF0" | grep -q '^Adaptive RX: off' || die "an explicit rx-usecs did not turn adaptive-rx off"
ethtool -C "$IF0" adaptive-rx on || die "ethtool -C adaptive-rx on failed"
ethtool -c "$IF0" | grep -q '^Adaptive RX: on' || die "adaptive-rx did not turn on"
# Adaptive moderation starts over at its 20000/s (50 us), and rx-usecs
# reads the setting, not whatever interval it moved to.
wait_for "interval_ok 50" 5 || die "adaptive-rx on did not start over at 50 us"
irqs=$(counter "$IF0" irqs)
polls=$(counter "$IF0" napi_polls)
ping -c 5 -i 0.2 -W 1 $ADDR1 >/dev/null || die "ping failed"
[ "$(counter "$IF0" irqs)" -gt "$irqs" ] || die "irqs counter did not move"
[ "$(counter "$IF0" napi_polls)" -gt "$polls" ] || die "napi_polls counter did not move"
for f in tx_packets tx_bytes tx_doorbells tx_descriptors rx_packets rx_bytes tx_restarts tx_dropped rx_alloc_failed; do
	counter "$IF0" $f >/dev/null
done
k=$(ethtool -k "$IF0")
for f in 'scatter-gather: on' 'tx-checksumming: on' 'tcp-segmentation-offload: on'; do
	echo "$k" | grep -q "^$f" || die "ethtool -k: missing '$f'"
done
ethtool -K "$IF0" tso off || die "ethtool -K tso off"
ethtool -k "$IF0" | grep -q '^tcp-segmentation-offload: off' || die "tso did not turn off"
ethtool -K "$IF0" tso on
