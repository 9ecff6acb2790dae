// SPDX-License-Identifier: GPL-2.0

//! Network device registration and the `net_device_ops` callbacks.
//!
//! A [`Registration`] owns a `struct net_device` and the driver's per-port
//! state `T`. The netdev's private area holds a pointer to that state, so
//! each C callback can hand the driver a plain `&T`.

use super::bindings as b;
use super::ethtool;
use super::skb::Skb;
use core::{
    ffi::{c_int, c_ulong},
    marker::PhantomData,
    mem::ManuallyDrop,
    ptr::{addr_of_mut, NonNull},
};
use kernel::{
    device,
    error::from_result,
    pci,
    prelude::*,
    sync::atomic::{Atomic, Full},
    types::Opaque,
};

/// `IRQF_SHARED` (a `#define` bindgen does not carry over).
const IRQF_SHARED: core::ffi::c_ulong = 0x80;
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

    pub(super) fn as_raw(&self) -> *mut b::net_device {
        self.0.get()
    }

    fn header(&self) -> *mut PrivateHeader {
        // SAFETY: `as_raw` is a live net_device (type invariant), created
        // by `Registration::new`, whose private area starts with a
        // `PrivateHeader`.
        unsafe { netdev_priv(self.as_raw()).cast::<PrivateHeader>() }
    }

    /// The device's NAPI context.
    pub fn napi(&self) -> &Napi {
        // SAFETY: the napi_struct lives in the private area as long as the
        // netdev, and `Napi` is a transparent wrapper.
        unsafe { &*core::ptr::addr_of_mut!((*self.header()).napi).cast::<Napi>() }
    }

    fn napi_enabled(&self) -> &Atomic<bool> {
        // SAFETY: the header lives in the private area as long as the
        // netdev (type invariant); the flag is only accessed atomically.
        unsafe { &*core::ptr::addr_of!((*self.header()).napi_enabled) }
    }

    /// Allows NAPI polls (from `open`); nothing if they already are.
    pub fn napi_enable(&self) {
        if !self.napi_enabled().xchg(true, Full) {
            // SAFETY: the napi_struct was added in `Registration::new`, and
            // the flag says it is disabled.
            unsafe { b::napi_enable(self.napi().as_raw()) }
        }
    }

    /// Waits for a running poll and prevents new ones (from `stop`);
    /// nothing if polls are not allowed.
    pub fn napi_disable(&self) {
        if self.napi_enabled().xchg(false, Full) {
            // SAFETY: the napi_struct was added and, as the flag says,
            // enabled.
            unsafe { b::napi_disable(self.napi().as_raw()) }
        }
    }

    /// Requests the device's (possibly shared) interrupt line; the
    /// driver's [`Operations::interrupt`] handles it until the returned
    /// [`IrqLine`] is dropped.
    pub fn request_shared_irq(&self, pdev: &pci::Device<device::Bound>) -> Result<IrqLine> {
        // SAFETY: `pci::Device` is a transparent wrapper of `pci_dev`.
        let irq = unsafe { b::sgnic_pci_dev_irq(core::ptr::from_ref(pdev).cast::<b::pci_dev>()) };
        // SAFETY: the handler was installed by `Registration::new` for the
        // netdev's own `T`; `dev_id` is the netdev, which outlives the
        // `IrqLine` (it is freed in `stop` or at the latest before
        // unregister returns). The name is the netdev's, which lives as long.
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


    /// Forgets BQL state after the ring was emptied without completions.
    pub fn reset_queue(&self) {
        // SAFETY: `as_raw` is a registered net_device (type invariant).
        unsafe { b::sgnic_netdev_reset_queue(self.as_raw()) }
    }

    /// Stops the queue and waits for a running `start_xmit` to finish.
    pub fn tx_disable(&self) {
        // SAFETY: `as_raw` is a registered net_device (type invariant).
        unsafe { b::sgnic_netif_tx_disable(self.as_raw()) }
    }

    /// Runs `f` with the address lists locked (`netif_addr_lock_bh`), for
    /// reprogramming the receive filter outside `set_rx_mode`.
    pub fn with_addr_lists<R>(&self, f: impl FnOnce(&AddrLists<'_>) -> R) -> R {
        // SAFETY: `as_raw` is a registered net_device (type invariant);
        // paired with the unlock below.
        unsafe { b::sgnic_netif_addr_lock_bh(self.as_raw()) };
        // INVARIANT: the lock is held until `f` returns.
        let result = f(&AddrLists { dev: self });
        // SAFETY: taken above, in this context.
        unsafe { b::sgnic_netif_addr_unlock_bh(self.as_raw()) };
        result
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

    /// Allows the stack to call `start_xmit`.
    pub fn start_queue(&self) {
        // SAFETY: `as_raw` is a registered net_device (type invariant).
        unsafe { b::sgnic_netif_start_queue(self.as_raw()) }
    }

    /// Stops the stack from calling `start_xmit`.
    pub fn stop_queue(&self) {
        // SAFETY: `as_raw` is a registered net_device (type invariant).
        unsafe { b::sgnic_netif_stop_queue(self.as_raw()) }
    }

    /// Restarts a stopped queue and reschedules its qdisc.
    pub fn wake_queue(&self) {
        // SAFETY: `as_raw` is a registered net_device (type invariant).
        unsafe { b::sgnic_netif_wake_queue(self.as_raw()) }
    }

    /// Whether the TX queue is stopped.
    pub fn queue_stopped(&self) -> bool {
        // SAFETY: `as_raw` is a registered net_device (type invariant).
        unsafe { b::sgnic_netif_queue_stopped(self.as_raw()) }
    }

    /// The current MTU.
    pub fn mtu(&self) -> u32 {
        // SAFETY: `as_raw` is valid; READ_ONCE, as the stack reads it.
        unsafe { core::ptr::addr_of!((*self.as_raw()).mtu).read_volatile() }
    }

    /// The interface flags (`IFF_*`), e.g. for the receive filter.
    pub fn flags(&self) -> u32 {
        // SAFETY: `as_raw` is valid; reading an integer field.
        unsafe { (*self.as_raw()).flags }
    }

    /// The unicast address the interface currently uses.
    pub fn dev_addr(&self) -> [u8; 6] {
        let mut mac = [0u8; 6];
        // SAFETY: `dev_addr` points to at least `addr_len` (6 for Ethernet)
        // bytes for the lifetime of a registered netdev.
        unsafe {
            core::ptr::copy_nonoverlapping((*self.as_raw()).dev_addr, mac.as_mut_ptr(), 6);
        }
        mac
    }

    /// Changes the interface address (from `set_mac_address`, under RTNL).
    pub fn set_dev_addr(&self, mac: &[u8; 6]) {
        // SAFETY: `as_raw` is valid, `mac` holds ETH_ALEN bytes and the
        // caller holds RTNL as eth_hw_addr_set requires.
        unsafe { b::sgnic_eth_hw_addr_set(self.as_raw(), mac.as_ptr()) }
    }

    /// Logs a warning prefixed with the driver, bus address and interface
    /// name, as `netdev_warn` does.
    pub fn warn(&self, args: core::fmt::Arguments<'_>) {
        // SAFETY: `as_raw` is a registered net_device (type invariant);
        // `%pA` formats the `fmt::Arguments` the pointer refers to, which
        // lives across the call.
        unsafe {
            b::netdev_warn(
                self.as_raw(),
                c"%pA".as_ptr(),
                core::ptr::from_ref(&args).cast::<core::ffi::c_void>(),
            )
        }
    }

    /// The interface name, for log messages.
    pub fn name(&self) -> &CStr {
        // SAFETY: `name` is a NUL-terminated array inside the net_device,
        // which outlives `&self`.
        unsafe { CStr::from_char_ptr((*self.as_raw()).name.as_ptr().cast()) }
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
    dev: &'a NetDevice,
}

impl AddrLists<'_> {
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

/// One `start_xmit` call in progress. Only the xmit trampoline creates it,
/// so holding one proves the code runs inside `ndo_start_xmit`, with the
/// queue's xmit lock held: the per-CPU `xmit_more` flag describes this
/// frame, and BQL's "sent" side is this context's to update.
///
/// # Invariants
///
/// Exists only for the duration of an `ndo_start_xmit` call on `dev`.
pub struct Xmit<'a> {
    dev: &'a NetDevice,
}

impl Xmit<'_> {
    /// Reports `bytes` queued to the device to BQL; returns whether the
    /// doorbell must be rung now (no more frames coming right behind this
    /// one, or BQL stopped the queue).
    pub fn sent(&self, bytes: u32) -> bool {
        // SAFETY: inside ndo_start_xmit (type invariant): the flag is this
        // frame's, and the queue's sent side is ours.
        unsafe {
            let more = b::sgnic_netdev_xmit_more();
            b::sgnic_netdev_tx_sent_queue(self.dev.as_raw(), bytes, more)
        }
    }
}

/// An MTU change the stack asked for, inside `ndo_change_mtu` (under
/// RTNL, which serialises every writer of the MTU).
///
/// # Invariants
///
/// Exists only for the duration of an `ndo_change_mtu` call on `dev`.
pub struct MtuChange<'a> {
    dev: &'a NetDevice,
    mtu: u32,
}

