#!/usr/bin/env python3
"""Turns the guest's raw bench figures into medians, ratios and a plot.

Input: a directory of <round>-<driver>-<workload>.{kv,json,before.json,
after.json} files written by tests/guest/bench.sh. Output: a JSON file with
every round's raw figures plus medians and ranges, an SVG with throughput
and CPU-per-MiB bars and the size-sweep curve, and a Markdown table on
stdout. The baseline is the in-tree C driver the guest ran beside sgnic:
e1000 on the 8254x, igb on the 82576 (named by the raw files' driver
field). Ratios are sgnic / baseline from rounds interleaved in one boot: each
round runs both drivers back to back, so the ratio is taken per round and
summarised by its median, with a distribution-free confidence interval
(order statistics of the per-round ratios). Drift across the run and
machine noise that spans a round cancel in the per-round ratio.
"""
import argparse
import datetime
import glob
import json
import math
import os
import statistics
import sys

USER_HZ = 100
MIB = 1 << 20


def load_json(path):
    try:
        with open(path) as f:
            text = f.read().strip()
    except OSError:
        return None
    # Tools print one JSON object per line; iperf3 prints one document.
    try:
        return json.loads(text)
    except ValueError:
        for line in reversed(text.splitlines()):
            try:
                return json.loads(line)
            except ValueError:
                continue
    return None


def parse_measurement(base):
    kv = {}
    with open(base + ".kv") as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            kv[k] = v
    if "unsupported" in kv:
        # The driver refused the workload's setup (e.g. `ethtool -L
        # combined 2`): a record of why, not a measurement.
        return {
            "round": int(kv["round"]),
            "driver": kv["driver"],
            "workload": kv["workload"],
            "failed": False,
            "unsupported": kv["unsupported"],
        }
    m = {
        "round": int(kv["round"]),
        "driver": kv["driver"],
        "workload": kv["workload"],
        "failed": kv.get("failed") == "1",
        "irqs": int(kv["irqs"]),
    }
    if "queues" in kv:
        m["queues"] = int(kv["queues"])
    m.update(cpu_times(int(kv["ncpu"]), kv["cpu_before"], kv["cpu_after"]))
    out = load_json(base + ".json") or {}
    if m["workload"].startswith("iperf3"):
        end = out.get("end", {})
        sent = end.get("sum_sent", {})
        m["bytes"] = sent.get("bytes")
        m["seconds"] = sent.get("seconds")
    elif m["workload"] == "rr":
        m["tps"] = out.get("tps")
        m["p50_us"] = out.get("p50_us")
        m["p99_us"] = out.get("p99_us")
        m["seconds"] = out.get("seconds")
        m["bytes"] = None
    else:
        m["bytes"] = out.get("bytes")
        m["seconds"] = out.get("seconds")
    if m.get("bytes") and m.get("seconds"):
        mib = m["bytes"] / MIB
        m["mib_per_s"] = mib / m["seconds"]
        m["cpu_ms_per_mib"] = 1000 * m["cpu_seconds"] / mib
        m["irqs_per_mib"] = m["irqs"] / mib
    before = load_json(base + ".before.json")
    after = load_json(base + ".after.json")
    if before and after and m.get("bytes"):
        d = {k: after[k] - before.get(k, 0) for k in after if isinstance(after[k], int)}
        mib = m["bytes"] / MIB
        m["doorbells_per_mib"] = d.get("tx_doorbells", 0) / mib
        pk = d.get("tx_packets", 0)
        m["descriptors_per_packet"] = d.get("tx_descriptors", 0) / pk if pk else None
        m["pagecache_fraction"] = min(1.0, d.get("tx_pagecache_bytes", 0) / m["bytes"])
    return m


# /proc/stat's all-CPU fields, in USER_HZ ticks, as `sgnic-test
# cpu-snapshot` prints them next to its CLOCK_MONOTONIC reading.
STAT_FIELDS = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")


