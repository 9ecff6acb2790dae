//! `sgnic-test`: in-guest test tool for the sgnic NIC driver.
//!
//! Runs inside a minimal busybox VM, so it is a single static binary with
//! no runtime dependencies. Every result a script parses is one JSON line
//! on stdout; diagnostics go to stderr as `sgnic-test: <what>: <cause>`.

mod args;
mod error;
mod ethtool;
mod files;
mod json;
mod net;
mod recv;
mod rr;
mod send;
mod sys;

#[cfg(test)]
mod e2e_tests;

use args::{parse_endpoint, parse_ip, Parsed};
use error::{CliError, Context, Result, EXIT_UNSUPPORTED};
use json::{print_line, JsonObject};
use net::{announce_listening, listen, ListenSpec};
use send::{Method, SendOutcome, SendSpec};
use std::net::IpAddr;
use std::path::{Path, PathBuf};

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
       [--chunk BYTES]
      METHOD: read-write | mmap-write | sendfile | splice | zerocopy
  ethtool-stats IFACE
      print the driver's ethtool -S counters
  rr --to HOST:PORT --count N --size BYTES
      request/response latency client
  rr-server --port P [--bind ADDR] [--count N] [--ready-file PATH]
      echo server for rr (N connections, default 1, 0 = forever)

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
        "rr" => cmd_rr(rest),
        "rr-server" => cmd_rr_server(rest),
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(CliError::usage(format!("unknown command '{other}'"))),
    }
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
        &["--to", "--file", "--method", "--offset", "--len", "--chunk"],
        &[],
    )?;
    p.exact_positionals(&[])?;
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
