#!/usr/bin/env python3
"""Host side of the guest's wire-control channel (ttyS2).

Reads one request per line from the guest's third serial port (a unix
socket QEMU listens on) and carries out only these, through the QEMU human
monitor:
    set_link p0|p1 on|off    -> "set_link p0 off"
    pcap start|stop          -> object_add/object_del filter-dump on p0
    unplug p0|p1             -> "device_del nic0" (the guest's pciehp
                                then powers the slot off and removes it)
    plug p0|p1               -> "device_add" of the same NIC again
Answers "ok" or "error: ..." on the same line. Anything else is refused.
unplug/plug need the NICs' device specs (4th argument, "spec0;spec1"),
which run-vm.sh passes only on the q35 machine, where the NICs sit behind
hotplug-capable PCIe root ports.
"""
import re
import socket
import sys
import time

ALLOWED = re.compile(r"^(set_link (p0|p1) (on|off)|pcap (start|stop)|(unplug|plug) (p0|p1))$")


def connect(path, attempts=200):
    for _ in range(attempts):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            time.sleep(0.05)
    sys.exit(f"link-control: cannot connect to {path}")


def read_until_prompt(mon):
    """Reads monitor output up to and including the next "(qemu) " prompt."""
    buf = b""
    while not buf.endswith(b"(qemu) "):
        chunk = mon.recv(4096)
        if not chunk:
            break
        buf += chunk
    return buf


def monitor_command(path, command):
    """Runs one HMP command and returns its output."""
    mon = connect(path)
    mon.settimeout(10)
    read_until_prompt(mon)  # the banner
    mon.sendall(command.encode() + b"\n")
    out = read_until_prompt(mon)
    mon.close()
    text = out.decode(errors="replace").replace("\r", "")
    lines = [l for l in text.split("\n") if l and not l.startswith("(qemu)") and command not in l]
    return "\n".join(lines).strip()


def main():
    channel_path, monitor_path, pcap_path = sys.argv[1:4]
    specs = sys.argv[4].split(";") if len(sys.argv) > 4 and sys.argv[4] else []
    chan = connect(channel_path)
    pending = b""
    while True:
        data = chan.recv(4096)
        if not data:
            return
        pending += data
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            req = line.decode(errors="replace").strip()
            if not req:
                continue
            if not ALLOWED.match(req):
                chan.sendall(b"error: refused\n")
                continue
            if req.startswith(("unplug", "plug")):
                port = int(req[-1])
                if not specs:
                    chan.sendall(b"error: this machine has no hotplug slots\n")
                    continue
                cmd = f"device_del nic{port}" if req.startswith("unplug") else f"device_add {specs[port]}"
            elif req.startswith("pcap"):
                cmd = (
                    f"object_add filter-dump,id=sgnic-pcap,netdev=p0,file={pcap_path}"
                    if req.endswith("start")
                    else "object_del sgnic-pcap"
                )
            else:
                cmd = req
            out = monitor_command(monitor_path, cmd)
            # device_del returns at once; QEMU drops the device only when
            # the guest has powered the slot off, a little after the guest
            # has unbound it. Until then its id is taken.
            deadline = time.monotonic() + 30
            while req.startswith("plug") and "Duplicate device ID" in out and time.monotonic() < deadline:
                time.sleep(0.5)
                out = monitor_command(monitor_path, cmd)
            reply = "ok" if not out else "error: " + out.replace("\n", " ")
            chan.sendall(reply.encode() + b"\n")


if __name__ == "__main__":
    main()
