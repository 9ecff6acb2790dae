// SPDX-License-Identifier: GPL-2.0

//! PHY register access through MDIC: the 8254x offset and layout
//! (`E1000_MDIC_*` in `e1000_defines.h`). QEMU answers only PHY
//! address 1.

/// MDI control: the 8254x offset.
pub use super::super::regs::MDIC;

/// MDIC bits.
pub struct Mdic;
impl Mdic {
    const REG_SHIFT: u32 = 16;
    const PHY_SHIFT: u32 = 21;
    const OP_WRITE: u32 = 1 << 26;
    const OP_READ: u32 = 1 << 27;
    /// Largest PHY address and register number (5 bits each).
    pub const MAX_ADDR: u8 = 0x1F;
    /// The operation completed.
    pub const READY: u32 = 1 << 28;
    /// The operation failed.
    pub const ERROR: u32 = 1 << 30;

    fn op(op: u32, phy: u8, reg: u8) -> Option<u32> {
        (phy <= Self::MAX_ADDR && reg <= Self::MAX_ADDR)
            .then(|| op | u32::from(phy) << Self::PHY_SHIFT | u32::from(reg) << Self::REG_SHIFT)
    }

    /// MDIC value that reads PHY register `reg` of PHY `phy`; `None` if
    /// either is past [`Self::MAX_ADDR`].
    pub fn read(phy: u8, reg: u8) -> Option<u32> {
        Self::op(Self::OP_READ, phy, reg)
    }

    /// MDIC value that writes `data` to PHY register `reg` of PHY `phy`;
    /// `None` if either is past [`Self::MAX_ADDR`].
    pub fn write(phy: u8, reg: u8, data: u16) -> Option<u32> {
        Self::op(Self::OP_WRITE, phy, reg).map(|v| v | u32::from(data))
    }

    /// The data of a completed MDIC operation; `None` while it runs or if
    /// it failed.
    pub fn data(mdic: u32) -> Option<u16> {
        // CAST: the data field is the low 16 bits.
        (mdic & (Self::READY | Self::ERROR) == Self::READY).then_some(mdic as u16)
    }
}

/// The PHY QEMU models (and the 82576's internal PHY) answers at.
pub const PHY_ADDR: u8 = 1;

/// PHY control register (MII BMCR).
pub const MII_BMCR: u8 = 0;

/// BMCR bits.
pub struct Bmcr;
impl Bmcr {
    /// 1000 Mb/s (with [`Self::AUTONEG_ENABLE`] clear).
    pub const SPEED_1000: u16 = 0x0040;
    /// Full duplex.
    pub const FULL_DUPLEX: u16 = 0x0100;
    /// Restart autonegotiation (self-clearing).
    pub const AUTONEG_RESTART: u16 = 0x0200;
    /// Autonegotiation enabled.
    pub const AUTONEG_ENABLE: u16 = 0x1000;
    /// What the C driver's copper setup writes to bring the link up:
    /// autonegotiation enabled and restarted.
    pub const RESTART: u16 =
        Self::AUTONEG_ENABLE | Self::AUTONEG_RESTART | Self::FULL_DUPLEX | Self::SPEED_1000;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bmcr_restart() {
        assert_eq!(Bmcr::RESTART, 0x1340);
        assert_eq!(
            Mdic::write(PHY_ADDR, MII_BMCR, Bmcr::RESTART),
            Some(0x0420_1340)
        );
    }

    #[test]
    fn mdic_encoding() {
        assert_eq!(MDIC, 0x0020);
        // E1000_MDIC_OP_READ | phy 1 << 21 | reg 1 << 16.
        assert_eq!(Mdic::read(1, 1), Some(0x0821_0000));
        assert_eq!(Mdic::write(1, 0, 0x1140), Some(0x0420_1140));
        assert_eq!(Mdic::read(31, 31), Some(0x0BFF_0000));
        assert_eq!(Mdic::read(32, 0), None);
        assert_eq!(Mdic::write(1, 32, 0), None);
        // E1000_MDIC_READY, E1000_MDIC_ERROR.
        assert_eq!((Mdic::READY, Mdic::ERROR), (0x1000_0000, 0x4000_0000));
        assert_eq!(Mdic::data(0x1000_796D), Some(0x796D));
        assert_eq!(Mdic::data(0x0000_796D), None);
        assert_eq!(Mdic::data(0x5000_796D), None);
    }
}
