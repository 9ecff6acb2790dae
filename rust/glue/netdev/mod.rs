// SPDX-License-Identifier: GPL-2.0

//! Network devices: the netdev a driver sees ([`NetDevice`]) and the
//! operations it implements ([`Operations`]), with one file per concern:
//!
//! - `registration.rs`: [`Registration`], which owns a `struct net_device`
//!   and the driver's state, and the `net_device_ops` trampolines;
//! - `napi.rs`: the NAPI context and the poll token;
//! - `context.rs`: the tokens that prove a calling context (xmit, MTU
//!   change, address lists locked);
//! - `irq.rs`: the interrupt handler;
//! - `pci.rs`: [`PciAdapter`], the `pci::Driver` that owns the netdev and
//!   its interrupt for as long as the device is bound.
//!
//! The netdev's private area holds a pointer to the driver's state, so
//! each C callback can hand the driver a plain `&T`, and the state its NAPI
//! poll owns while polls are enabled ([`Operations::PollState`]).

mod context;
mod irq;
mod napi;
mod pci;
mod registration;

pub use context::{AddrLists, MacChange, MtuChange, Rtnl, Xmit};
pub use napi::{Napi, NapiEnabled, NapiPoll, XmitFrozen};
pub use pci::{BoundNetDevice, NetProbe, PciAdapter, PciNetDriver, VectorKind, Vectors};
pub(crate) use registration::Registration;

use super::bindings as b;
use crate::glue::skb::Skb;
use core::{cell::UnsafeCell, marker::PhantomData, ops::Deref};
use kernel::{prelude::*, sync::atomic::Atomic, types::Opaque};

/// Most queue pairs (TX queue, RX queue, NAPI context) a netdev may have.
pub const MAX_QUEUES: usize = 8;

/// Fills `key` with the kernel's RSS key (`netdev_rss_key_fill`: random,
/// drawn once per boot and shared by every device, so that a flow hashes
/// alike on each). At most its first `NETDEV_RSS_KEY_LEN` bytes; any
/// beyond are left as they are.
pub fn fill_rss_key(key: &mut [u8]) {
    // CAST: a small constant (256 in 7.3).
    let len = key.len().min(b::NETDEV_RSS_KEY_LEN as usize);
    // SAFETY: `key` holds at least `len` writable bytes, and `len` is
    // within the kernel's key (its BUG_ON).
    unsafe { b::netdev_rss_key_fill(key.as_mut_ptr().cast(), len) }
}

/// `IFF_PROMISC` and `IFF_ALLMULTI` from `uapi/linux/if.h`.
pub const IFF_PROMISC: u32 = 1 << 8;
/// Receive all multicast frames.
pub const IFF_ALLMULTI: u32 = 1 << 9;

/// `netdev_priv()`: the private area is the net_device's trailing `priv`
/// array, whose offset bindgen knows, so no call into C is needed.
///
/// # Safety
///
/// `raw` must point to a live net_device.
unsafe fn netdev_priv(raw: *mut b::net_device) -> *mut u8 {
    // SAFETY: the caller guarantees `raw` is live; `addr_of_mut!` takes the
    // field's address without creating a reference.
    unsafe { core::ptr::addr_of_mut!((*raw).priv_).cast::<u8>() }
}

/// A registered `struct net_device`, as seen from its callbacks.
///
/// # Invariants
///
/// The wrapped net_device was allocated and registered by a
/// [`Registration`] that is still alive.
#[repr(transparent)]
pub struct NetDevice(Opaque<b::net_device>);

impl NetDevice {
    /// # Safety
    ///
    /// `ptr` must point to a net_device owned by a live [`Registration`],
    /// valid for `'a`.
    unsafe fn from_raw<'a>(ptr: *mut b::net_device) -> &'a Self {
        // SAFETY: `NetDevice` is a transparent wrapper of `net_device`, and
        // the caller guarantees the pointee is valid for `'a`.
        unsafe { &*ptr.cast::<Self>() }
    }

    pub(crate) fn as_raw(&self) -> *mut b::net_device {
        self.0.get()
    }

