// SPDX-License-Identifier: GPL-2.0

//! The 8254x transmit descriptor formats: legacy, and the extended
//! context and data descriptors that carry checksum and segmentation
//! offloads.
//!
//! Each descriptor is encoded to and decoded from `[u64; 2]` in CPU order
//! (`ring::to_le` and `ring::from_le` give the device's byte order), so
//! the layouts hold on any host.

use super::super::net::{
    IpVersion, IPV4_CSUM_OFFSET, TCP_CSUM_OFFSET, TCP_MAX_HEADER, TCP_MIN_HEADER,
};

/// Data bytes one TX descriptor may carry (as e1000 limits it: 4 KiB).
pub const MAX_TX_DESC_DATA: usize = 1 << 12;

/// Descriptors needed for a buffer of `len` bytes.
pub fn descriptors_for_len(len: usize) -> usize {
    len.div_ceil(MAX_TX_DESC_DATA)
}

/// TX command bits (legacy `cmd`, extended `dcmd`/`tucmd`).
pub struct TxCmd;
impl TxCmd {
    /// End of packet.
    pub const EOP: u8 = 1 << 0;
    /// Insert FCS.
    pub const IFCS: u8 = 1 << 1;
    /// Insert checksum (legacy only).
    pub const IC: u8 = 1 << 2;
    /// Report status (write back DD).
    pub const RS: u8 = 1 << 3;
    /// Extended descriptor.
    pub const DEXT: u8 = 1 << 5;
    /// VLAN enable.
    pub const VLE: u8 = 1 << 6;
    /// Interrupt delay enable.
    pub const IDE: u8 = 1 << 7;
    /// TCP segmentation enable (extended only, bit 2).
    pub const TSE: u8 = 1 << 2;
}

/// TX status: descriptor done.
pub const TX_STATUS_DD: u8 = 1 << 0;

/// A legacy transmit descriptor.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LegacyTxDescriptor {
    /// DMA address of the data.
    pub buffer_addr: u64,
    /// Bytes of data.
    pub length: u16,
    /// Checksum offset (ignored by QEMU).
    pub cso: u8,
    /// [`TxCmd`] bits.
    pub cmd: u8,
    /// Status written back by the device.
    pub status: u8,
    /// Checksum start.
    pub css: u8,
    /// VLAN tag.
    pub special: u16,
}

impl LegacyTxDescriptor {
    /// CPU-order encoding.
    pub fn encode(&self) -> [u64; 2] {
        let hi = u64::from(self.length)
            | u64::from(self.cso) << 16
            | u64::from(self.cmd) << 24
            | u64::from(self.status) << 32
            | u64::from(self.css) << 40
            | u64::from(self.special) << 48;
        [self.buffer_addr, hi]
    }

    /// Decodes a CPU-order descriptor.
    pub fn decode(d: [u64; 2]) -> Self {
        Self {
            buffer_addr: d[0],
            length: d[1] as u16,
            cso: (d[1] >> 16) as u8,
            cmd: (d[1] >> 24) as u8,
            status: (d[1] >> 32) as u8,
            css: (d[1] >> 40) as u8,
            special: (d[1] >> 48) as u16,
        }
    }
}

/// Whether the device has written back a TX descriptor (any format: the
/// status byte is byte 12 in all of them).
pub fn tx_done(d: [u64; 2]) -> bool {
    (d[1] >> 32) as u8 & TX_STATUS_DD != 0
}

/// Extended descriptor type: context.
const DTYP_CONTEXT: u64 = 0;
/// Extended descriptor type: data.
const DTYP_DATA: u64 = 1;
const PAYLEN_MASK: u64 = 0xF_FFFF;

/// Context-descriptor `tucmd` bits.
pub struct TuCmd;
impl TuCmd {
    /// TCP segmentation.
    pub const TSE: u8 = 1 << 2;
    /// The packet is IPv4 (otherwise IPv6).
    pub const IP: u8 = 1 << 1;
    /// The L4 protocol is TCP (otherwise UDP).
    pub const TCP: u8 = 1 << 0;
    /// Report status.
    pub const RS: u8 = 1 << 3;
    /// Extended descriptor (always set).
    pub const DEXT: u8 = 1 << 5;
}

