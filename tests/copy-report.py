#!/usr/bin/env python3
"""The measured copy table of `make vm`.

The demo (tests/guest/demo.sh) sends one file by every method while the
host's QEMU plugin (qemu/plugin/insncount.c) counts, per vCPU and per
phase: the bytes stored by the kernel's copy routines, the system calls
entered, and every kernel instruction. The sender runs on CPU 0 and the
receiver (its process and the NICs' interrupts) on CPU 1, so CPU 0's
counts are the send side and CPU 1's the receive side.

  copy-report.py plugin-args --kdir KDIR --out COUNTS
      the -plugin argument for QEMU (the plugin built if needed)
  copy-report.py report --kdir KDIR --counts COUNTS --guest-dir DIR
                        [--json OUT]
      the table on stdout, every figure in OUT
"""

import argparse
import bisect
import json
import os
import subprocess
import sys

# The kernel's copy routines on x86-64: copy_to_user/copy_from_user and
# their variants go through rep_movs_alternative (the guest CPU has no
# FSRM, so it is called, not inlined), memcpy into skbs through memcpy, and
# receive checksumming through csum_partial_copy_generic (or, with the
# generic checksum code, memcpy). The nocache (copy_to_nontemporal, once
# __copy_user_nocache) and machine-check variants are listed too. memcpy
# and __memcpy (memmove and __memmove) are one routine, counted once;
# KASAN's checked copies (__asan_memcpy) end in __memcpy too.
COPY_ROUTINES = [
    "rep_movs_alternative",
    "__copy_user_nocache",
    "copy_to_nontemporal",
    "memcpy",
    "__memcpy",
    "memcpy_orig",
    "memmove",
    "__memmove",
    "csum_partial_copy_generic",
    "copy_mc_fragile",
    "copy_mc_enhanced_fast_string",
]

MIB = 1024 * 1024

# The unit of every figure in a row of out/copy-table.json.
UNITS = {
    "payload_bytes": "bytes sent",
    "send_cpu_copied_bytes": "bytes written by the kernel's copy routines on the sender's CPU, in calls of more than 192 bytes",
    "recv_cpu_copied_bytes": "the same on the receiver's CPU",
    "send_header_copied_bytes": "bytes written by copy calls of at most 192 bytes (headers and skb metadata) on the sender's CPU",
    "recv_header_copied_bytes": "the same on the receiver's CPU",
    "send_copy_ratio": "send_cpu_copied_bytes / payload_bytes (CPU copies per payload byte)",
    "recv_copy_ratio": "recv_cpu_copied_bytes / payload_bytes",
    "send_copied_by_routine": "bytes per copy routine on the sender's CPU, headers included",
    "recv_copied_by_routine": "the same on the receiver's CPU",
    "send_copy_sizes": "copy calls on the sender's CPU by size (bytes, from-to): [bytes written, calls]",
    "recv_copy_sizes": "the same on the receiver's CPU",
    "syscalls": "system calls entered on the sender's CPU during the transfer (entry_SYSCALL_64 executions)",
    "user_kernel_transitions": "2 x syscalls (each call enters and leaves the kernel)",
    "syscalls_made_by_sender": "system calls the sending program counted itself (sgnic-test only)",
    "context_switches": "the sender's voluntary + involuntary context switches",
    "kernel_instructions_per_mib": "guest kernel instructions on the sender's CPU per MiB sent (a rep-prefixed string instruction counts once)",
    "kernel_instructions_per_mib_split": "the same, by function: the copy routines, net/ (TCP/IP and the core network code), the driver module, the rest",
    "recv_kernel_instructions_per_mib": "guest kernel instructions on the receiver's CPU per MiB",
    "sender_cpu_ms_per_mib": "the sending process's user + system CPU time per MiB, ms (getrusage; TCG time)",
    "mib_per_s": "wall-clock rate of the transfer, MiB/s",
    "seconds": "wall-clock time of the transfer, s",
    "tx_pagecache_bytes": "bytes the driver mapped from page-cache pages during the transfer (ethtool -S)",
    "tx_frag_bytes": "bytes the driver mapped from page fragments",
    "tx_head_bytes": "bytes the driver mapped from linear skb heads",
    "pagecache_fraction": "tx_pagecache_bytes / payload_bytes",
    "user_frag_fraction": "user pages handed over without a copy (MSG_ZEROCOPY, SEND_ZC) / payload_bytes",
    "cpu_copied_fraction": "what the driver's counters leave to a CPU copy / payload_bytes",
    "seeds_send_cpu_copies": "CPU copies on the send side in the seeds' model",
    "seeds_mode_switches": "user/kernel switches in the seeds' model",
    "phase": "the plugin's phase number of the transfer",
}

