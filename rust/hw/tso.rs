// SPDX-License-Identifier: GPL-2.0

//! TCP segmentation arithmetic on header bytes: preparing a super-frame's
//! headers for the device's segmentation, and building each segment's
//! headers where the driver segments itself (IPv6, which the 8254x cannot).
//!
//! The stack seeds a super-frame's TCP checksum with the pseudo-header sum
//! over its whole TCP length. The length is taken back out of the seed
//! rather than the seed recomputed from the addresses in the IP header:
//! with a routing header or a source-route option those are not the
//! addresses the checksum covers.

use super::net::{IpVersion, IPV6_HEADER, TCP_CSUM_OFFSET, TCP_MIN_HEADER};

/// IPv4 total length, relative to the IP header.
const IPV4_TOT_LEN: usize = 2;
/// IPv4 header checksum, relative to the IP header.
const IPV4_CHECK: usize = 10;
/// IPv6 payload length, relative to the IP header.
const IPV6_PAYLOAD_LEN: usize = 4;
/// TCP sequence number, relative to the TCP header.
const TCP_SEQ: usize = 4;
/// TCP data offset (high nibble, in 32-bit words).
const TCP_DOFF: usize = 12;
/// TCP flags.
const TCP_FLAGS: usize = 13;
const TCP_FIN: u8 = 0x01;
const TCP_PSH: u8 = 0x08;
const TCP_CWR: u8 = 0x80;

/// Adds `len` to a one's complement 16-bit sum.
pub fn csum_add_len(sum: u16, len: u32) -> u16 {
    fold(u32::from(sum) + (len >> 16) + (len & 0xFFFF))
}

/// Takes `len` out of a one's complement 16-bit sum.
pub fn csum_sub_len(sum: u16, len: u32) -> u16 {
    // Adding the complement of each half subtracts it.
    fold(u32::from(sum) + u32::from(!((len >> 16) as u16)) + u32::from(!(len as u16)))
}

fn fold(mut sum: u32) -> u16 {
    while sum > 0xFFFF {
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    // CAST: folded to 16 bits above.
    sum as u16
}

fn read16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

fn write16(b: &mut [u8], at: usize, v: u16) -> Option<()> {
    b.get_mut(at..at + 2)?.copy_from_slice(&v.to_be_bytes());
    Some(())
}

/// The header layout of a TCP super-frame.
///
/// # Invariants
///
/// `ip_start + min IP header <= l4_start` and
/// `l4_start + 20 <= hdr_len <= l4_start + 60`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TcpLayout {
    ip: IpVersion,
    ip_start: usize,
    l4_start: usize,
    hdr_len: usize,
}

impl TcpLayout {
    /// Reads the TCP header length out of `headers` (at least the fixed TCP
    /// header); `None` for an impossible layout.
    pub fn new(ip: IpVersion, ip_start: u32, l4_start: u32, headers: &[u8]) -> Option<Self> {
        let ip_start = usize::try_from(ip_start).ok()?;
        let l4_start = usize::try_from(l4_start).ok()?;
        let min_ip = match ip {
            IpVersion::V4 => 20,
            IpVersion::V6 => IPV6_HEADER as usize,
        };
        if l4_start < ip_start.checked_add(min_ip)? {
            return None;
        }
        let doff = usize::from(*headers.get(l4_start + TCP_DOFF)? >> 4) * 4;
        if doff < TCP_MIN_HEADER as usize {
            return None;
        }
        // INVARIANT: checked above; a 4-bit offset gives at most 60.
        Some(Self {
            ip,
            ip_start,
            l4_start,
            hdr_len: l4_start + doff,
        })
    }

    /// Bytes of headers in front of the payload.
    pub fn hdr_len(&self) -> u32 {
        // CAST: at most `l4_start + 60`, and `l4_start` came from a u32.
        self.hdr_len as u32
    }

    /// Offset of the TCP header.
    pub fn l4_start(&self) -> u32 {
        // CAST: came from a u32.
        self.l4_start as u32
    }

