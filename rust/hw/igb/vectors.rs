// SPDX-License-Identifier: GPL-2.0

//! How queue pairs map to interrupt vectors, and what that means for
//! GPIE, IVAR, EIMS, EIAC and IMS.
//!
//! With MSI-X, vector 0 takes the "other" causes (link changes) and
//! vector `p + 1` queue pair `p`, both directions, as the C driver lays
//! them out with paired queues. An MSI-X vector's EICR/EIMS bit is its
//! number. Without enough vectors the driver runs fewer pairs; with one
//! vector (a lone MSI-X vector, MSI or INTx) everything shares it and the
//! causes come through ICR/IMS.
//!
//! Unlike the C driver, the plan uses no EIAM auto-masking, which QEMU
//! does not implement (see [`EIAM`](super::irq::EIAM)): an MSI-X handler
//! masks its vector by writing its [`VectorPlan::pair_eims`] bit to EIMC
//! and unmasks it through EIMS when polling is done, as sgnic's 8254x
//! handler does with IMC and IMS. That behaves the same on QEMU and on
//! an 82576, at one register write per interrupt.

use super::irq::{
    ivar_entry, ivar_slot, Direction, Gpie, Irq, Vector, ICR_DOUTSYNC, ICR_DRSTA, IVAR0,
    IVAR_COUNT, IVAR_MISC_OTHER_SHIFT,
};
use super::queue::{Queue, NUM_QUEUES};

/// Most queue pairs the driver runs (`IGB_MAX_RX_QUEUES`).
pub const MAX_QUEUE_PAIRS: usize = 8;

// Every pair is a queue the device has.
const _: () = assert!(MAX_QUEUE_PAIRS <= NUM_QUEUES);

/// The causes of the "other" vector: link, DMA sync, reset.
const OTHER_CAUSES: u32 = Irq::LSC | ICR_DOUTSYNC | ICR_DRSTA;

/// IMS with a single vector ([`VectorPlan::ims`] in [`Mode::Single`]):
/// the other causes and the queue causes.
pub const SINGLE_VECTOR_IMS: u32 = OTHER_CAUSES | Irq::RXT0 | Irq::TXDW | Irq::RXDMT0 | Irq::RXSEQ;

/// The MSI-X vector of the "other" causes.
pub const OTHER_VECTOR: Vector = Vector::ZERO;

/// What the PCI core granted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Granted {
    /// This many MSI-X vectors (QEMU's PF has 10).
    MsiX(usize),
    /// One MSI vector.
    Msi,
    /// The shared legacy line.
    Intx,
}

/// How interrupts are laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// One MSI-X vector per queue pair plus the other-cause vector.
    MsiX,
    /// One vector for everything, causes read from ICR.
    Single,
}

/// One IVAR entry to program: `queue` in `dir` raises `vector`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IvarEntry {
    /// The queue.
    pub queue: Queue,
    /// Its direction.
    pub dir: Direction,
    /// The vector (EICR bit) it raises.
    pub vector: Vector,
}

/// The interrupt layout for a number of queue pairs.
///
/// # Invariants
///
/// `1 <= pairs <= MAX_QUEUE_PAIRS`, and `pairs == 1` in [`Mode::Single`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VectorPlan {
    mode: Mode,
    pairs: usize,
}

impl VectorPlan {
    /// The MSI-X vector range to ask for when `pairs` queue pairs are
    /// wanted: at least 2 (one pair and the other causes), at most one
    /// per pair (capped) plus one.
    pub fn msix_request(pairs: usize) -> (usize, usize) {
        (2, pairs.clamp(1, MAX_QUEUE_PAIRS) + 1)
    }

    /// The layout for `wanted` queue pairs given what was `granted`: as
    /// many pairs as the vectors allow (at least one, at most
    /// [`MAX_QUEUE_PAIRS`]); a single vector runs one pair.
    pub fn new(wanted: usize, granted: Granted) -> Self {
        let wanted = wanted.clamp(1, MAX_QUEUE_PAIRS);
        match granted {
            Granted::MsiX(n) if n >= 2 => Self {
                mode: Mode::MsiX,
                // INVARIANT: 1 <= n - 1, and `wanted` is clamped.
                pairs: wanted.min(n - 1),
            },
            // INVARIANT: one pair on the single vector.
            _ => Self {
                mode: Mode::Single,
                pairs: 1,
            },
        }
    }

    /// The mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Queue pairs to run.
    pub fn pairs(&self) -> usize {
        self.pairs
    }

    /// The queues of the pairs to run (pair `p` is RX and TX queue `p`).
    pub fn queues(&self) -> impl Iterator<Item = Queue> {
        Queue::all().take(self.pairs)
    }

    /// Vectors used.
    pub fn vectors(&self) -> usize {
        match self.mode {
            Mode::MsiX => self.pairs + 1,
            Mode::Single => 1,
        }
    }

