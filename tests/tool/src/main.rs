//! `sgnic-test`: in-guest test tool for the sgnic NIC driver.
//!
//! Runs inside a minimal busybox VM, so it is a single static binary with
//! no runtime dependencies. Every result a script parses is one JSON line
//! on stdout; diagnostics go to stderr as `sgnic-test: <what>: <cause>`.

mod args;
mod copytable;
mod cpustat;
mod error;
mod ethtool;
mod files;
mod frames;
mod json;
mod kallsyms;
mod net;
mod netlink;
mod pci;
mod probe;
mod recv;
mod rr;
mod send;
mod sys;
mod uring;

#[cfg(test)]
mod e2e_tests;

use args::{parse_endpoint, parse_ip, Parsed};
use error::{CliError, Context, Result, EXIT_UNSUPPORTED};
use json::{print_line, JsonObject};
use net::{announce_listening, listen, ExtraHeaders, ListenSpec};
use send::{Method, SendOutcome, SendSpec};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

const USAGE: &str = "\
usage: sgnic-test COMMAND [ARGS]

  mkfile PATH SIZE [--seed N]
      write SIZE bytes (K/M/G/T suffixes, binary) of deterministic data
  sha256 PATH [--hex]
      hash a file; --hex prints only the digest instead of JSON
  recv --port P [--bind ADDR] [--count N] [--out PATH] [--ready-file PATH]
       [--rcvbuf BYTES]
      accept N connections (default 1, 0 = forever), each read to EOF
  send --to HOST:PORT --file PATH --method METHOD [--offset N] [--len N]
       [--chunk BYTES] [--ip-options BYTES | --ipv6-rthdr BYTES] [--as-user UID]
       [--scatter BYTES] [--repeat-for SECONDS]
      METHOD: read-write | mmap-write | sendfile | splice | zerocopy
      --ip-options: IPv4 NOP options (multiple of 4, <= 40); --ipv6-rthdr:
      a segment routing header (multiple of 8, 24..2040) that routes
      nowhere else; --as-user: drop root for UID first; --scatter (zerocopy):
      the data lies in memory in pieces of BYTES with gaps between, so a
      frame carries one skb fragment per piece; --repeat-for: send the
      region again and again over the connection until SECONDS have passed
  ethtool-stats IFACE
      print the driver's ethtool -S counters
  cpu-snapshot
      print CLOCK_MONOTONIC (ns) and /proc/stat's all-CPU times (USER_HZ)
  rr --to HOST:PORT --count N --size BYTES
      request/response latency client
  rr-server --port P [--bind ADDR] [--count N] [--ready-file PATH]
      echo server for rr (N connections, default 1, 0 = forever)
  mcast-recv --group ADDR --port P --iface-addr IPV4 [--seconds S] [--ready-file PATH]
      join an IPv4 multicast group and count datagrams for S seconds (3)
  mcast-send --group ADDR --port P --iface-addr IPV4 --count N [--size B]
      send N datagrams to a multicast group
  raw-send --iface IF --dst MAC --count N [--ethertype 0x88b5] [--size B]
           [--gap-us U]
           [(--tcp-bad-csum | --udp-bad-csum) --src-ip IPV4 --dst-ip IPV4
            --dst-port P [--src-port P]]
      send N raw Ethernet frames (B payload bytes, default 100), U
      microseconds apart (1000; 0 = as fast as the queue takes them); a
      frame the full queue refuses (ENOBUFS) is sent again, and counted.
      --tcp-bad-csum / --udp-bad-csum: IPv4 frames instead (no
      --ethertype), a TCP ACK or UDP datagram carrying the B bytes from
      the source port (40000) to P, with a valid IPv4 header checksum and
      a deliberately wrong TCP or UDP checksum
  raw-recv --iface IF [--ethertype 0x88b5] [--seconds S] [--count N]
           [--ready-file PATH]
      count frames of that EtherType the NIC lets in for S seconds (3),
      or until N came; also lists their lengths, header included, and
      counts those whose payload is raw-send's pattern (patterned)
  probe-cycles --module KO --driver NAME --port BDF [--guard BDF] [--ring N]
               [--cycles N] [--rx-every K] [--wait-seconds S] [--pci-driver P]
      N times (1): load KO, wait until PCI driver P (NAME) binds BDF (never --guard),
      set both rings to N, bring BDF's interface up, in every Kth cycle
      (1) and the last wait for received frames (at most S seconds, 10),
      unload NAME; prints the mean time of each step per cycle
  module-text MODULE
      the code address range of a loaded module (for fault injection's
      require-start/require-end), as JSON: start and end in hex
  symbol-range FIRST LAST
      the code from kernel function FIRST to the end of LAST (for fault
      injection's reject-start/reject-end), as JSON: start and end in hex
  bar-read BDF OFFSET
      a 32-bit register of PCI device BDF's BAR 0 (OFFSET in hex or
      decimal), read through sysfs whatever driver is bound; JSON: value
  netdev-queues IFACE
      what the netdev netlink family reports for IFACE's queues: per queue
      the NAPI instance serving it (rxN_napi, txN_napi, absent when none),
      per instance its IRQ (napi_ID_irq), how many instances the NAPI dump
      lists (napis) and how many of those napi-get finds by ID
      (napis_gettable), and the driver's per-queue
      statistics (rxN_packets, rxN_bytes, txN_packets, txN_bytes; qstats:
      how many queues reported them, qstats_supported: whether the driver
      has them at all; dev_rx_packets and so on: the device's totals, the
      queues' plus what no running queue counts)
  copy-table --to HOST:PORT --file PATH (--iface IF | --no-stats)
             [--methods m1,m2,...] [--json OUT] [--phase-base N]
             [--name ROW]
      send the file by each method, with the driver's counters around
      each transfer; human table on stderr, one JSON object on stdout.
      --phase-base: bracket each transfer with sync(2), the phase marks
      of the host's counting plugin; the k-th method (from 0) is then in
      phase N + 2k + 1. --name: the row's name (one method only)

Results are single JSON lines on stdout. Exit status: 0 ok, 1 failure,
2 usage error, 3 feature unsupported by the kernel.";

fn main() {
    let code = match collect_args().and_then(|args| dispatch(&args)) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("sgnic-test: {e}");
            if e.exit_code == error::EXIT_USAGE {
                eprintln!("run 'sgnic-test help' for usage");
            }
            e.exit_code
        }
    };
    std::process::exit(code);
}

