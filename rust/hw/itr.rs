// SPDX-License-Identifier: GPL-2.0

//! Interrupt throttling (ITR) interval conversion.

/// ITR counts in units of 256 ns.
const ITR_UNIT_NS: u32 = 256;

/// Largest interval the 16-bit ITR field holds.
const ITR_MAX: u32 = 0xFFFF;

/// Default RX interrupt delay: 50 us caps the rate near 20k interrupts/s,
/// enough batching for NAPI without adding visible latency under TCG.
pub const DEFAULT_RX_USECS: u32 = 50;

/// ITR value for a minimum gap of `usecs` between interrupts (0 disables
/// throttling).
pub fn itr_from_usecs(usecs: u32) -> u32 {
    let ns = u64::from(usecs) * 1000;
    let units = (ns + u64::from(ITR_UNIT_NS) / 2) / u64::from(ITR_UNIT_NS);
    units.min(u64::from(ITR_MAX)) as u32
}

/// The interval an ITR value stands for, rounded to whole microseconds.
pub fn usecs_from_itr(itr: u32) -> u32 {
    let ns = (itr & ITR_MAX) * ITR_UNIT_NS;
    (ns + 500) / 1000
}

/// How interrupt-heavy the recent traffic is, for adaptive moderation.
///
/// Small, sparse packets want interrupts at once (latency); streams of
/// full frames want few interrupts, each covering many frames (CPU).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadClass {
    /// Sparse small packets: up to 70000 interrupts/s.
    LowestLatency,
    /// Mixed traffic: up to 20000 interrupts/s.
    LowLatency,
    /// A bulk stream: up to 4000 interrupts/s.
    Bulk,
}

impl LoadClass {
    /// The interrupt rate cap for this class.
    pub fn interrupts_per_sec(self) -> u32 {
        match self {
            LoadClass::LowestLatency => 70_000,
            LoadClass::LowLatency => 20_000,
            LoadClass::Bulk => 4_000,
        }
    }

    /// The ITR register value for this class.
    pub fn itr(self) -> u32 {
        1_000_000_000 / (self.interrupts_per_sec() * ITR_UNIT_NS)
    }

    /// The class for the next interval, given the `packets` and `bytes`
    /// one interrupt's worth of work moved. Thresholds follow the 8254x
    /// documentation's guidance (as the C e1000 driver uses them): move
    /// towards bulk when the average frame is large, towards latency when
    /// traffic is light.
    pub fn next(self, packets: u32, bytes: u32) -> Self {
        if packets == 0 {
            return self;
        }
        let per_packet = bytes / packets;
        match self {
            LoadClass::LowestLatency if per_packet > 8000 => LoadClass::Bulk,
            LoadClass::LowestLatency if packets < 5 && bytes > 512 => LoadClass::LowLatency,
            LoadClass::LowestLatency => self,
            LoadClass::LowLatency if bytes > 10_000 => {
                if per_packet > 8000 || packets < 10 || per_packet > 1200 {
                    LoadClass::Bulk
                } else if packets > 35 {
                    LoadClass::LowestLatency
                } else {
                    self
                }
            }
            LoadClass::LowLatency if per_packet > 2000 => LoadClass::Bulk,
            LoadClass::LowLatency if packets <= 2 && bytes < 512 => LoadClass::LowestLatency,
            LoadClass::LowLatency => self,
            LoadClass::Bulk if bytes > 25_000 && packets > 35 => LoadClass::LowLatency,
            LoadClass::Bulk if bytes < 6000 => LoadClass::LowLatency,
            LoadClass::Bulk => self,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_classes() {
        use LoadClass::*;
        assert_eq!(Bulk.itr(), 976);
        assert_eq!(LowLatency.itr(), 195);
        assert_eq!(LowestLatency.itr(), 55);
        // A stream of full frames goes bulk and stays there.
        assert_eq!(LowLatency.next(20, 20 * 1514), Bulk);
        assert_eq!(Bulk.next(20, 20 * 1514), Bulk);
        // TSO super-frames count as huge packets.
        assert_eq!(LowestLatency.next(2, 2 * 65000), Bulk);
        // Request/response: one small packet per interrupt.
        assert_eq!(Bulk.next(1, 66), LowLatency);
        assert_eq!(LowLatency.next(1, 66), LowestLatency);
        assert_eq!(LowestLatency.next(1, 66), LowestLatency);
        // Many small packets at a high rate: latency class.
        assert_eq!(LowLatency.next(40, 40 * 300), LowestLatency);
        // No work: no change.
        assert_eq!(Bulk.next(0, 0), Bulk);
    }

    #[test]
    fn conversion() {
        assert_eq!(itr_from_usecs(0), 0);
        assert_eq!(itr_from_usecs(50), 195);
        assert_eq!(itr_from_usecs(1_000_000), ITR_MAX);
        for us in [1, 10, 50, 125, 1000, 16000] {
            assert_eq!(usecs_from_itr(itr_from_usecs(us)), us, "{us} us");
        }
    }
}
