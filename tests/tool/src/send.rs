//! `send`: push a file region to a TCP peer by one of several copy paths and
//! report throughput, syscall count, context switches and CPU time.
//!
//! The timed section covers the data loop, the wait for zero-copy
//! completions, shutdown(SHUT_WR) and the wait for the peer's close, so the
//! time includes real delivery, not just queueing into the socket buffer.
//! Buffer allocation, pipe creation, reading the file for `zerocopy` and the
//! TCP connect happen before it; hashing the file happens after it.

use crate::error::{CliError, Context, Result};
use crate::files::sha256_passes;
use crate::json::JsonObject;
use crate::net::{connect, set_int_opt, ExtraHeaders};
use crate::sys::{Sys, Usage};
use std::fs::File;
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Default chunk for the read/write, mmap/write and zerocopy paths.
pub const DEFAULT_CHUNK: usize = 128 << 10;
/// Pipe size requested for the splice path.
const SPLICE_PIPE_SIZE: libc::c_int = 1 << 20;
/// Largest count Linux transfers in one sendfile/splice call.
const MAX_RW_COUNT: usize = 0x7fff_f000;
/// How long to wait for outstanding MSG_ZEROCOPY completions.
const ZC_COMPLETION_TIMEOUT: Duration = Duration::from_secs(10);

// From <linux/errqueue.h>; not exported by the libc crate.
const SO_EE_ORIGIN_ZEROCOPY: u8 = 5;
const SO_EE_CODE_ZEROCOPY_COPIED: u8 = 1;

/// The copy path used to move file data into the socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// read() into a user buffer, then write() it.
    ReadWrite,
    /// write() straight from a MAP_SHARED mapping of the file.
    MmapWrite,
    /// sendfile() from the file to the socket.
    Sendfile,
    /// splice() file -> pipe -> socket.
    Splice,
    /// send(MSG_ZEROCOPY) from a user buffer.
    Zerocopy,
    /// io_uring's IORING_OP_SEND_ZC from a user buffer.
    IoUringZc,
}

impl Method {
    /// All methods, in the order they are usually compared.
    pub const ALL: [Method; 6] = [
        Method::ReadWrite,
        Method::MmapWrite,
        Method::Sendfile,
        Method::Splice,
        Method::Zerocopy,
        Method::IoUringZc,
    ];

    /// Command-line and JSON name.
    pub fn name(self) -> &'static str {
        match self {
            Method::ReadWrite => "read-write",
            Method::MmapWrite => "mmap-write",
            Method::Sendfile => "sendfile",
            Method::Splice => "splice",
            Method::Zerocopy => "zerocopy",
            Method::IoUringZc => "io-uring-zc",
        }
    }

    /// Looks a method up by its command-line name.
    pub fn from_name(name: &str) -> Result<Method> {
        Method::ALL
            .into_iter()
            .find(|m| m.name() == name)
            .ok_or_else(|| {
                let names: Vec<_> = Method::ALL.iter().map(|m| m.name()).collect();
                CliError::usage(format!(
                    "unknown method '{name}' (use one of: {})",
                    names.join(", ")
                ))
            })
    }
}

/// What to send, where, and how.
#[derive(Debug, Clone)]
pub struct SendSpec {
    /// Peer address.
    pub to: SocketAddr,
    /// File to read from.
    pub file: PathBuf,
    /// Copy path.
    pub method: Method,
    /// Start of the region within the file.
    pub offset: u64,
    /// Region length; `None` means up to the end of the file.
    pub len: Option<u64>,
    /// Bytes per call; `None` picks the method's default.
    pub chunk: Option<usize>,
    /// IP-layer headers each packet carries besides the basic ones.
    pub extra_headers: ExtraHeaders,
    /// Zerocopy only: the data lies in memory in pieces of this many
    /// bytes with a gap after each, so that no two pieces can share an
    /// skb fragment: a frame gets one fragment per piece.
    pub scatter: Option<usize>,
    /// Send the region again and again over the one connection until this
    /// long has passed (a pass is never cut short): a transfer that is
    /// still running when a test disturbs it, however fast the machine.
    pub repeat_for: Option<Duration>,
}