/// Command-line arguments as UTF-8 (std::env::args would panic otherwise).
fn collect_args() -> Result<Vec<String>> {
    std::env::args_os()
        .skip(1)
        .map(|a| {
            a.into_string()
                .map_err(|a| CliError::usage(format!("argument is not valid UTF-8: {a:?}")))
        })
        .collect()
}

fn dispatch(args: &[String]) -> Result<()> {
    let Some((command, rest)) = args.split_first() else {
        return Err(CliError::usage("missing command"));
    };
    match command.as_str() {
        "mkfile" => cmd_mkfile(rest),
        "sha256" => cmd_sha256(rest),
        "recv" => cmd_recv(rest),
        "send" => cmd_send(rest),
        "ethtool-stats" => cmd_ethtool_stats(rest),
        "cpu-snapshot" => {
            Parsed::parse(rest, &[], &[])?.exact_positionals(&[])?;
            print_line(&cpustat::snapshot()?)
        }
        "rr" => cmd_rr(rest),
        "rr-server" => cmd_rr_server(rest),
        "mcast-recv" => cmd_mcast_recv(rest),
        "mcast-send" => cmd_mcast_send(rest),
        "raw-send" => cmd_raw_send(rest),
        "raw-recv" => cmd_raw_recv(rest),
        "copy-table" => cmd_copy_table(rest),
        "probe-cycles" => cmd_probe_cycles(rest),
        "module-text" => cmd_module_text(rest),
        "symbol-range" => cmd_symbol_range(rest),
        "bar-read" => cmd_bar_read(rest),
        "netdev-queues" => cmd_netdev_queues(rest),
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(CliError::usage(format!("unknown command '{other}'"))),
    }
}

