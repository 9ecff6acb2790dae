// SPDX-License-Identifier: GPL-2.0

//! NAPI: the context, its enable state, and the poll token.

use super::{NetDev, NetDevice, Operations, Registration, Rtnl};
use crate::glue::{bindings as b, ethtool};
use core::ffi::c_int;
use kernel::{
    prelude::*,
    sync::atomic::{Atomic, Full, Relaxed},
    types::Opaque,
};

impl NetDevice {
    /// The netdev's NAPI contexts, one per queue pair
    /// ([`NetDevice::queue_count`]).
    pub fn napis(&self) -> &[Napi] {
        // `Napi` is a transparent, `Opaque` wrapper: C may mutate it.
        // SAFETY: the array lives as long as the netdev (type invariant);
        // its first `queue_count` elements were added at allocation, and
        // are listed or deleted, never freed (`PrivateHeader`).
        unsafe {
            let first = core::ptr::addr_of_mut!((*self.header()).napi).cast::<Napi>();
            core::slice::from_raw_parts(first, self.queue_count())
        }
    }

    /// NAPI context `queue`, if the netdev has that many.
    pub fn napi(&self, queue: usize) -> Option<&Napi> {
        self.napis().get(queue)
    }

    fn napi_ran(&self) -> &Atomic<u32> {
        // SAFETY: the header lives in the private area as long as the
        // netdev (type invariant); the count is only accessed atomically.
        unsafe { &*core::ptr::addr_of!((*self.header()).napi_ran) }
    }

    fn napi_enabled(&self, queue: usize) -> Option<&Atomic<bool>> {
        if queue >= self.queue_count() {
            return None;
        }
        // SAFETY: the header lives in the private area as long as the
        // netdev (type invariant); the flags are only accessed atomically,
        // and `queue` is in bounds.
        Some(unsafe { &(*core::ptr::addr_of!((*self.header()).napi_enabled))[queue] })
    }

    fn is_napi_enabled(&self, queue: usize) -> bool {
        self.napi_enabled(queue)
            .is_some_and(|flag| flag.load(Relaxed))
    }

    /// Disables NAPI context `queue` if it is enabled; returns whether it
    /// was.
    ///
    /// # Safety
    ///
    /// Under RTNL, or once the netdev is unregistered (see
    /// [`Self::napi_disable_all`]).
    unsafe fn napi_disable_if_enabled(&self, queue: usize) -> bool {
        let Some(flag) = self.napi_enabled(queue) else {
            return false;
        };
        if !flag.xchg(false, Full) {
            return false;
        }
        // SAFETY: the function's contract.
        unsafe { self.link_queues(queue, None) };
        if let Some(napi) = self.napi(queue) {
            // SAFETY: the napi_struct was added and, as the flag said,
            // enabled.
            unsafe { b::napi_disable(napi.as_raw()) };
        }
        true
    }

    /// Records `napi` (or none) as what serves RX and TX queue `queue`,
    /// for the netdev netlink family (`queue-get`) and AF_XDP, as the C
    /// drivers do around `napi_enable` and `napi_disable`. A queue the
    /// netdev does not have is ignored.
    ///
    /// # Safety
    ///
    /// Under RTNL, or once the netdev is unregistered, as
    /// `netif_queue_set_napi` requires (the queue's `napi` pointer is
    /// read under RTNL); `napi` is one of this netdev's contexts.
    unsafe fn link_queues(&self, queue: usize, napi: Option<&Napi>) {
        if queue >= self.queue_count() {
            return;
        }
        let napi = napi.map_or(core::ptr::null_mut(), Napi::as_raw);
        // CAST: below MAX_QUEUES.
        let index = queue as u32;
        // `queue` is below `queue_count`, so below the netdev's allocated
        // RX and TX queues (as many of each); the caller holds RTNL or runs
        // after unregistration (the contract).
        // SAFETY: as just said; `napi` is null or a context of ours.
        unsafe {
            b::netif_queue_set_napi(
                self.as_raw(),
                index,
                b::netdev_queue_type_NETDEV_QUEUE_TYPE_RX,
                napi,
            );
            b::netif_queue_set_napi(
                self.as_raw(),
                index,
                b::netdev_queue_type_NETDEV_QUEUE_TYPE_TX,
                napi,
            );
        }
    }

