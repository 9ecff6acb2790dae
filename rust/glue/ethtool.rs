// SPDX-License-Identifier: GPL-2.0

//! The `ethtool_ops` callbacks, as a safe trait.

use super::bindings as b;
use super::netdev::{NetDev, Registration, Rtnl};
use core::ffi::{c_char, c_int};
use kernel::{error::from_result, prelude::*};

/// `ETHTOOL_COALESCE_RX_USECS` and `ETHTOOL_COALESCE_USE_ADAPTIVE_RX` from
/// `linux/ethtool.h` (`BIT()` macros that bindgen cannot evaluate).
const COALESCE_RX_USECS: u32 = 1 << 0;
const COALESCE_USE_ADAPTIVE_RX: u32 = 1 << 9;

/// Interrupt moderation for `ethtool -c` / `-C`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Coalesce {
    /// Minimum gap between interrupts, in microseconds.
    pub rx_usecs: u32,
    /// Whether the driver picks the gap from the traffic (`adaptive-rx`).
    pub adaptive: bool,
}

/// Identity strings for `ethtool -i`.
pub struct DriverInfo<'a> {
    /// Driver name.
    pub driver: &'a CStr,
    /// Bus address of the device, e.g. `0000:00:03.0`.
    pub bus_info: &'a CStr,
}

/// Link state for `ethtool IFACE`.
pub struct LinkSettings {
    /// Speed in Mb/s, `None` when the link is down.
    pub speed_mbps: Option<u32>,
    /// Full duplex (meaningful only with a speed).
    pub full_duplex: bool,
}

/// Descriptor ring sizes for `ethtool -g` / `-G`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RingParams {
    /// RX descriptors in use.
    pub rx: u32,
    /// TX descriptors in use.
    pub tx: u32,
    /// Largest RX ring the driver supports.
    pub rx_max: u32,
    /// Largest TX ring the driver supports.
    pub tx_max: u32,
}

/// Queue pairs for `ethtool -l` / `-L` (only combined channels: each
/// pair has one TX queue, one RX queue and one interrupt vector).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Channels {
    /// Most pairs the device can run.
    pub max_combined: u32,
    /// Pairs in use.
    pub combined: u32,
}

/// `ETH_RSS_HASH_TOP`: the Toeplitz hash, the only one RSS devices of
/// this kind compute.
const RSS_HASH_TOP: u8 = 1 << b::ETH_RSS_HASH_TOP_BIT;

/// The longest `ethtool -S` name: ETH_GSTRING_LEN with its NUL.
const STAT_NAME_MAX: usize = b::ETH_GSTRING_LEN as usize - 1;

