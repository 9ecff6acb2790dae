#!/bin/bash
# Print the LLVM= argument an external module needs for KDIR: nothing for
# a gcc-built kernel, LLVM=<dir>/ (the matching versioned LLVM) for a
# clang-built one. Kbuild requires the module to use the kernel's compiler.
set -euo pipefail
kdir=$1
config=$kdir/.config
grep -qx 'CONFIG_CC_IS_CLANG=y' "$config" || exit 0
version=$(sed -n 's/^CONFIG_CLANG_VERSION=//p' "$config")
dir=/usr/lib/llvm-$((version / 10000))/bin/
if [ -x "${dir}clang" ]; then
	echo "LLVM=$dir"
else
	echo "LLVM=1"
fi