    /// Disables every NAPI context still enabled, whatever the driver did
    /// with its tokens: the glue's last resort after `stop` and a failed
    /// `open`, and the registration's before `free_netdev`.
    ///
    /// # Safety
    ///
    /// Under RTNL, or once the netdev is unregistered.
    pub(super) unsafe fn napi_disable_all(&self) {
        for queue in 0..self.queue_count() {
            // SAFETY: the function's contract.
            unsafe { self.napi_disable_if_enabled(queue) };
        }
    }
}

impl<T: Operations + ethtool::Operations> NetDev<T> {
    /// Makes the stack use `count` TX and RX queues (1 to
    /// [`Self::queue_count`]), and their NAPI contexts only: those beyond
    /// leave the netdev's NAPI list (netlink's `napi-get` and dump), those
    /// within join it, each with its IRQ, as the C drivers delete and add
    /// theirs with their queue vectors. Under RTNL, as the core requires.
    /// `EBUSY` while a context that would leave is enabled.
    pub fn set_active_queues(&self, _rtnl: &Rtnl<'_>, count: usize) -> Result {
        if count == 0 || count > self.queue_count() {
            return Err(EINVAL);
        }
        let listed = self.active_queues();
        if (count..listed).any(|queue| self.is_napi_enabled(queue)) {
            return Err(EBUSY);
        }
        // CAST: at most MAX_QUEUES.
        let n = count as core::ffi::c_uint;
        // SAFETY: a registered net_device (type invariant), under RTNL
        // (the token), with a count within the allocated queues.
        kernel::error::to_result(unsafe { b::netif_set_real_num_queues(self.as_raw(), n, n) })?;
        // INVARIANT: the contexts of `[0, count)` listed, the rest not, as
        // `count` is now the active count.
        // SAFETY: under RTNL (the token), which every enable holds, so
        // those delisted are still disabled, as checked above; `listed`
        // was the active count, so those contexts were listed.
        unsafe { self.relist_napis(listed, count) };
        Ok(())
    }

    /// Takes the contexts of `[count, listed)` off the netdev's NAPI list
    /// and puts those of `[listed, count)` back on it, with their IRQs.
    ///
    /// # Safety
    ///
    /// Under RTNL, with `count` the active queue count; exactly the
    /// contexts of `[0, listed)` were listed, and those of
    /// `[count, listed)` are disabled.
    unsafe fn relist_napis(&self, listed: usize, count: usize) {
        let napis = self.napis();
        for napi in napis.iter().take(listed).skip(count) {
            // SAFETY: a listed, disabled context (the contract); the shim
            // takes the instance lock. It keeps NAPI_STATE_SCHED, so an
            // interrupt's `napi_schedule` of it still does nothing.
            unsafe { b::sgnic___netif_napi_del(napi.as_raw()) };
        }
        if listed > count {
            // Once for all: RCU readers of the list (netlink's dump) are
            // done with the deleted contexts before any is added again.
            // SAFETY: process context (RTNL is held).
            unsafe { b::synchronize_net() };
        }
        for (queue, napi) in napis.iter().enumerate().take(count).skip(listed) {
            // It keeps its persistent config, so its NAPI ID if it ran
            // before, and the core lists it in its place by that ID.
            // SAFETY: a context deleted from the list (the contract) of
            // this netdev, added with its own config index, below the
            // allocated queues.
            unsafe {
                b::sgnic_netif_napi_add_config(
                    self.as_raw(),
                    napi.as_raw(),
                    Some(napi_poll::<T>),
                    queue as i32,
                )
            };
            // SAFETY: this netdev's, under RTNL (the contract), with the
            // new count already active.
            unsafe { apply_napi_irq(self.as_raw(), queue) };
        }
    }
}

