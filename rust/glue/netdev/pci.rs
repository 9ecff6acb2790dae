// SPDX-License-Identifier: GPL-2.0

//! PCI network drivers: the glue implements [`kernel::pci::Driver`] for
//! [`PciAdapter`], so that what a callback may still be using (the
//! netdev, its interrupt handler, the interrupt vectors) is owned by the
//! driver core's per-device data. The core drops that at unbind and never
//! hands it out, so no safe code can leak it and leave a callback running
//! on freed memory.
//!
//! ```text
//!  probe:  device enabled ─► DMA mask ─► vectors (MSI-X, else MSI, else INTx) ─► driver's probe
//!          ─► netdev allocated ─► one IRQ per vector requested ─► netdev registered
//!                                        │ a request failed
//!                                        ▼
//!          IRQs, netdev and vectors freed ─► again from "vectors", one type down
//!  unbind: netdev unregistered ─► IRQs freed ─► state dropped, netdev freed ─► vectors freed
//!          ─► device disabled
//! ```

use super::{irq::Interrupt, Config, NetDevice, Operations, Registration};
use crate::glue::{bindings as b, ethtool};
use core::{marker::PhantomData, mem::ManuallyDrop};
use kernel::{
    device::{Bound, Core},
    dma::{Device as _, DmaMask},
    irq, pci,
    prelude::*,
    str::CString,
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
    /// The interrupt's name in `/proc/interrupts`, before the `@` and
    /// the device's PCI name that the glue appends.
    const IRQ_NAME: &'static CStr;
    /// Most MSI-X vectors the driver can use; below 2 it never asks for
    /// MSI-X (one vector is what MSI or INTx give anyway).
    const MSIX_VECTORS: u32 = 0;
    /// How many bits of a DMA address the device takes (in its
    /// descriptors and ring base registers). A claim about the hardware,
    /// like the register programming: the glue cannot check it, and a
    /// value above what the device decodes lets it DMA to the wrong
    /// address.
    const DMA_BITS: u32 = 32;

    /// The best interrupt type to try (a module parameter may lower it).
    fn best_vectors() -> VectorKind {
        VectorKind::MsiX
    }

    /// The name of interrupt vector `vector` in `/proc/interrupts`, before
    /// the `@` and the device's PCI name that the glue appends (so that
    /// each port's vectors can be told apart).
    fn irq_name(vector: u32) -> &'static CStr {
        let _ = vector;
        Self::IRQ_NAME
    }

    /// The queue pair that vector `vector` serves, if it serves one: its
    /// interrupt is steered to the CPU that the pair's transmits come
    /// from ([`super::NetDevice::spread_xps`]), the `n`-th online CPU for
    /// pair `n`.
    fn vector_queue(vector: u32) -> Option<u32> {
        let _ = vector;
        None
    }

    /// Prepares the device, which the glue has enabled, and describes its
    /// netdev for the interrupt `vectors` granted. The device's interrupts
    /// stay masked until the netdev is opened.
    fn probe<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
        info: Option<&'bound Self::IdInfo>,
        vectors: Vectors,
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
        let bound: &'bound pci::Device<Bound> = pdev;
        // MSI-X needs the device's memory space for its vector table.
        let mut enabled = EnabledDevice::new(pdev)?;
        let mask = DmaMask::try_new(D::DMA_BITS)?;
        // SAFETY: the driver core runs this probe alone for `pdev`, and
        // nothing has allocated or mapped DMA memory for it yet.
        unsafe { pdev.dma_set_mask_and_coherent(mask) }.inspect_err(|_| {
            dev_err!(pdev.as_ref(), "no usable {}-bit DMA\n", D::DMA_BITS);
        })?;
        let mut best = D::best_vectors();
        loop {
            let (vectors, granted) = allocate_vectors(bound, D::MSIX_VECTORS, best)?;
            let NetProbe { config, port } = D::probe(pdev, info, granted)?;
            let naming = VectorNaming {
                name: D::irq_name,
                queue: D::vector_queue,
            };
            match BoundNetDevice::new(bound, enabled, vectors, granted, &config, naming, port) {
                Ok(data) => {
                    D::registered(bound, data.netdev.netdev(), data.netdev.data());
                    return Ok(data);
                }
                // The vectors were granted but one could not be requested
                // (no memory for its action, say): the next type down
                // needs fewer, as the C igb falls back.
                Err(Failure::Request(e, device)) => {
                    let Some(next) = granted.kind.fallback() else {
                        return Err(e);
                    };
                    dev_warn!(
                        pdev.as_ref(),
                        "requesting {:?} interrupts failed (error {}), trying {:?}\n",
                        granted.kind,
                        e.to_errno(),
                        next
                    );
                    enabled = device;
                    best = next;
                }
                Err(Failure::Other(e)) => return Err(e),
            }
        }
    }
}

