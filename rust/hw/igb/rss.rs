// SPDX-License-Identifier: GPL-2.0

//! Receive-side scaling: MRQC, the RXCSUM bit RSS needs, and the key and
//! redirection table as the 82576 holds them.
//!
//! The device hashes a frame's addresses (and ports) with the 40-byte key
//! and picks the queue from the redirection table (RETA) entry that the
//! hash's low 7 bits index. QEMU computes the same hash over the key
//! bytes in register order and takes the entry's low 4 bits as the queue;
//! [`super::toeplitz`] computes it in software.

use super::regs::Rxcsum;

/// Multiple receive queue control; see [`Mrqc`].
pub const MRQC: usize = 0x5818;
/// Redirection table base (32 registers of 4 one-byte entries).
pub const RETA_BASE: usize = 0x5C00;
/// RETA registers.
pub const RETA_COUNT: usize = 32;
/// RSS random key base (10 registers, 40 bytes).
pub const RSSRK_BASE: usize = 0x5C80;
/// RSSRK registers.
pub const RSSRK_COUNT: usize = 10;

/// Offset of redirection table register `n`; `None` past [`RETA_COUNT`].
pub const fn reta(n: usize) -> Option<usize> {
    if n < RETA_COUNT {
        Some(RETA_BASE + 4 * n)
    } else {
        None
    }
}

/// Offset of RSS key register `n`; `None` past [`RSSRK_COUNT`].
pub const fn rssrk(n: usize) -> Option<usize> {
    if n < RSSRK_COUNT {
        Some(RSSRK_BASE + 4 * n)
    } else {
        None
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
}

/// The RXCSUM bit RSS depends on (the checksum offload bits are in
/// [`super::regs`]).
impl Rxcsum {
    /// Packet checksum disable: the write-back carries the RSS hash
    /// instead of the IP ID and fragment checksum. Required for RSS.
    pub const PCSD: u32 = 1 << 13;
}

/// Bytes in the RSS key.
pub const KEY_LEN: usize = 4 * RSSRK_COUNT;

/// Entries in the redirection table.
pub const RETA_ENTRIES: usize = 4 * RETA_COUNT;

/// Most RSS queues the 82576 PF spreads over (`IGB_MAX_RX_QUEUES`).
pub const MAX_QUEUES: usize = 8;

/// An RSS key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RssKey(pub [u8; KEY_LEN]);

impl RssKey {
    /// The RSSRK register values: key byte 4n + i is byte i (from the
    /// least significant) of RSSRK n, as `igb_write_rss_key()` writes
    /// them with `get_unaligned_le32()`.
    pub fn rssrk(&self) -> [u32; RSSRK_COUNT] {
        core::array::from_fn(|n| {
            let k = &self.0[4 * n..4 * n + 4];
            u32::from_le_bytes([k[0], k[1], k[2], k[3]])
        })
    }

    /// The writes that program the key: each RSSRK register's offset and
    /// value.
    pub fn registers(&self) -> [(usize, u32); RSSRK_COUNT] {
        let values = self.rssrk();
        core::array::from_fn(|n| (RSSRK_BASE + 4 * n, values[n]))
    }

    /// The key the RSSRK registers hold.
    pub fn from_rssrk(regs: &[u32; RSSRK_COUNT]) -> Self {
        let mut key = [0u8; KEY_LEN];
        for (chunk, reg) in key.chunks_exact_mut(4).zip(regs) {
            chunk.copy_from_slice(&reg.to_le_bytes());
        }
        Self(key)
    }
}

/// Why a user's redirection table was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetaError {
    /// Not [`RETA_ENTRIES`] entries.
    Length(usize),
    /// No queues, or more than [`MAX_QUEUES`].
    QueueCount(usize),
    /// Entry `index` names `queue`, which does not exist.
    Queue {
        /// Position in the table.
        index: usize,
        /// The queue it named.
        queue: u32,
    },
}

/// A redirection table: 128 queue numbers, each below the queue count it
/// was built for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Indirection([u8; RETA_ENTRIES]);

