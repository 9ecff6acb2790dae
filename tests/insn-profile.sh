#!/bin/bash
# make profile (PROFILE_MODE=insn, the default): count the guest kernel's
# instructions and MMIO accesses, exactly, while sgnic and then the in-tree
# C driver (e1000; igb with SGNIC_NIC_MODEL=igb, where the workloads add
# the 4-flow sendfile at 1 and 2 queue pairs) run the same workloads in
# one VM boot; then print per-function tables (tests/insn-report.py). Counting makes the guest 2-3x slower but
# does not depend on how loaded the host is.
#
# Usage: tests/insn-profile.sh --kdir KERNEL-BUILD --initrd INITRD --out OUTDIR
# Knobs (passed to the guest): PROFILE_WORKLOAD, PROFILE_SIZE, PROFILE_RR,
# PROFILE_ROUNDS;
# PROFILE_TOP (25) functions per table; PROFILE_IO=0 skips MMIO counting.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
kdir= initrd= out=
while [ $# -gt 0 ]; do
	case $1 in
	--kdir) kdir=$2; shift 2 ;;
	--initrd) initrd=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	*) echo "insn-profile.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
case ${PROFILE_ROUNDS:-2} in
''|*[!0-9]*|0*) echo "insn-profile: PROFILE_ROUNDS='$PROFILE_ROUNDS': give a whole number of rounds, 1 or more" >&2; exit 2 ;;
esac
map=$kdir/System.map
[ -f "$map" ] || { echo "insn-profile: $map not found" >&2; exit 1; }
# The guest marks phase boundaries with sync(2); the syscall's entry point
# (reached through the syscall table, so never inlined) ends a phase.
marker=$(awk '$3 == "__x64_sys_sync" { print $1; exit }' "$map")
[ -n "$marker" ] || { echo "insn-profile: no __x64_sys_sync in $map" >&2; exit 1; }
plugin=$("$ROOT/qemu/plugin/build.sh")
mkdir -p "$out"
counts=$out/insn-counts.txt
rm -f "$counts"
io=",io=on"
[ "${PROFILE_IO:-1}" = 0 ] && io=""
env=""
for v in PROFILE_WORKLOAD PROFILE_SIZE PROFILE_RR PROFILE_ROUNDS; do
	[ -n "${!v:-}" ] && env="$env $v='${!v}'"
done
vm=$out/insn-vm
"$ROOT/qemu/run-vm.sh" --kernel "$kdir/arch/x86/boot/bzImage" --initrd "$initrd" --out "$vm" \
	--append "kmemleak=off dma_debug=off" --plugin "$plugin,marker=$marker,out=$counts$io" \
	--cmd "$env sh /tests/insn-profile.sh" >"$out/insn-vm.log" 2>&1 || {
	echo "insn-profile: the VM run failed; see $out/insn-vm.log and $vm/console.log" >&2
	tail -5 "$vm/console.log" >&2
	exit 1
}
[ -s "$counts" ] || { echo "insn-profile: the plugin wrote no counts" >&2; exit 1; }
python3 "$ROOT/tests/insn-report.py" "$counts" --system-map "$map" --guest-dir "$vm/guest/insn" \
	--top "${PROFILE_TOP:-25}" --out "$out/insn-report.md" --json "$out/insn-report.json"
echo "report: $out/insn-report.md (figures per unit: $out/insn-report.json); raw counts: $counts"
