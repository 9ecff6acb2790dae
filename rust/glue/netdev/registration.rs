// SPDX-License-Identifier: GPL-2.0

//! [`Registration`]: a registered `struct net_device` that owns the
//! driver's state, and the `net_device_ops` trampolines.

use super::{
    napi::{napi_poll, Napi},
    netdev_priv, AddrLists, Config, MacChange, MtuChange, NetDev, NetDevice, Operations, Private,
    Rtnl, TxOutcome, Xmit, MAX_QUEUES,
};
use crate::glue::{bindings as b, ethtool, features, skb::Skb};
use core::{
    ffi::{c_int, c_ulong},
    marker::PhantomData,
    mem::ManuallyDrop,
    ptr::{addr_of_mut, NonNull},
};
use kernel::{device, error::from_result, prelude::*};

/// The smallest TSO or GSO size the glue accepts: far above
/// `MAX_TCP_HEADER` (a few hundred bytes), below which rtnetlink refuses
/// a size.
const MIN_GSO_SIZE: u32 = 4096;

/// Alignment of a netdev's private area (`NETDEV_ALIGN`, a macro bindgen
/// does not see).
const NETDEV_ALIGN: usize = 32;

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
        ndo_vlan_rx_add_vid: Some(ndo_vlan_rx_add_vid::<T>),
        ndo_vlan_rx_kill_vid: Some(ndo_vlan_rx_kill_vid::<T>),
        ndo_validate_addr: Some(b::eth_validate_addr),
        // SAFETY: every other member is an optional function pointer or an
        // integer, for which all-zero bytes mean "not implemented".
        ..unsafe { core::mem::zeroed() }
    };

    const STAT_OPS: b::netdev_stat_ops = b::netdev_stat_ops {
        get_queue_stats_rx: Some(get_queue_stats_rx::<T>),
        get_queue_stats_tx: Some(get_queue_stats_tx::<T>),
        get_base_stats: Some(get_base_stats::<T>),
    };
}

/// A network device that owns the driver's per-port state. Only
/// [`super::BoundNetDevice`] holds one, so it cannot be leaked.
///
/// # Invariants
///
/// `ndev` is an allocated net_device whose private area holds a pointer to
/// `*data`; `data` is pinned and outlives the net_device. `registered` says
/// whether `ndev` is registered.
pub(crate) struct Registration<T: Operations + ethtool::Operations> {
    ndev: NonNull<b::net_device>,
    registered: bool,
    /// Dropped by hand, between unregistering the netdev and freeing it:
    /// whatever the driver state holds that refers to the netdev (its NAPI
    /// context, say) goes while the netdev still exists.
    data: ManuallyDrop<Pin<KBox<T>>>,
}

// SAFETY: the net_device may be used from any thread; `T` is Send + Sync,
// and the `T::PollState` the netdev may hold (and the registration drops)
// is Send.
unsafe impl<T: Operations + ethtool::Operations> Send for Registration<T> {}
// SAFETY: shared access only reads immutable fields or calls thread-safe
// kernel functions; `T` is Sync.
unsafe impl<T: Operations + ethtool::Operations> Sync for Registration<T> {}

