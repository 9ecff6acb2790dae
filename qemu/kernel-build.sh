#!/bin/bash
# Build a sgnic guest kernel into the cache, once per (version, fragments,
# compiler).
#
# SGNIC_KERNEL_VARIANT=base (default): tinyconfig + qemu/guest.config, the
# kernel of make vm, bench and profile. =debug: plus qemu/guest-debug.config
# (lockdep, KASAN, fault injection), the kernel of make test.
# Both are built by clang-22 (LLVM=1), whose LLVM matches rustc's, so the
# kernel's Rust helpers are inlined (CONFIG_RUST_INLINE_HELPERS).
#
# The build directory is keyed by the kernel version, the variant and a
# hash of the fragments and the compiler, so editing a fragment builds a
# new kernel and everything else reuses the cached one.
# Prints the build directory (a valid KDIR) on stdout.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
say() { printf '[kernel] %s\n' "$*" >&2; }
die() { printf '[kernel] error: %s\n' "$*" >&2; exit 1; }

CACHE=${SGNIC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sgnic}
VARIANT=${SGNIC_KERNEL_VARIANT:-base}
case $VARIANT in
base) FRAGMENTS=("$HERE/guest.config") ;;
debug) FRAGMENTS=("$HERE/guest.config" "$HERE/guest-debug.config") ;;
*) die "SGNIC_KERNEL_VARIANT=$VARIANT: use base or debug" ;;
esac
# The compiler: Debian's clang-22 (bookworm-security), LLVM 22 like rustc.
LLVM_BIN=/usr/lib/llvm-22/bin/
JOBS=${SGNIC_KERNEL_JOBS:-$(($(nproc) + 1))}

if [ "${1:-}" = --if-built ]; then
	# Only report an existing build; never start one (used by make clean).
	d=$(ls -d "$CACHE"/kernel/*-"$VARIANT"-*/.sgnic-built 2>/dev/null | tail -1) || exit 1
	[ -n "$d" ] && dirname "$d" && exit 0
	exit 1
fi

"$HERE/host-deps.sh" build
src=$("$HERE/kernel-source.sh")
kver=$(make -s -C "$src" kernelversion 2>/dev/null) || die "cannot read the kernel version of $src"
[ -x "${LLVM_BIN}clang" ] || die "${LLVM_BIN}clang not found (run: make deps)"
key=$kver-$VARIANT-$( (cat "${FRAGMENTS[@]}"; "${LLVM_BIN}clang" --version | head -1) | sha256sum | cut -c1-12)
build=$CACHE/kernel/$key
if [ -f "$build/.sgnic-built" ]; then
	echo "$build"
	exit 0
fi

export PATH=$HOME/.cargo/bin:$PATH
export LIBCLANG_PATH=/usr/lib/llvm-22/lib
MAKE=(make -C "$src" O="$build" ARCH=x86_64 LLVM="$LLVM_BIN" -s)

mkdir -p "$build"
say "configuring $kver ($VARIANT: tinyconfig + ${FRAGMENTS[*]##*/}, clang-22) in $build"
"${MAKE[@]}" rustavailable >/dev/null || die "the Rust toolchain is not usable for this kernel (make rustavailable failed)"
"${MAKE[@]}" tinyconfig >/dev/null
KCONFIG_CONFIG=$build/.config "$src/scripts/kconfig/merge_config.sh" -m -O "$build" \
	"$build/.config" "${FRAGMENTS[@]}" >/dev/null
"${MAKE[@]}" olddefconfig >/dev/null

# Every option in the fragment must have survived Kconfig's dependency checks.
bad=0
while IFS= read -r line; do
	case "$line" in CONFIG_*=*) ;; *) continue ;; esac
	opt=${line%%=*} want=${line#*=}
	if [ "$want" = n ]; then
		grep -qx "$opt=[ym]" "$build/.config" && { say "$opt is set but the fragment wants n"; bad=1; }
	elif ! grep -qx "$line" "$build/.config"; then
		say "$line did not survive Kconfig (unmet dependency?): got '$(grep "^$opt=" "$build/.config" || echo unset)'"
		bad=1
	fi
done < <(cat "${FRAGMENTS[@]}")
[ $bad = 0 ] || die "guest config is not what ${FRAGMENTS[*]##*/} ask for"

say "building bzImage and modules with -j$JOBS (about 10 minutes on 2 cores, more for the debug variant)"
start=$SECONDS
log=$build/build.log
# Show one progress line every 15 s rather than the full Kbuild chatter.
( "${MAKE[@]}" -j"$JOBS" bzImage modules >"$log" 2>&1; echo $? >"$build/.rc" ) &
pid=$!
while kill -0 $pid 2>/dev/null; do
	sleep 15
	n=$(find "$build" -name '*.o' -newer "$build/.config" 2>/dev/null | wc -l)
	say "  $((SECONDS - start)) s, $n objects built"
done
wait $pid || true
if [ "$(cat "$build/.rc")" != 0 ]; then
	tail -30 "$log" >&2
	die "kernel build failed; full log in $log"
fi
"${MAKE[@]}" INSTALL_MOD_PATH="$build/modinst" modules_install >/dev/null
say "kernel built in $((SECONDS - start)) s"
touch "$build/.sgnic-built"
echo "$build"
