// SPDX-License-Identifier: GPL-2.0

//! Softirqs held off for a stretch of process context.
//!
//! The kernel crate's `SpinLock` has no `_bh` flavour. A lock that a
//! softirq (the NAPI poll, transmit) also takes must be taken from process
//! context with this CPU's softirqs off, or the softirq can interrupt the
//! holder and spin on the lock forever; lockdep reports that as an
//! inconsistent lock state.

use super::bindings as b;

/// Runs `f` with this CPU's softirqs held off, as `spin_lock_bh` does
/// around its critical section. Process context only: `local_bh_enable`
/// from a hard interrupt is a kernel warning.
///
/// The result must be `Send`: a lock guard is not, so no guard taken
/// inside can outlive the softirq-off section. So must the closure: an
/// [`Rtnl`](super::netdev::Rtnl) token is not, so nothing that needs a
/// context that may sleep (NAPI enable and disable) can be called inside.
pub fn with_bh_disabled<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    // SAFETY: a plain call; paired with the enable below in this context.
    unsafe { b::sgnic_local_bh_disable() };
    let result = f();
    // SAFETY: paired with the disable above; any softirq raised meanwhile
    // runs now.
    unsafe { b::sgnic_local_bh_enable() };
    result
}
