// SPDX-License-Identifier: GPL-2.0

//! Which header fields RSS hashes, per flow type, in ethtool's terms
//! (`ethtool -n/-N IF rx-flow-hash`), and the MRQC value that asks the
//! 82576 for them.
//!
//! Addresses are always hashed, TCP ports always, UDP ports only when
//! asked per IP version (off by default, as in the C igb driver: the
//! fragments of one UDP datagram carry no ports, and would land on
//! another queue than its first fragment).

use super::rss::Mrqc;

/// ethtool flow types (`include/uapi/linux/ethtool.h`).
pub mod flow {
    /// TCP over IPv4.
    pub const TCP_V4: u32 = 0x01;
    /// UDP over IPv4.
    pub const UDP_V4: u32 = 0x02;
    /// SCTP over IPv4.
    pub const SCTP_V4: u32 = 0x03;
    /// IPsec AH or ESP over IPv4.
    pub const AH_ESP_V4: u32 = 0x04;
    /// TCP over IPv6.
    pub const TCP_V6: u32 = 0x05;
    /// UDP over IPv6.
    pub const UDP_V6: u32 = 0x06;
    /// SCTP over IPv6.
    pub const SCTP_V6: u32 = 0x07;
    /// IPsec AH or ESP over IPv6.
    pub const AH_ESP_V6: u32 = 0x08;
    /// IPsec AH over IPv4.
    pub const AH_V4: u32 = 0x09;
    /// IPsec ESP over IPv4.
    pub const ESP_V4: u32 = 0x0a;
    /// IPsec AH over IPv6.
    pub const AH_V6: u32 = 0x0b;
    /// IPsec ESP over IPv6.
    pub const ESP_V6: u32 = 0x0c;
    /// Any other IPv4.
    pub const IPV4: u32 = 0x10;
    /// Any other IPv6.
    pub const IPV6: u32 = 0x11;
}

/// ethtool's hashed-field bits (`RXH_*`).
pub mod rxh {
    /// Source IP address.
    pub const IP_SRC: u32 = 1 << 4;
    /// Destination IP address.
    pub const IP_DST: u32 = 1 << 5;
    /// Transport bytes 0 and 1 (the source port).
    pub const L4_B_0_1: u32 = 1 << 6;
    /// Transport bytes 2 and 3 (the destination port).
    pub const L4_B_2_3: u32 = 1 << 7;
    /// Both addresses.
    pub const ADDRESSES: u32 = IP_SRC | IP_DST;
    /// Both ports.
    pub const PORTS: u32 = L4_B_0_1 | L4_B_2_3;
}

/// The RSS field choices the 82576 offers beyond its fixed ones.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HashFields {
    /// Hash UDP ports over IPv4.
    pub udp4: bool,
    /// Hash UDP ports over IPv6.
    pub udp6: bool,
}

/// What a flow type's hash can take.
enum Kind {
    /// Addresses and ports, always.
    Tcp,
    /// Addresses, and ports if this field is set.
    Udp(fn(&mut HashFields) -> &mut bool),
    /// Addresses only.
    Addresses,
    /// Addresses only, and not to be set at all (the C igb driver reports
    /// these flow types but refuses a request for them).
    OtherIp,
}

fn kind(flow_type: u32) -> Option<Kind> {
    Some(match flow_type {
        flow::TCP_V4 | flow::TCP_V6 => Kind::Tcp,
        flow::UDP_V4 => Kind::Udp(|f| &mut f.udp4),
        flow::UDP_V6 => Kind::Udp(|f| &mut f.udp6),
        flow::SCTP_V4
        | flow::AH_ESP_V4
        | flow::AH_V4
        | flow::ESP_V4
        | flow::SCTP_V6
        | flow::AH_ESP_V6
        | flow::AH_V6
        | flow::ESP_V6 => Kind::Addresses,
        flow::IPV4 | flow::IPV6 => Kind::OtherIp,
        _ => return None,
    })
}

impl HashFields {
    /// The `RXH_*` fields hashed for `flow_type`; `None` for a flow type
    /// the device does not know.
    pub fn get(self, flow_type: u32) -> Option<u32> {
        let mut fields = self;
        Some(match kind(flow_type)? {
            Kind::Tcp => rxh::ADDRESSES | rxh::PORTS,
            Kind::Udp(port) if *port(&mut fields) => rxh::ADDRESSES | rxh::PORTS,
            Kind::Udp(_) | Kind::Addresses | Kind::OtherIp => rxh::ADDRESSES,
        })
    }