fn cmd_probe_cycles(args: &[String]) -> Result<()> {
    let p = Parsed::parse(
        args,
        &[
            "--module",
            "--driver",
            "--port",
            "--guard",
            "--ring",
            "--cycles",
            "--rx-every",
            "--wait-seconds",
            "--pci-driver",
        ],
        &[],
    )?;
    p.exact_positionals(&[])?;
    let cycles: u32 = p.parse_opt("--cycles")?.unwrap_or(1);
    let driver = p.required("--driver")?;
    let spec = probe::CycleSpec {
        module: Path::new(p.required("--module")?),
        driver,
        pci_driver: p.get("--pci-driver").unwrap_or(driver),
        port: p.required("--port")?,
        guard: p.get("--guard"),
        ring: p.parse_opt("--ring")?.unwrap_or(0),
        cycles,
        rx_every: p.parse_opt("--rx-every")?.unwrap_or(1),
        wait: std::time::Duration::from_secs(p.parse_opt("--wait-seconds")?.unwrap_or(10)),
    };
    let t = probe::run(&spec)?;
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0 / f64::from(cycles.max(1));
    print_line(
        &JsonObject::new()
            .uint("cycles", u64::from(t.cycles))
            .uint("rx_cycles", u64::from(t.rx_cycles))
            .float("load_ms", ms(t.load), 1)
            .float("open_ms", ms(t.open), 1)
            .float("first_rx_ms", ms(t.first_rx), 1)
            .float("unload_ms", ms(t.unload), 1)
            .float(
                "longest_cycle_ms",
                t.longest_cycle.as_secs_f64() * 1000.0,
                1,
            ),
    )
}

fn cmd_module_text(args: &[String]) -> Result<()> {
    let p = Parsed::parse(args, &[], &[])?;
    let pos = p.exact_positionals(&["MODULE"])?;
    print_code_range(
        |syms| kallsyms::module_text(syms, &pos[0]),
        || format!("no text symbols of module {} in /proc/kallsyms", pos[0]),
    )
}

fn cmd_bar_read(args: &[String]) -> Result<()> {
    let p = Parsed::parse(args, &[], &[])?;
    let pos = p.exact_positionals(&["BDF", "OFFSET"])?;
    let text = pos[1].as_str();
    let offset = match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    }
    .map_err(|_| CliError::usage(format!("OFFSET '{text}' is not a number")))?;
    let value = pci::read_bar0(&pos[0], offset)?;
    print_line(&JsonObject::new().str("value", &format!("{value:#010x}")))
}

