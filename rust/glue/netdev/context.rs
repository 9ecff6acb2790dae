// SPDX-License-Identifier: GPL-2.0

//! Tokens that prove the calling context: only the trampolines (or a
//! lock-taking helper) create them, so a function valid in one context only
//! cannot be called from another.

use super::NetDevice;
use crate::glue::bindings as b;
use core::marker::PhantomData;

impl NetDevice {
    /// Runs `f` with the address lists locked (`netif_addr_lock_bh`), for
    /// reprogramming the receive filter outside `set_rx_mode`.
    /// Under RTNL: inside `set_rx_mode` the core already holds the lock,
    /// and taking it again would wait for itself. The closure is `Send`,
    /// so it cannot take the `Rtnl` token (or the netdev, which
    /// [`AddrLists::dev`] lends) inside: no nested lock, no sleep under it.
    pub fn with_addr_lists<R>(
        &self,
        _rtnl: &Rtnl<'_>,
        f: impl FnOnce(&AddrLists<'_>) -> R + Send,
    ) -> R {
        // SAFETY: `as_raw` is a registered net_device (type invariant);
        // paired with the unlock below.
        unsafe { b::sgnic_netif_addr_lock_bh(self.as_raw()) };
        // INVARIANT: the lock is held until `f` returns.
        let result = f(&AddrLists { dev: self });
        // SAFETY: taken above, in this context.
        unsafe { b::sgnic_netif_addr_unlock_bh(self.as_raw()) };
        result
    }
}

/// A netdev's unicast and multicast address lists, while their lock is
/// held: the stack holds it around `set_rx_mode`, and
/// [`NetDevice::with_addr_lists`] takes it.
///
/// # Invariants
///
/// `dev`'s address-list lock is held for as long as this exists.
pub struct AddrLists<'a> {
    pub(super) dev: &'a NetDevice,
}

impl AddrLists<'_> {
    /// The netdev whose lists these are.
    pub fn dev(&self) -> &NetDevice {
        self.dev
    }

    /// Calls `f` with each multicast address the stack subscribed to.
    pub fn for_each_multicast(&self, f: impl FnMut(&[u8; 6])) {
        // SAFETY: `mc` is the netdev's multicast list, locked (type
        // invariant), so it cannot change while we walk it.
        unsafe { walk_addr_list(core::ptr::addr_of!((*self.dev.as_raw()).mc), f) }
    }

    /// Number of secondary unicast addresses.
    pub fn unicast_count(&self) -> usize {
        // SAFETY: an integer field of the locked list (type invariant).
        let count = unsafe { (*self.dev.as_raw()).uc.count };
        usize::try_from(count).unwrap_or(0)
    }

    /// Calls `f` with each secondary unicast address.
    pub fn for_each_unicast(&self, f: impl FnMut(&[u8; 6])) {
        // SAFETY: as in `for_each_multicast`.
        unsafe { walk_addr_list(core::ptr::addr_of!((*self.dev.as_raw()).uc), f) }
    }
}

/// `DQL_MAX_OBJECT` (`include/linux/dynamic_queue_limits.h`): the most
/// bytes BQL accepts in one `netdev_tx_sent_queue`.
const DQL_MAX_OBJECT: u32 = u32::MAX / 16;

/// Proof that the caller holds RTNL, and so runs in process context (it
/// may sleep unless it holds a spinlock of its own, which no token
/// records). Only the trampolines of callbacks the core makes under RTNL
/// (`ndo_open`, `ndo_stop`, `ndo_change_mtu`, `ndo_set_features`,
/// `ndo_vlan_rx_add_vid`/`kill_vid`, `ethtool -G` and `-L`) create one.
///
/// # Invariants
///
/// RTNL is held by this thread for as long as this exists. Neither `Send`
/// nor `Sync`: the lock is this thread's.
pub struct Rtnl<'a>(PhantomData<(&'a (), *mut ())>);

impl Rtnl<'_> {
    /// # Safety
    ///
    /// The caller holds RTNL for the token's whole life.
    pub(in crate::glue) unsafe fn new() -> Self {
        Self(PhantomData)
    }
}

/// One `start_xmit` call in progress. Only the xmit trampoline creates it,
/// so holding one proves the code runs inside `ndo_start_xmit` for TX
/// queue [`Self::queue`], with that queue's xmit lock held: the per-CPU
/// `xmit_more` flag describes this frame, and BQL's "sent" side of the
/// queue is this context's to update.
///
/// # Invariants
///
/// Exists only for the duration of an `ndo_start_xmit` call on `dev` for
/// its TX queue `queue`, which is below `dev.queue_count()`; `completes`
/// is the driver's [`super::Operations::COMPLETES_IN_XMIT`].
pub struct Xmit<'a> {
    pub(super) dev: &'a NetDevice,
    pub(super) queue: usize,
    pub(super) completes: bool,
}