def cpu_times(ncpu, before, after):
    """Kernel CPU time spent between two `sgnic-test cpu-snapshot` lines.

    The guest accounts idle, iowait, irq and softirq time exactly (tickless
    idle, IRQ time accounting); user, nice and system time are 250 Hz
    samples. So the kernel's share, system + irq + softirq, is taken as the
    exact busy time (all CPUs' wall time minus idle, iowait and steal) less
    the (small, sampled) user time.
    """
    b, a = json.loads(before), json.loads(after)
    wall = (a["clock_ns"] - b["clock_ns"]) / 1e9
    d = {f: (a[f] - b[f]) / USER_HZ for f in STAT_FIELDS}
    busy = ncpu * wall - d["idle"] - d["iowait"] - d["steal"]
    return {
        "wall_seconds": wall,
        "cpu_seconds": max(0.0, busy - d["user"] - d["nice"]),
        "cpu_user_seconds": d["user"] + d["nice"],
        "cpu_irq_seconds": d["irq"],
        "cpu_softirq_seconds": d["softirq"],
    }


METRICS = [
    ("mib_per_s", "MiB/s", True),
    ("cpu_ms_per_mib", "CPU ms/MiB", False),
    ("irqs_per_mib", "IRQs/MiB", False),
    ("tps", "trans/s", True),
    ("p50_us", "p50 us", False),
]


# Two-sided confidence wanted for the interval around a median ratio.
CONFIDENCE = 0.90


