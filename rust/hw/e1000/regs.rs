// SPDX-License-Identifier: GPL-2.0

//! The 8254x register file: the shared registers (re-exported from
//! [`super::super::regs`]) and what only the 8254x has: one RX and one TX
//! ring's registers at fixed offsets, the ITR throttle, the inter-packet
//! gap, a 16-slot receive address filter, and receive buffer sizes
//! encoded in RCTL.

use super::super::net::FRAME_OVERHEAD;
pub use super::super::regs::*;

/// EEPROM/flash control.
pub const EECD: usize = 0x0010;
/// Interrupt throttling.
pub const ITR: usize = 0x00C4;
/// Transmit inter-packet gap.
pub const TIPG: usize = 0x0410;
/// RX descriptor base, low 32 bits.
pub const RDBAL: usize = 0x2800;
/// RX descriptor base, high 32 bits.
pub const RDBAH: usize = 0x2804;
/// RX descriptor ring length in bytes.
pub const RDLEN: usize = 0x2808;
/// RX descriptor head (device-owned).
pub const RDH: usize = 0x2810;
/// RX descriptor tail (driver-owned).
pub const RDT: usize = 0x2818;
/// RX delay timer.
pub const RDTR: usize = 0x2820;
/// RX absolute delay timer.
pub const RADV: usize = 0x282C;
/// TX descriptor base, low 32 bits.
pub const TDBAL: usize = 0x3800;
/// TX descriptor base, high 32 bits.
pub const TDBAH: usize = 0x3804;
/// TX descriptor ring length in bytes.
pub const TDLEN: usize = 0x3808;
/// TX descriptor head (device-owned).
pub const TDH: usize = 0x3810;
/// TX descriptor tail (driver-owned doorbell).
pub const TDT: usize = 0x3818;
/// TX interrupt delay.
pub const TIDV: usize = 0x3820;
/// TX absolute interrupt delay.
pub const TADV: usize = 0x382C;

/// Receive address pairs.
pub const RA_LEN: usize = 16;

/// Smallest MTU (a 60-byte frame less the Ethernet header).
pub const MIN_MTU: u32 = 46;
/// Largest frame with long-packet reception (LPE).
pub const MAX_JUMBO_FRAME: u32 = 16128;
/// Largest MTU: the jumbo frame less header (14) and FCS (4).
pub const MAX_MTU: u32 = 16110;

/// Longest frame the MAC stores with long-packet reception (LPE) off: a
/// VLAN-tagged standard frame. It discards anything longer.
pub const MAX_STANDARD_FRAME: u32 = 1522;

/// How receive buffers are sized for an MTU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RxSizing {
    /// Buffer size programmed into RCTL (BSIZE/BSEX, [`rctl_with_buffer_size`]).
    pub bsize: u32,
    /// Longest frame the device can store (FCS stripped): the bytes each
    /// buffer must hold, and the most a completion may report.
    pub max_frame: u32,
    /// Whether long-packet reception (RCTL.LPE) must be on.
    pub long_packets: bool,
}

impl RxSizing {
    /// Sizing for `mtu`: the smallest BSIZE that holds a full frame with a
    /// VLAN tag (at least 2048). Up to MTU 1500 LPE stays off, so no frame
    /// exceeds [`MAX_STANDARD_FRAME`] and buffers need only that much,
    /// not all of BSIZE (as the C e1000 driver sizes them); that keeps an
    /// skb's truesize, and so socket memory per byte, down.
    pub fn for_mtu(mtu: u32) -> Self {
        let frame = mtu + FRAME_OVERHEAD + 4;
        let bsize = [2048, 4096, 8192, 16384]
            .into_iter()
            .find(|&size| size >= frame)
            .unwrap_or(16384);
        if frame <= MAX_STANDARD_FRAME {
            Self {
                bsize,
                max_frame: MAX_STANDARD_FRAME,
                long_packets: false,
            }
        } else {
            Self {
                bsize,
                max_frame: bsize,
                long_packets: true,
            }
        }
    }
}