impl<T: Operations + ethtool::Operations> Registration<T> {
    /// Allocates an Ethernet netdev owning `data` under `parent`, not yet
    /// registered.
    pub(super) fn allocate(
        parent: &device::Device<device::Bound>,
        config: &Config,
        data: impl PinInit<T, Error>,
    ) -> Result<Self> {
        // The socket layer subtracts MAX_TCP_HEADER from these limits: a
        // device that cannot take a few KiB should not offer TSO at all.
        if config.tso_max_size < MIN_GSO_SIZE {
            return Err(EINVAL);
        }
        // The private area is NETDEV_ALIGN aligned, whatever the driver's
        // poll state asks for.
        const {
            assert!(
                core::mem::align_of::<Private<T>>() <= NETDEV_ALIGN,
                "Operations::PollState needs more than NETDEV_ALIGN alignment"
            )
        };
        let priv_size = c_int::try_from(core::mem::size_of::<Private<T>>()).map_err(|_| EINVAL)?;
        let queues = config.queues;
        // CAST: at most MAX_QUEUES, 8.
        let most = T::MAX_QUEUES.min(MAX_QUEUES) as u32;
        if queues == 0 || queues > most || !(1..=queues).contains(&config.active_queues) {
            return Err(EINVAL);
        }
        let data = KBox::pin_init(data, GFP_KERNEL)?;
        // SAFETY: plain allocation call; as many TX as RX queues, one NAPI
        // context (and one persistent NAPI config) for each pair.
        let raw = unsafe { b::alloc_etherdev_mqs(priv_size, queues, queues) };
        let ndev = NonNull::new(raw).ok_or(ENOMEM)?;
        let raw = ndev.as_ptr();
        // Its private area is `size_of::<Private<T>>()` bytes, NETDEV_ALIGN
        // aligned (netdev_priv).
        // SAFETY: `raw` is a fresh, unregistered net_device nothing else
        // references yet, so it may be initialised freely.
        unsafe {
            let private = netdev_priv(raw).cast::<Private<T>>();
            // alloc_etherdev zeroed the area: empty napi_structs, flags
            // false.
            (*private).owner = core::ptr::from_ref::<T>(&data);
            // Zeroes need not be a valid `None`: written in place, as the
            // area holds no value yet.
            addr_of_mut!((*private).poll_state)
                .write(core::array::from_fn(|_| core::cell::UnsafeCell::new(None)));
            // INVARIANT: `queues` contexts added, as many as the queues
            // allocated above.
            (*private).header.queues = queues;
            // With a persistent config each (`dev->napi_config[index]`,
            // allocated with the queues): a context keeps its NAPI ID and
            // settings across disable and enable, so the netdev's NAPI
            // list stays sorted by ID, as netlink's dump requires, when
            // `ethtool -L` stops some contexts and restarts others.
            for (index, napi) in (*private)
                .header
                .napi
                .iter_mut()
                .take(queues as usize)
                .enumerate()
            {
                // CAST: below MAX_QUEUES.
                b::sgnic_netif_napi_add_config(raw, napi, Some(napi_poll::<T>), index as i32);
            }
            // INVARIANT: only the active queues' contexts stay listed (see
            // `NetDev::set_active_queues`); the others were never enabled.
            // Unregistered, so no RCU reader of the list to wait for.
            for napi in (*private)
                .header
                .napi
                .iter_mut()
                .take(queues as usize)
                .skip(config.active_queues as usize)
            {
                b::sgnic___netif_napi_del(napi);
            }
            // Not yet registered: this only records the counts.
            b::netif_set_real_num_queues(raw, config.active_queues, config.active_queues);
            b::sgnic_set_netdev_dev(raw, crate::glue::dma::raw_device(parent));
            b::sgnic_eth_hw_addr_set(raw, config.mac.as_ptr());
            (*raw).netdev_ops = &Tables::<T>::NETDEV_OPS;
            (*raw).stat_ops = &Tables::<T>::STAT_OPS;
            (*raw).ethtool_ops = ethtool::ops_table::<T>();
            // Only offloads the glue knows the meaning of: a feature bit
            // promises callbacks (ndo_dfwd_add_station, ...) it may not have.
            (*raw).hw_features = config.hw_features & features::SUPPORTED;
            (*raw).features = config.features & features::SUPPORTED;
            // What a VLAN device on top may use: not the tag offloads.
            (*raw).vlan_features = config.features & features::SUPPORTED & !features::VLAN_CTAG;
            // The core's setters clamp, and lower the GSO limits with the
            // TSO ones (the size was checked against `MIN_GSO_SIZE` above).
            b::netif_set_tso_max_size(raw, config.tso_max_size);
            b::netif_set_tso_max_segs(raw, config.tso_max_segs.max(1).into());
            // A lower starting point for the rest, a state `ip link set
            // gso_max_size` can reach too; nothing reads it before
            // registration.
            (*raw).gso_max_size = config.gso_max_size.clamp(MIN_GSO_SIZE, (*raw).gso_max_size);
            let group = &mut (*raw).__bindgen_anon_1.priv_flags_fast;
            let mut flags = group.priv_flags();
            if config.unicast_filter {
                flags |= c_ulong::from(b::netdev_priv_flags_IFF_UNICAST_FLT);
            }
            // ether_setup allows pktgen's clone_skb and burst modes, which
            // queue one skb many times over; they are refused, as veth and
            // tun do (and the xmit trampoline swaps any skb that is still
            // shared for a clone).
            flags &= !c_ulong::from(b::netdev_priv_flags_IFF_TX_SKB_SHARING);
            // netpoll (netconsole) polls with IRQs off and a zero budget,
            // contexts `NapiPoll` and `Xmit` do not describe.
            flags |= c_ulong::from(b::netdev_priv_flags_IFF_DISABLE_NETPOLL);
            group.set_priv_flags(flags);
            (*raw).min_mtu = config.min_mtu;
            (*raw).max_mtu = config.max_mtu;
            (*raw).watchdog_timeo = kernel::time::msecs_to_jiffies(config.watchdog_ms) as c_int;
        }
        // No link until the port is up and the PHY says so.
        // SAFETY: `raw` is a valid, not yet registered net_device.
        unsafe { b::netif_carrier_off(raw) };
        // INVARIANT: allocated above, its private area points to the pinned
        // `data`, which `Self` owns.
        Ok(Self {
            ndev,
            registered: false,
            data: ManuallyDrop::new(data),
        })
    }

