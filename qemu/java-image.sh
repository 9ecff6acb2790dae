#!/bin/bash
# Build the Java add-on for the guest initramfs: a Java runtime cut down to
# java.base with jlink (about 30 MB instead of Debian's 190 MB JRE, so the
# boot that carries it stays short), its shared libraries, and
# tests/java/TransferTo.class. Cached by content; prints the path of the
# gzipped cpio archive.
#
# Linux unpacks concatenated initramfs archives in order, so
#   cat initramfs.cpio.gz java.cpio.gz >initramfs-java.cpio.gz
# is the default image plus /opt/java. Only the boots that measure the copy
# table (make vm's demo, make test's plugin boot) load it.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
CACHE=${SGNIC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sgnic}
die() { printf 'java-image: error: %s\n' "$*" >&2; exit 1; }

JDK=${SGNIC_JDK:-/usr/lib/jvm/java-17-openjdk-amd64}
for tool in javac jlink; do
	[ -x "$JDK/bin/$tool" ] || die "$JDK/bin/$tool not found (run: make deps; it installs openjdk-17-jdk-headless)"
done
[ -f "$JDK/jmods/java.base.jmod" ] || die "$JDK/jmods has no java.base.jmod (run: make deps; it installs openjdk-17-jmods)"

src=$ROOT/tests/java/TransferTo.java
# The host's libraries go into the archive too: their versions are part of
# the key.
key=$( (cat "$0" "$src"; "$JDK/bin/javac" -version 2>&1; ldd --version | head -1
	dpkg-query -W libstdc++6 zlib1g 2>/dev/null) | sha256sum | cut -c1-12)
out=$CACHE/java/java-$key.cpio.gz
if [ -f "$out" ]; then
	echo "$out"
	exit 0
fi
mkdir -p "$CACHE/java"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
chmod 755 "$stage"
"$JDK/bin/jlink" --add-modules java.base --strip-debug --no-header-files --no-man-pages \
	--compress=2 --output "$stage/opt/java" || die "jlink failed"
mkdir -p "$stage/opt/java-demo"
"$JDK/bin/javac" -d "$stage/opt/java-demo" "$src" || die "javac failed"
# The runtime's shared libraries that the default image may lack (it has
# glibc already, for nginx and curl; copies of the same files are harmless).
find "$stage/opt/java" -name '*.so' -o -path '*/bin/java' | while read -r f; do
	ldd "$f" 2>/dev/null | grep -o '/[^ ]*' || true
done | sort -u | while read -r lib; do
	[ -f "$lib" ] || continue
	mkdir -p "$stage$(dirname "$lib")"
	cp -L "$lib" "$stage$lib"
done
(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
