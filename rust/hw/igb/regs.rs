// SPDX-License-Identifier: GPL-2.0

//! The 82576 register file: offsets and bitfields the driver programs.
//!
//! Offsets and bits follow the 82576 datasheet as the C igb driver spells
//! them (`e1000_regs.h`, `e1000_82575.h`, `e1000_defines.h`). Where a
//! register sits where the 8254x has it, with the same bits, this file
//! says so and the tests check it against the 8254x `regs` value; where
//! QEMU's model (`hw/net/igb_core.c`) behaves differently from the
//! datasheet, the item says what QEMU does.

use super::super::regs as legacy;

/// The 8254x STATUS decoding holds on the 82576: FD bit 0, LU bit 1,
/// speed in bits 7:6.
pub use legacy::Status;
/// TCTL has the 8254x layout (EN, PSP, CT, COLD, RTLC).
pub use legacy::Tctl;
/// RAL/RAH hold a MAC address exactly as on the 8254x.
pub use legacy::{mac_from_ral_rah, ral_rah_from_mac, RAH_AV};
/// The multicast hash (filter type 0) and MTA layout are the 8254x ones.
pub use legacy::{mta, mta_hash, mta_index_bit, MTA_BASE, MTA_LEN};

/// Size of the memory-mapped register file in BAR 0 (128 KiB, as QEMU
/// maps it and as the 8254x has it).
pub const BAR0_SIZE: usize = 0x20000;

/// Queues per direction: 16 register blocks, of which the PF without
/// VMDq uses at most [`super::vectors::MAX_QUEUE_PAIRS`].
pub const NUM_QUEUES: usize = 16;

/// Device control.
pub const CTRL: usize = 0x0000;
/// Device status.
pub const STATUS: usize = 0x0008;
/// EEPROM read (82576 layout: see [`eerd_start`]).
pub const EERD: usize = 0x0014;
/// Extended device control.
pub const CTRL_EXT: usize = 0x0018;
/// MDI control: same offset and layout as the 8254x.
pub const MDIC: usize = 0x0020;
/// VLAN EtherType: bits 15:0 the tag protocol the device recognises.
pub const VET: usize = 0x0038;
/// Interrupt cause read.
pub const ICR: usize = 0x00C0;
/// Interrupt cause set.
pub const ICS: usize = 0x00C8;
/// Interrupt mask set/read.
pub const IMS: usize = 0x00D0;
/// Interrupt mask clear.
pub const IMC: usize = 0x00D8;
/// Interrupt acknowledge auto-mask: IMS bits cleared when ICR is read.
pub const IAM: usize = 0x00E0;
/// Receive control.
pub const RCTL: usize = 0x0100;
/// Transmit control.
pub const TCTL: usize = 0x0400;
/// General purpose interrupt enable.
pub const GPIE: usize = 0x1514;
/// Extended interrupt cause set.
pub const EICS: usize = 0x1520;
/// Extended interrupt mask set/read.
pub const EIMS: usize = 0x1524;
/// Extended interrupt mask clear.
pub const EIMC: usize = 0x1528;
/// Extended interrupt auto-clear: EICR bits cleared when their MSI-X
/// message is sent.
pub const EIAC: usize = 0x152C;
/// Extended interrupt auto-mask: EIMS bits cleared when their MSI-X
/// message is sent (with [`Gpie::EIAME`]). QEMU does not auto-mask, and
/// a write to EIAM there sets the bits *not* written: never rely on it.
pub const EIAM: usize = 0x1530;
/// Extended interrupt cause read.
pub const EICR: usize = 0x1580;
/// First interrupt throttle register; see [`eitr`].
pub const EITR_BASE: usize = 0x1680;
/// Interrupt throttle registers (one per EICR bit the device has).
pub const EITR_COUNT: usize = 25;
/// First interrupt vector allocation register; see [`ivar_slot`].
pub const IVAR0: usize = 0x1700;
/// IVAR registers: 8 rows of 4 one-byte entries.
pub const IVAR_COUNT: usize = 8;
/// Vector allocation for the non-queue causes: byte 1 the "other" cause
/// vector, byte 0 the TCP timer's. QEMU routes every ICR cause but DRSTA
/// through byte 1, and DRSTA through byte 0.
pub const IVAR_MISC: usize = 0x1740;
/// RX checksum control.
pub const RXCSUM: usize = 0x5000;
/// RX long packet maximum length (with [`Rctl::LPE`]). QEMU drops a frame
/// whose length plus FCS exceeds it, so it must cover the MTU's frame.
pub const RLPML: usize = 0x5004;
/// Receive address pairs 0..16.
pub const RA_BASE: usize = 0x5400;
/// Receive address pairs 16..24.
pub const RA2_BASE: usize = 0x54E0;
/// Receive address pairs on the 82576 (the 8254x has 16).
pub const RA_LEN: usize = 24;
/// VLAN filter table array base.
pub const VFTA_BASE: usize = 0x5600;
/// VLAN filter table registers: 4096 bits.
pub const VFTA_LEN: usize = 128;
/// Multiple receive queue control (RSS).
pub const MRQC: usize = 0x5818;
/// Redirection table base (32 registers of 4 one-byte entries).
pub const RETA_BASE: usize = 0x5C00;
/// RETA registers.
pub const RETA_COUNT: usize = 32;
/// RSS random key base (10 registers, 40 bytes).
pub const RSSRK_BASE: usize = 0x5C80;
/// RSSRK registers.
pub const RSSRK_COUNT: usize = 10;