/// The driver's side of the ethtool callbacks.
pub trait Operations: Send + Sync + Sized {
    /// `ethtool -i`.
    fn driver_info(&self) -> DriverInfo<'_>;
    /// `ethtool IFACE`: speed and duplex.
    fn link_settings(&self, dev: &NetDev<Self>) -> LinkSettings;
    /// `ethtool -g`.
    fn ring_params(&self) -> RingParams;
    /// `ethtool -G`: the requested sizes, not yet validated.
    fn set_ring_params(&self, dev: &NetDev<Self>, rtnl: &Rtnl<'_>, rx: u32, tx: u32) -> Result;
    /// `ethtool -c`.
    fn coalesce(&self) -> Coalesce;
    /// `ethtool -C`: the requested settings, not yet validated.
    fn set_coalesce(&self, dev: &NetDev<Self>, requested: Coalesce) -> Result;
    /// Names of the `ethtool -S` counters, at most 31 bytes each. A
    /// constant, so the count the core sizes its buffers from and the
    /// strings and values written into them can never disagree.
    const STAT_NAMES: &'static [&'static CStr];
    /// Names of the per-queue counters, reported for each of
    /// [`Self::STAT_QUEUES`] queue pairs as `queue_N_NAME` (at most 23
    /// bytes each, so that the whole fits).
    const QUEUE_STAT_NAMES: &'static [&'static CStr] = &[];
    /// How many queue pairs' counters `ethtool -S` shows: a constant, the
    /// most the device can run, for the reason given for
    /// [`Self::STAT_NAMES`].
    const STAT_QUEUES: usize = 0;
    /// Values for `ethtool -S`: those of [`Self::STAT_NAMES`], then for
    /// each queue pair those of [`Self::QUEUE_STAT_NAMES`]; `out` has
    /// exactly that many entries.
    fn stat_values(&self, out: &mut [u64]);
    /// `ethtool -l`.
    fn channels(&self, dev: &NetDev<Self>) -> Channels;
    /// `ethtool -L`: `combined` is at least 1 and at most
    /// `max_combined` (checked by the core and the glue), and an RSS table
    /// the user set still fits it (checked by the core).
    fn set_channels(&self, dev: &NetDev<Self>, rtnl: &Rtnl<'_>, combined: u32) -> Result;
    /// RSS hash key length in bytes; 0 with no RSS (no `ethtool -x`).
    const RSS_KEY_LEN: usize = 0;
    /// RSS indirection table entries; 0 with no RSS.
    const RSS_TABLE_LEN: usize = 0;
    /// `ethtool -x`: fills the key ([`Self::RSS_KEY_LEN`] bytes) and the
    /// indirection table ([`Self::RSS_TABLE_LEN`] queue numbers).
    fn rss(&self, key: &mut [u8], table: &mut [u32]) {
        let _ = (key, table);
    }
    /// `ethtool -X`: a new key and/or table, exactly as long as the
    /// constants say, every table entry below the number of RX queues in
    /// use (checked by the core).
    fn set_rss(&self, dev: &NetDev<Self>, key: Option<&[u8]>, table: Option<&[u32]>) -> Result {
        let _ = (dev, key, table);
        Err(EOPNOTSUPP)
    }
    /// `ethtool -n IF rx-flow-hash FLOW`: the header fields (`RXH_*`
    /// bits) RSS hashes for ethtool flow type `flow_type`, as the core
    /// passes it (`FLOW_RSS` cleared, `FLOW_EXT` and `FLOW_MAC_EXT` not);
    /// `EINVAL` for a flow type the
    /// device does not know. Only with RSS ([`Self::RSS_TABLE_LEN`]).
    fn rss_hash_fields(&self, flow_type: u32) -> Result<u32> {
        let _ = flow_type;
        Err(EOPNOTSUPP)
    }
    /// `ethtool -N IF rx-flow-hash FLOW FIELDS`: hash `fields` (`RXH_*`)
    /// for `flow_type`; `EINVAL` if the device cannot.
    fn set_rss_hash_fields(&self, dev: &NetDev<Self>, flow_type: u32, fields: u32) -> Result {
        let _ = (dev, flow_type, fields);
        Err(EOPNOTSUPP)
    }
}

struct Table<T>(core::marker::PhantomData<T>);

impl<T: Operations + super::netdev::Operations> Table<T> {
    const OPS: b::ethtool_ops = b::ethtool_ops {
        supported_coalesce_params: COALESCE_RX_USECS | COALESCE_USE_ADAPTIVE_RX,
        get_drvinfo: Some(get_drvinfo::<T>),
        get_link: Some(b::ethtool_op_get_link),
        get_link_ksettings: Some(get_link_ksettings::<T>),
        get_ringparam: Some(get_ringparam::<T>),
        set_ringparam: Some(set_ringparam::<T>),
        get_coalesce: Some(get_coalesce::<T>),
        set_coalesce: Some(set_coalesce::<T>),
        get_sset_count: Some(get_sset_count::<T>),
        get_strings: Some(get_strings::<T>),
        get_ethtool_stats: Some(get_ethtool_stats::<T>),
        get_channels: Some(get_channels::<T>),
        set_channels: Some(set_channels::<T>),
        get_rx_ring_count: Some(get_rx_ring_count::<T>),
        get_rxfh_key_size: rss_only::<T, _>(get_rxfh_key_size::<T>),
        get_rxfh_indir_size: rss_only::<T, _>(get_rxfh_indir_size::<T>),
        get_rxfh: rss_only::<T, _>(get_rxfh::<T>),
        set_rxfh: rss_only::<T, _>(set_rxfh::<T>),
        get_rxfh_fields: rss_only::<T, _>(get_rxfh_fields::<T>),
        set_rxfh_fields: rss_only::<T, _>(set_rxfh_fields::<T>),
        // SAFETY: all other members are optional callbacks or integers, for
        // which zero means "not supported".
        ..unsafe { core::mem::zeroed() }
    };
}

