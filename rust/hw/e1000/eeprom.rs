// SPDX-License-Identifier: GPL-2.0

//! EEPROM access through the EERD register.

/// Words in the 8254x EEPROM region covered by the checksum.
pub const WORDS: usize = 64;

/// Sum of all checksummed words on a valid EEPROM.
pub const CHECKSUM: u16 = 0xBABA;

const EERD_START: u32 = 1 << 0;
const EERD_DONE: u32 = 1 << 4;
const EERD_ADDR_SHIFT: u32 = 8;
const EERD_DATA_SHIFT: u32 = 16;

/// EERD value that starts a read of `word`.
pub fn eerd_start(word: u8) -> u32 {
    EERD_START | (u32::from(word) << EERD_ADDR_SHIFT)
}

/// The word read, once EERD reports the read as done.
pub fn eerd_done(eerd: u32) -> Option<u16> {
    (eerd & EERD_DONE != 0).then_some((eerd >> EERD_DATA_SHIFT) as u16)
}

/// The MAC address stored little-endian in EEPROM words 0..3.
pub fn mac_from_eeprom_words(words: [u16; 3]) -> [u8; 6] {
    let [a, b] = words[0].to_le_bytes();
    let [c, d] = words[1].to_le_bytes();
    let [e, f] = words[2].to_le_bytes();
    [a, b, c, d, e, f]
}

/// Whether the EEPROM's words sum to [`CHECKSUM`].
pub fn checksum_ok(words: &[u16; WORDS]) -> bool {
    words.iter().fold(0u16, |sum, w| sum.wrapping_add(*w)) == CHECKSUM
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eerd_encoding() {
        assert_eq!(eerd_start(0), 0x1);
        assert_eq!(eerd_start(0x3f), 0x3f01);
        assert_eq!(eerd_done(0x1234_0010), Some(0x1234));
        assert_eq!(eerd_done(0x1234_0001), None);
    }

    #[test]
    fn mac_words_are_little_endian() {
        let mac = mac_from_eeprom_words([0x5452, 0x1200, 0x5634]);
        assert_eq!(mac, [0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
    }

    #[test]
    fn checksum() {
        let mut words = [0u16; WORDS];
        words[0] = 0x5452;
        assert!(!checksum_ok(&words));
        words[WORDS - 1] = CHECKSUM.wrapping_sub(0x5452);
        assert!(checksum_ok(&words));
    }
}
