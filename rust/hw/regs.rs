// SPDX-License-Identifier: GPL-2.0

//! The 8254x register file: offsets and bitfields.
//!
//! Offsets and bit positions come from the Intel PCI/PCI-X Family of
//! Gigabit Ethernet Controllers Software Developer's Manual (8254x).

/// Size of the memory-mapped register file in BAR 0.
pub const BAR0_SIZE: usize = 0x20000;

/// Device control.
pub const CTRL: usize = 0x0000;
/// Device status.
pub const STATUS: usize = 0x0008;
/// EEPROM/flash control.
pub const EECD: usize = 0x0010;
/// EEPROM read.
pub const EERD: usize = 0x0014;
/// Extended device control.
pub const CTRL_EXT: usize = 0x0018;
/// MDI control.
pub const MDIC: usize = 0x0020;
/// Interrupt cause read (clears on read).
pub const ICR: usize = 0x00C0;
/// Interrupt throttling.
pub const ITR: usize = 0x00C4;
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
/// RX checksum control.
pub const RXCSUM: usize = 0x5000;
/// Multicast table array base (128 registers).
pub const MTA_BASE: usize = 0x5200;
/// Entries in the multicast table array.
pub const MTA_LEN: usize = 128;
/// Receive address array base (16 RAL/RAH pairs).
pub const RA_BASE: usize = 0x5400;
/// Receive address pairs.
pub const RA_LEN: usize = 16;
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

/// Smallest MTU (a 60-byte frame less the Ethernet header).
pub const MIN_MTU: u32 = 46;
/// Largest frame with long-packet reception (LPE).
pub const MAX_JUMBO_FRAME: u32 = 16128;
/// Largest MTU: the jumbo frame less header (14) and FCS (4).
pub const MAX_MTU: u32 = 16110;
/// Ethernet header plus FCS: frame length is MTU plus this.
pub const FRAME_OVERHEAD: u32 = 18;

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
    /// TX queue empty.
    pub const TXQE: u32 = 1 << 1;
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
    /// The causes the driver enables.
    pub const DRIVER_MASK: u32 =
        Self::TXDW | Self::LSC | Self::RXSEQ | Self::RXDMT0 | Self::RXO | Self::RXT0;
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
    const BSIZE_SHIFT: u32 = 16;
    const BSIZE_MASK: u32 = 0b11 << 16;
    /// Buffer size extension (BSIZE x16).
    pub const BSEX: u32 = 1 << 25;
    /// Strip the Ethernet CRC.
    pub const SECRC: u32 = 1 << 26;

    /// This value with the receive buffer size set to `bytes`, which must
    /// be one the hardware supports.
    pub fn with_buffer_size(self, bytes: u32) -> Option<Rctl> {
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
        let mut v = self.0 & !(Self::BSIZE_MASK | Self::BSEX);
        v |= bsize << Self::BSIZE_SHIFT;
        if bsex {
            v |= Self::BSEX;
        }
        Some(Rctl(v))
    }
}

/// Longest frame the MAC stores with long-packet reception (LPE) off: a
/// VLAN-tagged standard frame. It discards anything longer.
pub const MAX_STANDARD_FRAME: u32 = 1522;

/// How receive buffers are sized for an MTU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RxSizing {
    /// Buffer size programmed into RCTL (BSIZE/BSEX).
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

/// TIPG for copper: IPGT 10, IPGR1 8, IPGR2 6.
pub const TIPG_COPPER: u32 = 10 | (8 << 10) | (6 << 20);

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

/// Whether `mac` may be a station address: not zero, not multicast.
pub fn is_valid_unicast_mac(mac: &[u8; 6]) -> bool {
    mac.iter().any(|&b| b != 0) && mac[0] & 1 == 0
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
        assert!(mta(MTA_LEN - 1) < BAR0_SIZE && rah(RA_LEN - 1) < BAR0_SIZE);
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
    fn rctl_buffer_sizes() {
        assert_eq!(Rctl(0).with_buffer_size(2048), Some(Rctl(0)));
        assert_eq!(
            Rctl(0).with_buffer_size(4096),
            Some(Rctl(3 << 16 | Rctl::BSEX))
        );
        assert_eq!(
            Rctl(0).with_buffer_size(16384),
            Some(Rctl(1 << 16 | Rctl::BSEX))
        );
        assert_eq!(
            Rctl(Rctl::BSEX | 3 << 16).with_buffer_size(1024),
            Some(Rctl(1 << 16))
        );
        assert_eq!(Rctl(0).with_buffer_size(3000), None);
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
            assert!(Rctl(0).with_buffer_size(s.bsize).is_some());
        }
    }

    #[test]
    fn mac_round_trip() {
        let mac = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
        let (l, h) = ral_rah_from_mac(&mac);
        assert_eq!(l, 0x1200_5452);
        assert_eq!(h, 0x8000_5634);
        assert_eq!(mac_from_ral_rah(l, h), mac);
        assert!(is_valid_unicast_mac(&mac));
        assert!(!is_valid_unicast_mac(&[0; 6]));
        assert!(!is_valid_unicast_mac(&[1, 0, 0x5e, 0, 0, 1]));
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