# What the seeds say each method costs: CPU copies on the send side.
SEEDS_SEND_COPIES = {
    "read-write": 2,
    "mmap-write": 1,
    "sendfile": 0,
    "sendfile-nosg": 1,
    "splice": 0,
    "zerocopy": 0,
    "io-uring-zc": 0,
    "java-transferto": 0,
    "nginx": 0,
}
SEEDS_SWITCHES = {"read-write": 4, "mmap-write": 4}


def die(msg):
    print(f"copy-report: {msg}", file=sys.stderr)
    sys.exit(1)


def text_symbols(system_map):
    """(address, name) of every text symbol, sorted by address."""
    syms = []
    with open(system_map) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and parts[1] in "tTwW":
                syms.append((int(parts[0], 16), parts[2]))
    syms.sort()
    return syms


def copy_ranges(syms):
    """[(name, start, end)] of the copy routines the kernel has, in the
    order passed to the plugin. A routine ends where the next symbol at a
    higher address starts."""
    addrs = [a for a, _ in syms]
    ranges = []
    for want in COPY_ROUTINES:
        starts = [a for a, n in syms if n == want]
        if not starts or any(start == starts[0] for _, start, _ in ranges):
            continue
        start = starts[0]
        i = bisect.bisect_right(addrs, start)
        if i >= len(addrs):
            continue
        ranges.append((want, start, addrs[i]))
    # memcpy is a 16-byte stub in front of memcpy_orig: a jump to it, or
    # with FSRM `rep movsb` (which the demo refuses). Only the routine it
    # jumps to is watched; the plugin needs each call to end in a `ret`.
    names = {n: (s, e) for n, s, e in ranges}
    if "memcpy" in names and "memcpy_orig" in names and names["memcpy"][1] == names["memcpy_orig"][0]:
        ranges = [r for r in ranges if r[0] != "memcpy"]
    return ranges


def symbol_address(syms, name):
    for a, n in syms:
        if n == name:
            return a
    die(f"no symbol {name} in the System.map")


def plugin_args(args):
    syms = text_symbols(os.path.join(args.kdir, "System.map"))
    ranges = copy_ranges(syms)
    if not any(n == "rep_movs_alternative" for n, _, _ in ranges):
        die("the kernel has no rep_movs_alternative: copy_to_user cannot be counted")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    so = subprocess.run(
        [os.path.join(root, "qemu/plugin/build.sh")], check=True, capture_output=True, text=True
    ).stdout.strip()
    spec = [
        so,
        f"marker={symbol_address(syms, '__x64_sys_sync'):x}",
        f"syscall={symbol_address(syms, 'entry_SYSCALL_64'):x}",
        "vcpus=on",
        "phases=32",
        f"out={args.out}",
    ]
    spec += [f"copy={s:x}-{e:x}" for _, s, e in ranges]
    print(",".join(spec))


def net_symbols(kdir):
    """Names of the functions built into net/ (the TCP/IP stack and the
    core networking code)."""
    archive = os.path.join(kdir, "net/built-in.a")
    try:
        out = subprocess.run(
            ["nm", "--defined-only", archive], check=True, capture_output=True, text=True
        ).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        die(f"cannot list {archive}: {e}")
    names = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tT":
            names.add(parts[2])
    return names


def module_symbols(path):
    syms = []
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3 and parts[1] in "tT":
                    syms.append((int(parts[0], 16), parts[2]))
    return syms


def read_counts(path):
    tbv, copies, small, sys_entries, sizes = [], {}, {}, {}, {}
    with open(path) as f:
        for line in f:
            p = line.split()
            if p[0] == "tbv":
                tbv.append((int(p[1]), int(p[2]), int(p[3], 16), int(p[4]) * int(p[5])))
            elif p[0] == "copy":
                key = (int(p[1]), int(p[2]))
                copies.setdefault(key, {})[int(p[3])] = int(p[4])
            elif p[0] == "size":
                lo = 1 << int(p[3])
                sizes.setdefault((int(p[1]), int(p[2])), {})[f"{lo}-{2 * lo - 1}"] = [int(p[4]), int(p[5])]
            elif p[0] == "small":
                small[(int(p[1]), int(p[2]))] = int(p[3])
            elif p[0] == "sys":
                sys_entries[(int(p[1]), int(p[2]))] = int(p[3])
    return tbv, copies, small, sys_entries, sizes


def read_rows(guest_dir):
    rows = []
    for name in ("copy-table.json", "copy-table-nosg.json", "copy-nginx.json", "copy-java.json"):
        path = os.path.join(guest_dir, name)
        if not os.path.exists(path):
            if name == "copy-java.json":
                continue  # an image without the Java add-on
            die(f"{path} is missing: the demo did not finish")
        with open(path) as f:
            doc = json.load(f)
        rows += doc["rows"]
    return rows