impl MtuChange<'_> {
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

/// What the driver did with a frame handed to `start_xmit`.
pub enum TxOutcome {
    /// The frame was queued or dropped; either way it was consumed.
    Consumed,
    /// The ring is full: the stack keeps the frame and retries later.
    Busy(super::skb::SkBuff),
}

/// The driver's side of the netdev callbacks.
pub trait Operations: Send + Sync + Sized {
    /// `ndo_open`: bring the interface up.
    fn open(&self, dev: &NetDevice) -> Result;
    /// `ndo_stop`: bring the interface down; must release what `open` took.
    fn stop(&self, dev: &NetDevice);
    /// `ndo_start_xmit`: queue one frame.
    fn start_xmit(&self, dev: &NetDevice, xmit: &Xmit<'_>, skb: super::skb::SkBuff) -> TxOutcome;
    /// `ndo_get_stats64`: report interface counters.
    fn stats(&self, dev: &NetDevice) -> LinkStats;
    /// `ndo_tx_timeout`: the TX queue made no progress for too long.
    fn tx_timeout(&self, dev: &NetDevice);
    /// `ndo_change_mtu`: the MTU is already range-checked by the stack;
    /// the driver applies it when its rings are ready for it.
    fn change_mtu(&self, dev: &NetDevice, change: &MtuChange<'_>) -> Result;
    /// `ndo_set_mac_address`: `mac` is a valid unicast address.
    fn set_mac_address(&self, dev: &NetDevice, mac: [u8; 6]) -> Result;
    /// `ndo_set_rx_mode`: reprogram the receive filter (atomic context,
    /// the address lists locked).
    fn set_rx_mode(&self, dev: &NetDevice, lists: &AddrLists<'_>);
    /// `ndo_set_features`: `features` is the new `NETIF_F_*` set.
    fn set_features(&self, dev: &NetDevice, features: u64) -> Result;
    /// `ndo_features_check`: which of the offloads in `features` (a
    /// `NETIF_F_*` set) this frame may use. The stack does in software
    /// whatever the result leaves out, so a frame the device cannot
    /// describe never reaches `start_xmit` asking for it.
    fn features_check(&self, dev: &NetDevice, skb: &Skb, features: u64) -> u64;
    /// NAPI poll: do at most `poll.budget()` units of RX work, return how
    /// many. Below the budget the glue completes the poll.
    fn poll(&self, dev: &NetDevice, poll: &NapiPoll<'_>) -> u32;
    /// The poll completed (NAPI is idle until the next schedule): re-enable
    /// the device's interrupts.
    fn poll_complete(&self, dev: &NetDevice);
    /// Hard interrupt on the (shared) line: return whether it was ours.
    fn interrupt(&self, dev: &NetDevice) -> bool;
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
    /// Largest GSO super-frame over IPv4.
    pub gso_ipv4_max_size: u32,
    /// Largest GSO super-frame over IPv6.
    pub gso_ipv6_max_size: u32,
    /// Most segments one GSO super-frame may have.
    pub gso_max_segs: u16,
    /// Whether the device filters secondary unicast addresses exactly
    /// (`IFF_UNICAST_FLT`); otherwise the stack makes the port promiscuous
    /// as soon as one is added.
    pub unicast_filter: bool,
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
            let mut mac = [0u8; 6];
            mac.copy_from_slice(&(&(*entry).addr)[..6]);
            f(&mac);
            node = (*node).next;
        }
    }
}

type IrqHandler = unsafe extern "C" fn(c_int, *mut core::ffi::c_void) -> b::irqreturn_t;

/// The part of the private area that does not depend on `T`.
#[repr(C)]
struct PrivateHeader {
    napi: b::napi_struct,
    irq_handler: Option<IrqHandler>,
    /// Whether `napi` is enabled: enable and disable go through
    /// [`NetDevice::napi_enable`] and [`NetDevice::napi_disable`], which
    /// pair them up whatever the caller does (a second `napi_disable` would
    /// wait forever under RTNL), and the registration disables it before
    /// the netdev is freed.
    napi_enabled: Atomic<bool>,
}

#[repr(C)]
struct Private<T> {
    header: PrivateHeader,
    owner: *const T,
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

/// The device's NAPI context.
#[repr(transparent)]
pub struct Napi(Opaque<b::napi_struct>);

impl Napi {
    fn as_raw(&self) -> *mut b::napi_struct {
        self.0.get()
    }

    /// Schedules a poll (from the interrupt handler).
    pub fn schedule(&self) {
        // SAFETY: the napi_struct was added in `Registration::new`.
        unsafe { b::sgnic_napi_schedule(self.as_raw()) }
    }

}

/// One NAPI poll in progress. Only the poll trampoline creates it, so
/// holding one proves the code runs in the NAPI softirq that owns the
/// context: the per-CPU skb caches below may be used.
pub struct NapiPoll<'a> {
    napi: &'a Napi,
    budget: u32,
}

impl NapiPoll<'_> {
    /// Most units of RX work this poll may do.
    pub fn budget(&self) -> u32 {
        self.budget
    }

    /// Allocates a small skb for a frame copied out of a receive buffer.
    pub fn alloc_skb(&self, len: u32) -> Option<super::skb::SkBuff> {
        // SAFETY: NAPI softirq context (type invariant).
        let raw = unsafe { b::sgnic_napi_alloc_skb(self.napi.as_raw(), len) };
        // SAFETY: a fresh skb that only we reference.
        (!raw.is_null()).then(|| unsafe { super::skb::SkBuff::from_raw(raw) })
    }

    /// Passes a received Ethernet frame up the stack through GRO.
    pub fn receive(&self, dev: &NetDevice, skb: super::skb::SkBuff) {
        let raw = skb.into_raw();
        // SAFETY: NAPI softirq context (type invariant); we hand over
        // ownership of a valid skb holding a whole Ethernet frame, after
        // setting its protocol from the header.
        unsafe {
            b::sgnic_eth_type_trans(raw, dev.as_raw());
            b::sgnic_napi_gro_receive(self.napi.as_raw(), raw);
        }
    }

    /// Reports frames the device completed to BQL (the completion side,
    /// which the poll owns).
    pub fn completed_queue(&self, dev: &NetDevice, packets: u32, bytes: u32) {
        // SAFETY: `dev` is registered (type invariant of `NetDevice`); the
        // poll is the only completer.
        unsafe { b::sgnic_netdev_completed_queue(dev.as_raw(), packets, bytes) }
    }

    /// Frees a transmitted frame as consumed, not dropped: into this
    /// CPU's NAPI skb cache (bulk-freed, and reused by receive), or
    /// through the normal path when the poll has no budget (netpoll).
    pub fn consume(&self, skb: super::skb::SkBuff) {
        // SAFETY: NAPI softirq context (type invariant), with this poll's
        // budget; the skb is ours to free.
        unsafe { b::napi_consume_skb(skb.into_raw(), self.budget as c_int) }
    }

    /// Runs `f` while no `start_xmit` runs on `dev` and none can start:
    /// the stack's transmit queues are locked and frozen for its duration.
    /// Lets the poll rewrite state that `start_xmit` uses outside the
    /// driver's own locks (the TX tail register).
    pub fn with_xmit_frozen<R>(&self, dev: &NetDevice, f: impl FnOnce() -> R) -> R {
        // SAFETY: `dev` is registered (type invariant); netif_tx_lock wants
        // bottom halves disabled, which they are in a NAPI poll (type
        // invariant of `NapiPoll`). It waits for a running start_xmit.
        unsafe { b::netif_tx_lock(dev.as_raw()) };
        let result = f();
        // SAFETY: paired with the netif_tx_lock above, same context.
        unsafe { b::netif_tx_unlock(dev.as_raw()) };
        result
    }

}

/// Builds the `net_device_ops` and `ethtool_ops` tables for `T`.
struct Tables<T>(PhantomData<T>);

impl<T: Operations + ethtool::Operations> Tables<T> {
    const NETDEV_OPS: b::net_device_ops = b::net_device_ops {
        ndo_open: Some(ndo_open::<T>),
        ndo_stop: Some(ndo_stop::<T>),
        ndo_start_xmit: Some(ndo_start_xmit::<T>),
        ndo_get_stats64: Some(ndo_get_stats64::<T>),
        ndo_tx_timeout: Some(ndo_tx_timeout::<T>),
        ndo_change_mtu: Some(ndo_change_mtu::<T>),
        ndo_set_mac_address: Some(ndo_set_mac_address::<T>),
        ndo_set_rx_mode: Some(ndo_set_rx_mode::<T>),
        ndo_set_features: Some(ndo_set_features::<T>),
        ndo_features_check: Some(ndo_features_check::<T>),
        ndo_validate_addr: Some(b::eth_validate_addr),
        // SAFETY: every other member is an optional function pointer or an
        // integer, for which all-zero bytes mean "not implemented".
        ..unsafe { core::mem::zeroed() }
    };
}

/// A registered network device that owns the driver's per-port state.
///
/// # Invariants
///
/// `ndev` is a registered net_device whose private area holds a pointer to
/// `*data`; `data` is pinned and outlives the registration.
pub struct Registration<T: Operations + ethtool::Operations> {
    ndev: NonNull<b::net_device>,
    /// Dropped by hand, between unregistering the netdev and freeing it:
    /// whatever the driver state holds that refers to the netdev (its NAPI
    /// context, say) goes while the netdev still exists.
    data: ManuallyDrop<Pin<KBox<T>>>,
}

// SAFETY: the net_device may be used from any thread; `T` is Send + Sync.
unsafe impl<T: Operations + ethtool::Operations> Send for Registration<T> {}
// SAFETY: shared access only reads immutable fields or calls thread-safe
// kernel functions; `T` is Sync.
unsafe impl<T: Operations + ethtool::Operations> Sync for Registration<T> {}

impl<T: Operations + ethtool::Operations> Registration<T> {
    /// Allocates an Ethernet netdev owning `data` under `parent` and
    /// registers it with the stack. Callbacks may run before this returns.
    pub fn new(
        parent: &device::Device<device::Bound>,
        config: &Config,
        data: impl PinInit<T, Error>,
    ) -> Result<Self> {
        let data = KBox::pin_init(data, GFP_KERNEL)?;
        let priv_size = core::mem::size_of::<Private<T>>() as c_int;
        // SAFETY: plain allocation call; one TX and one RX queue.
        let raw = unsafe { b::alloc_etherdev_mqs(priv_size, 1, 1) };
        let ndev = NonNull::new(raw).ok_or(ENOMEM)?;
        let raw = ndev.as_ptr();
        // SAFETY: `raw` is a freshly allocated, unregistered net_device that
        // nothing else references yet, so we may initialise it freely. Its
        // private area is at least `size_of::<Private<T>>()` bytes and
        // suitably aligned (netdev_priv is NETDEV_ALIGN aligned).
        unsafe {
            let private = netdev_priv(raw).cast::<Private<T>>();
            // alloc_etherdev zeroed the area, a valid empty napi_struct.
            (*private).header.irq_handler = Some(irq_callback::<T>);
            (*private).owner = core::ptr::from_ref::<T>(&data);
            b::sgnic_netif_napi_add(
                raw,
                core::ptr::addr_of_mut!((*private).header.napi),
                Some(napi_poll::<T>),
            );
            b::sgnic_set_netdev_dev(raw, super::dma::raw_device(parent));
            b::sgnic_eth_hw_addr_set(raw, config.mac.as_ptr());
            (*raw).netdev_ops = &Tables::<T>::NETDEV_OPS;
            (*raw).ethtool_ops = ethtool::ops_table::<T>();
            (*raw).hw_features = config.hw_features;
            (*raw).features = config.features;
            (*raw).vlan_features = config.features;
            (*raw).gso_ipv4_max_size = config.gso_ipv4_max_size;
            // The core's name for the IPv6 (and default) limit.
            (*raw).gso_max_size = config.gso_ipv6_max_size;
            (*raw).gso_max_segs = config.gso_max_segs;
            if config.unicast_filter {
                let group = &mut (*raw).__bindgen_anon_1.priv_flags_fast;
                let flags = group.priv_flags() | c_ulong::from(b::netdev_priv_flags_IFF_UNICAST_FLT);
                group.set_priv_flags(flags);
            }
            (*raw).min_mtu = config.min_mtu;
            (*raw).max_mtu = config.max_mtu;
            (*raw).watchdog_timeo = kernel::time::msecs_to_jiffies(config.watchdog_ms) as c_int;
        }
        // No link until the port is up and the PHY says so.
        // SAFETY: `raw` is a valid, not yet registered net_device.
        unsafe { b::netif_carrier_off(raw) };
        // SAFETY: `raw` is fully initialised; on success the registration
        // is undone in `Drop`, on failure we free it here.
        let ret = unsafe { b::register_netdev(raw) };
        if ret != 0 {
            // SAFETY: registration failed, so we still own `raw` exclusively.
            unsafe { b::free_netdev(raw) };
            return Err(Error::from_errno(ret));
        }
        // INVARIANT: registered above; `data` is owned by `Self` and pinned.
        Ok(Self {
            ndev,
            data: ManuallyDrop::new(data),
        })
    }