/// The device with its memory space and bus mastering enabled, from the
/// adapter's probe until the device data goes: dropping it disables both,
/// as the C drivers do on a failed probe and at remove.
///
/// # Invariants
///
/// This enabled `pdev` once (`pci_enable_device_mem`), and only its drop
/// undoes that.
struct EnabledDevice<'bound> {
    pdev: &'bound pci::Device<Bound>,
}

impl<'bound> EnabledDevice<'bound> {
    fn new(pdev: &'bound pci::Device<Core<'_>>) -> Result<Self> {
        pdev.enable_device_mem()?;
        pdev.set_master();
        // INVARIANT: enabled once, above.
        Ok(Self { pdev })
    }
}

impl Drop for EnabledDevice<'_> {
    fn drop(&mut self) {
        let dev = crate::glue::dma::raw_device(self.pdev.as_ref());
        // Its users (the interrupts, the netdev and its DMA) went before
        // this, the last field of `BoundNetDevice` (or, on a failed probe,
        // a value dropped after them).
        // SAFETY: `dev` is a bound `pci_dev`'s, enabled once by this.
        unsafe {
            let raw = b::sgnic_to_pci_dev(dev);
            kernel::bindings::pci_clear_master(raw.cast());
            kernel::bindings::pci_disable_device(raw.cast());
        }
    }
}

/// An interrupt type, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum VectorKind {
    /// Message-signalled, several vectors.
    MsiX,
    /// Message-signalled, one vector.
    Msi,
    /// The legacy line, possibly shared with other devices.
    Intx,
}

impl VectorKind {
    /// The type to try when this one's vectors cannot be requested.
    fn fallback(self) -> Option<Self> {
        match self {
            VectorKind::MsiX => Some(VectorKind::Msi),
            VectorKind::Msi => Some(VectorKind::Intx),
            VectorKind::Intx => None,
        }
    }
}

/// The interrupt vectors a device was granted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Vectors {
    kind: VectorKind,
    count: u32,
}

impl Vectors {
    /// Their type.
    pub fn kind(&self) -> VectorKind {
        self.kind
    }

    /// How many (at least 1; more only with MSI-X).
    pub fn count(&self) -> u32 {
        self.count
    }
}

/// Allocates interrupt vectors: MSI-X with 2 to `msix_max` vectors if the
/// driver can use them and `best` allows, else one MSI vector, else the
/// INTx line (no better than `best`).
fn allocate_vectors(
    pdev: &pci::Device<Bound>,
    msix_max: u32,
    best: VectorKind,
) -> Result<(pci::IrqVectorRegistration<'_>, Vectors)> {
    if best == VectorKind::MsiX && msix_max >= 2 {
        let msix = pci::IrqTypes::default().with(pci::IrqType::MsiX);
        if let Ok(vectors) = pdev.alloc_irq_vectors(2, msix_max, msix) {
            // CAST: the core granted between 2 and `msix_max` (a u32).
            let count = vectors.len() as u32;
            let kind = VectorKind::MsiX;
            return Ok((vectors, Vectors { kind, count }));
        }
    }
    let types = match best {
        VectorKind::MsiX | VectorKind::Msi => pci::IrqTypes::default()
            .with(pci::IrqType::Msi)
            .with(pci::IrqType::Intx),
        VectorKind::Intx => pci::IrqTypes::default().with(pci::IrqType::Intx),
    };
    let vectors = pdev.alloc_irq_vectors(1, 1, types)?;
    let kind = match vectors.irq_type() {
        pci::IrqType::Msi => VectorKind::Msi,
        pci::IrqType::MsiX => VectorKind::MsiX,
        pci::IrqType::Intx => VectorKind::Intx,
    };
    Ok((vectors, Vectors { kind, count: 1 }))
}

