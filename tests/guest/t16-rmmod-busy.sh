#!/bin/sh
# rmmod while a transfer is running: no oops, no leak (checked by the
# harness), and the module loads and carries traffic again.
. /tests/sgnic.sh
setup_wire
# The 82576 path (device TSO) moves 64 MiB too fast to still be running a
# second later: four times as much there.
if [ "$IGB" = 1 ]; then size=256M; else size=64M; fi
sgnic-test mkfile /tmp/t16 $(bulk $size) --seed 16 >/dev/null
background_sendfile /tmp/t16
sp=$SEND_PID
teardown_wire
sgnic_unload || die "rmmod during a transfer failed"
kill $sp $RECV_PID 2>/dev/null
wait $sp $RECV_PID 2>/dev/null
sgnic_load || die "insmod after the busy rmmod failed"
setup_wire
# After the reload a shorter stream does: the paths are the same.
truncate -s 4M /tmp/t16
transfer /tmp/t16 sendfile forward >/dev/null
rm -f /tmp/t16
