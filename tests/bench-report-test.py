#!/usr/bin/env python3
"""Unit tests for tests/bench-report.py: CPU accounting, the paired ratio
statistics, the verdict wording, and on the 82576 the C igb as the
baseline, a refused row and the 2-queue/1-queue ratio (run by make test
on the host)."""
import importlib.util
import json
import os
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("bench_report", os.path.join(HERE, "bench-report.py"))
report = importlib.util.module_from_spec(spec)
spec.loader.exec_module(report)


def stat_line(clock_ns, **ticks):
    fields = {f: ticks.get(f, 0) for f in report.STAT_FIELDS}
    return json.dumps({"clock_ns": clock_ns, **fields})


class CpuTimes(unittest.TestCase):
    def test_kernel_time_is_busy_time_less_user(self):
        # 2 CPUs for 2 s = 4 s; 2.5 s idle, 0.1 s user: 1.4 s in the kernel.
        t = report.cpu_times(
            2, stat_line(1_000_000_000), stat_line(3_000_000_000, user=10, idle=250, irq=5, softirq=60)
        )
        self.assertAlmostEqual(t["wall_seconds"], 2.0)
        self.assertAlmostEqual(t["cpu_seconds"], 1.4)
        self.assertAlmostEqual(t["cpu_user_seconds"], 0.1)
        self.assertAlmostEqual(t["cpu_irq_seconds"], 0.05)
        self.assertAlmostEqual(t["cpu_softirq_seconds"], 0.6)

    def test_never_negative(self):
        # Idle rounded up past the wall time (10 ms ticks) reads as zero.
        t = report.cpu_times(2, stat_line(0), stat_line(10_000_000, idle=3))
        self.assertEqual(t["cpu_seconds"], 0.0)


class MedianInterval(unittest.TestCase):
    def test_too_few_rounds(self):
        self.assertIsNone(report.median_interval([1.0, 1.1, 0.9, 1.2]))

    def test_five_rounds_span_the_range(self):
        low, high, coverage = report.median_interval([1.3, 0.8, 1.0, 1.1, 0.9])
        self.assertEqual((low, high), (0.8, 1.3))
        self.assertAlmostEqual(coverage, 1 - 2 / 32)

    def test_ten_rounds_drop_one_at_each_end(self):
        values = [0.70, 0.90, 0.95, 0.97, 0.99, 1.00, 1.01, 1.03, 1.05, 1.40]
        low, high, coverage = report.median_interval(values)
        self.assertEqual((low, high), (0.90, 1.05))
        self.assertAlmostEqual(coverage, 1 - 2 * 11 / 1024)
        self.assertGreaterEqual(coverage, report.CONFIDENCE)


class Verdict(unittest.TestCase):
    def ratio(self, median, low, high):
        return {"median": median, "low": low, "high": high, "coverage": 0.94, "per_round": [median] * 5}

    def test_ahead(self):
        self.assertIn("meets the target", report.verdict(self.ratio(1.05, 1.01, 1.09), True))
        self.assertIn("meets the target", report.verdict(self.ratio(0.95, 0.90, 0.99), False))

    def test_behind(self):
        v = report.verdict(self.ratio(0.92, 0.88, 0.97), True)
        self.assertTrue(v.startswith("BEHIND the C driver by 8.0%"), v)
        self.assertIn("BEHIND", report.verdict(self.ratio(1.10, 1.02, 1.20), False))

    def test_interval_across_parity_is_noise_not_a_win(self):
        v = report.verdict(self.ratio(1.03, 0.97, 1.08), True)
        self.assertTrue(v.startswith("level within noise"), v)
        v = report.verdict(self.ratio(1.03, 0.97, 1.08), False)
        self.assertIn("BEHIND by 3.0% in the median", v)

    def test_no_interval_no_verdict(self):
        v = report.verdict({"median": 0.9, "per_round": [0.9]}, True)
        self.assertIn("no verdict", v)


class EndToEnd(unittest.TestCase):
    def test_raw_files_become_paired_ratios(self):
        with tempfile.TemporaryDirectory() as d:
            for r in range(1, 6):
                for drv, secs, idle in (("sgnic", 2.0, 250), ("e1000", 2.5, 300)):
                    base = os.path.join(d, f"{r}-{drv}-sendfile")
                    with open(base + ".kv", "w") as f:
                        f.write(
                            f"round={r}\ndriver={drv}\nworkload=sendfile\nncpu=2\n"
                            f"cpu_before={stat_line(0)}\n"
                            f"cpu_after={stat_line(int(secs * 1e9), idle=idle)}\nirqs=640\n"
                        )
                    with open(base + ".json", "w") as f:
                        json.dump({"bytes": 64 << 20, "seconds": secs}, f)
            rows = [report.parse_measurement(os.path.join(d, f"{r}-{drv}-sendfile"))
                    for r in range(1, 6) for drv in ("sgnic", "e1000")]
        s = report.summarise(rows)["sendfile"]
        r = s["ratio_sgnic_over_e1000"]
        self.assertAlmostEqual(r["mib_per_s"]["median"], 1.25)
        # sgnic: 4.0 - 2.5 = 1.5 s; e1000: 5.0 - 3.0 = 2.0 s; same bytes.
        self.assertAlmostEqual(r["cpu_ms_per_mib"]["median"], 0.75)
        self.assertAlmostEqual(r["irqs_per_mib"]["median"], 1.0)
        self.assertIn("meets the target", report.verdict(r["mib_per_s"], True))
        self.assertIn("meets the target: sgnic level", report.verdict(r["irqs_per_mib"], False))