/// What the driver says about each vector: its name, and the queue pair
/// it serves.
struct VectorNaming {
    name: fn(u32) -> &'static CStr,
    queue: fn(u32) -> Option<u32>,
}

/// `base@device`: a vector's name in `/proc/interrupts`, unique to the
/// port (both ports of a two-port card would otherwise show the same).
/// The PCI name, not the interface's: the vectors are requested before
/// the netdev has its name, and an interface may be renamed.
fn vector_name(base: &CStr, device: &CStr) -> Result<CString> {
    CString::try_from_fmt(fmt!("{base}@{device}"))
}

/// Why [`BoundNetDevice::new`] failed.
enum Failure<'bound> {
    /// A vector's handler could not be requested; everything else is
    /// undone, and the enabled device is handed back for another try
    /// with a different interrupt type.
    Request(Error, EnabledDevice<'bound>),
    /// Anything else (the netdev's allocation or registration).
    Other(Error),
}

/// One vector's handler, requested for a netdev of state `T`.
type VectorHandler<'bound, T> = Pin<KBox<irq::Registration<'bound, Interrupt<T>>>>;

/// A bound PCI device's netdev and interrupts: the driver core's
/// per-device data of a [`PciAdapter`].
///
/// # Invariants
///
/// - `netdev` is registered, and the handlers in `irqs` refer to its
///   state.
/// - `irqs` were requested from `vectors`, one per vector, and are freed
///   before them.
/// - `_irq_names` holds the names `irqs` were requested with, in heap
///   buffers that neither move nor go before `irqs` is freed.
/// - Only [`PciAdapter::probe`] creates one, for the driver core, which
///   drops it at unbind.
pub struct BoundNetDevice<'bound, T: Operations + ethtool::Operations> {
    netdev: ManuallyDrop<Registration<T>>,
    irqs: ManuallyDrop<KVec<VectorHandler<'bound, T>>>,
    /// Dropped after `Drop::drop`, so after the interrupts are freed.
    _irq_names: KVec<CString>,
    /// Dropped after `Drop::drop`, so after the interrupts are freed.
    _vectors: pci::IrqVectorRegistration<'bound>,
    /// Dropped last: the device is disabled once nothing uses it.
    _enabled: EnabledDevice<'bound>,
}