def median_interval(values):
    """A distribution-free confidence interval for the median of `values`.

    Returns (low, high, coverage): the k-th smallest and k-th largest
    values, with k the largest for which the interval still covers the
    true median with probability >= CONFIDENCE (binomial order statistics;
    coverage is what that k achieves). None if there are too few values
    for any interval to reach CONFIDENCE (fewer than 5).
    """
    v = sorted(values)
    n = len(v)
    best = None
    for k in range(1, n // 2 + 1):
        tail = sum(math.comb(n, i) for i in range(k)) / 2**n
        coverage = 1 - 2 * tail
        if coverage < CONFIDENCE:
            break
        best = (v[k - 1], v[n - k], coverage)
    return best


def baseline_of(rows, model="e1000"):
    """The C driver the rounds compare sgnic with: whichever other driver
    the raw files name, else the model's (igb for the 82576)."""
    others = sorted({m["driver"] for m in rows} - {"sgnic"})
    if others:
        return others[0]
    return "igb" if model == "igb" else "e1000"


# The multi-queue workloads: the 4-flow sendfile at N queue pairs.
# The 4-flow workloads run at 1 and at 2 queue pairs: the data-checked
# sendfile, and iperf3 -Z -P 4 (sendfile, nothing checked).
QUEUE_FLOWS = {"sendfile4": "4-flow sendfile", "iperf3-Z4": "4-flow iperf3 -Z"}
QUEUE_WORKLOADS = tuple(f"{w}-q{q}" for w in QUEUE_FLOWS for q in (1, 2))


def queue_scaling(rows, flows="sendfile4"):
    """Per driver, the throughput of 4-flow workload `flows` at 2 queue
    pairs over that at 1, per round (both ran back to back in the driver's
    turn), and their median; or why it was not measured."""
    by = {}
    for m in rows:
        if m["workload"] in (f"{flows}-q1", f"{flows}-q2"):
            by.setdefault(m["driver"], {}).setdefault(m["round"], {})[m["workload"]] = m
    out = {}
    for drv, rounds in sorted(by.items()):
        per_round, why = [], set()
        for r in sorted(rounds):
            q1, q2 = rounds[r].get(f"{flows}-q1"), rounds[r].get(f"{flows}-q2")
            for q in (q1, q2):
                if q and q.get("unsupported"):
                    why.add(f"{q['workload']}: {q['unsupported']}")
            if q1 and q2 and q1.get("mib_per_s") and q2.get("mib_per_s"):
                per_round.append(q2["mib_per_s"] / q1["mib_per_s"])
        entry = {}
        if per_round:
            entry = {"median": statistics.median(per_round), "per_round": per_round}
        if why:
            entry["unsupported"] = sorted(why)
        if entry:
            out[drv] = entry
    return out


def summarise(rows, base="e1000"):
    table = {}
    for m in rows:
        if m["failed"] or m.get("unsupported"):
            continue
        table.setdefault(m["workload"], {}).setdefault(m["driver"], []).append(m)
    summary = {}
    for w, by_driver in sorted(table.items()):
        summary[w] = {}
        for d, ms in by_driver.items():
            s = {"rounds": len(ms)}
            for key in [k for k, _, _ in METRICS] + [
                "doorbells_per_mib",
                "descriptors_per_packet",
                "pagecache_fraction",
                "p99_us",
                "queues",
            ]:
                vals = [m[key] for m in ms if m.get(key) is not None]
                if vals:
                    s[key] = {"median": statistics.median(vals), "min": min(vals), "max": max(vals)}
            summary[w][d] = s
        a = {m["round"]: m for m in by_driver.get("sgnic", [])}
        b = {m["round"]: m for m in by_driver.get(base, [])}
        ratios = {}
        for key, _, _ in METRICS:
            per_round = [
                a[r][key] / b[r][key]
                for r in sorted(a.keys() & b.keys())
                if a[r].get(key) is not None and b[r].get(key)
            ]
            if not per_round:
                continue
            ratios[key] = {"median": statistics.median(per_round), "per_round": per_round}
            ci = median_interval(per_round)
            if ci:
                ratios[key].update(low=ci[0], high=ci[1], coverage=ci[2])
        if ratios:
            summary[w][f"ratio_sgnic_over_{base}"] = ratios
    return summary


def fmt(s, key):
    if not s or key not in s:
        return "-"
    v = s[key]
    return f"{v['median']:.1f} ({v['min']:.1f}-{v['max']:.1f})"


def fmt_ratio(r):
    if r is None:
        return "-", "-"
    interval = f"{r['low']:.2f}-{r['high']:.2f}" if "low" in r else "-"
    return f"{r['median']:.2f}", interval


def refusals(rows):
    """{workload: {driver: reason}} for the rows a driver refused."""
    out = {}
    for m in rows:
        if m.get("unsupported"):
            out.setdefault(m["workload"], {})[m["driver"]] = m["unsupported"]
    return out


def markdown(summary, base="e1000", refused=None):
    lines = [
        f"| workload | metric | sgnic median (range) | {base} median (range) "
        f"| sgnic/{base} (median of per-round ratios) | interval (>= {CONFIDENCE:.0%}) | better is |",
        "|---|---|---|---|---|---|---|",
    ]
    for w, s in summary.items():
        ratios = s.get(f"ratio_sgnic_over_{base}", {})
        for key, label, higher in METRICS:
            if key not in s.get("sgnic", {}) and key not in s.get(base, {}):
                continue
            ratio, interval = fmt_ratio(ratios.get(key))
            lines.append(
                f"| {w} | {label} | {fmt(s.get('sgnic'), key)} | {fmt(s.get(base), key)} | "
                f"{ratio} | {interval} | {'higher' if higher else 'lower'} |"
            )
        sg = s.get("sgnic", {})
        extra = []
        for key, label in [
            ("doorbells_per_mib", "doorbells/MiB"),
            ("descriptors_per_packet", "descriptors/packet"),
            ("pagecache_fraction", "page-cache fraction"),
        ]:
            if key in sg:
                extra.append(f"{label} {sg[key]['median']:.2f}")
        if extra:
            lines.append(f"| {w} | sgnic only | {', '.join(extra)} | | | | |")
    for w, by_driver in sorted((refused or {}).items()):
        for d, why in sorted(by_driver.items()):
            cells = [f"not measured: {why}" if x == d else "" for x in ("sgnic", base)]
            lines.append(f"| {w} | {d} refused the setup | {cells[0]} | {cells[1]} | - | - | |")
    return "\n".join(lines)


def verdict(r, higher_is_better):
    """Plain-words verdict on one paired sgnic/e1000 ratio against the target."""
    good = (lambda x: x >= 1) if higher_is_better else (lambda x: x <= 1)
    gap = abs(r["median"] - 1)
    if "low" not in r:
        side = "level or ahead" if good(r["median"]) else f"behind by {gap:.1%}"
        return f"{side} in {len(r['per_round'])} round(s): too few for an interval, no verdict"
    interval = f"{r['coverage']:.0%} interval {r['low']:.3f}-{r['high']:.3f}"
    if good(r["low"]) and good(r["high"]):
        side = f"ahead by {gap:.1%}" if gap >= 0.0005 else "level with the C driver"
        return f"meets the target: sgnic {side} ({interval})"
    if not good(r["low"]) and not good(r["high"]):
        return f"BEHIND the C driver by {gap:.1%} ({interval})"
    side = "ahead" if good(r["median"]) else "BEHIND"
    return (
        f"level within noise: sgnic {side} by {gap:.1%} in the median, but the {interval} "
        "includes parity"
    )


def verdicts(summary, base="e1000"):
    """The targets (the sendfile streams), then every other workload's
    headline figures, so that a workload where sgnic is behind is named
    even though no target covers it."""
    out, others = [], []
    for w in summary:
        r = summary[w].get(f"ratio_sgnic_over_{base}", {})
        target = w in ("sendfile", "iperf3-Z")
        for key, label, higher in METRICS:
            if key in r and (target or not w.startswith("sweep-")):
                words = verdict(r[key], higher)
                if not target:
                    words = words.replace("meets the target: ", "")
                line = f"- {w} {label}: sgnic/{base} = {r[key]['median']:.3f}, {words}"
                (out if target else others).append(line)
    if others:
        out.append("\nOther workloads (no target; reported so that a loss is never hidden):")
        out.extend(others)
    return "\n".join(out)


def svg(summary, path, base="e1000"):
    workloads = [w for w in summary if not w.startswith("sweep-") and w != "rr"]
    sweep = sorted(
        (w for w in summary if w.startswith("sweep-")),
        key=lambda w: parse_size(w[len("sweep-"):]),
    )
    width, height = 960, 720
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="12">',
        '<rect width="100%" height="100%" fill="white"/>',
    ]
    colors = {"sgnic": "#d9534f", base: "#337ab7"}

    def bars(top, key, title):
        parts.append(f'<text x="20" y="{top}" font-size="15" font-weight="bold">{title}</text>')
        vals = [
            summary[w].get(d, {}).get(key, {}).get("median", 0) for w in workloads for d in colors
        ]
        vmax = max(vals + [1e-9])
        x = 60
        base = top + 180
        parts.append(f'<line x1="50" y1="{base}" x2="{width - 20}" y2="{base}" stroke="black"/>')
        for w in workloads:
            for d, c in colors.items():
                v = summary[w].get(d, {}).get(key, {}).get("median")
                if v is None:
                    x += 34
                    continue
                h = 160 * v / vmax
                parts.append(f'<rect x="{x}" y="{base - h:.1f}" width="30" height="{h:.1f}" fill="{c}"/>')
                parts.append(f'<text x="{x + 15}" y="{base - h - 3:.1f}" text-anchor="middle" font-size="10">{v:.1f}</text>')
                x += 34
            parts.append(f'<text x="{x - 51}" y="{base + 15}" text-anchor="middle">{w}</text>')
            x += 40

    bars(30, "mib_per_s", "Throughput (MiB/s, median; higher is better)")
    bars(260, "cpu_ms_per_mib", "Guest kernel CPU per MiB sent (ms, system+irq+softirq; lower is better)")
    top = 490
    parts.append(f'<text x="20" y="{top}" font-size="15" font-weight="bold">Size sweep: sendfile throughput (MiB/s) by file size</text>')
    if sweep:
        left, right, bottom, plot_h = 60, width - 40, top + 190, 160
        vmax = max(
            [summary[w].get(d, {}).get("mib_per_s", {}).get("median", 0) for w in sweep for d in colors]
            + [1e-9]
        )
        parts.append(f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="black"/>')
        step = (right - left) / max(1, len(sweep) - 1)
        for d, c in colors.items():
            pts = []
            for i, w in enumerate(sweep):
                v = summary[w].get(d, {}).get("mib_per_s", {}).get("median")
                if v is not None:
                    pts.append(f"{left + i * step:.1f},{bottom - plot_h * v / vmax:.1f}")
            if pts:
                parts.append(f'<polyline points="{" ".join(pts)}" fill="none" stroke="{c}" stroke-width="2"/>')
        for i, w in enumerate(sweep):
            parts.append(f'<text x="{left + i * step:.1f}" y="{bottom + 15}" text-anchor="middle">{w[6:]}</text>')
    for i, (d, c) in enumerate(colors.items()):
        parts.append(f'<rect x="{width - 170}" y="{10 + 18 * i}" width="12" height="12" fill="{c}"/>')
        parts.append(f'<text x="{width - 152}" y="{20 + 18 * i}">{d if d == "sgnic" else "C " + d}</text>')
    parts.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(parts))


