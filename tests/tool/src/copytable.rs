//! The copy-accounting table: sends one file by every method the seeds
//! discuss and reads the driver's counters around each transfer.
//!
//! The counters say where the payload came from when it reached the
//! device: page-cache fragments (the sendfile/splice zero-copy path),
//! other fragments (user pages pinned by MSG_ZEROCOPY, or socket-buffer
//! pages the CPU copied into), or the linear head. Payload that did not
//! arrive as a page-cache or user-page fragment was copied by the CPU.

use crate::error::Result;
use crate::ethtool;
use crate::json::JsonObject;
use crate::send::{self, Method, SendOutcome, SendSpec};
use std::net::SocketAddr;
use std::path::Path;

/// The methods in the seeds' order.
pub const DEFAULT_METHODS: [Method; 6] = [
    Method::ReadWrite,
    Method::MmapWrite,
    Method::Sendfile,
    Method::Splice,
    Method::Zerocopy,
    Method::IoUringZc,
];

/// One measured method.
pub struct Row {
    method: Method,
    /// The row's name: the method's, unless the caller renamed it (the
    /// same method under other settings, such as `sendfile-nosg`).
    name: String,
    /// With phase marks: the counting plugin's phase of the transfer.
    phase: Option<u32>,
    report: Option<send::SendReport>,
    unsupported: Option<String>,
    deltas: Option<Deltas>,
}

#[derive(Default, Clone, Copy)]
struct Deltas {
    pagecache: u64,
    frag: u64,
    head: u64,
    copied: u64,
}

fn counter(stats: &[(String, u64)], name: &str) -> u64 {
    stats.iter().find(|(n, _)| n == name).map_or(0, |(_, v)| *v)
}

fn fraction(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (part as f64 / whole as f64).clamp(0.0, 1.0)
    }
}

/// The seeds' model per method: (CPU copies, user/kernel switches).
fn seeds_model(method: Method, zero_copy_seen: bool) -> (u64, u64) {
    match method {
        Method::ReadWrite => (2, 4),
        Method::MmapWrite => (1, 4),
        Method::Sendfile | Method::Splice => (u64::from(!zero_copy_seen), 2),
        Method::Zerocopy | Method::IoUringZc => (0, 2),
    }
}

impl Row {
    fn fractions(&self) -> Option<(f64, f64, f64)> {
        let (report, d) = (self.report.as_ref()?, self.deltas?);
        let page = fraction(d.pagecache, report.bytes);
        let user = fraction(d.frag.saturating_sub(d.pagecache), report.bytes);
        // Only MSG_ZEROCOPY (and io_uring's SEND_ZC) hands user pages over;
        // other methods' non-page-cache frags are kernel buffers the CPU
        // filled.
        let user = if matches!(self.method, Method::Zerocopy | Method::IoUringZc) {
            user
        } else {
            0.0
        };
        Some((page, user, (1.0 - page - user).clamp(0.0, 1.0)))
    }

    fn to_json(&self) -> JsonObject {
        let mut obj = JsonObject::new().str("method", &self.name);
        if let Some(phase) = self.phase {
            obj = obj.uint("phase", u64::from(phase));
        }
        if let Some(reason) = &self.unsupported {
            return obj.bool("unsupported", true).str("error", reason);
        }
        if let Some(r) = &self.report {
            obj = obj
                .uint("bytes", r.bytes)
                .float("seconds", r.seconds, 6)
                .float("mib_per_s", r.mib_per_s(), 3)
                .uint("syscalls", r.syscalls)
                .uint("context_switches", r.usage.vol_ctx + r.usage.invol_ctx)
                .float("user_s", r.usage.user_s, 6)
                .float("sys_s", r.usage.sys_s, 6)
                .str("sha256", &r.sha256);
        }
        if let Some(d) = self.deltas {
            obj = obj
                .uint("tx_pagecache_bytes", d.pagecache)
                .uint("tx_frag_bytes", d.frag)
                .uint("tx_head_bytes", d.head)
                .uint("tx_copied_bytes", d.copied);
        }
        let mut zero_copy = false;
        if let Some((page, user, cpu)) = self.fractions() {
            zero_copy = page > 0.99;
            obj = obj
                .float("pagecache_fraction", page, 4)
                .float("user_frag_fraction", user, 4)
                .float("cpu_copied_fraction", cpu, 4);
        }
        let (copies, switches) = seeds_model(self.method, zero_copy);
        obj.uint("model_cpu_copies", copies)
            .uint("model_dma_copies", 2)
            .uint("model_context_switches", switches)
    }