    /// The vector of queue pair `pair`, also the index of its EITR;
    /// `None` for a pair the plan does not run.
    pub fn pair_vector(&self, pair: Queue) -> Option<Vector> {
        if pair.index() >= self.pairs {
            return None;
        }
        match self.mode {
            Mode::MsiX => Vector::new(pair.index() + 1),
            Mode::Single => Some(Vector::ZERO),
        }
    }

    /// The EIMS/EIMC/EICS bit of queue pair `pair`: 0 in single mode
    /// (where reading ICR masks the causes, see [`Self::iam`], and IMS
    /// unmasks them) and for a pair the plan does not run.
    pub fn pair_eims(&self, pair: Queue) -> u32 {
        match self.mode {
            Mode::MsiX => self.pair_vector(pair).map_or(0, Vector::eims_bit),
            Mode::Single => 0,
        }
    }

    /// The EIMS bit of the other-cause vector (0 in single mode).
    pub fn other_eims(&self) -> u32 {
        match self.mode {
            Mode::MsiX => OTHER_VECTOR.eims_bit(),
            Mode::Single => 0,
        }
    }

    /// Every EIMS bit in use: what EIMS and EIAC get (`eims_enable_mask`
    /// in C, which also ORs it into EIAM; this plan leaves EIAM alone).
    /// QEMU sends a vector's message only when its bit of EICR & EIMS
    /// goes from 0 to 1 (re-enabling in EIMS sends a pending one), so
    /// without EIAC clearing EICR a vector fires once.
    pub fn eims_enable_mask(&self) -> u32 {
        self.queues()
            .fold(self.other_eims(), |m, p| m | self.pair_eims(p))
    }

    /// GPIE: MSI-X mode with PBA support and ICR cleared on every read,
    /// as `igb_configure_msix()` writes it but without EIAME (no
    /// auto-masking, see the module documentation); 0 in single mode.
    /// Write it before IVAR, EIAC and EIMS. The other-cause handler must
    /// read ICR: QEMU raises the other vector only for an ICR & IMS bit
    /// that was clear, and NSICR makes that read clear ICR.
    pub fn gpie(&self) -> u32 {
        match self.mode {
            Mode::MsiX => Gpie::MSIX_MODE | Gpie::PBA | Gpie::NSICR,
            Mode::Single => 0,
        }
    }