    /// Registers the netdev with the stack. Callbacks may run before this
    /// returns.
    pub(super) fn register(&mut self) -> Result {
        if self.registered {
            return Ok(());
        }
        // SAFETY: `ndev` is fully initialised and not registered;
        // `unregister` or `Drop` undoes this.
        kernel::error::to_result(unsafe { b::register_netdev(self.ndev.as_ptr()) })?;
        self.registered = true;
        Ok(())
    }

    /// Unregisters the netdev: it is stopped first if it is up, and every
    /// callback has returned when this does.
    pub(super) fn unregister(&mut self) {
        if core::mem::take(&mut self.registered) {
            // SAFETY: registered, as the flag said.
            unsafe { b::unregister_netdev(self.ndev.as_ptr()) };
        }
    }

    /// The driver state owned by this netdev.
    pub(super) fn data(&self) -> &T {
        &self.data
    }

    /// The net_device (registered once `register` succeeded).
    pub(super) fn netdev(&self) -> &NetDevice {
        // SAFETY: `ndev` lives as long as `self`.
        unsafe { NetDevice::from_raw(self.ndev.as_ptr()) }
    }

    pub(super) fn raw(&self) -> NonNull<b::net_device> {
        self.ndev
    }

    /// Records `irq` as the interrupt that schedules NAPI context `queue`
    /// (netlink's `napi-get`), if the netdev has that context. For the
    /// adapter's probe, with an IRQ it requested for the context, before
    /// registration; ignored after it.
    pub(super) fn set_napi_irq(&self, queue: usize, irq: u32) {
        if self.registered {
            return;
        }
        // SAFETY: this registration allocated the netdev and lives for the
        // borrow; the netdev is not registered (checked), so its active
        // queue count does not change.
        unsafe { super::napi::record_napi_irq(self.ndev.as_ptr(), queue, irq) };
    }

    /// How many NAPI contexts (queue pairs) the netdev was allocated with.
    pub(super) fn queue_count(&self) -> usize {
        // SAFETY: as in `set_napi_irq`.
        unsafe { Self::state_and_napis(self.ndev.as_ptr()) }.1.len()
    }

