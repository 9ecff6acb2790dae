#!/bin/bash
# Build the guest initramfs.
#
# Usage: initramfs.sh OUT.cpio.gz --module FILE... --baseline C_DRIVER_KO...
#                     --tool SGNIC_TEST --tests DIR
#
# Contents: busybox (static) with its applets, real Debian binaries copied
# with their shared libraries (ip, ethtool, iperf3, nginx, curl, lspci and
# pci.ids), sgnic.ko under /lib/modules/sgnic, the C baseline drivers
# (e1000, igb) under /opt/baseline (deliberately outside /lib/modules, so
# nothing can auto-load them), the static test tool, the guest tests, and /init.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
die() { printf 'initramfs: error: %s\n' "$*" >&2; exit 1; }

out=${1:-}
[ -n "$out" ] || die "usage: initramfs.sh OUT.cpio.gz --module FILE --baseline FILE --tool FILE --tests DIR"
shift
modules=() baselines=() tool= tests=
while [ $# -gt 0 ]; do
	case $1 in
	--module) modules+=("$2"); shift 2 ;;
	--baseline) baselines+=("$2"); shift 2 ;;
	--tool) tool=$2; shift 2 ;;
	--tests) tests=$2; shift 2 ;;
	*) die "unknown option $1" ;;
	esac
done
[ ${#baselines[@]} -gt 0 ] || die "no --baseline driver given"
for f in "${modules[@]}" "${baselines[@]}" "$tool"; do
	[ -f "$f" ] || die "missing input file: $f"
done
[ -d "$tests" ] || die "missing test directory: $tests"
BUSYBOX=$(command -v busybox) || die "busybox not found (run: make deps)"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
# mktemp makes the directory 0700; as the guest's / that would lock every
# unprivileged process out of the whole tree.
chmod 755 "$stage"
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,etc/sgnic,proc,sys,dev,tmp,run,out,root,var/log/nginx,var/lib/nginx,lib/modules/sgnic,opt/baseline,tests,usr/share/misc}

# busybox and its applets (Debian binaries installed below take precedence
# on PATH: /usr/sbin and /usr/bin come first).
cp "$BUSYBOX" "$stage/bin/busybox"
for applet in $("$BUSYBOX" --list); do
	[ -e "$stage/bin/$applet" ] || ln -s busybox "$stage/bin/$applet"
done

# Copy a dynamically linked binary and every library it needs, at the same
# paths, plus the dynamic loader.
copy_with_libs() {
	local bin=$1 dest=$2
	mkdir -p "$stage$(dirname "$dest")"
	cp -L "$bin" "$stage$dest"
	ldd "$bin" 2>/dev/null | grep -o '/[^ ]*' | while read -r lib; do
		[ -e "$stage$lib" ] && continue
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	done
}
for tool_path in /usr/sbin/ip:/usr/sbin/ip /usr/sbin/bridge:/usr/sbin/bridge /usr/sbin/ethtool:/usr/sbin/ethtool \
	/usr/bin/iperf3:/usr/bin/iperf3 /usr/sbin/nginx:/usr/sbin/nginx \
	/usr/bin/curl:/usr/bin/curl /usr/bin/lspci:/usr/bin/lspci /bin/kmod:/usr/sbin/modinfo; do
	src=${tool_path%%:*} dst=${tool_path#*:}
	[ -x "$src" ] || die "$src not found (run: make deps)"
	copy_with_libs "$src" "$dst"
done
# perf (linux-perf) for profiling in the guest (make bench's report).
copy_with_libs /usr/bin/perf /usr/bin/perf

# glibc loads NSS modules at run time (nginx resolves its user).
for lib in /lib/x86_64-linux-gnu/libnss_files.so.2 /lib/x86_64-linux-gnu/libnss_dns.so.2; do
	[ -e "$lib" ] && cp -L "$lib" "$stage$lib"
done
cp /usr/share/misc/pci.ids "$stage/usr/share/misc/pci.ids"

for m in "${modules[@]}"; do cp "$m" "$stage/lib/modules/sgnic/"; done
cp "${baselines[@]}" "$stage/opt/baseline/"
cp "$tool" "$stage/usr/bin/sgnic-test"
cp -r "$tests"/. "$stage/tests/"
cp "$HERE/guest-init.sh" "$stage/init"
cp "$HERE/guest-env.sh" "$stage/etc/sgnic/env.sh"
cp "$HERE/guest-link.sh" "$stage/usr/bin/sgnic-link"
chmod +x "$stage/init" "$stage/usr/bin/sgnic-link"

cat >"$stage/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
www-data:x:33:33:www-data:/var/www:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
P
cat >"$stage/etc/group" <<'G'
root:x:0:
www-data:x:33:
nogroup:x:65534:
G
printf 'passwd: files\ngroup: files\nhosts: files\n' >"$stage/etc/nsswitch.conf"
printf '127.0.0.1 localhost\n10.0.0.1 port0\n10.0.0.2 port1\n' >"$stage/etc/hosts"
for f in /etc/protocols /etc/services; do [ -f "$f" ] && cp "$f" "$stage$f"; done

mkdir -p "$(dirname "$out")"
(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
printf 'initramfs: %s (%s)\n' "$out" "$(du -h "$out" | cut -f1)" >&2
