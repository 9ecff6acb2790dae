// SPDX-License-Identifier: GPL-2.0

//! Receive-side scaling: the key and redirection table as the 82576 holds
//! them, and a software Toeplitz hash to predict where a flow lands.
//!
//! The device hashes a frame's addresses (and ports) with the 40-byte key
//! and picks the queue from the redirection table (RETA) entry that the
//! hash's low 7 bits index. QEMU computes the same hash over the key
//! bytes in register order and takes the entry's low 4 bits as the queue.

use super::regs::{RETA_COUNT, RSSRK_COUNT};

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
}

fn check_queue_count(queues: usize) -> Result<(), RetaError> {
    if (1..=MAX_QUEUES).contains(&queues) {
        Ok(())
    } else {
        Err(RetaError::QueueCount(queues))
    }
}

/// The Toeplitz hash of `input` under `key`: for every input bit set,
/// from the most significant bit of the first byte on, XOR in the 32 key
/// bits starting at that bit's position. Every RSS input is at most 36
/// bytes, which the 40-byte key covers; past the key, its bits count as
/// zero.
pub fn toeplitz(key: &RssKey, input: &[u8]) -> u32 {
    let key_byte = |i: usize| u64::from(key.0.get(i).copied().unwrap_or(0));
    // INVARIANT: the top 32 bits of `window` are the key bits from the
    // current input bit on; the low 32 bits are the key bits after them.
    let mut window = (0..8).fold(0u64, |w, i| w << 8 | key_byte(i));
    let mut hash = 0u32;
    for (n, &byte) in input.iter().enumerate() {
        for bit in (0..8).rev() {
            if byte >> bit & 1 != 0 {
                // CAST: the top 32 bits of a u64.
                hash ^= (window >> 32) as u32;
            }
            window <<= 1;
        }
        // The 8 shifts emptied the low byte: refill it with the next key
        // byte, 8 past the first one the window started with.
        window |= key_byte(n + 8);
    }
    hash
}

/// The bytes an RSS hash is computed over, in network byte order: source
/// address, destination address, then (for the L4 types) source port and
/// destination port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashInput {
    buf: [u8; 36],
    len: usize,
}

impl HashInput {
    fn new(src: &[u8], dst: &[u8], ports: Option<(u16, u16)>) -> Self {
        let mut buf = [0u8; 36];
        let a = src.len();
        buf[..a].copy_from_slice(src);
        buf[a..2 * a].copy_from_slice(dst);
        let mut len = 2 * a;
        if let Some((sport, dport)) = ports {
            buf[len..len + 2].copy_from_slice(&sport.to_be_bytes());
            buf[len + 2..len + 4].copy_from_slice(&dport.to_be_bytes());
            len += 4;
        }
        Self { buf, len }
    }

    /// IPv4 addresses only (RSS type IPv4).
    pub fn ipv4(src: [u8; 4], dst: [u8; 4]) -> Self {
        Self::new(&src, &dst, None)
    }

    /// IPv4 addresses and TCP/UDP ports.
    pub fn ipv4_ports(src: [u8; 4], dst: [u8; 4], sport: u16, dport: u16) -> Self {
        Self::new(&src, &dst, Some((sport, dport)))
    }

    /// IPv6 addresses only (RSS type IPv6).
    pub fn ipv6(src: [u8; 16], dst: [u8; 16]) -> Self {
        Self::new(&src, &dst, None)
    }

    /// IPv6 addresses and TCP/UDP ports.
    pub fn ipv6_ports(src: [u8; 16], dst: [u8; 16], sport: u16, dport: u16) -> Self {
        Self::new(&src, &dst, Some((sport, dport)))
    }