/// `callback` if `T` has RSS (the RSS callbacks are offered only then).
const fn rss_only<T: Operations, F>(callback: F) -> Option<F> {
    if T::RSS_TABLE_LEN > 0 {
        Some(callback)
    } else {
        core::mem::forget(callback);
        None
    }
}

/// The static `ethtool_ops` table for `T`.
pub(super) fn ops_table<T: Operations + super::netdev::Operations>() -> &'static b::ethtool_ops {
    // An empty list makes the core WARN on `ethtool -S`.
    const {
        assert!(
            !T::STAT_NAMES.is_empty(),
            "ethtool::Operations::STAT_NAMES is empty"
        )
    };
    const {
        let mut i = 0;
        while i < T::QUEUE_STAT_NAMES.len() {
            // "queue_N_" with N below MAX_QUEUES takes 8 bytes.
            assert!(
                T::QUEUE_STAT_NAMES[i].to_bytes().len() + 8 <= STAT_NAME_MAX,
                "a per-queue counter name is too long for ethtool"
            );
            i += 1;
        }
        assert!(
            T::STAT_QUEUES <= super::netdev::MAX_QUEUES,
            "more queues' counters than a netdev has queues"
        );
    };
    &Table::<T>::OPS
}

/// Copies `src` into a fixed C string field, truncating and NUL-terminating.
fn copy_cstr(dst: &mut [c_char], src: &CStr) {
    let bytes = src.to_bytes();
    let n = bytes.len().min(dst.len().saturating_sub(1));
    for i in 0..n {
        dst[i] = bytes[i] as c_char;
    }
    if let Some(end) = dst.get_mut(n) {
        *end = 0;
    }
}

/// # Safety
///
/// Called by the ethtool core with our registered netdev and a valid,
/// exclusively borrowed `info`.
unsafe extern "C" fn get_drvinfo<T: Operations + super::netdev::Operations>(
    raw: *mut b::net_device,
    info: *mut b::ethtool_drvinfo,
) {
    // SAFETY: see the function's contract.
    let ((_, this), info) = unsafe { (Registration::<T>::from_callback(raw), &mut *info) };
    let id = this.driver_info();
    copy_cstr(&mut info.driver, id.driver);
    copy_cstr(&mut info.bus_info, id.bus_info);
}

/// # Safety
///
/// As for [`get_drvinfo`].
unsafe extern "C" fn get_link_ksettings<T: Operations + super::netdev::Operations>(
    raw: *mut b::net_device,
    ks: *mut b::ethtool_link_ksettings,
) -> c_int {
    // SAFETY: see the function's contract.
    let ((dev, this), ks) = unsafe { (Registration::<T>::from_callback(raw), &mut *ks) };
    let link = this.link_settings(dev);
    ks.base.port = b::PORT_TP as u8;
    ks.base.autoneg = b::AUTONEG_ENABLE as u8;
    match link.speed_mbps {
        Some(speed) => {
            ks.base.speed = speed;
            ks.base.duplex = if link.full_duplex {
                b::DUPLEX_FULL
            } else {
                b::DUPLEX_HALF
            } as u8;
        }
        None => {
            ks.base.speed = b::SPEED_UNKNOWN as u32;
            ks.base.duplex = b::DUPLEX_UNKNOWN as u8;
        }
    }
    0
}

/// # Safety
///
/// As for [`get_drvinfo`].
unsafe extern "C" fn get_ringparam<T: Operations + super::netdev::Operations>(
    raw: *mut b::net_device,
    ring: *mut b::ethtool_ringparam,
    _kernel: *mut b::kernel_ethtool_ringparam,
    _extack: *mut b::netlink_ext_ack,
) {
    // SAFETY: see the function's contract.
    let ((_, this), ring) = unsafe { (Registration::<T>::from_callback(raw), &mut *ring) };
    let p = this.ring_params();
    ring.rx_max_pending = p.rx_max;
    ring.tx_max_pending = p.tx_max;
    ring.rx_pending = p.rx;
    ring.tx_pending = p.tx;
}