def write_round(d, r, drv, workload, secs, idle, nbytes=64 << 20, queues=None):
    base = os.path.join(d, f"{r}-{drv}-{workload}")
    with open(base + ".kv", "w") as f:
        f.write(
            f"round={r}\ndriver={drv}\nworkload={workload}\nncpu=2\n"
            f"cpu_before={stat_line(0)}\n"
            f"cpu_after={stat_line(int(secs * 1e9), idle=idle)}\nirqs=640\n"
        )
        if queues:
            f.write(f"queues={queues}\n")
    with open(base + ".json", "w") as f:
        json.dump({"bytes": nbytes, "seconds": secs}, f)
    return base


class Igb(unittest.TestCase):
    """On the 82576 the baseline is the C igb, and the 4-flow rows at 1
    and 2 queue pairs give a per-driver scaling ratio; a row sgnic refused
    is recorded, not failed."""

    def test_igb_baseline_refused_row_and_queue_scaling(self):
        with tempfile.TemporaryDirectory() as d:
            bases = []
            for r in range(1, 6):
                bases.append(write_round(d, r, "sgnic", "sendfile", 2.0, 250, queues=1))
                bases.append(write_round(d, r, "igb", "sendfile", 2.5, 300, queues=2))
                bases.append(write_round(d, r, "sgnic", "sendfile4-q1", 8.0, 1000, 256 << 20, 1))
                bases.append(write_round(d, r, "igb", "sendfile4-q1", 8.0, 1000, 256 << 20, 1))
                bases.append(write_round(d, r, "igb", "sendfile4-q2", 6.4, 800, 256 << 20, 2))
                refused = os.path.join(d, f"{r}-sgnic-sendfile4-q2")
                with open(refused + ".kv", "w") as f:
                    f.write(f"round={r}\ndriver=sgnic\nworkload=sendfile4-q2\n"
                            "unsupported=ethtool -L eth0 combined 2: Operation not supported\n")
                bases.append(refused)
            rows = [report.parse_measurement(b) for b in bases]
        base = report.baseline_of(rows, "igb")
        self.assertEqual(base, "igb")
        s = report.summarise(rows, base)
        self.assertAlmostEqual(s["sendfile"]["ratio_sgnic_over_igb"]["mib_per_s"]["median"], 1.25)
        self.assertNotIn("sgnic", s["sendfile4-q2"])
        self.assertNotIn("ratio_sgnic_over_igb", s["sendfile4-q2"])
        table = report.markdown(s, base, report.refusals(rows))
        self.assertIn("| igb median (range) | sgnic/igb", table)
        self.assertIn("| sendfile4-q2 | sgnic refused the setup | not measured: ethtool -L eth0 combined 2: "
                      "Operation not supported |  | - | - | |", table)
        sc = report.queue_scaling(rows)
        self.assertAlmostEqual(sc["igb"]["median"], 1.25)
        self.assertNotIn("median", sc["sgnic"])
        self.assertIn("Operation not supported", sc["sgnic"]["unsupported"][0])
        text = report.scaling_markdown(sc, base)
        self.assertIn("| igb | 1.25 |", text)
        self.assertIn("| sgnic | - | - | sendfile4-q2: ethtool -L", text)
        self.assertIn("sgnic 1, igb 2", report.queue_notes(s, base))

    def test_iperf_flows_scale_separately(self):
        with tempfile.TemporaryDirectory() as d:
            rows = []
            for r in range(1, 3):
                for drv in ("sgnic", "igb"):
                    for q, secs in ((1, 4.0), (2, 3.2)):
                        base = os.path.join(d, f"{r}-{drv}-iperf3-Z4-q{q}")
                        write_round(d, r, drv, f"iperf3-Z4-q{q}", secs, 500, queues=q)
                        with open(base + ".json", "w") as f:
                            json.dump({"end": {"sum_sent": {"bytes": 1 << 30, "seconds": secs}}}, f)
                        rows.append(report.parse_measurement(base))
        self.assertEqual(report.queue_scaling(rows), {})
        sc = report.queue_scaling(rows, "iperf3-Z4")
        self.assertAlmostEqual(sc["sgnic"]["median"], 1.25)
        self.assertIn("4-flow iperf3 -Z, throughput at 2 queue pairs over 1",
                      report.scaling_markdown(sc, "igb", "iperf3-Z4"))

    def test_e1000_report_unchanged(self):
        with tempfile.TemporaryDirectory() as d:
            rows = [report.parse_measurement(write_round(d, r, drv, "sendfile", 2.0, 250, queues=1))
                    for r in range(1, 3) for drv in ("sgnic", "e1000")]
        self.assertEqual(report.baseline_of(rows), "e1000")
        s = report.summarise(rows)
        self.assertIn("ratio_sgnic_over_e1000", s["sendfile"])
        self.assertEqual(report.queue_notes(s, "e1000"), "")
        self.assertEqual(report.queue_scaling(rows), {})


