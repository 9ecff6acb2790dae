// SPDX-License-Identifier: GPL-2.0

//! The `pkt_info` field of an advanced RX write-back: the RSS type (what
//! the hash covers) in bits 3:0 and the packet type (how the device
//! parsed the frame) in bits 15:4.

/// Which headers an RSS hash covers, for the stack's PKT_HASH_TYPE.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashType {
    /// Addresses only: PKT_HASH_TYPE_L3.
    L3,
    /// Addresses and ports: PKT_HASH_TYPE_L4.
    L4,
}

/// The RSS type field (`pkt_info` bits 3:0): what the hash was computed
/// over. Values as `E1000_RSS_TYPE_*`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RssType {
    /// No hash computed (RSS off, or no field enabled in MRQC matched).
    NoHash,
    /// TCP over IPv4.
    TcpIpv4,
    /// IPv4.
    Ipv4,
    /// TCP over IPv6 (what QEMU reports for any hashed TCP/IPv6 frame).
    TcpIpv6,
    /// IPv6 with extension headers.
    Ipv6Ex,
    /// IPv6.
    Ipv6,
    /// TCP over IPv6 with extension headers.
    TcpIpv6Ex,
    /// UDP over IPv4.
    UdpIpv4,
    /// UDP over IPv6.
    UdpIpv6,
    /// UDP over IPv6 with extension headers.
    UdpIpv6Ex,
    /// A reserved value (10..=15).
    Reserved(u8),
}

impl RssType {
    /// The type in a `pkt_info` field.
    pub fn from_pkt_info(pkt_info: u16) -> Self {
        match pkt_info & 0xF {
            0 => RssType::NoHash,
            1 => RssType::TcpIpv4,
            2 => RssType::Ipv4,
            3 => RssType::TcpIpv6,
            4 => RssType::Ipv6Ex,
            5 => RssType::Ipv6,
            6 => RssType::TcpIpv6Ex,
            7 => RssType::UdpIpv4,
            8 => RssType::UdpIpv6,
            9 => RssType::UdpIpv6Ex,
            // CAST: masked to 4 bits.
            n => RssType::Reserved(n as u8),
        }
    }

    /// The hash type to report, `None` if there is no hash. A reserved
    /// type reports an L3 hash, as the C driver does (its L4 mask lists
    /// only the TCP and UDP types).
    pub fn hash_type(self) -> Option<HashType> {
        match self {
            RssType::NoHash => None,
            RssType::TcpIpv4
            | RssType::TcpIpv6
            | RssType::TcpIpv6Ex
            | RssType::UdpIpv4
            | RssType::UdpIpv6
            | RssType::UdpIpv6Ex => Some(HashType::L4),
            RssType::Ipv4 | RssType::Ipv6 | RssType::Ipv6Ex | RssType::Reserved(_) => {
                Some(HashType::L3)
            }
        }
    }
}

/// The packet type field (`pkt_info` bits 15:4), as the device parsed the
/// frame. Only a hint: nothing here is needed to deliver a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PacketType(u16);

impl PacketType {
    const IPV4: u16 = 1 << 0;
    const IPV4_EXT: u16 = 1 << 1;
    const IPV6: u16 = 1 << 2;
    const IPV6_EXT: u16 = 1 << 3;
    const TCP: u16 = 1 << 4;
    const UDP: u16 = 1 << 5;
    const SCTP: u16 = 1 << 6;
    /// An EtherType filter matched: bits 2:0 are its index, not protocols.
    const ETQF: u16 = 1 << 11;
    const ETQF_INDEX: u16 = 0x7;

    /// The type in a `pkt_info` field.
    pub fn from_pkt_info(pkt_info: u16) -> Self {
        Self(pkt_info >> 4)
    }

    /// The raw 12-bit field.
    pub fn bits(self) -> u16 {
        self.0
    }