    fn header(&self) -> *mut PrivateHeader {
        // SAFETY: `as_raw` is a live net_device (type invariant), created
        // by `Registration::allocate`, whose private area starts with a
        // `PrivateHeader`.
        unsafe { netdev_priv(self.as_raw()).cast::<PrivateHeader>() }
    }

    /// How many queue pairs (TX queues, RX queues and NAPI contexts) the
    /// netdev was allocated with; [`Self::active_queues`] of them are in
    /// use. Fixed for the netdev's life.
    pub fn queue_count(&self) -> usize {
        // CAST: at most MAX_QUEUES.
        // SAFETY: the header lives as long as the netdev (type invariant);
        // `queues` is written once, before registration.
        unsafe { (*self.header()).queues as usize }
    }

    /// Whether the netdev has queue pair `queue`. Pair 0 always exists
    /// (`queue_count` is at least 1), which a caller passing a constant 0
    /// gets for free.
    #[inline(always)]
    pub(super) fn has_queue(&self, queue: usize) -> bool {
        queue == 0 || queue < self.queue_count()
    }

    /// The stack's TX queue `queue`, if the netdev has one.
    fn tx_queue(&self, queue: usize) -> Option<*mut b::netdev_queue> {
        if !self.has_queue(queue) {
            return None;
        }
        // SAFETY: `_tx` holds `num_tx_queues` (= `queue_count`, see
        // `Registration::allocate`) queues for the netdev's life, and
        // `queue` is below that.
        Some(unsafe { (*self.as_raw())._tx.add(queue) })
    }

    /// BQL's queued and completed byte counts of TX queue `queue`, each
    /// read once (`READ_ONCE`): `start_xmit` may be adding to the first
    /// and the queue's completer to the second meanwhile. `None` for a
    /// queue the netdev lacks, or without BQL.
    #[inline(always)]
    fn bql_counts(&self, queue: usize) -> Option<(u32, u32)> {
        let txq = self.tx_queue(queue)?;
        #[cfg(CONFIG_BQL)]
        {
            // SAFETY: `txq` is one of the netdev's queues, live as long as
            // it; two aligned `u32` loads, no reference to either field.
            unsafe {
                let dql = core::ptr::addr_of!((*txq).dql);
                Some((
                    core::ptr::addr_of!((*dql).num_queued).read_volatile(),
                    core::ptr::addr_of!((*dql).num_completed).read_volatile(),
                ))
            }
        }
        #[cfg(not(CONFIG_BQL))]
        {
            let _ = txq;
            None
        }
    }

    /// Bytes BQL counts as queued and not completed on TX queue `queue`.
    /// Only its completer (the poll of NAPI context `queue`) calls this,
    /// so the completed count cannot move under it; 0 for a queue the
    /// netdev lacks, and no limit (`u32::MAX`) without BQL.
    fn bql_outstanding(&self, queue: usize) -> u32 {
        if !self.has_queue(queue) {
            return 0;
        }
        self.bql_counts(queue)
            .map_or(u32::MAX, |(queued, completed)| {
                queued.wrapping_sub(completed)
            })
    }

    /// Whether BQL counts bytes as sent on TX queue `queue` and not yet
    /// completed: a hint for any context, stale as soon as read (true
    /// without BQL, false for a queue the netdev lacks).
    pub fn bql_in_flight(&self, queue: usize) -> bool {
        if !self.has_queue(queue) {
            return false;
        }
        self.bql_counts(queue)
            .is_none_or(|(queued, completed)| queued != completed)
    }

    /// Forgets TX queue `queue`'s BQL state. Only where no completion of
    /// it can run concurrently: with its xmit lock held (which
    /// `start_xmit`, the other reporter, holds too) and its poll not
    /// running: inside that poll with the queue frozen
    /// ([`XmitFrozen::reset_queue`]) or while its NAPI context is off
    /// (`napi_enable`, which takes the lock); `dql_reset` racing
    /// `dql_completed` ends in BQL's `BUG()`.
    fn reset_queue(&self, queue: usize) {
        if self.has_queue(queue) {
            // SAFETY: `as_raw` is a registered net_device (type invariant)
            // and `queue` one of its TX queues.
            unsafe { b::sgnic_netdev_tx_reset_queue(self.as_raw(), queue as u32) }
        }
    }

