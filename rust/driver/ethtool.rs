// SPDX-License-Identifier: GPL-2.0

//! The ethtool operations of a port.

use super::{
    family::Family,
    mac,
    port::{Counters, Event, Port},
    queue::QueueCounters,
};
use crate::glue::{
    ethtool::{Channels, Coalesce, DriverInfo, LinkSettings, Operations, RingParams},
    netdev::{NetDev, Rtnl},
    softirq::with_bh_disabled,
};
use crate::hw::{
    igb::rss::{Indirection, RssKey, KEY_LEN, RETA_ENTRIES},
    itr,
    ring::RingSize,
};
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
            Some(self.allocate_rings(dev, dev.active_queues(), dev.mtu(), tx, rx)?)
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
            self.itr.load(Relaxed)
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
            // Each pair's poll is the only writer of its EITR while the
            // port runs (adaptive moderation writes it there): it starts
            // over from this setting at its next poll, run now.
            self.raise_all(Event::MODERATION_RESET);
            let napis = dev.napis();
            let running = &napis[..dev.active_queues().min(napis.len())];
            // With softirqs off, so that the polls run when they come back
            // on rather than at some later interrupt.
            with_bh_disabled(|| {
                for napi in running {
                    napi.schedule();
                }
            });
        }
        Ok(())
    }

    const STAT_NAMES: &'static [&'static CStr] = Counters::NAMES;
    const QUEUE_STAT_NAMES: &'static [&'static CStr] = QueueCounters::NAMES;
    const STAT_QUEUES: usize = F::STAT_QUEUES;

    fn stat_values(&self, out: &mut [u64]) {
        self.fold_device_counters();
        self.fold_tx_ring_stats();
        let (port, queues) = out.split_at_mut(Counters::NAMES.len().min(out.len()));
        self.counters.values(port);
        for (pair, out) in self
            .pairs
            .iter()
            .zip(queues.chunks_mut(QueueCounters::NAMES.len()))
        {
            pair.counters.values(out);
        }
    }

    fn channels(&self, dev: &NetDev<Self>) -> Channels {
        // CAST: both at most MAX_QUEUES.
        Channels {
            max_combined: self.max_pairs() as u32,
            combined: dev.active_queues() as u32,
        }
    }

    fn set_channels(&self, dev: &NetDev<Self>, rtnl: &Rtnl<'_>, combined: u32) -> Result {
        // CAST: u32 to usize, lossless here.
        let pairs = combined as usize;
        if pairs == 0 || pairs > self.max_pairs() {
            return Err(EINVAL);
        }
        if pairs == dev.active_queues() {
            return Ok(());
        }
        if !dev.is_running() {
            self.set_active_pairs(dev, rtnl, pairs)?;
            // `ethtool -x` shows the table the next start programs.
            let mut rss = self.rss.lock();
            if !dev.rxfh_configured() || !rss.table.fits(pairs) {
                rss.table = Indirection::spread(pairs).map_err(|_| EINVAL)?;
            }
            return Ok(());
        }
        // New rings first, so that a failure leaves the port as it was;
        // the frames in flight on the old queues are dropped with them.
        let (tx, rx) = self.ring_sizes();
        let rings = self.allocate_rings(dev, pairs, dev.mtu(), tx, rx)?;
        self.down(dev, rtnl);
        if let Err(e) = self.set_active_pairs(dev, rtnl, pairs) {
            // The old count stands: bring the port back up with it.
            drop(rings);
            self.up(dev, rtnl)?;
            return Err(e);
        }
        self.start(dev, rtnl, rings)
    }

    const RSS_KEY_LEN: usize = F::RSS_KEY_LEN;
    const RSS_TABLE_LEN: usize = F::RSS_TABLE_LEN;

    fn rss(&self, key: &mut [u8], table: &mut [u32]) {
        let rss = *self.rss.lock();
        for (dst, src) in key.iter_mut().zip(rss.key.0) {
            *dst = src;
        }
        for (dst, src) in table.iter_mut().zip(rss.table.entries()) {
            *dst = u32::from(*src);
        }
    }

    fn set_rss(&self, dev: &NetDev<Self>, key: Option<&[u8]>, table: Option<&[u32]>) -> Result {
        if F::RSS_TABLE_LEN == 0 {
            return Err(EOPNOTSUPP);
        }
        let mut rss = self.rss.lock();
        let mut next = *rss;
        if let Some(key) = key {
            let key: [u8; KEY_LEN] = key.try_into().map_err(|_| EINVAL)?;
            next.key = RssKey(key);
        }
        if let Some(table) = table {
            if table.len() != RETA_ENTRIES {
                return Err(EINVAL);
            }
            next.table = Indirection::from_user(table, dev.active_queues()).map_err(|_| EINVAL)?;
        }
        *rss = next;
        // A running port takes it now; a stopped one at its next start.
        if dev.is_running() {
            F::program_rss(&self.regs, &next);
        }
        Ok(())
    }

    fn rss_hash_fields(&self, flow_type: u32) -> Result<u32> {
        if F::RSS_TABLE_LEN == 0 {
            return Err(EOPNOTSUPP);
        }
        self.rss.lock().fields.get(flow_type).ok_or(EINVAL)
    }

    fn set_rss_hash_fields(&self, dev: &NetDev<Self>, flow_type: u32, fields: u32) -> Result {
        if F::RSS_TABLE_LEN == 0 {
            return Err(EOPNOTSUPP);
        }
        let mut rss = self.rss.lock();
        let next = rss.fields.with(flow_type, fields).ok_or(EINVAL)?;
        if next == rss.fields {
            return Ok(());
        }
        rss.fields = next;
        if dev.is_running() {
            F::program_rss(&self.regs, &rss);
        }
        Ok(())
    }
}