/// MSG_ZEROCOPY completion accounting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ZcStats {
    /// Successful send(MSG_ZEROCOPY) calls; each one is owed a completion.
    pub sends: u64,
    /// Sends whose completion was received.
    pub completions: u64,
    /// Of those, sends for which the kernel copied the data after all.
    pub copied_completions: u64,
    /// Notification messages read from the error queue (ranges are merged).
    pub notifications: u64,
}

/// Result of a completed send.
#[derive(Debug, Clone)]
pub struct SendReport {
    /// Copy path used.
    pub method: Method,
    /// Bytes handed to the socket.
    pub bytes: u64,
    /// How many times the region was sent (see [`SendSpec::repeat_for`]).
    pub passes: u64,
    /// Wall time of the timed section.
    pub seconds: f64,
    /// System calls made in the timed section.
    pub syscalls: u64,
    /// Process resource usage during the timed section.
    pub usage: Usage,
    /// The file ended before the requested region did.
    pub truncated: bool,
    /// SHA-256 of the bytes sent (the region, `passes` times), read from
    /// the file after sending.
    pub sha256: String,
    /// Completion accounting for the zerocopy method.
    pub zc: Option<ZcStats>,
}

impl SendReport {
    /// Throughput in MiB/s.
    pub fn mib_per_s(&self) -> f64 {
        if self.seconds > 0.0 {
            self.bytes as f64 / (1024.0 * 1024.0) / self.seconds
        } else {
            0.0
        }
    }

    /// The JSON line printed for this report.
    pub fn to_json(&self) -> JsonObject {
        let mut obj = JsonObject::new()
            .str("method", self.method.name())
            .uint("bytes", self.bytes)
            .uint("passes", self.passes)
            .float("seconds", self.seconds, 6)
            .float("mib_per_s", self.mib_per_s(), 3)
            .uint("syscalls", self.syscalls)
            .uint("vol_ctx_switches", self.usage.vol_ctx)
            .uint("invol_ctx_switches", self.usage.invol_ctx)
            .float("user_s", self.usage.user_s, 6)
            .float("sys_s", self.usage.sys_s, 6)
            .bool("truncated", self.truncated)
            .str("sha256", &self.sha256);
        if let Some(zc) = &self.zc {
            obj = obj
                .uint("zc_sends", zc.sends)
                .uint("zc_completions", zc.completions)
                .uint("zc_copied_completions", zc.copied_completions)
                .uint("zc_notifications", zc.notifications);
        }
        obj
    }
}

/// How a send ended.
#[derive(Debug)]
pub enum SendOutcome {
    /// The data was sent (possibly truncated by a shrinking file).
    Done(SendReport),
    /// The kernel lacks the feature the method needs.
    Unsupported {
        /// Copy path that was requested.
        method: Method,
        /// Why it is unsupported (OS error text).
        reason: String,
    },
}

/// Bytes sent by a method's data loop and whether the file ran out early.
struct LoopResult {
    sent: u64,
    truncated: bool,
}

/// Method-specific state prepared before the timed section.
enum Prepared {
    ReadWrite {
        buf: Vec<u8>,
    },
    MmapWrite,
    Sendfile,
    Splice {
        pipe_r: OwnedFd,
        pipe_w: OwnedFd,
        pipe_size: usize,
    },
    Zerocopy {
        data: Vec<u8>,
        short: bool,
    },
    /// The region laid out in `piece`-byte pieces, `piece + SCATTER_GAP`
    /// bytes apart.
    ZerocopyScattered {
        data: Vec<u8>,
        len: usize,
        piece: usize,
        short: bool,
    },
    /// The region in memory, sent through an io_uring. The ring is
    /// dropped before the buffer (field order): by then every
    /// notification is in.
    IoUringZc {
        ring: crate::uring::Uring,
        data: Vec<u8>,
        short: bool,
    },
    /// The kernel cannot do this method; why.
    Unsupported(String),
}

/// Bytes left unused after each piece of a scattered zerocopy send.
const SCATTER_GAP: usize = 64;

/// Most pieces handed to one sendmsg(2).
const SCATTER_IOVECS: usize = 256;

/// Sends the region described by `spec` and returns the measurements.
pub fn send(spec: &SendSpec) -> Result<SendOutcome> {
    send_marked(spec, false)
}