/// CRC error count. Statistics sit at the 8254x offsets; QEMU does not
/// clear CRCERRS, MPC or RNBC on read (the 8254x `stats` module copes)
/// and clears a 64-bit pair only when its high half is read.
pub const CRCERRS: usize = 0x4000;
/// Missed packets count.
pub const MPC: usize = 0x4010;
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
/// Receive-no-buffers count.
pub const RNBC: usize = 0x40A0;
/// Receive undersize count.
pub const RUC: usize = 0x40A4;
/// Receive oversize count.
pub const ROC: usize = 0x40AC;
/// Total packets received.
pub const TPR: usize = 0x40D0;
/// Total packets transmitted.
pub const TPT: usize = 0x40D4;

/// First RX queue block; queue `q`'s registers are 0x40 apart.
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
const fn rx_queue_reg(q: usize, offset: usize) -> usize {
    debug_assert!(q < NUM_QUEUES);
    RX_QUEUE_BASE + QUEUE_STRIDE * q + offset
}

/// The register at `offset` in TX queue `q`'s block (aliases as for RX).
const fn tx_queue_reg(q: usize, offset: usize) -> usize {
    debug_assert!(q < NUM_QUEUES);
    TX_QUEUE_BASE + QUEUE_STRIDE * q + offset
}

/// RX descriptor base, low 32 bits, of queue `q`.
pub const fn rdbal(q: usize) -> usize {
    rx_queue_reg(q, 0x00)
}
/// RX descriptor base, high 32 bits.
pub const fn rdbah(q: usize) -> usize {
    rx_queue_reg(q, 0x04)
}
/// RX ring length in bytes (a multiple of 128).
pub const fn rdlen(q: usize) -> usize {
    rx_queue_reg(q, 0x08)
}
/// Split and replication receive control; see [`Srrctl`].
pub const fn srrctl(q: usize) -> usize {
    rx_queue_reg(q, 0x0C)
}
/// RX descriptor head.
pub const fn rdh(q: usize) -> usize {
    rx_queue_reg(q, 0x10)
}
/// RX descriptor tail.
pub const fn rdt(q: usize) -> usize {
    rx_queue_reg(q, 0x18)
}
/// RX descriptor control; see [`QUEUE_ENABLE`].
pub const fn rxdctl(q: usize) -> usize {
    rx_queue_reg(q, 0x28)
}
/// RX queue drop packet count (QEMU clears it on read but never counts).
pub const fn rqdpc(q: usize) -> usize {
    rx_queue_reg(q, 0x30)
}
/// TX descriptor base, low 32 bits, of queue `q`.
pub const fn tdbal(q: usize) -> usize {
    tx_queue_reg(q, 0x00)
}
/// TX descriptor base, high 32 bits.
pub const fn tdbah(q: usize) -> usize {
    tx_queue_reg(q, 0x04)
}
/// TX ring length in bytes (a multiple of 128).
pub const fn tdlen(q: usize) -> usize {
    tx_queue_reg(q, 0x08)
}
/// TX descriptor head.
pub const fn tdh(q: usize) -> usize {
    tx_queue_reg(q, 0x10)
}
/// TX descriptor tail (the doorbell: QEMU transmits on the write).
pub const fn tdt(q: usize) -> usize {
    tx_queue_reg(q, 0x18)
}
/// TX descriptor control; see [`QUEUE_ENABLE`].
pub const fn txdctl(q: usize) -> usize {
    tx_queue_reg(q, 0x28)
}