def queue_notes(summary, base):
    """Which queue pairs each driver ran the ordinary workloads with (its
    default): on the 82576 the C igb starts with one per CPU, sgnic with
    what it supports. Empty if the raw files do not say (older runs)."""
    seen = {}
    for w, s in summary.items():
        if w in QUEUE_WORKLOADS:
            continue
        for d in ("sgnic", base):
            q = s.get(d, {}).get("queues")
            if q:
                seen.setdefault(d, set()).add(q["median"])
    if not seen or all(v == {1} for v in seen.values()):
        return ""
    parts = [f"{d} {'/'.join(f'{x:g}' for x in sorted(v))}" for d, v in seen.items()]
    return ("Queue pairs in the ordinary workloads (each driver's default): " + ", ".join(parts)
            + ". The sendfile4-qN and iperf3-Z4-qN rows set N on both ports with `ethtool -L combined N`.")


def scaling_markdown(scaling, base, flows="sendfile4"):
    lines = [
        f"{QUEUE_FLOWS[flows]}, throughput at 2 queue pairs over 1 (per round, in each driver's turn):\n",
        "| driver | q2/q1 median | per round | not measured |",
        "|---|---|---|---|",
    ]
    for d in ("sgnic", base):
        e = scaling.get(d)
        if not e:
            continue
        med = f"{e['median']:.2f}" if "median" in e else "-"
        per = ", ".join(f"{x:.2f}" for x in e.get("per_round", [])) or "-"
        why = "; ".join(e.get("unsupported", [])) or "-"
        lines.append(f"| {d} | {med} | {per} | {why} |")
    return "\n".join(lines)