/// As [`send`]; with `mark_phases`, the transfer (and nothing else this
/// process does, such as the setup or the closing checksum of the file)
/// lies between two sync(2) calls, the phase marks of the host's counting
/// plugin. Exactly two are made whatever happens, an unsupported method
/// or an error included, so that a caller can number the phases.
pub fn send_marked(spec: &SendSpec, mark_phases: bool) -> Result<SendOutcome> {
    let mut marks = PhaseMarks {
        left: if mark_phases { 2 } else { 0 },
    };
    let outcome = send_inner(spec, &mut marks);
    while marks.left > 0 {
        marks.mark();
    }
    outcome
}

/// The phase marks a send still owes.
struct PhaseMarks {
    left: u32,
}

impl PhaseMarks {
    fn mark(&mut self) {
        if self.left > 0 {
            self.left -= 1;
            crate::sys::phase_mark();
        }
    }
}

fn send_inner(spec: &SendSpec, marks: &mut PhaseMarks) -> Result<SendOutcome> {
    let shown = spec.file.display();
    let file = File::open(&spec.file).ctx(|| format!("open {shown}"))?;
    let size = file.metadata().ctx(|| format!("stat {shown}"))?.len();
    if spec.offset > size {
        return Err(CliError::usage(format!(
            "--offset {} is beyond the end of {shown} ({size} bytes)",
            spec.offset
        )));
    }
    let len = spec.len.unwrap_or(size - spec.offset);
    if spec.offset.checked_add(len).is_none_or(|end| end > size) {
        return Err(CliError::usage(format!(
            "region --offset {} --len {len} is beyond the end of {shown} ({size} bytes)",
            spec.offset
        )));
    }
    let chunk = match spec.chunk {
        Some(0) => return Err(CliError::usage("--chunk must be at least 1 byte")),
        Some(c) => c,
        None => DEFAULT_CHUNK,
    };
    match spec.scatter {
        Some(0) => return Err(CliError::usage("--scatter must be at least 1 byte")),
        Some(_) if spec.method != Method::Zerocopy => {
            return Err(CliError::usage("--scatter needs --method zerocopy"))
        }
        _ => {}
    }
    let mut prepared = prepare(spec, &file, len, chunk)?;
    if let Prepared::Unsupported(reason) = prepared {
        return Ok(SendOutcome::Unsupported {
            method: spec.method,
            reason,
        });
    }
    let stream = connect(&spec.to, spec.extra_headers)?;
    let sock = stream.as_raw_fd();
    if spec.method == Method::Zerocopy {
        if let Err(e) = set_int_opt(sock, libc::SOL_SOCKET, libc::SO_ZEROCOPY, 1) {
            return Ok(SendOutcome::Unsupported {
                method: spec.method,
                reason: format!("setsockopt SO_ZEROCOPY: {e}"),
            });
        }
    }

    let mut sys = Sys::default();
    let mut zc = ZcStats::default();
    marks.mark();
    let usage_before = Usage::now();
    let start = Instant::now();
    // A pass at a time, again while `repeat_for` asks and the file lasts.
    let (mut passes, mut sent) = (0u64, 0u64);
    let result = loop {
        let pass = run_loop(
            &mut sys,
            &mut prepared,
            &file,
            sock,
            spec,
            len,
            chunk,
            &mut zc,
        )?;
        passes += 1;
        sent += pass.sent;
        let again = spec.repeat_for.is_some_and(|d| start.elapsed() < d);
        if pass.truncated || len == 0 || !again {
            break pass;
        }
    };
    if spec.method == Method::Zerocopy {
        wait_zc_completions(&mut sys, sock, &mut zc)?;
    }
    if let Prepared::IoUringZc { ring, .. } = &mut prepared {
        ring.wait_notifications(&mut sys)
            .ctx(|| "io_uring: waiting for SEND_ZC notifications")?;
        zc.sends = ring.stats.sends;
        zc.completions = ring.stats.notifications;
        zc.copied_completions = ring.stats.copied;
        zc.notifications = ring.stats.notifications;
    }
    wait_for_peer_close(&mut sys, sock)?;
    let seconds = start.elapsed().as_secs_f64();
    let usage = Usage::now().since(&usage_before);
    marks.mark();
    drop(stream);
    // Keep the buffers alive until all zero-copy completions are in.
    drop(prepared);

    let sha256 = sha256_passes(&spec.file, spec.offset, len, passes - 1, result.sent)?;
    Ok(SendOutcome::Done(SendReport {
        method: spec.method,
        bytes: sent,
        passes,
        seconds,
        syscalls: sys.calls,
        usage,
        truncated: result.truncated,
        sha256,
        zc: matches!(spec.method, Method::Zerocopy | Method::IoUringZc).then_some(zc),
    }))
}

