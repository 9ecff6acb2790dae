#!/bin/sh
# rmmod while a transfer is running: no oops, no leak (checked by the
# harness), and the module loads and carries traffic again.
. /tests/sgnic.sh
setup_wire
sgnic-test mkfile /tmp/t16 $(bulk 64M) --seed 16 >/dev/null
start_receiver peer $PORT 1
sgnic-test send --to "$ADDR1:$PORT" --file /tmp/t16 --method sendfile >/dev/null 2>&1 &
sp=$!
sleep 1
teardown_wire
sgnic_unload || die "rmmod during a transfer failed"
kill $sp $RECV_PID 2>/dev/null
wait $sp $RECV_PID 2>/dev/null
sgnic_load || die "insmod after the busy rmmod failed"
setup_wire
transfer /tmp/t16 sendfile forward >/dev/null
rm -f /tmp/t16