    /// The EtherType filter (ETQF) index that matched, if one did.
    pub fn etqf(self) -> Option<u8> {
        // CAST: masked to 3 bits.
        (self.0 & Self::ETQF != 0).then_some((self.0 & Self::ETQF_INDEX) as u8)
    }

    fn protocol(self, bits: u16) -> bool {
        self.0 & Self::ETQF == 0 && self.0 & bits != 0
    }

    /// IPv4, with or without options.
    pub fn ipv4(self) -> bool {
        self.protocol(Self::IPV4 | Self::IPV4_EXT)
    }

    /// IPv6, with or without extension headers.
    pub fn ipv6(self) -> bool {
        self.protocol(Self::IPV6 | Self::IPV6_EXT)
    }

    /// TCP.
    pub fn tcp(self) -> bool {
        self.protocol(Self::TCP)
    }

    /// UDP.
    pub fn udp(self) -> bool {
        self.protocol(Self::UDP)
    }

    /// SCTP.
    pub fn sctp(self) -> bool {
        self.protocol(Self::SCTP)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rss_types() {
        use HashType::{L3, L4};
        // E1000_RSS_TYPE_* and E1000_RSS_L4_TYPES_MASK.
        let expect = [
            (0, RssType::NoHash, None),
            (1, RssType::TcpIpv4, Some(L4)),
            (2, RssType::Ipv4, Some(L3)),
            (3, RssType::TcpIpv6, Some(L4)),
            (4, RssType::Ipv6Ex, Some(L3)),
            (5, RssType::Ipv6, Some(L3)),
            (6, RssType::TcpIpv6Ex, Some(L4)),
            (7, RssType::UdpIpv4, Some(L4)),
            (8, RssType::UdpIpv6, Some(L4)),
            (9, RssType::UdpIpv6Ex, Some(L4)),
            (10, RssType::Reserved(10), Some(L3)),
            (15, RssType::Reserved(15), Some(L3)),
        ];
        for (code, ty, hash) in expect {
            // The packet type above bit 3 does not disturb the RSS type.
            assert_eq!(RssType::from_pkt_info(0xFFF0 | code), ty, "{code}");
            assert_eq!(ty.hash_type(), hash, "{code}");
        }
    }

    #[test]
    fn packet_types() {
        // QEMU: pkt_info = rss_type | packet_type << 4, with packet type
        // IP4 BIT(0), IP6 BIT(2), IP6E BIT(3), TCP BIT(4), UDP BIT(5),
        // SCTP BIT(6), and BIT(11) | index for an ETQF match.
        let p = PacketType::from_pkt_info(0x1 | 0x11 << 4);
        assert!(p.ipv4() && p.tcp() && !p.ipv6() && !p.udp() && !p.sctp());
        assert_eq!(p.etqf(), None);
        // The datasheet's IPv4-with-options bit, BIT(1) (QEMU never sets
        // it), is IPv4 all the same.
        let p = PacketType::from_pkt_info(0x1 | 0x12 << 4);
        assert!(p.ipv4() && p.tcp() && !p.ipv6());
        assert_eq!(p.bits(), 0x012);
        // IPv6 with extension headers (IP6E).
        let p = PacketType::from_pkt_info(0x6 | 0x18 << 4);
        assert!(p.ipv6() && p.tcp() && !p.ipv4());
        let p = PacketType::from_pkt_info(0x24 << 4);
        assert!(p.ipv6() && p.udp() && !p.ipv4());
        let p = PacketType::from_pkt_info(0x48 << 4);
        assert!(p.ipv6() && p.sctp());
        let l2 = PacketType::from_pkt_info((1 << 11 | 5) << 4);
        assert_eq!(l2.etqf(), Some(5));
        // The index bits are not IPv4/IPv6 flags in an L2 packet type.
        assert!(!l2.ipv4() && !l2.ipv6());
        assert_eq!(l2.bits(), 0x805);
    }
}
