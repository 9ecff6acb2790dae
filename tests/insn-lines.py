#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Where a driver module's instructions go, by function, source line or
instruction, from a `make profile` run (PROFILE_MODE=insn).

The plugin's `tb` lines give every translation block's start address, its
instruction count and how often it ran; this spreads each block over its
instructions in the module's disassembly and, when the module was built
with debug information (make profile KRUSTFLAGS=-g), over source lines.

Usage: insn-lines.py --ko sgnic.ko --driver sgnic --workload rr
           [--out out/profile/insn] [--module sgnic] [--func SUBSTR]
           [--top N] [--asm]
Figures are per unit of work (rr: per transaction; sendfile: per MiB),
the mean over the driver's phases of that workload. The .ko must be the
one that was profiled. --func matches demangled names.
"""
import argparse
import bisect
import collections
import os
import re
import shutil
import subprocess
import sys


def objdump():
    for name in ("llvm-objdump", "llvm-objdump-22"):
        if shutil.which(name):
            return name
    sys.exit("insn-lines: no llvm-objdump (install llvm-22)")


def phases_of(guest_dir, driver, workload):
    phases = {}
    with open(os.path.join(guest_dir, "phases")) as f:
        for line in f:
            p, d, w, run, units, unit = line.split()
            if d == driver and w == workload:
                # Per MiB rather than per byte.
                n = int(units) / 1048576 if unit == "byte" else int(units)
                phases[int(p)] = (int(run), n)
    if not phases:
        sys.exit(f"insn-lines: no {driver} {workload} phase in {guest_dir}/phases")
    return phases


def module_symbols(guest_dir, run, module):
    syms = {}
    with open(os.path.join(guest_dir, f"ksyms.{run}")) as f:
        for line in f:
            fields = line.split()
            if len(fields) >= 4 and fields[3] == f"[{module}]" and fields[1] in "tT":
                syms[fields[2]] = int(fields[0], 16)
    return syms


def ko_symbols(ko):
    """Functions in the .ko's .text, by name: offset (in a relocatable
    object each section's symbols count from that section's start)."""
    out = subprocess.run([objdump(), "-t", ko], capture_output=True, text=True, check=True).stdout
    syms = {}
    for line in out.splitlines():
        fields = line.split()
        # value, flags..., section, size, name
        if len(fields) >= 5 and fields[-3] == ".text" and "F" in fields[1:-3]:
            syms[fields[-1]] = int(fields[0], 16)
    return syms


def text_size(ko):
    out = subprocess.run([objdump(), "-h", ko], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[1] == ".text":
            return int(fields[2], 16)
    sys.exit("insn-lines: the .ko has no .text")


def relocation(run_syms, ko_syms, size):
    """(delta, low, high): the run-time .text spans [low, high), and a
    run-time address - delta is the address in the .ko's .text."""
    pairs = [(addr, ko_syms[n]) for n, addr in run_syms.items() if n in ko_syms]
    if not pairs:
        sys.exit("insn-lines: the module's symbols do not match the .ko")
    delta = collections.Counter(a - v for a, v in pairs).most_common(1)[0][0]
    return delta, delta, delta + size


def disassemble(ko):
    text = subprocess.run([objdump(), "-d", "-l", "-C", "--no-show-raw-insn", "-j", ".text", ko],
                          capture_output=True, text=True, check=True).stdout
    insns, func, src = [], None, None
    for line in text.splitlines():
        m = re.match(r"^([0-9a-f]+) <(.*)>:", line)
        if m:
            func, src = m.group(2), None
            continue
        m = re.match(r"^; (\S+:\d+)", line)
        if m:
            src = m.group(1)
            continue
        m = re.match(r"^\s+([0-9a-f]+):\s+(.*)", line)
        if m:
            insns.append((int(m.group(1), 16), m.group(2).strip(), func, src))
    return insns


def short(src):
    return re.sub(r"^.*?/(rust|include|drivers|net|arch)/", r"\1/", src or "?")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ko", required=True)
    ap.add_argument("--driver", default="sgnic")
    ap.add_argument("--module", default="sgnic")
    ap.add_argument("--workload", default="rr")
    ap.add_argument("--out", default="out/profile/insn", help="make profile's output directory")
    ap.add_argument("--func", default="", help="only functions whose symbol contains this")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--asm", action="store_true", help="also list every instruction that ran")
    a = ap.parse_args()

    guest = os.path.join(a.out, "insn-vm", "guest", "insn")
    phases = phases_of(guest, a.driver, a.workload)
    ko_syms = ko_symbols(a.ko)
    size = text_size(a.ko)
    runs = {run: relocation(module_symbols(guest, run, a.module), ko_syms, size)
            for run, _ in phases.values()}
    insns = disassemble(a.ko)
    addrs = [i[0] for i in insns]

    per_insn = collections.Counter()
    with open(os.path.join(a.out, "insn-counts.txt")) as f:
        for line in f:
            fields = line.split()
            if len(fields) < 5 or fields[0] != "tb" or int(fields[1]) not in phases:
                continue
            run, units = phases[int(fields[1])]
            delta, low, high = runs[run]
            vaddr = int(fields[2], 16)
            if not low <= vaddr < high:
                continue
            i = bisect.bisect_left(addrs, vaddr - delta)
            if i == len(addrs) or addrs[i] != vaddr - delta:
                continue
            share = int(fields[4]) / units / len(phases)
            for k in range(i, min(i + int(fields[3]), len(insns))):
                per_insn[k] += share

    by_func, by_line = collections.Counter(), collections.Counter()
    for k, n in per_insn.items():
        _, _, func, src = insns[k]
        if a.func in (func or ""):
            by_func[func] += n
            by_line[short(src)] += n
    print(f"{sum(by_func.values()):,.1f} instructions per unit in {a.module}"
          f"{' matching ' + a.func if a.func else ''}")
    for func, n in by_func.most_common(a.top):
        print(f"{n:10.1f}  {func}")
    print()
    for src, n in by_line.most_common(a.top):
        print(f"{n:10.1f}  {src}")
    if a.asm:
        print()
        for k in sorted(per_insn):
            addr, text, func, src = insns[k]
            if a.func in (func or ""):
                print(f"{per_insn[k]:8.2f} {addr:6x} {text[:60]:60s} {short(src)}")


if __name__ == "__main__":
    main()