    /// Stops every TX queue and waits for a running `start_xmit` to
    /// finish. Under RTNL: from inside `start_xmit` or the TX watchdog,
    /// which hold a queue's lock, it would wait for itself.
    pub fn tx_disable(&self, _rtnl: &Rtnl<'_>) {
        // SAFETY: `as_raw` is a registered net_device (type invariant).
        unsafe { b::sgnic_netif_tx_disable(self.as_raw()) }
    }

    /// Tells the stack the link is up.
    pub fn carrier_on(&self) {
        // SAFETY: `as_raw` is a registered net_device (type invariant).
        unsafe { b::netif_carrier_on(self.as_raw()) }
    }

    /// Tells the stack the link is down.
    pub fn carrier_off(&self) {
        // SAFETY: `as_raw` is a registered net_device (type invariant).
        unsafe { b::netif_carrier_off(self.as_raw()) }
    }

    /// Whether the stack currently believes the link is up.
    pub fn carrier_ok(&self) -> bool {
        // SAFETY: `as_raw` is a registered net_device (type invariant).
        unsafe { b::sgnic_netif_carrier_ok(self.as_raw()) }
    }

    /// Whether the interface is administratively up.
    pub fn is_running(&self) -> bool {
        // SAFETY: `as_raw` is a registered net_device (type invariant).
        unsafe { b::sgnic_netif_running(self.as_raw()) }
    }

    /// Allows the stack to call `start_xmit` on every TX queue.
    pub fn start_queues(&self) {
        // SAFETY: `as_raw` is a registered net_device (type invariant).
        unsafe { b::sgnic_netif_tx_start_all_queues(self.as_raw()) }
    }

    /// Stops the stack from calling `start_xmit` on TX queue `queue` (no
    /// effect on a queue the netdev does not have).
    pub fn stop_queue(&self, queue: usize) {
        if self.has_queue(queue) {
            // SAFETY: a registered net_device (type invariant) and one of
            // its TX queues.
            unsafe { b::sgnic_netif_stop_subqueue(self.as_raw(), queue as u16) }
        }
    }

    /// Restarts TX queue `queue` if stopped, and reschedules its qdisc.
    pub fn wake_queue(&self, queue: usize) {
        if self.has_queue(queue) {
            // SAFETY: as in `stop_queue`.
            unsafe { b::sgnic_netif_wake_subqueue(self.as_raw(), queue as u16) }
        }
    }

    /// Whether TX queue `queue` is stopped (a queue the netdev does not
    /// have counts as stopped).
    pub fn queue_stopped(&self, queue: usize) -> bool {
        if !self.has_queue(queue) {
            return true;
        }
        // SAFETY: as in `stop_queue`.
        unsafe { b::sgnic_netif_subqueue_stopped(self.as_raw(), queue as u16) }
    }

    /// How many queue pairs the stack uses (`real_num_tx_queues`, which
    /// [`Self::set_active_queues`] keeps equal to the RX count).
    pub fn active_queues(&self) -> usize {
        // SAFETY: `as_raw` is valid; READ_ONCE, as the core may change it
        // under RTNL.
        let n = unsafe { core::ptr::addr_of!((*self.as_raw()).real_num_tx_queues).read_volatile() };
        // CAST: at most MAX_QUEUES.
        n as usize
    }

    /// Steers transmits from the `queue`-th online CPU (counting round
    /// the online CPUs) to TX queue `queue` (XPS); under RTNL.
    pub fn spread_xps(&self, _rtnl: &Rtnl<'_>, queue: usize) -> Result {
        if queue >= self.queue_count() {
            return Err(EINVAL);
        }
        // CAST: queue < MAX_QUEUES.
        let cpu = crate::glue::cpu::spread(queue as u32).ok_or(ENODEV)?;
        // SAFETY: a registered net_device (type invariant) and one of its
        // TX queues; the mask is a CPU's constant single-CPU mask.
        kernel::error::to_result(unsafe {
            b::netif_set_xps_queue(self.as_raw(), b::sgnic_cpumask_of(cpu), queue as u16)
        })
    }

