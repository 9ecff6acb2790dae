#!/bin/sh
# The in-tree C e1000 driver, loaded on purpose, drives the same devices
# in the same kernel and moves the same traffic: the harness compares like
# with like. sgnic is restored afterwards.
. /tests/sgnic.sh
if [ "$IGB" = 1 ]; then
	echo "the C e1000 driver has no 82576 to drive (t25-igb-c-baseline is the 82576's baseline)" >&2
	exit 77
fi
teardown_wire
sgnic_unload
insmod /opt/baseline/e1000.ko || die "cannot load the C e1000 driver"
n=$(ls -d /sys/bus/pci/drivers/e1000/0000:* 2>/dev/null | wc -l)
[ "$n" -eq 2 ] || { rmmod e1000; die "e1000 bound $n devices"; }
SGNIC_DRIVER=e1000 setup_wire
sgnic-test mkfile /tmp/t20 $(bulk 16M) --seed 20 >/dev/null
transfer /tmp/t20 sendfile forward >/dev/null || { rmmod e1000; exit 1; }
teardown_wire
rmmod e1000 || die "cannot unload e1000"
sgnic_load
rm -f /tmp/t20
