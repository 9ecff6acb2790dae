#!/usr/bin/env python3
"""Instruction-count profile of sgnic against the in-tree C driver (e1000 on
the 8254x, igb on the 82576: whichever other driver the guest's phases name).

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


# 82576 registers by offset. Queues 0-3 have their RX and TX registers at
# the 8254x's places (0x2800 + 0x100n, 0x3800 + 0x100n; the C igb uses
# these), and every queue also at 0xC000 + 0x40n and 0xE000 + 0x40n.
IGB_REGS = {
    0x0000: "CTRL", 0x0008: "STATUS", 0x0018: "CTRL_EXT", 0x0020: "MDIC (PHY)", 0x00C0: "ICR",
    0x00C8: "ICS", 0x00D0: "IMS", 0x00D8: "IMC", 0x00E0: "IAM", 0x0100: "RCTL", 0x0400: "TCTL",
    0x1514: "GPIE", 0x1520: "EICS", 0x1524: "EIMS", 0x1528: "EIMC", 0x152C: "EIAC", 0x1530: "EIAM",
    0x1580: "EICR", 0x4010: "MPC", 0x40A0: "RNBC",
}
for _q in range(16):
    for _name, _rx, _off in (("RDH", True, 0x10), ("RDT", True, 0x18), ("TDH", False, 0x10), ("TDT", False, 0x18)):
        IGB_REGS[(0xC000 if _rx else 0xE000) + 0x40 * _q + _off] = f"{_name}[{_q}]"
        if _q < 4:
            IGB_REGS[(0x2800 if _rx else 0x3800) + 0x100 * _q + _off] = f"{_name}[{_q}]"
    IGB_REGS[0x1680 + 4 * _q] = f"EITR[{_q}]"
    IGB_REGS[0x1700 + 4 * _q] = f"IVAR[{_q}]"


def registers_for(baseline):
    """The register names of the family the baseline driver drives."""
    return IGB_REGS if baseline == "igb" else NIC_REGS


def baseline_of(phases):
    """The C driver the phases compare sgnic with (e1000 if none ran)."""
    others = sorted({p.driver for p in phases} - {"sgnic", "warmup"})
    return others[0] if others else "e1000"


def nic_register(offset, regs=None):
    """The register's name; the statistics block (which the C driver's
    watchdog reads every two seconds) as one."""
    regs = NIC_REGS if regs is None else regs
    if offset in regs:
        return regs[offset]
    # The 82576's statistics block runs on past the 8254x's.
    if 0x4000 <= offset < (0x4400 if regs is IGB_REGS else 0x4100):
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


def read_optional(guest_dir, name):
    """The lines of an optional guest file (absent in older runs)."""
    path = os.path.join(guest_dir, name)
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [line.split(None, 3) for line in f if line.strip()]


def read_unsupported(guest_dir):
    """{workload: {driver: reason}}: the workloads a driver refused (the
    warm-up pass's refusals left out)."""
    out = {}
    for fields in read_optional(guest_dir, "unsupported"):
        if len(fields) >= 3 and fields[0] != "warmup":
            out.setdefault(fields[2], {})[fields[0]] = fields[3].strip() if len(fields) > 3 else ""
    return out


def read_queues(guest_dir):
    """{driver: sorted queue-pair counts it started its runs with}."""
    out = {}
    for fields in read_optional(guest_dir, "queues"):
        if len(fields) >= 3 and fields[1] != "warmup":
            out.setdefault(fields[1], set()).add(int(fields[2]))
    return {d: sorted(v) for d, v in out.items()}


def read_bars(guest_dir):
    bars = []
    path = os.path.join(guest_dir, "nic-bars")
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                _, start, end, _ = line.split()
                bars.append((int(start, 16), int(end, 16)))
    return bars


def attribute(counts, phases, system_map, guest_dir, regs=None):
    if regs is None:
        regs = registers_for(baseline_of(phases.values()))
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
                        reg = nic_register(phys - start, regs)
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


def summary(phases, refused=None):
    """The headline figures per unit of work, as JSON-ready data:
    {"workloads": {WORKLOAD: {"unit": ..., "sgnic": {...}, "e1000": {...}}}}
    (the C driver's key is its name: "igb" on the 82576).
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
    for name, by_driver in (refused or {}).items():
        workloads.setdefault(name, {})["unsupported"] = by_driver
    return {"workloads": workloads}


def report(workload, phases, top, base=None, refused=None):
    """The per-unit tables of one workload. base: the C driver (found from
    the phases if not given); refused: {driver: reason} for a driver that
    refused the workload's setup, whose columns then say so."""
    base = base or baseline_of(phases)
    refused = refused or {}
    by_driver = collections.defaultdict(list)
    for p in phases:
        if p.workload == workload and p.driver != "warmup":
            by_driver[p.driver].append(p)
    present = [d for d in ("sgnic", base) if d in by_driver]
    if not present:
        return f"## {workload}: no driver ran it\n"
    missing = [d for d in ("sgnic", base) if d not in by_driver]
    if missing and not all(d in refused for d in missing):
        return f"## {workload}: missing a driver's runs ({', '.join(missing)})\n"
    unit = by_driver[present[0]][0].unit
    scale, label = (1 << 20, "MiB") if unit == "byte" else (1, unit)
    out = [f"## {workload}: per {label}, mean of each driver's runs (sgnic, {base})\n"]
    for d in missing:
        out.append(f"Not measured for {d}: it refused the setup ({refused[d]}).\n")
    out.append(f"| per {label} | sgnic | {base} | sgnic/{base} | sgnic runs | {base} runs |")
    out.append("|---|---|---|---|---|---|")

    def row(title, getter, fmt="{:,.0f}"):
        cells, runs = [], []
        for d in ("sgnic", base):
            if d in by_driver:
                v, vs = per_unit(by_driver[d], getter)
                cells.append(v * scale)
                runs.append(" / ".join(fmt.format(x * scale) for x in vs))
            else:
                cells.append(None)
                runs.append("-")
        a, b = cells
        ratio = f"{a / b:.3f}" if a is not None and b else "-"
        shown = ["-" if v is None else fmt.format(v) for v in cells]
        out.append(f"| {title} | {shown[0]} | {shown[1]} | {ratio} | {runs[0]} | {runs[1]} |")

    row("guest kernel instructions", lambda p: p.total)
    row("... in the driver module", lambda p: p.module)
    row("... in the kernel's Rust helpers", lambda p: p.rust_helpers)
    row("... elsewhere in the kernel", lambda p: p.total - p.module - p.rust_helpers)
    # Under TCG every executed translation block costs a dispatch, and every
    # call and return starts a new one: code split into many small calls
    # costs more than its instruction count says.
    row("translation blocks executed", lambda p: p.blocks)
    row("... in the driver module and Rust helpers", lambda p: p.module_blocks)
    everyone = [p for d in present for p in by_driver[d]]
    regs = sorted({k for p in everyone for k, n in p.nic.items() if n * scale / p.units >= 0.005})
    for reg, rw in regs:
        verb = "reads" if rw == "r" else "writes"
        row(f"NIC {reg} {verb}", lambda p, k=(reg, rw): p.nic[k], "{:,.2f}")
    row("NIC register accesses, all", lambda p: sum(p.nic.values()), "{:,.2f}")
    for name in LAPIC_REGS.values():
        row(f"local APIC: {name}", lambda p, k=name: p.lapic[k], "{:,.2f}")

    if missing:
        out.append(f"\nThe driver's own code, by function (instructions per {label}):\n")
        out.append("| instructions | function |")
        out.append("|---|---|")
        ps = by_driver[present[0]]
        names = {n for p in ps for n in p.by_function if n in p.module_names or n.startswith("rust_helper_")}
        mean1 = lambda name: sum(p.by_function[name] / p.units for p in ps) / len(ps) * scale  # noqa: E731
        for v, n in sorted(((mean1(n), n) for n in names), reverse=True)[:top]:
            out.append(f"| {v:,.0f} | `{short(n)[:70]}` |")
        return "\n".join(out) + "\n"

    diff = collections.Counter()
    mean = lambda ps, name: sum(p.by_function[name] / p.units for p in ps) / len(ps) * scale  # noqa: E731
    names = set()
    for p in by_driver["sgnic"] + by_driver[base]:
        names |= set(p.by_function)
    for name in names:
        diff[name] = mean(by_driver["sgnic"], name) - mean(by_driver[base], name)
    out.append(f"\nFunctions that differ most (instructions per {label}; + means sgnic runs more):\n")
    out.append(f"| sgnic - {base} | sgnic | {base} | function |")
    out.append("|---|---|---|---|")
    for name, d in sorted(diff.items(), key=lambda kv: -abs(kv[1]))[:top]:
        fn = short(name)
        if len(fn) > 90:
            fn = fn[:87] + "..."
        out.append(
            f"| {d:+,.0f} | {mean(by_driver['sgnic'], name):,.0f} | "
            f"{mean(by_driver[base], name):,.0f} | `{fn}` |"
        )
    out.append(f"\nEach driver's own code, by function (instructions per {label}):\n")
    out.append(f"| sgnic | function | {base} | function |")
    out.append("|---|---|---|---|")
    own = {}
    for drv in ("sgnic", base):
        ps = by_driver[drv]
        names = {n for p in ps for n in p.by_function if n in p.module_names or n.startswith("rust_helper_")}
        own[drv] = sorted(((mean(ps, n), n) for n in names), reverse=True)[:top]
    for i in range(max(len(own["sgnic"]), len(own[base]))):
        cells = []
        for drv in ("sgnic", base):
            if i < len(own[drv]):
                v, n = own[drv][i]
                fn = short(n)
                cells += [f"{v:,.0f}", f"`{fn[:70]}`"]
            else:
                cells += ["", ""]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


def queue_scaling(phases, base, refused):
    """Per driver, the 4-flow sendfile at 2 queue pairs against 1: kernel
    instructions and NIC accesses per MiB, q2/q1. Empty without those
    workloads."""
    if not any(p.workload in ("sendfile4-q1", "sendfile4-q2") for p in phases):
        return ""
    out = ["## 4-flow sendfile: 2 queue pairs against 1, per MiB\n",
           "| driver | kernel instructions q1 | q2 | q2/q1 | NIC accesses q1 | q2 | q2/q1 |",
           "|---|---|---|---|---|---|---|"]
    for d in ("sgnic", base):
        got = {}
        for w in ("sendfile4-q1", "sendfile4-q2"):
            ps = [p for p in phases if p.driver == d and p.workload == w]
            if ps:
                got[w] = (per_unit(ps, lambda p: p.total)[0] * (1 << 20),
                          per_unit(ps, lambda p: sum(p.nic.values()))[0] * (1 << 20))
        if len(got) == 2:
            (i1, n1), (i2, n2) = got["sendfile4-q1"], got["sendfile4-q2"]
            out.append(f"| {d} | {i1:,.0f} | {i2:,.0f} | {i2 / i1:.3f} | {n1:,.2f} | {n2:,.2f} | "
                       f"{(n2 / n1) if n1 else 0:.3f} |")
        else:
            why = "; ".join(f"{w}: {refused[w][d]}" for w in ("sendfile4-q1", "sendfile4-q2")
                            if d in refused.get(w, {}))
            out.append(f"| {d} | not measured: {why or 'missing runs'} | | | | | |")
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
    base = baseline_of(phases.values())
    refused = read_unsupported(args.guest_dir)
    queues = read_queues(args.guest_dir)
    head = []
    if base != "e1000":
        head.append(f"# sgnic against the C {base} driver: guest kernel instructions and MMIO accesses\n")
    if queues and any(v != [1] for v in queues.values()):
        head.append("Queue pairs each driver started with (its default; the sendfile4-qN workloads set N "
                    "on both ports): " + ", ".join(f"{d} {'/'.join(map(str, v))}" for d, v in queues.items())
                    + ".\n")
    text = "\n".join(head + [report(w, list(phases.values()), args.top, base, refused.get(w))
                             for w in workloads + [w for w in refused if w not in workloads]])
    scaling = queue_scaling(list(phases.values()), base, refused)
    if scaling:
        text += "\n" + scaling
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(summary(list(phases.values()), refused), f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
