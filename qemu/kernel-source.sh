#!/bin/bash
# Fetch and unpack Debian's linux-source-7.3 into the sgnic cache.
#
# The package lives in trixie-backports. It is downloaded through a private
# apt configuration (own sources list, lists and cache directories), so the
# machine's apt sources never see trixie.
# Prints the path of the unpacked source tree on stdout.
set -euo pipefail

say() { printf '[kernel-src] %s\n' "$*" >&2; }
die() { printf '[kernel-src] error: %s\n' "$*" >&2; exit 1; }

CACHE=${SGNIC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sgnic}
KVER_MAJOR=${SGNIC_KERNEL_SERIES:-7.3}
PKG=linux-source-$KVER_MAJOR
SRC_ROOT=$CACHE/src

# Already unpacked?
tree=$SRC_ROOT/$PKG
if [ -f "$tree/.sgnic-unpacked" ]; then
	echo "$tree"
	exit 0
fi

APTDIR=$CACHE/apt
mkdir -p "$APTDIR"/{lists/partial,cache/archives/partial,sources.list.d} "$SRC_ROOT"
cat >"$APTDIR/sources.list" <<SRC
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie-backports main
SRC
APT_OPTS=(
	-o Dir::Etc::SourceList="$APTDIR/sources.list"
	-o Dir::Etc::SourceParts="$APTDIR/sources.list.d"
	-o Dir::State::Lists="$APTDIR/lists"
	-o Dir::Cache="$APTDIR/cache"
	-o APT::Get::List-Cleanup=0
	-o Debug::NoLocking=1
	-o APT::Sandbox::User=root
)

deb=$(ls "$SRC_ROOT/$PKG"_*.deb 2>/dev/null | head -1 || true)
if [ -z "$deb" ]; then
	say "downloading $PKG (~167 MB) through a private apt configuration"
	apt-get "${APT_OPTS[@]}" update -qq >/dev/null 2>&1 || die "apt-get update (private trixie-backports config) failed"
	(cd "$SRC_ROOT" && apt-get "${APT_OPTS[@]}" download -qq "$PKG" >/dev/null) ||
		die "apt-get download $PKG failed"
	deb=$(ls "$SRC_ROOT/$PKG"_*.deb | head -1)
fi

say "unpacking $(basename "$deb")"
tmp=$SRC_ROOT/.unpack
rm -rf "$tmp" "$tree" && mkdir -p "$tmp"
dpkg-deb -x "$deb" "$tmp"
tarball=$(ls "$tmp"/usr/src/"$PKG".tar.* | head -1) || die "no source tarball inside $deb"
tar -C "$SRC_ROOT" -xf "$tarball"
rm -rf "$tmp"
[ -f "$tree/Makefile" ] || die "unpacked tree $tree has no Makefile"
touch "$tree/.sgnic-unpacked"
echo "$tree"
