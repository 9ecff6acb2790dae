#!/bin/sh
# rmmod while a transfer is running, with the peer's port still in its
# namespace: no oops, no leak (checked by the harness), and the module
# loads and carries traffic again.
. /tests/sgnic.sh
setup_wire
sgnic-test mkfile /tmp/t16 $(bulk 64M) --seed 16 >/dev/null
background_sendfile /tmp/t16
sgnic_unload || die "rmmod during a transfer failed"
# Both ends of the connection lost their interfaces; their sockets go
# with the processes (the receiver runs under nsenter: by name).
killall sgnic-test 2>/dev/null
wait_for "! killall -0 sgnic-test 2>/dev/null" 10 || die "the transfer's processes did not exit"
wait $SEND_PID $RECV_PID 2>/dev/null
teardown_wire
sgnic_load || die "insmod after the busy rmmod failed"
setup_wire
# After the reload a shorter stream does: the paths are the same.
truncate -s 4M /tmp/t16
transfer /tmp/t16 sendfile forward >/dev/null
rm -f /tmp/t16
