#!/bin/bash
# make bench: boot the test VM once, run tests/guest/bench.sh (sgnic and
# the C e1000 driver, interleaved), then build out/bench.json, out/bench.svg
# and a Markdown table with tests/bench-report.py.
#
# Usage: tests/bench.sh --kernel BZIMAGE --initrd INITRD --out OUTDIR
# Knobs (passed to the guest): BENCH_ROUNDS, BENCH_SECONDS, BENCH_SIZE,
# BENCH_SWEEP, BENCH_ONLY, BENCH_RR; SGNIC_NIC_MODEL picks the NIC model.
# The guest boots with kmemleak and DMA-API debugging off (the test kernel
# has them built in; they cost both drivers per mapping and allocation and
# would dilute the comparison); BENCH_DEBUG=1 keeps them on.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
kernel= initrd= out=
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2; shift 2 ;;
	--initrd) initrd=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	*) echo "bench.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
env=""
for v in BENCH_ROUNDS BENCH_SECONDS BENCH_SIZE BENCH_SWEEP BENCH_ONLY BENCH_RR; do
	[ -n "${!v:-}" ] && env="$env $v='${!v}'"
done
debug="kmemleak=off dma_debug=off"
[ "${BENCH_DEBUG:-0}" = 1 ] && debug=""
env="$env BENCH_KERNEL_DEBUG=${BENCH_DEBUG:-0}"
vm=$out/bench-vm
"$ROOT/qemu/run-vm.sh" --kernel "$kernel" --initrd "$initrd" --out "$vm" --append "$debug" \
	--threads "$out/host-threads.jsonl" \
	--cmd "$env sh /tests/bench.sh" --timeout "${SGNIC_VM_TIMEOUT:-7200}" >"$out/bench-vm.log" 2>&1 || {
	echo "bench: the VM run failed; see $out/bench-vm.log and $vm/console.log" >&2
	tail -5 "$vm/console.log" >&2
	exit 1
}
python3 "$ROOT/tests/bench-report.py" "$vm/guest/bench" --json "$out/bench.json" --svg "$out/bench.svg" \
	--model "${SGNIC_NIC_MODEL:-e1000}" --threads "$out/host-threads.jsonl"
