#!/bin/sh
# Frames the device drops for lack of receive buffers are counted, not
# lost silently: with the peer's RX ring cut to 64 descriptors a bulk
# stream overruns it, ethtool -S rx_missed (MPC) and rx_no_buffer (RNBC)
# move, ip -s -s link reports the same missed count, and TCP still
# delivers every byte (retransmits). After a reload the count starts from
# zero although the device (QEMU) still holds the old total.
. /tests/sgnic.sh
setup_wire
sgnic-test mkfile /tmp/t22 $(bulk 32M) --seed 22 >/dev/null
before=$(peer_counter "$IF1" rx_missed)
peer ethtool -G "$IF1" rx 64 || die "ethtool -G rx 64 failed"
missed=$before
for attempt in 1 2 3 4 5 6; do
	transfer /tmp/t22 sendfile forward >/dev/null
	missed=$(peer_counter "$IF1" rx_missed)
	[ "$missed" -gt "$before" ] && break
done
[ "$missed" -gt "$before" ] || die "no missed frames counted after 6 streams into a 64-descriptor ring"
[ "$(peer_counter "$IF1" rx_no_buffer)" -gt 0 ] || die "rx_no_buffer did not move"
shown=$(peer ip -s -s -j link show "$IF1" | sed -n 's/.*"rx":{[^}]*"missed_errors":\([0-9]*\).*/\1/p')
[ -n "$shown" ] || die "ip -s -s -j link shows no rx missed count"
# The counter folds new device counts on every read; at rest it is stable.
[ "$shown" -eq "$(peer_counter "$IF1" rx_missed)" ] ||
	die "ip -s -s link missed $shown, ethtool rx_missed $(peer_counter "$IF1" rx_missed)"
peer ethtool -G "$IF1" rx 256 || die "ethtool -G rx 256 failed"
teardown_wire
sgnic_unload
sgnic_load
setup_wire
[ "$(peer_counter "$IF1" rx_missed)" -eq 0 ] || die "after a reload rx_missed shows the old device count"
[ "$(peer_counter "$IF1" rx_no_buffer)" -eq 0 ] || die "after a reload rx_no_buffer shows the old device count"
rm -f /tmp/t22
