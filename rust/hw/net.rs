// SPDX-License-Identifier: GPL-2.0

//! Protocol facts both device families depend on: Ethernet framing and
//! the IP and TCP header offsets that checksum and segmentation offloads
//! are described in.

/// An Ethernet header: destination, source, EtherType.
pub const ETH_HLEN: usize = 14;

/// Shortest frame on the wire without FCS; shorter ones are zero-padded.
pub const MIN_TX_FRAME: usize = 60;

/// Ethernet header plus FCS: frame length is MTU plus this.
pub const FRAME_OVERHEAD: u32 = 18;

/// Whether `mac` may be a station address: not zero, not multicast.
pub fn is_valid_unicast_mac(mac: &[u8; 6]) -> bool {
    mac.iter().any(|&b| b != 0) && mac[0] & 1 == 0
}

/// Offset of the IPv4 header checksum within the IPv4 header (RFC 791).
pub const IPV4_CSUM_OFFSET: u32 = 10;
/// Offset of the checksum within the TCP header (RFC 9293).
pub const TCP_CSUM_OFFSET: u32 = 16;
/// Shortest IPv4 header (no options).
pub const IPV4_MIN_HEADER: u32 = 20;
/// The fixed IPv6 header.
pub const IPV6_HEADER: u32 = 40;
/// Shortest TCP header (no options).
pub const TCP_MIN_HEADER: u32 = 20;
/// Longest TCP header (data offset 15 words).
pub const TCP_MAX_HEADER: u32 = 60;

/// The IP version of a TCP super-frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IpVersion {
    /// IPv4: the device fixes the total length, ID and header checksum.
    V4,
    /// IPv6: the device fixes the payload length.
    V6,
}

impl IpVersion {
    /// The shortest header of this version.
    pub fn min_header(self) -> u32 {
        match self {
            IpVersion::V4 => IPV4_MIN_HEADER,
            IpVersion::V6 => IPV6_HEADER,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn station_addresses() {
        assert!(is_valid_unicast_mac(&[0x52, 0x54, 0x00, 0x12, 0x34, 0x56]));
        assert!(!is_valid_unicast_mac(&[0; 6]));
        assert!(!is_valid_unicast_mac(&[1, 0, 0x5e, 0, 0, 1]));
    }
}
