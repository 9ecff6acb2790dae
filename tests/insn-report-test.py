#!/usr/bin/env python3
"""Unit tests for tests/insn-report.py and tests/rust_demangle.py (run by
make test on the host): attribution of counted blocks to functions, the
per-unit arithmetic, MMIO classification (8254x and 82576 registers), the
C igb as the baseline with a workload sgnic refused, and Rust symbol
demangling."""
import importlib.util
import os
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("insn_report", os.path.join(HERE, "insn-report.py"))
report = importlib.util.module_from_spec(spec)
spec.loader.exec_module(report)
from rust_demangle import demangle  # noqa: E402  (insn-report put tests/ on the path)

POLL = "_RNvXs_NtNtCs27p5r3a69fn_10sgnic_main6driver3opsNtNtB6_4port4PortNtNtNtB8_4glue6netdev10Operations4poll"


class Demangle(unittest.TestCase):
    def test_trait_impl_method(self):
        self.assertEqual(
            demangle(POLL),
            "<sgnic_main::driver::port::Port as sgnic_main::glue::netdev::Operations>::poll",
        )

    def test_inherent_method_and_generic_function(self):
        self.assertEqual(
            demangle("_RNvMNtNtCs27p5r3a69fn_10sgnic_main6driver2rxNtB2_6RxRing12alloc_buffer"),
            "<sgnic_main::driver::rx::RxRing>::alloc_buffer",
        )
        self.assertEqual(
            demangle("_RINvNtNtCs27p5r3a69fn_10sgnic_main4glue6netdev9napi_pollNtNtNtB6_6driver4port4PortEB6_"),
            "sgnic_main::glue::netdev::napi_poll<sgnic_main::driver::port::Port>",
        )

    def test_c_names_and_garbage_pass_through(self):
        self.assertEqual(demangle("e1000_clean"), "e1000_clean")
        self.assertEqual(demangle("_RNvZZZ"), "_RNvZZZ")


class Report(unittest.TestCase):
    def test_counts_become_per_unit_tables(self):
        with tempfile.TemporaryDirectory() as d:
            guest = os.path.join(d, "guest")
            os.mkdir(guest)
            with open(os.path.join(d, "System.map"), "w") as f:
                f.write("ffffffff81000000 T napi_gro_receive\nffffffff81001000 T rust_helper_writel\n")
            # Runs 1 (sgnic) and 2 (e1000), modules loaded at the same address.
            with open(os.path.join(guest, "ksyms.1"), "w") as f:
                f.write(f"ffffffffa0000000 t {POLL}\t[sgnic]\n")
            with open(os.path.join(guest, "ksyms.2"), "w") as f:
                f.write("ffffffffa0000000 t e1000_clean\t[e1000]\n")
            with open(os.path.join(guest, "phases"), "w") as f:
                f.write("1 sgnic rr 1 100 transaction\n3 e1000 rr 2 100 transaction\n")
            with open(os.path.join(guest, "nic-bars"), "w") as f:
                f.write("0000:00:03.0 0x00000000feb80000 0x00000000feb9ffff 0x0000000000040200\n")
            with open(os.path.join(d, "counts"), "w") as f:
                f.write(
                    # phase 1: 10 insns x 100 in poll, 5 x 100 in the stack,
                    # 2 x 100 in a Rust helper; 200 TDT writes, 400 IPIs.
                    "tb 1 ffffffffa0000010 10 100\ntb 1 ffffffff81000004 5 100\n"
                    "tb 1 ffffffff81001000 2 100\n"
                    "io 1 ffffffff81001002 feb83818 w 200\nio 1 ffffffff81000000 fee00300 w 400\n"
                    # phase 2 (not a workload) is ignored; phase 3: e1000.
                    "tb 2 ffffffffa0000010 10 999\n"
                    "tb 3 ffffffffa0000000 8 100\ntb 3 ffffffff81000004 5 100\n"
                    "io 3 ffffffffa0000004 feb83818 w 100\n"
                )
            phases = report.read_phases(guest)
            report.attribute(os.path.join(d, "counts"), phases, os.path.join(d, "System.map"), guest)
            text = report.report("rr", list(phases.values()), 5)
        s, c = phases[1], phases[3]
        self.assertEqual((s.total, s.module, s.rust_helpers), (1700, 1000, 200))
        self.assertEqual((c.total, c.module), (1300, 800))
        self.assertEqual(s.nic[("TDT", "w")], 200)
        self.assertEqual(s.lapic["IPIs sent"], 400)
        self.assertIn("| guest kernel instructions | 17 | 13 | 1.308 |", text)
        self.assertIn("| NIC TDT writes | 2.00 | 1.00 | 2.000 |", text)
        self.assertIn("`<driver::port::Port as glue::netdev::Operations>::poll`", text)
        rr = report.summary(list(phases.values()))["workloads"]["rr"]
        self.assertEqual(rr["unit"], "transaction")
        self.assertEqual(
            rr["sgnic"],
            {"runs": 1, "kernel_instructions": 17.0, "driver_instructions": 12.0,
             "translation_blocks": 3.0, "nic_accesses": 2.0},
        )
        self.assertEqual(rr["e1000"]["driver_instructions"], 8.0)
        self.assertEqual(rr["e1000"]["nic_accesses"], 1.0)


