// SPDX-License-Identifier: GPL-2.0

//! The VLAN filter table (VFTA): one bit per VLAN ID, 4096 in 128
//! registers. With RCTL.VFE set, the device drops a tagged frame whose ID
//! has no bit; untagged frames pass. VLAN 0 (802.1p priority tags, which
//! the stack untags itself) is always accepted, as the C igb keeps it.

use super::regs::{vfta_index_bit, VFTA_LEN};

/// The VLAN IDs a port accepts, as the VFTA registers hold them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VlanFilter {
    words: [u32; VFTA_LEN],
}

impl Default for VlanFilter {
    fn default() -> Self {
        Self::new()
    }
}

impl VlanFilter {
    /// Only VLAN 0 accepted.
    pub const fn new() -> Self {
        let mut words = [0; VFTA_LEN];
        words[0] = 1;
        Self { words }
    }

    /// Accepts (`on`) or drops VLAN `vid` (its low 12 bits; VLAN 0 stays
    /// accepted); returns the register concerned and its new value, to
    /// write to the device.
    pub fn set(&mut self, vid: u16, on: bool) -> (usize, u32) {
        let (index, bit) = vfta_index_bit(vid);
        // The index is masked below VFTA_LEN.
        let word = &mut self.words[index];
        if on || vid & 0xFFF == 0 {
            *word |= bit;
        } else {
            *word &= !bit;
        }
        (index, *word)
    }

    /// Whether VLAN `vid` is accepted.
    pub fn contains(&self, vid: u16) -> bool {
        let (index, bit) = vfta_index_bit(vid);
        self.words[index] & bit != 0
    }

    /// Every register's value, in order (to program the whole table
    /// after a reset).
    pub fn words(&self) -> &[u32; VFTA_LEN] {
        &self.words
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_and_clear_report_the_changed_register() {
        let mut f = VlanFilter::new();
        assert!(f.contains(0));
        assert_eq!(f.set(10, true), (0, 1 | 1 << 10));
        assert_eq!(f.set(4095, true), (127, 1 << 31));
        assert!(f.contains(10) && f.contains(4095));
        assert!(!f.contains(11));
        assert_eq!(f.set(10, false), (0, 1));
        // Clearing an ID that was never set changes nothing.
        assert_eq!(f.set(20, false), (0, 1));
        assert_eq!(f.words().iter().filter(|w| **w != 0).count(), 2);
    }

    #[test]
    fn vlan_zero_stays_accepted() {
        let mut f = VlanFilter::new();
        assert_eq!(f.words()[0], 1);
        assert_eq!(f.set(0, false), (0, 1));
        assert_eq!(f.set(0xE000, false), (0, 1));
        assert!(f.contains(0));
    }

    #[test]
    fn priority_and_cfi_bits_are_ignored() {
        let mut f = VlanFilter::new();
        f.set(0xE000 | 100, true);
        assert!(f.contains(100));
        assert_eq!(f.set(100, false), (3, 0));
    }
}