    /// The driver state owned by this netdev.
    pub fn data(&self) -> &T {
        &self.data
    }

    /// The registered net_device.
    pub fn netdev(&self) -> &NetDevice {
        // SAFETY: `ndev` is registered for as long as `self` lives.
        unsafe { NetDevice::from_raw(self.ndev.as_ptr()) }
    }

    /// Recovers the registration's state and device inside a callback.
    ///
    /// # Safety
    ///
    /// `raw` must be a net_device created by `Registration::<T>::new` and
    /// still registered.
    pub(super) unsafe fn from_callback<'a>(raw: *mut b::net_device) -> (&'a NetDevice, &'a T) {
        // SAFETY: per the function's contract, the private area holds a
        // `Private<T>` whose `owner` points to the pinned state, which lives
        // until after `unregister_netdev` returns, i.e. past every callback.
        unsafe {
            let private = netdev_priv(raw).cast::<Private<T>>();
            (NetDevice::from_raw(raw), &*(*private).owner)
        }
    }
}

impl<T: Operations + ethtool::Operations> Drop for Registration<T> {
    fn drop(&mut self) {
        // SAFETY: `ndev` is registered (type invariant). unregister_netdev
        // calls ndo_stop if needed and waits for all callbacks to finish, so
        // no reference to `data` survives it.
        unsafe { b::unregister_netdev(self.ndev.as_ptr()) };
        // SAFETY: dropped exactly once, here; nothing uses it afterwards.
        unsafe { ManuallyDrop::drop(&mut self.data) };
        // Polls must be off before the NAPI context goes with the netdev,
        // whatever the driver did with them.
        // SAFETY: the netdev is unregistered but not yet freed.
        unsafe { NetDevice::from_raw(self.ndev.as_ptr()) }.napi_disable();
        // SAFETY: unregistered, and nothing refers to it any more: the
        // netdev is ours to free.
        unsafe { b::free_netdev(self.ndev.as_ptr()) };
    }
}