class Igb(unittest.TestCase):
    """On the 82576: the C igb is the baseline, its own code is its
    module's (igb_*), its registers have 82576 names, and a workload sgnic
    refused is reported as not measured, with the other driver's figures."""

    def test_igb_baseline_registers_and_a_refused_workload(self):
        with tempfile.TemporaryDirectory() as d:
            guest = os.path.join(d, "guest")
            os.mkdir(guest)
            with open(os.path.join(d, "System.map"), "w") as f:
                f.write("ffffffff81000000 T napi_gro_receive\n")
            with open(os.path.join(guest, "ksyms.1"), "w") as f:
                f.write(f"ffffffffa0000000 t {POLL}\t[sgnic]\n")
            with open(os.path.join(guest, "ksyms.2"), "w") as f:
                f.write("ffffffffa0000000 t igb_poll\t[igb]\nffffffffa0000100 t igb_xmit_frame\t[igb]\n")
            with open(os.path.join(guest, "phases"), "w") as f:
                f.write("1 sgnic sendfile4-q1 1 1048576 byte\n"
                        "3 igb sendfile4-q1 2 1048576 byte\n5 igb sendfile4-q2 2 1048576 byte\n")
            with open(os.path.join(guest, "unsupported"), "w") as f:
                f.write("warmup 0 sendfile4-q2 ethtool -L eth0 combined 2: Operation not supported\n"
                        "sgnic 1 sendfile4-q2 ethtool -L eth0 combined 2: Operation not supported\n")
            with open(os.path.join(guest, "queues"), "w") as f:
                f.write("1 sgnic 1\n2 igb 2\n")
            with open(os.path.join(guest, "nic-bars"), "w") as f:
                f.write("0000:01:00.0 0x00000000fe800000 0x00000000fe81ffff 0x0000000000040200\n")
            with open(os.path.join(d, "counts"), "w") as f:
                f.write(
                    "tb 1 ffffffffa0000010 10 100\ntb 1 ffffffff81000004 5 100\n"
                    "io 1 ffffffffa0000010 fe80e018 w 50\n"
                    "tb 3 ffffffffa0000000 8 100\ntb 3 ffffffffa0000104 4 100\n"
                    "io 3 ffffffffa0000104 fe803818 w 40\nio 3 ffffffffa0000000 fe801524 w 10\n"
                    "tb 5 ffffffffa0000000 8 80\nio 5 ffffffffa0000104 fe803918 w 30\n"
                )
            phases = report.read_phases(guest)
            report.attribute(os.path.join(d, "counts"), phases, os.path.join(d, "System.map"), guest)
            refused = report.read_unsupported(guest)
            queues = report.read_queues(guest)
            ps = list(phases.values())
            base = report.baseline_of(ps)
            q1 = report.report("sendfile4-q1", ps, 5, base, refused.get("sendfile4-q1"))
            q2 = report.report("sendfile4-q2", ps, 5, base, refused.get("sendfile4-q2"))
            scaling = report.queue_scaling(ps, base, refused)
            js = report.summary(ps, refused)["workloads"]
        self.assertEqual(base, "igb")
        self.assertEqual(queues, {"sgnic": [1], "igb": [2]})
        self.assertEqual(refused, {"sendfile4-q2": {"sgnic": "ethtool -L eth0 combined 2: Operation not supported"}})
        self.assertEqual(phases[1].nic[("TDT[0]", "w")], 50)
        self.assertEqual(phases[3].nic[("TDT[0]", "w")], 40)
        self.assertEqual(phases[3].nic[("EIMS", "w")], 10)
        self.assertEqual(phases[5].nic[("TDT[1]", "w")], 30)
        self.assertEqual(phases[3].module, 1200)
        self.assertIn("| sgnic | function | igb | function |", q1)
        self.assertIn("`igb_poll`", q1)
        self.assertIn("| NIC TDT[0] writes | 50.00 | 40.00 | 1.250 |", q1)
        self.assertIn("Not measured for sgnic: it refused the setup (ethtool -L eth0 combined 2", q2)
        self.assertIn("| guest kernel instructions | - | 640 | - | - | 640 |", q2)
        self.assertIn("| igb | 1,200 | 640 | 0.533 |", scaling)
        self.assertIn("| sgnic | not measured: sendfile4-q2: ethtool -L", scaling)
        self.assertEqual(js["sendfile4-q2"]["unsupported"]["sgnic"][:8], "ethtool ")
        self.assertEqual(js["sendfile4-q2"]["igb"]["kernel_instructions"], 640.0)


if __name__ == "__main__":
    unittest.main()
