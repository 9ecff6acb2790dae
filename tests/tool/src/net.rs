//! Socket setup shared by the TCP subcommands.

use crate::error::{Context, Result};
use crate::json::JsonObject;
use std::io;
use std::mem;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::path::Path;

/// Listen backlog; the tools accept connections one at a time.
const BACKLOG: libc::c_int = 16;

/// Where and how to listen.
#[derive(Debug, Clone)]
pub struct ListenSpec {
    /// Local address (IPv4 or IPv6 selects the socket family).
    pub bind: IpAddr,
    /// Local port; 0 picks a free one (used by the tests).
    pub port: u16,
    /// Optional SO_RCVBUF, inherited by accepted sockets. Setting it disables
    /// receive-buffer autotuning, which the tests use to bound in-flight data.
    pub rcvbuf: Option<usize>,
}

/// Sets an integer socket option.
pub fn set_int_opt(
    fd: RawFd,
    level: libc::c_int,
    name: libc::c_int,
    value: libc::c_int,
) -> io::Result<()> {
    // SAFETY: the pointer/length pair describes a live c_int.
    let rc = unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            (&value as *const libc::c_int).cast(),
            mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Encodes a socket address for bind(2).
fn to_sockaddr(addr: &SocketAddr) -> (libc::sockaddr_storage, libc::socklen_t) {
    // SAFETY: sockaddr_storage is plain data; all-zero is a valid value.
    let mut storage: libc::sockaddr_storage = unsafe { mem::zeroed() };
    let len = match addr {
        SocketAddr::V4(v4) => {
            // SAFETY: sockaddr_storage is large and aligned enough for sockaddr_in.
            let sin = unsafe {
                &mut *(&mut storage as *mut libc::sockaddr_storage).cast::<libc::sockaddr_in>()
            };
            sin.sin_family = libc::AF_INET as libc::sa_family_t;
            sin.sin_port = v4.port().to_be();
            sin.sin_addr.s_addr = u32::from_ne_bytes(v4.ip().octets());
            mem::size_of::<libc::sockaddr_in>()
        }
        SocketAddr::V6(v6) => {
            // SAFETY: sockaddr_storage is large and aligned enough for sockaddr_in6.
            let sin6 = unsafe {
                &mut *(&mut storage as *mut libc::sockaddr_storage).cast::<libc::sockaddr_in6>()
            };
            sin6.sin6_family = libc::AF_INET6 as libc::sa_family_t;
            sin6.sin6_port = v6.port().to_be();
            sin6.sin6_addr.s6_addr = v6.ip().octets();
            sin6.sin6_flowinfo = v6.flowinfo();
            sin6.sin6_scope_id = v6.scope_id();
            mem::size_of::<libc::sockaddr_in6>()
        }
    };
    (storage, len as libc::socklen_t)
}

/// Creates a listening TCP socket with SO_REUSEADDR (so a test can rebind the
/// same port right after a previous run) and returns it with its actual port.
pub fn listen(spec: &ListenSpec) -> Result<(TcpListener, u16)> {
    let addr = SocketAddr::new(spec.bind, spec.port);
    let family = if addr.is_ipv4() {
        libc::AF_INET
    } else {
        libc::AF_INET6
    };
    // SAFETY: plain socket(2) call; the result is checked before use.
    let raw = unsafe { libc::socket(family, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0) };
    if raw < 0 {
        return Err(io::Error::last_os_error()).ctx(|| "create TCP socket");
    }
    // SAFETY: `raw` is a freshly created descriptor owned by nobody else.
    let fd = unsafe { OwnedFd::from_raw_fd(raw) };
    set_int_opt(raw, libc::SOL_SOCKET, libc::SO_REUSEADDR, 1).ctx(|| "setsockopt SO_REUSEADDR")?;
    if let Some(size) = spec.rcvbuf {
        let size = libc::c_int::try_from(size).unwrap_or(libc::c_int::MAX);
        set_int_opt(raw, libc::SOL_SOCKET, libc::SO_RCVBUF, size).ctx(|| "setsockopt SO_RCVBUF")?;
    }
    let (sa, sa_len) = to_sockaddr(&addr);
    // SAFETY: `sa`/`sa_len` describe a valid sockaddr for `family`.
    if unsafe { libc::bind(raw, (&sa as *const libc::sockaddr_storage).cast(), sa_len) } != 0 {
        return Err(io::Error::last_os_error()).ctx(|| format!("bind {addr}"));
    }
    // SAFETY: plain listen(2) on a bound socket.
    if unsafe { libc::listen(raw, BACKLOG) } != 0 {
        return Err(io::Error::last_os_error()).ctx(|| format!("listen on {addr}"));
    }
    let listener = TcpListener::from(fd);
    let port = listener.local_addr().ctx(|| "getsockname")?.port();
    debug_assert_eq!(listener.as_raw_fd(), raw);
    Ok((listener, port))
}

/// Tells a waiting script that the server is ready: creates `ready_file` if
/// asked, then prints `{"listening":P}` on stdout (flushed). The file comes
/// first so that whichever signal a script sees, both are already true.
pub fn announce_listening(port: u16, ready_file: Option<&Path>) -> Result<()> {
    if let Some(path) = ready_file {
        std::fs::File::create(path).ctx(|| format!("create ready file {}", path.display()))?;
    }
    crate::json::print_line(&JsonObject::new().uint("listening", port.into()))
}
