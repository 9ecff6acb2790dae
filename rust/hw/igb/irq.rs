// SPDX-License-Identifier: GPL-2.0

//! The 82576's interrupt registers: the causes of ICR/IMS (the 8254x's
//! plus a few), the per-vector EICR/EIMS family, GPIE, the EITR throttles
//! and the IVAR tables that route queue causes to MSI-X vectors.
//!
//! [`super::vectors`] decides what to program into them.

use super::super::regs as shared;
use super::queue::Queue;

/// Interrupt cause read, set, mask set/read and mask clear: the 8254x
/// offsets.
pub use shared::{ICR, ICS, IMC, IMS};

/// Interrupt cause bits (ICR, ICS, IMS, IMC, IAM): TXDW, LSC, RXSEQ,
/// RXDMT0, RXO and RXT0 sit at the 8254x positions. The 8254x family
/// adds TXQE (bit 1, `e1000::regs::IRQ_TXQE`), which igb's
/// `e1000_defines.h` lacks; the 82576's masks come from
/// [`super::vectors::VectorPlan::ims`]. QEMU raises TXDW only
/// for a TX queue with a valid IVAR entry, even without MSI-X.
pub use shared::Irq;

/// ICR: DMA out of sync (an 82576 cause the 8254x type lacks).
pub const ICR_DOUTSYNC: u32 = 1 << 28;
/// ICR: device reset asserted (an 82576 cause the 8254x type lacks).
/// QEMU routes it through [`IVAR_MISC`] byte 0, every other ICR cause
/// through byte 1.
pub const ICR_DRSTA: u32 = 1 << 30;
/// ICR: the device asserted the (legacy) interrupt.
pub const ICR_INT_ASSERTED: u32 = 1 << 31;

/// Interrupt acknowledge auto-mask: IMS bits cleared when ICR is read.
/// QEMU applies it on every read with [`Gpie::NSICR`], otherwise only on
/// a read while an interrupt is asserted.
pub const IAM: usize = 0x00E0;
/// General purpose interrupt enable; see [`Gpie`].
pub const GPIE: usize = 0x1514;
/// Extended interrupt cause set.
pub const EICS: usize = 0x1520;
/// Extended interrupt mask set/read. QEMU sends a vector's message when
/// a write sets its bit while its EICR bit is pending.
pub const EIMS: usize = 0x1524;
/// Extended interrupt mask clear.
pub const EIMC: usize = 0x1528;
/// Extended interrupt auto-clear: EICR bits cleared when their MSI-X
/// message is sent. QEMU takes a write only with [`Gpie::MSIX_MODE`]
/// set, and a write only sets bits.
pub const EIAC: usize = 0x152C;
/// Extended interrupt auto-mask. On the 82576, with [`Gpie::EIAME`], the
/// EIMS bits set here are cleared when their vector's MSI-X message is
/// sent; the C driver sets every vector's bit.
///
/// QEMU implements no auto-mask: it reads neither EIAM nor GPIE.EIAME
/// when it sends a message, and a write to EIAM ORs in the complement of
/// the bits written (`mac[EIAM] |= ~(val & mask)`), so the register holds
/// nothing meaningful. A driver that relied on auto-masking would run its
/// poll unmasked on QEMU, so the vector plan does not use it: it never
/// writes EIAM and leaves GPIE.EIAME clear, and the handler masks its
/// vector through [`EIMC`] and unmasks it through [`EIMS`] after polling,
/// which works the same on both.
pub const EIAM: usize = 0x1530;
/// Extended interrupt cause read (QEMU clears all of it on read).
pub const EICR: usize = 0x1580;
/// First interrupt throttle register; see [`eitr`].
pub const EITR_BASE: usize = 0x1680;
/// Interrupt throttle registers: one per EICR bit the device has (the
/// PF's and the VFs' vectors).
pub const EITR_COUNT: usize = 25;
/// First interrupt vector allocation register; see [`ivar_slot`].
pub const IVAR0: usize = 0x1700;
/// IVAR registers: 8 rows of 4 one-byte entries.
pub const IVAR_COUNT: usize = 8;
/// Vector allocation for the non-queue causes: byte 1 the "other" cause
/// vector, byte 0 the TCP timer's. QEMU routes every ICR cause but DRSTA
/// through byte 1, and DRSTA through byte 0.
pub const IVAR_MISC: usize = 0x1740;