class HostThreads(unittest.TestCase):
    def span(self, name, vcpu, busy):
        return json.dumps({"span": name, "seconds": 2.0, "host_cpus": 2, "host_busy": busy,
                           "threads": {"vcpu": {"cpu": vcpu, "each": [vcpu - 0.8, 0.8], "voluntary_per_s": 100.0,
                                                "nonvoluntary_per_s": 5.0, "threads": 2, "runqueue": 0.1,
                                                "blocked": {"lock": 0.2, "halt": 0.3, "other": 0.0,
                                                            "samples": 400, "lock_static": True}},
                                       "main": {"cpu": 0.1, "voluntary_per_s": 1.0,
                                                "nonvoluntary_per_s": 0.0, "threads": 1}}})

    def test_medians_per_workload_and_driver(self):
        with tempfile.TemporaryDirectory() as d:
            rows = [report.parse_measurement(write_round(d, r, drv, "sendfile4-q2", 2.0, 250, queues=2))
                    for r in range(1, 4) for drv in ("sgnic", "igb")]
            path = os.path.join(d, "threads.jsonl")
            with open(path, "w") as f:
                for r, vcpu in ((1, 1.9), (2, 1.7), (3, 1.8)):
                    f.write(self.span(f"{r}-sgnic-sendfile4-q2", vcpu, 1.99) + "\n")
                f.write("not json\n")
                f.write(self.span("1-igb-sendfile4-q2", 1.95, 2.0) + "\n")
            t = report.host_threads(path, rows)
        self.assertEqual(t["sendfile4-q2"]["sgnic"]["rounds"], 3)
        self.assertAlmostEqual(t["sendfile4-q2"]["sgnic"]["vcpu_cpu"], 1.8)
        self.assertEqual(t["sendfile4-q2"]["sgnic"]["vcpu_threads"], 2)
        self.assertAlmostEqual(t["sendfile4-q2"]["igb"]["host_busy"], 2.0)
        self.assertAlmostEqual(t["sendfile4-q2"]["igb"]["mib_per_s"], rows[1]["mib_per_s"])
        text = report.host_threads_markdown(t)
        self.assertIn("| sendfile4-q2 | sgnic |", text)
        self.assertIn("| 1.80 | 1.00 | 0.10 | 0.20 | 0.30 | 100 | 0.10 | 1.99 of 2 |", text)
        # 2.0 s of wall time, 2.5 s idle (250 ticks) of 2 CPUs' 4.0 s:
        # 1.5 s busy, 0.75 CPUs.
        self.assertAlmostEqual(t["sendfile4-q2"]["sgnic"]["guest_busy"], 0.75, places=2)

    def test_wait_classification(self):
        spec = importlib.util.spec_from_file_location(
            "thread_sampler", os.path.join(os.path.dirname(__file__), "..", "qemu", "thread-sampler.py"))
        sampler_mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sampler_mod)
        w = sampler_mod.WaitSampler.__new__(sampler_mod.WaitSampler)
        w.groups = {"10": "main", "11": "vcpu", "12": "vcpu"}
        w.static = [(0x1000, 0x2000)]
        # The lock (0x1800) is waited on by all three; 0x9000 and 0x9100
        # are each vCPU's own halt condition; 0x9200 the main thread's.
        w.counts = {
            "10": {"futex:0x1800": 5, "futex:0x9200": 95},
            "11": {"running": 50, "futex:0x1800": 20, "futex:0x9000": 30},
            "12": {"running": 60, "futex:0x1800": 10, "futex:0x9100": 20, "other": 10},
        }
        out = w.summary()
        self.assertAlmostEqual(out["lock"], 0.3)
        self.assertAlmostEqual(out["halt"], 0.5)
        self.assertAlmostEqual(out["other"], 0.1)
        self.assertEqual(out["samples"], 100)
        self.assertTrue(out["lock_static"])
        self.assertEqual(out["lock_waiters"], 3)
        # No address shared with the main thread: no lock named.
        w.counts["10"] = {"futex:0x9200": 100}
        out = w.summary()
        self.assertEqual(out["lock"], 0.0)
        self.assertNotIn("lock_static", out)

    def test_no_sampler_file(self):
        self.assertEqual(report.host_threads(None, []), {})
        self.assertEqual(report.host_threads("/nonexistent/threads.jsonl", []), {})


if __name__ == "__main__":
    unittest.main()
