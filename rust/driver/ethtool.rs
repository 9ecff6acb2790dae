// SPDX-License-Identifier: GPL-2.0

//! The ethtool operations of a port.

use super::{
    family::Family,
    mac,
    port::{Counters, Event, Port},
};
use crate::glue::{
    ethtool::{Coalesce, DriverInfo, LinkSettings, Operations, RingParams},
    netdev::{NetDev, Rtnl},
};
use crate::hw::{itr, ring::RingSize};
use kernel::{prelude::*, sync::atomic::Relaxed};

impl<F: Family> Operations for Port<'_, F> {
    fn driver_info(&self) -> DriverInfo<'_> {
        DriverInfo {
            driver: c"sgnic",
            bus_info: self.pdev.as_ref().name(),
        }
    }

    fn link_settings(&self, _dev: &NetDev<Self>) -> LinkSettings {
        let link = mac::link(&self.regs);
        LinkSettings {
            speed_mbps: link.up.then_some(link.speed_mbps),
            full_duplex: link.full_duplex,
        }
    }

    fn ring_params(&self) -> RingParams {
        let max = RingSize::MAX.get() as u32;
        RingParams {
            rx: self.rx_ring_size.load(Relaxed),
            tx: self.tx_ring_size.load(Relaxed),
            rx_max: max,
            tx_max: max,
        }
    }

    fn set_ring_params(&self, dev: &NetDev<Self>, rtnl: &Rtnl<'_>, rx: u32, tx: u32) -> Result {
        // The core already rejected sizes above the maximum; round the
        // rest to the powers of two the ring arithmetic needs.
        let (rx, tx) = (
            RingSize::round(rx),
            RingSize::round(tx.max(super::tx::MIN_RING)),
        );
        // If up, the new rings are allocated before the old ones go, so a
        // failure leaves the port running as it was.
        let rings = if dev.is_running() {
            Some(self.allocate_rings(dev, dev.mtu(), tx, rx)?)
        } else {
            None
        };
        // CAST: ring sizes are at most 4096.
        self.rx_ring_size.store(rx.get() as u32, Relaxed);
        self.tx_ring_size.store(tx.get() as u32, Relaxed);
        match rings {
            Some(rings) => {
                self.down(dev, rtnl);
                self.start(dev, rtnl, rings)
            }
            None => Ok(()),
        }
    }

    fn coalesce(&self) -> Coalesce {
        Coalesce {
            rx_usecs: itr::usecs_from_itr(self.itr.load(Relaxed)),
            adaptive: self.adaptive_itr.load(Relaxed) != 0,
        }
    }

    fn set_coalesce(&self, dev: &NetDev<Self>, requested: Coalesce) -> Result {
        let current = self.coalesce();
        // A new rx-usecs value is an explicit choice: it turns adaptive
        // moderation off. `adaptive-rx on` turns it back on.
        let adaptive = requested.adaptive && requested.rx_usecs == current.rx_usecs;
        let value = if adaptive {
            if current.adaptive {
                self.itr.load(Relaxed)
            } else {
                // Start over from low latency, not from a stale class. The
                // state is NAPI's (its poll state): it resets it at its next
                // poll.
                self.raise(Event::MODERATION_RESET);
                itr::Moderation::new().itr()
            }
        } else {
            let value = itr::itr_from_usecs(requested.rx_usecs);
            if itr::usecs_from_itr(value) != requested.rx_usecs {
                // Beyond the 16-bit ITR range (about 16.7 ms).
                return Err(EINVAL);
            }
            value
        };
        self.adaptive_itr.store(u32::from(adaptive), Relaxed);
        self.itr.store(value, Relaxed);
        if dev.is_running() {
            F::write_itr(&self.regs, self.irq_layout, value);
        }
        Ok(())
    }

    const STAT_NAMES: &'static [&'static CStr] = Counters::NAMES;

    fn stat_values(&self, out: &mut [u64]) {
        self.fold_device_counters();
        self.fold_tx_ring_stats();
        self.counters.values(out);
    }
}