class Classifier:
    """Names the function an address lies in, and its category."""

    def __init__(self, syms, modsyms, copy_names, net_names):
        merged = sorted(syms + [(a, n) for a, n in modsyms])
        self.addrs = [a for a, _ in merged]
        self.names = [n for _, n in merged]
        self.module = {n for _, n in modsyms}
        self.copy = set(copy_names)
        self.net = net_names
        self.cache = {}

    def category(self, addr):
        if addr in self.cache:
            return self.cache[addr]
        i = bisect.bisect_right(self.addrs, addr) - 1
        name = self.names[i] if i >= 0 else ""
        if name in self.copy:
            cat = "copy"
        elif name in self.module:
            cat = "driver"
        elif name in self.net:
            cat = "tcp_ip"
        else:
            cat = "rest"
        self.cache[addr] = cat
        return cat


def report(args):
    syms = text_symbols(os.path.join(args.kdir, "System.map"))
    ranges = copy_ranges(syms)
    tbv, copies, small, sys_entries, sizes = read_counts(args.counts)
    if not tbv:
        die(f"{args.counts} has no per-vCPU counts: was the plugin given vcpus=on?")
    rows = read_rows(args.guest_dir)
    classify = Classifier(
        syms,
        module_symbols(os.path.join(args.guest_dir, "copy-ksyms")),
        [n for n, _, _ in ranges],
        net_symbols(args.kdir),
    )
    per_phase = {}
    for phase, vcpu, addr, insns in tbv:
        split = per_phase.setdefault((phase, vcpu), {"copy": 0, "tcp_ip": 0, "driver": 0, "rest": 0})
        split[classify.category(addr)] += insns

    out_rows = []
    for row in rows:
        method = row["method"]
        if row.get("unsupported") or "phase" not in row:
            out_rows.append({"method": method, "unsupported": True, "error": row.get("error", "")})
            continue
        phase, payload = row["phase"], row["bytes"]
        mib = payload / MIB if payload else 1

        def copied_all(vcpu):
            return sum(copies.get((phase, vcpu), {}).values())

        def copied(vcpu):
            # Headers aside: calls of at most 192 bytes (a copied-out ACK, a
            # segment's headers moved when the stack linearizes it).
            return copied_all(vcpu) - small.get((phase, vcpu), 0)

        def by_routine(vcpu):
            got = copies.get((phase, vcpu), {})
            return {ranges[r][0]: b for r, b in sorted(got.items()) if r < len(ranges)}

        send_split = per_phase.get((phase, 0), {"copy": 0, "tcp_ip": 0, "driver": 0, "rest": 0})
        recv_split = per_phase.get((phase, 1), {"copy": 0, "tcp_ip": 0, "driver": 0, "rest": 0})
        syscalls = sys_entries.get((phase, 0), 0)
        out = {
            "method": method,
            "payload_bytes": payload,
            "send_cpu_copied_bytes": copied(0),
            "recv_cpu_copied_bytes": copied(1),
            "send_header_copied_bytes": small.get((phase, 0), 0),
            "recv_header_copied_bytes": small.get((phase, 1), 0),
            "send_copy_ratio": round(copied(0) / payload, 4) if payload else None,
            "recv_copy_ratio": round(copied(1) / payload, 4) if payload else None,
            "send_copied_by_routine": by_routine(0),
            "send_copy_sizes": sizes.get((phase, 0), {}),
            "recv_copy_sizes": sizes.get((phase, 1), {}),
            "recv_copied_by_routine": by_routine(1),
            "syscalls": syscalls,
            "user_kernel_transitions": 2 * syscalls,
            "syscalls_made_by_sender": row.get("syscalls"),
            "context_switches": row.get("context_switches"),
            "kernel_instructions_per_mib": round(sum(send_split.values()) / mib),
            "kernel_instructions_per_mib_split": {k: round(v / mib) for k, v in send_split.items()},
            "recv_kernel_instructions_per_mib": round(sum(recv_split.values()) / mib),
            "sender_cpu_ms_per_mib": (
                round((row["user_s"] + row["sys_s"]) * 1000 / mib, 3) if "sys_s" in row else None
            ),
            "seeds_send_cpu_copies": SEEDS_SEND_COPIES.get(method),
            "seeds_mode_switches": SEEDS_SWITCHES.get(method, 2),
            "phase": phase,
        }
        if "mib_per_s" not in row and row.get("seconds"):
            out["mib_per_s"] = round(mib / row["seconds"], 3)
        for key in (
            "seconds",
            "mib_per_s",
            "sha256",
            "tx_pagecache_bytes",
            "tx_frag_bytes",
            "tx_head_bytes",
            "pagecache_fraction",
            "user_frag_fraction",
            "cpu_copied_fraction",
        ):
            if key in row:
                out[key] = row[key]
        out_rows.append(out)

    doc = {
        "units": UNITS,
        "copy_routines": [n for n, _, _ in ranges],
        "rows": out_rows,
    }
    if args.json:
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
    print(table(out_rows))