fn cmd_netdev_queues(args: &[String]) -> Result<()> {
    use netlink::{attr_uint, netdev as nd, u32_attr, Genl};
    let p = Parsed::parse(args, &[], &[])?;
    let pos = p.exact_positionals(&["IFACE"])?;
    let name = std::ffi::CString::new(pos[0].as_str()).map_err(|_| CliError::usage("bad IFACE"))?;
    // SAFETY: a NUL-terminated name.
    let ifindex = unsafe { libc::if_nametoindex(name.as_ptr()) };
    if ifindex == 0 {
        return Err(CliError::os(
            format!("no interface {}", pos[0]),
            std::io::Error::last_os_error(),
        ));
    }
    let mut genl = Genl::open("netdev")?;
    let kind = |t: Option<u64>| {
        if t == Some(u64::from(nd::QUEUE_TYPE_RX)) {
            "rx"
        } else {
            "tx"
        }
    };
    let mut out = JsonObject::new().uint("ifindex", u64::from(ifindex));
    for q in genl.dump(nd::CMD_QUEUE_GET, &[u32_attr(nd::A_QUEUE_IFINDEX, ifindex)])? {
        let (Some(id), Some(napi)) = (
            attr_uint(&q, nd::A_QUEUE_ID),
            attr_uint(&q, nd::A_QUEUE_NAPI_ID),
        ) else {
            continue;
        };
        out = out.uint(
            &format!("{}{id}_napi", kind(attr_uint(&q, nd::A_QUEUE_TYPE))),
            napi,
        );
    }
    let (mut napis, mut gettable) = (0, 0);
    for n in genl.dump(nd::CMD_NAPI_GET, &[u32_attr(nd::A_NAPI_IFINDEX, ifindex)])? {
        let Some(id) = attr_uint(&n, nd::A_NAPI_ID) else {
            continue;
        };
        napis += 1;
        if let Some(irq) = attr_uint(&n, nd::A_NAPI_IRQ) {
            out = out.uint(&format!("napi_{id}_irq"), irq);
        }
        // What the dump lists, napi-get finds by its ID.
        let id = u32::try_from(id).map_err(|_| CliError::msg("NAPI ID out of range"))?;
        if genl
            .get(nd::CMD_NAPI_GET, &[u32_attr(nd::A_NAPI_ID, id)])
            .is_ok_and(|r| !r.is_empty())
        {
            gettable += 1;
        }
    }
    out = out.uint("napis", napis).uint("napis_gettable", gettable);
    let request = [
        u32_attr(nd::A_QSTATS_IFINDEX, ifindex),
        u32_attr(nd::A_QSTATS_SCOPE, nd::QSTATS_SCOPE_QUEUE),
    ];
    let mut reported = 0;
    let qstats = genl.dump_optional(nd::CMD_QSTATS_GET, &request)?;
    out = out.bool("qstats_supported", qstats.is_some());
    for s in qstats.unwrap_or_default() {
        let Some(id) = attr_uint(&s, nd::A_QSTATS_QUEUE_ID) else {
            continue;
        };
        let prefix = format!("{}{id}", kind(attr_uint(&s, nd::A_QSTATS_QUEUE_TYPE)));
        for (i, stat) in nd::QSTATS_NAMES.iter().enumerate() {
            let attr = nd::A_QSTATS_RX_PACKETS + i as u16;
            // Each queue reports its own direction's counters.
            if let Some(v) = attr_uint(&s, attr).filter(|_| stat.starts_with(&prefix[..2])) {
                out = out.uint(&format!("{prefix}_{}", &stat[3..]), v);
            }
        }
        reported += 1;
    }
    // Without a scope: the device's totals, the queues' plus the driver's
    // base (what no running queue accounts for).
    for s in genl
        .dump_optional(nd::CMD_QSTATS_GET, &request[..1])?
        .unwrap_or_default()
    {
        for (i, stat) in nd::QSTATS_NAMES.iter().enumerate() {
            if let Some(v) = attr_uint(&s, nd::A_QSTATS_RX_PACKETS + i as u16) {
                out = out.uint(&format!("dev_{stat}"), v);
            }
        }
    }
    print_line(&out.uint("qstats", reported))
}

fn cmd_symbol_range(args: &[String]) -> Result<()> {
    let p = Parsed::parse(args, &[], &[])?;
    let pos = p.exact_positionals(&["FIRST", "LAST"])?;
    print_code_range(
        |syms| kallsyms::symbol_range(syms, &pos[0], &pos[1]),
        || format!("no range {}..{} in /proc/kallsyms", pos[0], pos[1]),
    )
}

/// Prints the code range `find` picks out of /proc/kallsyms as JSON, with
/// the addresses in hex (as debugfs fault-injection files take them).
fn print_code_range(
    find: impl FnOnce(&str) -> Option<(u64, u64)>,
    missing: impl FnOnce() -> String,
) -> Result<()> {
    let syms = std::fs::read_to_string("/proc/kallsyms").ctx(|| "reading /proc/kallsyms")?;
    let (start, end) = find(&syms).ok_or_else(|| CliError::msg(missing()))?;
    print_line(
        &JsonObject::new()
            .str("start", &format!("{start:#x}"))
            .str("end", &format!("{end:#x}")),
    )
}