/// RXDCTL/TXDCTL: the queue is enabled. QEMU comes out of reset with
/// queue 0 enabled in both directions and the others disabled; it ignores
/// the prefetch/host/write-back thresholds and writes every descriptor
/// back at once.
pub const QUEUE_ENABLE: u32 = 1 << 25;

/// Interrupt throttle register `n` (the vector's EICR bit).
pub const fn eitr(n: usize) -> usize {
    debug_assert!(n < EITR_COUNT);
    EITR_BASE + 4 * n
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
    /// a zero interval. QEMU 10.0 counts the masked register value in
    /// 256 ns units, so the gap it keeps is 2.4% longer (a 2025 patch
    /// series makes it exact).
    pub fn from_usecs(usecs: u32) -> u32 {
        (usecs.clamp(1, Self::MAX_USECS) << 2) | Self::CNT_IGNR
    }
}

/// Offset of receive address low `n`: 0..16 in the 8254x block, 16..24
/// in a second one.
pub const fn ral(n: usize) -> usize {
    debug_assert!(n < RA_LEN);
    if n < 16 {
        RA_BASE + 8 * n
    } else {
        RA2_BASE + 8 * (n - 16)
    }
}

/// Offset of receive address high `n`.
pub const fn rah(n: usize) -> usize {
    ral(n) + 4
}

/// Offset of VLAN filter table register `n`.
pub const fn vfta(n: usize) -> usize {
    debug_assert!(n < VFTA_LEN);
    VFTA_BASE + 4 * n
}

/// VFTA register index and bit for VLAN `vid` (its low 12 bits).
pub fn vfta_index_bit(vid: u16) -> (usize, u32) {
    (usize::from(vid >> 5) & (VFTA_LEN - 1), 1 << (vid & 0x1F))
}

/// Offset of redirection table register `n`.
pub const fn reta(n: usize) -> usize {
    debug_assert!(n < RETA_COUNT);
    RETA_BASE + 4 * n
}

/// Offset of RSS key register `n`.
pub const fn rssrk(n: usize) -> usize {
    debug_assert!(n < RSSRK_COUNT);
    RSSRK_BASE + 4 * n
}

/// CTRL bits: the 8254x positions, plus VLAN mode.
pub struct Ctrl;
impl Ctrl {
    /// Full duplex.
    pub const FD: u32 = 1 << 0;
    /// Set link up.
    pub const SLU: u32 = 1 << 6;
    /// Device reset (self-clearing).
    pub const RST: u32 = 1 << 26;
    /// VLAN mode: strip the tag of received frames into the descriptor
    /// (QEMU strips when this is set and VMDq is off).
    pub const VME: u32 = 1 << 30;
    /// PHY reset.
    pub const PHY_RST: u32 = 1 << 31;
}

/// CTRL_EXT bits.
pub struct CtrlExt;
impl CtrlExt {
    /// A driver has taken over the device from firmware.
    pub const DRV_LOAD: u32 = 1 << 28;
}

/// RCTL bits: the 8254x positions. The buffer size comes from
/// [`Srrctl`] instead of RCTL.BSIZE.
pub struct Rctl;
impl Rctl {
    /// Receiver enable.
    pub const EN: u32 = 1 << 1;
    /// Store bad packets.
    pub const SBP: u32 = 1 << 2;
    /// Unicast promiscuous.
    pub const UPE: u32 = 1 << 3;
    /// Multicast promiscuous.
    pub const MPE: u32 = 1 << 4;
    /// Long packet enable: frames up to [`RLPML`].
    pub const LPE: u32 = 1 << 5;
    /// Accept broadcast.
    pub const BAM: u32 = 1 << 15;
    /// VLAN filter enable (the [`vfta`] table).
    pub const VFE: u32 = 1 << 18;
    /// Strip the Ethernet CRC. Without it QEMU appends four zero bytes
    /// where the FCS would be.
    pub const SECRC: u32 = 1 << 26;
}

