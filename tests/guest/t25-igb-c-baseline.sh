#!/bin/sh
# QEMU's 82576 (SGNIC_NIC_MODEL=igb) driven by the in-tree C igb driver,
# loaded on purpose: the baseline that sgnic's 82576 support will be
# measured against runs in this guest kernel. It binds both ports, the link
# comes up, data crosses intact both ways, RX and TX checksum offload and
# TSO are on, and the driver unloads cleanly. With any other NIC model there
# is no 82576 to drive: skipped. sgnic's own 82576 driver (sgnic_igb)
# holds the ports otherwise, so the test unloads sgnic first: the C driver
# never takes a device from it.
. /tests/sgnic.sh
igb_ports=$(grep -l 0x10c9 /sys/bus/pci/devices/*/device 2>/dev/null | wc -l)
if [ "$igb_ports" -lt 2 ]; then
	echo "no 82576 NICs in this VM (SGNIC_NIC_MODEL=igb gives two)" >&2
	exit 77
fi
teardown_wire
sgnic_unload || die "cannot unload sgnic"
restore() {
	teardown_wire
	rmmod igb 2>/dev/null
}
trap restore EXIT
[ -e /sys/module/igb ] && die "igb was loaded before the test: the VM must not auto-load a C driver"
insmod /opt/baseline/igb.ko || die "cannot load the C igb driver"
wait_for "[ \$(ls -d /sys/bus/pci/drivers/igb/0000:* 2>/dev/null | wc -l) -eq 2 ]" 10 ||
	die "igb bound $(ls -d /sys/bus/pci/drivers/igb/0000:* 2>/dev/null | wc -l) of 2 ports"
SGNIC_DRIVER=igb setup_wire
for f in rx-checksumming tx-checksumming tcp-segmentation-offload scatter-gather; do
	ethtool -k "$IF0" | grep -q "^$f: on" || die "igb has $f off on $IF0"
done
sgnic-test mkfile /tmp/t25 $(bulk 16M) --seed 25 >/dev/null
transfer /tmp/t25 sendfile forward >/dev/null || die "sendfile over igb failed"
transfer /tmp/t25 read-write reverse >/dev/null || die "read/write back over igb failed"
vectors=$(grep -c "$IF0" /proc/interrupts)
teardown_wire
rmmod igb || die "cannot unload igb"
trap - EXIT
rm -f /tmp/t25
echo "C igb: both 82576 ports, 16 MiB each way intact, $vectors interrupt vectors on $IF0"