fn cmd_mkfile(args: &[String]) -> Result<()> {
    let p = Parsed::parse(args, &["--seed"], &[])?;
    let pos = p.exact_positionals(&["PATH", "SIZE"])?;
    let path = Path::new(&pos[0]);
    let size = args::parse_size(&pos[1])
        .map_err(|e| CliError::usage(format!("invalid SIZE '{}': {e}", pos[1])))?;
    let seed = p.parse_opt::<u64>("--seed")?.unwrap_or(1);
    files::make_file(path, size, seed)?;
    print_line(
        &JsonObject::new()
            .str("path", &path.to_string_lossy())
            .uint("bytes", size)
            .uint("seed", seed),
    )
}

fn cmd_sha256(args: &[String]) -> Result<()> {
    let p = Parsed::parse(args, &[], &["--hex"])?;
    let pos = p.exact_positionals(&["PATH"])?;
    let (bytes, digest) = files::sha256_region(Path::new(&pos[0]), 0, None)?;
    if p.has("--hex") {
        println!("{digest}");
        return Ok(());
    }
    print_line(
        &JsonObject::new()
            .uint("bytes", bytes)
            .str("sha256", &digest),
    )
}

/// `--bind` (default 0.0.0.0) and mandatory `--port` of the servers.
fn listen_spec(p: &Parsed) -> Result<ListenSpec> {
    let port = p
        .parse_opt::<u16>("--port")?
        .ok_or_else(|| CliError::usage("missing required option --port"))?;
    let bind = match p.get("--bind") {
        Some(b) => parse_ip(b)?,
        None => IpAddr::from([0, 0, 0, 0]),
    };
    let rcvbuf = p
        .size_opt("--rcvbuf")?
        .map(|b| usize::try_from(b).unwrap_or(usize::MAX));
    Ok(ListenSpec { bind, port, rcvbuf })
}

/// Connections to serve: `--count`, default 1, 0 meaning no limit.
fn connection_limit(p: &Parsed) -> Result<Option<u64>> {
    Ok(match p.parse_opt::<u64>("--count")?.unwrap_or(1) {
        0 => None,
        n => Some(n),
    })
}

fn cmd_recv(args: &[String]) -> Result<()> {
    let p = Parsed::parse(
        args,
        &[
            "--port",
            "--bind",
            "--count",
            "--out",
            "--ready-file",
            "--rcvbuf",
        ],
        &[],
    )?;
    p.exact_positionals(&[])?;
    let spec = listen_spec(&p)?;
    let limit = connection_limit(&p)?;
    let out = p.get("--out").map(PathBuf::from);
    let (listener, port) = listen(&spec)?;
    announce_listening(port, p.get("--ready-file").map(Path::new))?;
    let mut served = 0u64;
    while limit.is_none_or(|n| served < n) {
        let (mut stream, peer) = listener.accept().ctx(|| "accept")?;
        eprintln!("sgnic-test: recv: connection from {peer}");
        let result = recv::receive(&mut stream, out.as_deref())?;
        // Report before closing, so the line exists by the time the sender
        // (which waits for our close) finishes.
        print_line(&result.to_json())?;
        drop(stream);
        served += 1;
    }
    Ok(())
}

