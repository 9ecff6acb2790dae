// SPDX-License-Identifier: GPL-2.0

//! The registers both device families keep at the same offsets and with
//! the same bits: device control and status, the EEPROM and PHY access
//! registers, interrupt cause and mask, receive and transmit control, the
//! address filters and the drop statistics.
//!
//! Offsets and bit positions come from the Intel PCI/PCI-X Family of
//! Gigabit Ethernet Controllers Software Developer's Manual (8254x); the
//! 82576 datasheet keeps them. What only one family has lives in
//! `e1000::regs` and `igb::regs`, which re-export these.

/// Size of the memory-mapped register file in BAR 0.
pub const BAR0_SIZE: usize = 0x20000;

/// Device control.
pub const CTRL: usize = 0x0000;
/// Device status.
pub const STATUS: usize = 0x0008;
/// EEPROM read.
pub const EERD: usize = 0x0014;
/// Extended device control.
pub const CTRL_EXT: usize = 0x0018;
/// MDI control.
pub const MDIC: usize = 0x0020;
/// Interrupt cause read (clears on read).
pub const ICR: usize = 0x00C0;
/// Interrupt cause set.
pub const ICS: usize = 0x00C8;
/// Interrupt mask set/read.
pub const IMS: usize = 0x00D0;
/// Interrupt mask clear.
pub const IMC: usize = 0x00D8;
/// Receive control.
pub const RCTL: usize = 0x0100;
/// Transmit control.
pub const TCTL: usize = 0x0400;
/// RX checksum control.
pub const RXCSUM: usize = 0x5000;
/// Multicast table array base (128 registers).
pub const MTA_BASE: usize = 0x5200;
/// Entries in the multicast table array.
pub const MTA_LEN: usize = 128;
/// Receive address array base (16 RAL/RAH pairs).
pub const RA_BASE: usize = 0x5400;
/// Missed packets count (RX ring full), cleared on read.
pub const MPC: usize = 0x4010;
/// Receive-no-buffers count (the ring was found empty; the frame may
/// still have been stored later), cleared on read.
pub const RNBC: usize = 0x40A0;
/// CRC error count.
pub const CRCERRS: usize = 0x4000;
/// Receive undersize count: frames shorter than 64 bytes with a good CRC,
/// cleared on read.
pub const RUC: usize = 0x40A4;
/// Receive oversize count: frames longer than the MAC accepts (1518 bytes
/// without long-packet reception, 16 KiB with it), dropped; cleared on read.
pub const ROC: usize = 0x40AC;

/// Offset of MTA entry `n`.
pub const fn mta(n: usize) -> usize {
    MTA_BASE + 4 * n
}

/// Offset of receive address low `n`.
pub const fn ral(n: usize) -> usize {
    RA_BASE + 8 * n
}

/// Offset of receive address high `n`.
pub const fn rah(n: usize) -> usize {
    RA_BASE + 8 * n + 4
}

/// CTRL bits.
pub struct Ctrl;
impl Ctrl {
    /// Full duplex.
    pub const FD: u32 = 1 << 0;
    /// Auto-speed detection.
    pub const ASDE: u32 = 1 << 5;
    /// Set link up.
    pub const SLU: u32 = 1 << 6;
    /// Device reset (self-clearing).
    pub const RST: u32 = 1 << 26;
    /// PHY reset.
    pub const PHY_RST: u32 = 1 << 31;
}

/// A STATUS register value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Status(pub u32);
impl Status {
    /// Full duplex.
    pub const FD: u32 = 1 << 0;
    /// Link up.
    pub const LU: u32 = 1 << 1;
    const SPEED_SHIFT: u32 = 6;
    const SPEED_MASK: u32 = 0b11;

    /// Whether the value says the device is gone: a read from a device
    /// that left the bus (surprise removal, a dead link) returns all
    /// ones, which a live 8254x never reports (bits 31..30 are reserved).
    pub fn device_gone(self) -> bool {
        self.0 == u32::MAX
    }

    /// Whether the link is up (never on a device that is gone).
    pub fn link_up(self) -> bool {
        !self.device_gone() && self.0 & Self::LU != 0
    }

    /// Whether the link runs full duplex.
    pub fn full_duplex(self) -> bool {
        self.0 & Self::FD != 0
    }

    /// Link speed in Mb/s.
    pub fn speed_mbps(self) -> u32 {
        match (self.0 >> Self::SPEED_SHIFT) & Self::SPEED_MASK {
            0 => 10,
            1 => 100,
            _ => 1000,
        }
    }
}

