#!/usr/bin/env python3
"""Unit tests for tests/copy-report.py (run by make test on the host): the
copy routines' ranges, the send/receive split by vCPU, headers set aside,
the instruction categories, and what `check` accepts."""
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("copy_report", os.path.join(HERE, "copy-report.py"))
cr = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cr)

MIB = 1024 * 1024
SYSTEM_MAP = """\
ffffffff81000040 T entry_SYSCALL_64
ffffffff81000100 T tcp_sendmsg
ffffffff81000200 T filemap_read
ffffffff81000300 T rep_movs_alternative
ffffffff81000380 T copy_to_nontemporal
ffffffff81000400 T __memcpy
ffffffff81000400 T memcpy
ffffffff81000410 t memcpy_orig
ffffffff81000500 T __memmove
ffffffff81000500 T memmove
ffffffff81000600 T __x64_sys_sync
ffffffff81000700 T the_end
"""
NET = {"tcp_sendmsg"}
# The module's functions, from /proc/kallsyms.
KSYMS = "ffffffffa0001000 t sgnic_poll\t[sgnic]\nffffffffa0002000 t sgnic_xmit\t[sgnic]\n"


def rows_file(rows):
    return json.dumps({"iface": "eth0", "rows": rows})


class Fixture:
    """A kernel directory, plugin counts and the guest's files."""

    def __init__(self, counts, rows, nosg_rows=None, nginx_rows=None):
        self.dir = tempfile.TemporaryDirectory()
        d = self.dir.name
        self.kdir = os.path.join(d, "kdir")
        self.guest = os.path.join(d, "guest")
        os.makedirs(self.kdir)
        os.makedirs(self.guest)
        with open(os.path.join(self.kdir, "System.map"), "w") as f:
            f.write(SYSTEM_MAP)
        self.counts = os.path.join(d, "counts.txt")
        with open(self.counts, "w") as f:
            f.write(counts)
        for name, r in (
            ("copy-table.json", rows),
            ("copy-table-nosg.json", nosg_rows or []),
            ("copy-nginx.json", nginx_rows or []),
        ):
            with open(os.path.join(self.guest, name), "w") as f:
                f.write(rows_file(r))
        with open(os.path.join(self.guest, "copy-ksyms"), "w") as f:
            f.write(KSYMS)
        self.json = os.path.join(d, "out.json")

    def report(self):
        saved = cr.net_symbols
        cr.net_symbols = lambda kdir: NET
        try:
            args = type("A", (), {"kdir": self.kdir, "counts": self.counts, "guest_dir": self.guest, "json": self.json})
            with open(os.devnull, "w") as sink:
                stdout, sys.stdout = sys.stdout, sink
                try:
                    cr.report(args)
                finally:
                    sys.stdout = stdout
        finally:
            cr.net_symbols = saved
        with open(self.json) as f:
            return {r["method"]: r for r in json.load(f)["rows"]}


class Ranges(unittest.TestCase):
    def test_aliases_count_once_a_routine_ends_at_the_next_symbol_and_the_memcpy_stub_is_left_out(self):
        syms = []
        for line in SYSTEM_MAP.splitlines():
            a, _, n = line.split()
            syms.append((int(a, 16), n))
        syms.sort()
        got = [(n, hex(s), hex(e)) for n, s, e in cr.copy_ranges(syms)]
        self.assertEqual(
            got,
            [
                ("rep_movs_alternative", "0xffffffff81000300", "0xffffffff81000380"),
                ("copy_to_nontemporal", "0xffffffff81000380", "0xffffffff81000400"),
                ("memcpy_orig", "0xffffffff81000410", "0xffffffff81000500"),
                ("memmove", "0xffffffff81000500", "0xffffffff81000600"),
            ],
        )