fn cmd_send(args: &[String]) -> Result<()> {
    let p = Parsed::parse(
        args,
        &[
            "--to",
            "--file",
            "--method",
            "--offset",
            "--len",
            "--chunk",
            "--ip-options",
            "--ipv6-rthdr",
            "--as-user",
            "--scatter",
            "--repeat-for",
        ],
        &[],
    )?;
    p.exact_positionals(&[])?;
    let extra_headers = match (p.parse_opt("--ip-options")?, p.parse_opt("--ipv6-rthdr")?) {
        (None, None) => ExtraHeaders::None,
        (Some(n), None) => ExtraHeaders::Ipv4Options(n),
        (None, Some(n)) => ExtraHeaders::Ipv6RoutingHeader(n),
        (Some(_), Some(_)) => {
            return Err(CliError::usage(
                "--ip-options and --ipv6-rthdr exclude each other",
            ))
        }
    };
    // Everything from opening the file on runs as that user.
    if let Some(uid) = p.parse_opt::<u32>("--as-user")? {
        net::drop_privileges(uid)?;
    }
    let chunk = match p.size_opt("--chunk")? {
        Some(c) => Some(usize::try_from(c).map_err(|_| CliError::usage("--chunk too large"))?),
        None => None,
    };
    let spec = SendSpec {
        to: parse_endpoint(p.required("--to")?)?,
        file: PathBuf::from(p.required("--file")?),
        method: Method::from_name(p.required("--method")?)?,
        offset: p.size_opt("--offset")?.unwrap_or(0),
        len: p.size_opt("--len")?,
        chunk,
        extra_headers,
        scatter: p
            .size_opt("--scatter")?
            .map(|s| usize::try_from(s).map_err(|_| CliError::usage("--scatter too large")))
            .transpose()?,
        repeat_for: p.parse_opt::<u64>("--repeat-for")?.map(Duration::from_secs),
    };
    match send::send(&spec)? {
        SendOutcome::Done(report) => {
            if report.truncated {
                eprintln!(
                    "sgnic-test: send: file ended early, sent {} bytes",
                    report.bytes
                );
            }
            print_line(&report.to_json())
        }
        SendOutcome::Unsupported { method, reason } => {
            print_line(
                &JsonObject::new()
                    .str("method", method.name())
                    .bool("unsupported", true)
                    .str("error", &reason),
            )?;
            let mut err = CliError::msg(format!(
                "send --method {}: unsupported: {reason}",
                method.name()
            ));
            err.exit_code = EXIT_UNSUPPORTED;
            Err(err)
        }
    }
}

fn cmd_ethtool_stats(args: &[String]) -> Result<()> {
    let p = Parsed::parse(args, &[], &[])?;
    let pos = p.exact_positionals(&["IFACE"])?;
    let stats = ethtool::read_stats(&pos[0])?;
    let obj = stats.iter().fold(JsonObject::new(), |obj, (name, value)| {
        obj.uint(name, *value)
    });
    print_line(&obj)
}

fn cmd_rr(args: &[String]) -> Result<()> {
    let p = Parsed::parse(args, &["--to", "--count", "--size"], &[])?;
    p.exact_positionals(&[])?;
    let to = parse_endpoint(p.required("--to")?)?;
    let count = p
        .parse_opt::<u64>("--count")?
        .ok_or_else(|| CliError::usage("missing required option --count"))?;
    let size = p
        .size_opt("--size")?
        .ok_or_else(|| CliError::usage("missing required option --size"))?;
    let size = usize::try_from(size).map_err(|_| CliError::usage("--size too large"))?;
    let report = rr::run_client(to, count, size)?;
    print_line(&report.to_json())
}

fn cmd_rr_server(args: &[String]) -> Result<()> {
    let p = Parsed::parse(args, &["--port", "--bind", "--count", "--ready-file"], &[])?;
    p.exact_positionals(&[])?;
    let spec = listen_spec(&p)?;
    let limit = connection_limit(&p)?;
    let (listener, port) = listen(&spec)?;
    announce_listening(port, p.get("--ready-file").map(Path::new))?;
    let mut served = 0u64;
    while limit.is_none_or(|n| served < n) {
        let (stream, peer) = listener.accept().ctx(|| "accept")?;
        eprintln!("sgnic-test: rr-server: connection from {peer}");
        let bytes = rr::echo(stream)?;
        print_line(&JsonObject::new().uint("echoed_bytes", bytes))?;
        served += 1;
    }
    Ok(())
}

fn parse_ipv4(p: &Parsed, name: &str) -> Result<std::net::Ipv4Addr> {
    p.required(name)?
        .parse()
        .map_err(|_| CliError::usage(format!("{name}: not an IPv4 address")))
}

fn parse_ethertype(p: &Parsed) -> Result<u16> {
    match p.get("--ethertype") {
        None => Ok(frames::DEFAULT_ETHERTYPE),
        Some(t) => u16::from_str_radix(t.trim_start_matches("0x"), 16)
            .map_err(|_| CliError::usage(format!("invalid --ethertype '{t}'"))),
    }
}