    /// Whether the user set the RSS indirection table (`ethtool -X`),
    /// rather than leaving it to the driver's default spread.
    pub fn rxfh_configured(&self) -> bool {
        // SAFETY: `as_raw` is a registered net_device (type invariant).
        unsafe { b::netif_is_rxfh_configured(self.as_raw()) }
    }

    /// The current MTU.
    pub fn mtu(&self) -> u32 {
        // SAFETY: `as_raw` is valid; READ_ONCE, as the stack reads it.
        unsafe { core::ptr::addr_of!((*self.as_raw()).mtu).read_volatile() }
    }

    /// The interface flags (`IFF_*`), e.g. for the receive filter.
    pub fn flags(&self) -> u32 {
        // SAFETY: `as_raw` is valid; READ_ONCE, as the core may be
        // changing the flags.
        unsafe { core::ptr::addr_of!((*self.as_raw()).flags).read_volatile() }
    }

    /// The unicast address the interface currently uses.
    pub fn dev_addr(&self) -> [u8; 6] {
        let mut mac = [0u8; 6];
        // SAFETY: `dev_addr` points to at least `addr_len` (6 for Ethernet)
        // bytes for the lifetime of a registered netdev; byte-wise volatile
        // reads, as an address change may be copying over them.
        unsafe {
            let addr = (*self.as_raw()).dev_addr;
            for (i, byte) in mac.iter_mut().enumerate() {
                *byte = addr.add(i).read_volatile();
            }
        }
        mac
    }

    /// Logs a warning prefixed with the driver, bus address and interface
    /// name, as `netdev_warn` does.
    pub fn warn(&self, args: core::fmt::Arguments<'_>) {
        self.print(b::netdev_warn, args);
    }

    /// Logs a message with the same prefix, as `netdev_info` does.
    ///
    /// There is deliberately no accessor for the interface name: a rename
    /// rewrites `dev->name` in place under a seqlock that modules cannot
    /// take, so only the C printing code reads it.
    pub fn info(&self, args: core::fmt::Arguments<'_>) {
        self.print(b::netdev_info, args);
    }

    fn print(
        &self,
        printer: unsafe extern "C" fn(*const b::net_device, *const core::ffi::c_char, ...),
        args: core::fmt::Arguments<'_>,
    ) {
        // SAFETY: `as_raw` is a registered net_device (type invariant);
        // `%pA` formats the `fmt::Arguments` the pointer refers to, which
        // lives across the call.
        unsafe {
            printer(
                self.as_raw(),
                c"%pA".as_char_ptr().cast(),
                core::ptr::from_ref(&args).cast::<core::ffi::c_void>(),
            )
        }
    }
}

/// A registered netdev whose driver state is a `T`: what the glue hands
/// `T`'s callbacks. It derefs to the untyped [`NetDevice`]; the type adds
/// what depends on `T`, such as moving [`Operations::PollState`] in and
/// out of the NAPI context ([`NetDev::napi_enable`]).
///
/// # Invariants
///
/// The net_device was allocated by `Registration::<T>::allocate`, so its
/// private area is a `Private<T>`, and that registration is alive. The
/// type is invariant in `T`: were it covariant, a driver could shorten
/// the lifetimes in `T` and store a [`Operations::PollState`] borrowing
/// something that dies before the polls do.
#[repr(transparent)]
pub struct NetDev<T>(NetDevice, PhantomData<fn(T) -> T>);

impl<T: Operations> NetDev<T> {
    /// # Safety
    ///
    /// `ptr` must point to a net_device allocated by
    /// `Registration::<T>::allocate` whose registration lives for `'a`.
    unsafe fn from_raw<'a>(ptr: *mut b::net_device) -> &'a Self {
        // SAFETY: `NetDev<T>` is a transparent wrapper of `NetDevice`, itself
        // one of `net_device`; the caller guarantees the rest.
        unsafe { &*ptr.cast::<Self>() }
    }

    /// The private area.
    fn private(&self) -> *mut Private<T> {
        // SAFETY: a live net_device whose private area is a `Private<T>`
        // (type invariant).
        unsafe { netdev_priv(self.as_raw()).cast::<Private<T>>() }
    }

