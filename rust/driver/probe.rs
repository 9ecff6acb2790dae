// SPDX-License-Identifier: GPL-2.0

//! Probing a device of either family: the steps are the same, the
//! registers behind them the family's.

use super::{family::Family, mac, port::Port, regs::Regs, TSO_MAX_SEGS, TSO_MAX_SIZE};
use crate::glue::netdev::{self, NetDevice, Vectors};
use crate::hw::igb::rss::KEY_LEN;
use kernel::{
    device::{Bound, Core},
    pci,
    prelude::*,
};

/// Resets the device (which the glue has enabled), reads its address
/// and describes its netdev; `name` is the controller's name for the log,
/// `vectors` the interrupt vectors it was granted.
pub(crate) fn probe<'bound, F: Family>(
    pdev: &'bound pci::Device<Core<'_>>,
    name: &'static str,
    vectors: Vectors,
) -> Result<netdev::NetProbe<impl PinInit<Port<'bound, F>, Error> + 'bound>> {
    pdev.set_master();

    let bar = pdev.iomap_region_sized::<{ crate::hw::regs::BAR0_SIZE }>(0, c"sgnic")?;
    let regs = Regs::new(bar);
    mac::reset(&regs);
    let mac_addr = F::read_permanent_address(&regs).inspect_err(|e| {
        dev_err!(pdev, "EEPROM holds no usable MAC address ({:?})\n", e);
    })?;
    F::link_up(&regs);

    let irq_layout = F::irq_layout(vectors);
    let max_pairs = F::max_pairs(irq_layout).clamp(1, F::MAX_PAIRS.min(netdev::MAX_QUEUES));
    // As many pairs as the kernel suggests (one per core), as far as the
    // device and its vectors allow; `ethtool -L` changes it.
    // CAST: at most MAX_QUEUES.
    let active = max_pairs.min(crate::glue::cpu::default_rss_queues() as usize);
    let mut rss_key = [0u8; KEY_LEN];
    netdev::fill_rss_key(&mut rss_key);
    let config = netdev::Config {
        mac: mac_addr,
        min_mtu: F::MIN_MTU,
        max_mtu: F::MAX_MTU,
        watchdog_ms: 5000,
        hw_features: F::OFFLOADS,
        features: F::OFFLOADS,
        tso_max_size: TSO_MAX_SIZE,
        tso_max_segs: TSO_MAX_SEGS,
        gso_max_size: F::GSO_MAX_SIZE,
        unicast_filter: true,
        // CAST: both at most MAX_QUEUES.
        queues: max_pairs as u32,
        active_queues: active as u32,
    };
    let bound: &'bound pci::Device<Bound> = pdev;
    Ok(netdev::NetProbe {
        config,
        port: Port::new(bound, name, regs, irq_layout, rss_key),
    })
}

/// Logs the bound device once its netdev is registered.
pub(crate) fn registered<F: Family>(dev: &NetDevice, port: &Port<'_, F>) {
    let mac = dev.dev_addr();
    // netdev_info's prefix names the driver, the bus address and the
    // interface.
    dev.info(format_args!(
        "Intel {}, MAC {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}\n",
        port.name, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]
    ));
}
