// SPDX-License-Identifier: GPL-2.0

//! The 82576's device-wide registers: offsets, and the plain bit sets of
//! CTRL, CTRL_EXT, STATUS, RCTL, TCTL and RXCSUM, the receive address,
//! multicast and VLAN filter tables, and the statistics the driver reads.
//!
//! Offsets and bits follow the 82576 datasheet as the C igb driver spells
//! them (`e1000_regs.h`, `e1000_82575.h`, `e1000_defines.h`). Where both
//! families keep a register at the same offset with the same bits, it is
//! re-exported from the shared register file and only the 82576's additions are defined
//! here. The rest of the register file lives with its concern: per-queue
//! blocks in [`super::queue`], interrupts in [`super::irq`], RSS in
//! [`super::rss`], EERD in [`super::eeprom`], MDIC in [`super::mdic`].

use super::super::regs as shared;

/// The register file in BAR 0 is 128 KiB, as on the 8254x (and as QEMU
/// maps it).
pub use shared::BAR0_SIZE;
/// RX checksum control: the 8254x offset; see [`Rxcsum`].
pub use shared::RXCSUM;
/// Device control, device status and extended device control: the
/// 8254x offsets.
pub use shared::{CTRL, CTRL_EXT, STATUS};
/// Receive and transmit control: the 8254x offsets.
pub use shared::{RCTL, TCTL};

/// CTRL bits FD, ASDE, SLU, RST and PHY_RST sit at the 8254x positions;
/// the 82576 adds [`CTRL_VME`].
pub use shared::Ctrl;
/// RCTL bits EN, SBP, UPE, MPE, LPE, BAM and SECRC sit at the 8254x
/// positions; the 82576 adds [`RCTL_VFE`]. The receive buffer size comes
/// from SRRCTL ([`super::queue::Srrctl`]), so the 8254x BSIZE/BSEX
/// encoding (`e1000::regs::rctl_with_buffer_size`) does not apply. With LPE, frames
/// up to [`RLPML`] are received; without SECRC, QEMU appends four zero
/// bytes where the FCS would be.
pub use shared::Rctl;
/// The 8254x STATUS decoding holds on the 82576: FD bit 0, LU bit 1,
/// speed in bits 7:6.
pub use shared::Status;
/// TCTL has the 8254x layout (EN, PSP, CT, COLD, RTLC).
pub use shared::Tctl;

/// CTRL: VLAN mode. Strip the tag of received frames into the descriptor
/// (QEMU strips when this is set and VMDq is off). QEMU's 82576 inserts a
/// tag on transmit for the data descriptor's VLE alone, whatever this bit
/// says (its e1000e model also wants VME).
pub const CTRL_VME: u32 = 1 << 30;

/// RCTL: VLAN filter enable (the [`vfta`] table).
pub const RCTL_VFE: u32 = 1 << 18;

/// CTRL_EXT bits.
pub struct CtrlExt;
impl CtrlExt {
    /// A driver has taken over the device from firmware.
    pub const DRV_LOAD: u32 = 1 << 28;
}

/// VLAN EtherType: bits 15:0 the tag protocol the device recognises.
pub const VET: usize = 0x0038;

/// The 802.1Q tag protocol, VET's reset value.
pub const VET_8021Q: u32 = 0x8100;

/// RX long packet maximum length (with RCTL.LPE). QEMU drops a frame
/// whose length plus FCS exceeds it, so it must cover the MTU's frame.
pub const RLPML: usize = 0x5004;

/// RXCSUM bits for checksum offload. PCSD, which RSS needs, is defined
/// with RSS in [`super::rss`].
pub struct Rxcsum;
impl Rxcsum {
    /// Verify IPv4 header checksums (set at reset).
    pub const IPOFLD: u32 = 1 << 8;
    /// Verify TCP/UDP checksums (set at reset).
    pub const TUOFLD: u32 = 1 << 9;
    /// Verify SCTP CRC32c.
    pub const CRCOFL: u32 = 1 << 11;
}

/// Receive address pairs 0..16: the 8254x block.
pub use shared::RA_BASE;
/// RAL/RAH hold a MAC address in the 8254x layout: address bytes 0..4 in
/// RAL, 4..6 in RAH bits 15:0, and [`RAH_AV`] marks the pair valid. On the
/// 82576, RAH bits 25:18 (POOLSEL) also name the VMDq pools the address
/// belongs to: `igb_rar_set_index()` ORs in `E1000_RAH_POOL_1 << pool`,
/// pool 0 for the PF's own address without VFs. OR [`rah_pool`] into the
/// RAH value these give.
pub use shared::{mac_from_ral_rah, ral_rah_from_mac, RAH_AV};