    /// Readies the headers of a super-frame with `frame_len` bytes for the
    /// device's segmentation: IP lengths (and the IPv4 checksum) zeroed,
    /// the TCP checksum seeded without a length (the device adds each
    /// segment's). `None` if `headers` is shorter than the layout.
    pub fn prepare_for_device(&self, headers: &mut [u8], frame_len: u32) -> Option<()> {
        let headers = headers.get_mut(..self.hdr_len)?;
        let l4_len = frame_len.checked_sub(self.l4_start())?;
        match self.ip {
            IpVersion::V4 => {
                write16(headers, self.ip_start + IPV4_TOT_LEN, 0)?;
                write16(headers, self.ip_start + IPV4_CHECK, 0)?;
            }
            IpVersion::V6 => write16(headers, self.ip_start + IPV6_PAYLOAD_LEN, 0)?,
        }
        let check = self.l4_start + TCP_CSUM_OFFSET as usize;
        write16(
            headers,
            check,
            csum_sub_len(read16(headers, check)?, l4_len),
        )
    }

    /// Writes the headers of segment `index` (of `count`, each `mss`
    /// bytes but the last) carrying `payload` bytes into `out`, from
    /// `template`, the super-frame's headers as [`Self::prepare_for_device`]
    /// left them. IPv6 only: the payload length, sequence number, flags and
    /// checksum seed are set as the stack would set them segmenting in
    /// software. `None` if a buffer is shorter than the headers or the
    /// segment does not fit an IPv6 payload length.
    pub fn ipv6_segment(
        &self,
        template: &[u8],
        out: &mut [u8],
        index: u32,
        count: u32,
        mss: u16,
        payload: u32,
    ) -> Option<()> {
        let out = out.get_mut(..self.hdr_len)?;
        out.copy_from_slice(template.get(..self.hdr_len)?);
        // CAST: `hdr_len` fits a u32 (see `Self::hdr_len`).
        let ip_payload = (self.hdr_len - self.ip_start) as u32 - IPV6_HEADER + payload;
        write16(
            out,
            self.ip_start + IPV6_PAYLOAD_LEN,
            u16::try_from(ip_payload).ok()?,
        )?;
        let seq_at = self.l4_start + TCP_SEQ;
        let seq = u32::from_be_bytes(out.get(seq_at..seq_at + 4)?.try_into().ok()?);
        let seq = seq.wrapping_add(index.wrapping_mul(u32::from(mss)));
        out[seq_at..seq_at + 4].copy_from_slice(&seq.to_be_bytes());
        let flags = &mut out[self.l4_start + TCP_FLAGS];
        if index + 1 < count {
            *flags &= !(TCP_FIN | TCP_PSH);
        }
        if index > 0 {
            *flags &= !TCP_CWR;
        }
        let check = self.l4_start + TCP_CSUM_OFFSET as usize;
        let l4_len = (self.hdr_len - self.l4_start) as u32 + payload;
        write16(out, check, csum_add_len(read16(out, check)?, l4_len))
    }
}

/// One data descriptor's share of a payload the driver segments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Piece {
    /// Index of the buffer (in the order given) the piece lies in.
    pub buffer: usize,
    /// Offset of the piece in that buffer.
    pub offset: u32,
    /// Bytes in the piece.
    pub len: u32,
    /// The segment the piece belongs to.
    pub segment: u32,
    /// Whether the piece is its segment's last.
    pub ends_segment: bool,
}

/// Cuts a payload held in consecutive buffers into `mss`-byte segments,
/// and each segment into pieces of at most `max_piece` bytes that do not
/// cross a buffer boundary.
pub struct Pieces<I> {
    lens: I,
    mss: u32,
    max_piece: u32,
    buffer: usize,
    buffer_left: u32,
    offset: u32,
    segment: u32,
    segment_left: u32,
    total_left: u64,
}

impl<I: Iterator<Item = u32>> Pieces<I> {
    /// The pieces of the first `total` bytes of the buffers `lens`.
    /// Yields nothing if `mss` or `max_piece` is zero.
    pub fn new(lens: I, total: u64, mss: u32, max_piece: u32) -> Self {
        Self {
            lens,
            mss,
            max_piece,
            buffer: 0,
            buffer_left: 0,
            offset: 0,
            segment: 0,
            segment_left: mss,
            total_left: if mss == 0 || max_piece == 0 { 0 } else { total },
        }
    }
}

