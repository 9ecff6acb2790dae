#!/bin/sh
# 20 rmmod/insmod cycles (4 on the debug kernel): both ports come back
# each time, nothing leaks.
. /tests/sgnic.sh
sgnic_load
for i in $(seq 1 "$(cycles 20)"); do
	sgnic_unload || die "rmmod failed in cycle $i"
	[ ! -e /sys/module/sgnic ] || die "module still present after rmmod (cycle $i)"
	sgnic_load || die "insmod failed in cycle $i"
	n=$(sgnic_ifaces | wc -w)
	[ "$n" -eq 2 ] || die "cycle $i: $n interfaces after insmod"
done