/// Narrows a frame offset into one of the context descriptor's one-byte
/// fields (IPCSS, IPCSO, TUCSS, TUCSO, HDRLEN): `None` past 255.
fn byte_offset(offset: u32) -> Option<u8> {
    u8::try_from(offset).ok()
}

/// Where the device computes and inserts an L4 checksum, as a context
/// descriptor can express it.
///
/// # Invariants
///
/// `start <= insert`: both are frame offsets that fit the descriptor's
/// one-byte TUCSS and TUCSO fields, so no header layout from the stack can
/// be silently truncated into a corrupt descriptor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChecksumOffsets {
    start: u8,
    insert: u8,
}

impl ChecksumOffsets {
    /// The checksum covers the frame from `start`; it goes `offset` bytes
    /// after that. `None` if either offset is past what the descriptor
    /// holds: the frame must then be checksummed in software.
    pub fn new(start: u32, offset: u32) -> Option<Self> {
        let insert = byte_offset(start.checked_add(offset)?)?;
        // INVARIANT: both narrowed without loss; `insert >= start` since
        // `offset` is unsigned and the sum did not overflow.
        Some(Self {
            start: byte_offset(start)?,
            insert,
        })
    }

    /// Where the checksummed region starts.
    pub fn start(self) -> u8 {
        self.start
    }

    /// Where the checksum is stored.
    pub fn insert(self) -> u8 {
        self.insert
    }
}

/// The header layout of a TCP super-frame, as a TSO context descriptor
/// can express it.
///
/// # Invariants
///
/// Every field is a frame offset that fits its descriptor field, and
/// `ip_start < ip_csum < ip_end < l4_start < l4_csum < hdr_len`: the IP
/// header is at least its minimum length and the TCP header at least 20
/// bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TsoHeaders {
    ip: IpVersion,
    ip_start: u8,
    ip_csum: u8,
    ip_end: u16,
    l4_start: u8,
    l4_csum: u8,
    hdr_len: u8,
}

impl TsoHeaders {
    /// Headers with the IP header at `ip_start`, the TCP header at
    /// `l4_start` and the payload at `hdr_len`. `None` if the layout is
    /// impossible or past what the descriptor holds: the stack must then
    /// segment in software.
    pub fn new(ip: IpVersion, ip_start: u32, l4_start: u32, hdr_len: u32) -> Option<Self> {
        if l4_start < ip_start.checked_add(ip.min_header())?
            || hdr_len < l4_start.checked_add(TCP_MIN_HEADER)?
        {
            return None;
        }
        // INVARIANT: the ordering was checked above, and every narrowing
        // below is checked; IPCSE is 16 bits wide and `l4_start >= 20`.
        Some(Self {
            ip,
            ip_start: byte_offset(ip_start)?,
            ip_csum: byte_offset(ip_start + IPV4_CSUM_OFFSET)?,
            ip_end: u16::try_from(l4_start - 1).ok()?,
            l4_start: byte_offset(l4_start)?,
            l4_csum: byte_offset(l4_start.checked_add(TCP_CSUM_OFFSET)?)?,
            hdr_len: byte_offset(hdr_len)?,
        })
    }

    /// Whether every TCP super-frame with these IP and TCP header offsets
    /// can be described, whatever its TCP options: what a driver checks
    /// before the TCP header length is known.
    pub fn fit_any_tcp_header(ip: IpVersion, ip_start: u32, l4_start: u32) -> bool {
        l4_start
            .checked_add(TCP_MAX_HEADER)
            .and_then(|end| Self::new(ip, ip_start, l4_start, end))
            .is_some()
    }

    /// Bytes of headers copied in front of every segment.
    pub fn len(&self) -> u32 {
        u32::from(self.hdr_len)
    }

