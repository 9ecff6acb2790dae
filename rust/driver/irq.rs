// SPDX-License-Identifier: GPL-2.0

//! Interrupt causes as one vector for everything sees them: read from
//! ICR, which clears them, and masked through IMC until the NAPI poll has
//! run. The 8254x always works this way, the 82576 without MSI-X.

use super::{family::IrqWork, regs::Regs};
use crate::hw::regs::{self as r, Irq};

/// The causes a queue pair's poll deals with: its TX completions and
/// received frames (the link is pair 0's poll's only through an event the
/// interrupt raises).
const POLL_CAUSES: u32 = Irq::TXDW | Irq::RXT0 | Irq::RXDMT0 | Irq::RXO;

/// ICR reads as all ones when the device has gone from the bus.
const ICR_DEVICE_GONE: u32 = !0;

/// Handles an interrupt on the single vector; `None` if none of the
/// device's causes is set (the line is shared) or the device is gone.
#[inline(always)]
pub(crate) fn handle_icr(regs: &Regs<'_>) -> Option<IrqWork> {
    let icr = regs.read(r::ICR);
    if icr == 0 || icr == ICR_DEVICE_GONE {
        return None;
    }
    // Mask until NAPI has done the work; it unmasks when complete. Not
    // flushed: the ICR read above already dropped the line, and a cause
    // that comes before the mask lands only raises an interrupt that finds
    // NAPI scheduled. Writes stay ordered, so the poll's unmask cannot
    // overtake this one.
    regs.write(r::IMC, !0);
    Some(IrqWork {
        link: icr & (Irq::LSC | Irq::RXSEQ) != 0,
        poll: Some(0),
    })
}

/// Clears the poll's causes in ICR (written as ones) before a poll that
/// runs again without an interrupt, and flushes the write: whatever the
/// device finished before the clear is then in memory for that poll (the
/// flush read's completion follows the device's earlier DMA writes), and
/// what it finishes after sets the cause again. QEMU's 8254x and 82576
/// clear a cause written as one; a device that ignored the write would
/// only raise, at the unmask, the interrupt this was to save.
pub(crate) fn clear_poll_causes(regs: &Regs<'_>) {
    regs.write(r::ICR, POLL_CAUSES);
    regs.flush();
}