/// Untimed setup for each method.
fn prepare(spec: &SendSpec, file: &File, len: u64, chunk: usize) -> Result<Prepared> {
    Ok(match spec.method {
        Method::ReadWrite => Prepared::ReadWrite {
            buf: vec![0u8; chunk],
        },
        Method::MmapWrite => Prepared::MmapWrite,
        Method::Sendfile => Prepared::Sendfile,
        Method::Splice => {
            let (pipe_r, pipe_w) = make_pipe()?;
            Prepared::Splice {
                pipe_size: grow_pipe(pipe_w.as_raw_fd()),
                pipe_r,
                pipe_w,
            }
        }
        Method::IoUringZc => {
            let ring = match crate::uring::Uring::new(8) {
                Ok(ring) => ring,
                Err(e) => return Ok(Prepared::Unsupported(format!("io_uring_setup: {e}"))),
            };
            match ring.supports_send_zc() {
                Ok(true) => {}
                Ok(false) => {
                    return Ok(Prepared::Unsupported(
                        "this kernel's io_uring has no IORING_OP_SEND_ZC (Linux 6.0)".into(),
                    ))
                }
                Err(e) => {
                    return Ok(Prepared::Unsupported(format!(
                        "io_uring_register(IORING_REGISTER_PROBE): {e}"
                    )))
                }
            }
            let (data, short) = read_region(spec, file, len)?;
            Prepared::IoUringZc { ring, data, short }
        }
        Method::Zerocopy => {
            let (data, short) = read_region(spec, file, len)?;
            let got = data.len();
            match spec.scatter {
                None => Prepared::Zerocopy { data, short },
                Some(piece) => {
                    let stride = piece + SCATTER_GAP;
                    let mut spread = vec![0u8; got.div_ceil(piece) * stride];
                    for (i, p) in data.chunks(piece).enumerate() {
                        spread[i * stride..i * stride + p.len()].copy_from_slice(p);
                    }
                    Prepared::ZerocopyScattered {
                        data: spread,
                        len: got,
                        piece,
                        short,
                    }
                }
            }
        }
    })
}

/// Reads the region into memory for the zero-copy sends from user memory,
/// outside the timed section: what is measured is the socket path, not the
/// file read. Returns the bytes and whether the file ended early.
fn read_region(spec: &SendSpec, file: &File, len: u64) -> Result<(Vec<u8>, bool)> {
    let len =
        usize::try_from(len).map_err(|_| CliError::usage("region too large to hold in memory"))?;
    let mut data = vec![0u8; len];
    let mut sys = Sys::default();
    let mut got = 0usize;
    while got < len {
        match sys.pread(file.as_raw_fd(), &mut data[got..], spec.offset + got as u64) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) => return Err(e).ctx(|| format!("read {}", spec.file.display())),
        }
    }
    data.truncate(got);
    Ok((data, got < len))
}

/// Creates a close-on-exec pipe.
fn make_pipe() -> Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 returns.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error()).ctx(|| "pipe2");
    }
    // SAFETY: both descriptors were just created and are owned by nobody else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// Raises the pipe to 1 MiB if allowed (unprivileged users are capped by
/// /proc/sys/fs/pipe-max-size) and returns the size actually in effect.
fn grow_pipe(fd: RawFd) -> usize {
    // SAFETY: fcntl on a pipe we own; failure just leaves the default size.
    unsafe { libc::fcntl(fd, libc::F_SETPIPE_SZ, SPLICE_PIPE_SIZE) };
    // SAFETY: as above.
    let size = unsafe { libc::fcntl(fd, libc::F_GETPIPE_SZ) };
    if size > 0 {
        size as usize
    } else {
        64 << 10 // Linux's default pipe size
    }
}