/// Interrupt cause bits (ICR, ICS, IMS, IMC, IAM).
pub struct Irq;
impl Irq {
    /// A TX descriptor was written back. QEMU raises it only for a queue
    /// with a valid IVAR entry, even without MSI-X.
    pub const TXDW: u32 = 1 << 0;
    /// Link status change.
    pub const LSC: u32 = 1 << 2;
    /// RX sequence error.
    pub const RXSEQ: u32 = 1 << 3;
    /// RX descriptors below the minimum threshold.
    pub const RXDMT0: u32 = 1 << 4;
    /// RX overrun: a frame found no free descriptor.
    pub const RXO: u32 = 1 << 6;
    /// RX timer: frames were received.
    pub const RXT0: u32 = 1 << 7;
    /// DMA out of sync.
    pub const DOUTSYNC: u32 = 1 << 28;
    /// Device reset asserted.
    pub const DRSTA: u32 = 1 << 30;
    /// The device asserted the (legacy) interrupt.
    pub const INT_ASSERTED: u32 = 1 << 31;
}

/// GPIE bits.
pub struct Gpie;
impl Gpie {
    /// Clear ICR on every read, not only when INT_ASSERTED is set.
    pub const NSICR: u32 = 1 << 0;
    /// Multiple MSI-X vectors: EICR bits are vectors, mapped via IVAR.
    /// Must be written before IVAR and EIMS (the C driver's warning).
    pub const MSIX_MODE: u32 = 1 << 4;
    /// Auto-mask EIMS by EIAM on MSI-X delivery (QEMU ignores it).
    pub const EIAME: u32 = 1 << 30;
    /// Pending-bit-array support for MSI-X.
    pub const PBA: u32 = 1 << 31;
}

/// EICR bit of the non-MSI-X "other" cause (MSI-X mode has no such bit:
/// every EICR bit there is a vector).
pub const EICR_OTHER: u32 = 1 << 31;

/// IVAR entry bit: the entry is valid.
pub const IVAR_VALID: u8 = 0x80;

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
pub const fn ivar_slot(q: usize, dir: Direction) -> (usize, u32) {
    debug_assert!(q < NUM_QUEUES);
    let pair_shift = if q & 8 != 0 { 16 } else { 0 };
    let dir_shift = match dir {
        Direction::Rx => 0,
        Direction::Tx => 8,
    };
    (IVAR0 + 4 * (q & 7), pair_shift + dir_shift)
}

/// The IVAR byte routing a cause to MSI-X `vector` (EICR bit `vector`).
pub const fn ivar_entry(vector: u8) -> u8 {
    debug_assert!(vector < 32);
    vector | IVAR_VALID
}

/// Shift of the "other" cause entry in [`IVAR_MISC`].
pub const IVAR_MISC_OTHER_SHIFT: u32 = 8;

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

/// MRQC bits.
pub struct Mrqc;
impl Mrqc {
    /// Multiple receive queues by RSS (field 2:0 = 010b). QEMU computes
    /// RSS only with this and [`Rxcsum::PCSD`] both set.
    pub const ENABLE_RSS: u32 = 0x2;
    /// Hash TCP over IPv4 on addresses and ports.
    pub const TCP_IPV4: u32 = 1 << 16;
    /// Hash IPv4 on addresses.
    pub const IPV4: u32 = 1 << 17;
    /// Hash TCP over IPv6 with extension headers. QEMU uses this bit, not
    /// [`Self::TCP_IPV6`], for every TCP/IPv6 frame.
    pub const TCP_IPV6_EX: u32 = 1 << 18;
    /// Hash IPv6 with extension headers on addresses.
    pub const IPV6_EX: u32 = 1 << 19;
    /// Hash IPv6 on addresses.
    pub const IPV6: u32 = 1 << 20;
    /// Hash TCP over IPv6 (ignored by QEMU, see [`Self::TCP_IPV6_EX`]).
    pub const TCP_IPV6: u32 = 1 << 21;
    /// Hash UDP over IPv4 on addresses and ports.
    pub const UDP_IPV4: u32 = 1 << 22;
    /// Hash UDP over IPv6 on addresses and ports.
    pub const UDP_IPV6: u32 = 1 << 23;
    /// Hash UDP over IPv6 with extension headers (ignored by QEMU).
    pub const UDP_IPV6_EX: u32 = 1 << 24;

