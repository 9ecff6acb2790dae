#!/usr/bin/env python3
"""Host CPU time of a QEMU process's threads over spans the guest marks.

Usage: thread-sampler.py PID CONSOLE_LOG OUT_JSONL

PID is QEMU's, or that of a process QEMU runs under (`timeout`).

The guest prints `SGNIC-SPAN begin NAME` and `SGNIC-SPAN end NAME` on its
console. For each span this writes one JSON line to OUT_JSONL:

    {"span": NAME, "seconds": wall time,
     "host_cpus": CPUs the host has, "host_busy": CPUs' worth busy,
     "threads": {"vcpu": {"cpu": CPUs' worth, "each": [per thread, busiest
                          first], "voluntary_per_s": ...,
                          "nonvoluntary_per_s": ...},
                 "main": {...}, "other": {...}}}

`cpu` is user plus system time over wall time (2.0: two host CPUs' worth).
Under TCG each vCPU thread runs its guest CPU's code and, holding QEMU's
global lock, the device models that CPU's MMIO accesses reach (a NIC's
transmit, and the other NIC's receive on the hub). A vCPU thread sleeps
(a voluntary switch) when its guest CPU halts or when it waits for that
lock. vCPU threads are told apart by name, which QEMU gives them with
`-name debug-threads=on` (run-vm.sh passes it). Exits when the QEMU
process does.
"""
import json
import os
import sys
import time

MARK = "SGNIC-SPAN "


def thread_times(pid):
    """{tid: (group, cpu ticks, voluntary, nonvoluntary switches)}."""
    out = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    for tid in tids:
        base = f"/proc/{pid}/task/{tid}"
        try:
            with open(f"{base}/comm") as f:
                comm = f.read().strip()
            with open(f"{base}/stat") as f:
                stat = f.read()
            with open(f"{base}/status") as f:
                status = f.read()
        except OSError:
            continue  # the thread ended
        # Fields after the ")" that closes comm: state is 0, utime 11,
        # stime 12 (proc(5) numbers them 3, 14 and 15).
        fields = stat[stat.rindex(")") + 2:].split()
        ticks = int(fields[11]) + int(fields[12])
        switches = {}
        for line in status.splitlines():
            key, _, value = line.partition(":")
            if key in ("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches"):
                switches[key] = int(value)
        if comm.startswith("CPU ") and comm.endswith("/TCG") or comm.endswith("/KVM"):
            group = "vcpu"
        elif tid == str(pid):
            group = "main"
        else:
            group = "other"
        out[tid] = (group, ticks, switches.get("voluntary_ctxt_switches", 0),
                    switches.get("nonvoluntary_ctxt_switches", 0))
    return out


def host_ticks():
    """(busy, total) ticks over all host CPUs."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields) - idle, sum(fields)


def qemu_process(pid):
    """`pid` if it is QEMU, else its first descendant that is (run-vm.sh
    starts QEMU under `timeout`); None if there is none."""
    seen = set()
    todo = [pid]
    while todo:
        p = todo.pop(0)
        if p in seen:
            continue
        seen.add(p)
        try:
            with open(f"/proc/{p}/comm") as f:
                if f.read().startswith("qemu"):
                    return p
        except OSError:
            continue
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            # ppid is the second field after the ")" that closes comm.
            if int(stat[stat.rindex(")") + 2:].split()[1]) == p:
                todo.append(int(entry))
    return None


def snapshot(pid):
    qemu = qemu_process(pid)
    return time.monotonic(), thread_times(qemu) if qemu else None, host_ticks()


def span_record(name, before, after, hz, ncpu):
    t0, th0, (busy0, total0) = before
    t1, th1, (busy1, total1) = after
    wall = max(t1 - t0, 1e-9)
    groups = {}
    for tid, (group, ticks, vol, nonvol) in th1.items():
        if tid not in th0:
            continue
        _, ticks0, vol0, nonvol0 = th0[tid]
        g = groups.setdefault(group, {"cpu": 0.0, "voluntary_per_s": 0.0,
                                      "nonvoluntary_per_s": 0.0, "threads": 0})
        g["cpu"] += (ticks - ticks0) / hz / wall
        g.setdefault("each", []).append(round((ticks - ticks0) / hz / wall, 3))
        g["voluntary_per_s"] += (vol - vol0) / wall
        g["nonvoluntary_per_s"] += (nonvol - nonvol0) / wall
        g["threads"] += 1
    host_busy = ncpu * (busy1 - busy0) / max(total1 - total0, 1)
    for g in groups.values():
        for k in ("cpu", "voluntary_per_s", "nonvoluntary_per_s"):
            g[k] = round(g[k], 3)
        g["each"].sort(reverse=True)
    return {"span": name, "seconds": round(wall, 3), "host_cpus": ncpu,
            "host_busy": round(host_busy, 3), "threads": groups}


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: thread-sampler.py QEMU_PID CONSOLE_LOG OUT_JSONL")
    pid, console, out_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    hz = os.sysconf("SC_CLK_TCK")
    ncpu = os.cpu_count() or 1
    open_spans = {}
    pending = b""
    pos = 0
    with open(out_path, "w") as out:
        while os.path.exists(f"/proc/{pid}"):
            try:
                with open(console, "rb") as f:
                    f.seek(pos)
                    data = f.read()
            except OSError:
                data = b""
            pos += len(data)
            pending += data
            *lines, pending = pending.split(b"\n")
            for raw in lines:
                line = raw.decode(errors="replace").strip("\r")
                at = line.find(MARK)
                if at < 0:
                    continue
                verb, _, name = line[at + len(MARK):].partition(" ")
                if verb == "begin":
                    open_spans[name] = snapshot(pid)
                elif verb == "end" and name in open_spans:
                    after = snapshot(pid)
                    before = open_spans.pop(name)
                    if before[1] is None or after[1] is None:
                        continue
                    out.write(json.dumps(span_record(name, before, after, hz, ncpu)) + "\n")
                    out.flush()
            time.sleep(0.02)


if __name__ == "__main__":
    main()