/// The timed data loop of each method.
#[allow(clippy::too_many_arguments)]
fn run_loop(
    sys: &mut Sys,
    prepared: &mut Prepared,
    file: &File,
    sock: RawFd,
    spec: &SendSpec,
    len: u64,
    chunk: usize,
    zc: &mut ZcStats,
) -> Result<LoopResult> {
    let fd = file.as_raw_fd();
    let offset = spec.offset;
    let mut sent = 0u64;
    let sock_err =
        |sent: u64| move || format!("{} to socket after {sent} bytes", spec.method.name());
    match prepared {
        Prepared::ReadWrite { buf } => {
            while sent < len {
                let want = (len - sent).min(buf.len() as u64) as usize;
                let n = sys
                    .pread(fd, &mut buf[..want], offset + sent)
                    .ctx(|| format!("read {}", spec.file.display()))?;
                if n == 0 {
                    return Ok(LoopResult {
                        sent,
                        truncated: true,
                    });
                }
                sys.write_all(sock, &buf[..n]).ctx(sock_err(sent))?;
                sent += n as u64;
            }
        }
        Prepared::MmapWrite => {
            if len == 0 {
                return Ok(LoopResult {
                    sent,
                    truncated: false,
                });
            }
            // mmap offsets must be page aligned: map from the page holding
            // `offset` and skip the leading bytes.
            // SAFETY: sysconf has no preconditions.
            let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) }.max(4096) as u64;
            let map_off = offset - offset % page;
            let skip = (offset - map_off) as usize;
            let map_len = usize::try_from(len)
                .ok()
                .and_then(|l| l.checked_add(skip))
                .ok_or_else(|| CliError::usage("region too large to map"))?;
            let base = sys
                .mmap_ro(fd, map_len, map_off)
                .ctx(|| format!("mmap {}", spec.file.display()))?;
            // SAFETY: the mapping covers `map_len` readable bytes. If the file
            // shrinks underneath, touching the lost pages raises SIGBUS; that
            // is inherent to this method and only sendfile promises to cope.
            let data =
                unsafe { std::slice::from_raw_parts(base.cast::<u8>().add(skip), map_len - skip) };
            let mut result = Ok(());
            for piece in data.chunks(chunk) {
                result = sys.write_all(sock, piece).ctx(sock_err(sent));
                if result.is_err() {
                    break;
                }
                sent += piece.len() as u64;
            }
            // SAFETY: `data` is not used past this point.
            unsafe { sys.munmap(base, map_len) }.ctx(|| "munmap")?;
            result?;
        }
        Prepared::Sendfile => {
            let mut off =
                libc::off_t::try_from(offset).map_err(|_| CliError::usage("--offset too large"))?;
            let cap = spec.chunk.unwrap_or(MAX_RW_COUNT).min(MAX_RW_COUNT);
            while sent < len {
                let want = (len - sent).min(cap as u64) as usize;
                let n = sys.sendfile(sock, fd, &mut off, want).ctx(sock_err(sent))?;
                if n == 0 {
                    // The file shrank below the region: stop with a clear
                    // result instead of spinning on zero-length transfers.
                    return Ok(LoopResult {
                        sent,
                        truncated: true,
                    });
                }
                sent += n as u64;
            }
        }
        Prepared::Splice {
            pipe_r,
            pipe_w,
            pipe_size,
        } => {
            let mut off = libc::loff_t::try_from(offset)
                .map_err(|_| CliError::usage("--offset too large"))?;
            let cap = spec.chunk.unwrap_or(*pipe_size).min(*pipe_size);
            let pipe_r = pipe_r.as_raw_fd();
            let pipe_w = pipe_w.as_raw_fd();
            let flags = libc::SPLICE_F_MOVE | libc::SPLICE_F_MORE;
            while sent < len {
                let want = (len - sent).min(cap as u64) as usize;
                let n = sys
                    .splice(fd, Some(&mut off), pipe_w, want, flags)
                    .ctx(|| format!("splice {} to pipe", spec.file.display()))?;
                if n == 0 {
                    return Ok(LoopResult {
                        sent,
                        truncated: true,
                    });
                }
                // No SPLICE_F_MORE on the final piece, or TCP would hold it
                // back waiting for more data until the shutdown.
                let out_flags = if sent + n as u64 == len {
                    libc::SPLICE_F_MOVE
                } else {
                    flags
                };
                let mut in_pipe = n;
                while in_pipe > 0 {
                    let m = sys
                        .splice(pipe_r, None, sock, in_pipe, out_flags)
                        .ctx(sock_err(sent))?;
                    if m == 0 {
                        return Err(CliError::msg(format!(
                            "splice to socket made no progress after {sent} bytes"
                        )));
                    }
                    in_pipe -= m;
                    sent += m as u64;
                }
            }
        }
        Prepared::ZerocopyScattered {
            data,
            len,
            piece,
            short,
        } => {
            let (len, piece, stride) = (*len, *piece, *piece + SCATTER_GAP);
            return zerocopy_loop(sys, sock, zc, len, *short, |sys, sent| {
                // The pieces from logical offset `sent` on, up to `chunk`
                // bytes, as iovecs into the spread-out buffer.
                let mut iov = Vec::with_capacity(SCATTER_IOVECS);
                let mut at = sent;
                while at < len && iov.len() < SCATTER_IOVECS && at - sent < chunk {
                    let (i, within) = (at / piece, at % piece);
                    let n = (piece - within).min(len - at);
                    iov.push(libc::iovec {
                        iov_base: data[i * stride + within..].as_ptr() as *mut libc::c_void,
                        iov_len: n,
                    });
                    at += n;
                }
                sys.sendmsg_iov(sock, &iov, libc::MSG_ZEROCOPY)
            });
        }
        Prepared::Zerocopy { data, short } => {
            return zerocopy_loop(sys, sock, zc, data.len(), *short, |sys, sent| {
                let end = data.len().min(sent + chunk);
                sys.send(sock, &data[sent..end], libc::MSG_ZEROCOPY)
            });
        }
        Prepared::IoUringZc { ring, data, short } => {
            let mut at = 0usize;
            while at < data.len() {
                let end = data.len().min(at + chunk);
                // SAFETY: `data` is not changed until the caller has waited
                // for every notification. On an error the transfer is
                // abandoned and the buffer freed without that wait; the
                // kernel holds its own references to the pages it still
                // sends from, so that can only garble the abandoned data.
                let n = unsafe { ring.send_zc(sys, sock, &data[at..end]) }
                    .ctx(|| format!("io_uring SEND_ZC to socket after {at} bytes"))?;
                if n == 0 {
                    return Err(CliError::msg(format!(
                        "io_uring SEND_ZC made no progress after {at} bytes"
                    )));
                }
                at += n;
            }
            return Ok(LoopResult {
                sent: at as u64,
                truncated: *short,
            });
        }
        Prepared::Unsupported(_) => {}
    }
    Ok(LoopResult {
        sent,
        truncated: false,
    })
}