impl<'bound, T: Operations + ethtool::Operations + 'bound> BoundNetDevice<'bound, T> {
    fn new(
        pdev: &'bound pci::Device<Bound>,
        enabled: EnabledDevice<'bound>,
        vectors: pci::IrqVectorRegistration<'bound>,
        granted: Vectors,
        config: &Config,
        naming: VectorNaming,
        port: impl PinInit<T, Error>,
    ) -> Result<Self, Failure<'bound>> {
        // Declared before `irqs`, so that an early return frees the
        // handlers before their names.
        let mut irq_names = KVec::with_capacity(granted.count as usize, GFP_KERNEL)
            .map_err(|e| Failure::Other(e.into()))?;
        for vector in 0..granted.count {
            let name = vector_name((naming.name)(vector), pdev.as_ref().name());
            irq_names
                .push(name.map_err(Failure::Other)?, GFP_KERNEL)
                .map_err(|e| Failure::Other(e.into()))?;
        }
        let mut netdev =
            Registration::allocate(pdev.as_ref(), config, port).map_err(Failure::Other)?;
        let mut irqs = KVec::with_capacity(granted.count as usize, GFP_KERNEL)
            .map_err(|e| Failure::Other(e.into()))?;
        for vector in 0..granted.count {
            // CAST: a u32 vector number, lossless in a usize here.
            let request: irq::IrqRequest<'_> = match vectors.index(vector as usize) {
                Ok(request) => request.into(),
                Err(e) => {
                    // Each error return drops the handlers first, then the
                    // netdev their state is in, then (a parameter, dropped
                    // after the body's locals) the vectors.
                    drop(irqs);
                    drop(netdev);
                    return Err(Failure::Other(e));
                }
            };
            let irq_number = request.irq();
            // CAST: as above; `irq_names` has one name per vector.
            let name: *const CStr = &*irq_names[vector as usize];
            // The crate asks for `'static`; what it does with the name
            // needs less: it passes it to `request_irq` only (no accessor),
            // the kernel reads it (`/proc/interrupts`, under the IRQ
            // descriptor's lock) until `free_irq` unlinks the action, and
            // `/proc/irq/N/` holds a copy.
            // SAFETY: the name's buffer is on the heap, in `irq_names`,
            // which moves into `Self` and is dropped after `Drop` frees the
            // handlers (or, on an error return here, after `irqs`).
            let name: &'static CStr = unsafe { &*name };
            // A request is an IRQ number plus a marker of how long it may be
            // used.
            // SAFETY: `vectors` moves into `Self`, which frees the handlers
            // registered with it first (`Drop`) and cannot outlive `'bound`.
            let request = unsafe {
                core::mem::transmute::<irq::IrqRequest<'_>, irq::IrqRequest<'bound>>(request)
            };
            // SAFETY: `netdev` moves into `Self`, whose `Drop` frees `irqs`
            // before it; each error return below drops `irqs` first.
            let handler = unsafe { Interrupt::new(&netdev, vector) };
            let irq = KBox::pin_init(
                // SAFETY: owned by `Self` (or dropped by an error return
                // here), which only the driver core holds (its per-device
                // data, dropped at unbind): never leaked.
                unsafe {
                    irq::Registration::new(
                        request,
                        // Only the INTx line may be shared.
                        if granted.kind == VectorKind::Intx {
                            irq::Flags::SHARED
                        } else {
                            irq::Flags::TRIGGER_NONE
                        },
                        name,
                        Ok::<_, Error>(handler),
                    )
                },
                GFP_KERNEL,
            );
            let irq = match irq {
                Ok(irq) => irq,
                Err(e) => {
                    // The device goes back once the vectors are freed.
                    drop(irqs);
                    drop(netdev);
                    return Err(Failure::Request(e, enabled));
                }
            };
            if let Err(e) = irqs.push(irq, GFP_KERNEL) {
                drop(irqs);
                drop(netdev);
                return Err(Failure::Other(e.into()));
            }
            // Which NAPI contexts the vector schedules: the one of its
            // queue pair, or every one when a single vector serves all.
            match (naming.queue)(vector) {
                // CAST: a queue number, below MAX_QUEUES.
                Some(queue) => netdev.set_napi_irq(queue as usize, irq_number),
                None if granted.count == 1 => {
                    for queue in 0..netdev.queue_count() {
                        netdev.set_napi_irq(queue, irq_number);
                    }
                }
                None => {}
            }
            if let Some(cpu) = (naming.queue)(vector).and_then(crate::glue::cpu::spread) {
                // Not a hint (free_irq warns about one left set): the
                // affinity itself, which a user may still change. Failing
                // only leaves the default affinity.
                // SAFETY: `irq_number` is requested above and stays so
                // while `Self` lives; the mask is a CPU's constant one.
                let _ = unsafe { b::irq_set_affinity(irq_number, b::sgnic_cpumask_of(cpu)) };
            }
        }
        if let Err(e) = netdev.register() {
            drop(irqs);
            drop(netdev);
            return Err(Failure::Other(e));
        }
        // INVARIANT: registered above; one IRQ per vector of `vectors`.
        Ok(Self {
            netdev: ManuallyDrop::new(netdev),
            irqs: ManuallyDrop::new(irqs),
            _irq_names: irq_names,
            _vectors: vectors,
            _enabled: enabled,
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
        unsafe { ManuallyDrop::drop(&mut self.irqs) };
        // SAFETY: dropped once, here, after the last user (the handler).
        unsafe { ManuallyDrop::drop(&mut self.netdev) };
    }
}