    /// RSS over the fields the C driver hashes: IPv4/IPv6 addresses and
    /// TCP ports, and UDP ports if `udp` (off by default in C: fragments
    /// of one UDP flow would otherwise land on different queues).
    pub const fn rss(udp: bool) -> u32 {
        let base = Self::ENABLE_RSS
            | Self::IPV4
            | Self::TCP_IPV4
            | Self::IPV6
            | Self::TCP_IPV6
            | Self::TCP_IPV6_EX;
        if udp {
            base | Self::UDP_IPV4 | Self::UDP_IPV6
        } else {
            base
        }
    }
}

/// RXCSUM bits.
pub struct Rxcsum;
impl Rxcsum {
    /// Verify IPv4 header checksums (set at reset).
    pub const IPOFLD: u32 = 1 << 8;
    /// Verify TCP/UDP checksums (set at reset).
    pub const TUOFLD: u32 = 1 << 9;
    /// Verify SCTP CRC32c.
    pub const CRCOFL: u32 = 1 << 11;
    /// Packet checksum disable: the write-back carries the RSS hash
    /// instead of the IP ID and fragment checksum. Required for RSS.
    pub const PCSD: u32 = 1 << 13;
}

/// EERD on the 82576: START bit 0, DONE bit 1, word address from bit 2
/// (the 8254x, in the `eeprom` module, has DONE at bit 4, address at 8).
const EERD_START: u32 = 1 << 0;
const EERD_DONE: u32 = 1 << 1;
const EERD_ADDR_SHIFT: u32 = 2;
const EERD_DATA_SHIFT: u32 = 16;
/// Address field width (14 bits).
const EERD_ADDR_MASK: u16 = 0x3FFF;

/// EERD value that starts a read of `word` (its low 14 bits).
pub fn eerd_start(word: u16) -> u32 {
    EERD_START | u32::from(word & EERD_ADDR_MASK) << EERD_ADDR_SHIFT
}

/// The word read, once EERD reports the read as done.
pub fn eerd_done(eerd: u32) -> Option<u16> {
    // CAST: the data field is the top 16 bits.
    (eerd & EERD_DONE != 0).then_some((eerd >> EERD_DATA_SHIFT) as u16)
}

/// MDIC bits (the 8254x layout). QEMU answers only PHY address 1.
pub struct Mdic;
impl Mdic {
    const REG_SHIFT: u32 = 16;
    const PHY_SHIFT: u32 = 21;
    const OP_WRITE: u32 = 1 << 26;
    const OP_READ: u32 = 1 << 27;
    /// The operation completed.
    pub const READY: u32 = 1 << 28;
    /// The operation failed.
    pub const ERROR: u32 = 1 << 30;

    /// MDIC value that reads PHY register `reg` (5 bits) of PHY `phy`.
    pub fn read(phy: u8, reg: u8) -> u32 {
        Self::OP_READ
            | u32::from(phy & 0x1F) << Self::PHY_SHIFT
            | u32::from(reg & 0x1F) << Self::REG_SHIFT
    }

    /// MDIC value that writes `data` to PHY register `reg` of PHY `phy`.
    pub fn write(phy: u8, reg: u8, data: u16) -> u32 {
        Self::OP_WRITE
            | u32::from(phy & 0x1F) << Self::PHY_SHIFT
            | u32::from(reg & 0x1F) << Self::REG_SHIFT
            | u32::from(data)
    }

    /// The data of a completed MDIC operation; `None` while it runs or if
    /// it failed.
    pub fn data(mdic: u32) -> Option<u16> {
        // CAST: the data field is the low 16 bits.
        (mdic & (Self::READY | Self::ERROR) == Self::READY).then_some(mdic as u16)
    }
}

/// The 802.1Q tag protocol, VET's reset value.
pub const VET_8021Q: u32 = 0x8100;

#[cfg(test)]
mod tests {
    use super::*;

    /// `E1000_RDBAL(_n)` and friends from the C driver's `e1000_regs.h`:
    /// the 8254x-compatible aliases below queue 4, the 82576 block above.
    fn c_queue_reg(legacy_base: usize, base: usize, n: usize) -> usize {
        if n < 4 {
            legacy_base + n * 0x100
        } else {
            base + n * 0x40
        }
    }

