#!/bin/sh
# After everything: unload sgnic, then no kmemleak report, no DMA-API
# error, and a clean kernel log.
. /tests/sgnic.sh
teardown_wire
sgnic_unload
kmemleak_scan || die "kmemleak reports leaks"
kernel_log_clean || die "kernel log is not clean"