/// Receive address pairs 16..24.
pub const RA2_BASE: usize = 0x54E0;
/// Receive address pairs on the 82576 (the 8254x has 16).
pub const RA_LEN: usize = 24;

/// Offset of receive address low `n`: 0..16 in the 8254x block, 16..24
/// in a second one; `None` past [`RA_LEN`].
pub const fn ral(n: usize) -> Option<usize> {
    if n < 16 {
        Some(RA_BASE + 8 * n)
    } else if n < RA_LEN {
        Some(RA2_BASE + 8 * (n - 16))
    } else {
        None
    }
}

/// Offset of receive address high `n`; `None` past [`RA_LEN`].
pub const fn rah(n: usize) -> Option<usize> {
    match ral(n) {
        Some(ral) => Some(ral + 4),
        None => None,
    }
}

/// RAH: the address belongs to VMDq pool 0 (`E1000_RAH_POOL_1`).
pub const RAH_POOL_1: u32 = 1 << 18;
/// RAH: the pool select field, one bit per pool (`E1000_RAH_POOL_MASK`).
pub const RAH_POOL_MASK: u32 = 0x03FC_0000;
/// VMDq pools the 82576 has (the PF and up to 7 VFs).
pub const RAH_POOLS: u8 = 8;

/// The RAH bit that puts an address in VMDq `pool`, as
/// `igb_rar_set_index()` sets it on the 82576; `None` past
/// [`RAH_POOLS`].
pub const fn rah_pool(pool: u8) -> Option<u32> {
    if pool < RAH_POOLS {
        Some(RAH_POOL_1 << pool)
    } else {
        None
    }
}

/// The multicast hash (filter type 0) and MTA layout are the 8254x ones.
pub use shared::{mta, mta_hash, mta_index_bit, MTA_BASE, MTA_LEN};

/// VLAN filter table array base.
pub const VFTA_BASE: usize = 0x5600;
/// VLAN filter table registers: 4096 bits.
pub const VFTA_LEN: usize = 128;

/// Offset of VLAN filter table register `n`; `None` past [`VFTA_LEN`].
pub const fn vfta(n: usize) -> Option<usize> {
    if n < VFTA_LEN {
        Some(VFTA_BASE + 4 * n)
    } else {
        None
    }
}

/// VFTA register index (below [`VFTA_LEN`]) and bit for VLAN `vid`: its
/// low 12 bits, so priority and CFI bits of a whole tag are ignored.
pub fn vfta_index_bit(vid: u16) -> (usize, u32) {
    (usize::from(vid >> 5) & (VFTA_LEN - 1), 1 << (vid & 0x1F))
}

/// Statistics at the 8254x offsets. QEMU does not clear CRCERRS, MPC or
/// RNBC on read (the 8254x `stats` module copes) and clears a 64-bit
/// pair only when its high half is read.
pub use shared::{CRCERRS, MPC, RNBC, ROC, RUC};

