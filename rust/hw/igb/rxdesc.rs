// SPDX-License-Identifier: GPL-2.0

//! Advanced RX descriptors: the 82576's read and write-back formats.
//!
//! Like the 8254x `desc` module, a descriptor is encoded to and decoded
//! from `[u64; 2]` in CPU order. The layout follows `e1000_82575.h`
//! (`union e1000_adv_rx_desc`); the write-back carries an RSS hash, the
//! RSS and packet types ([`super::pkt_info`]) and a 32-bit status/error
//! word whose low byte and top byte are the legacy descriptor's status
//! and error bytes.

use super::super::rx::RxDescriptor;
use super::pkt_info::{HashType, PacketType, RssType};

/// An advanced RX descriptor in read format, handing the device an empty
/// buffer at `pkt_addr`. The header address stays zero: no header split,
/// and the write-back status overlays its low dword, so a stale address
/// with bit 0 set would read as DD. QEMU skips a descriptor whose packet
/// address is zero (writes it back empty), as the datasheet says.
pub fn rx_read(pkt_addr: u64) -> [u64; 2] {
    [pkt_addr, 0]
}

/// RX write-back status bits (`status_error` bits 19:0). The low byte
/// has the legacy descriptor's layout.
pub struct RxStatus;
impl RxStatus {
    /// Descriptor done.
    pub const DD: u32 = 1 << 0;
    /// End of packet.
    pub const EOP: u32 = 1 << 1;
    /// Ignore the checksum bits (the C igb driver still tests it; QEMU
    /// never sets it).
    pub const IXSM: u32 = 1 << 2;
    /// The frame had a VLAN tag, stripped into the descriptor.
    pub const VP: u32 = 1 << 3;
    /// UDP checksum calculated.
    pub const UDPCS: u32 = 1 << 4;
    /// L4 (TCP/UDP/SCTP) integrity checked (TCPCS).
    pub const L4I: u32 = 1 << 5;
    /// IPv4 header checksum calculated.
    pub const IPCS: u32 = 1 << 6;
    /// Passed an inexact filter.
    pub const PIF: u32 = 1 << 7;
    /// VEXT: outer VLAN of a double-tagged frame. QEMU sets this bit (its
    /// e1000e "IP ID valid") for IPv4 frames when RXCSUM.PCSD is clear,
    /// so it means nothing there.
    pub const VEXT: u32 = 1 << 9;
    /// Time-stamped (IEEE 1588).
    pub const TS: u32 = 1 << 16;
}

/// RX write-back error bits (`status_error` bits 31:20). Shifted down by
/// 24 they are the legacy descriptor's error byte.
pub struct RxErr;
impl RxErr {
    /// The header did not fit the header buffer (header split only).
    pub const HBO: u32 = 1 << 23;
    /// CRC error.
    pub const CE: u32 = 1 << 24;
    /// Symbol error.
    pub const SE: u32 = 1 << 25;
    /// Sequence error.
    pub const SEQ: u32 = 1 << 26;
    /// Carrier extension error.
    pub const CXE: u32 = 1 << 28;
    /// L4 checksum error (TCPE).
    pub const L4E: u32 = 1 << 29;
    /// IPv4 header checksum error.
    pub const IPE: u32 = 1 << 30;
    /// RX data error.
    pub const RXE: u32 = 1 << 31;
    /// Errors that make the frame unusable: the C driver's
    /// `E1000_RXDEXT_ERR_FRAME_ERR_MASK`, which it drops on. QEMU sets
    /// none of them.
    pub const FRAME: u32 = Self::CE | Self::SE | Self::SEQ | Self::CXE | Self::RXE;
}

/// What the device found of a frame's checksums.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checksum {
    /// The device verified the L4 checksum, and the IPv4 header checksum
    /// of an IPv4 frame, with no error: CHECKSUM_UNNECESSARY.
    Unnecessary,
    /// The device found a checksum error. The stack verifies again (the
    /// C driver counts `csum_err` and leaves CHECKSUM_NONE).
    Bad,
    /// Nothing usable was checked: CHECKSUM_NONE.
    None,
}

/// An advanced RX descriptor as the device wrote it back.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RxWriteback {
    pkt_info: u16,
    hdr_info: u16,
    /// The RSS hash (RXCSUM.PCSD set) or IP ID and fragment checksum.
    rss: u32,
    status_error: u32,
    length: u16,
    vlan: u16,
}

/// The low and high dwords of a descriptor quadword.
fn split(q: u64) -> (u32, u32) {
    // CAST: each half is 32 bits.
    (q as u32, (q >> 32) as u32)
}