/// # Safety
///
/// As for [`get_drvinfo`]; called under RTNL.
unsafe extern "C" fn set_ringparam<T: Operations + super::netdev::Operations>(
    raw: *mut b::net_device,
    ring: *mut b::ethtool_ringparam,
    _kernel: *mut b::kernel_ethtool_ringparam,
    _extack: *mut b::netlink_ext_ack,
) -> c_int {
    // SAFETY: see the function's contract.
    let ((dev, this), ring) = unsafe { (Registration::<T>::from_callback(raw), &*ring) };
    if ring.rx_mini_pending != 0 || ring.rx_jumbo_pending != 0 {
        return EINVAL.to_errno();
    }
    // SAFETY: the ethtool core calls set_ringparam under RTNL.
    let rtnl = unsafe { Rtnl::new() };
    from_result(|| {
        this.set_ring_params(dev, &rtnl, ring.rx_pending, ring.tx_pending)
            .map(|()| 0)
    })
}

/// # Safety
///
/// As for [`get_drvinfo`].
unsafe extern "C" fn get_coalesce<T: Operations + super::netdev::Operations>(
    raw: *mut b::net_device,
    ec: *mut b::ethtool_coalesce,
    _kernel: *mut b::kernel_ethtool_coalesce,
    _extack: *mut b::netlink_ext_ack,
) -> c_int {
    // SAFETY: see the function's contract.
    let ((_, this), ec) = unsafe { (Registration::<T>::from_callback(raw), &mut *ec) };
    let c = this.coalesce();
    ec.rx_coalesce_usecs = c.rx_usecs;
    ec.use_adaptive_rx_coalesce = u32::from(c.adaptive);
    0
}

/// # Safety
///
/// As for [`get_drvinfo`]; called under RTNL. The core has already rejected
/// parameters outside `supported_coalesce_params`.
unsafe extern "C" fn set_coalesce<T: Operations + super::netdev::Operations>(
    raw: *mut b::net_device,
    ec: *mut b::ethtool_coalesce,
    _kernel: *mut b::kernel_ethtool_coalesce,
    _extack: *mut b::netlink_ext_ack,
) -> c_int {
    // SAFETY: see the function's contract.
    let ((dev, this), ec) = unsafe { (Registration::<T>::from_callback(raw), &*ec) };
    let requested = Coalesce {
        rx_usecs: ec.rx_coalesce_usecs,
        adaptive: ec.use_adaptive_rx_coalesce != 0,
    };
    from_result(|| this.set_coalesce(dev, requested).map(|()| 0))
}

/// # Safety
///
/// As for [`get_drvinfo`].
unsafe extern "C" fn get_sset_count<T: Operations + super::netdev::Operations>(
    _raw: *mut b::net_device,
    set: c_int,
) -> c_int {
    match u32::try_from(set) {
        // CAST: constant name lists, far below `c_int::MAX`.
        Ok(b::ethtool_stringset_ETH_SS_STATS) => stat_count::<T>() as c_int,
        _ => EOPNOTSUPP.to_errno(),
    }
}

/// How many `ethtool -S` counters `T` reports, per-queue ones included.
const fn stat_count<T: Operations>() -> usize {
    T::STAT_NAMES.len() + T::STAT_QUEUES * T::QUEUE_STAT_NAMES.len()
}

/// A fixed-size writer for `queue_N_NAME` strings.
struct NameBuf {
    bytes: [u8; STAT_NAME_MAX],
    len: usize,
}

