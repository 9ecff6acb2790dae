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

`cpu` is user plus system time over wall time (2.0: two host CPUs' worth);
`runqueue` is the time the group's threads were ready to run but waited
for a host CPU (schedstat, exact), in the same unit.

Where the vCPU threads block, from their /proc/.../syscall sampled every
few milliseconds during a span: "blocked" in the vcpu group holds, in
CPUs' worth (the share of samples times the threads), "lock" (a futex
wait on the one address that the main thread and the vCPU threads all
wait on, i.e. QEMU's global lock; "lock_static" says whether that
address lies in QEMU's own static data, where the lock is), "halt" (a
futex wait on an address only that thread waits on: its halted guest
CPU's condition), "other" (any other wait), and "samples" (per thread).
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
        try:
            with open(f"{base}/schedstat") as f:
                run_delay_ns = int(f.read().split()[1])
        except (OSError, IndexError, ValueError):
            run_delay_ns = 0  # no schedstats in this host kernel
        out[tid] = (thread_group(pid, tid, comm), ticks, switches.get("voluntary_ctxt_switches", 0),
                    switches.get("nonvoluntary_ctxt_switches", 0), run_delay_ns)
    return out


def thread_group(pid, tid, comm):
    if comm.startswith("CPU ") and comm.endswith("/TCG") or comm.endswith("/KVM"):
        return "vcpu"
    return "main" if tid == str(pid) else "other"


FUTEX = "202"  # x86-64


class WaitSampler:
    """Samples what QEMU's main and vCPU threads are blocked in."""

    def __init__(self, pid):
        self.pid = pid
        self.groups = {}
        try:
            for tid in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{tid}/comm") as f:
                    group = thread_group(pid, tid, f.read().strip())
                if group != "other":
                    self.groups[tid] = group
        except OSError:
            pass
        # {tid: {state: count}}, state "running", "futex:ADDR" or "other".
        self.counts = {tid: {} for tid in self.groups}
        self.static = static_ranges(pid)

    def sample(self):
        for tid in self.groups:
            try:
                with open(f"/proc/{self.pid}/task/{tid}/syscall") as f:
                    fields = f.read().split()
            except OSError:
                continue
            if not fields or fields[0] == "running":
                state = "running"
            elif fields[0] == FUTEX and len(fields) > 1:
                state = "futex:" + fields[1]
            else:
                state = "other"
            c = self.counts[tid]
            c[state] = c.get(state, 0) + 1

    def summary(self):
        """The vcpu group's blocking, in CPUs' worth (see the module doc)."""
        vcpus = [t for t, g in self.groups.items() if g == "vcpu"]
        if not vcpus:
            return None
        waiters = {}
        for tid, c in self.counts.items():
            for state in c:
                if state.startswith("futex:"):
                    waiters.setdefault(state, set()).add(tid)
        main = [t for t, g in self.groups.items() if g == "main"]
        # The global lock: waited on by every kind of thread sampled.
        shared = [s for s, w in waiters.items()
                  if len(w) >= 2 and (not main or main[0] in w) and w & set(vcpus)]
        vcpu_count = lambda s: sum(self.counts[t].get(s, 0) for t in vcpus)
        lock = max(shared, key=vcpu_count, default=None)
        out = {"lock": 0.0, "halt": 0.0, "other": 0.0}
        samples = 0
        for tid in vcpus:
            c = self.counts[tid]
            n = sum(c.values())
            samples += n
            if not n:
                continue
            for state, k in c.items():
                if state == "running":
                    continue
                if state == lock:
                    key = "lock"
                elif state.startswith("futex:") and waiters[state] == {tid}:
                    key = "halt"
                else:
                    key = "other"
                out[key] += k / n
        out = {k: round(v, 3) for k, v in out.items()}
        out["samples"] = samples // len(vcpus)
        if lock:
            addr = int(lock.split(":")[1], 16)
            out["lock_static"] = any(lo <= addr < hi for lo, hi in self.static)
            out["lock_waiters"] = len(waiters[lock])
        return out


def static_ranges(pid):
    """Address ranges of QEMU's own data: its executable's writable
    mappings and the anonymous one right after them (.bss)."""
    ranges = []
    try:
        exe = os.readlink(f"/proc/{pid}/exe")
        with open(f"/proc/{pid}/maps") as f:
            maps = [line.split() for line in f]
    except OSError:
        return ranges
    for i, m in enumerate(maps):
        if len(m) >= 6 and m[5] == exe and m[1].startswith("rw"):
            lo, hi = (int(x, 16) for x in m[0].split("-"))
            ranges.append((lo, hi))
            if i + 1 < len(maps) and len(maps[i + 1]) == 5:
                lo2, hi2 = (int(x, 16) for x in maps[i + 1][0].split("-"))
                if lo2 == hi:
                    ranges.append((lo2, hi2))
    return ranges


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
    return time.monotonic(), thread_times(qemu) if qemu else None, host_ticks(), qemu


def span_record(name, before, after, hz, ncpu, waits=None):
    t0, th0, (busy0, total0), _ = before
    t1, th1, (busy1, total1), _ = after
    wall = max(t1 - t0, 1e-9)
    groups = {}
    for tid, (group, ticks, vol, nonvol, delay) in th1.items():
        if tid not in th0:
            continue
        _, ticks0, vol0, nonvol0, delay0 = th0[tid]
        g = groups.setdefault(group, {"cpu": 0.0, "runqueue": 0.0, "voluntary_per_s": 0.0,
                                      "nonvoluntary_per_s": 0.0, "threads": 0})
        g["cpu"] += (ticks - ticks0) / hz / wall
        g["runqueue"] += (delay - delay0) / 1e9 / wall
        g.setdefault("each", []).append(round((ticks - ticks0) / hz / wall, 3))
        g["voluntary_per_s"] += (vol - vol0) / wall
        g["nonvoluntary_per_s"] += (nonvol - nonvol0) / wall
        g["threads"] += 1
    host_busy = ncpu * (busy1 - busy0) / max(total1 - total0, 1)
    for g in groups.values():
        for k in ("cpu", "runqueue", "voluntary_per_s", "nonvoluntary_per_s"):
            g[k] = round(g[k], 3)
        g["each"].sort(reverse=True)
    if waits and "vcpu" in groups:
        groups["vcpu"]["blocked"] = waits
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
                    before = snapshot(pid)
                    sampler = WaitSampler(before[3]) if before[3] else None
                    open_spans[name] = (before, sampler)
                elif verb == "end" and name in open_spans:
                    after = snapshot(pid)
                    before, sampler = open_spans.pop(name)
                    if before[1] is None or after[1] is None:
                        continue
                    waits = sampler.summary() if sampler else None
                    out.write(json.dumps(span_record(name, before, after, hz, ncpu, waits)) + "\n")
                    out.flush()
            # Sample the threads' waits every 5 ms while a span is open,
            # the console every 20 ms.
            for _ in range(4):
                for _, sampler in open_spans.values():
                    if sampler:
                        sampler.sample()
                time.sleep(0.005 if open_spans else 0.02)
                if not open_spans:
                    break


if __name__ == "__main__":
    main()
