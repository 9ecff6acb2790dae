// SPDX-License-Identifier: GPL-2.0

//! PCI network drivers: the glue implements [`kernel::pci::Driver`] for
//! [`PciAdapter`], so that what a callback may still be using (the
//! netdev, its interrupt handler, the interrupt vectors) is owned by the
//! driver core's per-device data. The core drops that at unbind and never
//! hands it out, so no safe code can leak it and leave a callback running
//! on freed memory.
//!
//! ```text
//!  probe:  vectors ─► netdev allocated ─► IRQ requested ─► netdev registered
//!  unbind: netdev unregistered ─► IRQ freed ─► state dropped, netdev freed ─► vectors freed
//! ```

use super::{irq::Interrupt, Config, NetDevice, Operations, Registration};
use crate::glue::ethtool;
use core::{marker::PhantomData, mem::ManuallyDrop};
use kernel::{
    device::{Bound, Core},
    irq, pci,
    prelude::*,
};

/// A PCI network driver, one netdev per device.
pub trait PciNetDriver: 'static {
    /// Per-entry data of [`Self::ID_TABLE`].
    type IdInfo: 'static;
    /// The driver's per-port state, owned by the netdev.
    type Port<'bound>: Operations + ethtool::Operations + 'bound;
    /// The PCI driver's name (`/sys/bus/pci/drivers/NAME`); each driver
    /// a module registers needs its own.
    const NAME: &'static CStr;
    /// The devices the driver binds.
    const ID_TABLE: pci::IdTable<Self::IdInfo>;
    /// The interrupt's name in `/proc/interrupts`.
    const IRQ_NAME: &'static CStr;

    /// Prepares the device and describes its netdev. The device's
    /// interrupt stays masked until the netdev is opened.
    fn probe<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
        info: Option<&'bound Self::IdInfo>,
    ) -> Result<NetProbe<impl PinInit<Self::Port<'bound>, Error> + 'bound>>;

    /// The netdev is registered (for a log line, say).
    fn registered<'bound>(
        pdev: &'bound pci::Device<Bound>,
        dev: &NetDevice,
        port: &Self::Port<'bound>,
    ) {
        let _ = (pdev, dev, port);
    }
}

/// What [`PciNetDriver::probe`] returns: the netdev's configuration and
/// the initialiser of its state.
pub struct NetProbe<I> {
    /// Applied to the netdev before it is registered.
    pub config: Config,
    /// Initialises the per-port state.
    pub port: I,
}

/// The `pci::Driver` of a [`PciNetDriver`]; name it in
/// `module_pci_driver!`.
pub struct PciAdapter<D>(PhantomData<D>);

impl<D: PciNetDriver> pci::Driver for PciAdapter<D> {
    type IdInfo = D::IdInfo;
    type Data<'bound> = BoundNetDevice<'bound, D::Port<'bound>>;

    const ID_TABLE: pci::IdTable<Self::IdInfo> = D::ID_TABLE;

    fn probe<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
        info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self::Data<'bound>, Error> + 'bound {
        let NetProbe { config, port } = D::probe(pdev, info)?;
        let bound: &'bound pci::Device<Bound> = pdev;
        let data = BoundNetDevice::new(bound, &config, D::IRQ_NAME, port)?;
        D::registered(bound, data.netdev.netdev(), data.netdev.data());
        Ok(data)
    }
}

/// The interrupt types tried, best first: a device without MSI gets its
/// (possibly shared) INTx line.
fn irq_types() -> pci::IrqTypes {
    pci::IrqTypes::default()
        .with(pci::IrqType::Msi)
        .with(pci::IrqType::Intx)
}

/// A bound PCI device's netdev and interrupt: the driver core's
/// per-device data of a [`PciAdapter`].
///
/// # Invariants
///
/// - `netdev` is registered, and `irq`'s handler refers to its state.
/// - `irq` was requested from `vectors` and is freed before them.
/// - Only [`PciAdapter::probe`] creates one, for the driver core, which
///   drops it at unbind.
pub struct BoundNetDevice<'bound, T: Operations + ethtool::Operations> {
    netdev: ManuallyDrop<Registration<T>>,
    irq: ManuallyDrop<Pin<KBox<irq::Registration<'bound, Interrupt<T>>>>>,
    /// Dropped after `Drop::drop`, so after the interrupt is freed.
    _vectors: pci::IrqVectorRegistration<'bound>,
}

impl<'bound, T: Operations + ethtool::Operations + 'bound> BoundNetDevice<'bound, T> {
    fn new(
        pdev: &'bound pci::Device<Bound>,
        config: &Config,
        irq_name: &'static CStr,
        port: impl PinInit<T, Error>,
    ) -> Result<Self> {
        let vectors = pdev.alloc_irq_vectors(1, 1, irq_types())?;
        let request: irq::IrqRequest<'_> = vectors.index(0)?.into();
        // A request is an IRQ number plus a marker of how long it may be used.
        // SAFETY: `vectors` moves into `Self`, which frees the handler
        // registered with it first (`Drop`) and cannot outlive `'bound`.
        let request = unsafe {
            core::mem::transmute::<irq::IrqRequest<'_>, irq::IrqRequest<'bound>>(request)
        };
        let mut netdev = Registration::allocate(pdev.as_ref(), config, port)?;
        // SAFETY: `netdev` moves into `Self`, whose `Drop` frees `irq`
        // before it.
        let handler = unsafe { Interrupt::new(&netdev) };
        let irq = KBox::pin_init(
            // SAFETY: owned by `Self`, which only the driver core holds (its
            // per-device data, dropped at unbind): never leaked.
            unsafe {
                irq::Registration::new(
                    request,
                    irq::Flags::SHARED,
                    irq_name,
                    Ok::<_, Error>(handler),
                )
            },
            GFP_KERNEL,
        )?;
        netdev.register()?;
        // INVARIANT: registered above, `irq` was requested from `vectors`.
        Ok(Self {
            netdev: ManuallyDrop::new(netdev),
            irq: ManuallyDrop::new(irq),
            _vectors: vectors,
        })
    }
}

impl<T: Operations + ethtool::Operations> Drop for BoundNetDevice<'_, T> {
    fn drop(&mut self) {
        // Stops the interface (the driver masks its interrupts) and waits
        // for every netdev callback.
        self.netdev.unregister();
        // SAFETY: dropped once, here; free_irq waits for a running handler,
        // so none refers to the netdev's state afterwards.
        unsafe { ManuallyDrop::drop(&mut self.irq) };
        // SAFETY: dropped once, here, after the last user (the handler).
        unsafe { ManuallyDrop::drop(&mut self.netdev) };
    }
}
