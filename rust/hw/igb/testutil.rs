// SPDX-License-Identifier: GPL-2.0

//! Helpers for the descriptor tests: a descriptor as the device sees it in
//! memory.

use super::super::ring::to_le;

/// The 16 bytes of a CPU-order descriptor, in the device's byte order.
pub(super) fn bytes(d: [u64; 2]) -> [u8; 16] {
    let d = to_le(d);
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&d[0].to_ne_bytes());
    out[8..].copy_from_slice(&d[1].to_ne_bytes());
    out
}

/// Little-endian 32-bit word `n` of a descriptor's bytes.
pub(super) fn dword(b: &[u8; 16], n: usize) -> u32 {
    u32::from_le_bytes([b[4 * n], b[4 * n + 1], b[4 * n + 2], b[4 * n + 3]])
}
