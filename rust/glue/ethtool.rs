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
    /// Values for `ethtool -S`, in the order of [`Self::STAT_NAMES`]; `out`
    /// has exactly that many entries.
    fn stat_values(&self, out: &mut [u64]);
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
        // SAFETY: all other members are optional callbacks or integers, for
        // which zero means "not supported".
        ..unsafe { core::mem::zeroed() }
    };
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
        // CAST: a constant name list, far below `c_int::MAX`.
        Ok(b::ethtool_stringset_ETH_SS_STATS) => T::STAT_NAMES.len() as c_int,
        _ => EOPNOTSUPP.to_errno(),
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
    let names = match set {
        b::ethtool_stringset_ETH_SS_STATS => T::STAT_NAMES,
        _ => return,
    };
    let len = b::ETH_GSTRING_LEN as usize;
    // SAFETY: the core sized `data` from our own get_sset_count answer,
    // which is `names.len()`, for ETH_GSTRING_LEN bytes per name.
    let out = unsafe { core::slice::from_raw_parts_mut(data.cast::<c_char>(), names.len() * len) };
    for (i, name) in names.iter().enumerate() {
        copy_cstr(&mut out[i * len..(i + 1) * len], name);
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
    let n = T::STAT_NAMES.len();
    // SAFETY: the core sized `data` from our get_sset_count answer.
    let out = unsafe { core::slice::from_raw_parts_mut(data, n) };
    this.stat_values(out);
}
