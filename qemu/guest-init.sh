#!/bin/sh
# /init of the sgnic test guest.
#
# Mounts the usual filesystems, optionally loads sgnic, runs
# /etc/sgnic/cmd.sh (or an interactive shell if there is none), then ships
# /out plus the kernel log to the host over ttyS1 and reboots, which ends
# QEMU (it runs with -no-reboot).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=${TERM:-linux}
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mkdir -p /out /dev/pts
# Nothing may auto-load a driver (in particular the C e1000 baseline).
echo "" >/proc/sys/kernel/modprobe
/usr/sbin/ip link set lo up
# Boot-time allocations are not ours to judge: start kmemleak clean.
[ -w /sys/kernel/debug/kmemleak ] && echo clear >/sys/kernel/debug/kmemleak
hostname sgnic-guest
if [ -f /etc/sgnic/autoload ]; then
	insmod /lib/modules/sgnic/sgnic.ko || echo "init: insmod sgnic failed"
fi

if [ -f /etc/sgnic/cmd.sh ]; then
	sh -c '. /etc/sgnic/env.sh; . /etc/sgnic/cmd.sh'
	status=$?
else
	echo "sgnic guest shell: sgnic is loaded; 'reboot -f' ends the VM."
	ENV=/etc/sgnic/env.sh setsid cttyhack sh -i
	status=$?
fi

echo "$status" >/out/exit-status
dmesg >/out/dmesg.log
cat /sys/kernel/debug/dma-api/error_count >/out/dma-api-errors 2>/dev/null
if stty -F /dev/ttyS1 raw -echo 2>/dev/null; then
	tar c -C /out . >/dev/ttyS1 2>/dev/null
fi
sync
reboot -f
