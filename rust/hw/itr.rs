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

#[cfg(test)]
mod tests {
    use super::*;

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
