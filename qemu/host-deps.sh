#!/bin/bash
# Install the host tools sgnic's build, VM and tests need.
#
# Idempotent: each step checks first and is silent when already done.
# Usage: host-deps.sh [build|vm|all]   (build: what compiling needs)
set -euo pipefail

say() { printf '[deps] %s\n' "$*" >&2; }
die() { printf '[deps] error: %s\n' "$*" >&2; exit 1; }

# Debian packages and a file each one provides (a cheap presence test).
# Needed to build the guest kernel and the module:
BUILD_PKGS=(
	flex:flex bison:bison bc:bc libelf-dev:/usr/include/libelf.h
	libssl-dev:/usr/include/openssl/ssl.h cpio:cpio xz-utils:xz
	# The guest kernels and the module are built by clang-22 (22.1.8 in
	# bookworm-security), whose LLVM is rustc 1.95's: LLVM=1 with
	# CONFIG_RUST_INLINE_HELPERS, and KASAN with Rust, need that match.
	clang-22:/usr/lib/llvm-22/bin/clang lld-22:/usr/lib/llvm-22/bin/ld.lld
	llvm-22:/usr/lib/llvm-22/bin/llvm-link libclang-22-dev:/usr/lib/llvm-22/lib/libclang.so
)
# Needed to build the guest image, run the VM and check its results:
VM_PKGS=(
	busybox-static:busybox pci.ids:/usr/share/misc/pci.ids
	iproute2:/usr/sbin/ip ethtool:/usr/sbin/ethtool iperf3:iperf3
	nginx-light:/usr/sbin/nginx curl:curl pciutils:lspci kmod:modinfo
	tshark:tshark linux-perf:/usr/bin/perf
	# The copy table's java-transferto row: javac, and jlink with the
	# jmods to cut a small runtime for the guest (qemu/java-image.sh).
	openjdk-17-jdk-headless:/usr/lib/jvm/java-17-openjdk-amd64/bin/javac
	openjdk-17-jmods:/usr/lib/jvm/java-17-openjdk-amd64/jmods/java.base.jmod
)

apt_ready=
apt_update_once() {
	[ -n "$apt_ready" ] && return
	say "apt-get update"
	apt-get update -qq >/dev/null || die "apt-get update failed (are the Debian mirrors reachable?)"
	apt_ready=1
}

need_root() {
	[ "$(id -u)" = 0 ] || die "installing packages needs root; install these by hand: $*"
}

apt_install() {
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1 && return
	# A postinst that failed (say, a service that could not start) leaves
	# packages half-configured; finish configuring them and retry once.
	DEBIAN_FRONTEND=noninteractive dpkg --configure -a >/dev/null 2>&1 || true
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

install_apt() {
	local missing=() entry pkg probe
	for entry in "$@"; do
		pkg=${entry%%:*} probe=${entry#*:}
		if [[ $probe == /* ]]; then [ -e "$probe" ] && continue
		else command -v "$probe" >/dev/null 2>&1 && continue
			[ -x "/usr/sbin/$probe" ] && continue
		fi
		missing+=("$pkg")
	done
	[ ${#missing[@]} -eq 0 ] && return
	need_root "${missing[@]}"
	apt_update_once
	say "installing ${missing[*]}"
	echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
	apt_install "${missing[@]}" || die "apt-get install ${missing[*]} failed"
}

install_qemu() {
	if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
		need_root qemu-system-x86
		# QEMU 10 from bookworm-backports matches the preinstalled qemu-utils.
		# Backports are pinned at 100, so nothing else gets upgraded.
		local bpo=/etc/apt/sources.list.d/sgnic-bookworm-backports.sources
		if ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/; then
			say "adding bookworm-backports (pinned at 100 by Debian) for QEMU 10"
			cat >"$bpo" <<-SRC
			Types: deb
			URIs: http://deb.debian.org/debian
			Suites: bookworm-backports
			Components: main
			Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
			SRC
			apt_ready=
		fi
		apt_update_once
		say "installing qemu-system-x86 from bookworm-backports"
		apt_install -t bookworm-backports qemu-system-x86 ||
			die "could not install qemu-system-x86 from bookworm-backports"
	fi
}

install_rust_src() {
	command -v rustup >/dev/null || die "rustup not found: install the Rust toolchain (https://rustup.rs)"
	local sysroot
	sysroot=$(rustc --print sysroot)
	[ -d "$sysroot/lib/rustlib/src/rust/library/core" ] && return
	say "rustup component add rust-src"
	rustup component add rust-src >/dev/null 2>&1 || die "rustup component add rust-src failed"
}

install_bindgen() {
	local v
	if command -v bindgen >/dev/null 2>&1; then
		v=$(bindgen --version | awk '{print $2}')
		if printf '0.71.1\n%s\n' "$v" | sort -C -V; then return; fi
		say "bindgen $v is older than 0.71.1; upgrading"
	fi
	say "cargo install bindgen-cli (about 70 s)"
	cargo install --quiet --locked bindgen-cli >/dev/null 2>&1 || die "cargo install bindgen-cli failed"
}

case "${1:-all}" in
build) install_apt "${BUILD_PKGS[@]}"; install_rust_src; install_bindgen ;;
vm) install_apt "${VM_PKGS[@]}"; install_qemu ;;
all) install_apt "${BUILD_PKGS[@]}" "${VM_PKGS[@]}"; install_qemu; install_rust_src; install_bindgen ;;
*) die "unknown step '$1'" ;;
esac
