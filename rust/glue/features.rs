// SPDX-License-Identifier: GPL-2.0

//! `NETIF_F_*` feature bits (bit numbers come from the generated bindings).

use super::bindings as b;

const fn bit(n: u32) -> u64 {
    1 << n
}

/// Scatter-gather: frames may arrive as a head plus page fragments.
pub const SG: u64 = bit(b::NETIF_F_SG_BIT);
/// Checksum any protocol at any offset (CHECKSUM_PARTIAL).
pub const HW_CSUM: u64 = bit(b::NETIF_F_HW_CSUM_BIT);
/// TCP segmentation offload over IPv4.
pub const TSO: u64 = bit(b::NETIF_F_TSO_BIT);
/// TCP segmentation offload over IPv6.
pub const TSO6: u64 = bit(b::NETIF_F_TSO6_BIT);
/// Receive checksum offload: the driver marks frames whose checksums the
/// device verified (`SkBuff::set_checksum_unnecessary`).
pub const RXCSUM: u64 = bit(b::NETIF_F_RXCSUM_BIT);
/// The device's receive hash is passed to the stack (`ethtool -K rxhash`).
pub const RXHASH: u64 = bit(b::NETIF_F_RXHASH_BIT);
/// The device can DMA from high memory.
pub const HIGHDMA: u64 = bit(b::NETIF_F_HIGHDMA_BIT);
/// 802.1Q tag insertion: the stack leaves a frame's tag beside its bytes
/// (`Skb::vlan_tag`) for the device to insert. With it off, the stack
/// puts the tag into the frame before `start_xmit`.
pub const HW_VLAN_CTAG_TX: u64 = bit(b::NETIF_F_HW_VLAN_CTAG_TX_BIT);
/// 802.1Q tag stripping: the device takes the tag out of a received
/// frame and the driver hands it up beside the frame
/// (`SkBuff::put_vlan_tag`); the driver learns a change through
/// `set_features`.
pub const HW_VLAN_CTAG_RX: u64 = bit(b::NETIF_F_HW_VLAN_CTAG_RX_BIT);
/// 802.1Q filtering: the device drops a tagged frame unless its VLAN was
/// added (`Operations::vlan_rx_add_vid`, from the 8021q module for each
/// VLAN device, and for VLAN 0).
pub const HW_VLAN_CTAG_FILTER: u64 = bit(b::NETIF_F_HW_VLAN_CTAG_FILTER_BIT);
/// The VLAN tag offloads, which a VLAN device stacked on the netdev
/// cannot pass on: never in `vlan_features` (as in the C drivers).
pub const VLAN_CTAG: u64 = HW_VLAN_CTAG_TX | HW_VLAN_CTAG_RX | HW_VLAN_CTAG_FILTER;

/// Every feature a driver on this glue may claim: the offloads above,
/// which need no callback beyond `start_xmit`, `features_check`,
/// `set_features`, the NAPI poll's receive and, for VLAN filtering,
/// `vlan_rx_add_vid`/`vlan_rx_kill_vid`.
pub const SUPPORTED: u64 = SG | HW_CSUM | TSO | TSO6 | RXCSUM | RXHASH | HIGHDMA | VLAN_CTAG;

/// Every checksum offload (`NETIF_F_CSUM_MASK`).
pub const CSUM_MASK: u64 = bit(b::NETIF_F_IP_CSUM_BIT) | bit(b::NETIF_F_IPV6_CSUM_BIT) | HW_CSUM;
/// Every segmentation offload (`NETIF_F_GSO_MASK`).
pub const GSO_MASK: u64 = (bit(b::NETIF_F_GSO_LAST + 1) - 1) & !(bit(b::NETIF_F_GSO_SHIFT) - 1);