    /// Whether there are no headers (never: construction forbids it).
    pub fn is_empty(&self) -> bool {
        self.hdr_len == 0
    }
}

/// A TCP/IP context descriptor: checksum and segmentation parameters that
/// apply to the data descriptors following it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ContextDescriptor {
    /// IP checksum start.
    pub ipcss: u8,
    /// IP checksum offset.
    pub ipcso: u8,
    /// IP checksum end (0: to the end of the packet).
    pub ipcse: u16,
    /// L4 checksum start.
    pub tucss: u8,
    /// L4 checksum offset.
    pub tucso: u8,
    /// L4 checksum end (0: to the end of the packet).
    pub tucse: u16,
    /// TSO payload length (20 bits).
    pub paylen: u32,
    /// [`TuCmd`] bits.
    pub tucmd: u8,
    /// Status.
    pub sta: u8,
    /// Header length for TSO.
    pub hdrlen: u8,
    /// Maximum segment size for TSO.
    pub mss: u16,
}

impl ContextDescriptor {
    /// Checksum offload of one packet (CHECKSUM_PARTIAL): the device sums
    /// from the start to the end of the frame and stores the result at the
    /// insert offset.
    pub fn checksum(at: ChecksumOffsets) -> Self {
        Self {
            tucss: at.start,
            tucso: at.insert,
            tucmd: TuCmd::DEXT,
            ..Self::default()
        }
    }

    /// TCP segmentation of `payload_len` bytes into `mss`-sized segments
    /// behind the headers `h`. For IPv4 the device also rewrites the IP
    /// checksum per segment. `None` if `mss` is zero or the payload does
    /// not fit the 20-bit PAYLEN field.
    pub fn tso(h: &TsoHeaders, mss: u16, payload_len: u32) -> Option<Self> {
        // CAST: the mask is 20 bits wide.
        if mss == 0 || payload_len > PAYLEN_MASK as u32 {
            return None;
        }
        let mut tucmd = TuCmd::DEXT | TuCmd::TSE | TuCmd::TCP;
        let (ipcso, ipcse) = match h.ip {
            IpVersion::V4 => {
                tucmd |= TuCmd::IP;
                (h.ip_csum, h.ip_end)
            }
            IpVersion::V6 => (0, 0),
        };
        Some(Self {
            ipcss: h.ip_start,
            ipcso,
            ipcse,
            tucss: h.l4_start,
            tucso: h.l4_csum,
            tucse: 0,
            paylen: payload_len,
            tucmd,
            sta: 0,
            hdrlen: h.hdr_len,
            mss,
        })
    }

    /// CPU-order encoding.
    pub fn encode(&self) -> [u64; 2] {
        let lo = u64::from(self.ipcss)
            | u64::from(self.ipcso) << 8
            | u64::from(self.ipcse) << 16
            | u64::from(self.tucss) << 32
            | u64::from(self.tucso) << 40
            | u64::from(self.tucse) << 48;
        let hi = (u64::from(self.paylen) & PAYLEN_MASK)
            | DTYP_CONTEXT << 20
            | u64::from(self.tucmd | TuCmd::DEXT) << 24
            | u64::from(self.sta) << 32
            | u64::from(self.hdrlen) << 40
            | u64::from(self.mss) << 48;
        [lo, hi]
    }

    /// Decodes a CPU-order descriptor.
    pub fn decode(d: [u64; 2]) -> Self {
        Self {
            ipcss: d[0] as u8,
            ipcso: (d[0] >> 8) as u8,
            ipcse: (d[0] >> 16) as u16,
            tucss: (d[0] >> 32) as u8,
            tucso: (d[0] >> 40) as u8,
            tucse: (d[0] >> 48) as u16,
            paylen: (d[1] & PAYLEN_MASK) as u32,
            tucmd: (d[1] >> 24) as u8,
            sta: (d[1] >> 32) as u8,
            hdrlen: (d[1] >> 40) as u8,
            mss: (d[1] >> 48) as u16,
        }
    }
}