    /// The cell holding the state of NAPI context `queue`'s poll
    /// (`queue < MAX_QUEUES`).
    fn poll_state(&self, queue: usize) -> *mut Option<T::PollState> {
        // SAFETY: `private` is valid (type invariant); only the address is
        // taken, of an element of the array when in bounds.
        unsafe {
            let states = core::ptr::addr_of!((*self.private()).poll_state);
            UnsafeCell::raw_get(core::ptr::addr_of!((*states)[queue]))
        }
    }
}

impl<T> Deref for NetDev<T> {
    type Target = NetDevice;

    fn deref(&self) -> &NetDevice {
        &self.0
    }
}

/// One queue pair's counters, or what no running pair accounts for,
/// reported through the netdev netlink family (`qstats-get`).
#[derive(Default, Clone, Copy, Debug)]
pub struct QueueStats {
    /// Frames received and passed up the stack.
    pub rx_packets: u64,
    /// Their bytes.
    pub rx_bytes: u64,
    /// Wire packets the device finished sending (a TSO frame counts its
    /// segments).
    pub tx_packets: u64,
    /// Their bytes.
    pub tx_bytes: u64,
}

/// Interface counters reported through `ndo_get_stats64`.
#[derive(Default, Clone, Copy, Debug)]
pub struct LinkStats {
    /// Frames received and passed up the stack.
    pub rx_packets: u64,
    /// Bytes received and passed up the stack.
    pub rx_bytes: u64,
    /// Frames handed to the device.
    pub tx_packets: u64,
    /// Bytes handed to the device.
    pub tx_bytes: u64,
    /// Received frames dropped (bad length, no memory, ...).
    pub rx_dropped: u64,
    /// Frames dropped on transmit.
    pub tx_dropped: u64,
    /// Receive errors reported by the device.
    pub rx_errors: u64,
    /// Frames too long for the receive buffer.
    pub rx_length_errors: u64,
    /// Frames the device lost for lack of descriptors.
    pub rx_missed_errors: u64,
    /// Multicast frames received.
    pub multicast: u64,
}

/// What the driver did with a frame handed to `start_xmit`.
pub enum TxOutcome {
    /// The frame was queued or dropped; either way it was consumed.
    Consumed,
    /// The ring is full: the stack keeps the frame and retries later.
    Busy(crate::glue::skb::SkBuff),
}

/// The driver's side of the netdev callbacks.
pub trait Operations: Send + Sync + Sized {
    /// Most queue pairs the driver ever asks for ([`Config::queues`] may
    /// not exceed it). A driver of single-queue devices says 1, and the
    /// glue then knows every queue index is 0 without reading one.
    const MAX_QUEUES: usize = MAX_QUEUES;

    /// Whether `start_xmit` reports TX completions too
    /// ([`Xmit::completed`]). Then the poll's reports
    /// ([`NapiPoll::completed_queue`]) take the queue's xmit lock, which
    /// serialises the two; otherwise the poll is the only reporter and
    /// takes no lock, and `Xmit::completed` reports nothing.
    const COMPLETES_IN_XMIT: bool = false;

    /// What the NAPI poll alone uses while polls are enabled (the receive
    /// ring, say). [`NetDev::napi_enable`] moves it into the NAPI context
    /// and [`NetDev::napi_disable`] hands it back; in between, each poll
    /// gets it by `&mut`, with no lock: NAPI never runs two polls of one
    /// context at once.
    type PollState: Send;

