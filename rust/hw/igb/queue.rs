// SPDX-License-Identifier: GPL-2.0

//! The 82576's per-queue register blocks: a checked queue number, the
//! offsets of each queue's registers, and the per-queue control bits
//! (SRRCTL, and the RXDCTL/TXDCTL enable).

/// Queues per direction: 16 register blocks, of which the PF without
/// VMDq uses at most [`super::vectors::MAX_QUEUE_PAIRS`].
pub const NUM_QUEUES: usize = 16;

/// A queue number the device has: below [`NUM_QUEUES`].
///
/// # Invariants
///
/// The number is below [`NUM_QUEUES`], so every offset computed from it
/// lies inside its direction's register block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Queue(u8);

impl Queue {
    /// Queue 0, the one QEMU enables at reset.
    pub const ZERO: Queue = Queue(0);

    /// Queue `n`, if the device has it.
    pub const fn new(n: usize) -> Option<Queue> {
        if n < NUM_QUEUES {
            // CAST: n < NUM_QUEUES (16) fits a byte.
            // INVARIANT: checked just above.
            Some(Queue(n as u8))
        } else {
            None
        }
    }

    /// The queue number.
    pub const fn index(self) -> usize {
        // CAST: u8 to usize is lossless (`usize::from` is not const).
        self.0 as usize
    }

    /// Every queue, 0 first.
    pub fn all() -> impl Iterator<Item = Queue> {
        (0..NUM_QUEUES).filter_map(Queue::new)
    }
}

/// First RX queue block.
const RX_QUEUE_BASE: usize = 0xC000;
/// First TX queue block.
const TX_QUEUE_BASE: usize = 0xE000;
/// Distance between two queues' register blocks.
const QUEUE_STRIDE: usize = 0x40;

/// The register at `offset` in RX queue `q`'s block.
///
/// The 82576 also answers at the 8254x offsets (0x2800 + 0x100 * q, the
/// ones the C driver uses) for queues 0..4, and QEMU implements those
/// aliases; one block for all 16 queues keeps the arithmetic uniform.
const fn rx_queue_reg(q: Queue, offset: usize) -> usize {
    RX_QUEUE_BASE + QUEUE_STRIDE * q.index() + offset
}

/// The register at `offset` in TX queue `q`'s block (aliases as for RX).
const fn tx_queue_reg(q: Queue, offset: usize) -> usize {
    TX_QUEUE_BASE + QUEUE_STRIDE * q.index() + offset
}

/// RX descriptor base, low 32 bits, of queue `q`.
pub const fn rdbal(q: Queue) -> usize {
    rx_queue_reg(q, 0x00)
}
/// RX descriptor base, high 32 bits.
pub const fn rdbah(q: Queue) -> usize {
    rx_queue_reg(q, 0x04)
}
/// RX ring length in bytes (a multiple of 128).
pub const fn rdlen(q: Queue) -> usize {
    rx_queue_reg(q, 0x08)
}
/// Split and replication receive control; see [`Srrctl`].
pub const fn srrctl(q: Queue) -> usize {
    rx_queue_reg(q, 0x0C)
}
/// RX descriptor head.
pub const fn rdh(q: Queue) -> usize {
    rx_queue_reg(q, 0x10)
}
/// RX descriptor tail.
pub const fn rdt(q: Queue) -> usize {
    rx_queue_reg(q, 0x18)
}
/// RX descriptor control; see [`QUEUE_ENABLE`].
pub const fn rxdctl(q: Queue) -> usize {
    rx_queue_reg(q, 0x28)
}
/// RX queue drop packet count (QEMU clears it on read but never counts).
pub const fn rqdpc(q: Queue) -> usize {
    rx_queue_reg(q, 0x30)
}
/// TX descriptor base, low 32 bits, of queue `q`.
pub const fn tdbal(q: Queue) -> usize {
    tx_queue_reg(q, 0x00)
}
/// TX descriptor base, high 32 bits.
pub const fn tdbah(q: Queue) -> usize {
    tx_queue_reg(q, 0x04)
}
/// TX ring length in bytes (a multiple of 128).
pub const fn tdlen(q: Queue) -> usize {
    tx_queue_reg(q, 0x08)
}
/// TX descriptor head.
pub const fn tdh(q: Queue) -> usize {
    tx_queue_reg(q, 0x10)
}
/// TX descriptor tail (the doorbell: QEMU transmits on the write).
pub const fn tdt(q: Queue) -> usize {
    tx_queue_reg(q, 0x18)
}
/// TX descriptor control; see [`QUEUE_ENABLE`].
pub const fn txdctl(q: Queue) -> usize {
    tx_queue_reg(q, 0x28)
}

/// RXDCTL/TXDCTL: the queue is enabled. QEMU comes out of reset with
/// queue 0 enabled in both directions and the others disabled; it ignores
/// the prefetch/host/write-back thresholds and writes every descriptor
/// back at once.
pub const QUEUE_ENABLE: u32 = 1 << 25;