    /// The IVAR entries: each pair's RX and TX queue to its vector. In
    /// single mode pair 0 maps to vector 0 too: QEMU raises TXDW only for
    /// a TX queue with a valid IVAR entry.
    pub fn ivar_entries(&self) -> impl Iterator<Item = IvarEntry> + '_ {
        self.queues().flat_map(move |queue| {
            self.pair_vector(queue).into_iter().flat_map(move |vector| {
                [Direction::Rx, Direction::Tx].map(|dir| IvarEntry { queue, dir, vector })
            })
        })
    }

    /// The whole IVAR table: register `n` is at `IVAR0 + 4 * n`. Entries
    /// of unused queues stay invalid.
    pub fn ivar(&self) -> [u32; IVAR_COUNT] {
        let mut regs = [0u32; IVAR_COUNT];
        for e in self.ivar_entries() {
            let (offset, shift) = ivar_slot(e.queue, e.dir);
            regs[(offset - IVAR0) / 4] |= u32::from(ivar_entry(e.vector)) << shift;
        }
        regs
    }

    /// IVAR_MISC: the other causes on [`OTHER_VECTOR`] (0 in single mode).
    pub fn ivar_misc(&self) -> u32 {
        match self.mode {
            Mode::MsiX => u32::from(ivar_entry(OTHER_VECTOR)) << IVAR_MISC_OTHER_SHIFT,
            Mode::Single => 0,
        }
    }

    /// IMS: with MSI-X only the other causes (link, DMA sync, reset),
    /// which raise the other vector (any queue cause enabled here would
    /// raise it too, on every frame); in single mode also the queue
    /// causes (C's `IMS_ENABLE_MASK | E1000_IMS_DRSTA`).
    pub fn ims(&self) -> u32 {
        match self.mode {
            Mode::MsiX => OTHER_CAUSES,
            Mode::Single => SINGLE_VECTOR_IMS,
        }
    }

    /// IAM: in single mode, reading ICR masks what IMS enabled until the
    /// driver re-enables it after polling; nothing with MSI-X.
    pub fn iam(&self) -> u32 {
        match self.mode {
            Mode::MsiX => 0,
            Mode::Single => self.ims(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(wanted: usize, granted: Granted) -> VectorPlan {
        VectorPlan::new(wanted, granted)
    }

    fn q(n: usize) -> Queue {
        Queue::new(n).unwrap()
    }

    fn v(n: usize) -> Vector {
        Vector::new(n).unwrap()
    }

    #[test]
    fn full_msix() {
        let p = plan(4, Granted::MsiX(5));
        assert_eq!((p.mode(), p.pairs(), p.vectors()), (Mode::MsiX, 4, 5));
        let vectors = [0, 1, 2, 3].map(|n| p.pair_vector(q(n)));
        assert_eq!(vectors, [1, 2, 3, 4].map(|n| Some(v(n))));
        assert_eq!(
            [0, 1, 2, 3].map(|n| p.pair_eims(q(n))),
            [0x2, 0x4, 0x8, 0x10]
        );
        // A pair the plan does not run has no vector and no bit.
        assert_eq!((p.pair_vector(q(4)), p.pair_eims(q(4))), (None, 0));
        assert_eq!(p.queues().map(Queue::index).last(), Some(3));
        assert_eq!(p.other_eims(), 0x1);
        assert_eq!(p.eims_enable_mask(), 0x1F);
        // igb_configure_msix()'s GPIE (0xC000_0011) less EIAME, and
        // IVAR_MISC = (0 | VALID) << 8.
        assert_eq!(p.gpie(), 0x8000_0011);
        assert_eq!(p.ivar_misc(), 0x8000);
        // igb_irq_enable() with MSI-X.
        assert_eq!(p.ims(), 0x5000_0004);
        assert_eq!(p.iam(), 0);
    }

    #[test]
    fn ivar_programming() {
        let p = plan(4, Granted::MsiX(5));
        let entries: [IvarEntry; 8] = {
            let mut it = p.ivar_entries();
            core::array::from_fn(|_| it.next().unwrap())
        };
        assert_eq!(p.ivar_entries().count(), 8);
        assert_eq!(
            entries[0],
            IvarEntry {
                queue: Queue::ZERO,
                dir: Direction::Rx,
                vector: v(1)
            }
        );
        assert_eq!(
            entries[7],
            IvarEntry {
                queue: q(3),
                dir: Direction::Tx,
                vector: v(4)
            }
        );
        // Row q: RX byte 0, TX byte 1, both (vector | 0x80).
        assert_eq!(p.ivar(), [0x8181, 0x8282, 0x8383, 0x8484, 0, 0, 0, 0]);
        let full = plan(8, Granted::MsiX(9));
        assert_eq!(full.ivar()[7], 0x8888);
        assert_eq!(full.eims_enable_mask(), 0x1FF);
        assert_eq!(full.pair_vector(q(7)), Some(v(8)));
    }

    #[test]
    fn fewer_vectors_fewer_pairs() {
        let p = plan(8, Granted::MsiX(3));
        assert_eq!((p.mode(), p.pairs(), p.vectors()), (Mode::MsiX, 2, 3));
        assert_eq!(p.eims_enable_mask(), 0x7);
        assert_eq!(p.ivar(), [0x8181, 0x8282, 0, 0, 0, 0, 0, 0]);
        assert_eq!(p.pair_vector(q(2)), None);
        // Two vectors still give one pair its own vector.
        let p = plan(8, Granted::MsiX(2));
        assert_eq!((p.mode(), p.pairs()), (Mode::MsiX, 1));
        // More vectors than wanted: only what is wanted.
        let p = plan(2, Granted::MsiX(10));
        assert_eq!((p.pairs(), p.vectors()), (2, 3));
        // Never more than MAX_QUEUE_PAIRS, never fewer than one.
        assert_eq!(plan(16, Granted::MsiX(10)).pairs(), MAX_QUEUE_PAIRS);
        assert_eq!(plan(0, Granted::MsiX(10)).pairs(), 1);
    }

    #[test]
    fn single_vector_fallbacks() {
        for granted in [
            Granted::MsiX(1),
            Granted::MsiX(0),
            Granted::Msi,
            Granted::Intx,
        ] {
            let p = plan(4, granted);
            assert_eq!(
                (p.mode(), p.pairs(), p.vectors()),
                (Mode::Single, 1, 1),
                "{granted:?}"
            );
            assert_eq!(p.pair_vector(Queue::ZERO), Some(Vector::ZERO));
            assert_eq!(p.pair_vector(q(1)), None);
            assert_eq!(
                (
                    p.pair_eims(Queue::ZERO),
                    p.other_eims(),
                    p.eims_enable_mask()
                ),
                (0, 0, 0)
            );
            assert_eq!((p.gpie(), p.ivar_misc()), (0, 0));
            // igb_request_irq()'s igb_assign_vector(q_vector[0], 0).
            assert_eq!(p.ivar(), [0x8080, 0, 0, 0, 0, 0, 0, 0]);
            // IMS_ENABLE_MASK | E1000_IMS_DRSTA, and IAM the same.
            assert_eq!(p.ims(), 0x5000_009D);
            assert_eq!(p.iam(), p.ims());
        }
    }

    #[test]
    fn request_range() {
        assert_eq!(VectorPlan::msix_request(4), (2, 5));
        assert_eq!(VectorPlan::msix_request(0), (2, 2));
        assert_eq!(VectorPlan::msix_request(100), (2, 9));
    }
}
