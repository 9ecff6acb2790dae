// SPDX-License-Identifier: GPL-2.0

//! A software Toeplitz hash, to predict the RSS hash (and so the queue)
//! the device computes for a flow.

use super::rss::RssKey;

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
pub(super) mod tests {
    use super::super::rss::KEY_LEN;
    use super::*;

    /// The key of Microsoft's "Verifying the RSS Hash Calculation".
    pub(in super::super) const MS_KEY: RssKey = RssKey([
        0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f,
        0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
        0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
    ]);

    /// [`MS_KEY`] with its last byte odd (0xfb for 0xfa), so that its
    /// last bit is one.
    const ODD_KEY: RssKey = {
        let mut k = MS_KEY.0;
        k[KEY_LEN - 1] = 0xfb;
        RssKey(k)
    };

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
        // Past the key, its bits count as zero. With a key whose last bit
        // is one, the last bit of a 40-byte input sees that key bit in
        // the hash's top bit and zeros after it (not the key's first
        // bits again, nor anything else).
        let mut long = [0u8; 40];
        long[39] = 1;
        assert_eq!(toeplitz(&ODD_KEY, &long), 0x8000_0000);
        // Input bit 318 sees key bits 318, 319 and then zeros.
        long[39] = 2;
        assert_eq!(toeplitz(&ODD_KEY, &long), 0xC000_0000);
        // Input bit 288 sees key bits 288..320: the key's last 4 bytes.
        long[39] = 0;
        long[36] = 0x80;
        assert_eq!(toeplitz(&ODD_KEY, &long), 0xbeac_01fb);
    }
}