impl<T: Operations> NetDev<T> {
    /// Moves `state` into NAPI context `queue` and allows its polls (from
    /// `open`), each of which gets `state` by `&mut`. The returned token
    /// is the only way to disable them again, and [`NetDev::napi_disable`]
    /// consumes it, so a second disable does not compile. It takes the
    /// netdev's instance mutex, hence [`Rtnl`]: a context that may sleep.
    ///
    /// Fails, handing `state` back, with `EBUSY` if the context's polls
    /// are already allowed, with `EINVAL` unless the interface is up (the
    /// glue disables NAPI after `stop` and after a failed `open`, and
    /// nothing else would), if the netdev has no context `queue` or it is
    /// not among the active queues' ([`NetDev::set_active_queues`]), or if
    /// context `queue` would run for the first time before a lower one
    /// has (NAPI IDs must rise with the index, for netlink). The caller
    /// may have told the device about what `state` holds (a receive
    /// ring, say), so it decides when to drop it.
    pub fn napi_enable(
        &self,
        _rtnl: &Rtnl<'_>,
        queue: usize,
        state: T::PollState,
    ) -> Result<NapiEnabled, (Error, T::PollState)> {
        // Under RTNL, which the core holds while it sets and clears the
        // running state around ndo_open and ndo_stop.
        if !self.is_running() {
            return Err((EINVAL, state));
        }
        let (Some(flag), Some(napi)) = (self.napi_enabled(queue), self.napi(queue)) else {
            return Err((EINVAL, state));
        };
        // Only a listed context (the header's invariant: an active queue's)
        // may run.
        if queue >= self.active_queues() {
            return Err((EINVAL, state));
        }
        // A context's first run draws its NAPI ID; in index order, so that
        // the IDs rise with it (see `PrivateHeader::napi_ran`).
        let ran = self.napi_ran();
        // CAST: below MAX_QUEUES.
        if queue as u32 > ran.load(Relaxed) {
            return Err((EINVAL, state));
        }
        if flag.xchg(true, Full) {
            return Err((EBUSY, state));
        }
        if queue as u32 == ran.load(Relaxed) {
            // Under RTNL: no other enable runs.
            ran.store(queue as u32 + 1, Relaxed);
        }
        // Every enable and disable holds RTNL, as we do, or runs after
        // unregistration, when no callback reaches here: with the flag clear,
        // the last disable has returned. A stale state (one the driver did
        // not take back) is dropped by the assignment.
        // SAFETY: the context is disabled, so no poll of it runs and the
        // cell is ours (type invariant of `Private`); `queue` is in bounds.
        unsafe { *self.poll_state(queue) = Some(state) };
        // No poll runs, and `start_xmit`'s reports are kept out by the
        // queue's xmit lock: BQL starts afresh (what was in flight when
        // NAPI went off will never complete).
        // CAST: below MAX_QUEUES.
        let (raw, txq) = (self.as_raw(), queue as u32);
        // Process context: this CPU holds no xmit lock.
        // SAFETY: paired with the enable below; a registered netdev, one of
        // its TX queues, bottom halves off as the xmit lock wants.
        unsafe {
            b::sgnic_local_bh_disable();
            b::sgnic_netif_tx_lock_queue(raw, txq);
        }
        self.reset_queue(queue);
        // SAFETY: paired with the lock and the disable above.
        unsafe {
            b::sgnic_netif_tx_unlock_queue(raw, txq);
            b::sgnic_local_bh_enable();
        }
        // SAFETY: the context is listed (an active queue's, checked above)
        // and, as the flag said, disabled.
        unsafe { b::napi_enable(napi.as_raw()) };
        // SAFETY: under RTNL (the token); `napi` is context `queue`.
        unsafe { self.link_queues(queue, Some(napi)) };
        Ok(NapiEnabled {
            dev: self.as_raw(),
            queue,
        })
    }

    /// Waits for a running poll of the token's context, prevents new ones
    /// (from `stop`) and hands back the state given to
    /// [`NetDev::napi_enable`]; it sleeps, hence [`Rtnl`].
    ///
    /// A token of another netdev (a driver with two ports) disables
    /// nothing and gets `None`; that netdev's glue disables its context
    /// after `stop` whatever the driver did with the token.
    pub fn napi_disable(&self, _rtnl: &Rtnl<'_>, enabled: NapiEnabled) -> Option<T::PollState> {
        let NapiEnabled { dev, queue } = enabled;
        // SAFETY: under RTNL (the token).
        if dev != self.as_raw() || !unsafe { self.napi_disable_if_enabled(queue) } {
            return None;
        }
        // SAFETY: the context was enabled (so `queue` is in bounds) and is
        // now disabled, under RTNL: no poll of it runs and none can start
        // until the next enable (type invariant of `Private`).
        unsafe { (*self.poll_state(queue)).take() }
    }

