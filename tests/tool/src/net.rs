//! Socket setup shared by the TCP subcommands.

use crate::error::{Context, Result};
use crate::json::JsonObject;
use std::io;
use std::mem;
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
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

/// IP-layer headers a connection's packets carry besides the basic ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ExtraHeaders {
    /// None.
    #[default]
    None,
    /// IPv4 options of this many bytes (NOPs; a multiple of 4, at most 40).
    Ipv4Options(usize),
    /// An IPv6 segment routing header (type 4) of this many bytes (a
    /// multiple of 8, from 24 to 2040) whose only segment is the
    /// destination, so it routes nowhere else. The one routing header an
    /// unprivileged process may attach (no CAP_NET_RAW needed).
    Ipv6RoutingHeader(usize),
}

impl ExtraHeaders {
    /// The setsockopt (level, name, value) that attaches the headers to a
    /// socket connecting to `to`.
    fn sockopt(self, to: &SocketAddr) -> io::Result<Option<(libc::c_int, libc::c_int, Vec<u8>)>> {
        let invalid = |what: String| io::Error::new(io::ErrorKind::InvalidInput, what);
        match (self, to) {
            (ExtraHeaders::None, _) => Ok(None),
            (ExtraHeaders::Ipv4Options(n), SocketAddr::V4(_)) => {
                if n % 4 != 0 || n > 40 {
                    return Err(invalid(format!(
                        "IPv4 options of {n} bytes: want a multiple of 4 up to 40"
                    )));
                }
                // IPOPT_NOOP (1), each one byte.
                Ok(Some((libc::IPPROTO_IP, libc::IP_OPTIONS, vec![1; n])))
            }
            (ExtraHeaders::Ipv6RoutingHeader(n), SocketAddr::V6(v6)) => {
                if n % 8 != 0 || !(24..=2040).contains(&n) {
                    return Err(invalid(format!(
                        "a routing header of {n} bytes: want a multiple of 8 from 24 to 2040"
                    )));
                }
                Ok(Some((
                    libc::IPPROTO_IPV6,
                    libc::IPV6_RTHDR,
                    segment_routing_header(n, v6.ip().octets()),
                )))
            }
            _ => Err(invalid(format!("{self:?} does not apply to {to}"))),
        }
    }
}

/// An RFC 8754 segment routing header of `len` bytes (a multiple of 8, at
/// least 24): one segment, `dst`, already reached (segments left 0), then
/// PadN TLVs up to the length.
fn segment_routing_header(len: usize, dst: [u8; 16]) -> Vec<u8> {
    const SRH_TYPE: u8 = 4;
    const TLV_PADN: u8 = 4;
    // (hdrlen + 1) * 8 = len, so hdrlen <= 254 for len <= 2040.
    let hdrlen = u8::try_from(len / 8 - 1).expect("length checked by the caller");
    // The kernel fills in the next header; segments left 0, first segment 0.
    let mut h = vec![0, hdrlen, SRH_TYPE, 0, 0, 0, 0, 0];
    h.extend_from_slice(&dst);
    while h.len() < len {
        // Each TLV is 2 bytes of type and length, then its data: 256 bytes
        // at most, so what is left stays a multiple of 8 (never 1 byte).
        let data = (len - h.len() - 2).min(254);
        h.push(TLV_PADN);
        h.push(u8::try_from(data).expect("at most 254"));
        h.resize(h.len() + data, 0);
    }
    debug_assert_eq!(h.len(), len);
    h
}

/// A new TCP socket of `addr`'s family.
fn tcp_socket(addr: &SocketAddr) -> Result<OwnedFd> {
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
    Ok(unsafe { OwnedFd::from_raw_fd(raw) })
}