/// Touches `--ready-file`, if given.
fn ready_file(p: &Parsed) -> impl FnOnce() -> Result<()> + '_ {
    move || match p.get("--ready-file") {
        Some(path) => std::fs::write(path, b"").ctx(|| format!("write {path}")),
        None => Ok(()),
    }
}

fn cmd_mcast_recv(args: &[String]) -> Result<()> {
    let p = Parsed::parse(
        args,
        &[
            "--group",
            "--port",
            "--iface-addr",
            "--seconds",
            "--ready-file",
        ],
        &[],
    )?;
    p.exact_positionals(&[])?;
    let group = parse_ipv4(&p, "--group")?;
    let port = p
        .parse_opt::<u16>("--port")?
        .ok_or_else(|| CliError::usage("missing required option --port"))?;
    let seconds = p.parse_opt::<f64>("--seconds")?.unwrap_or(3.0);
    let n = frames::multicast_receive(
        group,
        port,
        parse_ipv4(&p, "--iface-addr")?,
        seconds,
        ready_file(&p),
    )?;
    print_line(
        &JsonObject::new()
            .str("group", &group.to_string())
            .uint("received", n),
    )
}

fn cmd_mcast_send(args: &[String]) -> Result<()> {
    let p = Parsed::parse(
        args,
        &["--group", "--port", "--iface-addr", "--count", "--size"],
        &[],
    )?;
    p.exact_positionals(&[])?;
    let port = p
        .parse_opt::<u16>("--port")?
        .ok_or_else(|| CliError::usage("missing required option --port"))?;
    let count = p
        .parse_opt::<u64>("--count")?
        .ok_or_else(|| CliError::usage("missing required option --count"))?;
    let size = p.size_opt("--size")?.unwrap_or(64) as usize;
    let n = frames::multicast_send(
        parse_ipv4(&p, "--group")?,
        port,
        parse_ipv4(&p, "--iface-addr")?,
        count,
        size,
    )?;
    print_line(&JsonObject::new().uint("sent", n))
}

fn cmd_raw_send(args: &[String]) -> Result<()> {
    let p = Parsed::parse(
        args,
        &[
            "--iface",
            "--dst",
            "--count",
            "--ethertype",
            "--size",
            "--gap-us",
            "--src-ip",
            "--dst-ip",
            "--src-port",
            "--dst-port",
        ],
        &["--tcp-bad-csum", "--udp-bad-csum"],
    )?;
    p.exact_positionals(&[])?;
    let count = p
        .parse_opt::<u64>("--count")?
        .ok_or_else(|| CliError::usage("missing required option --count"))?;
    let size = p.size_opt("--size")?.unwrap_or(100) as usize;
    let gap = std::time::Duration::from_micros(p.parse_opt::<u64>("--gap-us")?.unwrap_or(1000));
    let payload = raw_payload(&p, size)?;
    let iface = p.required("--iface")?;
    let dst = frames::parse_mac(p.required("--dst")?)?;
    let n = frames::raw_send(iface, dst, &payload, count, gap)?;
    print_line(
        &JsonObject::new()
            .uint("sent", n.sent)
            .uint("refused", n.refused),
    )
}