/// Data-descriptor `popts` bits.
pub struct Popts;
impl Popts {
    /// Insert the IP checksum.
    pub const IXSM: u8 = 1 << 0;
    /// Insert the TCP/UDP checksum.
    pub const TXSM: u8 = 1 << 1;
}

/// An extended TCP/IP data descriptor.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DataDescriptor {
    /// DMA address of the data.
    pub buffer_addr: u64,
    /// Bytes of data (20 bits).
    pub length: u32,
    /// [`TxCmd`] bits (DEXT is always set).
    pub dcmd: u8,
    /// Status written back by the device.
    pub sta: u8,
    /// [`Popts`] bits.
    pub popts: u8,
    /// VLAN tag.
    pub special: u16,
}

impl DataDescriptor {
    /// CPU-order encoding.
    pub fn encode(&self) -> [u64; 2] {
        let hi = (u64::from(self.length) & PAYLEN_MASK)
            | DTYP_DATA << 20
            | u64::from(self.dcmd | TxCmd::DEXT) << 24
            | u64::from(self.sta) << 32
            | u64::from(self.popts) << 40
            | u64::from(self.special) << 48;
        [self.buffer_addr, hi]
    }

    /// Decodes a CPU-order descriptor.
    pub fn decode(d: [u64; 2]) -> Self {
        Self {
            buffer_addr: d[0],
            length: (d[1] & PAYLEN_MASK) as u32,
            dcmd: (d[1] >> 24) as u8,
            sta: (d[1] >> 32) as u8,
            popts: (d[1] >> 40) as u8,
            special: (d[1] >> 48) as u16,
        }
    }
}

/// What every data descriptor of one frame shares: all of the second word
/// but the length, in either format. Both keep the length in its low bits,
/// so a buffer's descriptor is the template with its address and length
/// filled in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TxDataTemplate {
    hi: u64,
}

impl TxDataTemplate {
    /// Legacy descriptors with the [`TxCmd`] bits `cmd`.
    pub fn legacy(cmd: u8) -> Self {
        Self {
            hi: LegacyTxDescriptor {
                cmd,
                ..LegacyTxDescriptor::default()
            }
            .encode()[1],
        }
    }

    /// Extended data descriptors with the [`TxCmd`] bits `dcmd` and the
    /// [`Popts`] bits `popts`.
    pub fn extended(dcmd: u8, popts: u8) -> Self {
        Self {
            hi: DataDescriptor {
                dcmd,
                popts,
                ..DataDescriptor::default()
            }
            .encode()[1],
        }
    }

    /// The descriptor for `len` bytes at `addr`. A `u16` fits both
    /// formats' length fields, so it cannot reach the command bits.
    #[inline]
    pub fn descriptor(self, addr: u64, len: u16) -> [u64; 2] {
        [addr, self.hi | u64::from(len)]
    }

    /// `d` (one of this frame's descriptors) with the [`TxCmd`] bits `cmd`
    /// added: EOP and RS on the frame's last one.
    #[inline]
    pub fn with_cmd(d: [u64; 2], cmd: u8) -> [u64; 2] {
        [d[0], d[1] | u64::from(cmd) << 24]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(d: [u64; 2]) -> [u8; 16] {
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&d[0].to_le_bytes());
        out[8..].copy_from_slice(&d[1].to_le_bytes());
        out
    }

    #[test]
    fn legacy_tx_layout() {
        let d = LegacyTxDescriptor {
            buffer_addr: 0x1122_3344_5566_7788,
            length: 0x05EA,
            cso: 0x11,
            cmd: TxCmd::EOP | TxCmd::IFCS | TxCmd::RS,
            status: 0,
            css: 0x22,
            special: 0xBEEF,
        };
        let b = bytes(d.encode());
        assert_eq!(&b[..8], &0x1122_3344_5566_7788u64.to_le_bytes());
        assert_eq!(&b[8..], &[0xEA, 0x05, 0x11, 0x0B, 0x00, 0x22, 0xEF, 0xBE]);
        assert_eq!(LegacyTxDescriptor::decode(d.encode()), d);
        assert!(!tx_done(d.encode()));
        assert!(tx_done([0, 1 << 32]));
    }