/// # Safety
///
/// Called by the networking core with a net_device from `Registration<T>`.
unsafe extern "C" fn ndo_open<T: Operations + ethtool::Operations>(
    raw: *mut b::net_device,
) -> c_int {
    // SAFETY: the core only invokes our ops on our registered netdev.
    let (dev, this) = unsafe { Registration::<T>::from_callback(raw) };
    from_result(|| this.open(dev).map(|()| 0))
}

/// # Safety
///
/// As for [`ndo_open`].
unsafe extern "C" fn ndo_stop<T: Operations + ethtool::Operations>(
    raw: *mut b::net_device,
) -> c_int {
    // SAFETY: the core only invokes our ops on our registered netdev.
    let (dev, this) = unsafe { Registration::<T>::from_callback(raw) };
    this.stop(dev);
    0
}

/// # Safety
///
/// As for [`ndo_open`]; `skb` is a valid sk_buff whose ownership passes to
/// the driver unless NETDEV_TX_BUSY is returned.
unsafe extern "C" fn ndo_start_xmit<T: Operations + ethtool::Operations>(
    skb: *mut b::sk_buff,
    raw: *mut b::net_device,
) -> b::netdev_tx_t {
    // SAFETY: the core only invokes our ops on our registered netdev.
    let (dev, this) = unsafe { Registration::<T>::from_callback(raw) };
    // SAFETY: the core passes us ownership of a valid skb.
    let skb = unsafe { super::skb::SkBuff::from_raw(skb) };
    // INVARIANT: this is the ndo_start_xmit call.
    match this.start_xmit(dev, &Xmit { dev }, skb) {
        TxOutcome::Consumed => b::netdev_tx_NETDEV_TX_OK,
        TxOutcome::Busy(skb) => {
            // Ownership goes back to the stack, which requeues the frame.
            skb.into_raw();
            b::netdev_tx_NETDEV_TX_BUSY
        }
    }
}

