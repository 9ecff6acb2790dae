//! `recv`: TCP sink that hashes (and optionally stores) what it receives.

use crate::error::{Context, Result};
use crate::files::hex;
use crate::json::JsonObject;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::Instant;

/// Receive buffer size: large enough that syscall overhead on the receiver
/// does not limit throughput measured on the sender.
const RECV_BUF: usize = 256 << 10;

/// What one connection delivered.
#[derive(Debug, Clone, PartialEq)]
pub struct RecvResult {
    /// Bytes read before EOF.
    pub bytes: u64,
    /// Hex SHA-256 of those bytes.
    pub sha256: String,
    /// Time from accept to EOF.
    pub seconds: f64,
}

impl RecvResult {
    /// The JSON line printed for this connection.
    pub fn to_json(&self) -> JsonObject {
        JsonObject::new()
            .uint("bytes", self.bytes)
            .str("sha256", &self.sha256)
            .float("seconds", self.seconds, 6)
    }
}

/// Reads `stream` to EOF, hashing everything and copying it to `out` if given
/// (the file is created or truncated). The caller closes the stream afterwards,
/// which is what a sender waiting for the peer's close is waiting for.
pub fn receive(stream: &mut TcpStream, out: Option<&Path>) -> Result<RecvResult> {
    let start = Instant::now();
    let mut out_file = match out {
        Some(p) => Some(File::create(p).ctx(|| format!("create {}", p.display()))?),
        None => None,
    };
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; RECV_BUF];
    let mut bytes = 0u64;
    loop {
        let n = match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).ctx(|| format!("read from socket after {bytes} bytes")),
        };
        hasher.update(&buf[..n]);
        if let (Some(f), Some(p)) = (out_file.as_mut(), out) {
            f.write_all(&buf[..n])
                .ctx(|| format!("write {}", p.display()))?;
        }
        bytes += n as u64;
    }
    let seconds = start.elapsed().as_secs_f64();
    Ok(RecvResult {
        bytes,
        sha256: hex(&hasher.finalize()),
        seconds,
    })
}
