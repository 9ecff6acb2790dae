// SPDX-License-Identifier: GPL-2.0

//! One queue pair of a port: its TX ring, shared by `start_xmit` on the
//! pair's TX queue and the pair's NAPI poll; the events other contexts
//! hand that poll; and the pair's counters.
//!
//! ```text
//!  TX queue n ── start_xmit ──► QueuePair n .tx ◄── reclaim ── NAPI n ◄── vector n+1
//!  RX queue n ─────────────────────────────────────── RxRing (NAPI n's state)
//! ```

use super::{counters::counter_set, family::Family, tx::TxRing};
use crate::glue::netdev::QueueStats;
use kernel::{
    new_spinlock,
    prelude::*,
    sync::{
        atomic::{Acquire, Atomic, Relaxed, Release},
        SpinLock,
    },
};

counter_set! {
    /// One pair's counters, each written by the pair's own NAPI poll or
    /// interrupt (and the completions by its `start_xmit`, where the
    /// family completes there), so their adds are rarely contended.
    pub(crate) struct QueueCounters {
        /// Frames received on the pair's RX queue.
        rx_packets,
        /// Their bytes.
        rx_bytes,
        /// Frames completed on the pair's TX queue (TSO frames count segments).
        tx_packets,
        /// Their bytes.
        tx_bytes,
        /// Interrupts that scheduled the pair's NAPI context.
        irqs,
        /// Polls of the pair's NAPI context.
        napi_polls,
    }
}

/// One queue pair.
#[pin_data]
pub(crate) struct QueuePair<'bound, F: Family> {
    /// The TX ring while the pair runs (its xmit and its NAPI poll).
    #[pin]
    pub(crate) tx: SpinLock<Option<TxRing<'bound, F::Tx>>>,
    /// [`super::port::Event`] bits for the pair's next NAPI poll (one
    /// load per poll).
    events: Atomic<u32>,
    /// The interrupt count (the pair's, or the port's for a single pair)
    /// when the pair's poll last ran again without one
    /// (`Port::poll_again`): once per interrupt.
    pub(crate) repolled_at: Atomic<u64>,
    /// Whether the pair's TX completion cause is unmasked
    /// ([`Family::TX_IRQ_ON_DEMAND`]): changed, with the mask, only under
    /// `tx`'s lock, so that it and the mask agree whenever the lock is
    /// free; read without it where the poll unmasks.
    pub(crate) tx_irq: Atomic<u32>,
    pub(crate) counters: QueueCounters,
}

impl<F: Family> QueuePair<'_, F> {
    /// A pair with no ring.
    pub(crate) fn new() -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            tx <- new_spinlock!(None),
            events: Atomic::new(0),
            repolled_at: Atomic::new(0),
            tx_irq: Atomic::new(0),
            counters: QueueCounters::new(),
        }? Error)
    }

    /// The frames and bytes the pair received and completed.
    pub(crate) fn traffic(&self) -> QueueStats {
        let c = &self.counters;
        QueueStats {
            rx_packets: c.rx_packets.load(Relaxed),
            rx_bytes: c.rx_bytes.load(Relaxed),
            tx_packets: c.tx_packets.load(Relaxed),
            tx_bytes: c.tx_bytes.load(Relaxed),
        }
    }

    /// Hands `event` to the pair's next NAPI poll (any context).
    pub(crate) fn raise(&self, event: u32) {
        let mut old = self.events.load(Relaxed);
        // Release: what the raiser stored first (a new ITR setting, say)
        // is seen by the poll that takes the event.
        while let Err(current) = self.events.cmpxchg(old, old | event, Release) {
            old = current;
        }
    }

    /// Takes every pending event (the pair's NAPI poll): a plain load when
    /// there are none, which is almost always.
    pub(crate) fn take_events(&self) -> u32 {
        if self.events.load(Relaxed) == 0 {
            return 0;
        }
        self.events.xchg(0, Acquire)
    }
}