/// TIPG for copper: IPGT 10, IPGR1 8, IPGR2 6.
pub const TIPG_COPPER: u32 = 10 | (8 << 10) | (6 << 20);

// Free items rather than inherent impls on the shared `Irq` and `Rctl`:
// an impl block would give the 82576's types (the same types) 8254x-only
// members.

/// ICR/IMS: TX queue empty (no 82576 counterpart).
pub const IRQ_TXQE: u32 = 1 << 1;

/// The interrupt causes the driver keeps enabled. TX completion (TXDW)
/// is not one: the driver unmasks it only while frames are in flight
/// after `start_xmit` has reclaimed what the device already sent.
pub const DRIVER_IRQ_MASK: u32 = Irq::LSC | Irq::RXSEQ | Irq::RXDMT0 | Irq::RXO | Irq::RXT0;

/// RCTL's buffer size field (BSIZE, bits 17:16).
const RCTL_BSIZE_SHIFT: u32 = 16;
const RCTL_BSIZE_MASK: u32 = 0b11 << 16;
/// RCTL buffer size extension (BSIZE x16).
pub const RCTL_BSEX: u32 = 1 << 25;

/// `rctl` with the receive buffer size set to `bytes`, which must be one
/// the hardware supports.
pub fn rctl_with_buffer_size(rctl: Rctl, bytes: u32) -> Option<Rctl> {
    let (bsize, bsex) = match bytes {
        2048 => (0, false),
        1024 => (1, false),
        512 => (2, false),
        256 => (3, false),
        16384 => (1, true),
        8192 => (2, true),
        4096 => (3, true),
        _ => return None,
    };
    let mut v = rctl.0 & !(RCTL_BSIZE_MASK | RCTL_BSEX);
    v |= bsize << RCTL_BSIZE_SHIFT;
    if bsex {
        v |= RCTL_BSEX;
    }
    Some(Rctl(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets() {
        assert_eq!(rah(RA_LEN - 1), 0x547C);
    }

    #[test]
    fn rctl_buffer_sizes() {
        assert_eq!(rctl_with_buffer_size(Rctl(0), 2048), Some(Rctl(0)));
        assert_eq!(
            rctl_with_buffer_size(Rctl(0), 4096),
            Some(Rctl(3 << 16 | RCTL_BSEX))
        );
        assert_eq!(
            rctl_with_buffer_size(Rctl(0), 16384),
            Some(Rctl(1 << 16 | RCTL_BSEX))
        );
        assert_eq!(
            rctl_with_buffer_size(Rctl(RCTL_BSEX | 3 << 16), 1024),
            Some(Rctl(1 << 16))
        );
        assert_eq!(rctl_with_buffer_size(Rctl(0), 3000), None);
    }

    #[test]
    fn buffer_size_follows_mtu() {
        let standard = RxSizing {
            bsize: 2048,
            max_frame: MAX_STANDARD_FRAME,
            long_packets: false,
        };
        assert_eq!(RxSizing::for_mtu(1500), standard);
        assert_eq!(RxSizing::for_mtu(MIN_MTU), standard);
        let long = |bsize| RxSizing {
            bsize,
            max_frame: bsize,
            long_packets: true,
        };
        assert_eq!(RxSizing::for_mtu(1501), long(2048));
        assert_eq!(RxSizing::for_mtu(2026), long(2048));
        assert_eq!(RxSizing::for_mtu(2027), long(4096));
        assert_eq!(RxSizing::for_mtu(9000), long(16384));
        assert_eq!(RxSizing::for_mtu(MAX_MTU), long(16384));
        for mtu in MIN_MTU..=MAX_MTU {
            let s = RxSizing::for_mtu(mtu);
            assert!(
                s.max_frame >= mtu + 14 + 4 && s.max_frame <= s.bsize,
                "{mtu}"
            );
            assert!(rctl_with_buffer_size(Rctl(0), s.bsize).is_some());
        }
    }
}