    /// The choices after asking for `data` (`RXH_*`) on `flow_type`;
    /// `None` if the device cannot hash that way (only UDP's ports can be
    /// switched, both at once, and the addresses are always hashed) or,
    /// as in the C igb driver, for the "other IP" flow types.
    pub fn with(self, flow_type: u32, data: u32) -> Option<Self> {
        let mut next = self;
        if data & rxh::ADDRESSES != rxh::ADDRESSES || data & !(rxh::ADDRESSES | rxh::PORTS) != 0 {
            return None;
        }
        let ports = data & rxh::PORTS;
        match kind(flow_type)? {
            Kind::Tcp if ports == rxh::PORTS => {}
            Kind::Udp(port) if ports == rxh::PORTS || ports == 0 => {
                *port(&mut next) = ports != 0;
            }
            Kind::Addresses if ports == 0 => {}
            _ => return None,
        }
        Some(next)
    }

    /// MRQC for RSS over these fields (`igb_setup_mrqc()` without VFs).
    pub const fn mrqc(self) -> u32 {
        let mut mrqc = Mrqc::ENABLE_RSS
            | Mrqc::IPV4
            | Mrqc::TCP_IPV4
            | Mrqc::IPV6
            | Mrqc::TCP_IPV6
            | Mrqc::TCP_IPV6_EX;
        if self.udp4 {
            mrqc |= Mrqc::UDP_IPV4;
        }
        if self.udp6 {
            mrqc |= Mrqc::UDP_IPV6;
        }
        mrqc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL_FLOWS: [u32; 14] = [
        flow::TCP_V4,
        flow::UDP_V4,
        flow::SCTP_V4,
        flow::AH_ESP_V4,
        flow::TCP_V6,
        flow::UDP_V6,
        flow::SCTP_V6,
        flow::AH_ESP_V6,
        flow::AH_V4,
        flow::ESP_V4,
        flow::AH_V6,
        flow::ESP_V6,
        flow::IPV4,
        flow::IPV6,
    ];

    #[test]
    fn uapi_values() {
        // include/uapi/linux/ethtool.h.
        assert_eq!((flow::ESP_V6, flow::IPV4, flow::IPV6), (0x0c, 0x10, 0x11));
        assert_eq!((rxh::IP_SRC, rxh::L4_B_2_3), (0x10, 0x80));
    }

    #[test]
    fn defaults_match_igb_get_rxfh_fields() {
        let f = HashFields::default();
        assert_eq!(f.get(flow::TCP_V4), Some(0xf0));
        assert_eq!(f.get(flow::TCP_V6), Some(0xf0));
        assert_eq!(f.get(flow::UDP_V4), Some(0x30));
        assert_eq!(f.get(flow::IPV6), Some(0x30));
        assert_eq!(f.get(0), None);
        assert_eq!(f.get(0x12), None);
        // A flow type with ethtool's extension flags is not a plain one.
        assert_eq!(f.get(flow::TCP_V4 | 0x8000_0000), None);
        assert_eq!(f.mrqc(), 0x0037_0002);
    }

    #[test]
    fn udp_ports_switch_per_ip_version() {
        let f = HashFields::default();
        let on4 = f.with(flow::UDP_V4, 0xf0).unwrap();
        assert_eq!(
            on4,
            HashFields {
                udp4: true,
                udp6: false
            }
        );
        assert_eq!(on4.get(flow::UDP_V4), Some(0xf0));
        assert_eq!(on4.get(flow::UDP_V6), Some(0x30));
        assert_eq!(on4.mrqc(), 0x0077_0002);
        let both = on4.with(flow::UDP_V6, 0xf0).unwrap();
        assert_eq!(both.mrqc(), 0x00F7_0002);
        assert_eq!(
            both.with(flow::UDP_V4, 0x30),
            Some(HashFields {
                udp4: false,
                udp6: true
            })
        );
    }

    #[test]
    fn what_the_device_cannot_do_is_refused() {
        let f = HashFields::default();
        // TCP always hashes its ports; one port alone is not possible.
        assert_eq!(f.with(flow::TCP_V4, 0x30), None);
        assert_eq!(f.with(flow::UDP_V4, 0x70), None);
        // Addresses are always hashed.
        assert_eq!(f.with(flow::UDP_V4, 0xc0), None);
        assert_eq!(f.with(flow::IPV4, 0x20), None);
        // No ports for the others; no other fields at all.
        assert_eq!(f.with(flow::SCTP_V6, 0xf0), None);
        assert_eq!(f.with(flow::IPV4, 0x30 | 1 << 2), None);
        assert_eq!(f.with(0x13, 0x30), None);
        // What it already does is accepted, unchanged; the "other IP"
        // flow types are reported only, as in igb_set_rxfh_fields.
        for flow_type in ALL_FLOWS {
            let data = f.get(flow_type).unwrap();
            let want = (flow_type != flow::IPV4 && flow_type != flow::IPV6).then_some(f);
            assert_eq!(f.with(flow_type, data), want, "{flow_type}");
        }
    }
}
