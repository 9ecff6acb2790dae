// SPDX-License-Identifier: GPL-2.0

//! EEPROM reads through EERD in the 82576's format.
//!
//! The register sits at the 8254x offset, but its fields moved: START
//! bit 0, DONE bit 1, the word address from bit 2 (14 bits), the data in
//! bits 31:16 (`E1000_NVM_RW_REG_*` in `e1000_defines.h`). The 8254x
//! format, in the crate's `eeprom` module, has DONE at bit 4 and the
//! address at bit 8.

/// EEPROM read: the 8254x offset.
pub use super::super::regs::EERD;

const EERD_START: u32 = 1 << 0;
const EERD_DONE: u32 = 1 << 1;
const EERD_ADDR_SHIFT: u32 = 2;
const EERD_DATA_SHIFT: u32 = 16;

/// Largest word address the field holds (14 bits).
pub const EERD_MAX_WORD: u16 = 0x3FFF;

/// EERD value that starts a read of `word`; `None` past
/// [`EERD_MAX_WORD`].
pub fn eerd_start(word: u16) -> Option<u32> {
    (word <= EERD_MAX_WORD).then(|| EERD_START | u32::from(word) << EERD_ADDR_SHIFT)
}

/// The word read, once EERD reports the read as done.
pub fn eerd_done(eerd: u32) -> Option<u16> {
    // CAST: the data field is the top 16 bits.
    (eerd & EERD_DONE != 0).then_some((eerd >> EERD_DATA_SHIFT) as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eerd_encoding() {
        assert_eq!(EERD, 0x0014);
        // E1000_NVM_RW_REG_START 1, _DONE 2, _ADDR_SHIFT 2, _DATA 16.
        assert_eq!(eerd_start(0), Some(0x1));
        assert_eq!(eerd_start(0x3F), Some(0xFD));
        assert_eq!(eerd_start(EERD_MAX_WORD), Some(0xFFFD));
        assert_eq!(eerd_start(EERD_MAX_WORD + 1), None);
        assert_eq!(eerd_done(0x5452_00FE), Some(0x5452));
        assert_eq!(eerd_done(0x5452_00FD), None);
        // The 8254x DONE bit (4) is not the 82576's.
        assert_eq!(eerd_done(0x5452_0010), None);
    }
}
