//! Multicast UDP and raw Ethernet frames, for testing the NIC's receive
//! filter (multicast table, unicast address, promiscuous mode), and
//! IPv4 TCP or UDP frames with a deliberately wrong checksum, for its
//! receive checksum offload.

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

/// The transport of a frame [`bad_l4_csum_frame`] builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum L4 {
    /// A bare TCP ACK carrying the payload.
    Tcp,
    /// A UDP datagram.
    Udp,
}

impl L4 {
    /// The IPv4 protocol number.
    fn protocol(self) -> u8 {
        match self {
            L4::Tcp => 6,
            L4::Udp => 17,
        }
    }

    /// The transport header's length, and where its checksum lies in it.
    fn header_and_checksum_offset(self) -> (usize, usize) {
        match self {
            L4::Tcp => (20, 16),
            L4::Udp => (8, 6),
        }
    }
}

/// Addresses and ports of the IPv4 frames [`bad_l4_csum_frame`] builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ipv4Flow {
    pub src: Ipv4Addr,
    pub dst: Ipv4Addr,
    pub src_port: u16,
    pub dst_port: u16,
}

/// What each frame [`raw_send`] sends carries after the MAC addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawPayload {
    /// `ethertype`, then `size` bytes of pattern.
    Plain { ethertype: u16, size: usize },
    /// IPv4 with a valid header checksum, then TCP or UDP with `size`
    /// payload bytes and a wrong checksum ([`bad_l4_csum_frame`]).
    BadL4Checksum { l4: L4, flow: Ipv4Flow, size: usize },
}

impl RawPayload {
    /// The frame to `dst` from `src`.
    fn frame(&self, dst: [u8; 6], src: [u8; 6]) -> Vec<u8> {
        match *self {
            RawPayload::Plain { ethertype, size } => {
                let mut frame = Vec::with_capacity(14 + size);
                frame.extend_from_slice(&dst);
                frame.extend_from_slice(&src);
                frame.extend_from_slice(&ethertype.to_be_bytes());
                frame.extend((0..size).map(|i| (i % 251) as u8));
                frame
            }
            RawPayload::BadL4Checksum { l4, flow, size } => {
                bad_l4_csum_frame(dst, src, &flow, l4, size)
            }
        }
    }

    /// The EtherType the frames carry (the packet socket's protocol).
    fn ethertype(&self) -> u16 {
        match *self {
            RawPayload::Plain { ethertype, .. } => ethertype,
            RawPayload::BadL4Checksum { .. } => ETH_P_IPV4,
        }
    }
}

/// The IPv4 EtherType.
const ETH_P_IPV4: u16 = 0x0800;

/// Adds `data` as big-endian 16-bit words (an odd last byte padded with
/// zero) to the one's-complement running sum `sum`.
fn ones_sum(data: &[u8], mut sum: u32) -> u32 {
    let mut words = data.chunks_exact(2);
    for w in &mut words {
        sum += u32::from(u16::from_be_bytes([w[0], w[1]]));
    }
    if let [last] = words.remainder() {
        sum += u32::from(*last) << 8;
    }
    sum
}