    #[test]
    fn data_template_matches_the_descriptors() {
        let (addr, len) = (0x1234_5678_9ABC_DEF0, 4096u16);
        let legacy = TxDataTemplate::legacy(TxCmd::IFCS);
        assert_eq!(
            legacy.descriptor(addr, len),
            LegacyTxDescriptor {
                buffer_addr: addr,
                length: len,
                cmd: TxCmd::IFCS,
                ..LegacyTxDescriptor::default()
            }
            .encode()
        );
        let ext = TxDataTemplate::extended(TxCmd::IFCS | TxCmd::TSE, Popts::TXSM | Popts::IXSM);
        let d = ext.descriptor(addr, u16::MAX);
        assert_eq!(
            d,
            DataDescriptor {
                buffer_addr: addr,
                length: u32::from(u16::MAX),
                dcmd: TxCmd::IFCS | TxCmd::TSE,
                popts: Popts::TXSM | Popts::IXSM,
                ..DataDescriptor::default()
            }
            .encode()
        );
        let last = TxDataTemplate::with_cmd(d, TxCmd::EOP | TxCmd::RS);
        let decoded = DataDescriptor::decode(last);
        assert_eq!(
            decoded.dcmd,
            TxCmd::IFCS | TxCmd::TSE | TxCmd::EOP | TxCmd::RS | TxCmd::DEXT
        );
        assert_eq!(decoded.length, u32::from(u16::MAX));
        assert_eq!(decoded.popts, Popts::TXSM | Popts::IXSM);
    }

    fn ipv4_tso() -> TsoHeaders {
        TsoHeaders::new(IpVersion::V4, 14, 34, 66).unwrap()
    }

    #[test]
    fn context_layout() {
        let c = ContextDescriptor::tso(&ipv4_tso(), 1448, 65000).unwrap();
        let b = bytes(c.encode());
        assert_eq!(b[0], 14); // ipcss
        assert_eq!(b[1], 24); // ipcso
        assert_eq!(u16::from_le_bytes([b[2], b[3]]), 33); // ipcse
        assert_eq!(b[4], 34); // tucss
        assert_eq!(b[5], 50); // tucso
        assert_eq!(u16::from_le_bytes([b[6], b[7]]), 0); // tucse
        let word = u32::from_le_bytes([b[8], b[9], b[10], b[11]]);
        assert_eq!(word & 0xF_FFFF, 65000); // paylen
        assert_eq!((word >> 20) & 0xF, 0); // dtyp: context
        assert_eq!(
            (word >> 24) as u8,
            TuCmd::DEXT | TuCmd::TSE | TuCmd::TCP | TuCmd::IP
        );
        assert_eq!(b[13], 66); // hdrlen
        assert_eq!(u16::from_le_bytes([b[14], b[15]]), 1448); // mss
        assert_eq!(ContextDescriptor::decode(c.encode()).mss, 1448);
    }

    #[test]
    fn checksum_context() {
        let at = ChecksumOffsets::new(34, 16).unwrap();
        let c = ContextDescriptor::checksum(at);
        assert_eq!((c.tucss, c.tucso, c.tucse), (34, 50, 0));
        let v6 = TsoHeaders::new(IpVersion::V6, 14, 54, 86).unwrap();
        let ipv6 = ContextDescriptor::tso(&v6, 1428, 1000).unwrap();
        assert_eq!(ipv6.tucmd & TuCmd::IP, 0);
        assert_eq!((ipv6.ipcso, ipv6.ipcse), (0, 0));
    }