    #[test]
    fn queue_blocks_match_the_c_driver_from_queue_4() {
        for q in 4..NUM_QUEUES {
            assert_eq!(rdbal(q), c_queue_reg(0x2800, 0xC000, q));
            assert_eq!(rdbah(q), c_queue_reg(0x2804, 0xC004, q));
            assert_eq!(rdlen(q), c_queue_reg(0x2808, 0xC008, q));
            assert_eq!(srrctl(q), c_queue_reg(0x280C, 0xC00C, q));
            assert_eq!(rdh(q), c_queue_reg(0x2810, 0xC010, q));
            assert_eq!(rdt(q), c_queue_reg(0x2818, 0xC018, q));
            assert_eq!(rxdctl(q), c_queue_reg(0x2828, 0xC028, q));
            assert_eq!(tdbal(q), c_queue_reg(0x3800, 0xE000, q));
            assert_eq!(tdbah(q), c_queue_reg(0x3804, 0xE004, q));
            assert_eq!(tdlen(q), c_queue_reg(0x3808, 0xE008, q));
            assert_eq!(tdh(q), c_queue_reg(0x3810, 0xE010, q));
            assert_eq!(tdt(q), c_queue_reg(0x3818, 0xE018, q));
            assert_eq!(txdctl(q), c_queue_reg(0x3828, 0xE028, q));
        }
    }

    #[test]
    fn low_queues_use_the_primary_block_not_the_aliases() {
        // QEMU's igb_regs.h: E1000_RDT(_n) = 0x0C018 + 0x40 * n for every
        // queue; E1000_RDT_A(_n) = 0x02818 + 0x100 * n is the alias.
        assert_eq!(rdbal(0), 0xC000);
        assert_eq!(rdt(0), 0xC018);
        assert_eq!(rdt(3), 0xC0D8);
        assert_eq!(tdt(0), 0xE018);
        assert_eq!(txdctl(1), 0xE068);
        assert_eq!(rqdpc(0), 0xC030);
        assert_eq!(rqdpc(15), 0xC3F0);
        // The 8254x single-queue offsets are queue 0's aliases.
        assert_eq!(c_queue_reg(0x2818, 0xC018, 0), legacy::RDT);
        assert_eq!(c_queue_reg(0x3818, 0xE018, 0), legacy::TDT);
        // Blocks never overlap and stay inside BAR 0.
        assert!(rqdpc(NUM_QUEUES - 1) < TX_QUEUE_BASE);
        assert!(txdctl(NUM_QUEUES - 1) < BAR0_SIZE);
    }

    #[test]
    #[should_panic]
    #[cfg(debug_assertions)]
    fn queue_bound_is_checked() {
        let _ = rdt(NUM_QUEUES);
    }

    #[test]
    fn interrupt_registers() {
        // e1000_regs.h.
        let offsets = [EICS, EIMS, EIMC, EIAC, EIAM, EICR, GPIE, IVAR0, IVAR_MISC];
        let c = [
            0x1520, 0x1524, 0x1528, 0x152C, 0x1530, 0x1580, 0x1514, 0x1700, 0x1740,
        ];
        assert_eq!(offsets, c);
        assert_eq!(eitr(0), 0x1680);
        assert_eq!(eitr(9), 0x16A4);
        assert_eq!(eitr(EITR_COUNT - 1), 0x16E0);
        assert_eq!(IAM, 0x00E0);
    }

    #[test]
    fn shared_offsets_match_the_8254x() {
        assert_eq!(CTRL, legacy::CTRL);
        assert_eq!(STATUS, legacy::STATUS);
        assert_eq!(CTRL_EXT, legacy::CTRL_EXT);
        assert_eq!(MDIC, legacy::MDIC);
        assert_eq!(EERD, legacy::EERD);
        assert_eq!(
            [ICR, ICS, IMS, IMC],
            [legacy::ICR, legacy::ICS, legacy::IMS, legacy::IMC]
        );
        assert_eq!(
            [RCTL, TCTL, RXCSUM],
            [legacy::RCTL, legacy::TCTL, legacy::RXCSUM]
        );
        assert_eq!(CRCERRS, legacy::CRCERRS);
        assert_eq!(MPC, legacy::MPC);
        assert_eq!(RNBC, legacy::RNBC);
        assert_eq!(RUC, legacy::RUC);
        assert_eq!(ROC, legacy::ROC);
        // e1000_regs.h (the 8254x layer does not use these).
        let stats = [GPRC, BPRC, MPRC, GPTC, GORCL, GORCH, GOTCL, GOTCH, TPR, TPT];
        let c = [
            0x4074, 0x4078, 0x407C, 0x4080, 0x4088, 0x408C, 0x4090, 0x4094, 0x40D0, 0x40D4,
        ];
        assert_eq!(stats, c);
    }