    fn table_line(&self) -> String {
        let name = &self.name;
        if self.unsupported.is_some() {
            return format!("{name:<11} unsupported by this kernel");
        }
        let Some(r) = &self.report else {
            return format!("{name:<11} failed");
        };
        let pct = |f: Option<f64>| f.map_or("-".into(), |v| format!("{:.1}%", v * 100.0));
        let fr = self.fractions();
        let zero_copy = fr.is_some_and(|(p, _, _)| p > 0.99);
        let (copies, switches) = seeds_model(self.method, zero_copy);
        format!(
            "{name:<11} {:>7.1} {:>7.1} {:>9} {:>8} {:>10} {:>10} {:>10} {:>7} {:>9}",
            r.bytes as f64 / 1048576.0,
            r.mib_per_s(),
            r.syscalls,
            r.usage.vol_ctx + r.usage.invol_ctx,
            pct(fr.map(|f| f.0)),
            pct(fr.map(|f| f.1)),
            pct(fr.map(|f| f.2)),
            copies,
            switches,
        )
    }
}

/// How the rows are labelled for the host's counting plugin.
#[derive(Default)]
pub struct Marking<'a> {
    /// Bracket each transfer with phase marks; the first transfer is then
    /// in phase `base + 1`, the next in `base + 3`, and so on (two marks
    /// per method).
    pub phase_base: Option<u32>,
    /// The name of the (single) row instead of its method's.
    pub name: Option<&'a str>,
}

/// Sends `file` to `to` once per method, reading `iface`'s counters
/// around each transfer unless `iface` is `None`.
pub fn run(
    to: SocketAddr,
    file: &Path,
    iface: Option<&str>,
    methods: &[Method],
    marking: &Marking<'_>,
) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    for (k, &method) in methods.iter().enumerate() {
        // CAST: a handful of methods.
        let phase = marking.phase_base.map(|base| base + 2 * k as u32 + 1);
        let name = marking.name.unwrap_or(method.name()).to_string();
        let before = iface.map(ethtool::read_stats).transpose()?;
        let spec = SendSpec {
            to,
            file: file.to_path_buf(),
            method,
            offset: 0,
            len: None,
            chunk: None,
            extra_headers: Default::default(),
            scatter: None,
            repeat_for: None,
        };
        let outcome = send::send_marked(&spec, phase.is_some())?;
        let after = iface.map(ethtool::read_stats).transpose()?;
        let deltas = before.zip(after).map(|(b, a)| Deltas {
            pagecache: counter(&a, "tx_pagecache_bytes") - counter(&b, "tx_pagecache_bytes"),
            frag: counter(&a, "tx_frag_bytes") - counter(&b, "tx_frag_bytes"),
            head: counter(&a, "tx_head_bytes") - counter(&b, "tx_head_bytes"),
            copied: counter(&a, "tx_copied_bytes") - counter(&b, "tx_copied_bytes"),
        });
        rows.push(match outcome {
            SendOutcome::Done(report) => Row {
                method,
                name,
                phase,
                report: Some(report),
                unsupported: None,
                deltas,
            },
            SendOutcome::Unsupported { reason, .. } => Row {
                method,
                name,
                phase,
                report: None,
                unsupported: Some(reason),
                deltas: None,
            },
        });
    }
    Ok(rows)
}

/// The human table, mirroring the seeds' comparison with measured values.
pub fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "method         MiB   MiB/s  syscalls  ctxsw  page-cache  user-page  CPU-copied  seeds:  copies switches\n",
    );
    out.push_str("                                              DMA'd      DMA'd      payload\n");
    for row in rows {
        out.push_str(&row.table_line());
        out.push('\n');
    }
    out
}

/// The whole result as one JSON object.
///
/// With phase marks, `next_phase` is the plugin's phase once the last
/// transfer's closing mark is made: the caller numbers what follows from it.
pub fn to_json(
    iface: Option<&str>,
    file_bytes: u64,
    rows: &[Row],
    marking: &Marking<'_>,
) -> String {
    let items: Vec<String> = rows.iter().map(|r| r.to_json().finish()).collect();
    let mut head = JsonObject::new()
        .str("iface", iface.unwrap_or(""))
        .uint("file_bytes", file_bytes);
    if let Some(base) = marking.phase_base {
        // CAST: a handful of rows.
        head = head.uint("next_phase", u64::from(base) + 2 * rows.len() as u64);
    }
    let head = head.finish();
    // Splice the rows array into the object (JsonObject has no arrays).
    format!(
        "{},\"rows\":[{}]}}",
        &head[..head.len() - 1],
        items.join(",")
    )
}
