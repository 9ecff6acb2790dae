// SPDX-License-Identifier: GPL-2.0

//! The netdev's interrupt handler, registered through the kernel crate's
//! [`kernel::irq::Registration`] by [`super::PciAdapter`].

use super::{Operations, Registration};
use crate::glue::{bindings as b, ethtool};
use core::{marker::PhantomData, ptr::NonNull};
use kernel::irq::{Handler, IrqReturn};

/// The interrupt handler of a netdev: lends [`Operations::interrupt`] the
/// driver's state and the NAPI contexts, and nothing else. In particular
/// not the [`super::NetDevice`]: the handler may run before the netdev is
/// registered and after it is unregistered (the line is shared), when
/// most netdev calls are not allowed.
///
/// # Invariants
///
/// `ndev` was allocated by a `Registration<T>` whose state is initialised,
/// and that registration outlives every `irq::Registration` holding this
/// handler.
pub(super) struct Interrupt<T> {
    ndev: NonNull<b::net_device>,
    /// Which of the device's vectors this handler serves.
    vector: u32,
    _state: PhantomData<*const T>,
}

// SAFETY: the handler only hands out `&T` and the NAPI context, both of
// which may be used from any CPU (`T: Sync`).
unsafe impl<T: Send + Sync> Send for Interrupt<T> {}
// SAFETY: as above; `handle` takes `&self` and mutates nothing.
unsafe impl<T: Send + Sync> Sync for Interrupt<T> {}

impl<T: Operations + ethtool::Operations> Interrupt<T> {
    /// # Safety
    ///
    /// `registration` must outlive every `irq::Registration` holding the
    /// returned handler.
    pub(super) unsafe fn new(registration: &Registration<T>, vector: u32) -> Self {
        // INVARIANT: the registration's state is initialised (it exists),
        // and the caller guarantees it outlives the handler's registration.
        Self {
            ndev: registration.raw(),
            vector,
            _state: PhantomData,
        }
    }
}

impl<T: Operations + ethtool::Operations> Handler for Interrupt<T> {
    fn handle(&self) -> IrqReturn {
        // SAFETY: the netdev and the state it points to outlive this
        // handler's registration (type invariant), and free_irq waits for a
        // running handler before either goes.
        let (this, napis) = unsafe { Registration::<T>::state_and_napis(self.ndev.as_ptr()) };
        if this.interrupt(self.vector, napis) {
            IrqReturn::Handled
        } else {
            IrqReturn::None
        }
    }
}