/// GPIE bits.
pub struct Gpie;
impl Gpie {
    /// Clear ICR on every read, not only when INT_ASSERTED is set.
    pub const NSICR: u32 = 1 << 0;
    /// Multiple MSI-X vectors: EICR bits are vectors, mapped via IVAR.
    /// Must be written before IVAR and EIMS (the C driver's warning);
    /// QEMU also ignores an [`EIAC`] write made without it.
    pub const MSIX_MODE: u32 = 1 << 4;
    /// Auto-mask EIMS by [`EIAM`] on MSI-X delivery. QEMU ignores it and
    /// the vector plan leaves it clear.
    pub const EIAME: u32 = 1 << 30;
    /// Pending-bit-array support for MSI-X.
    pub const PBA: u32 = 1 << 31;
}

/// EICR bit of the non-MSI-X "other" cause (MSI-X mode has no such bit:
/// every EICR bit there is a vector).
pub const EICR_OTHER: u32 = 1 << 31;

/// An interrupt vector the device has: an MSI-X vector number, which is
/// also its EICR/EIMS bit and the index of its EITR.
///
/// # Invariants
///
/// The number is below [`EITR_COUNT`], so its EITR exists, its EICR bit
/// fits a `u32` and its IVAR entry leaves [`IVAR_VALID`] clear.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Vector(u8);

impl Vector {
    /// Vector 0.
    pub const ZERO: Vector = Vector(0);

    /// Vector `n`, if the device has it.
    pub const fn new(n: usize) -> Option<Vector> {
        if n < EITR_COUNT {
            // CAST: n < EITR_COUNT (25) fits a byte.
            // INVARIANT: checked just above.
            Some(Vector(n as u8))
        } else {
            None
        }
    }

    /// The vector number.
    pub const fn index(self) -> usize {
        // CAST: u8 to usize is lossless (`usize::from` is not const).
        self.0 as usize
    }

    /// Its EICR/EIMS/EIMC/EICS/EIAC bit.
    pub const fn eims_bit(self) -> u32 {
        1 << self.0
    }
}

/// Interrupt throttle register of vector `v`.
pub const fn eitr(v: Vector) -> usize {
    EITR_BASE + 4 * v.index()
}

/// EITR bits.
pub struct Eitr;
impl Eitr {
    /// The interval field: bits 14:2, in microseconds.
    pub const INTERVAL_MASK: u32 = 0x7FFC;
    /// Keep the moderation counters on write (82576 and later).
    pub const CNT_IGNR: u32 = 1 << 31;
    /// Longest interval the field holds.
    pub const MAX_USECS: u32 = Self::INTERVAL_MASK >> 2;

    /// The EITR value for a minimum gap of `usecs` between interrupts,
    /// clamped to 1..=[`Self::MAX_USECS`]: the C igb driver never writes
    /// a zero interval. QEMU counts the masked register value in 256 ns
    /// units, so the gap it keeps is 2.4% longer (a 2025 patch series
    /// makes it exact).
    pub fn from_usecs(usecs: u32) -> u32 {
        (usecs.clamp(1, Self::MAX_USECS) << 2) | Self::CNT_IGNR
    }
}

/// IVAR entry bit: the entry is valid.
pub const IVAR_VALID: u8 = 0x80;

/// Shift of the "other" cause entry in [`IVAR_MISC`].
pub const IVAR_MISC_OTHER_SHIFT: u32 = 8;

/// One direction of a queue pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// The receive queue.
    Rx,
    /// The transmit queue.
    Tx,
}

/// Where the IVAR entry of queue `q` in `dir` lives: the register offset
/// and the bit shift of its byte.
///
/// The 82576 table is 8 rows of [RX q, TX q, RX q+8, TX q+8]: the low
/// three queue bits pick the row, bit 3 the column pair (the C driver's
/// "column-major" comment; QEMU's `igb_ivar_entry_rx/tx`).
pub const fn ivar_slot(q: Queue, dir: Direction) -> (usize, u32) {
    let q = q.index();
    let pair_shift = if q & 8 != 0 { 16 } else { 0 };
    let dir_shift = match dir {
        Direction::Rx => 0,
        Direction::Tx => 8,
    };
    (IVAR0 + 4 * (q & 7), pair_shift + dir_shift)
}