/// SRRCTL bits.
pub struct Srrctl;
impl Srrctl {
    /// Packet buffer size field: bits 6:0, in KiB.
    const BSIZEPKT_MASK: u32 = 0x7F;
    const BSIZEPKT_SHIFT: u32 = 10;
    /// Advanced descriptors, one buffer. QEMU writes advanced
    /// descriptors whatever this field says (it has no legacy format).
    pub const DESCTYPE_ADV_ONEBUF: u32 = 0x0200_0000;
    /// Drop a frame at once when the queue has no descriptor, instead of
    /// holding up the shared packet buffer. QEMU ignores it: it drops a
    /// frame for a full queue (raising RXO) while another queue has room,
    /// and holds frames back only when every queue is full.
    pub const DROP_EN: u32 = 1 << 31;

    /// SRRCTL for one advanced buffer of `bytes` per descriptor: a whole
    /// number of KiB up to 127 KiB. A zero size would make QEMU fall back
    /// to RCTL.BSIZE, so it is refused.
    pub fn one_buffer(bytes: u32) -> Option<u32> {
        let kib = bytes >> Self::BSIZEPKT_SHIFT;
        if bytes & 0x3FF != 0 || kib == 0 || kib > Self::BSIZEPKT_MASK {
            return None;
        }
        Some(kib | Self::DESCTYPE_ADV_ONEBUF)
    }
}

/// RXDCTL for an enabled queue with one interrupt vector, as
/// `igb_configure_rx_ring` writes it: prefetch threshold 8, host
/// threshold 8, write-back threshold 4. QEMU reads only the enable bit.
pub const RXDCTL_ENABLE: u32 = QUEUE_ENABLE | 8 | 8 << 8 | 4 << 16;

/// TXDCTL for an enabled queue with one interrupt vector, as
/// `igb_configure_tx_ring` writes it: prefetch threshold 8, host
/// threshold 1, write-back threshold 16. QEMU reads only the enable bit.
pub const TXDCTL_ENABLE: u32 = QUEUE_ENABLE | 8 | 1 << 8 | 16 << 16;

/// Smallest MTU (`ETH_MIN_MTU`, as the C igb driver sets it).
pub const MIN_MTU: u32 = 68;

/// Bytes a frame has beyond its MTU, as the C driver budgets them
/// (`IGB_ETH_PKT_HDR_PAD`): Ethernet header, FCS and two VLAN tags.
pub const FRAME_PAD: u32 = 14 + 4 + 2 * 4;

/// Largest frame the driver programs (`MAX_STD_JUMBO_FRAME_SIZE`).
pub const MAX_FRAME: u32 = 9216;

/// Largest MTU: [`MAX_FRAME`] less [`FRAME_PAD`] (the C driver's 9190).
pub const MAX_MTU: u32 = MAX_FRAME - FRAME_PAD;

/// How a receive queue is sized for an MTU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RxSizing {
    /// Bytes per buffer (SRRCTL.BSIZEPKT, whole KiB): the device writes
    /// up to this many into one buffer, and spreads a longer frame over
    /// several descriptors.
    pub buffer: u32,
    /// RLPML: the longest frame accepted, FCS included (RCTL.LPE is
    /// always on); longer ones are dropped and counted in ROC.
    pub rlpml: u32,
    /// SRRCTL for one buffer per descriptor of [`Self::buffer`] bytes.
    pub srrctl: u32,
}