    /// The input bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// The hash of this input under `key`.
    pub fn hash(&self, key: &RssKey) -> u32 {
        toeplitz(key, self.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The key of Microsoft's "Verifying the RSS Hash Calculation".
    const MS_KEY: RssKey = RssKey([
        0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f,
        0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
        0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
    ]);

    /// Destination address and port, source address and port, and the
    /// expected L3 and L4 hashes.
    type Case<A> = (A, u16, A, u16, u32, u32);

    /// Microsoft's IPv4 vectors.
    const V4: [Case<[u8; 4]>; 5] = [
        (
            [161, 142, 100, 80],
            1766,
            [66, 9, 149, 187],
            2794,
            0x323e_8fc2,
            0x51cc_c178,
        ),
        (
            [65, 69, 140, 83],
            4739,
            [199, 92, 111, 2],
            14230,
            0xd718_262a,
            0xc626_b0ea,
        ),
        (
            [12, 22, 207, 184],
            38024,
            [24, 19, 198, 95],
            12898,
            0xd2d0_a5de,
            0x5c2b_394a,
        ),
        (
            [209, 142, 163, 6],
            2217,
            [38, 27, 205, 30],
            48228,
            0x8298_9176,
            0xafc7_327f,
        ),
        (
            [202, 188, 127, 2],
            1303,
            [153, 39, 163, 191],
            44251,
            0x5d18_09c5,
            0x10e8_28a2,
        ),
    ];

    fn v6(s: [u16; 8]) -> [u8; 16] {
        let mut out = [0u8; 16];
        for (o, w) in out.chunks_exact_mut(2).zip(s) {
            o.copy_from_slice(&w.to_be_bytes());
        }
        out
    }

    #[test]
    fn microsoft_ipv4_vectors() {
        for (dst, dport, src, sport, l3, l4) in V4 {
            assert_eq!(HashInput::ipv4(src, dst).hash(&MS_KEY), l3, "{dst:?}");
            assert_eq!(
                HashInput::ipv4_ports(src, dst, sport, dport).hash(&MS_KEY),
                l4,
                "{dst:?}"
            );
        }
    }

    #[test]
    fn microsoft_ipv6_vectors() {
        let cases: [Case<[u8; 16]>; 3] = [
            (
                // 3ffe:2501:200:3::1 port 1766 from 3ffe:2501:200:1fff::7 port 2794
                v6([0x3ffe, 0x2501, 0x200, 3, 0, 0, 0, 1]),
                1766,
                v6([0x3ffe, 0x2501, 0x200, 0x1fff, 0, 0, 0, 7]),
                2794,
                0x2cc1_8cd5,
                0x4020_7d3d,
            ),
            (
                // ff02::1 port 4739 from 3ffe:501:8::260:97ff:fe40:efab port 14230
                v6([0xff02, 0, 0, 0, 0, 0, 0, 1]),
                4739,
                v6([0x3ffe, 0x501, 8, 0, 0x260, 0x97ff, 0xfe40, 0xefab]),
                14230,
                0x0f0c_461c,
                0xdde5_1bbf,
            ),
            (
                // fe80::200:f8ff:fe21:67cf port 38024 from
                // 3ffe:1900:4545:3:200:f8ff:fe21:67cf port 44251
                v6([0xfe80, 0, 0, 0, 0x200, 0xf8ff, 0xfe21, 0x67cf]),
                38024,
                v6([0x3ffe, 0x1900, 0x4545, 3, 0x200, 0xf8ff, 0xfe21, 0x67cf]),
                44251,
                0x4b61_e985,
                0x02d1_feef,
            ),
        ];
        for (dst, dport, src, sport, l3, l4) in cases {
            assert_eq!(HashInput::ipv6(src, dst).hash(&MS_KEY), l3);
            assert_eq!(
                HashInput::ipv6_ports(src, dst, sport, dport).hash(&MS_KEY),
                l4
            );
        }
    }

    #[test]
    fn hash_input_layout() {
        let i = HashInput::ipv4_ports([10, 0, 0, 1], [10, 0, 0, 2], 0x1234, 80);
        assert_eq!(i.as_bytes(), &[10, 0, 0, 1, 10, 0, 0, 2, 0x12, 0x34, 0, 80]);
        assert_eq!(HashInput::ipv4([1; 4], [2; 4]).as_bytes().len(), 8);
        assert_eq!(HashInput::ipv6([1; 16], [2; 16]).as_bytes().len(), 32);
        let i = HashInput::ipv6_ports([1; 16], [2; 16], 1, 2);
        assert_eq!(i.as_bytes().len(), 36);
        assert_eq!(&i.as_bytes()[32..], &[0, 1, 0, 2]);
    }

    #[test]
    fn toeplitz_edges() {
        assert_eq!(toeplitz(&MS_KEY, &[]), 0);
        // A single leading one bit selects the key's first 32 bits.
        assert_eq!(toeplitz(&MS_KEY, &[0x80]), 0x6d5a_56da);
        // The last bit of byte 0 selects key bits 7..39.
        assert_eq!(toeplitz(&MS_KEY, &[0x01]), 0x6d5a_56da << 7 | 0x25 >> 1);
        // Past the key, the window runs out of bits: a 40-byte input's
        // last bit meets only zeros.
        let mut long = [0u8; 40];
        long[39] = 1;
        assert_eq!(toeplitz(&MS_KEY, &long), 0);
        long[36] = 0x80;
        // Input bit 288 sees key bits 288..320: the key's last 4 bytes.
        assert_eq!(toeplitz(&MS_KEY, &long), 0xbeac_01fa);
    }

    #[test]
    fn key_registers() {
        let regs = MS_KEY.rssrk();
        assert_eq!(regs[0], 0xda56_5a6d);
        assert_eq!(regs[9], 0xfa01_acbe);
        assert_eq!(RssKey::from_rssrk(&regs), MS_KEY);
    }

    #[test]
    fn default_spread() {
        let t = Indirection::spread(3).unwrap();
        assert_eq!(&t.entries()[..7], &[0, 1, 2, 0, 1, 2, 0]);
        assert_eq!(t.entries()[127], 1);
        assert_eq!(t.reta()[0], 0x0002_0100);
        assert_eq!(t.reta()[1], 0x0100_0201);
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