const HDR_LEN_SHIFT: u32 = 5;
const HDR_LEN_MASK: u16 = 0x3FF;
const HDR_SPH: u16 = 1 << 15;

impl RxWriteback {
    /// Decodes a CPU-order descriptor.
    pub fn decode(d: [u64; 2]) -> Self {
        let (lo_dword, rss) = split(d[0]);
        let (status_error, upper) = split(d[1]);
        Self {
            // CAST: pkt_info is the low half of the first dword.
            pkt_info: lo_dword as u16,
            // CAST: hdr_info is the high half.
            hdr_info: (lo_dword >> 16) as u16,
            rss,
            status_error,
            // CAST: length is the low half of the last dword.
            length: upper as u16,
            // CAST: the VLAN tag is the high half.
            vlan: (upper >> 16) as u16,
        }
    }

    /// The whole status/error dword: [`RxStatus`] and [`RxErr`] bits.
    pub fn status_error(&self) -> u32 {
        self.status_error
    }

    /// Whether the device has written this descriptor.
    pub fn done(&self) -> bool {
        self.status_error & RxStatus::DD != 0
    }

    /// Whether this descriptor ends its frame. QEMU fills in checksum,
    /// RSS, VLAN and packet type only on the EOP descriptor.
    pub fn eop(&self) -> bool {
        self.status_error & RxStatus::EOP != 0
    }

    /// Bytes stored in this descriptor's buffer.
    pub fn length(&self) -> u16 {
        self.length
    }

    /// The stripped VLAN tag, if the frame had one.
    pub fn vlan_tag(&self) -> Option<u16> {
        (self.status_error & RxStatus::VP != 0).then_some(self.vlan)
    }

    /// Whether a frame error ([`RxErr::FRAME`]) makes the frame unusable.
    pub fn frame_error(&self) -> bool {
        self.status_error & RxErr::FRAME != 0
    }

    /// The RSS type.
    pub fn rss_type(&self) -> RssType {
        RssType::from_pkt_info(self.pkt_info)
    }

    /// The RSS hash and what it covers, if the device computed one. The
    /// hash field holds it only with RXCSUM.PCSD set; without it the RSS
    /// type reads zero and this is `None`.
    pub fn rss_hash(&self) -> Option<(u32, HashType)> {
        self.rss_type().hash_type().map(|t| (self.rss, t))
    }

    /// The packet type.
    pub fn packet_type(&self) -> PacketType {
        PacketType::from_pkt_info(self.pkt_info)
    }

    /// Header length, for header split (HDR_LEN).
    pub fn header_len(&self) -> u16 {
        (self.hdr_info >> HDR_LEN_SHIFT) & HDR_LEN_MASK
    }

    /// Whether the header was split into the header buffer (SPH).
    pub fn split_header(&self) -> bool {
        self.hdr_info & HDR_SPH != 0
    }

    /// The checksum verdict. Only an EOP descriptor carries one. Any error
    /// bit is [`Checksum::Bad`], as in the C driver (QEMU sets IPE only
    /// with IPCS and L4E only with L4I). A verified L4 checksum is
    /// [`Checksum::Unnecessary`] unless the packet type says IPv4 and the
    /// IPv4 header was not checked: the packet type may only withhold the
    /// verdict, never grant it.
    pub fn checksum(&self) -> Checksum {
        let s = self.status_error;
        if s & RxStatus::EOP == 0 || s & RxStatus::IXSM != 0 {
            return Checksum::None;
        }
        if s & (RxErr::L4E | RxErr::IPE) != 0 {
            return Checksum::Bad;
        }
        if s & (RxStatus::L4I | RxStatus::UDPCS) == 0 {
            return Checksum::None;
        }
        if self.packet_type().ipv4() && s & RxStatus::IPCS == 0 {
            return Checksum::None;
        }
        Checksum::Unnecessary
    }

