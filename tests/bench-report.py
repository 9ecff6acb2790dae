#!/usr/bin/env python3
"""Turns the guest's raw bench figures into medians, ratios and a plot.

Input: a directory of <round>-<driver>-<workload>.{kv,json,before.json,
after.json} files written by tests/guest/bench.sh. Output: a JSON file with
every round's raw figures plus medians and ranges, an SVG with throughput
and CPU-per-MiB bars and the size-sweep curve, and a Markdown table on
stdout. Ratios are sgnic / e1000 from rounds interleaved in one boot.
"""
import argparse
import datetime
import glob
import json
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
    m = {
        "round": int(kv["round"]),
        "driver": kv["driver"],
        "workload": kv["workload"],
        "failed": kv.get("failed") == "1",
        "cpu_seconds": int(kv["cpu_jiffies"]) / USER_HZ,
        "irqs": int(kv["irqs"]),
    }
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


METRICS = [
    ("mib_per_s", "MiB/s", True),
    ("cpu_ms_per_mib", "CPU ms/MiB", False),
    ("irqs_per_mib", "IRQs/MiB", False),
    ("tps", "trans/s", True),
    ("p50_us", "p50 us", False),
]


def summarise(rows):
    table = {}
    for m in rows:
        if m["failed"]:
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
            ]:
                vals = [m[key] for m in ms if m.get(key) is not None]
                if vals:
                    s[key] = {"median": statistics.median(vals), "min": min(vals), "max": max(vals)}
            summary[w][d] = s
        a, b = summary[w].get("sgnic"), summary[w].get("e1000")
        if a and b:
            ratios = {}
            for key, _, _ in METRICS:
                if key in a and key in b and b[key]["median"]:
                    ratios[key] = a[key]["median"] / b[key]["median"]
            summary[w]["ratio_sgnic_over_e1000"] = ratios
    return summary


def fmt(s, key):
    if not s or key not in s:
        return "-"
    v = s[key]
    return f"{v['median']:.1f} ({v['min']:.1f}-{v['max']:.1f})"


def markdown(summary):
    lines = [
        "| workload | metric | sgnic median (range) | e1000 median (range) | sgnic/e1000 | better is |",
        "|---|---|---|---|---|---|",
    ]
    for w, s in summary.items():
        ratios = s.get("ratio_sgnic_over_e1000", {})
        for key, label, higher in METRICS:
            if key not in s.get("sgnic", {}) and key not in s.get("e1000", {}):
                continue
            r = ratios.get(key)
            lines.append(
                f"| {w} | {label} | {fmt(s.get('sgnic'), key)} | {fmt(s.get('e1000'), key)} | "
                f"{'-' if r is None else f'{r:.2f}'} | {'higher' if higher else 'lower'} |"
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
            lines.append(f"| {w} | sgnic only | {', '.join(extra)} | | | |")
    return "\n".join(lines)


# Ratios this close to 1 are reported as parity, never as a win or a loss:
# round-to-round spread on these machines is larger than that.
PARITY = 0.02


def verdict(ratio, higher_is_better):
    """Plain-words verdict on one sgnic/e1000 ratio against the target."""
    better = ratio >= 1 if higher_is_better else ratio <= 1
    if better:
        return "meets the target"
    if abs(ratio - 1) <= PARITY + 1e-9:
        return f"BEHIND by {abs(ratio - 1):.1%}, within the {PARITY:.0%} noise band"
    return "BEHIND the C driver"


def verdicts(summary):
    out = []
    for w in ("sendfile", "iperf3-Z"):
        r = summary.get(w, {}).get("ratio_sgnic_over_e1000", {})
        if not r:
            continue
        for key, label, higher in METRICS[:3]:
            if key not in r:
                continue
            out.append(f"- {w} {label}: sgnic/e1000 = {r[key]:.3f} ({verdict(r[key], higher)})")
    return "\n".join(out)


def svg(summary, path):
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
    colors = {"sgnic": "#d9534f", "e1000": "#337ab7"}

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
    bars(260, "cpu_ms_per_mib", "Guest CPU per MiB sent (ms, system+softirq; lower is better)")
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
        parts.append(f'<text x="{width - 152}" y="{20 + 18 * i}">{d if d == "sgnic" else "C e1000"}</text>')
    parts.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(parts))


def parse_size(s):
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return int(s[:-1]) * units[s[-1]] if s and s[-1] in units else int(s)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("raw_dir")
    ap.add_argument("--json", required=True)
    ap.add_argument("--svg", required=True)
    ap.add_argument("--model", default="e1000")
    args = ap.parse_args()
    bases = sorted(p[: -len(".kv")] for p in glob.glob(os.path.join(args.raw_dir, "*.kv")))
    if not bases:
        sys.exit(f"bench-report: no measurements in {args.raw_dir}")
    rows = [parse_measurement(b) for b in bases]
    summary = summarise(rows)
    params = open(os.path.join(args.raw_dir, "params")).read().strip() if os.path.exists(
        os.path.join(args.raw_dir, "params")) else ""
    doc = {
        "date": datetime.date.today().isoformat(),
        "nic_model": args.model,
        "params": params,
        "rounds": rows,
        "summary": summary,
    }
    with open(args.json, "w") as f:
        json.dump(doc, f, indent=1)
    svg(summary, args.svg)
    failed = [f"{m['round']}-{m['driver']}-{m['workload']}" for m in rows if m["failed"]]
    print(f"## sgnic vs C e1000 ({args.model}, {params})\n")
    print(markdown(summary))
    v = verdicts(summary)
    if v:
        print("\nTargets (sgnic at least equal in throughput, no worse in CPU and interrupts per MiB):\n" + v)
    if failed:
        print(f"\nFailed measurements: {', '.join(failed)}")
    print(f"\nRaw and summary: {args.json}; plot: {args.svg}")
    if len(failed) == len(rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
