// SPDX-License-Identifier: GPL-2.0

//! The receive address filter: which addresses go into the 15 spare exact
//! receive-address slots and which into the multicast hash.
//!
//! The device accepts a frame whose destination is in any valid RA slot,
//! and otherwise one whose destination hashes to a set MTA bit. The hash
//! applies to unicast destinations too, and an IPv6 solicited-node group
//! (33:33:ff:xx:yy:zz) hashes like the station address it was derived
//! from: hashing that group would keep accepting the old station address
//! after a MAC change. So, as the C e1000 does, secondary unicast addresses
//! take the exact slots first, multicast groups the rest, and only what
//! does not fit is hashed.

use super::regs::{mta_hash, mta_index_bit, MTA_LEN, RA_LEN};

/// Exact slots besides RA[0], which holds the station address.
pub const SPARE_SLOTS: usize = RA_LEN - 1;

/// What the receive filter registers should hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterPlan {
    /// RA[1..=15], in order; `None` leaves the slot invalid.
    pub slots: [Option<[u8; 6]>; SPARE_SLOTS],
    /// The multicast table array.
    pub mta: [u32; MTA_LEN],
    /// More secondary unicast addresses than slots: accept all unicast.
    pub unicast_promiscuous: bool,
}

impl FilterPlan {
    /// An empty plan for a port with `unicast_count` secondary unicast
    /// addresses; add them first, then the multicast groups.
    pub fn new(unicast_count: usize) -> Self {
        Self {
            slots: [None; SPARE_SLOTS],
            mta: [0; MTA_LEN],
            unicast_promiscuous: unicast_count > SPARE_SLOTS,
        }
    }

    /// Places a secondary unicast address in the next free slot (nothing to
    /// do when the port accepts all unicast anyway).
    pub fn add_unicast(&mut self, mac: &[u8; 6]) {
        if !self.unicast_promiscuous {
            if let Some(slot) = self.slots.iter_mut().find(|s| s.is_none()) {
                *slot = Some(*mac);
            }
        }
    }

    /// Places a multicast group in the next free slot, or in the hash.
    pub fn add_multicast(&mut self, mac: &[u8; 6]) {
        if let Some(slot) = self.slots.iter_mut().find(|s| s.is_none()) {
            *slot = Some(*mac);
        } else {
            let (index, bit) = mta_index_bit(mta_hash(mac));
            self.mta[index] |= bit;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mac(last: u8) -> [u8; 6] {
        [0x02, 0, 0, 0, 0xb0, last]
    }

    fn group(last: u8) -> [u8; 6] {
        [0x33, 0x33, 0xff, 0x12, 0x34, last]
    }

    fn plan(count: usize, uc: &[[u8; 6]], mc: &[[u8; 6]]) -> FilterPlan {
        let mut plan = FilterPlan::new(count);
        uc.iter().for_each(|m| plan.add_unicast(m));
        mc.iter().for_each(|m| plan.add_multicast(m));
        plan
    }

    #[test]
    fn few_addresses_need_no_hash() {
        let uc = [mac(1)];
        let mc = [group(2), [0x01, 0, 0x5e, 0, 0, 1]];
        let plan = plan(1, &uc, &mc);
        assert_eq!(plan.slots[0], Some(mac(1)));
        assert_eq!(plan.slots[1], Some(group(2)));
        assert_eq!(plan.slots[2], Some([0x01, 0, 0x5e, 0, 0, 1]));
        assert!(plan.slots[3..].iter().all(Option::is_none));
        // Nothing hashed, so no station address is accepted by the hash.
        assert!(plan.mta.iter().all(|&w| w == 0));
        assert!(!plan.unicast_promiscuous);
    }

    #[test]
    fn groups_beyond_the_slots_are_hashed() {
        let uc: [[u8; 6]; 10] = core::array::from_fn(|i| mac(i as u8));
        let mc: [[u8; 6]; 8] = core::array::from_fn(|i| group(i as u8));
        let plan = plan(uc.len(), &uc, &mc);
        assert!(plan.slots.iter().all(Option::is_some));
        assert_eq!(plan.slots[9], Some(mac(9)));
        assert_eq!(plan.slots[14], Some(group(4)));
        for g in &mc[5..] {
            let (i, bit) = mta_index_bit(mta_hash(g));
            assert_ne!(plan.mta[i] & bit, 0);
        }
        let hashed: u32 = plan.mta.iter().map(|w| w.count_ones()).sum();
        assert_eq!(hashed, 3);
    }

    #[test]
    fn too_many_unicast_addresses_mean_promiscuous() {
        let uc: [[u8; 6]; 16] = core::array::from_fn(|i| mac(i as u8));
        let exact = plan(15, &uc[..15], &[]);
        assert!(!exact.unicast_promiscuous);
        assert_eq!(exact.slots[14], Some(mac(14)));
        let over = plan(16, &uc, &[group(1)]);
        assert!(over.unicast_promiscuous);
        // The slots then serve multicast groups.
        assert_eq!(over.slots[0], Some(group(1)));
    }
}