# The send side's copies per payload byte that `check` expects: the
# seeds' counts, which the measurement confirms (Documentation/zero-copy.md).
# Every method's receive side makes one copy; `check` allows up to 10% more
# there: a slow reader (curl under TCG) makes TCP collapse its receive
# queue, which copies queued data again (4-8 KiB memcpy calls).
EXPECTED_SEND_RATIO = {
    "read-write": 2.0,
    "mmap-write": 1.0,
    "sendfile": 0.0,
    "sendfile-nosg": 1.0,
    "splice": 0.0,
    "zerocopy": 0.0,
    "io-uring-zc": 0.0,
    "nginx": 0.0,
    "java-transferto": 0.0,
}
TOLERANCE = 0.01


def check(args):
    """Exit status 0 if every method's measured send-side copies are within
    1% of the payload of what it should cost; one line per method."""
    with open(args.json) as f:
        rows = {r["method"]: r for r in json.load(f)["rows"]}
    bad = []
    for method, want in EXPECTED_SEND_RATIO.items():
        row = rows.get(method)
        if row is None or row.get("unsupported"):
            bad.append(f"{method}: not measured")
            continue
        got = row["send_copy_ratio"]
        if got is None or abs(got - want) > TOLERANCE:
            bad.append(f"{method}: {got}x copied on the send side, not {want}x")
        recv = row.get("recv_copy_ratio")
        if recv is None or not 0.99 <= recv <= 1.10:
            bad.append(f"{method}: {recv}x copied on the receive side, not one copy")
        if method in ("java-transferto", "nginx") and (row.get("pagecache_fraction") or 0) < 0.99:
            bad.append(f"{method}: only {row.get('pagecache_fraction')} of the payload from the page cache")
        if not row.get("syscalls") or not row.get("kernel_instructions_per_mib"):
            bad.append(f"{method}: no system calls or instructions counted")
    summary = ", ".join(f"{m} {rows[m]['send_copy_ratio']}x" for m in EXPECTED_SEND_RATIO if m in rows and not rows[m].get("unsupported"))
    if bad:
        print("; ".join(bad))
        sys.exit(1)
    print(f"send-side copies per payload byte: {summary}")


def table(rows):
    head = (
        "measured by the QEMU plugin (send side: the sender's CPU; receive side: the receiver's)\n"
        "method           MiB  send copies  recv copies  syscalls  ctxsw  sender CPU ms/MiB  MiB/s"
        "  kernel insns/MiB sent (copy / net/ / driver / rest)  seeds: copies\n"
    )
    lines = [head.rstrip("\n")]
    for r in rows:
        if r.get("unsupported"):
            lines.append(f"{r['method']:<13} unsupported: {r.get('error', '')}")
            continue
        s = r["kernel_instructions_per_mib_split"]
        cpu = r.get("sender_cpu_ms_per_mib")
        rate = r.get("mib_per_s")
        lines.append(
            f"{r['method']:<15} {r['payload_bytes'] / MIB:5.1f}  {r['send_copy_ratio']:10.3f}x"
            f"  {r['recv_copy_ratio']:10.3f}x  {r['syscalls']:8}  {r['context_switches'] or 0:5}"
            f"  {'-' if cpu is None else f'{cpu:17.2f}':>17}  {'-' if rate is None else f'{rate:5.1f}':>5}"
            f"  {r['kernel_instructions_per_mib']:9,} ({s['copy']:,} / {s['tcp_ip']:,} / {s['driver']:,} / {s['rest']:,})"
            f"  {r['seeds_send_cpu_copies']}"
        )
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    pa = sub.add_parser("plugin-args")
    pa.add_argument("--kdir", required=True)
    pa.add_argument("--out", required=True)
    rp = sub.add_parser("report")
    rp.add_argument("--kdir", required=True)
    rp.add_argument("--counts", required=True)
    rp.add_argument("--guest-dir", required=True)
    rp.add_argument("--json")
    ck = sub.add_parser("check")
    ck.add_argument("--json", required=True)
    args = ap.parse_args()
    if args.cmd == "plugin-args":
        plugin_args(args)
    elif args.cmd == "check":
        check(args)
    else:
        report(args)


if __name__ == "__main__":
    main()
