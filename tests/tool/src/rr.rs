//! `rr` / `rr-server`: TCP request/response latency (ping-pong of fixed-size
//! messages with Nagle disabled).

use crate::error::{CliError, Context, Result};
use crate::json::JsonObject;
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Instant;

/// Echo buffer of the server; messages larger than this just take several reads.
const ECHO_BUF: usize = 64 << 10;

/// Latency summary of one `rr` run.
#[derive(Debug, Clone)]
pub struct RrReport {
    /// Completed request/response pairs.
    pub transactions: u64,
    /// Wall time of all transactions.
    pub seconds: f64,
    /// Median round-trip time in microseconds.
    pub p50_us: f64,
    /// 99th-percentile round-trip time in microseconds.
    pub p99_us: f64,
}

impl RrReport {
    /// The JSON line printed for this report.
    pub fn to_json(&self) -> JsonObject {
        let tps = if self.seconds > 0.0 {
            self.transactions as f64 / self.seconds
        } else {
            0.0
        };
        JsonObject::new()
            .uint("transactions", self.transactions)
            .float("seconds", self.seconds, 6)
            .float("tps", tps, 1)
            .float("p50_us", self.p50_us, 1)
            .float("p99_us", self.p99_us, 1)
    }
}

/// Nearest-rank percentile `q` (0..=1) of an ascending, non-empty slice.
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Runs `count` request/response transactions of `size` bytes against `to`.
pub fn run_client(to: SocketAddr, count: u64, size: usize) -> Result<RrReport> {
    if count == 0 || size == 0 {
        return Err(CliError::usage("--count and --size must be at least 1"));
    }
    let mut stream = TcpStream::connect(to).ctx(|| format!("connect to {to}"))?;
    // Without TCP_NODELAY, Nagle plus delayed ACKs dominate small-message latency.
    stream.set_nodelay(true).ctx(|| "setsockopt TCP_NODELAY")?;
    let request: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
    let mut response = vec![0u8; size];
    let mut latencies_us = Vec::with_capacity(count.min(1 << 24) as usize);
    let start = Instant::now();
    for done in 0..count {
        let t0 = Instant::now();
        stream
            .write_all(&request)
            .ctx(|| format!("send request {}", done + 1))?;
        stream.read_exact(&mut response).map_err(|e| {
            if e.kind() == ErrorKind::UnexpectedEof {
                CliError::msg(format!(
                    "server closed the connection after {done} transactions"
                ))
            } else {
                CliError::os(format!("read response {}", done + 1), e)
            }
        })?;
        latencies_us.push(t0.elapsed().as_secs_f64() * 1e6);
        if response != request {
            return Err(CliError::msg(format!(
                "response {} differs from the request",
                done + 1
            )));
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    latencies_us.sort_by(f64::total_cmp);
    Ok(RrReport {
        transactions: count,
        seconds,
        p50_us: percentile(&latencies_us, 0.50),
        p99_us: percentile(&latencies_us, 0.99),
    })
}

/// Echoes everything read from `stream` back until EOF; returns bytes echoed.
pub fn echo(mut stream: TcpStream) -> Result<u64> {
    stream.set_nodelay(true).ctx(|| "setsockopt TCP_NODELAY")?;
    let mut buf = vec![0u8; ECHO_BUF];
    let mut total = 0u64;
    loop {
        let n = match stream.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).ctx(|| format!("read from client after {total} bytes")),
        };
        stream
            .write_all(&buf[..n])
            .ctx(|| format!("echo to client after {total} bytes"))?;
        total += n as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::{listen, ListenSpec};

    #[test]
    fn percentiles() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 0.5), 50.0);
        assert_eq!(percentile(&v, 0.99), 99.0);
        assert_eq!(percentile(&[7.0], 0.99), 7.0);
        assert_eq!(percentile(&[], 0.5), 0.0);
    }

    #[test]
    fn loopback_ping_pong() {
        let (listener, port) = listen(&ListenSpec {
            bind: "127.0.0.1".parse().unwrap(),
            port: 0,
            rcvbuf: None,
        })
        .unwrap();
        let server = std::thread::spawn(move || {
            let (s, _) = listener.accept().unwrap();
            echo(s).unwrap()
        });
        let report = run_client(SocketAddr::from(([127, 0, 0, 1], port)), 200, 100).unwrap();
        assert_eq!(report.transactions, 200);
        assert!(report.p50_us > 0.0 && report.p99_us >= report.p50_us);
        assert_eq!(server.join().unwrap(), 200 * 100);
        let line = report.to_json().finish();
        for key in [
            "\"transactions\":200",
            "\"tps\":",
            "\"p50_us\":",
            "\"p99_us\":",
        ] {
            assert!(line.contains(key), "{line}");
        }
    }
}