impl<I: Iterator<Item = u32>> Iterator for Pieces<I> {
    type Item = Piece;

    fn next(&mut self) -> Option<Piece> {
        if self.total_left == 0 {
            return None;
        }
        let mut started = self.buffer_left != 0 || self.offset != 0;
        while self.buffer_left == 0 {
            self.buffer_left = self.lens.next()?;
            self.offset = 0;
            if started {
                self.buffer += 1;
            }
            started = true;
        }
        let left = u32::try_from(self.total_left).unwrap_or(u32::MAX);
        let len = self
            .buffer_left
            .min(self.segment_left)
            .min(self.max_piece)
            .min(left);
        let piece = Piece {
            buffer: self.buffer,
            offset: self.offset,
            len,
            segment: self.segment,
            ends_segment: len == self.segment_left || u64::from(len) == self.total_left,
        };
        self.offset += len;
        self.buffer_left -= len;
        self.total_left -= u64::from(len);
        self.segment_left -= len;
        if piece.ends_segment {
            self.segment += 1;
            self.segment_left = self.mss;
        }
        Some(piece)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one's complement sum of `data` (RFC 1071), folded.
    fn sum(data: &[u8]) -> u16 {
        let mut s = 0u32;
        for pair in data.chunks(2) {
            s += u32::from(u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)]));
        }
        fold(s)
    }

    /// Ethernet + IPv6 + TCP (32 bytes: timestamps) headers.
    fn ipv6_headers() -> [u8; 86] {
        let mut h = [0u8; 86];
        h[12..14].copy_from_slice(&0x86DDu16.to_be_bytes());
        h[14] = 0x60;
        h[20] = 6; // next header: TCP
        h[21] = 64;
        h[22..38].copy_from_slice(&[0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        h[38..54].copy_from_slice(&[0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
        h[54..56].copy_from_slice(&5001u16.to_be_bytes());
        h[58..62].copy_from_slice(&0x1000_0000u32.to_be_bytes());
        h[66] = 8 << 4; // 32-byte TCP header
        h[67] = TCP_PSH | TCP_FIN | TCP_CWR | 0x10;
        h
    }

    /// The pseudo-header sum of `h` for an L4 length `len`.
    fn pseudo(h: &[u8], len: u32) -> u16 {
        let mut p = [0u8; 40];
        p[..32].copy_from_slice(&h[22..54]);
        p[32..36].copy_from_slice(&len.to_be_bytes());
        p[39] = 6;
        sum(&p)
    }

    #[test]
    fn length_arithmetic() {
        assert_eq!(csum_add_len(0, 0x1_0002), 3);
        assert_eq!(csum_sub_len(csum_add_len(0x1234, 70_000), 70_000), 0x1234);
        assert_eq!(csum_add_len(0xFFFF, 1), 1);
    }

    #[test]
    fn the_stack_seed_loses_its_length() {
        let mut h = ipv6_headers();
        let frame_len = 86 + 4000;
        let seed = pseudo(&h, 32 + 4000);
        h[70..72].copy_from_slice(&seed.to_be_bytes());
        let t = TcpLayout::new(IpVersion::V6, 14, 54, &h).unwrap();
        assert_eq!(t.hdr_len(), 86);
        t.prepare_for_device(&mut h, frame_len).unwrap();
        assert_eq!(u16::from_be_bytes([h[18], h[19]]), 0);
        assert_eq!(u16::from_be_bytes([h[70], h[71]]), pseudo(&h, 0));
    }

    #[test]
    fn segments_are_what_the_stack_would_send() {
        let mut template = ipv6_headers();
        let seed = pseudo(&template, 32 + 3000);
        template[70..72].copy_from_slice(&seed.to_be_bytes());
        let t = TcpLayout::new(IpVersion::V6, 14, 54, &template).unwrap();
        t.prepare_for_device(&mut template, 86 + 3000).unwrap();
        let mut out = [0u8; 128];
        for (i, payload) in [(0u32, 1428u32), (1, 1428), (2, 144)] {
            t.ipv6_segment(&template, &mut out, i, 3, 1428, payload)
                .unwrap();
            let seg = &out[..86];
            assert_eq!(u16::from_be_bytes([seg[18], seg[19]]), 32 + payload as u16);
            let seq = u32::from_be_bytes(seg[58..62].try_into().unwrap());
            assert_eq!(seq, 0x1000_0000 + i * 1428);
            let flags = seg[67];
            assert_eq!(flags & (TCP_FIN | TCP_PSH) != 0, i == 2, "segment {i}");
            assert_eq!(flags & TCP_CWR != 0, i == 0, "segment {i}");
            assert_eq!(flags & 0x10, 0x10);
            // The device sums from the TCP header to the end, seed
            // included: that must give the full pseudo-header sum.
            let seed = u16::from_be_bytes([seg[70], seg[71]]);
            assert_eq!(seed, pseudo(seg, 32 + payload));
        }
        assert_eq!(
            t.ipv6_segment(&template, &mut out[..80], 0, 1, 1428, 1),
            None
        );
        assert_eq!(
            t.ipv6_segment(&template, &mut out, 0, 1, 1428, 70_000),
            None
        );
    }

    #[test]
    fn pieces_follow_segments_and_buffers() {
        // 10 bytes in the head, then frags of 4, 0 and 9; segments of 6.
        let lens = [10u32, 4, 0, 9];
        let got: [Piece; 6] = {
            let mut it = Pieces::new(lens.into_iter(), 23, 6, 4096);
            core::array::from_fn(|_| it.next().unwrap())
        };
        let p = |buffer, offset, len, segment, ends_segment| Piece {
            buffer,
            offset,
            len,
            segment,
            ends_segment,
        };
        assert_eq!(
            got,
            [
                p(0, 0, 6, 0, true),
                p(0, 6, 4, 1, false),
                p(1, 0, 2, 1, true),
                p(1, 2, 2, 2, false),
                p(3, 0, 4, 2, true),
                p(3, 4, 5, 3, true),
            ]
        );
        assert_eq!(Pieces::new(lens.into_iter(), 23, 6, 4096).count(), 6);
        // The per-descriptor limit splits inside a segment.
        let big: [Piece; 3] = {
            let mut it = Pieces::new([9000u32].into_iter(), 9000, 8948, 4096);
            core::array::from_fn(|_| it.next().unwrap())
        };
        assert_eq!(big.map(|p| p.len), [4096, 4096, 756]);
        assert_eq!(big.map(|p| p.ends_segment), [false, false, true]);
        assert_eq!(
            Pieces::new([9000u32].into_iter(), 9000, 8948, 4096).count(),
            4
        );
        // Buffers shorter than the total, or no segment size: no more.
        assert_eq!(Pieces::new([5u32].into_iter(), 100, 6, 4096).count(), 1);
        assert_eq!(Pieces::new([5u32].into_iter(), 5, 0, 4096).count(), 0);
    }

    #[test]
    fn impossible_layouts_are_refused() {
        let h = ipv6_headers();
        assert_eq!(TcpLayout::new(IpVersion::V6, 14, 53, &h), None);
        assert_eq!(TcpLayout::new(IpVersion::V6, 14, 80, &h), None);
        let mut short_doff = h;
        short_doff[66] = 4 << 4;
        assert_eq!(TcpLayout::new(IpVersion::V6, 14, 54, &short_doff), None);
        let mut v4 = [0u8; 54];
        v4[46] = 5 << 4;
        let t = TcpLayout::new(IpVersion::V4, 14, 34, &v4).unwrap();
        assert_eq!(t.hdr_len(), 54);
        assert_eq!(t.prepare_for_device(&mut [0u8; 40], 100), None);
        // A frame shorter than its headers.
        assert_eq!(t.prepare_for_device(&mut v4, 20), None);
    }
}
