#!/bin/bash
# Build the insncount QEMU plugin into the cache (once per source version).
# Prints the path of the shared object.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${SGNIC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sgnic}
key=$(cat "$HERE/insncount.c" "$HERE/qemu-plugin-api.h" | sha256sum | cut -c1-12)
so=$CACHE/plugin/insncount-$key.so
if [ ! -f "$so" ]; then
	command -v gcc >/dev/null || { echo "plugin: gcc not found" >&2; exit 1; }
	mkdir -p "$CACHE/plugin"
	gcc -O2 -Wall -Wextra -Wno-unused-parameter -shared -fPIC -fvisibility=hidden \
		-o "$so.tmp" "$HERE/insncount.c" && mv "$so.tmp" "$so"
fi
echo "$so"