/// Good packets received.
pub const GPRC: usize = 0x4074;
/// Broadcast packets received.
pub const BPRC: usize = 0x4078;
/// Multicast packets received.
pub const MPRC: usize = 0x407C;
/// Good packets transmitted.
pub const GPTC: usize = 0x4080;
/// Good octets received, low half.
pub const GORCL: usize = 0x4088;
/// Good octets received, high half.
pub const GORCH: usize = 0x408C;
/// Good octets transmitted, low half.
pub const GOTCL: usize = 0x4090;
/// Good octets transmitted, high half.
pub const GOTCH: usize = 0x4094;
/// Total packets received.
pub const TPR: usize = 0x40D0;
/// Total packets transmitted.
pub const TPT: usize = 0x40D4;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_match_the_c_headers() {
        // e1000_regs.h.
        assert_eq!(
            [CTRL, STATUS, CTRL_EXT, VET],
            [0x0000, 0x0008, 0x0018, 0x0038]
        );
        assert_eq!(
            [RCTL, TCTL, RXCSUM, RLPML],
            [0x0100, 0x0400, 0x5000, 0x5004]
        );
        assert_eq!(
            [RA_BASE, RA2_BASE, MTA_BASE, VFTA_BASE],
            [0x5400, 0x54E0, 0x5200, 0x5600]
        );
        assert_eq!(BAR0_SIZE, 0x20000);
        let stats = [CRCERRS, MPC, RNBC, RUC, ROC];
        assert_eq!(stats, [0x4000, 0x4010, 0x40A0, 0x40A4, 0x40AC]);
        let stats = [GPRC, BPRC, MPRC, GPTC, GORCL, GORCH, GOTCL, GOTCH, TPR, TPT];
        let c = [
            0x4074, 0x4078, 0x407C, 0x4080, 0x4088, 0x408C, 0x4090, 0x4094, 0x40D0, 0x40D4,
        ];
        assert_eq!(stats, c);
    }

    #[test]
    fn shared_bits_match_the_c_headers() {
        // igb's e1000_defines.h values of the bits the 8254x types carry.
        let ctrl = [Ctrl::FD, Ctrl::ASDE, Ctrl::SLU, Ctrl::RST, Ctrl::PHY_RST];
        assert_eq!(ctrl, [0x1, 0x20, 0x40, 0x0400_0000, 0x8000_0000]);
        let rctl = [Rctl::EN, Rctl::SBP, Rctl::UPE, Rctl::MPE, Rctl::LPE];
        assert_eq!(rctl, [0x2, 0x4, 0x8, 0x10, 0x20]);
        assert_eq!([Rctl::BAM, Rctl::SECRC], [0x8000, 0x0400_0000]);
        assert_eq!([Tctl::EN, Tctl::PSP, Tctl::RTLC], [0x2, 0x8, 0x0100_0000]);
        assert_eq!([Status::FD, Status::LU], [0x1, 0x2]);
        // E1000_STATUS_SPEED_100 and _1000.
        assert_eq!(Status(0x40).speed_mbps(), 100);
        assert_eq!(Status(0x80).speed_mbps(), 1000);
        assert_eq!(RAH_AV, 0x8000_0000);
    }

    #[test]
    fn added_bits_match_the_c_headers() {
        // e1000_defines.h.
        assert_eq!(CTRL_VME, 0x4000_0000);
        assert_eq!(RCTL_VFE, 0x0004_0000);
        assert_eq!(CtrlExt::DRV_LOAD, 0x1000_0000);
        assert_eq!(RAH_POOL_1, 0x0004_0000);
        assert_eq!(RAH_POOL_MASK, 0x03FC_0000);
        let rxcsum = [Rxcsum::IPOFLD, Rxcsum::TUOFLD, Rxcsum::CRCOFL];
        assert_eq!(rxcsum, [0x100, 0x200, 0x800]);
    }

    #[test]
    fn receive_addresses() {
        // E1000_RAL(_i)/E1000_RAH(_i): 0x05400 + 8i up to 15, then
        // 0x054E0 + 8(i - 16).
        assert_eq!((ral(0), rah(0)), (Some(0x5400), Some(0x5404)));
        assert_eq!((ral(15), rah(15)), (Some(0x5478), Some(0x547C)));
        assert_eq!((ral(16), rah(16)), (Some(0x54E0), Some(0x54E4)));
        assert_eq!((ral(23), rah(23)), (Some(0x5518), Some(0x551C)));
        assert_eq!((ral(RA_LEN), rah(RA_LEN)), (None, None));
        assert_eq!(ral(usize::MAX), None);
    }

    #[test]
    fn receive_address_pools() {
        // igb_rar_set_index() on the 82576: E1000_RAH_POOL_1 << pool.
        assert_eq!(rah_pool(0), Some(0x0004_0000));
        assert_eq!(rah_pool(7), Some(0x0200_0000));
        assert_eq!(rah_pool(8), None);
        // The PF's address without VFs: 52:54:00:12:34:56, valid, pool 0.
        let (_, rah) = ral_rah_from_mac(&[0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
        assert_eq!(rah | rah_pool(0).unwrap(), 0x8004_5634);
        // The pool bits do not disturb the address.
        let ral = 0x1200_5452;
        let mac = mac_from_ral_rah(ral, 0x8004_5634);
        assert_eq!(mac, [0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
    }

    #[test]
    fn vlan_filter_table() {
        assert_eq!(vfta(0), Some(0x5600));
        assert_eq!(vfta(VFTA_LEN - 1), Some(0x57FC));
        assert_eq!(vfta(VFTA_LEN), None);
        assert_eq!(vfta_index_bit(0), (0, 1));
        assert_eq!(vfta_index_bit(100), (3, 1 << 4));
        assert_eq!(vfta_index_bit(4095), (127, 1 << 31));
        // Priority/CFI bits above the VID do not leak into the index.
        assert_eq!(vfta_index_bit(0xF000 | 100), (3, 1 << 4));
    }
}