impl Xmit<'_> {
    /// The TX queue the stack picked for this frame.
    pub fn queue(&self) -> usize {
        self.queue
    }

    /// Reports `bytes` queued to the device to BQL; returns whether the
    /// doorbell must be rung now (no more frames coming right behind this
    /// one, or BQL stopped the queue).
    ///
    /// BQL ignores (with a WARN) a count above `DQL_MAX_OBJECT`, far beyond
    /// any frame; such a count is clamped instead.
    pub fn sent(&self, bytes: u32) -> bool {
        let bytes = bytes.min(DQL_MAX_OBJECT);
        // SAFETY: inside ndo_start_xmit for `queue` (type invariant): the
        // flag is this frame's, and the queue's sent side is ours.
        unsafe {
            let more = b::sgnic_netdev_xmit_more();
            b::sgnic_netdev_tx_sent_queue(self.dev.as_raw(), self.queue as u32, bytes, more)
        }
    }

    /// Whether the stack has more frames coming right behind this one
    /// (`netdev_xmit_more`), for a frame that was dropped rather than sent.
    pub fn more(&self) -> bool {
        // SAFETY: inside ndo_start_xmit (type invariant): the per-CPU flag
        // describes this frame.
        unsafe { b::sgnic_netdev_xmit_more() }
    }

    /// Reports frames the device completed on this queue to BQL, as
    /// [`super::NapiPoll::completed_queue`] does: the stack holds the
    /// queue's xmit lock around `start_xmit`, which serialises the two.
    /// A count beyond the bytes outstanding is clamped. Only for a driver
    /// that says [`super::Operations::COMPLETES_IN_XMIT`] (whose poll then
    /// reports under that lock too); for any other it reports nothing.
    pub fn completed(&self, packets: u32, bytes: u32) {
        if !self.completes {
            return;
        }
        let bytes = bytes.min(self.dev.bql_outstanding(self.queue));
        // SAFETY: inside ndo_start_xmit for `queue` (type invariant), with
        // its xmit lock held, which the poll takes to report
        // (`COMPLETES_IN_XMIT`, checked above).
        unsafe {
            b::sgnic_netdev_tx_completed_queue(self.dev.as_raw(), self.queue as u32, packets, bytes)
        }
    }

    /// Stops this frame's TX queue (out of room).
    pub fn stop_queue(&self) {
        self.dev.stop_queue(self.queue);
    }

    /// Whether this frame's TX queue is stopped (by the driver, or by BQL
    /// in [`Self::sent`]).
    pub fn queue_stopped(&self) -> bool {
        self.dev.queue_stopped(self.queue)
    }
}

/// An MTU change the stack asked for, inside `ndo_change_mtu` (under
/// RTNL, which serialises every writer of the MTU).
///
/// # Invariants
///
/// Exists only for the duration of an `ndo_change_mtu` call on `dev`.
pub struct MtuChange<'a> {
    pub(super) dev: &'a NetDevice,
    pub(super) mtu: u32,
    pub(super) rtnl: Rtnl<'a>,
}

impl<'a> MtuChange<'a> {
    /// RTNL, which the stack holds around the change.
    pub fn rtnl(&self) -> &Rtnl<'a> {
        &self.rtnl
    }

    /// The requested MTU, already range-checked by the stack.
    pub fn mtu(&self) -> u32 {
        self.mtu
    }

    /// Makes the requested MTU the netdev's.
    pub fn apply(&self) {
        // SAFETY: inside ndo_change_mtu under RTNL (type invariant), the
        // only writer; WRITE_ONCE, as the stack reads it locklessly.
        unsafe { core::ptr::addr_of_mut!((*self.dev.as_raw()).mtu).write_volatile(self.mtu) }
    }
}

/// An address change the stack asked for, inside `ndo_set_mac_address`
/// (under RTNL, which serialises every writer of the address).
///
/// # Invariants
///
/// Exists only for the duration of an `ndo_set_mac_address` call on `dev`.
pub struct MacChange<'a> {
    pub(super) dev: &'a NetDevice,
    pub(super) mac: [u8; 6],
}

impl MacChange<'_> {
    /// The requested address, not yet validated.
    pub fn mac(&self) -> [u8; 6] {
        self.mac
    }

    /// Makes the requested address the netdev's.
    pub fn apply(&self) {
        // SAFETY: inside ndo_set_mac_address under RTNL (type invariant),
        // as eth_hw_addr_set requires; `mac` holds ETH_ALEN bytes.
        unsafe { b::sgnic_eth_hw_addr_set(self.dev.as_raw(), self.mac.as_ptr()) }
    }
}

/// # Safety
///
/// `list` must be a valid netdev address list that cannot change during
/// the walk.
unsafe fn walk_addr_list(list: *const b::netdev_hw_addr_list, mut f: impl FnMut(&[u8; 6])) {
    // SAFETY: per the contract; each entry embeds its `list_head` as the
    // first field, so the node pointer is the entry pointer.
    unsafe {
        let head = core::ptr::addr_of!((*list).list).cast_mut();
        let mut node = (*head).next;
        while node != head {
            let entry = node.cast::<b::netdev_hw_addr>();
            // Only the first `addr_len` (6) bytes were written: copy those,
            // never borrow the whole array.
            let mut mac = [0u8; 6];
            core::ptr::copy_nonoverlapping(
                core::ptr::addr_of!((*entry).addr).cast::<u8>(),
                mac.as_mut_ptr(),
                6,
            );
            f(&mac);
            node = (*node).next;
        }
    }
}