/// # Safety
///
/// As for [`ndo_open`]; `out` is a valid, zeroed rtnl_link_stats64.
unsafe extern "C" fn ndo_get_stats64<T: Operations + ethtool::Operations>(
    raw: *mut b::net_device,
    out: *mut b::rtnl_link_stats64,
) {
    // SAFETY: the core only invokes our ops on our registered netdev.
    let (dev, this) = unsafe { Registration::<T>::from_callback(raw) };
    let s = this.stats(dev);
    // SAFETY: the core passes a valid, exclusively borrowed stats struct.
    let out = unsafe { &mut *out };
    out.rx_packets = s.rx_packets;
    out.rx_bytes = s.rx_bytes;
    out.tx_packets = s.tx_packets;
    out.tx_bytes = s.tx_bytes;
    out.rx_dropped = s.rx_dropped;
    out.tx_dropped = s.tx_dropped;
    out.rx_errors = s.rx_errors;
    out.rx_length_errors = s.rx_length_errors;
    out.rx_missed_errors = s.rx_missed_errors;
    out.multicast = s.multicast;
}

/// # Safety
///
/// As for [`ndo_open`].
unsafe extern "C" fn ndo_tx_timeout<T: Operations + ethtool::Operations>(
    raw: *mut b::net_device,
    _queue: core::ffi::c_uint,
) {
    // SAFETY: the core only invokes our ops on our registered netdev.
    let (dev, this) = unsafe { Registration::<T>::from_callback(raw) };
    this.tx_timeout(dev);
}

