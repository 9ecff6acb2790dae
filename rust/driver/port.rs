// SPDX-License-Identifier: GPL-2.0

//! Per-port state shared by the netdev, ethtool and interrupt paths.

use super::{mac, regs::Regs, Model};
use kernel::{
    device::Bound,
    pci,
    sync::atomic::{Atomic, Relaxed},
};

/// Monotonic event counters, readable from any context.
pub(crate) struct Counters {
    /// Frames dropped on transmit.
    pub(crate) tx_dropped: Atomic<u64>,
    /// TX watchdog expiries that reset the device.
    pub(crate) tx_timeouts: Atomic<u64>,
}

impl Counters {
    /// All counters at zero.
    pub(crate) fn new() -> Self {
        Self {
            tx_dropped: Atomic::new(0),
            tx_timeouts: Atomic::new(0),
        }
    }

    /// Adds one to `counter`.
    pub(crate) fn bump(counter: &Atomic<u64>) {
        counter.add(1u64, Relaxed);
    }

    /// Reads `counter`.
    pub(crate) fn get(counter: &Atomic<u64>) -> u64 {
        counter.load(Relaxed)
    }
}

/// One sgnic port: an 8254x MAC and the netdev built on it.
pub(crate) struct Port<'bound> {
    pub(crate) pdev: &'bound pci::Device<Bound>,
    pub(crate) model: Model,
    pub(crate) regs: Regs<'bound>,
    pub(crate) counters: Counters,
    /// RX interrupt delay (ethtool rx-usecs) programmed into ITR.
    pub(crate) rx_usecs: Atomic<u32>,
}

impl<'bound> Port<'bound> {
    /// Creates the state of a freshly reset port.
    pub(crate) fn new(pdev: &'bound pci::Device<Bound>, model: Model, regs: Regs<'bound>) -> Self {
        Self {
            pdev,
            model,
            regs,
            counters: Counters::new(),
            rx_usecs: Atomic::new(crate::hw::itr::DEFAULT_RX_USECS),
        }
    }

    /// The register file.
    pub(crate) fn regs(&self) -> &Regs<'bound> {
        &self.regs
    }
}

impl Drop for Port<'_> {
    fn drop(&mut self) {
        // The netdev is already unregistered: leave the device silent (no
        // DMA, no interrupts) before its BAR is unmapped.
        mac::reset(&self.regs);
    }
}