def host_threads(path, rows):
    """Per workload and driver, medians over rounds of what QEMU's threads
    used on the host during the measurement (qemu/thread-sampler.py), with
    the guest's throughput beside them; {} without a sampler file."""
    if not path or not os.path.exists(path):
        return {}
    by_span = {f"{m['round']}-{m['driver']}-{m['workload']}": m for m in rows}
    by = {}
    with open(path) as f:
        for line in f:
            try:
                span = json.loads(line)
            except ValueError:
                continue
            r, _, rest = span["span"].partition("-")
            drv, _, w = rest.partition("-")
            threads = span.get("threads", {})
            vcpu = threads.get("vcpu", {})
            m = by_span.get(span["span"], {})
            # The guest's busy CPUs over the same workload: under TCG its
            # clock is the host's, so a vCPU the guest saw busy while its
            # thread used less of a host CPU was waiting (for QEMU's lock,
            # or for a host CPU).
            guest_busy = None
            if m.get("wall_seconds"):
                guest_busy = (m["cpu_seconds"] + m["cpu_user_seconds"]) / m["wall_seconds"]
            sample = {
                "guest_busy": guest_busy,
                "host_busy": span.get("host_busy"),
                "host_cpus": span.get("host_cpus"),
                "vcpu_cpu": vcpu.get("cpu"),
                "vcpu_busiest": (vcpu.get("each") or [None])[0],
                "vcpu_threads": vcpu.get("threads"),
                "vcpu_sleeps_per_s": vcpu.get("voluntary_per_s"),
                # Where the vCPU threads waited (CPUs' worth): for a host
                # CPU (exact), for QEMU's global lock and halted (sampled).
                "vcpu_runqueue": vcpu.get("runqueue"),
                "vcpu_lock": vcpu.get("blocked", {}).get("lock"),
                "vcpu_halt": vcpu.get("blocked", {}).get("halt"),
                "main_cpu": threads.get("main", {}).get("cpu"),
                "mib_per_s": m.get("mib_per_s"),
            }
            by.setdefault(w, {}).setdefault(drv, []).append(sample)
    out = {}
    for w, drivers in sorted(by.items()):
        for drv, samples in sorted(drivers.items()):
            entry = {"rounds": len(samples)}
            for key in samples[0]:
                vals = [x[key] for x in samples if x.get(key) is not None]
                if vals:
                    entry[key] = statistics.median(vals)
            out.setdefault(w, {})[drv] = entry
    return out


