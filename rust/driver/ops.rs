// SPDX-License-Identifier: GPL-2.0

//! The netdev operations of a port.

use super::{
    mac,
    port::{Counters, Port},
};
use crate::glue::{
    netdev::{LinkStats, NetDevice, Operations, TxOutcome},
    skb::SkBuff,
};
use crate::hw::regs as r;
use kernel::prelude::*;

impl Operations for Port<'_> {
    fn open(&self, dev: &NetDevice) -> Result {
        mac::set_link_up(&self.regs);
        if mac::link(&self.regs).up {
            dev.carrier_on();
        } else {
            dev.carrier_off();
        }
        dev.start_queue();
        Ok(())
    }

    fn stop(&self, dev: &NetDevice) {
        dev.stop_queue();
        dev.carrier_off();
    }

    fn start_xmit(&self, _dev: &NetDevice, skb: SkBuff) -> TxOutcome {
        // No TX ring yet: the frame is dropped and counted.
        drop(skb);
        Counters::bump(&self.counters.tx_dropped);
        TxOutcome::Consumed
    }

    fn stats(&self, _dev: &NetDevice) -> LinkStats {
        LinkStats {
            tx_dropped: Counters::get(&self.counters.tx_dropped),
            ..LinkStats::default()
        }
    }

    fn tx_timeout(&self, dev: &NetDevice) {
        Counters::bump(&self.counters.tx_timeouts);
        pr_warn!("{}: TX timeout, resetting\n", dev.name());
        mac::reset(&self.regs);
        mac::set_link_up(&self.regs);
    }

    fn change_mtu(&self, dev: &NetDevice, mtu: u32) -> Result {
        dev.set_mtu(mtu);
        Ok(())
    }

    fn set_mac_address(&self, dev: &NetDevice, mac: [u8; 6]) -> Result {
        if !r::is_valid_unicast_mac(&mac) {
            return Err(EADDRNOTAVAIL);
        }
        let (ral, rah) = r::ral_rah_from_mac(&mac);
        self.regs.write_indexed(r::ral(0), ral)?;
        self.regs.write_indexed(r::rah(0), rah)?;
        dev.set_dev_addr(&mac);
        Ok(())
    }

    fn set_rx_mode(&self, _dev: &NetDevice) {}
}
