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

/// Every feature a driver on this glue may claim: the offloads above,
/// which need no callback beyond `start_xmit`, `features_check` and the
/// NAPI poll's receive.
pub const SUPPORTED: u64 = SG | HW_CSUM | TSO | TSO6 | RXCSUM | RXHASH | HIGHDMA;

/// Every checksum offload (`NETIF_F_CSUM_MASK`).
pub const CSUM_MASK: u64 = bit(b::NETIF_F_IP_CSUM_BIT) | bit(b::NETIF_F_IPV6_CSUM_BIT) | HW_CSUM;
/// Every segmentation offload (`NETIF_F_GSO_MASK`).
pub const GSO_MASK: u64 = (bit(b::NETIF_F_GSO_LAST + 1) - 1) & !(bit(b::NETIF_F_GSO_SHIFT) - 1);