impl RxSizing {
    /// Sizing for `mtu` (at most [`MAX_MTU`]): buffers of the frame
    /// length rounded up to a KiB, at least 2 KiB.
    pub fn for_mtu(mtu: u32) -> Option<Self> {
        if mtu > MAX_MTU {
            return None;
        }
        let rlpml = mtu + FRAME_PAD;
        let buffer = rlpml.next_multiple_of(1024).max(2048);
        Some(Self {
            buffer,
            rlpml,
            srrctl: Srrctl::one_buffer(buffer)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::regs::BAR0_SIZE;
    use super::*;

    fn q(n: usize) -> Queue {
        Queue::new(n).unwrap()
    }

    #[test]
    fn queue_numbers_are_checked() {
        assert_eq!(Queue::new(0), Some(Queue::ZERO));
        assert_eq!(Queue::new(15).map(Queue::index), Some(15));
        assert_eq!(Queue::new(16), None);
        assert_eq!(Queue::new(usize::MAX), None);
        assert_eq!(Queue::all().count(), 16);
        assert_eq!(Queue::all().last().map(Queue::index), Some(15));
    }

    #[test]
    fn upper_queues_match_the_c_driver() {
        // e1000_regs.h, the (_n) >= 4 branch, written out: E1000_RDBAL(4)
        // = 0x0C000 + 4 * 0x40, and so on.
        assert_eq!(rdbal(q(4)), 0xC100);
        assert_eq!(rdbah(q(5)), 0xC144);
        assert_eq!(rdlen(q(6)), 0xC188);
        assert_eq!(srrctl(q(7)), 0xC1CC);
        assert_eq!(rdh(q(8)), 0xC210);
        assert_eq!(rdt(q(4)), 0xC118);
        assert_eq!(rdt(q(15)), 0xC3D8);
        assert_eq!(rxdctl(q(9)), 0xC268);
        assert_eq!(tdbal(q(10)), 0xE280);
        assert_eq!(tdbah(q(11)), 0xE2C4);
        assert_eq!(tdlen(q(12)), 0xE308);
        assert_eq!(tdh(q(13)), 0xE350);
        assert_eq!(tdt(q(4)), 0xE118);
        assert_eq!(tdt(q(15)), 0xE3D8);
        assert_eq!(txdctl(q(14)), 0xE3A8);
        // E1000_RQDPC(_n) = 0x0C030 + n * 0x40 for every queue.
        assert_eq!(rqdpc(q(0)), 0xC030);
        assert_eq!(rqdpc(q(15)), 0xC3F0);
    }

    #[test]
    fn low_queues_use_the_primary_block_not_the_aliases() {
        // The C driver programs queues 0..4 at the 8254x-compatible
        // aliases (E1000_RDT(0) = 0x02818, E1000_RDT(3) = 0x02B18,
        // E1000_TDT(1) = 0x03918); this layer uses the primary block,
        // QEMU's igb_regs.h E1000_RDT(_n) = 0x0C018 + 0x40 * n.
        assert_eq!(rdbal(Queue::ZERO), 0xC000);
        assert_eq!(rdt(Queue::ZERO), 0xC018);
        assert_eq!(rdt(q(3)), 0xC0D8);
        assert_eq!(srrctl(q(1)), 0xC04C);
        assert_eq!(tdt(Queue::ZERO), 0xE018);
        assert_eq!(tdt(q(1)), 0xE058);
        assert_eq!(txdctl(q(1)), 0xE068);
        // The last queue's blocks end before the TX region and BAR 0.
        assert!(rqdpc(q(15)) < TX_QUEUE_BASE);
        assert!(txdctl(q(15)) < BAR0_SIZE);
    }

    #[test]
    fn control_bits_match_the_c_headers() {
        // e1000_82575.h: E1000_RXDCTL_QUEUE_ENABLE, E1000_TXDCTL_QUEUE_ENABLE.
        assert_eq!(QUEUE_ENABLE, 0x0200_0000);
        // E1000_SRRCTL_DESCTYPE_ADV_ONEBUF, E1000_SRRCTL_DROP_EN.
        assert_eq!(Srrctl::DESCTYPE_ADV_ONEBUF, 0x0200_0000);
        assert_eq!(Srrctl::DROP_EN, 0x8000_0000);
    }

    #[test]
    fn queue_control_values_match_the_c_driver() {
        assert_eq!(RXDCTL_ENABLE, 0x0204_0808);
        assert_eq!(TXDCTL_ENABLE, 0x0210_0108);
    }

    #[test]
    fn rx_sizing() {
        let s = RxSizing::for_mtu(1500).unwrap();
        assert_eq!((s.buffer, s.rlpml, s.srrctl), (2048, 1526, 0x0200_0002));
        let s = RxSizing::for_mtu(9000).unwrap();
        assert_eq!((s.buffer, s.rlpml), (9216, 9026));
        assert_eq!(RxSizing::for_mtu(MAX_MTU).unwrap().buffer, MAX_FRAME);
        assert_eq!(RxSizing::for_mtu(MAX_MTU + 1), None);
        assert_eq!(MAX_MTU, 9190);
        for mtu in MIN_MTU..=MAX_MTU {
            let s = RxSizing::for_mtu(mtu).unwrap();
            // A frame the device accepts (FCS stripped) fits one buffer.
            assert!(
                s.rlpml - 4 <= s.buffer && s.buffer.is_multiple_of(1024),
                "{mtu}"
            );
        }
    }

    #[test]
    fn srrctl_values() {
        // igb_setup_srrctl() for 2048- and 3072-byte buffers, without
        // the header size (unused with one buffer).
        assert_eq!(Srrctl::one_buffer(2048), Some(0x0200_0002));
        assert_eq!(Srrctl::one_buffer(3072), Some(0x0200_0003));
        assert_eq!(Srrctl::one_buffer(127 * 1024), Some(0x0200_007F));
        assert_eq!(Srrctl::one_buffer(128 * 1024), None);
        assert_eq!(Srrctl::one_buffer(0), None);
        assert_eq!(Srrctl::one_buffer(1500), None);
    }
}