/// # Safety
///
/// As for [`ndo_open`]; called under RTNL with an in-range MTU.
unsafe extern "C" fn ndo_change_mtu<T: Operations + ethtool::Operations>(
    raw: *mut b::net_device,
    mtu: c_int,
) -> c_int {
    // SAFETY: the core only invokes our ops on our registered netdev.
    let (dev, this) = unsafe { Registration::<T>::from_callback(raw) };
    from_result(|| {
        let mtu = u32::try_from(mtu).map_err(|_| EINVAL)?;
        // INVARIANT: this is the ndo_change_mtu call.
        this.change_mtu(dev, &MtuChange { dev, mtu }).map(|()| 0)
    })
}

/// # Safety
///
/// As for [`ndo_open`]; `addr` points to a `struct sockaddr`.
unsafe extern "C" fn ndo_set_mac_address<T: Operations + ethtool::Operations>(
    raw: *mut b::net_device,
    addr: *mut core::ffi::c_void,
) -> c_int {
    // SAFETY: the core only invokes our ops on our registered netdev.
    let (dev, this) = unsafe { Registration::<T>::from_callback(raw) };
    let mut mac = [0u8; 6];
    // SAFETY: `addr` is a valid sockaddr whose `sa_data` holds at least
    // ETH_ALEN bytes for an Ethernet device.
    unsafe {
        let sa = addr.cast::<b::sockaddr>();
        core::ptr::copy_nonoverlapping(
            addr_of_mut!((*sa).sa_data).cast::<u8>(),
            mac.as_mut_ptr(),
            6,
        );
    }
    from_result(|| this.set_mac_address(dev, mac).map(|()| 0))
}