    /// `ndo_open`: bring the interface up.
    fn open(&self, dev: &NetDev<Self>, rtnl: &Rtnl<'_>) -> Result;
    /// `ndo_stop`: bring the interface down; must release what `open` took.
    fn stop(&self, dev: &NetDev<Self>, rtnl: &Rtnl<'_>);
    /// `ndo_start_xmit`: queue one frame.
    fn start_xmit(
        &self,
        dev: &NetDev<Self>,
        xmit: &Xmit<'_>,
        skb: crate::glue::skb::SkBuff,
    ) -> TxOutcome;
    /// `ndo_get_stats64`: report interface counters.
    fn stats(&self, dev: &NetDev<Self>) -> LinkStats;
    /// The counters of running queue pair `queue` (below
    /// `dev.active_queues()`), for per-queue statistics (`qstats-get`).
    fn queue_stats(&self, dev: &NetDev<Self>, queue: usize) -> QueueStats;
    /// What the running pairs' counters leave out (pairs no longer in
    /// use, say): with them it adds up to the interface's counters.
    fn base_stats(&self, dev: &NetDev<Self>) -> QueueStats;
    /// `ndo_tx_timeout`: TX queue `queue` made no progress for too long.
    fn tx_timeout(&self, dev: &NetDev<Self>, queue: usize);
    /// `ndo_change_mtu`: the MTU is already range-checked by the stack;
    /// the driver applies it when its rings are ready for it.
    fn change_mtu(&self, dev: &NetDev<Self>, change: &MtuChange<'_>) -> Result;
    /// `ndo_set_mac_address`: the address is not validated yet; the
    /// driver makes it the netdev's with `change.apply()`.
    fn set_mac_address(&self, dev: &NetDev<Self>, change: &MacChange<'_>) -> Result;
    /// `ndo_set_rx_mode`: reprogram the receive filter (atomic context,
    /// the address lists locked).
    fn set_rx_mode(&self, dev: &NetDev<Self>, lists: &AddrLists<'_>);
    /// `ndo_set_features`: `features` is the new `NETIF_F_*` set.
    fn set_features(&self, dev: &NetDev<Self>, rtnl: &Rtnl<'_>, features: u64) -> Result;
    /// `ndo_vlan_rx_add_vid`: accept frames tagged with 802.1Q VLAN `vid`
    /// (0 to 4095). Called only while the netdev claims
    /// `HW_VLAN_CTAG_FILTER`, and for IDs already added again.
    fn vlan_rx_add_vid(&self, dev: &NetDev<Self>, rtnl: &Rtnl<'_>, vid: u16) -> Result;
    /// `ndo_vlan_rx_kill_vid`: drop frames tagged with VLAN `vid` again.
    fn vlan_rx_kill_vid(&self, dev: &NetDev<Self>, rtnl: &Rtnl<'_>, vid: u16) -> Result;
    /// `ndo_features_check`: which of the offloads in `features` (a
    /// `NETIF_F_*` set) this frame may use. The stack does in software
    /// whatever the result leaves out, so a frame the device cannot
    /// describe never reaches `start_xmit` asking for it.
    fn features_check(&self, dev: &NetDev<Self>, skb: &Skb, features: u64) -> u64;
    /// NAPI poll of context `poll.queue()`: do at most `poll.budget()`
    /// units of RX work, return how many. Below the budget the glue
    /// completes the poll. `state` is what [`NetDev::napi_enable`] was
    /// given for that context.
    fn poll(&self, dev: &NetDev<Self>, poll: &NapiPoll<'_>, state: &mut Self::PollState) -> u32;
    /// The poll of NAPI context `queue` completed, having returned `work`
    /// (below the budget); it is idle until scheduled again. Re-enable
    /// the interrupts that schedule it, or schedule it again
    /// ([`Napi::schedule`]) if work that would raise one is already there.
    fn poll_complete(&self, dev: &NetDev<Self>, queue: usize, work: u32);
    /// Hard interrupt on vector `vector` (0 for MSI and the shared INTx
    /// line): return whether it was ours. It may come while the interface
    /// is down, or before the netdev is registered, so it gets the NAPI
    /// contexts (one per queue pair, [`NetDevice::queue_count`] of them)
    /// rather than the netdev.
    fn interrupt(&self, vector: u32, napis: &[Napi]) -> bool;
}

/// Static configuration of a netdev, applied before registration.
pub struct Config {
    /// Permanent MAC address.
    pub mac: [u8; 6],
    /// Smallest MTU the device accepts.
    pub min_mtu: u32,
    /// Largest MTU the device accepts.
    pub max_mtu: u32,
    /// TX watchdog period in milliseconds.
    pub watchdog_ms: u32,
    /// Offloads the device can do (`NETIF_F_*`, `hw_features`).
    pub hw_features: u64,
    /// Offloads enabled at registration (`features`).
    pub features: u64,
    /// Largest TSO super-frame the device (or driver) can segment; the
    /// core keeps every GSO limit, a user's `ip link set gso_max_size`
    /// included, at or below it.
    pub tso_max_size: u32,
    /// Most segments one TSO super-frame may have.
    pub tso_max_segs: u16,
    /// The stack's initial limit for super-frames other than IPv4 (the
    /// core's `gso_max_size`), for a device that handles smaller ones
    /// better; clamped to `tso_max_size`. IPv4 starts at `tso_max_size`.
    pub gso_max_size: u32,
    /// Queue pairs (TX queue, RX queue, NAPI context) to allocate, 1 to
    /// [`MAX_QUEUES`]: the most the driver can ever use.
    pub queues: u32,
    /// How many of them the stack uses at first (1 to `queues`).
    pub active_queues: u32,
    /// Whether the device filters secondary unicast addresses exactly
    /// (`IFF_UNICAST_FLT`); otherwise the stack makes the port promiscuous
    /// as soon as one is added.
    pub unicast_filter: bool,
}

/// The part of the private area that does not depend on `T`.
///
/// # Invariants
///
/// - `napi[..queues]` were added to the netdev at allocation
///   (`netif_napi_add_config`, context n with persistent config n, of the
///   `queues` that `alloc_etherdev_mqs` allocated), and `queues` equals
///   its `num_tx_queues` and `num_rx_queues`; both are set before
///   registration and never change.
/// - The contexts of the active queues, `napi[..real_num_tx_queues]`, are
///   on the netdev's NAPI list; the others were deleted from it
///   (`netif_napi_del`) while disabled. A context only leaves or joins the
///   list through `NetDevice::set_active_queues` (and the allocation),
///   under RTNL.
/// - Every context not enabled has `NAPI_STATE_SCHED` set (an added one
///   starts with it, `napi_disable` sets it and `netif_napi_del` keeps
///   it), so `napi_schedule` of it, from an interrupt, does nothing.
#[repr(C)]
struct PrivateHeader {
    napi: [b::napi_struct; MAX_QUEUES],
    /// Whether each `napi` is enabled: enable and disable go through
    /// [`NetDev::napi_enable`] and [`NetDev::napi_disable`], which
    /// pair them up whatever the caller does (a second `napi_disable` would
    /// wait forever under RTNL), and the registration disables them before
    /// the netdev is freed.
    napi_enabled: [Atomic<bool>; MAX_QUEUES],
    /// How many contexts have run at least once: always a prefix
    /// (`napi_enable` refuses a first run out of order), so their NAPI
    /// IDs rise with the index. The netdev's NAPI list then stays sorted
    /// by ID (descending), as netlink's dump requires:
    /// `netif_napi_dev_list_add` puts a context that never ran at the
    /// head, where its first ID, the highest yet, belongs, and one that
    /// ran in its place by its kept ID. Changed under RTNL only.
    napi_ran: Atomic<u32>,
    /// The IRQ that schedules each context (0: none recorded), given
    /// again when a context rejoins the NAPI list (`netif_napi_add_config`
    /// forgets it).
    napi_irq: [Atomic<u32>; MAX_QUEUES],
    /// How many queue pairs, and so NAPI contexts, the netdev has.
    queues: u32,
}

/// The private area of a `Registration<T>`'s netdev.
///
/// # Invariants
///
/// - It fits the area `alloc_etherdev_mqs` gives: its size was passed
///   there, and its alignment is at most `NETDEV_ALIGN`
///   (`Registration::allocate` checks both).
/// - `poll_state[q]` is accessed only by the poll trampoline of NAPI
///   context `q` while it is enabled (polls of one context never
///   overlap), and otherwise only while it is disabled: under RTNL
///   (`napi_enable` before enabling it, `napi_disable` after), or by the
///   registration once the netdev is unregistered, when no callback can
///   run. Every enable and disable runs under RTNL or in that teardown,
///   so they never overlap.
#[repr(C)]
struct Private<T: Operations> {
    header: PrivateHeader,
    owner: *const T,
    poll_state: [UnsafeCell<Option<T::PollState>>; MAX_QUEUES],
}