class Report(unittest.TestCase):
    def test_send_and_receive_split_with_headers_aside(self):
        payload = 4 * MIB
        counts = "\n".join(
            [
                # Phase 1, read-write: two copies on the sender (vCPU 0), of
                # which 1000 bytes in small calls; one on the receiver.
                f"copy 1 0 0 {2 * payload + 1000}",
                "small 1 0 1000",
                f"copy 1 1 0 {payload}",
                "copy 1 1 2 300",
                "small 1 1 300",
                "sys 1 0 130",
                "sys 1 1 40",
                # Instructions on the sender: TCP/IP, the driver, a copy
                # routine and the rest.
                "tbv 1 0 ffffffff81000100 10 4000",
                "tbv 1 0 ffffffffa0002010 5 800",
                "tbv 1 0 ffffffff81000300 4 1000",
                "tbv 1 0 ffffffff81000200 20 100",
                "tbv 1 1 ffffffff81000100 10 7",
                # Phase 3, sendfile: no copy on the sender.
                f"copy 3 1 0 {payload}",
                "sys 3 0 3",
                "tbv 3 0 ffffffff81000100 10 400",
            ]
        )
        rows = [
            {"method": "read-write", "phase": 1, "bytes": payload, "syscalls": 129, "context_switches": 9,
             "user_s": 0.01, "sys_s": 0.03, "mib_per_s": 10.0, "pagecache_fraction": 0.0},
            {"method": "sendfile", "phase": 3, "bytes": payload, "syscalls": 2, "context_switches": 4,
             "user_s": 0.0, "sys_s": 0.004},
            {"method": "zerocopy", "unsupported": True, "error": "no SO_ZEROCOPY"},
        ]
        fixture = Fixture(counts, rows)
        self.addCleanup(fixture.dir.cleanup)
        got = fixture.report()
        rw = got["read-write"]
        self.assertEqual(rw["send_cpu_copied_bytes"], 2 * payload)
        self.assertEqual(rw["send_header_copied_bytes"], 1000)
        self.assertEqual(rw["recv_cpu_copied_bytes"], payload)
        self.assertEqual(rw["send_copy_ratio"], 2.0)
        self.assertEqual(rw["recv_copy_ratio"], 1.0)
        self.assertEqual(rw["send_copied_by_routine"], {"rep_movs_alternative": 2 * payload + 1000})
        self.assertEqual(rw["syscalls"], 130)
        self.assertEqual(rw["user_kernel_transitions"], 260)
        self.assertEqual(rw["syscalls_made_by_sender"], 129)
        self.assertEqual(rw["kernel_instructions_per_mib_split"], {"tcp_ip": 10000, "driver": 1000, "copy": 1000, "rest": 500})
        self.assertEqual(rw["kernel_instructions_per_mib"], 12500)
        self.assertEqual(rw["sender_cpu_ms_per_mib"], 10.0)
        sf = got["sendfile"]
        self.assertEqual((sf["send_cpu_copied_bytes"], sf["send_copy_ratio"]), (0, 0.0))
        self.assertEqual(sf["kernel_instructions_per_mib"], 1000)
        self.assertTrue(got["zerocopy"]["unsupported"])


def check(rows):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"rows": rows}, f)
    try:
        return subprocess.run(
            [sys.executable, os.path.join(HERE, "copy-report.py"), "check", "--json", f.name],
            capture_output=True, text=True,
        )
    finally:
        os.unlink(f.name)


def good_rows():
    rows = []
    for method, ratio in cr.EXPECTED_SEND_RATIO.items():
        rows.append({"method": method, "send_copy_ratio": ratio + 0.004, "recv_copy_ratio": 1.004, "syscalls": 5,
                     "kernel_instructions_per_mib": 1000, "pagecache_fraction": 1.0})
    return rows


class Check(unittest.TestCase):
    def test_every_method_within_one_percent_passes(self):
        r = check(good_rows())
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertIn("read-write 2.004x", r.stdout)

    def test_a_ratio_off_by_more_than_one_percent_fails(self):
        rows = good_rows()
        rows[0]["send_copy_ratio"] = 1.98
        r = check(rows)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("read-write: 1.98x", r.stdout)

    def test_a_missing_or_unsupported_row_fails(self):
        rows = [r for r in good_rows() if r["method"] != "java-transferto"]
        rows[1] = {"method": rows[1]["method"], "unsupported": True}
        r = check(rows)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("java-transferto: not measured", r.stdout)
        self.assertIn("mmap-write: not measured", r.stdout)

    def test_a_receive_side_without_its_one_copy_fails(self):
        # A row measured in the wrong phase (an idle one) shows no copies.
        rows = good_rows()
        rows[2]["recv_copy_ratio"] = 0.0
        r = check(rows)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(f"{rows[2]['method']}: 0.0x copied on the receive side", r.stdout)

    def test_a_real_client_below_99_percent_page_cache_fails(self):
        rows = good_rows()
        for r in rows:
            if r["method"] == "nginx":
                r["pagecache_fraction"] = 0.5
        r = check(rows)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("nginx: only 0.5", r.stdout)


if __name__ == "__main__":
    unittest.main()
