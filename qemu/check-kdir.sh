#!/bin/bash
# Check that KDIR is a built, Rust-enabled kernel tree sgnic can build against.
# Usage: check-kdir.sh KDIR
set -u
kdir=${1:-}
fail() { printf 'sgnic: KDIR=%s: %s\n' "$kdir" "$*" >&2; exit 1; }
[ -n "$kdir" ] || fail "empty KDIR"
[ -d "$kdir" ] || fail "no such directory"
[ -f "$kdir/Makefile" ] || fail "not a kernel build tree (no Makefile)"
[ -f "$kdir/.config" ] || fail "kernel is not configured (no .config)"
grep -qx 'CONFIG_RUST=y' "$kdir/.config" || fail "kernel lacks CONFIG_RUST=y; sgnic is a Rust module"
grep -qx 'CONFIG_PCI=y' "$kdir/.config" || fail "kernel lacks CONFIG_PCI=y"
[ -f "$kdir/rust/libkernel.rmeta" ] || fail "no Rust metadata (rust/libkernel.rmeta): build the kernel first"
[ -f "$kdir/rust/bindings/.bindings_generated.rs.cmd" ] ||
	fail "no rust/bindings/.bindings_generated.rs.cmd: sgnic needs the kernel's recorded bindgen flags"
[ -f "$kdir/Module.symvers" ] || fail "no Module.symvers: run the kernel's 'make modules' first"
exit 0