    #[test]
    fn checksum_offsets_are_checked() {
        // The last expressible insert offset, and one past it.
        assert!(ChecksumOffsets::new(239, 16).is_some());
        assert_eq!(ChecksumOffsets::new(240, 16), None);
        assert_eq!(ChecksumOffsets::new(255, 0).map(|c| c.insert()), Some(255));
        assert_eq!(ChecksumOffsets::new(256, 0), None);
        assert_eq!(ChecksumOffsets::new(0, u32::MAX), None);
        assert_eq!(ChecksumOffsets::new(u32::MAX, 1), None);
        // UDP's checksum is 6 bytes into its header.
        let udp = ChecksumOffsets::new(54, 6).unwrap();
        assert_eq!((udp.start(), udp.insert()), (54, 60));
    }

    #[test]
    fn tso_headers_are_checked() {
        use IpVersion::{V4, V6};
        // IPv6 behind an Ethernet header, then extension headers of `ext`
        // bytes, then a TCP header of 32 bytes (timestamps): every length
        // up to the limits either fits exactly or is refused, never
        // truncated.
        for ext in 0..=2048u32 {
            let l4 = 14 + 40 + ext;
            let fits = TsoHeaders::new(V6, 14, l4, l4 + 32);
            assert_eq!(fits.is_some(), l4 + 32 <= 255, "ext {ext}");
            if let Some(h) = fits {
                let c = ContextDescriptor::tso(&h, 1000, 10_000).unwrap();
                assert_eq!(u32::from(c.tucss), l4);
                assert_eq!(u32::from(c.tucso), l4 + 16);
                assert_eq!(u32::from(c.hdrlen), l4 + 32);
            }
            assert_eq!(
                TsoHeaders::fit_any_tcp_header(V6, 14, l4),
                l4 + 60 <= 255,
                "ext {ext}"
            );
        }
        // IPv4 with options: at most 60 bytes of IP header.
        assert!(TsoHeaders::new(V4, 14, 74, 134).is_some());
        // Impossible layouts: IP or TCP header shorter than its minimum.
        assert_eq!(TsoHeaders::new(V4, 14, 33, 66), None);
        assert_eq!(TsoHeaders::new(V6, 14, 53, 86), None);
        assert_eq!(TsoHeaders::new(V4, 14, 34, 53), None);
        assert_eq!(TsoHeaders::new(V4, u32::MAX, 34, 66), None);
        assert_eq!(TsoHeaders::new(V4, 14, u32::MAX, u32::MAX), None);
        // The IP header itself past the one-byte IPCSS.
        assert_eq!(TsoHeaders::new(V4, 250, 270, 290), None);
        assert_eq!(ipv4_tso().len(), 66);
    }

    #[test]
    fn tso_context_limits() {
        let h = ipv4_tso();
        assert!(ContextDescriptor::tso(&h, 1448, 0xF_FFFF).is_some());
        assert_eq!(ContextDescriptor::tso(&h, 1448, 0x10_0000), None);
        assert_eq!(ContextDescriptor::tso(&h, 0, 1000), None);
    }

    #[test]
    fn data_layout() {
        let d = DataDescriptor {
            buffer_addr: 0xABCD,
            length: 4096,
            dcmd: TxCmd::EOP | TxCmd::RS | TxCmd::TSE,
            sta: 0,
            popts: Popts::TXSM | Popts::IXSM,
            special: 0,
        };
        let b = bytes(d.encode());
        let word = u32::from_le_bytes([b[8], b[9], b[10], b[11]]);
        assert_eq!(word & 0xF_FFFF, 4096);
        assert_eq!((word >> 20) & 0xF, 1); // dtyp: data
        assert_eq!(
            (word >> 24) as u8,
            TxCmd::EOP | TxCmd::RS | TxCmd::TSE | TxCmd::DEXT
        );
        assert_eq!(b[13], 3);
        let back = DataDescriptor::decode(d.encode());
        assert_eq!(back.length, 4096);
        assert_eq!(back.popts, 3);
    }

    #[test]
    fn descriptor_split() {
        assert_eq!(descriptors_for_len(0), 0);
        assert_eq!(descriptors_for_len(1), 1);
        assert_eq!(descriptors_for_len(4096), 1);
        assert_eq!(descriptors_for_len(4097), 2);
        assert_eq!(descriptors_for_len(65536), 16);
    }
}
