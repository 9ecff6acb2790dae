// SPDX-License-Identifier: GPL-2.0

//! MMIO access to the device's register file (BAR 0).

use crate::hw::regs::BAR0_SIZE;
use kernel::{io::Io, pci, prelude::*};

/// BAR 0 of an 8254x, mapped for its whole 128 KiB register file. The
/// device is reset when the mapping goes: whoever drops it (a failed probe,
/// or the port after its netdev is unregistered) leaves the device silent,
/// with no DMA and no interrupt, before the BAR is unmapped and before the
/// port's rings (declared after it) are unmapped and freed.
pub(crate) struct Regs<'bound> {
    bar: pci::Bar<'bound, BAR0_SIZE>,
}

impl<'bound> Regs<'bound> {
    /// Wraps a BAR mapped with at least [`BAR0_SIZE`] bytes.
    pub(crate) fn new(bar: pci::Bar<'bound, BAR0_SIZE>) -> Self {
        Self { bar }
    }

    /// Reads a fixed register; `offset` is a constant from `hw::regs`, so
    /// the bounds check happens at compile time.
    #[inline(always)]
    pub(crate) fn read(&self, offset: usize) -> u32 {
        (&self.bar).read32(offset)
    }

    /// Writes a fixed register (see [`Self::read`]).
    #[inline(always)]
    pub(crate) fn write(&self, offset: usize, value: u32) {
        (&self.bar).write32(value, offset)
    }

    /// Writes an indexed register (RA, MTA) whose offset is computed at
    /// run time, so it is bounds-checked at run time.
    pub(crate) fn write_indexed(&self, offset: usize, value: u32) -> Result {
        (&self.bar).try_write32(value, offset)
    }

    /// Forces posted writes out to the device.
    pub(crate) fn flush(&self) {
        let _ = self.read(crate::hw::regs::STATUS);
    }
}

impl Drop for Regs<'_> {
    fn drop(&mut self) {
        super::mac::reset(self);
    }
}