/// # Safety
///
/// As for [`ndo_open`]; called with the address lists locked.
unsafe extern "C" fn ndo_set_rx_mode<T: Operations + ethtool::Operations>(raw: *mut b::net_device) {
    // SAFETY: the core only invokes our ops on our registered netdev.
    let (dev, this) = unsafe { Registration::<T>::from_callback(raw) };
    // INVARIANT: the core holds the address-list lock around this call.
    this.set_rx_mode(dev, &AddrLists { dev });
}

/// # Safety
///
/// As for [`ndo_open`]; called under RTNL.
unsafe extern "C" fn ndo_set_features<T: Operations + ethtool::Operations>(
    raw: *mut b::net_device,
    features: b::netdev_features_t,
) -> c_int {
    // SAFETY: the core only invokes our ops on our registered netdev.
    let (dev, this) = unsafe { Registration::<T>::from_callback(raw) };
    from_result(|| this.set_features(dev, features).map(|()| 0))
}

/// # Safety
///
/// As for [`ndo_open`]; `skb` is a valid sk_buff the core holds for the
/// duration of the call.
unsafe extern "C" fn ndo_features_check<T: Operations + ethtool::Operations>(
    skb: *mut b::sk_buff,
    raw: *mut b::net_device,
    features: b::netdev_features_t,
) -> b::netdev_features_t {
    // SAFETY: the core only invokes our ops on our registered netdev.
    let (dev, this) = unsafe { Registration::<T>::from_callback(raw) };
    // SAFETY: the core lends the skb for this call and does not change it
    // meanwhile (it is checking it before transmission).
    let skb = unsafe { Skb::from_raw(skb) };
    // What the core applies to a device without this callback: frames with
    // several VLAN tags keep only protocol-independent offloads.
    // SAFETY: a plain function of the skb's headers.
    let features = unsafe { b::sgnic_vlan_features_check(skb.as_raw(), features) };
    this.features_check(dev, skb, features)
}