/// The Internet checksum of a one's-complement running sum: folded to 16
/// bits and inverted.
fn checksum(mut sum: u32) -> u16 {
    while sum > 0xFFFF {
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    // CAST: folded to 16 bits above.
    !(sum as u16)
}

/// The TCP/UDP checksum of `segment` (header with a zero checksum field,
/// and payload) between `src` and `dst`, as the field would carry it (a
/// UDP result of 0 is sent as 0xFFFF, 0 meaning "none").
fn l4_checksum(src: Ipv4Addr, dst: Ipv4Addr, l4: L4, segment: &[u8]) -> u16 {
    let mut pseudo = [0u8; 12];
    pseudo[..4].copy_from_slice(&src.octets());
    pseudo[4..8].copy_from_slice(&dst.octets());
    pseudo[9] = l4.protocol();
    // CAST: callers keep segments within an IPv4 packet (< 64 KiB).
    pseudo[10..].copy_from_slice(&(segment.len() as u16).to_be_bytes());
    match checksum(ones_sum(segment, ones_sum(&pseudo, 0))) {
        0 if l4 == L4::Udp => 0xFFFF,
        c => c,
    }
}

/// A checksum field value other than `correct` that no receiver takes
/// for it: not `correct`, not its one's-complement twin (0 and 0xFFFF
/// are the same number), and not 0 (UDP's "no checksum").
fn wrong_checksum(correct: u16) -> u16 {
    if correct == 0xBAD0 {
        0x0BAD
    } else {
        0xBAD0
    }
}

/// An Ethernet + IPv4 + TCP or UDP frame to `dst` from `src` for `flow`,
/// with `size` payload bytes: the IPv4 header and its checksum are valid
/// (DF set, TTL 64, no options), the TCP segment is a bare ACK (sequence
/// and acknowledgement numbers fixed, window 64 KiB), and the TCP or UDP
/// checksum is deliberately wrong ([`wrong_checksum`] of the right one),
/// so the receiver's stack (or the NIC) must refuse the frame.
///
/// # Panics
///
/// If `size` does not fit an IPv4 packet.
pub fn bad_l4_csum_frame(
    dst: [u8; 6],
    src: [u8; 6],
    flow: &Ipv4Flow,
    l4: L4,
    size: usize,
) -> Vec<u8> {
    let (l4_len, csum_at) = l4.header_and_checksum_offset();
    let segment_len = l4_len + size;
    let total = u16::try_from(20 + segment_len).expect("payload too large for IPv4");
    let mut segment = Vec::with_capacity(segment_len);
    segment.extend_from_slice(&flow.src_port.to_be_bytes());
    segment.extend_from_slice(&flow.dst_port.to_be_bytes());
    match l4 {
        L4::Tcp => {
            segment.extend_from_slice(&0x5347_4E43u32.to_be_bytes()); // sequence
            segment.extend_from_slice(&0x0000_0001u32.to_be_bytes()); // ack
            segment.push(5 << 4); // data offset: 20 bytes, no options
            segment.push(0x10); // ACK
            segment.extend_from_slice(&0xFFFFu16.to_be_bytes()); // window
            segment.extend_from_slice(&[0, 0, 0, 0]); // checksum, urgent
        }
        L4::Udp => {
            segment.extend_from_slice(&(total - 20).to_be_bytes());
            segment.extend_from_slice(&[0, 0]); // checksum
        }
    }
    segment.extend((0..size).map(|i| (i % 251) as u8));
    let right = l4_checksum(flow.src, flow.dst, l4, &segment);
    segment[csum_at..csum_at + 2].copy_from_slice(&wrong_checksum(right).to_be_bytes());

    let mut ip = [0u8; 20];
    ip[0] = 0x45; // version 4, 5 words
    ip[2..4].copy_from_slice(&total.to_be_bytes());
    ip[4..6].copy_from_slice(&0x5347u16.to_be_bytes()); // identification
    ip[6] = 0x40; // DF
    ip[8] = 64; // TTL
    ip[9] = l4.protocol();
    ip[12..16].copy_from_slice(&flow.src.octets());
    ip[16..20].copy_from_slice(&flow.dst.octets());
    let ip_csum = checksum(ones_sum(&ip, 0));
    ip[10..12].copy_from_slice(&ip_csum.to_be_bytes());

    let mut frame = Vec::with_capacity(14 + 20 + segment_len);
    frame.extend_from_slice(&dst);
    frame.extend_from_slice(&src);
    frame.extend_from_slice(&ETH_P_IPV4.to_be_bytes());
    frame.extend_from_slice(&ip);
    frame.extend_from_slice(&segment);
    frame
}

/// Frames sent by [`raw_send`], and how often the stack refused one for
/// lack of queue room (ENOBUFS; the frame was sent again).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawSent {
    pub sent: u64,
    pub refused: u64,
}

