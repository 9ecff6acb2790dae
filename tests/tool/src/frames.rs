//! Multicast UDP and raw Ethernet frames, for testing the NIC's receive
//! filter (multicast table, unicast address, promiscuous mode).

use crate::error::{CliError, Context, Result};
use std::mem::{size_of, zeroed};
use std::net::{Ipv4Addr, SocketAddrV4, UdpSocket};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::{Duration, Instant};

/// Default EtherType: IEEE 802 local experimental 1.
pub const DEFAULT_ETHERTYPE: u16 = 0x88B5;

/// Joins `group` on the interface owning `iface_addr` and counts the
/// datagrams that arrive on `port` within `seconds`. `ready` runs once
/// the group is joined.
pub fn multicast_receive(
    group: Ipv4Addr,
    port: u16,
    iface_addr: Ipv4Addr,
    seconds: f64,
    ready: impl FnOnce() -> Result<()>,
) -> Result<u64> {
    let sock = UdpSocket::bind(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, port))
        .ctx(|| format!("bind UDP port {port}"))?;
    sock.join_multicast_v4(&group, &iface_addr)
        .ctx(|| format!("join {group} on {iface_addr}"))?;
    ready()?;
    let mut buf = [0u8; 2048];
    count_for(seconds, None, |left| {
        sock.set_read_timeout(Some(left)).ctx(|| "SO_RCVTIMEO")?;
        match sock.recv_from(&mut buf) {
            Ok(_) => Ok(true),
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut =>
            {
                Ok(false)
            }
            Err(e) => Err(CliError::os("recv multicast", e)),
        }
    })
}

/// Calls `receive_one` with the time left until `seconds` have passed
/// (or until `stop_after` frames came), counting the calls that report a
/// frame; returns the count.
fn count_for(
    seconds: f64,
    stop_after: Option<u64>,
    mut receive_one: impl FnMut(Duration) -> Result<bool>,
) -> Result<u64> {
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let mut received = 0;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stop_after.is_some_and(|n| received >= n) {
            return Ok(received);
        }
        if receive_one(left)? {
            received += 1;
        }
    }
}

/// Sends `count` datagrams of `size` bytes to `group:port` out of the
/// interface owning `iface_addr`, about 1 ms apart.
pub fn multicast_send(
    group: Ipv4Addr,
    port: u16,
    iface_addr: Ipv4Addr,
    count: u64,
    size: usize,
) -> Result<u64> {
    let sock = UdpSocket::bind(SocketAddrV4::new(iface_addr, 0))
        .ctx(|| format!("bind UDP on {iface_addr}"))?;
    sock.set_multicast_ttl_v4(1).ctx(|| "IP_MULTICAST_TTL")?;
    sock.set_multicast_loop_v4(false)
        .ctx(|| "IP_MULTICAST_LOOP")?;
    let payload = vec![0x5Au8; size];
    for _ in 0..count {
        sock.send_to(&payload, SocketAddrV4::new(group, port))
            .ctx(|| format!("send to {group}:{port}"))?;
        std::thread::sleep(Duration::from_millis(1));
    }
    Ok(count)
}

/// Parses `aa:bb:cc:dd:ee:ff`.
pub fn parse_mac(text: &str) -> Result<[u8; 6]> {
    let mut mac = [0u8; 6];
    let mut parts = text.split(':');
    for byte in &mut mac {
        let part = parts
            .next()
            .ok_or_else(|| CliError::usage(format!("invalid MAC '{text}'")))?;
        *byte = u8::from_str_radix(part, 16)
            .map_err(|_| CliError::usage(format!("invalid MAC '{text}'")))?;
    }
    if parts.next().is_some() {
        return Err(CliError::usage(format!("invalid MAC '{text}'")));
    }
    Ok(mac)
}

/// An AF_PACKET socket bound to one interface and EtherType.
struct PacketSocket {
    fd: OwnedFd,
    ifindex: i32,
}

