// SPDX-License-Identifier: GPL-2.0

//! The device's (possibly shared) interrupt line.

use super::{NetDevice, Operations, Registration};
use crate::glue::{bindings as b, ethtool};
use core::ffi::c_int;
use kernel::{device, pci, prelude::*};

/// `IRQF_SHARED` (a `#define` bindgen does not carry over).
const IRQF_SHARED: core::ffi::c_ulong = 0x80;

impl NetDevice {
    /// Requests the device's (possibly shared) interrupt line; the
    /// driver's [`Operations::interrupt`] handles it until the returned
    /// [`IrqLine`] is dropped.
    pub fn request_shared_irq(&self, pdev: &pci::Device<device::Bound>) -> Result<IrqLine> {
        // SAFETY: `pci::Device` is a transparent wrapper of `pci_dev`.
        let irq = unsafe { b::sgnic_pci_dev_irq(core::ptr::from_ref(pdev).cast::<b::pci_dev>()) };
        // `dev_id` and the name are the netdev's. The driver drops the line in
        // `stop`, before unregister returns; a leaked `IrqLine` would outlive
        // the netdev, the gap Documentation/glue-safety.md lists.
        // SAFETY: the handler was installed by `Registration::new` for `T`.
        let ret = unsafe {
            b::sgnic_request_irq(
                irq,
                (*self.header()).irq_handler,
                IRQF_SHARED,
                (*self.as_raw()).name.as_ptr(),
                self.as_raw().cast(),
            )
        };
        kernel::error::to_result(ret)?;
        Ok(IrqLine {
            irq,
            ndev: self.as_raw(),
        })
    }
}

/// An interrupt line requested with [`NetDevice::request_shared_irq`];
/// freed (after waiting for running handlers) on drop.
pub struct IrqLine {
    irq: u32,
    ndev: *mut b::net_device,
}

// SAFETY: the line may be freed from any process context.
unsafe impl Send for IrqLine {}
// SAFETY: shared references expose nothing.
unsafe impl Sync for IrqLine {}

impl Drop for IrqLine {
    fn drop(&mut self) {
        // SAFETY: requested with this irq and dev_id; free_irq waits for
        // handlers still running on other CPUs.
        unsafe { b::free_irq(self.irq, self.ndev.cast()) };
    }
}

/// # Safety
///
/// Called by the IRQ core for a line requested by
/// `NetDevice::request_shared_irq`, whose `dev_id` is our netdev.
pub(super) unsafe extern "C" fn irq_callback<T: Operations + ethtool::Operations>(
    _irq: c_int,
    dev_id: *mut core::ffi::c_void,
) -> b::irqreturn_t {
    // SAFETY: see the function's contract.
    let (dev, this) = unsafe { Registration::<T>::from_callback(dev_id.cast()) };
    if this.interrupt(dev) {
        b::irqreturn_IRQ_HANDLED
    } else {
        b::irqreturn_IRQ_NONE
    }
}