impl Indirection {
    /// The kernel's default spread over `queues` queues, entry `i` on
    /// queue `i % queues` (`ethtool_rxfh_indir_default()`). The C driver
    /// fills contiguous blocks instead; both give each queue an equal
    /// share.
    pub fn spread(queues: usize) -> Result<Self, RetaError> {
        check_queue_count(queues)?;
        // CAST: `queues` <= MAX_QUEUES, so every entry fits a byte.
        Ok(Self(core::array::from_fn(|i| (i % queues) as u8)))
    }

    /// A table from the user (ethtool -X), every entry checked against
    /// `queues` as `igb_set_rxfh()` does.
    pub fn from_user(entries: &[u32], queues: usize) -> Result<Self, RetaError> {
        check_queue_count(queues)?;
        if entries.len() != RETA_ENTRIES {
            return Err(RetaError::Length(entries.len()));
        }
        let mut table = [0u8; RETA_ENTRIES];
        for (index, (slot, &queue)) in table.iter_mut().zip(entries).enumerate() {
            *slot = u8::try_from(queue)
                .ok()
                .filter(|&q| usize::from(q) < queues)
                .ok_or(RetaError::Queue { index, queue })?;
        }
        Ok(Self(table))
    }

    /// The entries, for ethtool -x.
    pub fn entries(&self) -> &[u8; RETA_ENTRIES] {
        &self.0
    }

    /// Whether every entry names one of `queues` queues: a table must be
    /// rebuilt when the queue count drops below what it uses.
    pub fn fits(&self, queues: usize) -> bool {
        self.0.iter().all(|&q| usize::from(q) < queues)
    }

    /// The queue a frame with RSS hash `hash` goes to.
    pub fn queue_for_hash(&self, hash: u32) -> u8 {
        // CAST: masked to the table's 7 index bits.
        self.0[(hash & 0x7F) as usize]
    }

    /// The RETA register values: entry 4n + i is byte i (from the least
    /// significant) of RETA n, unshifted on the 82576 without VFs, as
    /// `igb_write_rss_indir_tbl()` packs them.
    pub fn reta(&self) -> [u32; RETA_COUNT] {
        core::array::from_fn(|n| {
            let e = &self.0[4 * n..4 * n + 4];
            u32::from_le_bytes([e[0], e[1], e[2], e[3]])
        })
    }

    /// The writes that program the table: each RETA register's offset
    /// and value.
    pub fn registers(&self) -> [(usize, u32); RETA_COUNT] {
        let values = self.reta();
        core::array::from_fn(|n| (RETA_BASE + 4 * n, values[n]))
    }
}

fn check_queue_count(queues: usize) -> Result<(), RetaError> {
    if (1..=MAX_QUEUES).contains(&queues) {
        Ok(())
    } else {
        Err(RetaError::QueueCount(queues))
    }
}

#[cfg(test)]
mod tests {
    use super::super::toeplitz::tests::MS_KEY;
    use super::super::toeplitz::HashInput;
    use super::*;

    #[test]
    fn register_offsets() {
        // e1000_regs.h: E1000_MRQC, E1000_RETA(_i), E1000_RSSRK(_i).
        assert_eq!(MRQC, 0x5818);
        assert_eq!(reta(0), Some(0x5C00));
        assert_eq!(reta(RETA_COUNT - 1), Some(0x5C7C));
        assert_eq!(reta(RETA_COUNT), None);
        assert_eq!(rssrk(0), Some(0x5C80));
        assert_eq!(rssrk(RSSRK_COUNT - 1), Some(0x5CA4));
        assert_eq!(rssrk(RSSRK_COUNT), None);
    }

    #[test]
    fn mrqc_bits_match_the_c_headers() {
        // e1000_defines.h.
        assert_eq!(Mrqc::TCP_IPV4, 0x0001_0000);
        assert_eq!(Mrqc::IPV4, 0x0002_0000);
        assert_eq!(Mrqc::TCP_IPV6_EX, 0x0004_0000);
        assert_eq!(Mrqc::IPV6, 0x0010_0000);
        assert_eq!(Mrqc::TCP_IPV6, 0x0020_0000);
        // e1000_82575.h.
        assert_eq!(Mrqc::UDP_IPV4, 0x0040_0000);
        assert_eq!(Mrqc::UDP_IPV6, 0x0080_0000);
        assert_eq!(Mrqc::UDP_IPV6_EX, 0x0100_0000);
        assert_eq!(Mrqc::ENABLE_RSS, 0x0000_0002);
        // QEMU's igb_regs.h: the IPV6_EX bit.
        assert_eq!(Mrqc::IPV6_EX, 0x0008_0000);
        // E1000_RXCSUM_PCSD.
        assert_eq!(Rxcsum::PCSD, 0x2000);
    }

