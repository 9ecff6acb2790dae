#!/usr/bin/env python3
"""Instruction-count profile of sgnic against the C e1000 driver.

Input: the counts written by qemu/plugin/insncount.c (guest kernel
instructions per translation block and MMIO accesses per instruction, per
phase), the kernel's System.map, and the guest's /out/insn directory
(tests/guest/insn-profile.sh: which phase ran which driver and workload,
and the driver's symbols as loaded). Output: per workload, the kernel
instructions and device accesses per unit of work for each driver, and the
functions where the two differ most. The counts are exact, so runs of the
same driver agree closely and small differences are real.
"""
import argparse
import json
import bisect
import collections
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rust_demangle import demangle  # noqa: E402

# 8254x registers by offset (the ones either driver touches on the datapath).
NIC_REGS = {
    0x0000: "CTRL", 0x0008: "STATUS", 0x0020: "MDIC (PHY)", 0x00C0: "ICR", 0x00C4: "ITR", 0x00C8: "ICS",
    0x00D0: "IMS", 0x00D8: "IMC", 0x0100: "RCTL", 0x0400: "TCTL", 0x2810: "RDH",
    0x2818: "RDT", 0x3810: "TDH", 0x3818: "TDT", 0x4010: "MPC", 0x40A0: "RNBC",
}
LAPIC_BASE = 0xFEE00000
# The local APIC accesses worth showing: one EOI per interrupt, one ICR
# write per IPI sent, one timer-count write per timer reprogram.
LAPIC_REGS = {(0x0B0, "w"): "EOI writes", (0x300, "w"): "IPIs sent", (0x380, "w"): "timer reprograms"}


def nic_register(offset):
    """The register's name; the statistics block (which the C driver's
    watchdog reads every two seconds) as one."""
    if offset in NIC_REGS:
        return NIC_REGS[offset]
    if 0x4000 <= offset < 0x4100:
        return "statistics"
    return f"0x{offset:04x}"


def load_symbols(paths):
    syms = []
    for path in paths:
        with open(path) as f:
            for line in f:
                fields = line.split()
                if len(fields) >= 3 and fields[1] in "tTwW":
                    try:
                        syms.append((int(fields[0], 16), fields[2]))
                    except ValueError:
                        continue
    syms.sort()
    return [a for a, _ in syms], [n for _, n in syms]


def short(name):
    return demangle(name).replace("sgnic_main::", "")


class Phase:
    def __init__(self, number, driver, workload, run, units, unit):
        self.number, self.driver, self.workload, self.run = number, driver, workload, run
        self.units, self.unit = units, unit
        self.by_function = collections.Counter()
        self.module = 0
        self.rust_helpers = 0
        self.total = 0
        self.blocks = 0
        self.module_blocks = 0
        self.nic = collections.Counter()
        self.lapic = collections.Counter()
        self.module_names = set()


def read_phases(guest_dir):
    phases = {}
    with open(os.path.join(guest_dir, "phases")) as f:
        for line in f:
            p, driver, workload, run, units, unit = line.split()
            phases[int(p)] = Phase(int(p), driver, workload, int(run), int(units), unit)
    return phases


def read_bars(guest_dir):
    bars = []
    path = os.path.join(guest_dir, "nic-bars")
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                _, start, end, _ = line.split()
                bars.append((int(start, 16), int(end, 16)))
    return bars


def attribute(counts, phases, system_map, guest_dir):
    kernel = load_symbols([system_map])
    tables = {}
    for p in phases.values():
        if p.run not in tables:
            module = load_symbols([os.path.join(guest_dir, f"ksyms.{p.run}")])
            merged = sorted(zip(kernel[0] + module[0], kernel[1] + module[1]))
            tables[p.run] = ([a for a, _ in merged], [n for _, n in merged], set(module[1]))
    bars = read_bars(guest_dir)
    with open(counts) as f:
        for line in f:
            fields = line.split()
            phase = phases.get(int(fields[1]))
            if phase is None:
                continue
            addrs, names, module_names = tables[phase.run]
            phase.module_names = module_names
            if fields[0] == "tb":
                vaddr, insns, runs = int(fields[2], 16), int(fields[3]), int(fields[4])
                i = bisect.bisect_right(addrs, vaddr) - 1
                name = names[i] if i >= 0 else "?"
                n = insns * runs
                phase.total += n
                phase.blocks += runs
                phase.by_function[name] += n
                if name in module_names:
                    phase.module += n
                    phase.module_blocks += runs
                elif name.startswith("rust_helper_"):
                    phase.rust_helpers += n
                    phase.module_blocks += runs
            elif fields[0] == "io":
                phys, rw, n = int(fields[3], 16), fields[4], int(fields[5])
                for start, end in bars:
                    if start <= phys <= end:
                        reg = nic_register(phys - start)
                        phase.nic[(reg, rw)] += n
                        break
                else:
                    name = LAPIC_REGS.get((phys - LAPIC_BASE, rw))
                    if name:
                        phase.lapic[name] += n


def per_unit(phases, getter):
    """Mean over a driver's runs of getter(phase) / units."""
    vals = [getter(p) / p.units for p in phases]
    return sum(vals) / len(vals), vals