/// # Safety
///
/// Called by the NAPI core with the napi_struct `Registration::<T>::new`
/// added, whose `dev` is our netdev.
unsafe extern "C" fn napi_poll<T: Operations + ethtool::Operations>(
    napi: *mut b::napi_struct,
    budget: c_int,
) -> c_int {
    // SAFETY: see the function's contract; `Napi` is transparent.
    let (dev, this, napi) = unsafe {
        let (dev, this) = Registration::<T>::from_callback((*napi).dev);
        (dev, this, &*napi.cast::<Napi>())
    };
    let budget = u32::try_from(budget).unwrap_or(0);
    // This is the NAPI poll callback: the `NapiPoll` invariant holds.
    let poll = NapiPoll { napi, budget };
    let work = this.poll(dev, &poll).min(budget);
    // CAST: `work <= budget`, which came from a `c_int`.
    let done = work as c_int;
    // Below the budget the poll is done: complete it, exactly once, and
    // let the driver re-enable interrupts unless NAPI was rescheduled.
    // SAFETY: inside this context's poll callback, with work < budget.
    if work < budget && unsafe { b::napi_complete_done(napi.as_raw(), done) } {
        this.poll_complete(dev);
    }
    done
}

/// # Safety
///
/// Called by the IRQ core for a line requested by
/// `NetDevice::request_shared_irq`, whose `dev_id` is our netdev.
unsafe extern "C" fn irq_callback<T: Operations + ethtool::Operations>(
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