impl PacketSocket {
    fn open(iface: &str, ethertype: u16) -> Result<Self> {
        let name = std::ffi::CString::new(iface)
            .map_err(|_| CliError::usage("interface name contains NUL"))?;
        // SAFETY: plain libc calls on valid, NUL-terminated input.
        let ifindex = unsafe { libc::if_nametoindex(name.as_ptr()) };
        if ifindex == 0 {
            return Err(CliError::os(
                format!("interface {iface}"),
                std::io::Error::last_os_error(),
            ));
        }
        let proto = i32::from(ethertype.to_be());
        // SAFETY: creating a socket has no memory-safety preconditions.
        let raw = unsafe { libc::socket(libc::AF_PACKET, libc::SOCK_RAW, proto) };
        if raw < 0 {
            return Err(CliError::os(
                "socket(AF_PACKET)",
                std::io::Error::last_os_error(),
            ));
        }
        // SAFETY: `raw` is a fresh descriptor we own.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        // SAFETY: sockaddr_ll is plain data; all-zero is a valid start.
        let mut sll: libc::sockaddr_ll = unsafe { zeroed() };
        sll.sll_family = libc::AF_PACKET as u16;
        sll.sll_protocol = ethertype.to_be();
        sll.sll_ifindex = ifindex as i32;
        // SAFETY: `sll` is a valid sockaddr_ll of the given size.
        let rc = unsafe {
            libc::bind(
                fd.as_raw_fd(),
                (&sll as *const libc::sockaddr_ll).cast(),
                size_of::<libc::sockaddr_ll>() as libc::socklen_t,
            )
        };
        if rc < 0 {
            return Err(CliError::os(
                format!("bind to {iface}"),
                std::io::Error::last_os_error(),
            ));
        }
        Ok(Self {
            fd,
            ifindex: ifindex as i32,
        })
    }

    fn own_mac(&self, iface: &str) -> Result<[u8; 6]> {
        let path = format!("/sys/class/net/{iface}/address");
        let text = std::fs::read_to_string(&path).ctx(|| format!("read {path}"))?;
        parse_mac(text.trim())
    }
}

/// Frames sent by [`raw_send`], and how often the stack refused one for
/// lack of queue room (ENOBUFS; the frame was sent again).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawSent {
    pub sent: u64,
    pub refused: u64,
}

/// Sends `count` Ethernet frames to `dst` with `ethertype` and a
/// `size`-byte payload out of `iface`, `gap` apart (none: as fast as the
/// queue takes them).
pub fn raw_send(
    iface: &str,
    dst: [u8; 6],
    ethertype: u16,
    count: u64,
    size: usize,
    gap: Duration,
) -> Result<RawSent> {
    let sock = PacketSocket::open(iface, ethertype)?;
    let src = sock.own_mac(iface)?;
    let mut frame = Vec::with_capacity(14 + size);
    frame.extend_from_slice(&dst);
    frame.extend_from_slice(&src);
    frame.extend_from_slice(&ethertype.to_be_bytes());
    frame.extend((0..size).map(|i| (i % 251) as u8));
    // SAFETY: sockaddr_ll is plain data; all-zero is a valid start.
    let mut to: libc::sockaddr_ll = unsafe { zeroed() };
    to.sll_family = libc::AF_PACKET as u16;
    to.sll_ifindex = sock.ifindex;
    to.sll_halen = 6;
    to.sll_addr[..6].copy_from_slice(&dst);
    let mut out = RawSent {
        sent: 0,
        refused: 0,
    };
    while out.sent < count {
        // SAFETY: `frame` and `to` are valid for the lengths given.
        let n = unsafe {
            libc::sendto(
                sock.fd.as_raw_fd(),
                frame.as_ptr().cast(),
                frame.len(),
                0,
                (&to as *const libc::sockaddr_ll).cast(),
                size_of::<libc::sockaddr_ll>() as libc::socklen_t,
            )
        };
        if n < 0 {
            let err = std::io::Error::last_os_error();
            if err.raw_os_error() != Some(libc::ENOBUFS) {
                return Err(CliError::os("sendto(AF_PACKET)", err));
            }
            // The queue is stopped and the qdisc full: wait for room.
            out.refused += 1;
            std::thread::sleep(Duration::from_micros(100));
            continue;
        }
        out.sent += 1;
        if !gap.is_zero() {
            std::thread::sleep(gap);
        }
    }
    Ok(out)
}