impl core::fmt::Write for NameBuf {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let end = self.len + s.len();
        let dst = self.bytes.get_mut(self.len..end).ok_or(core::fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// # Safety
///
/// As for [`get_drvinfo`]; `data` holds `get_sset_count` strings of
/// ETH_GSTRING_LEN bytes each.
unsafe extern "C" fn get_strings<T: Operations + super::netdev::Operations>(
    _raw: *mut b::net_device,
    set: u32,
    data: *mut u8,
) {
    if set != b::ethtool_stringset_ETH_SS_STATS {
        return;
    }
    let len = b::ETH_GSTRING_LEN as usize;
    // SAFETY: the core sized `data` from our own get_sset_count answer,
    // `stat_count`, for ETH_GSTRING_LEN bytes per name.
    let out =
        unsafe { core::slice::from_raw_parts_mut(data.cast::<c_char>(), stat_count::<T>() * len) };
    let mut slots = out.chunks_exact_mut(len);
    for (name, slot) in T::STAT_NAMES.iter().zip(&mut slots) {
        copy_cstr(slot, name);
    }
    for queue in 0..T::STAT_QUEUES {
        for (name, slot) in T::QUEUE_STAT_NAMES.iter().zip(&mut slots) {
            let mut buf = NameBuf {
                bytes: [0; STAT_NAME_MAX],
                len: 0,
            };
            // Fits: checked against STAT_NAME_MAX when the table was built.
            let _ = core::fmt::Write::write_fmt(
                &mut buf,
                format_args!("queue_{}_{}", queue, name.to_str().unwrap_or("?")),
            );
            for (dst, src) in slot.iter_mut().zip(&buf.bytes[..buf.len]) {
                *dst = *src as c_char;
            }
            if let Some(end) = slot.get_mut(buf.len) {
                *end = 0;
            }
        }
    }
}

/// # Safety
///
/// As for [`get_strings`]; `data` holds `get_sset_count` u64 values.
unsafe extern "C" fn get_ethtool_stats<T: Operations + super::netdev::Operations>(
    raw: *mut b::net_device,
    _stats: *mut b::ethtool_stats,
    data: *mut u64,
) {
    // SAFETY: see the function's contract.
    let (_, this) = unsafe { Registration::<T>::from_callback(raw) };
    let n = stat_count::<T>();
    // SAFETY: the core sized `data` from our get_sset_count answer.
    let out = unsafe { core::slice::from_raw_parts_mut(data, n) };
    this.stat_values(out);
}

/// # Safety
///
/// As for [`get_drvinfo`].
unsafe extern "C" fn get_channels<T: Operations + super::netdev::Operations>(
    raw: *mut b::net_device,
    ch: *mut b::ethtool_channels,
) {
    // SAFETY: see the function's contract.
    let ((dev, this), ch) = unsafe { (Registration::<T>::from_callback(raw), &mut *ch) };
    let c = this.channels(dev);
    ch.max_combined = c.max_combined;
    ch.combined_count = c.combined;
}

/// # Safety
///
/// As for [`get_drvinfo`]; called under RTNL, with counts the core has
/// checked against [`get_channels`]' maxima.
unsafe extern "C" fn set_channels<T: Operations + super::netdev::Operations>(
    raw: *mut b::net_device,
    ch: *mut b::ethtool_channels,
) -> c_int {
    // SAFETY: see the function's contract.
    let ((dev, this), ch) = unsafe { (Registration::<T>::from_callback(raw), &*ch) };
    // Only combined pairs exist (the maxima of the rest are 0); checked
    // again here rather than trusted.
    let max = this.channels(dev).max_combined;
    if ch.rx_count != 0 || ch.tx_count != 0 || ch.other_count != 0 {
        return EINVAL.to_errno();
    }
    if ch.combined_count == 0 || ch.combined_count > max {
        return EINVAL.to_errno();
    }
    // SAFETY: the ethtool core calls set_channels under RTNL.
    let rtnl = unsafe { Rtnl::new() };
    from_result(|| this.set_channels(dev, &rtnl, ch.combined_count).map(|()| 0))
}

/// # Safety
///
/// As for [`get_drvinfo`].
unsafe extern "C" fn get_rx_ring_count<T: Operations + super::netdev::Operations>(
    raw: *mut b::net_device,
) -> u32 {
    // SAFETY: see the function's contract.
    let (dev, _) = unsafe { Registration::<T>::from_callback(raw) };
    // CAST: at most MAX_QUEUES.
    dev.active_queues() as u32
}

/// # Safety
///
/// As for [`get_drvinfo`].
unsafe extern "C" fn get_rxfh_key_size<T: Operations + super::netdev::Operations>(
    _raw: *mut b::net_device,
) -> u32 {
    // CAST: a small constant (40 bytes on the 82576).
    T::RSS_KEY_LEN as u32
}

/// # Safety
///
/// As for [`get_drvinfo`].
unsafe extern "C" fn get_rxfh_indir_size<T: Operations + super::netdev::Operations>(
    _raw: *mut b::net_device,
) -> u32 {
    // CAST: a small constant (128 entries on the 82576).
    T::RSS_TABLE_LEN as u32
}

/// # Safety
///
/// As for [`get_drvinfo`]; `indir` and `key`, where not null, hold the
/// sizes [`get_rxfh_indir_size`] and [`get_rxfh_key_size`] gave.
unsafe extern "C" fn get_rxfh<T: Operations + super::netdev::Operations>(
    raw: *mut b::net_device,
    rxfh: *mut b::ethtool_rxfh_param,
) -> c_int {
    // SAFETY: see the function's contract.
    let ((_, this), rxfh) = unsafe { (Registration::<T>::from_callback(raw), &mut *rxfh) };
    rxfh.hfunc = RSS_HASH_TOP;
    // The driver fills the core's buffers directly; one the core did not
    // ask for is an empty slice.
    // SAFETY: where not null, the core's buffers hold the sizes we report
    // (the function's contract), and nothing else uses them meanwhile.
    let (table, key) = unsafe {
        (
            if rxfh.indir.is_null() {
                &mut [][..]
            } else {
                core::slice::from_raw_parts_mut(rxfh.indir, T::RSS_TABLE_LEN)
            },
            if rxfh.key.is_null() {
                &mut [][..]
            } else {
                core::slice::from_raw_parts_mut(rxfh.key, T::RSS_KEY_LEN)
            },
        )
    };
    this.rss(key, table);
    0
}

/// # Safety
///
/// As for [`get_rxfh`]; called under RTNL and the netdev's RSS lock, with
/// a table whose entries the core has checked against the RX ring count.
unsafe extern "C" fn set_rxfh<T: Operations + super::netdev::Operations>(
    raw: *mut b::net_device,
    rxfh: *mut b::ethtool_rxfh_param,
    _extack: *mut b::netlink_ext_ack,
) -> c_int {
    // SAFETY: see the function's contract.
    let ((dev, this), rxfh) = unsafe { (Registration::<T>::from_callback(raw), &*rxfh) };
    // CAST: ETH_RSS_HASH_NO_CHANGE is 0, a u8 value.
    if rxfh.hfunc != b::ETH_RSS_HASH_NO_CHANGE as u8 && rxfh.hfunc != RSS_HASH_TOP {
        return EOPNOTSUPP.to_errno();
    }
    if rxfh.rss_context != 0 {
        return EOPNOTSUPP.to_errno();
    }
    // CAST: u32 sizes to usize, lossless here.
    if (!rxfh.indir.is_null() && rxfh.indir_size as usize != T::RSS_TABLE_LEN)
        || (!rxfh.key.is_null() && rxfh.key_size as usize != T::RSS_KEY_LEN)
    {
        return EINVAL.to_errno();
    }
    let table = (!rxfh.indir.is_null()).then(|| {
        // SAFETY: the core allocated `indir_size` entries, our own size.
        unsafe { core::slice::from_raw_parts(rxfh.indir, rxfh.indir_size as usize) }
    });
    let key = (!rxfh.key.is_null()).then(|| {
        // SAFETY: the core allocated `key_size` bytes, our own size.
        unsafe { core::slice::from_raw_parts(rxfh.key, rxfh.key_size as usize) }
    });
    from_result(|| this.set_rss(dev, key, table).map(|()| 0))
}

/// # Safety
///
/// As for [`get_drvinfo`]; `fields` is valid for the call (the core's, on
/// its stack, under the netdev's RSS lock).
unsafe extern "C" fn get_rxfh_fields<T: Operations + super::netdev::Operations>(
    raw: *mut b::net_device,
    fields: *mut b::ethtool_rxfh_fields,
) -> c_int {
    // SAFETY: see the function's contract.
    let ((_, this), fields) = unsafe { (Registration::<T>::from_callback(raw), &mut *fields) };
    // Only the default context: the glue creates no other.
    if fields.rss_context != 0 {
        return EOPNOTSUPP.to_errno();
    }
    match this.rss_hash_fields(fields.flow_type) {
        Ok(data) => {
            fields.data = data;
            0
        }
        Err(e) => e.to_errno(),
    }
}

/// # Safety
///
/// As for [`get_rxfh_fields`]; called under RTNL and the netdev's RSS
/// lock.
unsafe extern "C" fn set_rxfh_fields<T: Operations + super::netdev::Operations>(
    raw: *mut b::net_device,
    fields: *const b::ethtool_rxfh_fields,
    _extack: *mut b::netlink_ext_ack,
) -> c_int {
    // SAFETY: see the function's contract.
    let ((dev, this), fields) = unsafe { (Registration::<T>::from_callback(raw), &*fields) };
    if fields.rss_context != 0 {
        return EOPNOTSUPP.to_errno();
    }
    from_result(|| {
        this.set_rss_hash_fields(dev, fields.flow_type, fields.data)
            .map(|()| 0)
    })
}