/// The IVAR byte routing a cause to vector `v`.
pub const fn ivar_entry(v: Vector) -> u8 {
    // INVARIANT: v < EITR_COUNT < 0x80, so the number and VALID do not
    // overlap.
    v.0 | IVAR_VALID
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interrupt_registers() {
        // e1000_regs.h.
        let offsets = [ICR, ICS, IMS, IMC, IAM];
        assert_eq!(offsets, [0x00C0, 0x00C8, 0x00D0, 0x00D8, 0x00E0]);
        let offsets = [EICS, EIMS, EIMC, EIAC, EIAM, EICR, GPIE, IVAR0, IVAR_MISC];
        let c = [
            0x1520, 0x1524, 0x1528, 0x152C, 0x1530, 0x1580, 0x1514, 0x1700, 0x1740,
        ];
        assert_eq!(offsets, c);
        // E1000_EITR(_n) = 0x01680 + 4 * n.
        let v = |n| Vector::new(n).unwrap();
        assert_eq!(eitr(Vector::ZERO), 0x1680);
        assert_eq!(eitr(v(9)), 0x16A4);
        assert_eq!(eitr(v(EITR_COUNT - 1)), 0x16E0);
    }

    #[test]
    fn vectors_are_checked() {
        assert_eq!(Vector::new(24).map(Vector::index), Some(24));
        assert_eq!(Vector::new(EITR_COUNT), None);
        assert_eq!(Vector::new(128), None);
        assert_eq!(Vector::new(3).map(Vector::eims_bit), Some(0x8));
        assert_eq!(Vector::new(24).map(Vector::eims_bit), Some(0x0100_0000));
    }

    #[test]
    fn cause_bits_match_the_c_headers() {
        // igb's e1000_defines.h: the bits shared with the 8254x type.
        let shared = [Irq::TXDW, Irq::LSC, Irq::RXSEQ, Irq::RXDMT0, Irq::RXT0];
        assert_eq!(shared, [0x01, 0x04, 0x08, 0x10, 0x80]);
        // QEMU's E1000_ICS_RXO, which it raises for a full queue.
        assert_eq!(Irq::RXO, 0x40);
        // The 82576 additions.
        assert_eq!(ICR_DOUTSYNC, 0x1000_0000);
        assert_eq!(ICR_DRSTA, 0x4000_0000);
        assert_eq!(ICR_INT_ASSERTED, 0x8000_0000);
        assert_eq!(EICR_OTHER, 0x8000_0000);
        let gpie = [Gpie::NSICR, Gpie::MSIX_MODE, Gpie::EIAME, Gpie::PBA];
        assert_eq!(gpie, [0x1, 0x10, 0x4000_0000, 0x8000_0000]);
        assert_eq!(IVAR_VALID, 0x80);
        // E1000_EITR_CNT_IGNR.
        assert_eq!(Eitr::CNT_IGNR, 0x8000_0000);
    }

    #[test]
    fn ivar_layout() {
        // The C driver's igb_assign_vector() for the 82576: row q & 7,
        // column offset (q & 8) << 1, plus 8 for TX.
        for q in Queue::all() {
            let n = q.index();
            let c_rx = (IVAR0 + 4 * (n & 7), u32::try_from((n & 8) << 1).unwrap());
            let c_tx = (c_rx.0, c_rx.1 + 8);
            assert_eq!(ivar_slot(q, Direction::Rx), c_rx, "rx {n}");
            assert_eq!(ivar_slot(q, Direction::Tx), c_tx, "tx {n}");
            // QEMU's igb_ivar_entry_rx/tx give the byte index i into the
            // IVAR array: register i / 4, shift 8 * (i % 4).
            let i_rx = if n < 8 { n * 4 } else { (n - 8) * 4 + 2 };
            let i_tx = if n < 8 { n * 4 + 1 } else { (n - 8) * 4 + 3 };
            for (i, dir) in [(i_rx, Direction::Rx), (i_tx, Direction::Tx)] {
                let shift = u32::try_from(8 * (i % 4)).unwrap();
                assert_eq!(ivar_slot(q, dir), (IVAR0 + 4 * (i / 4), shift));
            }
        }
        let q9 = Queue::new(9).unwrap();
        assert_eq!(ivar_slot(q9, Direction::Tx), (0x1704, 24));
        assert_eq!(ivar_slot(Queue::ZERO, Direction::Rx), (0x1700, 0));
    }

    #[test]
    fn ivar_entries() {
        // (vector | E1000_IVAR_VALID), as igb_assign_vector() writes it.
        assert_eq!(Vector::new(3).map(ivar_entry), Some(0x83));
        assert_eq!(Vector::new(24).map(ivar_entry), Some(0x98));
        // igb_configure_msix(): the other cause on vector 0.
        assert_eq!(
            u32::from(ivar_entry(Vector::ZERO)) << IVAR_MISC_OTHER_SHIFT,
            0x8000
        );
    }

    #[test]
    fn eitr_values() {
        // IGB_20K_ITR (196) is 49 us; the C driver ORs in CNT_IGNR.
        assert_eq!(Eitr::from_usecs(49), 0x8000_00C4);
        assert_eq!(Eitr::from_usecs(0), 0x8000_0004);
        assert_eq!(Eitr::from_usecs(u32::MAX), 0x8000_7FFC);
        assert_eq!(Eitr::MAX_USECS, 8191);
    }
}