    /// The registration's last step before `free_netdev`: drops the
    /// states the driver left in the NAPI contexts.
    ///
    /// # Safety
    ///
    /// NAPI is disabled for good: the netdev is unregistered and
    /// [`NetDevice::napi_disable_all`] has run.
    pub(super) unsafe fn drop_poll_states(&self) {
        for queue in 0..crate::glue::netdev::MAX_QUEUES {
            // SAFETY: no poll can run (the function's contract).
            drop(unsafe { (*self.poll_state(queue)).take() });
        }
    }

    /// The state of NAPI context `queue`, inside its poll.
    ///
    /// # Safety
    ///
    /// Only from the poll callback of NAPI context `queue` (in bounds), and
    /// for no longer than the call.
    unsafe fn polled_state<'a>(&self, queue: usize) -> Option<&'a mut T::PollState> {
        // SAFETY: the caller runs the (one) poll of this context, and it is
        // enabled, so nothing else touches the cell (type invariant of
        // `Private`).
        unsafe { (*self.poll_state(queue)).as_mut() }
    }
}

/// Proof that one of a netdev's NAPI contexts is enabled, from
/// [`NetDev::napi_enable`]. Not `Clone`: handing it to
/// [`NetDev::napi_disable`] uses it up.
#[must_use = "NAPI stays enabled until the token goes to napi_disable"]
pub struct NapiEnabled {
    /// The netdev, compared only (never dereferenced).
    dev: *mut b::net_device,
    queue: usize,
}

// SAFETY: the pointer is only compared, never dereferenced.
unsafe impl Send for NapiEnabled {}
// SAFETY: as above.
unsafe impl Sync for NapiEnabled {}

impl NapiEnabled {
    /// Which context.
    pub fn queue(&self) -> usize {
        self.queue
    }
}

/// One of the device's NAPI contexts.
#[repr(transparent)]
pub struct Napi(Opaque<b::napi_struct>);

// SAFETY: the only operation, `schedule`, may run on any CPU at once:
// `napi_schedule` claims the context with an atomic test-and-set of its
// SCHED bit, and only the claimer queues it.
unsafe impl Sync for Napi {}

impl Napi {
    pub(super) fn as_raw(&self) -> *mut b::napi_struct {
        self.0.get()
    }

    /// Schedules a poll, from any context; whether this call scheduled
    /// it. False if a poll is already scheduled or running (it will run
    /// again: NAPI notes the miss), or the context is not enabled.
    pub fn schedule(&self) -> bool {
        // One not enabled, or deleted from the list, has NAPI_STATE_SCHED
        // set (`PrivateHeader`: `napi_disable` sets it,
        // `__netif_napi_del_locked` leaves it), so `napi_schedule_prep`
        // fails and nothing else is touched.
        // SAFETY: added in `Registration::allocate`; see above.
        unsafe { b::sgnic_napi_schedule(self.as_raw()) }
    }
}

/// One NAPI poll in progress. Only the poll trampoline creates it, so
/// holding one proves the code runs in the poll that owns NAPI context
/// [`Self::queue`] of [`Self::dev`], with bottom halves disabled on this
/// CPU (the NAPI softirq, threaded NAPI or busy polling): the per-CPU skb
/// and fragment caches may be used, and TX queue `queue`'s completions
/// may be reported (with `start_xmit`'s, serialised by the queue's xmit
/// lock).
///
/// # Invariants
///
/// Exists only inside the poll callback of `dev`'s NAPI context `queue`
/// (`napi`), which is below `dev.queue_count()`; `locked_reports` is the
/// driver's [`super::Operations::COMPLETES_IN_XMIT`].
pub struct NapiPoll<'a> {
    dev: &'a NetDevice,
    napi: &'a Napi,
    queue: usize,
    budget: u32,
    locked_reports: bool,
}

