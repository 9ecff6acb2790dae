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
ethtool -C "$IF0" rx-usecs 100 || die "ethtool -C rx-usecs 100 failed"
ethtool -c "$IF0" | grep -q '^rx-usecs: *100' || die "rx-usecs did not read back as 100"
ethtool -C "$IF0" rx-usecs 0 || die "rx-usecs 0 (no throttling) refused"
if ethtool -C "$IF0" rx-usecs 100000 2>/dev/null; then die "rx-usecs beyond the ITR range accepted"; fi
ethtool -c "$IF0" | grep -q '^Adaptive RX: off' || die "an explicit rx-usecs did not turn adaptive-rx off"
ethtool -C "$IF0" adaptive-rx on || die "ethtool -C adaptive-rx on failed"
ethtool -c "$IF0" | grep -q '^Adaptive RX: on' || die "adaptive-rx did not turn on"
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