    #[test]
    fn shared_bits_match_the_8254x() {
        assert_eq!(Ctrl::FD, legacy::Ctrl::FD);
        assert_eq!(Ctrl::SLU, legacy::Ctrl::SLU);
        assert_eq!(Ctrl::RST, legacy::Ctrl::RST);
        assert_eq!(Ctrl::PHY_RST, legacy::Ctrl::PHY_RST);
        assert_eq!(Rctl::EN, legacy::Rctl::EN);
        assert_eq!(Rctl::SBP, legacy::Rctl::SBP);
        assert_eq!(Rctl::UPE, legacy::Rctl::UPE);
        assert_eq!(Rctl::MPE, legacy::Rctl::MPE);
        assert_eq!(Rctl::LPE, legacy::Rctl::LPE);
        assert_eq!(Rctl::BAM, legacy::Rctl::BAM);
        assert_eq!(Rctl::SECRC, legacy::Rctl::SECRC);
        assert_eq!(Irq::TXDW, legacy::Irq::TXDW);
        assert_eq!(Irq::LSC, legacy::Irq::LSC);
        assert_eq!(Irq::RXSEQ, legacy::Irq::RXSEQ);
        assert_eq!(Irq::RXDMT0, legacy::Irq::RXDMT0);
        assert_eq!(Irq::RXO, legacy::Irq::RXO);
        assert_eq!(Irq::RXT0, legacy::Irq::RXT0);
    }

    #[test]
    fn bits_match_the_c_headers() {
        // e1000_defines.h
        assert_eq!(Ctrl::VME, 0x4000_0000);
        assert_eq!(CtrlExt::DRV_LOAD, 0x1000_0000);
        assert_eq!(Rctl::VFE, 0x0004_0000);
        assert_eq!(Irq::DOUTSYNC, 0x1000_0000);
        assert_eq!(Irq::DRSTA, 0x4000_0000);
        assert_eq!(Irq::INT_ASSERTED, 0x8000_0000);
        let gpie = [Gpie::NSICR, Gpie::MSIX_MODE, Gpie::EIAME, Gpie::PBA];
        assert_eq!(gpie, [0x1, 0x10, 0x4000_0000, 0x8000_0000]);
        assert_eq!(EICR_OTHER, 0x8000_0000);
        assert_eq!(IVAR_VALID, 0x80);
        let rxcsum = [Rxcsum::IPOFLD, Rxcsum::TUOFLD, Rxcsum::CRCOFL, Rxcsum::PCSD];
        assert_eq!(rxcsum, [0x100, 0x200, 0x800, 0x2000]);
        assert_eq!(Mrqc::TCP_IPV4, 0x0001_0000);
        assert_eq!(Mrqc::IPV4, 0x0002_0000);
        assert_eq!(Mrqc::TCP_IPV6_EX, 0x0004_0000);
        assert_eq!(Mrqc::IPV6, 0x0010_0000);
        assert_eq!(Mrqc::TCP_IPV6, 0x0020_0000);
        // e1000_82575.h
        assert_eq!(Mrqc::UDP_IPV4, 0x0040_0000);
        assert_eq!(Mrqc::UDP_IPV6, 0x0080_0000);
        assert_eq!(Mrqc::UDP_IPV6_EX, 0x0100_0000);
        assert_eq!(Mrqc::ENABLE_RSS, 0x0000_0002);
        assert_eq!(QUEUE_ENABLE, 0x0200_0000);
        assert_eq!(Srrctl::DROP_EN, 0x8000_0000);
        // QEMU's igb_regs.h: the IPV6_EX bit.
        assert_eq!(Mrqc::IPV6_EX, 1 << 19);
        // e1000_regs.h
        assert_eq!([MRQC, RETA_BASE, RSSRK_BASE], [0x5818, 0x5C00, 0x5C80]);
        assert_eq!(
            [RLPML, VET, RA2_BASE, VFTA_BASE],
            [0x5004, 0x0038, 0x54E0, 0x5600]
        );
        assert_eq!(reta(RETA_COUNT - 1), 0x5C7C);
        assert_eq!(rssrk(RSSRK_COUNT - 1), 0x5CA4);
        assert_eq!(vfta(VFTA_LEN - 1), 0x57FC);
    }