impl NapiPoll<'_> {
    /// Most units of RX work this poll may do.
    pub fn budget(&self) -> u32 {
        self.budget
    }

    /// The NAPI context (and so the queue pair) being polled.
    pub fn queue(&self) -> usize {
        self.queue
    }

    /// The polled netdev.
    pub fn dev(&self) -> &NetDevice {
        self.dev
    }

    /// Allocates a small skb for a frame copied out of a receive buffer.
    pub(in crate::glue) fn alloc_skb(&self, len: u32) -> Option<crate::glue::skb::SkBuff> {
        // SAFETY: NAPI softirq context (type invariant).
        let raw = unsafe { b::sgnic_napi_alloc_skb(self.napi.as_raw(), len) };
        // SAFETY: a fresh skb that only we reference.
        (!raw.is_null()).then(|| unsafe { crate::glue::skb::SkBuff::from_raw(raw) })
    }

    /// Passes a received Ethernet frame up the stack through GRO, as
    /// received on this poll's RX queue. A frame shorter than an Ethernet
    /// header is dropped instead: `eth_type_trans` would read (and packet
    /// sockets copy out) bytes beyond it.
    pub fn receive(&self, skb: crate::glue::skb::SkBuff) {
        if skb.headlen() < b::ETH_HLEN {
            return;
        }
        let raw = skb.into_raw();
        // The protocol is set from the header, the RX queue (below
        // `queue_count`, type invariant) recorded, then the skb handed over.
        // SAFETY: NAPI softirq context (type invariant); a valid skb that
        // is ours, holding a whole Ethernet frame.
        unsafe {
            b::sgnic_eth_type_trans(raw, self.dev.as_raw());
            b::sgnic_skb_record_rx_queue(raw, self.queue as u16);
            b::sgnic_napi_gro_receive(self.napi.as_raw(), raw);
        }
    }

    /// Reports frames the device completed on this poll's TX queue to BQL.
    /// Where `start_xmit` reports completions too
    /// ([`super::Operations::COMPLETES_IN_XMIT`]), under the queue's xmit
    /// lock, since BQL's completion side must not run against itself: the
    /// caller must then not hold a lock that `start_xmit` takes while it
    /// holds the xmit lock. (Inside [`Self::with_xmit_frozen`], which
    /// holds it already, the token cannot be reached.)
    ///
    /// BQL calls `BUG()` when more bytes complete than are outstanding, so
    /// a count beyond them is clamped: a driver that miscounts gets wrong
    /// queue limits, not a crash.
    pub fn completed_queue(&self, packets: u32, bytes: u32) {
        // CAST: below MAX_QUEUES.
        let (dev, queue) = (self.dev.as_raw(), self.queue as u32);
        let locked = self.locked_reports;
        if locked {
            // Not held here: `with_xmit_frozen`'s closure cannot reach `self`.
            // SAFETY: `dev` is registered, `queue` one of its TX queues,
            // and bottom halves are off (type invariant).
            unsafe { b::sgnic_netif_tx_lock_queue(dev, queue) };
        }
        let bytes = bytes.min(self.dev.bql_outstanding(self.queue));
        // The other reporter, `start_xmit`, exists only if `locked`.
        // SAFETY: `dev` is registered, the queue one of its own (type
        // invariants); this poll is its only reporter or holds its lock.
        unsafe { b::sgnic_netdev_tx_completed_queue(dev, queue, packets, bytes) };
        if locked {
            // SAFETY: taken above, same context.
            unsafe { b::sgnic_netif_tx_unlock_queue(dev, queue) };
        }
    }

    /// Frees a transmitted frame as consumed, not dropped: into this
    /// CPU's NAPI skb cache (bulk-freed, and reused by receive), or
    /// through the normal path when the poll has no budget (netpoll).
    pub fn consume(&self, skb: crate::glue::skb::SkBuff) {
        // SAFETY: NAPI softirq context (type invariant), with this poll's
        // budget; the skb is ours to free.
        unsafe { b::napi_consume_skb(skb.into_raw(), self.budget as c_int) }
    }

    /// Runs `f` while no `start_xmit` runs on this poll's TX queue and
    /// none can start: the queue's xmit lock, which the core holds around
    /// every `start_xmit` on it (whatever the qdisc, `noqueue` included),
    /// is held for its duration. Lets the poll rewrite state that
    /// `start_xmit` uses outside the driver's own locks (a TX tail
    /// register). Other queues keep transmitting. The closure is `Send`,
    /// so it cannot capture this token or the netdev (it gets them back
    /// through [`XmitFrozen`]) and cannot lock again, which would wait for
    /// itself.
    pub fn with_xmit_frozen<R>(&self, f: impl FnOnce(&XmitFrozen<'_>) -> R + Send) -> R {
        let dev = self.dev;
        // CAST: below MAX_QUEUES.
        let queue = self.queue as u32;
        // It waits for a running start_xmit on the queue.
        // SAFETY: `dev` is registered, `queue` one of its TX queues, and
        // bottom halves are off, as the xmit lock wants (type invariant).
        unsafe { b::sgnic_netif_tx_lock_queue(dev.as_raw(), queue) };
        // INVARIANT: the queue's xmit lock is held until `f` returns,
        // inside the poll.
        let result = f(&XmitFrozen {
            dev,
            queue: self.queue,
        });
        // Then the queue's qdisc runs again, as `netif_tx_unlock` has it
        // do: frames held back while BQL had stopped the queue (a reset
        // clears that stop) would otherwise wait for the next transmit.
        // SAFETY: paired with the lock above, same context; `_tx` holds
        // the queue (type invariant: below `queue_count`).
        unsafe {
            b::sgnic_netif_tx_unlock_queue(dev.as_raw(), queue);
            b::netif_schedule_queue((*dev.as_raw())._tx.add(self.queue));
        }
        result
    }
}