/// Connects a TCP socket to `to` whose packets carry `extra` headers, set
/// before connect(2) so that the SYN carries them too.
pub fn connect(to: &SocketAddr, extra: ExtraHeaders) -> Result<TcpStream> {
    let fd = tcp_socket(to)?;
    let raw = fd.as_raw_fd();
    if let Some((level, name, value)) = extra.sockopt(to).ctx(|| "extra headers")? {
        // SAFETY: the pointer/length pair describes a live byte vector.
        let rc = unsafe {
            libc::setsockopt(
                raw,
                level,
                name,
                value.as_ptr().cast(),
                value.len() as libc::socklen_t,
            )
        };
        if rc != 0 {
            return Err(io::Error::last_os_error()).ctx(|| format!("setsockopt {extra:?}"));
        }
    }
    let (sa, sa_len) = to_sockaddr(to);
    // SAFETY: `sa`/`sa_len` describe a valid sockaddr for `family`.
    if unsafe { libc::connect(raw, (&sa as *const libc::sockaddr_storage).cast(), sa_len) } != 0 {
        return Err(io::Error::last_os_error()).ctx(|| format!("connect to {to}"));
    }
    Ok(TcpStream::from(fd))
}

/// Gives up root for `uid` (its own group, no supplementary groups): what
/// follows runs as an unprivileged user would.
pub fn drop_privileges(uid: u32) -> Result<()> {
    // SAFETY: plain credential calls; each result is checked, and setuid
    // comes last because it removes the right to make the others.
    unsafe {
        if libc::setgroups(0, std::ptr::null()) != 0
            || libc::setgid(uid) != 0
            || libc::setuid(uid) != 0
        {
            return Err(io::Error::last_os_error()).ctx(|| format!("drop privileges to uid {uid}"));
        }
    }
    Ok(())
}

/// Creates a listening TCP socket with SO_REUSEADDR (so a test can rebind the
/// same port right after a previous run) and returns it with its actual port.
pub fn listen(spec: &ListenSpec) -> Result<(TcpListener, u16)> {
    let addr = SocketAddr::new(spec.bind, spec.port);
    let fd = tcp_socket(&addr)?;
    let raw = fd.as_raw_fd();
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    /// What the kernel's seg6_validate_srh accepts, restated.
    fn valid_srh(h: &[u8]) -> bool {
        let (hdrlen, kind, left, first) = (h[1], h[2], h[3], h[4]);
        if kind != 4 || (usize::from(hdrlen) + 1) * 8 != h.len() || left > first {
            return false;
        }
        let mut at = 8 + (usize::from(first) + 1) * 16;
        while at < h.len() {
            if h.len() - at < 2 {
                return false;
            }
            at += 2 + usize::from(h[at + 1]);
        }
        at == h.len()
    }

    #[test]
    fn routing_headers_of_every_length_are_valid() {
        let dst = [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
        for len in (24..=2040).step_by(8) {
            let h = segment_routing_header(len, dst);
            assert_eq!(h.len(), len);
            assert!(valid_srh(&h), "{len}");
            assert_eq!(&h[8..24], &dst);
        }
        let to: SocketAddr = "[fd00::2]:1".parse().unwrap();
        for bad in [0, 16, 25, 2048] {
            assert!(
                ExtraHeaders::Ipv6RoutingHeader(bad).sockopt(&to).is_err(),
                "{bad}"
            );
        }
        assert!(ExtraHeaders::Ipv4Options(4).sockopt(&to).is_err());
    }

    #[test]
    fn ipv4_options_reach_the_socket() {
        let (listener, port) = listen(&ListenSpec {
            bind: "127.0.0.1".parse().unwrap(),
            port: 0,
            rcvbuf: None,
        })
        .unwrap();
        let to = SocketAddr::from(([127, 0, 0, 1], port));
        for bad in [3, 44] {
            assert!(
                connect(&to, ExtraHeaders::Ipv4Options(bad)).is_err(),
                "{bad}"
            );
        }
        let mut stream = connect(&to, ExtraHeaders::Ipv4Options(40)).unwrap();
        let mut opts = [0u8; 64];
        let mut len = opts.len() as libc::socklen_t;
        // SAFETY: the buffer and its length describe live memory.
        let rc = unsafe {
            libc::getsockopt(
                stream.as_raw_fd(),
                libc::IPPROTO_IP,
                libc::IP_OPTIONS,
                opts.as_mut_ptr().cast(),
                &mut len,
            )
        };
        assert_eq!((rc, len), (0, 40));
        let (mut peer, _) = listener.accept().unwrap();
        stream.write_all(b"with options").unwrap();
        drop(stream);
        let mut got = String::new();
        peer.read_to_string(&mut got).unwrap();
        assert_eq!(got, "with options");
    }
}