    /// Recovers the state and the NAPI contexts for the interrupt handler.
    ///
    /// # Safety
    ///
    /// `raw` must be a net_device allocated by `Registration::<T>::allocate`
    /// whose registration lives for `'a`.
    pub(super) unsafe fn state_and_napis<'a>(raw: *mut b::net_device) -> (&'a T, &'a [Napi]) {
        // Built from the header, not a `NetDevice`: the netdev may not be
        // registered (yet, or any more).
        // SAFETY: per the contract, the private area holds an initialised
        // `Private<T>` for `'a`, its first `queues` contexts added at
        // allocation (listed or deleted since, never freed).
        unsafe {
            let private = netdev_priv(raw).cast::<Private<T>>();
            let header = addr_of_mut!((*private).header);
            let first = addr_of_mut!((*header).napi).cast::<Napi>();
            // CAST: at most MAX_QUEUES.
            let napis = core::slice::from_raw_parts(first, (*header).queues as usize);
            (&*(*private).owner, napis)
        }
    }

    /// Recovers the registration's state and device inside a callback.
    ///
    /// # Safety
    ///
    /// `raw` must be a net_device allocated by `Registration::<T>::allocate`
    /// and still registered.
    pub(crate) unsafe fn from_callback<'a>(raw: *mut b::net_device) -> (&'a NetDev<T>, &'a T) {
        // SAFETY: per the function's contract, the private area holds a
        // `Private<T>` whose `owner` points to the pinned state, which lives
        // until after `unregister_netdev` returns, i.e. past every callback.
        unsafe {
            let private = netdev_priv(raw).cast::<Private<T>>();
            (NetDev::from_raw(raw), &*(*private).owner)
        }
    }
}

