// SPDX-License-Identifier: GPL-2.0

//! Interrupt causes as one vector for everything sees them: read from
//! ICR, which clears them, and masked through IMC until the NAPI poll has
//! run. The 8254x always works this way, the 82576 without MSI-X.

use super::{family::IrqWork, regs::Regs};
use crate::hw::regs::{self as r, Irq};

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