    #[test]
    fn mrqc_matches_igb_setup_mrqc() {
        // igb_setup_mrqc() without VFs and without the UDP flags.
        assert_eq!(Mrqc::rss(false), 0x0037_0002);
        assert_eq!(Mrqc::rss(true), 0x00F7_0002);
    }

    #[test]
    fn ivar_layout() {
        // The C driver's igb_assign_vector() for the 82576: row q & 7,
        // column offset (q & 8) << 1, plus 8 for TX.
        for q in 0..NUM_QUEUES {
            let c_rx = (IVAR0 + 4 * (q & 7), u32::try_from((q & 8) << 1).unwrap());
            let c_tx = (c_rx.0, c_rx.1 + 8);
            assert_eq!(ivar_slot(q, Direction::Rx), c_rx, "rx {q}");
            assert_eq!(ivar_slot(q, Direction::Tx), c_tx, "tx {q}");
            // QEMU's igb_ivar_entry_rx/tx give the byte index n into the
            // IVAR array: register n / 4, shift 8 * (n % 4).
            let n_rx = if q < 8 { q * 4 } else { (q - 8) * 4 + 2 };
            let n_tx = if q < 8 { q * 4 + 1 } else { (q - 8) * 4 + 3 };
            for (n, dir) in [(n_rx, Direction::Rx), (n_tx, Direction::Tx)] {
                let shift = u32::try_from(8 * (n % 4)).unwrap();
                assert_eq!(ivar_slot(q, dir), (IVAR0 + 4 * (n / 4), shift));
            }
        }
        assert_eq!(ivar_slot(9, Direction::Tx), (0x1704, 24));
        assert_eq!(ivar_entry(3), 0x83);
        // igb_configure_msix(): the other cause on vector 0.
        assert_eq!(u32::from(ivar_entry(0)) << IVAR_MISC_OTHER_SHIFT, 0x8000);
    }

    #[test]
    fn eitr_values() {
        // IGB_20K_ITR (196) is 49 us; the C driver ORs in CNT_IGNR.
        assert_eq!(Eitr::from_usecs(49), 196 | Eitr::CNT_IGNR);
        assert_eq!(Eitr::from_usecs(0), 4 | Eitr::CNT_IGNR);
        assert_eq!(Eitr::from_usecs(u32::MAX), 0x7FFC | Eitr::CNT_IGNR);
        assert_eq!(Eitr::MAX_USECS, 8191);
    }

    #[test]
    fn receive_addresses() {
        assert_eq!((ral(0), rah(0)), (0x5400, 0x5404));
        assert_eq!((ral(15), rah(15)), (0x5478, 0x547C));
        assert_eq!((ral(16), rah(16)), (0x54E0, 0x54E4));
        assert_eq!(rah(RA_LEN - 1), 0x551C);
        // The first 16 are the 8254x's.
        for n in 0..16 {
            assert_eq!((ral(n), rah(n)), (legacy::ral(n), legacy::rah(n)));
        }
    }

    #[test]
    fn vlan_filter_bits() {
        assert_eq!(vfta_index_bit(0), (0, 1));
        assert_eq!(vfta_index_bit(100), (3, 1 << 4));
        assert_eq!(vfta_index_bit(4095), (127, 1 << 31));
        // Priority/CFI bits above the VID do not leak into the index.
        assert_eq!(vfta_index_bit(0xF000 | 100), (3, 1 << 4));
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

    #[test]
    fn eerd_encoding() {
        // E1000_NVM_RW_REG_START 1, _DONE 2, _ADDR_SHIFT 2, _DATA 16.
        assert_eq!(eerd_start(0), 0x1);
        assert_eq!(eerd_start(0x3F), 0xFD);
        assert_eq!(eerd_start(0xFFFF), 0xFFFD);
        assert_eq!(eerd_done(0x5452_00FE), Some(0x5452));
        assert_eq!(eerd_done(0x5452_00FD), None);
    }

    #[test]
    fn mdic_encoding() {
        // E1000_MDIC_OP_READ | phy 1 << 21 | reg 1 << 16.
        assert_eq!(Mdic::read(1, 1), 0x0821_0000);
        assert_eq!(Mdic::write(1, 0, 0x1140), 0x0420_1140);
        assert_eq!(Mdic::data(0x1000_796D), Some(0x796D));
        assert_eq!(Mdic::data(0x0000_796D), None);
        assert_eq!(Mdic::data(0x5000_796D), None);
    }
}