/// Sends `count` Ethernet frames to `dst` carrying `payload` out of
/// `iface`, `gap` apart (none: as fast as the queue takes them).
pub fn raw_send(
    iface: &str,
    dst: [u8; 6],
    payload: &RawPayload,
    count: u64,
    gap: Duration,
) -> Result<RawSent> {
    let sock = PacketSocket::open(iface, payload.ethertype())?;
    let src = sock.own_mac(iface)?;
    let frame = payload.frame(dst, src);
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
/// of arrival, each with whether the bytes after the header (as far as the
/// 2 KiB buffer holds them) are [`RawPayload::Plain`]'s pattern. The socket
/// does not make the NIC promiscuous, so this sees what the NIC's filter
/// passes.
pub fn raw_receive(
    iface: &str,
    ethertype: u16,
    seconds: f64,
    stop_after: Option<u64>,
    ready: impl FnOnce() -> Result<()>,
) -> Result<Vec<(usize, bool)>> {
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
        let n = n as usize;
        let payload = buf.get(14..n.min(buf.len())).unwrap_or_default();
        lengths.push((n, is_pattern(payload)));
        Ok(true)
    })?;
    Ok(lengths)
}

/// Whether `payload` is the start of [`RawPayload::Plain`]'s pattern
/// (what [`RawPayload::frame`] writes after the header).
fn is_pattern(payload: &[u8]) -> bool {
    payload.iter().enumerate().all(|(i, &b)| usize::from(b) == i % 251)
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

    const FLOW: Ipv4Flow = Ipv4Flow {
        src: Ipv4Addr::new(10, 0, 0, 1),
        dst: Ipv4Addr::new(10, 0, 0, 2),
        src_port: 40045,
        dst_port: 5045,
    };

    /// The one's-complement sum over `data` folded: 0xFFFF when `data`
    /// holds a valid checksum (0 is the same number).
    fn folded(data: &[u8], initial: u32) -> u16 {
        !checksum(ones_sum(data, initial))
    }

    /// The pseudo-header sum of the IPv4 packet `ip` (header first).
    fn pseudo_sum(ip: &[u8]) -> u32 {
        let mut pseudo = [0u8; 12];
        pseudo[..8].copy_from_slice(&ip[12..20]);
        pseudo[9] = ip[9];
        // CAST: the packets here are small.
        pseudo[10..].copy_from_slice(&((ip.len() - 20) as u16).to_be_bytes());
        ones_sum(&pseudo, 0)
    }

    #[test]
    fn bad_csum_frames_have_a_valid_ip_header_and_a_wrong_l4_checksum() {
        let (dst, src) = ([2, 0, 0, 0, 0, 2], [2, 0, 0, 0, 0, 1]);
        for (l4, proto, hdr, at) in [(L4::Tcp, 6, 20, 16), (L4::Udp, 17, 8, 6)] {
            for size in [0, 1, 100, 1401] {
                let frame = bad_l4_csum_frame(dst, src, &FLOW, l4, size);
                let what = format!("{l4:?} with {size} bytes");
                assert_eq!(frame.len(), 14 + 20 + hdr + size, "{what}");
                assert_eq!(&frame[..6], &dst);
                assert_eq!(&frame[6..12], &src);
                assert_eq!(&frame[12..14], &[0x08, 0x00]);
                let ip = &frame[14..];
                assert_eq!(ip[0], 0x45);
                assert_eq!(usize::from(u16::from_be_bytes([ip[2], ip[3]])), ip.len());
                assert_eq!(ip[9], proto);
                assert_eq!(&ip[12..16], &[10, 0, 0, 1]);
                assert_eq!(&ip[16..20], &[10, 0, 0, 2]);
                // The IPv4 header checksum is valid.
                assert_eq!(folded(&ip[..20], 0), 0xFFFF, "{what}: IP checksum");
                let seg = &ip[20..];
                assert_eq!(&seg[..2], &40045u16.to_be_bytes());
                assert_eq!(&seg[2..4], &5045u16.to_be_bytes());
                if l4 == L4::Udp {
                    assert_eq!(usize::from(u16::from_be_bytes([seg[4], seg[5]])), seg.len());
                } else {
                    assert_eq!(seg[12], 5 << 4);
                    assert_eq!(seg[13], 0x10, "a bare ACK");
                }
                // The TCP/UDP checksum is not, and is not UDP's "none"...
                let field = u16::from_be_bytes([seg[at], seg[at + 1]]);
                assert_ne!(field, 0, "{what}");
                assert_ne!(folded(seg, pseudo_sum(ip)), 0xFFFF, "{what}: L4 checksum");
                // ...and it is the only thing wrong: the right value in
                // its place verifies.
                let mut fixed = seg.to_vec();
                fixed[at..at + 2].fill(0);
                let right = l4_checksum(FLOW.src, FLOW.dst, l4, &fixed);
                fixed[at..at + 2].copy_from_slice(&right.to_be_bytes());
                assert_eq!(folded(&fixed, pseudo_sum(ip)), 0xFFFF, "{what}: fixed");
                assert_eq!(wrong_checksum(right), field);
            }
        }
    }

    #[test]
    fn checksums_match_a_known_packet() {
        // The IPv4 header of RFC 1071's usual example (Wikipedia's
        // "IPv4 header checksum"): checksum 0xB861.
        let ip = [
            0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00, 0xc0, 0xa8,
            0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
        ];
        assert_eq!(checksum(ones_sum(&ip, 0)), 0xB861);
        // An odd length pads with a zero byte.
        assert_eq!(ones_sum(&[0x12, 0x34, 0x56], 0), 0x1234 + 0x5600);
    }

    #[test]
    fn a_wrong_checksum_is_never_taken_for_the_right_one() {
        for right in 0..=u16::MAX {
            let wrong = wrong_checksum(right);
            assert_ne!(wrong, right);
            assert_ne!(wrong, 0, "UDP's no-checksum");
            // 0 and 0xFFFF are the same one's-complement number.
            assert_ne!((right.min(wrong), right.max(wrong)), (0, 0xFFFF));
        }
    }

    #[test]
    fn payloads_build_their_frames() {
        let plain = RawPayload::Plain {
            ethertype: 0x88B5,
            size: 3,
        };
        assert_eq!(plain.ethertype(), 0x88B5);
        assert_eq!(
            plain.frame([1; 6], [2; 6]),
            [[1u8; 6].as_slice(), &[2; 6], &[0x88, 0xB5, 0, 1, 2]].concat()
        );
        let bad = RawPayload::BadL4Checksum {
            l4: L4::Udp,
            flow: FLOW,
            size: 10,
        };
        assert_eq!(bad.ethertype(), 0x0800);
        assert_eq!(
            bad.frame([1; 6], [2; 6]),
            bad_l4_csum_frame([1; 6], [2; 6], &FLOW, L4::Udp, 10)
        );
    }

    #[test]
    fn raw_frames_on_loopback() {
        let handle =
            std::thread::spawn(|| raw_receive("lo", DEFAULT_ETHERTYPE, 1.5, None, || Ok(())));
        std::thread::sleep(Duration::from_millis(300));
        let payload = RawPayload::Plain {
            ethertype: DEFAULT_ETHERTYPE,
            size: 100,
        };
        match raw_send("lo", [0; 6], &payload, 5, Duration::from_millis(1)) {
            Ok(n) => assert_eq!(n.sent, 5),
            // Without CAP_NET_RAW there is nothing to test.
            Err(e) if e.to_string().contains("Operation not permitted") => return,
            Err(e) => panic!("{e}"),
        }
        let got = handle.join().unwrap().unwrap();
        assert!(got.len() >= 5, "received {got:?}");
        assert!(got.iter().all(|&(n, _)| n == 114), "lengths {got:?}");
        assert!(got.iter().all(|&(_, ok)| ok), "payloads {got:?}");
    }
}