impl<T: Operations + ethtool::Operations> Drop for Registration<T> {
    fn drop(&mut self) {
        // unregister_netdev calls ndo_stop if needed and waits for the
        // netdev callbacks to finish. It does not stop NAPI (ndo_stop's
        // job): a driver that left NAPI enabled could still be polled, so
        // polls are switched off before `data`, which they use, goes.
        self.unregister();
        // SAFETY: the netdev is unregistered but not yet freed, and its
        // private area is a `Private<T>`.
        let dev = unsafe { NetDev::<T>::from_raw(self.ndev.as_ptr()) };
        // SAFETY: unregistered.
        unsafe { dev.napi_disable_all() };
        // SAFETY: unregistered, with NAPI disabled for good.
        unsafe { dev.drop_poll_states() };
        // SAFETY: dropped exactly once, here; no callback and no poll can
        // run any more, so nothing uses it afterwards.
        unsafe { ManuallyDrop::drop(&mut self.data) };
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
    // SAFETY: the core calls ndo_open under RTNL.
    let rtnl = unsafe { Rtnl::new() };
    let result = this.open(dev, &rtnl);
    // A failed open is not followed by ndo_stop: NAPI must not stay on.
    if result.is_err() {
        // SAFETY: under RTNL, as said.
        unsafe { dev.napi_disable_all() };
    }
    from_result(|| result.map(|()| 0))
}

/// # Safety
///
/// As for [`ndo_open`].
unsafe extern "C" fn ndo_stop<T: Operations + ethtool::Operations>(
    raw: *mut b::net_device,
) -> c_int {
    // SAFETY: the core only invokes our ops on our registered netdev.
    let (dev, this) = unsafe { Registration::<T>::from_callback(raw) };
    // SAFETY: the core calls ndo_stop under RTNL.
    let rtnl = unsafe { Rtnl::new() };
    this.stop(dev, &rtnl);
    // Nothing stops NAPI after ndo_stop, unregistration included: a poll
    // left enabled would run on an interface the core has closed.
    // SAFETY: under RTNL, as said.
    unsafe { dev.napi_disable_all() };
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
    let given = skb;
    // pktgen hands the same skb over again with extra references (its
    // default, whatever IFF_TX_SKB_SHARING says): `SkBuff` must be the
    // only owner, so a shared skb is swapped for a clone, as
    // skb_share_check does; the original reference is consumed, and the
    // frame dropped if no clone can be had.
    // SAFETY: the core passes us a reference to a valid skb.
    let skb = unsafe { b::sgnic_skb_share_check(skb) };
    if skb.is_null() {
        return b::netdev_tx_NETDEV_TX_OK;
    }
    // SAFETY: an skb whose only reference is ours.
    let skb = unsafe { crate::glue::skb::SkBuff::from_raw(skb) };
    // The core picked the queue (below `real_num_tx_queues`) and holds its
    // lock; one beyond the netdev's queues would be a core bug, and the
    // frame is dropped rather than sent on a queue whose lock is not held.
    // A single-queue driver's frames all go to queue 0, the only one.
    let queue = if T::MAX_QUEUES == 1 {
        0
    } else {
        usize::from(skb.queue_mapping())
    };
    if !dev.has_queue(queue) {
        drop(skb);
        return b::netdev_tx_NETDEV_TX_OK;
    }
    // INVARIANT: this is the ndo_start_xmit call for `queue`.
    let xmit = Xmit {
        dev,
        queue,
        completes: T::COMPLETES_IN_XMIT,
    };
    match this.start_xmit(dev, &xmit, skb) {
        TxOutcome::Consumed => b::netdev_tx_NETDEV_TX_OK,
        // Ownership goes back to the stack, which requeues the frame; only
        // the frame it gave, untouched and not swapped for a clone, may go
        // back.
        TxOutcome::Busy(skb) if skb.as_raw() == given => {
            skb.into_raw();
            b::netdev_tx_NETDEV_TX_BUSY
        }
        // Another skb: the one given is gone, so it must not be requeued.
        // The one handed back is freed.
        TxOutcome::Busy(other) => {
            drop(other);
            b::netdev_tx_NETDEV_TX_OK
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

/// Queue `idx`'s counters, if it is one of the running pairs.
///
/// # Safety
///
/// As for [`ndo_open`].
unsafe fn queue_stats<T: Operations + ethtool::Operations>(
    raw: *mut b::net_device,
    idx: core::ffi::c_int,
) -> Option<super::QueueStats> {
    // SAFETY: the core only invokes our ops on our registered netdev.
    let (dev, this) = unsafe { Registration::<T>::from_callback(raw) };
    let queue = usize::try_from(idx)
        .ok()
        .filter(|&q| q < dev.active_queues())?;
    Some(this.queue_stats(dev, queue))
}

/// # Safety
///
/// As for [`ndo_open`]; `out` is a valid stats struct, exclusively ours
/// for the call (a field left alone is not reported).
unsafe extern "C" fn get_queue_stats_rx<T: Operations + ethtool::Operations>(
    raw: *mut b::net_device,
    idx: core::ffi::c_int,
    out: *mut b::netdev_queue_stats_rx,
) {
    // SAFETY: the function's contract.
    if let Some(s) = unsafe { queue_stats::<T>(raw, idx) } {
        // SAFETY: the core passes a valid, exclusively borrowed struct.
        let out = unsafe { &mut *out };
        out.packets = s.rx_packets;
        out.bytes = s.rx_bytes;
    }
}

/// # Safety
///
/// As for [`get_queue_stats_rx`].
unsafe extern "C" fn get_queue_stats_tx<T: Operations + ethtool::Operations>(
    raw: *mut b::net_device,
    idx: core::ffi::c_int,
    out: *mut b::netdev_queue_stats_tx,
) {
    // SAFETY: the function's contract.
    if let Some(s) = unsafe { queue_stats::<T>(raw, idx) } {
        // SAFETY: the core passes a valid, exclusively borrowed struct.
        let out = unsafe { &mut *out };
        out.packets = s.tx_packets;
        out.bytes = s.tx_bytes;
    }
}

/// # Safety
///
/// As for [`get_queue_stats_rx`], for both structs. Every field a queue
/// reports is set here too (to zero at least): a field set in the base is
/// what the core reports at device level.
unsafe extern "C" fn get_base_stats<T: Operations + ethtool::Operations>(
    raw: *mut b::net_device,
    rx: *mut b::netdev_queue_stats_rx,
    tx: *mut b::netdev_queue_stats_tx,
) {
    // SAFETY: the core only invokes our ops on our registered netdev.
    let (dev, this) = unsafe { Registration::<T>::from_callback(raw) };
    let s = this.base_stats(dev);
    // SAFETY: the core passes valid, exclusively borrowed structs.
    let (rx, tx) = unsafe { (&mut *rx, &mut *tx) };
    rx.packets = s.rx_packets;
    rx.bytes = s.rx_bytes;
    tx.packets = s.tx_packets;
    tx.bytes = s.tx_bytes;
}

/// # Safety
///
/// As for [`ndo_open`].
unsafe extern "C" fn ndo_tx_timeout<T: Operations + ethtool::Operations>(
    raw: *mut b::net_device,
    queue: core::ffi::c_uint,
) {
    // SAFETY: the core only invokes our ops on our registered netdev.
    let (dev, this) = unsafe { Registration::<T>::from_callback(raw) };
    // CAST: a queue index, below MAX_QUEUES.
    this.tx_timeout(dev, queue as usize);
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
        // SAFETY: the core calls ndo_change_mtu under RTNL.
        let rtnl = unsafe { Rtnl::new() };
        // INVARIANT: this is the ndo_change_mtu call.
        this.change_mtu(dev, &MtuChange { dev, mtu, rtnl })
            .map(|()| 0)
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
    // INVARIANT: this is the ndo_set_mac_address call, under RTNL.
    from_result(|| {
        this.set_mac_address(dev, &MacChange { dev, mac })
            .map(|()| 0)
    })
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
    // Its only caller, `__netdev_update_features`, is reached from ethtool
    // (ioctl and netlink), `register_netdevice`, `netdev_change_features`,
    // LRO/GRO disabling and stacked devices' feature sync, all under RTNL
    // for a netdev that, like ours, asks for no per-netdev ops lock.
    // SAFETY: RTNL is held for the whole call, as above.
    let rtnl = unsafe { Rtnl::new() };
    from_result(|| this.set_features(dev, &rtnl, features).map(|()| 0))
}

/// Runs `op` (the driver's `vlan_rx_add_vid` or `kill_vid`) for an
/// 802.1Q VLAN ID, the only tag protocol the glue lets a driver filter
/// (`HW_VLAN_CTAG_FILTER`; no `HW_VLAN_STAG_FILTER`); another fails with
/// `EOPNOTSUPP`, a VID of 4096 or more with `EINVAL`.
///
/// # Safety
///
/// As for [`ndo_open`]; the caller holds RTNL for the call. The core's
/// callers are `vlan_vid_add`/`vlan_vid_del` (8021q, bonding, team, the
/// bridge, DSA, HSR, ipvlan) and the filter push and drop of
/// `__netdev_update_features` (`NETDEV_CVLAN_FILTER_*`), all under RTNL.
unsafe fn vlan_vid_op<T: Operations + ethtool::Operations>(
    raw: *mut b::net_device,
    proto: u16,
    vid: u16,
    op: impl FnOnce(&T, &NetDev<T>, &Rtnl<'_>, u16) -> Result,
) -> c_int {
    // SAFETY: the core only invokes our ops on our registered netdev.
    let (dev, this) = unsafe { Registration::<T>::from_callback(raw) };
    // SAFETY: the function's contract.
    let rtnl = unsafe { Rtnl::new() };
    // `proto` is big-endian (`__be16`).
    // The core asks only for the protocol the netdev filters (802.1Q,
    // `vlan_hw_filter_capable`) and for VLAN IDs below 4096; anything else
    // was not programmed and is not claimed to be.
    if u16::from_be(proto) != b::ETH_P_8021Q as u16 {
        return EOPNOTSUPP.to_errno();
    }
    if vid >= 4096 {
        return EINVAL.to_errno();
    }
    from_result(|| op(this, dev, &rtnl, vid).map(|()| 0))
}

/// # Safety
///
/// As for [`ndo_open`]; the core calls it under RTNL (`vlan_vid_add`).
unsafe extern "C" fn ndo_vlan_rx_add_vid<T: Operations + ethtool::Operations>(
    raw: *mut b::net_device,
    proto: u16,
    vid: u16,
) -> c_int {
    // SAFETY: the function's contract.
    unsafe { vlan_vid_op::<T>(raw, proto, vid, T::vlan_rx_add_vid) }
}

/// # Safety
///
/// As for [`ndo_open`]; the core calls it under RTNL (`vlan_vid_del`).
unsafe extern "C" fn ndo_vlan_rx_kill_vid<T: Operations + ethtool::Operations>(
    raw: *mut b::net_device,
    proto: u16,
    vid: u16,
) -> c_int {
    // SAFETY: the function's contract.
    unsafe { vlan_vid_op::<T>(raw, proto, vid, T::vlan_rx_kill_vid) }
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