/// A poll's TX queue with its xmit lock held inside the poll, from
/// [`NapiPoll::with_xmit_frozen`].
///
/// # Invariants
///
/// Exists only while TX queue `queue` of `dev` has its xmit lock held,
/// inside the poll of NAPI context `queue`: neither `start_xmit` on the
/// queue nor a completion of it can run.
pub struct XmitFrozen<'a> {
    dev: &'a NetDevice,
    queue: usize,
}

impl XmitFrozen<'_> {
    /// The netdev whose queue is held.
    pub fn dev(&self) -> &NetDevice {
        self.dev
    }

    /// Forgets the polled TX queue's BQL state after its ring was emptied
    /// without completions; nothing can race the reset (type invariant).
    pub fn reset_queue(&self) {
        self.dev.reset_queue(self.queue);
    }
}

/// # Safety
///
/// Called by the NAPI core with a napi_struct `Registration::<T>::allocate`
/// added, whose `dev` is our netdev.
pub(super) unsafe extern "C" fn napi_poll<T: Operations + ethtool::Operations>(
    napi: *mut b::napi_struct,
    budget: c_int,
) -> c_int {
    // SAFETY: see the function's contract; `Napi` is transparent.
    let (dev, this, napi_ref) = unsafe {
        let (dev, this) = Registration::<T>::from_callback((*napi).dev);
        (dev, this, &*napi.cast::<Napi>())
    };
    // Which context: its place in the private area's array (the only one
    // of a single-queue driver).
    let queue = if T::MAX_QUEUES == 1 {
        0
    } else {
        let first = dev.napis().as_ptr();
        // An address difference, not a search; one outside the array
        // (impossible) lands past its end and is refused below.
        (napi.addr().wrapping_sub(first.addr())) / core::mem::size_of::<b::napi_struct>()
    };
    let polled = || {
        // SAFETY: this is context `queue`'s poll callback (checked in
        // bounds below); the borrow ends with it.
        unsafe { dev.polled_state(queue) }
    };
    let state = dev.has_queue(queue).then(polled).flatten();
    let Some(state) = state else {
        // Enabled without a state cannot happen (`napi_enable` stores one
        // first). Should it, poll nothing and complete, leaving the
        // device's interrupts masked: a poll left scheduled would make the
        // next disable spin forever.
        dev.warn(format_args!("NAPI poll without its state\n"));
        // SAFETY: inside this context's poll callback, completing it once.
        unsafe { b::napi_complete_done(napi, 0) };
        return 0;
    };
    let budget = u32::try_from(budget).unwrap_or(0);
    // INVARIANT: this is context `queue`'s poll callback, `queue` in bounds.
    let poll = NapiPoll {
        dev,
        napi: napi_ref,
        queue,
        budget,
        locked_reports: T::COMPLETES_IN_XMIT,
    };
    let work = this.poll(dev, &poll, state);
    if work >= budget {
        // CAST: `budget` came from a `c_int`.
        return budget as c_int;
    }
    // CAST: `work < budget`, which came from a `c_int`.
    let done = work as c_int;
    // Below the budget the poll is done: complete it, exactly once, and
    // let the driver re-enable interrupts unless NAPI was rescheduled.
    // SAFETY: inside this context's poll callback, with work < budget.
    if unsafe { b::napi_complete_done(napi, done) } {
        // The same netdev, read again from `napi`: keeping `dev` live
        // across both calls would cost every poll a saved register.
        // Completing gave up the context, not the netdev: `napi` lives in
        // the netdev's private area until `free_netdev` and only
        // `netif_napi_add` writes its `dev`; the `Registration` frees its
        // state only after unregistering, whose `synchronize_net` waits
        // for this callback (bottom halves are off here: an RCU read-side
        // section).
        // SAFETY: so the function's contract still holds (see above).
        let (dev, _) = unsafe { Registration::<T>::from_callback((*napi).dev) };
        this.poll_complete(dev, queue, work);
    }
    done
}