/// Receives frames of `ethertype` arriving on `iface` within `seconds`, or
/// until `stop_after` came (frames the interface itself sent are not
/// counted), and returns their lengths (Ethernet header included) in order
/// of arrival. The socket does not make the NIC promiscuous, so this sees
/// what the NIC's filter passes.
pub fn raw_receive(
    iface: &str,
    ethertype: u16,
    seconds: f64,
    stop_after: Option<u64>,
    ready: impl FnOnce() -> Result<()>,
) -> Result<Vec<usize>> {
    let sock = PacketSocket::open(iface, ethertype)?;
    ready()?;
    let mut buf = [0u8; 2048];
    let mut lengths = Vec::new();
    count_for(seconds, stop_after, |left| {
        let mut pfd = libc::pollfd {
            fd: sock.fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = left.as_millis().clamp(1, 1000) as libc::c_int;
        // SAFETY: one valid pollfd.
        if unsafe { libc::poll(&mut pfd, 1, ms) } <= 0 {
            return Ok(false);
        }
        // SAFETY: sockaddr_ll is plain data.
        let mut from: libc::sockaddr_ll = unsafe { zeroed() };
        let mut len = size_of::<libc::sockaddr_ll>() as libc::socklen_t;
        // SAFETY: `buf` and `from` are valid for the lengths given;
        // MSG_TRUNC returns the frame's real length even if longer.
        let n = unsafe {
            libc::recvfrom(
                sock.fd.as_raw_fd(),
                buf.as_mut_ptr().cast(),
                buf.len(),
                libc::MSG_TRUNC,
                (&mut from as *mut libc::sockaddr_ll).cast(),
                &mut len,
            )
        };
        if n < 0 {
            return Err(CliError::os(
                "recvfrom(AF_PACKET)",
                std::io::Error::last_os_error(),
            ));
        }
        if from.sll_pkttype == libc::PACKET_OUTGOING {
            return Ok(false);
        }
        // CAST: checked non-negative above.
        lengths.push(n as usize);
        Ok(true)
    })?;
    Ok(lengths)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macs() {
        assert_eq!(
            parse_mac("02:00:00:00:be:ef").unwrap(),
            [2, 0, 0, 0, 0xbe, 0xef]
        );
        assert!(parse_mac("02:00:00:00:be").is_err());
        assert!(parse_mac("02:00:00:00:be:ef:01").is_err());
        assert!(parse_mac("zz:00:00:00:be:ef").is_err());
    }

    #[test]
    fn raw_frames_on_loopback() {
        let handle =
            std::thread::spawn(|| raw_receive("lo", DEFAULT_ETHERTYPE, 1.5, None, || Ok(())));
        std::thread::sleep(Duration::from_millis(300));
        match raw_send(
            "lo",
            [0; 6],
            DEFAULT_ETHERTYPE,
            5,
            100,
            Duration::from_millis(1),
        ) {
            Ok(n) => assert_eq!(n.sent, 5),
            // Without CAP_NET_RAW there is nothing to test.
            Err(e) if e.to_string().contains("Operation not permitted") => return,
            Err(e) => panic!("{e}"),
        }
        let got = handle.join().unwrap().unwrap();
        assert!(got.len() >= 5, "received {got:?}");
        assert!(got.iter().all(|&n| n == 114), "lengths {got:?}");
    }
}