/// How long a MSG_ZEROCOPY send may wait for room without any completion
/// before it gives up. Completions come only as the peer acknowledges, so
/// a link that is down stalls them for as long as it is down.
const ZC_STALL_LIMIT: Duration = Duration::from_secs(60);

/// Sends `len` bytes with MSG_ZEROCOPY, `send_from(sys, sent)` sending
/// from logical offset `sent` on; when the socket's option memory for
/// pending notifications runs out (ENOBUFS), reaps completions and tries
/// again, for up to [`ZC_STALL_LIMIT`] without progress.
fn zerocopy_loop(
    sys: &mut Sys,
    sock: RawFd,
    zc: &mut ZcStats,
    len: usize,
    short: bool,
    mut send_from: impl FnMut(&mut Sys, usize) -> io::Result<usize>,
) -> Result<LoopResult> {
    let mut sent = 0usize;
    let mut progress = Instant::now();
    while sent < len {
        match send_from(sys, sent) {
            Ok(n) => {
                sent += n;
                zc.sends += 1;
                progress = Instant::now();
            }
            Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => {
                if drain_zc(sys, sock, zc, 100).ctx(|| "recvmsg MSG_ERRQUEUE")? > 0 {
                    progress = Instant::now();
                } else if progress.elapsed() > ZC_STALL_LIMIT {
                    return Err(e).ctx(|| format!("zerocopy to socket after {sent} bytes"));
                }
            }
            Err(e) => return Err(e).ctx(|| format!("zerocopy to socket after {sent} bytes")),
        }
    }
    Ok(LoopResult {
        sent: sent as u64,
        truncated: short,
    })
}