/// Interrupt cause bits (ICR, ICS, IMS, IMC).
pub struct Irq;
impl Irq {
    /// A TX descriptor was written back.
    pub const TXDW: u32 = 1 << 0;
    /// Link status change.
    pub const LSC: u32 = 1 << 2;
    /// RX sequence error.
    pub const RXSEQ: u32 = 1 << 3;
    /// RX descriptors below the minimum threshold.
    pub const RXDMT0: u32 = 1 << 4;
    /// RX overrun.
    pub const RXO: u32 = 1 << 6;
    /// RX timer: frames were received.
    pub const RXT0: u32 = 1 << 7;
}

/// An RCTL register value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rctl(pub u32);
impl Rctl {
    /// Receiver enable.
    pub const EN: u32 = 1 << 1;
    /// Store bad packets.
    pub const SBP: u32 = 1 << 2;
    /// Unicast promiscuous.
    pub const UPE: u32 = 1 << 3;
    /// Multicast promiscuous.
    pub const MPE: u32 = 1 << 4;
    /// Long packet (jumbo) enable.
    pub const LPE: u32 = 1 << 5;
    /// Accept broadcast.
    pub const BAM: u32 = 1 << 15;
    /// Strip the Ethernet CRC.
    pub const SECRC: u32 = 1 << 26;
}

/// TCTL bits.
pub struct Tctl;
impl Tctl {
    /// Transmitter enable.
    pub const EN: u32 = 1 << 1;
    /// Pad short packets.
    pub const PSP: u32 = 1 << 3;
    /// Re-transmit on late collision.
    pub const RTLC: u32 = 1 << 24;

    /// Enabled, padding, with the IEEE collision threshold and full-duplex
    /// collision distance.
    pub const fn full_duplex() -> u32 {
        Self::EN | Self::PSP | (0x0F << 4) | (0x40 << 12)
    }
}

/// RAH bit: the address is valid and used for filtering.
pub const RAH_AV: u32 = 1 << 31;

/// The MAC address held in a RAL/RAH pair.
pub fn mac_from_ral_rah(ral: u32, rah: u32) -> [u8; 6] {
    let l = ral.to_le_bytes();
    let h = rah.to_le_bytes();
    [l[0], l[1], l[2], l[3], h[0], h[1]]
}

/// The RAL/RAH pair that filters for `mac`, marked valid.
pub fn ral_rah_from_mac(mac: &[u8; 6]) -> (u32, u32) {
    let ral = u32::from_le_bytes([mac[0], mac[1], mac[2], mac[3]]);
    let rah = u32::from(u16::from_le_bytes([mac[4], mac[5]])) | RAH_AV;
    (ral, rah)
}

/// The 12-bit multicast hash (filter type 0: address bits 47:36).
pub fn mta_hash(mac: &[u8; 6]) -> u16 {
    ((u16::from(mac[4]) >> 4) | (u16::from(mac[5]) << 4)) & 0xFFF
}

/// MTA register index and bit for a hash.
pub fn mta_index_bit(hash: u16) -> (usize, u32) {
    (usize::from(hash >> 5) & 0x7F, 1 << (hash & 0x1F))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets() {
        assert_eq!(ral(0), 0x5400);
        assert_eq!(rah(15), 0x547C);
        assert_eq!(mta(127), 0x53FC);
        assert!(mta(MTA_LEN - 1) < BAR0_SIZE && rah(15) < BAR0_SIZE);
    }

    #[test]
    fn status_decoding() {
        let s = Status(Status::LU | Status::FD | (2 << 6));
        assert!(s.link_up() && s.full_duplex());
        assert_eq!(s.speed_mbps(), 1000);
        assert_eq!(Status(1 << 6).speed_mbps(), 100);
        assert!(!Status(0).link_up());
        // All ones: the device is gone, whatever the bits would mean.
        assert!(Status(u32::MAX).device_gone() && !Status(u32::MAX).link_up());
        assert!(!s.device_gone());
    }

    #[test]
    fn mac_round_trip() {
        let mac = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
        let (l, h) = ral_rah_from_mac(&mac);
        assert_eq!(l, 0x1200_5452);
        assert_eq!(h, 0x8000_5634);
        assert_eq!(mac_from_ral_rah(l, h), mac);
    }

    #[test]
    fn multicast_hash() {
        // 01:00:5e:00:00:01 -> bits 47:36 = 0x010.
        let h = mta_hash(&[0x01, 0x00, 0x5e, 0x00, 0x00, 0x01]);
        assert_eq!(h, 0x010);
        assert_eq!(mta_index_bit(h), (0, 1 << 16));
        assert_eq!(mta_index_bit(0xFFF), (127, 1 << 31));
    }

    #[test]
    fn tctl_value() {
        assert_eq!(Tctl::full_duplex(), 0x0004_00FA);
    }
}
