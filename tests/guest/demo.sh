#!/bin/sh
# make vm: the sendfile demo. Both sgnic ports come up across the emulated
# wire, a file goes from one namespace to the other by every method the
# seeds discuss, and the driver's own counters show which bytes reached the
# device straight from the page cache. The table is also saved as JSON.
. /tests/sgnic.sh
sgnic_load
setup_wire
echo "== sgnic ports"
for i in $IF0; do ip -br link show "$i"; done
peer ip -br link show "$IF1"
ethtool -i "$IF0" | head -2
ethtool -k "$IF0" | grep -E '^(scatter-gather|tx-checksumming|tcp-segmentation-offload):'
size=${SGNIC_DEMO_SIZE:-64M}
sgnic-test mkfile /tmp/demo.bin "$size" --seed 7 >/dev/null
echo "== sending a $size file from $ADDR0 ($IF0) to $ADDR1 ($IF1) by each method"
start_receiver peer $PORT 5
mkdir -p /out
sgnic-test copy-table --to "$ADDR1:$PORT" --file /tmp/demo.bin --iface "$IF0" \
	--json /out/copy-table.json >/tmp/copy-table.line || die "copy-table failed"
wait "$RECV_PID"
n=$(grep -c '"sha256"' "/tmp/recv.$PORT.json")
want=$(sgnic-test sha256 /tmp/demo.bin --hex)
bad=$(grep '"sha256"' "/tmp/recv.$PORT.json" | grep -vc "$want")
echo "== receiver: $n transfers, $bad with a sha256 mismatch"
[ "$bad" -eq 0 ] || die "data mismatch at the receiver"