def host_threads_markdown(threads):
    lines = [
        "QEMU on the host during each workload (medians over rounds; CPU in host CPUs' worth). "
        "The vCPU threads' time is on a CPU, ready but waiting for one, waiting for QEMU's "
        "global lock (the futex that the main thread and every vCPU thread wait on, in QEMU's "
        "static data; sampled every 5 ms), or halted with their guest CPU idle:\n",
        "| workload | driver | MiB/s | guest CPUs busy | vCPU threads on a CPU | busiest vCPU thread "
        "| vCPUs waiting for a CPU | vCPUs waiting for the lock | vCPUs halted | vCPU sleeps/s "
        "| QEMU main thread | host busy |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    num = lambda v, f: f.format(v) if v is not None else "-"
    for w, drivers in threads.items():
        for drv, e in drivers.items():
            lines.append(
                f"| {w} | {drv} | {num(e.get('mib_per_s'), '{:.1f}')} "
                f"| {num(e.get('guest_busy'), '{:.2f}')} "
                f"| {num(e.get('vcpu_cpu'), '{:.2f}')} | {num(e.get('vcpu_busiest'), '{:.2f}')} "
                f"| {num(e.get('vcpu_runqueue'), '{:.2f}')} | {num(e.get('vcpu_lock'), '{:.2f}')} "
                f"| {num(e.get('vcpu_halt'), '{:.2f}')} "
                f"| {num(e.get('vcpu_sleeps_per_s'), '{:.0f}')} "
                f"| {num(e.get('main_cpu'), '{:.2f}')} "
                f"| {num(e.get('host_busy'), '{:.2f}')} of {e.get('host_cpus', '-')} |"
            )
    return "\n".join(lines)


def parse_size(s):
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return int(s[:-1]) * units[s[-1]] if s and s[-1] in units else int(s)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("raw_dir")
    ap.add_argument("--json", required=True)
    ap.add_argument("--svg", required=True)
    ap.add_argument("--model", default="e1000")
    ap.add_argument("--threads", help="qemu/thread-sampler.py's output")
    args = ap.parse_args()
    bases = sorted(p[: -len(".kv")] for p in glob.glob(os.path.join(args.raw_dir, "*.kv")))
    if not bases:
        sys.exit(f"bench-report: no measurements in {args.raw_dir}")
    rows = [parse_measurement(b) for b in bases]
    base = baseline_of(rows, args.model)
    summary = summarise(rows, base)
    scaling = queue_scaling(rows)
    scaling_iperf = queue_scaling(rows, "iperf3-Z4")
    params = open(os.path.join(args.raw_dir, "params")).read().strip() if os.path.exists(
        os.path.join(args.raw_dir, "params")) else ""
    doc = {
        "date": datetime.date.today().isoformat(),
        "nic_model": args.model,
        "baseline": base,
        "params": params,
        "rounds": rows,
        "summary": summary,
    }
    if scaling:
        doc["queue_scaling"] = scaling
    if scaling_iperf:
        doc["queue_scaling_iperf3_z4"] = scaling_iperf
    threads = host_threads(args.threads, rows)
    if threads:
        doc["host_threads"] = threads
    with open(args.json, "w") as f:
        json.dump(doc, f, indent=1)
    svg(summary, args.svg, base)
    failed = [f"{m['round']}-{m['driver']}-{m['workload']}" for m in rows if m["failed"]]
    print(f"## sgnic vs C {base} ({args.model}, {params})\n")
    print(markdown(summary, base, refusals(rows)))
    queues = queue_notes(summary, base)
    if queues:
        print("\n" + queues)
    if scaling:
        print("\n" + scaling_markdown(scaling, base))
    if scaling_iperf:
        print("\n" + scaling_markdown(scaling_iperf, base, "iperf3-Z4"))
    if threads:
        print("\n" + host_threads_markdown(threads))
    v = verdicts(summary, base)
    if v:
        print("\nTargets (sgnic at least equal in throughput, no worse in CPU and interrupts per MiB):\n" + v)
    if failed:
        print(f"\nFailed measurements: {', '.join(failed)}")
    print(f"\nRaw and summary: {args.json}; plot: {args.svg}")
    if len(failed) == len(rows) or all(m["failed"] or m.get("unsupported") for m in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
