// SPDX-License-Identifier: GPL-2.0

//! The ethtool operations of a port.

use super::{
    mac,
    port::{Counters, Port},
};
use crate::glue::{
    ethtool::{DriverInfo, LinkSettings, Operations, RingParams},
    netdev::NetDevice,
};
use crate::hw::{itr, ring::RingSize};
use kernel::{prelude::*, sync::atomic::Relaxed};

/// `ethtool -S` counter names, in [`Port::stat_values`] order.
const STAT_NAMES: &[&CStr] = &[c"tx_dropped", c"tx_timeouts"];

impl Operations for Port<'_> {
    fn driver_info(&self) -> DriverInfo<'_> {
        DriverInfo {
            driver: c"sgnic",
            version: c"0.1",
            bus_info: self.pdev.as_ref().name(),
        }
    }

    fn link_settings(&self, _dev: &NetDevice) -> LinkSettings {
        let link = mac::link(&self.regs);
        LinkSettings {
            speed_mbps: link.up.then_some(link.speed_mbps),
            full_duplex: link.full_duplex,
        }
    }

    fn ring_params(&self) -> RingParams {
        let size = RingSize::DEFAULT.get() as u32;
        let max = RingSize::MAX.get() as u32;
        RingParams {
            rx: size,
            tx: size,
            rx_max: max,
            tx_max: max,
        }
    }

    fn set_ring_params(&self, _dev: &NetDevice, _rx: u32, _tx: u32) -> Result {
        Err(EOPNOTSUPP)
    }

    fn rx_usecs(&self) -> u32 {
        self.rx_usecs.load(Relaxed)
    }

    fn set_rx_usecs(&self, _dev: &NetDevice, usecs: u32) -> Result {
        let itr = itr::itr_from_usecs(usecs);
        self.regs.write(crate::hw::regs::ITR, itr);
        self.rx_usecs.store(itr::usecs_from_itr(itr), Relaxed);
        Ok(())
    }

    fn stat_names(&self) -> &'static [&'static CStr] {
        STAT_NAMES
    }

    fn stat_values(&self, out: &mut [u64]) {
        let values = [
            Counters::get(&self.counters.tx_dropped),
            Counters::get(&self.counters.tx_timeouts),
        ];
        for (o, v) in out.iter_mut().zip(values) {
            *o = v;
        }
    }
}