/// Reads every pending MSG_ZEROCOPY notification from the socket error
/// queue. If none is pending, waits up to `wait_ms` for one. Returns the
/// number of completed sends it accounted for.
fn drain_zc(sys: &mut Sys, sock: RawFd, zc: &mut ZcStats, wait_ms: libc::c_int) -> io::Result<u64> {
    let mut completed = 0u64;
    let mut waited = false;
    loop {
        // u64 storage keeps the control buffer aligned for cmsghdr.
        let mut control = [0u64; 32];
        // SAFETY: msghdr is plain data; all-zero means "no name, no iovecs".
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = std::mem::size_of_val(&control) as _;
        match sys.recvmsg(sock, &mut msg, libc::MSG_ERRQUEUE | libc::MSG_DONTWAIT) {
            Ok(_) => {
                completed += parse_zc_notification(&msg, zc);
                continue;
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
        if completed > 0 || waited || wait_ms == 0 {
            return Ok(completed);
        }
        waited = true;
        // The error queue being non-empty is signalled as POLLERR, which poll
        // reports even when not requested.
        let revents = sys.poll(sock, 0, wait_ms)?;
        if revents & libc::POLLERR == 0 && revents != 0 {
            // Woken for another reason (e.g. hang-up): avoid a hot loop.
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

/// Accounts one error-queue message; returns the number of sends it completes.
fn parse_zc_notification(msg: &libc::msghdr, zc: &mut ZcStats) -> u64 {
    let mut completed = 0;
    // SAFETY: `msg` was filled by recvmsg; the CMSG_* helpers stay within
    // msg_controllen and the payload is read unaligned.
    unsafe {
        let mut cmsg = libc::CMSG_FIRSTHDR(msg);
        while !cmsg.is_null() {
            let c = &*cmsg;
            let is_recverr = (c.cmsg_level == libc::SOL_IP && c.cmsg_type == libc::IP_RECVERR)
                || (c.cmsg_level == libc::SOL_IPV6 && c.cmsg_type == libc::IPV6_RECVERR);
            if is_recverr {
                let err: libc::sock_extended_err =
                    std::ptr::read_unaligned(libc::CMSG_DATA(cmsg).cast());
                if err.ee_errno == 0 && err.ee_origin == SO_EE_ORIGIN_ZEROCOPY {
                    // ee_info..=ee_data is the range of send() call ids completed.
                    let n = u64::from(err.ee_data.wrapping_sub(err.ee_info)) + 1;
                    zc.notifications += 1;
                    zc.completions += n;
                    if err.ee_code & SO_EE_CODE_ZEROCOPY_COPIED != 0 {
                        zc.copied_completions += n;
                    }
                    completed += n;
                }
            }
            cmsg = libc::CMSG_NXTHDR(msg, cmsg);
        }
    }
    completed
}

/// Waits until every zero-copy send has been completed (the buffer may only
/// be reused or freed after that). Gives up with a warning after a timeout so
/// a kernel that loses notifications cannot hang a test run.
fn wait_zc_completions(sys: &mut Sys, sock: RawFd, zc: &mut ZcStats) -> Result<()> {
    let deadline = Instant::now() + ZC_COMPLETION_TIMEOUT;
    while zc.completions < zc.sends {
        if Instant::now() >= deadline {
            eprintln!(
                "sgnic-test: warning: only {} of {} MSG_ZEROCOPY completions arrived",
                zc.completions, zc.sends
            );
            break;
        }
        drain_zc(sys, sock, zc, 100).ctx(|| "recvmsg MSG_ERRQUEUE")?;
    }
    Ok(())
}

/// Half-closes the connection and reads until the peer closes its side: only
/// then has the receiver really consumed all the data.
fn wait_for_peer_close(sys: &mut Sys, sock: RawFd) -> Result<()> {
    sys.shutdown(sock, libc::SHUT_WR)
        .ctx(|| "shutdown(SHUT_WR)")?;
    let mut buf = [0u8; 4096];
    loop {
        match sys.read(sock, &mut buf).ctx(|| "wait for peer to close")? {
            0 => return Ok(()),
            _ => continue, // the receiver is not supposed to talk; ignore it
        }
    }
}