/// What `raw-send` puts in each frame: `--size` bytes of pattern after
/// `--ethertype`, or with `--tcp-bad-csum`/`--udp-bad-csum` an IPv4 TCP
/// or UDP frame with a wrong checksum. Checked before any socket opens.
fn raw_payload(p: &Parsed, size: usize) -> Result<frames::RawPayload> {
    const IP_OPTIONS: [&str; 4] = ["--src-ip", "--dst-ip", "--src-port", "--dst-port"];
    let l4 = match (p.has("--tcp-bad-csum"), p.has("--udp-bad-csum")) {
        (false, false) => {
            if let Some(o) = IP_OPTIONS.iter().find(|o| p.get(o).is_some()) {
                return Err(CliError::usage(format!(
                    "{o} needs --tcp-bad-csum or --udp-bad-csum"
                )));
            }
            return Ok(frames::RawPayload::Plain {
                ethertype: parse_ethertype(p)?,
                size,
            });
        }
        (true, false) => frames::L4::Tcp,
        (false, true) => frames::L4::Udp,
        (true, true) => {
            return Err(CliError::usage(
                "--tcp-bad-csum and --udp-bad-csum exclude each other",
            ))
        }
    };
    if p.get("--ethertype").is_some() {
        return Err(CliError::usage(
            "--ethertype does not go with --tcp-bad-csum or --udp-bad-csum (IPv4)",
        ));
    }
    // 20 bytes of IPv4 header, 20 of TCP (the larger): an IPv4 packet.
    if size > usize::from(u16::MAX) - 40 {
        return Err(CliError::usage("--size too large for an IPv4 packet"));
    }
    let flow = frames::Ipv4Flow {
        src: parse_ipv4(p, "--src-ip")?,
        dst: parse_ipv4(p, "--dst-ip")?,
        src_port: p.parse_opt("--src-port")?.unwrap_or(40000),
        dst_port: p
            .parse_opt("--dst-port")?
            .ok_or_else(|| CliError::usage("missing required option --dst-port"))?,
    };
    Ok(frames::RawPayload::BadL4Checksum { l4, flow, size })
}

fn cmd_raw_recv(args: &[String]) -> Result<()> {
    let p = Parsed::parse(
        args,
        &[
            "--iface",
            "--ethertype",
            "--seconds",
            "--count",
            "--ready-file",
        ],
        &[],
    )?;
    p.exact_positionals(&[])?;
    let seconds = p.parse_opt::<f64>("--seconds")?.unwrap_or(3.0);
    let lengths = frames::raw_receive(
        p.required("--iface")?,
        parse_ethertype(&p)?,
        seconds,
        p.parse_opt::<u64>("--count")?,
        ready_file(&p),
    )?;
    let list: Vec<String> = lengths.iter().map(|(n, _)| n.to_string()).collect();
    let patterned = lengths.iter().filter(|(_, ok)| *ok).count();
    print_line(
        &JsonObject::new()
            .uint("received", lengths.len() as u64)
            .uint("patterned", patterned as u64)
            .str("lengths", &list.join(" ")),
    )
}

fn cmd_copy_table(args: &[String]) -> Result<()> {
    let p = Parsed::parse(
        args,
        &[
            "--to",
            "--file",
            "--iface",
            "--methods",
            "--json",
            "--phase-base",
            "--name",
        ],
        &["--no-stats"],
    )?;
    p.exact_positionals(&[])?;
    let to = parse_endpoint(p.required("--to")?)?;
    let file = PathBuf::from(p.required("--file")?);
    let iface = if p.has("--no-stats") {
        None
    } else {
        Some(p.required("--iface")?)
    };
    let methods = match p.get("--methods") {
        None => copytable::DEFAULT_METHODS.to_vec(),
        Some(list) => list
            .split(',')
            .map(Method::from_name)
            .collect::<Result<Vec<_>>>()?,
    };
    let file_bytes = std::fs::metadata(&file)
        .ctx(|| format!("stat {}", file.display()))?
        .len();
    let phase_base = p
        .get("--phase-base")
        .map(|v| {
            v.parse::<u32>()
                .map_err(|_| CliError::usage(format!("--phase-base: not a number: '{v}'")))
        })
        .transpose()?;
    let name = p.get("--name");
    if name.is_some() && methods.len() != 1 {
        return Err(CliError::usage(
            "--name needs exactly one method in --methods",
        ));
    }
    let marking = copytable::Marking { phase_base, name };
    let rows = copytable::run(to, &file, iface, &methods, &marking)?;
    eprint!("{}", copytable::table(&rows));
    let json = copytable::to_json(iface, file_bytes, &rows, &marking);
    if let Some(out) = p.get("--json") {
        std::fs::write(out, format!("{json}\n")).ctx(|| format!("write {out}"))?;
    }
    println!("{json}");
    Ok(())
}
