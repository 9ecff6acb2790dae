#!/bin/sh
# After everything: unload sgnic, then no kmemleak report and no DMA-API
# error. (The whole kernel log is judged on the host, by host:kernel-log,
# which knows the one report that is the kernel's own: see t98.)
. /tests/sgnic.sh
teardown_wire
sgnic_unload
kmemleak_scan || die "kmemleak reports leaks"
errs=$(cat /sys/kernel/debug/dma-api/error_count 2>/dev/null || echo 0)
[ "$errs" = 0 ] || die "DMA-API debug counted $errs errors"