/// The header of a netdev `Registration::allocate` made.
///
/// # Safety
///
/// `raw` is such a netdev, alive.
unsafe fn header_of(raw: *mut b::net_device) -> *mut super::PrivateHeader {
    // SAFETY: its private area starts with the header (the contract).
    unsafe { super::netdev_priv(raw).cast::<super::PrivateHeader>() }
}

/// Records `irq` as the interrupt that schedules NAPI context `queue`
/// (ignored for a context the netdev does not have), and gives it to the
/// core (netlink's `napi-get`) if the context is listed.
///
/// # Safety
///
/// `raw` is a netdev `Registration::allocate` made, alive, and its active
/// queue count cannot change during the call: under RTNL, or before
/// registration (the adapter's probe).
pub(super) unsafe fn record_napi_irq(raw: *mut b::net_device, queue: usize, irq: u32) {
    // SAFETY: per the contract.
    let header = unsafe { header_of(raw) };
    // SAFETY: `queues` is written once, before anything calls this.
    if queue >= unsafe { (*header).queues } as usize {
        return;
    }
    // SAFETY: the header is alive; the IRQs are only accessed atomically.
    let slot = unsafe { &(*core::ptr::addr_of!((*header).napi_irq))[queue] };
    slot.store(irq, Relaxed);
    // SAFETY: as above.
    unsafe { apply_napi_irq(raw, queue) };
}

/// Gives NAPI context `queue` its recorded IRQ, if it is listed and has
/// one.
///
/// # Safety
///
/// As for [`record_napi_irq`]; `queue` is below the allocated queues.
unsafe fn apply_napi_irq(raw: *mut b::net_device, queue: usize) {
    // SAFETY: per the contract.
    let header = unsafe { header_of(raw) };
    // SAFETY: the header is alive, `queue` in bounds; atomic access.
    let irq = unsafe { &(*core::ptr::addr_of!((*header).napi_irq))[queue] }.load(Relaxed);
    // SAFETY: `raw` is alive; the active count is stable (the contract).
    let listed = unsafe { core::ptr::addr_of!((*raw).real_num_tx_queues).read_volatile() } as usize;
    let Ok(irq) = i32::try_from(irq) else {
        return;
    };
    if irq == 0 || queue >= listed {
        return;
    }
    // SAFETY: the context is in bounds and listed (the header's
    // invariant: the active ones are); `Napi` is transparent.
    let napi = unsafe { core::ptr::addr_of_mut!((*header).napi[queue]) };
    // The netdev never asks the core to manage IRQ affinity
    // (`irq_affinity_auto`, `rx_cpu_rmap_auto`), so only `napi->irq` is
    // written and no notifier is left on the IRQ.
    // SAFETY: a listed context; the shim takes the netdev's instance lock,
    // which no caller holds.
    unsafe { b::sgnic_netif_napi_set_irq(napi, irq) };
}