    #[test]
    fn key_registers() {
        let regs = MS_KEY.rssrk();
        assert_eq!(regs[0], 0xda56_5a6d);
        assert_eq!(regs[9], 0xfa01_acbe);
        assert_eq!(RssKey::from_rssrk(&regs), MS_KEY);
        let writes = MS_KEY.registers();
        assert_eq!(writes[0], (0x5C80, 0xda56_5a6d));
        assert_eq!(writes[9], (0x5CA4, 0xfa01_acbe));
    }

    #[test]
    fn default_spread() {
        let t = Indirection::spread(3).unwrap();
        assert_eq!(&t.entries()[..7], &[0, 1, 2, 0, 1, 2, 0]);
        assert_eq!(t.entries()[127], 1);
        assert_eq!(t.reta()[0], 0x0002_0100);
        assert_eq!(t.reta()[1], 0x0100_0201);
        assert_eq!(t.registers()[1], (0x5C04, 0x0100_0201));
        assert_eq!(t.registers()[31].0, 0x5C7C);
        for n in 1..=MAX_QUEUES {
            let t = Indirection::spread(n).unwrap();
            assert!(t.fits(n) && (n == 1 || !t.fits(n - 1)));
            // Each queue gets 128 / n entries, rounded either way.
            for q in 0..n {
                let count = t.entries().iter().filter(|&&e| usize::from(e) == q).count();
                assert!(count == 128 / n || count == 128 / n + 1, "{n} {q}");
            }
        }
        assert_eq!(Indirection::spread(0), Err(RetaError::QueueCount(0)));
        assert_eq!(Indirection::spread(9), Err(RetaError::QueueCount(9)));
    }

    #[test]
    fn reta_packing_matches_igb_write_rss_indir_tbl() {
        // The C loop: val = tbl[i+3] << 24 | tbl[i+2] << 16 | tbl[i+1] << 8 | tbl[i].
        let entries: [u32; RETA_ENTRIES] =
            core::array::from_fn(|i| u32::try_from(i * 7 % 8).unwrap());
        let t = Indirection::from_user(&entries, 8).unwrap();
        for (n, reg) in t.reta().into_iter().enumerate() {
            let c = (0..4).rev().fold(0u32, |v, j| v << 8 | entries[4 * n + j]);
            assert_eq!(reg, c, "{n}");
        }
    }

    #[test]
    fn user_tables_are_checked() {
        let mut entries = [1u32; RETA_ENTRIES];
        assert!(Indirection::from_user(&entries, 2).is_ok());
        assert_eq!(
            Indirection::from_user(&entries, 1),
            Err(RetaError::Queue { index: 0, queue: 1 })
        );
        entries[100] = 300;
        assert_eq!(
            Indirection::from_user(&entries, 8),
            Err(RetaError::Queue {
                index: 100,
                queue: 300
            })
        );
        assert_eq!(
            Indirection::from_user(&entries[..64], 8),
            Err(RetaError::Length(64))
        );
        assert_eq!(
            Indirection::from_user(&entries, 0),
            Err(RetaError::QueueCount(0))
        );
    }

    #[test]
    fn queue_prediction() {
        // The first Microsoft TCP/IPv4 flow hashes to 0x51ccc178: index
        // 0x78 = 120, queue 120 % 4 = 0 in the default 4-queue spread.
        let t = Indirection::spread(4).unwrap();
        let flow = HashInput::ipv4_ports([66, 9, 149, 187], [161, 142, 100, 80], 2794, 1766);
        assert_eq!(t.queue_for_hash(flow.hash(&MS_KEY)), 0);
        assert_eq!(t.queue_for_hash(0xFFFF_FF7F), 3);
        assert_eq!(t.queue_for_hash(0x81), 1);
    }
}