def summary(phases):
    """The headline figures per unit of work, as JSON-ready data:
    {"workloads": {WORKLOAD: {"unit": ..., "sgnic": {...}, "e1000": {...}}}}.
    driver_instructions is the driver module's own code plus the kernel's
    Rust helpers it calls (the C shims are part of the module)."""
    out = {}
    for p in sorted(phases, key=lambda p: p.number):
        if p.driver == "warmup":
            continue
        w = out.setdefault(p.workload, {"runs": collections.defaultdict(list), "unit": p.unit})
        w["runs"][p.driver].append(p)
    workloads = {}
    for name, w in out.items():
        scale, label = (1 << 20, "MiB") if w["unit"] == "byte" else (1, w["unit"])
        entry = {"unit": label}
        for driver, ps in sorted(w["runs"].items()):
            def mean(getter):
                return per_unit(ps, getter)[0] * scale
            entry[driver] = {
                "runs": len(ps),
                "kernel_instructions": mean(lambda p: p.total),
                "driver_instructions": mean(lambda p: p.module + p.rust_helpers),
                "translation_blocks": mean(lambda p: p.blocks),
                "nic_accesses": mean(lambda p: sum(p.nic.values())),
            }
        workloads[name] = entry
    return {"workloads": workloads}


def report(workload, phases, top):
    by_driver = collections.defaultdict(list)
    for p in phases:
        if p.workload == workload and p.driver != "warmup":
            by_driver[p.driver].append(p)
    if "sgnic" not in by_driver or "e1000" not in by_driver:
        return f"## {workload}: missing a driver's runs\n"
    unit = by_driver["sgnic"][0].unit
    scale, label = (1 << 20, "MiB") if unit == "byte" else (1, unit)
    out = [f"## {workload}: per {label}, mean of each driver's runs (sgnic, e1000)\n"]
    out.append("| per " + label + " | sgnic | e1000 | sgnic/e1000 | sgnic runs | e1000 runs |")
    out.append("|---|---|---|---|---|---|")

    def row(title, getter, fmt="{:,.0f}"):
        a, av = per_unit(by_driver["sgnic"], getter)
        b, bv = per_unit(by_driver["e1000"], getter)
        a, b = a * scale, b * scale
        ratio = f"{a / b:.3f}" if b else "-"
        runs = lambda vs: " / ".join(fmt.format(v * scale) for v in vs)  # noqa: E731
        out.append(f"| {title} | {fmt.format(a)} | {fmt.format(b)} | {ratio} | {runs(av)} | {runs(bv)} |")

    row("guest kernel instructions", lambda p: p.total)
    row("... in the driver module", lambda p: p.module)
    row("... in the kernel's Rust helpers", lambda p: p.rust_helpers)
    row("... elsewhere in the kernel", lambda p: p.total - p.module - p.rust_helpers)
    # Under TCG every executed translation block costs a dispatch, and every
    # call and return starts a new one: code split into many small calls
    # costs more than its instruction count says.
    row("translation blocks executed", lambda p: p.blocks)
    row("... in the driver module and Rust helpers", lambda p: p.module_blocks)
    regs = sorted({k for p in by_driver["sgnic"] + by_driver["e1000"] for k, n in p.nic.items()
                   if n * scale / p.units >= 0.005})
    for reg, rw in regs:
        verb = "reads" if rw == "r" else "writes"
        row(f"NIC {reg} {verb}", lambda p, k=(reg, rw): p.nic[k], "{:,.2f}")
    row("NIC register accesses, all", lambda p: sum(p.nic.values()), "{:,.2f}")
    for name in LAPIC_REGS.values():
        row(f"local APIC: {name}", lambda p, k=name: p.lapic[k], "{:,.2f}")

    diff = collections.Counter()
    mean = lambda ps, name: sum(p.by_function[name] / p.units for p in ps) / len(ps) * scale  # noqa: E731
    names = set()
    for p in by_driver["sgnic"] + by_driver["e1000"]:
        names |= set(p.by_function)
    for name in names:
        diff[name] = mean(by_driver["sgnic"], name) - mean(by_driver["e1000"], name)
    out.append(f"\nFunctions that differ most (instructions per {label}; + means sgnic runs more):\n")
    out.append("| sgnic - e1000 | sgnic | e1000 | function |")
    out.append("|---|---|---|---|")
    for name, d in sorted(diff.items(), key=lambda kv: -abs(kv[1]))[:top]:
        fn = short(name)
        if len(fn) > 90:
            fn = fn[:87] + "..."
        out.append(
            f"| {d:+,.0f} | {mean(by_driver['sgnic'], name):,.0f} | "
            f"{mean(by_driver['e1000'], name):,.0f} | `{fn}` |"
        )
    out.append(f"\nEach driver's own code, by function (instructions per {label}):\n")
    out.append("| sgnic | function | e1000 | function |")
    out.append("|---|---|---|---|")
    own = {}
    for drv in ("sgnic", "e1000"):
        ps = by_driver[drv]
        names = {n for p in ps for n in p.by_function if n in p.module_names or n.startswith("rust_helper_")}
        own[drv] = sorted(((mean(ps, n), n) for n in names), reverse=True)[:top]
    for i in range(max(len(own["sgnic"]), len(own["e1000"]))):
        cells = []
        for drv in ("sgnic", "e1000"):
            if i < len(own[drv]):
                v, n = own[drv][i]
                fn = short(n)
                cells += [f"{v:,.0f}", f"`{fn[:70]}`"]
            else:
                cells += ["", ""]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("counts")
    ap.add_argument("--system-map", required=True)
    ap.add_argument("--guest-dir", required=True)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--out", help="also write the report here")
    ap.add_argument("--json", help="write the headline figures per unit of work here, as JSON")
    args = ap.parse_args()
    phases = read_phases(args.guest_dir)
    if not phases:
        sys.exit("insn-report: the guest recorded no phases")
    attribute(args.counts, phases, args.system_map, args.guest_dir)
    empty = [p.number for p in phases.values() if p.total == 0]
    if empty:
        sys.exit(f"insn-report: phases {empty} have no instructions: the phase markers are off")
    workloads = list(dict.fromkeys(p.workload for p in sorted(phases.values(), key=lambda p: p.number)))
    text = "\n".join(report(w, list(phases.values()), args.top) for w in workloads)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(summary(list(phases.values())), f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