    /// The legacy view of this write-back: the bits within its status and
    /// error bytes are the legacy ones (the words are laid out
    /// differently), so the shared `rx::RxFrames` can follow an advanced
    /// ring through it.
    pub fn legacy(&self) -> RxDescriptor {
        RxDescriptor {
            buffer_addr: 0,
            length: self.length,
            csum: 0,
            // CAST: the low byte of the status dword.
            status: self.status_error as u8,
            // CAST: the top byte.
            errors: (self.status_error >> 24) as u8,
            special: self.vlan,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::ring::{from_le, to_le};
    use super::super::super::rx::{RxError, RxErrors, RxStatus as LegacyStatus};
    use super::super::testutil::{bytes, dword};
    use super::*;

    fn wb(
        pkt_info: u16,
        hdr_info: u16,
        rss: u32,
        status_error: u32,
        length: u16,
        vlan: u16,
    ) -> [u64; 2] {
        let lo = u64::from(pkt_info) | u64::from(hdr_info) << 16 | u64::from(rss) << 32;
        let hi = u64::from(status_error) | u64::from(length) << 32 | u64::from(vlan) << 48;
        [lo, hi]
    }

    /// What QEMU writes back for a TCP/IPv4 frame with RSS on: type 1,
    /// packet type IPv4 | TCP, checksums verified.
    fn qemu_tcp4(status_extra: u32) -> RxWriteback {
        let status = RxStatus::DD | RxStatus::EOP | RxStatus::IPCS | RxStatus::L4I | status_extra;
        RxWriteback::decode(wb(0x1 | 0x11 << 4, 0, 0x51CC_C178, status, 1514, 0))
    }

    #[test]
    fn rx_read_format() {
        assert_eq!(rx_read(0xDEAD_B000), [0xDEAD_B000, 0]);
        assert!(!RxWriteback::decode(rx_read(0xDEAD_B001)).done());
    }

    #[test]
    fn rx_write_back_layout() {
        // A TCP/IPv6 frame: RSS type 3 (TCP_IPV6), packet type IPV6 | TCP
        // (0x014), with a 42-byte split header.
        let d = wb(
            0x0143,
            0x8000 | 42 << 5,
            0xCAFE_F00D,
            0x0000_0003,
            60,
            0x0064,
        );
        let b = bytes(d);
        // pkt_info, hdr_info; rss; status_error; length, vlan.
        assert_eq!(&b[..4], &[0x43, 0x01, 0x40, 0x85]);
        assert_eq!(dword(&b, 1), 0xCAFE_F00D);
        assert_eq!(dword(&b, 2), 3);
        assert_eq!(&b[12..], &[60, 0, 0x64, 0]);
        let w = RxWriteback::decode(from_le(to_le(d)));
        assert!(w.done() && w.eop());
        assert_eq!(w.length(), 60);
        assert_eq!(w.header_len(), 42);
        assert!(w.split_header());
        assert_eq!(w.rss_type(), RssType::TcpIpv6);
        assert_eq!(w.rss_hash(), Some((0xCAFE_F00D, HashType::L4)));
        let p = w.packet_type();
        assert_eq!(p.bits(), 0x014);
        assert!(p.ipv6() && p.tcp() && !p.ipv4());
    }

    #[test]
    fn rss_hash() {
        let w = qemu_tcp4(0);
        assert_eq!(w.rss_type(), RssType::TcpIpv4);
        assert_eq!(w.rss_hash(), Some((0x51CC_C178, HashType::L4)));
        // RSS off (or PCSD clear): type 0, the field is IP ID/checksum.
        let off = RxWriteback::decode(wb(0x11 << 4, 0, 0x1234_5678, 3, 60, 0));
        assert_eq!(off.rss_hash(), None);
        // An L3-only type: IPv4 addresses.
        let l3 = RxWriteback::decode(wb(0x2 | 0x01 << 4, 0, 0x323E_8FC2, 3, 60, 0));
        assert_eq!(l3.rss_hash(), Some((0x323E_8FC2, HashType::L3)));
    }

    #[test]
    fn status_and_error_bits_match_the_c_headers() {
        // e1000_defines.h: E1000_RXD_STAT_*, E1000_RXDEXT_STATERR_*.
        assert_eq!(
            (RxStatus::DD, RxStatus::EOP, RxStatus::IXSM, RxStatus::VP),
            (0x01, 0x02, 0x04, 0x08)
        );
        assert_eq!((RxStatus::UDPCS, RxStatus::L4I), (0x10, 0x20));
        assert_eq!(RxStatus::TS, 0x1_0000);
        assert_eq!(
            (RxErr::CE, RxErr::SE, RxErr::SEQ, RxErr::CXE),
            (0x0100_0000, 0x0200_0000, 0x0400_0000, 0x1000_0000)
        );
        assert_eq!(
            (RxErr::L4E, RxErr::IPE, RxErr::RXE),
            (0x2000_0000, 0x4000_0000, 0x8000_0000)
        );
        assert_eq!(RxErr::FRAME, 0x9700_0000);
        // QEMU's igb_regs.h: E1000_ADVRXD_ST_ERR_HBO_OFFSET BIT(3 + 20),
        // E1000_ADVRXD_HDR_LEN_OFFSET 21 - 16, E1000_ADVRXD_HDR_SPH.
        assert_eq!(RxErr::HBO, 1 << 23);
        assert_eq!((HDR_LEN_SHIFT, HDR_LEN_MASK, HDR_SPH), (5, 0x3FF, 1 << 15));
        // QEMU's e1000x_regs.h: E1000_RXD_STAT_IPCS, _IPIDV.
        assert_eq!((RxStatus::IPCS, RxStatus::VEXT), (0x40, 0x200));
        // The legacy byte layouts.
        assert_eq!(RxStatus::DD, u32::from(LegacyStatus::DD));
        assert_eq!(RxStatus::EOP, u32::from(LegacyStatus::EOP));
        assert_eq!(RxStatus::IXSM, u32::from(LegacyStatus::IXSM));
        assert_eq!(RxErr::FRAME >> 24, u32::from(RxErrors::FATAL));
    }

    #[test]
    fn checksum_verdicts() {
        let s = |bits: u32, pkt: u16| {
            RxWriteback::decode(wb(
                pkt << 4,
                0,
                0,
                RxStatus::DD | RxStatus::EOP | bits,
                60,
                0,
            ))
            .checksum()
        };
        const V4_TCP: u16 = 0x11;
        const V6_TCP: u16 = 0x14;
        const V6_UDP: u16 = 0x24;
        const V4: u16 = 0x01;
        // QEMU's verified TCP/IPv4: IPCS | TCPCS.
        assert_eq!(
            s(RxStatus::IPCS | RxStatus::L4I, V4_TCP),
            Checksum::Unnecessary
        );
        // IPv6 has no header checksum: TCPCS alone, or TCPCS | UDPCS.
        assert_eq!(s(RxStatus::L4I, V6_TCP), Checksum::Unnecessary);
        assert_eq!(
            s(RxStatus::L4I | RxStatus::UDPCS, V6_UDP),
            Checksum::Unnecessary
        );
        // An IPv4 frame whose header was not checked: no verdict.
        assert_eq!(s(RxStatus::L4I, V4_TCP), Checksum::None);
        // Errors on a checked field.
        assert_eq!(
            s(RxStatus::IPCS | RxStatus::L4I | RxErr::L4E, V4_TCP),
            Checksum::Bad
        );
        assert_eq!(
            s(RxStatus::IPCS | RxStatus::L4I | RxErr::IPE, V4_TCP),
            Checksum::Bad
        );
        assert_eq!(s(RxStatus::IPCS | RxErr::IPE, V4), Checksum::Bad);
        assert_eq!(s(RxStatus::L4I | RxErr::L4E, V6_TCP), Checksum::Bad);
        // Only the IPv4 header checked (ICMP): nothing for the stack.
        assert_eq!(s(RxStatus::IPCS, V4), Checksum::None);
        // Nothing checked (RXCSUM offloads off, or not IP at all).
        assert_eq!(s(0, 0), Checksum::None);
        // IXSM overrides everything.
        assert_eq!(
            s(RxStatus::IXSM | RxStatus::L4I | RxErr::L4E, V6_TCP),
            Checksum::None
        );
        // Not the last descriptor of the frame.
        let mid = RxWriteback::decode(wb(0, 0, 0, RxStatus::DD | RxStatus::L4I, 2048, 0));
        assert_eq!(mid.checksum(), Checksum::None);
    }

    #[test]
    fn vlan_and_frame_errors() {
        let w = qemu_tcp4(RxStatus::VP);
        let tagged = RxWriteback::decode(wb(
            0,
            0,
            0,
            RxStatus::DD | RxStatus::EOP | RxStatus::VP,
            64,
            0x2064,
        ));
        assert_eq!(tagged.vlan_tag(), Some(0x2064));
        assert_eq!(
            RxWriteback::decode(wb(0, 0, 0, 3, 64, 0x2064)).vlan_tag(),
            None
        );
        assert!(!w.frame_error());
        assert!(qemu_tcp4(RxErr::RXE).frame_error());
        // Checksum errors and QEMU's VEXT are not frame errors.
        assert!(!qemu_tcp4(RxErr::L4E | RxErr::IPE | RxStatus::VEXT).frame_error());
    }

    #[test]
    fn legacy_view() {
        let w = qemu_tcp4(RxStatus::VP | RxErr::RXE | RxErr::L4E);
        let l = w.legacy();
        assert_eq!(l.length, 1514);
        assert_eq!(l.status, 0x6B);
        assert_eq!(l.errors, RxErrors::RXE | 1 << 5);
        assert_eq!(l.validate(2048), Err(RxError::HardwareError(RxErrors::RXE)));
        assert!(qemu_tcp4(0).legacy().validate(2048).is_ok());
    }
}
