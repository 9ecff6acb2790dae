// SPDX-License-Identifier: GPL-2.0

//! The netdev operations of a port: open/stop, transmit, NAPI poll, the
//! interrupt handler, and the receive filter.

use super::{
    family::Family,
    mac,
    port::{Counters, Event, ModerationState, NapiState, Port},
    queue::QueuePair,
    rx::RxRing,
    tx::{QueueError, Reclaimed, TxRing, STOP_THRESHOLD},
};
use crate::glue::{
    features,
    netdev::{
        AddrLists, LinkStats, MacChange, MtuChange, Napi, NapiPoll, NetDev, NetDevice, Operations,
        QueueStats, Rtnl, TxOutcome, Xmit, XmitFrozen,
    },
    skb::{SkBuff, Skb},
};
use crate::hw::{itr::Traffic, net};
use kernel::{
    prelude::*,
    sync::atomic::Relaxed,
    time::{Instant, Monotonic},
};

/// The frames and bytes `pairs` received and completed, together.
fn sum_traffic<'a, 'bound: 'a, F: Family>(
    pairs: impl Iterator<Item = &'a QueuePair<'bound, F>>,
) -> QueueStats {
    pairs
        .map(QueuePair::traffic)
        .fold(QueueStats::default(), |sum, t| QueueStats {
            // 64-bit counts do not wrap in practice; if they did, they
            // would wrap as the counters themselves do.
            rx_packets: sum.rx_packets.wrapping_add(t.rx_packets),
            rx_bytes: sum.rx_bytes.wrapping_add(t.rx_bytes),
            tx_packets: sum.tx_packets.wrapping_add(t.tx_packets),
            tx_bytes: sum.tx_bytes.wrapping_add(t.tx_bytes),
        })
}

impl<F: Family> Port<'_, F> {
    /// The port's frames and bytes received and completed, all pairs'.
    fn port_traffic(&self) -> QueueStats {
        let c = &self.counters;
        QueueStats {
            rx_packets: Counters::get(&c.rx_packets),
            rx_bytes: Counters::get(&c.rx_bytes),
            tx_packets: Counters::get(&c.tx_packets),
            tx_bytes: Counters::get(&c.tx_bytes),
        }
    }

    /// Reclaims the polled pair's completed TX frames and restarts its
    /// queue if it was stopped for lack of room. Returns the packets and
    /// bytes completed.
    fn clean_tx(
        &self,
        dev: &NetDevice,
        poll: &NapiPoll<'_>,
        pair: &QueuePair<'_, F>,
        queue: usize,
        events: u32,
    ) -> Traffic {
        if events & Event::TX_RESET != 0 {
            // `start_xmit` rings the doorbell after releasing the ring's
            // lock, so the tail is only rewritten while no xmit can run.
            poll.with_xmit_frozen(|frozen| self.reset_tx(frozen, pair, queue));
        }
        let mut completed = Traffic::default();
        let mut guard = pair.tx.lock();
        let Some(tx) = &mut *guard else {
            return completed;
        };
        let done = tx.reclaim(poll);
        // What `start_xmit` completed since the last poll counts for
        // moderation as this poll's.
        let sent_in_xmit = if F::TX_IRQ_ON_DEMAND {
            tx.take_completed_in_xmit()
        } else {
            Traffic::default()
        };
        if F::TX_IRQ_ON_DEMAND && tx.is_empty() && pair.tx_irq.load(Relaxed) != 0 {
            // Nothing left to complete: mask the cause again.
            pair.tx_irq.store(0, Relaxed);
            F::set_tx_irq(&self.regs, queue, false);
        }
        let wake = dev.queue_stopped(queue) && tx.unused() >= tx.wake_threshold();
        // BQL's report may take the queue's xmit lock, which `start_xmit`
        // holds while it takes the ring's: not under the ring's.
        drop(guard);
        completed = sent_in_xmit;
        if done.frames > 0 {
            completed.add(Traffic {
                packets: done.packets,
                bytes: done.bytes,
            });
            self.count_completed(pair, &done);
            poll.completed_queue(done.frames, done.bytes);
        }
        if wake && dev.carrier_ok() {
            dev.wake_queue(queue);
            Counters::add(&self.counters.tx_restarts, 1);
        }
        completed
    }

    /// Counts completed frames, the port's and the pair's.
    #[inline(always)]
    fn count_completed(&self, pair: &QueuePair<'_, F>, done: &Reclaimed) {
        Counters::add(&self.counters.tx_packets, u64::from(done.packets));
        Counters::add(&self.counters.tx_bytes, u64::from(done.bytes));
        if F::STAT_QUEUES > 0 {
            Counters::add(&pair.counters.tx_packets, u64::from(done.packets));
            Counters::add(&pair.counters.tx_bytes, u64::from(done.bytes));
        }
    }

    /// Right after the doorbell ([`Family::TX_IRQ_ON_DEMAND`]): reclaims
    /// what the device has already sent, which under QEMU is everything
    /// (its 8254x transmits before the TDT write returns), so that no
    /// completion interrupt and no poll are needed for it. Frames still in
    /// flight unmask the completion cause; the poll masks it again once
    /// the ring is empty. A queue this call stopped for room restarts
    /// here if the room is back.
    #[inline(always)]
    fn complete_in_xmit(&self, dev: &NetDev<Self>, xmit: &Xmit<'_>, pair: &QueuePair<'_, F>) {
        let queue = xmit.queue();
        let mut guard = pair.tx.lock();
        let Some(tx) = &mut *guard else {
            return;
        };
        let done = if self.tx_late_fault.should_fail() {
            Reclaimed::default()
        } else {
            tx.reclaim_with(SkBuff::consume)
        };
        if done.frames > 0 {
            tx.note_completed_in_xmit(&done);
        }
        if !tx.is_empty() && pair.tx_irq.load(Relaxed) == 0 {
            pair.tx_irq.store(1, Relaxed);
            F::set_tx_irq(&self.regs, queue, true);
        }
        let wake = done.frames > 0 && xmit.queue_stopped() && tx.unused() >= tx.wake_threshold();
        drop(guard);
        if done.frames > 0 {
            self.count_completed(pair, &done);
            xmit.completed(done.frames, done.bytes);
        }
        if wake && dev.carrier_ok() {
            dev.wake_queue(queue);
            Counters::add(&self.counters.tx_restarts, 1);
        }
    }

    /// Schedules pair `queue`'s poll again, its causes cleared, if its
    /// oldest frame in flight has been sent (not while `start_xmit` holds
    /// the ring: it is not worth waiting for), at most once per
    /// interrupt: ITR moderates interrupts, and each may save at most the
    /// one that its own poll's replies raise. Out of line: its registers
    /// would cost every poll.
    #[inline(never)]
    fn poll_again(&self, dev: &NetDev<Self>, queue: usize) -> bool {
        let (Some(pair), Some(napi)) = (self.pairs.get(queue), dev.napis().get(queue)) else {
            return false;
        };
        let irqs = if F::STAT_QUEUES > 0 {
            &pair.counters.irqs
        } else {
            &self.counters.irqs
        };
        let irqs = irqs.load(Relaxed);
        if pair.repolled_at.load(Relaxed) == irqs {
            return false;
        }
        let sent = pair
            .tx
            .try_lock()
            .is_some_and(|tx| tx.as_ref().is_some_and(TxRing::oldest_done));
        if !sent {
            return false;
        }
        pair.repolled_at.store(irqs, Relaxed);
        F::clear_poll_causes(&self.regs, self.irq_layout, queue);
        // Then that poll's completion unmasks. If a poll is already
        // scheduled (it runs again), or NAPI is going off, unmask here:
        // the causes just cleared must not stay masked with no poll.
        napi.schedule()
    }

    /// Watchdog recovery: stops the pair's TX queue, drops what is in
    /// flight and restarts from an empty ring. The caller keeps
    /// `start_xmit` out.
    fn reset_tx(&self, frozen: &XmitFrozen<'_>, pair: &QueuePair<'_, F>, queue: usize) {
        let mut guard = pair.tx.lock();
        let Some(tx) = &mut *guard else {
            return;
        };
        F::stop_tx_queue(&self.regs, queue);
        // Unmap only once the device has stopped reading the ring: with
        // TCTL.EN clear it finishes the frame in progress and stops. The
        // 8254x has no TX-idle bit, so wait for the head to stop moving.
        // Still moving after the wait: leave every buffer mapped and let the
        // next watchdog tick try again.
        if !mac::tx_head_settled::<F>(&self.regs, queue) {
            frozen
                .dev()
                .warn(format_args!("TX engine still running after disable\n"));
            return;
        }
        Counters::add(&self.counters.tx_dropped, u64::from(tx.drop_all()));
        frozen.reset_queue();
        F::restart_tx_queue(&self.regs, queue);
    }

    /// Receives up to `budget` frames and gives the buffers back. Returns
    /// the descriptors consumed (NAPI work) and the packets and bytes
    /// received.
    fn clean_rx(
        &self,
        dev: &NetDevice,
        poll: &NapiPoll<'_>,
        pair: &QueuePair<'_, F>,
        queue: usize,
        rx: &mut RxRing<'_, F::Rx>,
    ) -> (u32, Traffic) {
        let c = &self.counters;
        // Not even loaded for a family without the offload.
        let checksums = F::OFFLOADS & features::RXCSUM != 0 && self.rx_checksums.load(Relaxed) != 0;
        let hash = F::OFFLOADS & features::RXHASH != 0 && self.rx_hash.load(Relaxed) != 0;
        let mut work = rx.poll(dev, poll, c, checksums, hash);
        if rx.refill(dev, Some(poll)) {
            self.regs.write(F::rdt(queue), rx.tail());
        }
        if rx.starved() {
            work.descriptors = poll.budget();
        }
        Counters::add(&c.rx_packets, u64::from(work.packets));
        Counters::add(&c.rx_bytes, u64::from(work.bytes));
        if F::STAT_QUEUES > 0 {
            Counters::add(&pair.counters.rx_packets, u64::from(work.packets));
            Counters::add(&pair.counters.rx_bytes, u64::from(work.bytes));
        }
        Counters::add(&c.rx_csum_verified, u64::from(work.csum_verified));
        Counters::add(&c.rx_vlan_stripped, u64::from(work.vlan_stripped));
        let traffic = Traffic {
            packets: work.packets,
            bytes: work.bytes,
        };
        (work.descriptors, traffic)
    }

    /// Adaptive interrupt moderation of pair `queue`'s vector: adds one
    /// poll's work and, when the poll ends an interrupt's worth of work
    /// (`last`), re-classifies all of it and reprograms ITR on a change.
    fn adapt_itr(
        &self,
        queue: usize,
        m: &mut ModerationState,
        tx: Traffic,
        rx: Traffic,
        last: bool,
    ) {
        if self.adaptive_itr.load(Relaxed) == 0 {
            return;
        }
        if !last {
            m.tx.add(tx);
            m.rx.add(rx);
            return;
        }
        // An interrupt's work usually fits one poll: nothing to add to.
        let idle = Traffic::default();
        let (tx, rx) = if m.tx == idle && m.rx == idle {
            (tx, rx)
        } else {
            let (mut all_tx, mut all_rx) = (core::mem::take(&mut m.tx), core::mem::take(&mut m.rx));
            all_tx.add(tx);
            all_rx.add(rx);
            (all_tx, all_rx)
        };
        let elapsed_ns = if F::MODERATION.uses_time() {
            let now = Instant::<Monotonic>::now();
            let elapsed = m.last.map_or(0, |last| (now - last).as_nanos());
            m.last = Some(now);
            // A clock that went backwards reads as unknown.
            u64::try_from(elapsed).unwrap_or(0)
        } else {
            0
        };
        if let Some(itr) = m.model.update(F::MODERATION, tx, rx, elapsed_ns) {
            F::write_itr(&self.regs, self.irq_layout, queue, itr);
        }
    }
}

impl<'bound, F: Family> Operations for Port<'bound, F> {
    type PollState = NapiState<'bound, F>;
    const MAX_QUEUES: usize = F::MAX_PAIRS;
    const COMPLETES_IN_XMIT: bool = F::TX_IRQ_ON_DEMAND;

    fn open(&self, dev: &NetDev<Self>, rtnl: &Rtnl<'_>) -> Result {
        self.up(dev, rtnl)
    }

    fn stop(&self, dev: &NetDev<Self>, rtnl: &Rtnl<'_>) {
        self.down(dev, rtnl);
    }

    #[inline(always)]
    fn start_xmit(&self, dev: &NetDev<Self>, xmit: &Xmit<'_>, skb: SkBuff) -> TxOutcome {
        let c = &self.counters;
        let queue = xmit.queue();
        // A queue the port does not run (the stack keeps to the ones it
        // was told of; this is a fence) drops the frame.
        let Some(pair) = self.pairs.get(queue) else {
            drop(skb);
            Counters::add(&c.tx_dropped, 1);
            return TxOutcome::Consumed;
        };
        let mut guard = pair.tx.lock();
        let Some(tx) = &mut *guard else {
            drop(guard);
            drop(skb);
            Counters::add(&c.tx_dropped, 1);
            return TxOutcome::Consumed;
        };
        let queued_bytes = tx.queue(skb);
        // Whatever happens to this frame, the frames queued before it behind
        // a deferred doorbell must not be left waiting: the doorbell rings
        // at the end of every batch.
        let (outcome, ring_now) = match queued_bytes {
            Ok(bytes) => {
                if tx.unused() < STOP_THRESHOLD {
                    xmit.stop_queue();
                    Counters::add(&c.tx_stops, 1);
                }
                // One doorbell per batch: BQL says when the batch ends.
                let ring_now = xmit.sent(bytes) || xmit.queue_stopped();
                (TxOutcome::Consumed, ring_now)
            }
            Err(QueueError::Full(skb)) => {
                // The stop threshold should prevent this; back off.
                xmit.stop_queue();
                Counters::add(&c.tx_stops, 1);
                (TxOutcome::Busy(skb), true)
            }
            Err(QueueError::Dropped) => {
                Counters::add(&c.tx_dropped, 1);
                (TxOutcome::Consumed, !xmit.more())
            }
        };
        if !ring_now || self.tx_doorbell_fault.should_fail() {
            return outcome;
        }
        tx.publish();
        tx.count_doorbell();
        let tail = tx.tail();
        // Ring the doorbell without the ring's lock: under emulation a TDT
        // write runs the device's whole transmit before it returns, and the
        // poll must not wait that long to reclaim. The stack serialises
        // `start_xmit`, so tail writes stay in order, and the only other
        // writers (open, stop, `reset_tx`) keep `start_xmit` out first.
        drop(guard);
        self.regs.write(F::tdt(queue), tail);
        if F::TX_IRQ_ON_DEMAND {
            self.complete_in_xmit(dev, xmit, pair);
        }
        outcome
    }

    fn stats(&self, _dev: &NetDev<Self>) -> LinkStats {
        self.fold_device_counters();
        let c = &self.counters;
        // As the C e1000 counts them: the device's oversize and undersize
        // drops, and here also the frames the driver found too long.
        let length_errors = Counters::get(&c.rx_length_errors)
            + Counters::get(&c.rx_multi_descriptor)
            + Counters::get(&c.rx_oversize)
            + Counters::get(&c.rx_undersize);
        // From the pairs' counters where they exist, as the per-queue
        // statistics are: one source, so a reading of these is never
        // above a later one of theirs.
        let traffic = if F::STAT_QUEUES > 0 {
            sum_traffic(self.pairs.iter())
        } else {
            self.port_traffic()
        };
        LinkStats {
            rx_packets: traffic.rx_packets,
            rx_bytes: traffic.rx_bytes,
            tx_packets: traffic.tx_packets,
            tx_bytes: traffic.tx_bytes,
            rx_dropped: Counters::get(&c.rx_alloc_failed),
            tx_dropped: Counters::get(&c.tx_dropped),
            rx_errors: Counters::get(&c.rx_errors) + length_errors,
            rx_length_errors: length_errors,
            rx_missed_errors: Counters::get(&c.rx_missed),
            multicast: Counters::get(&c.rx_multicast),
        }
    }

    fn queue_stats(&self, _dev: &NetDev<Self>, queue: usize) -> QueueStats {
        if F::STAT_QUEUES == 0 {
            // One pair, counted by the port alone.
            return if queue == 0 {
                self.port_traffic()
            } else {
                QueueStats::default()
            };
        }
        self.pairs
            .get(queue)
            .map(QueuePair::traffic)
            .unwrap_or_default()
    }

    fn base_stats(&self, dev: &NetDev<Self>) -> QueueStats {
        if F::STAT_QUEUES == 0 {
            return QueueStats::default();
        }
        // The pairs beyond the running ones keep what they counted while
        // they ran (`ethtool -L` does not reset them).
        sum_traffic(self.pairs.iter().skip(dev.active_queues()))
    }

    fn tx_timeout(&self, dev: &NetDev<Self>, queue: usize) {
        // Runs from the watchdog timer (atomic context): flag the reset and
        // let the pair's NAPI poll do it, with start_xmit kept out
        // (`reset_tx`).
        let (Some(pair), Some(napi)) = (self.pairs.get(queue), dev.napi(queue)) else {
            return;
        };
        Counters::add(&self.counters.tx_timeouts, 1);
        dev.warn(format_args!(
            "TX timeout on queue {queue}, resetting its ring\n"
        ));
        pair.raise(Event::TX_RESET);
        napi.schedule();
    }

    fn change_mtu(&self, dev: &NetDev<Self>, change: &MtuChange<'_>) -> Result {
        // RX buffers are sized for the MTU: if up, new rings are allocated
        // first, so that a failure changes nothing, then swapped in.
        if !dev.is_running() {
            change.apply();
            return Ok(());
        }
        let (tx_size, rx_size) = self.ring_sizes();
        let pairs = dev.active_queues();
        let rings = self.allocate_rings(dev, pairs, change.mtu(), tx_size, rx_size)?;
        self.down(dev, change.rtnl());
        change.apply();
        self.start(dev, change.rtnl(), rings)
    }

    fn set_mac_address(&self, dev: &NetDev<Self>, change: &MacChange<'_>) -> Result {
        if !net::is_valid_unicast_mac(&change.mac()) {
            return Err(EADDRNOTAVAIL);
        }
        change.apply();
        self.program_address(dev)
    }

    fn set_rx_mode(&self, dev: &NetDev<Self>, lists: &AddrLists<'_>) {
        self.set_rx_filter(dev, lists);
    }

    fn set_features(&self, dev: &NetDev<Self>, rtnl: &Rtnl<'_>, features: u64) -> Result {
        // TX offloads are chosen per frame from what the stack hands us, so
        // a feature change needs no device reprogramming; the receive
        // checksum verdict is taken or ignored per poll. VLAN stripping is
        // the device's (RTNL serialises this with `start`, which also
        // programs it).
        let rx = features & features::RXCSUM != 0;
        self.rx_checksums.store(u32::from(rx), Relaxed);
        let hash = features & features::RXHASH != 0;
        self.rx_hash.store(u32::from(hash), Relaxed);
        let strip = features & features::HW_VLAN_CTAG_RX != 0;
        self.rx_vlan_strip.store(u32::from(strip), Relaxed);
        F::set_vlan_strip(&self.regs, strip);
        // VLAN filtering is RCTL.VFE, which the receive filter sets (under
        // the address-list lock, with the promiscuous bits): a stopped
        // port gets it at the next start.
        let filter = u32::from(features & features::HW_VLAN_CTAG_FILTER != 0);
        if self.rx_vlan_filter.xchg(filter, Relaxed) != filter && dev.is_running() {
            dev.with_addr_lists(rtnl, |lists| self.set_rx_filter(lists.dev(), lists));
        }
        Ok(())
    }

    fn vlan_rx_add_vid(&self, dev: &NetDev<Self>, _rtnl: &Rtnl<'_>, vid: u16) -> Result {
        self.set_vlan(dev, vid, true);
        Ok(())
    }

    fn vlan_rx_kill_vid(&self, dev: &NetDev<Self>, _rtnl: &Rtnl<'_>, vid: u16) -> Result {
        self.set_vlan(dev, vid, false);
        Ok(())
    }

    #[inline(always)]
    fn features_check(&self, _dev: &NetDev<Self>, skb: &Skb, features: u64) -> u64 {
        F::features_check(skb, features)
    }

    #[inline(never)]
    fn poll(
        &self,
        dev: &NetDev<Self>,
        poll: &NapiPoll<'_>,
        state: &mut NapiState<'bound, F>,
    ) -> u32 {
        Counters::add(&self.counters.napi_polls, 1);
        let budget = poll.budget();
        // The glue gives each context the state made for it (`start`).
        // The polled pair (the glue gives each context the state made for
        // it); a single-pair family's is pair 0, which the compiler then
        // knows.
        let queue = if F::MAX_PAIRS == 1 { 0 } else { poll.queue() };
        let Some(pair) = self.pairs.get(queue) else {
            return 0;
        };
        if F::STAT_QUEUES > 0 {
            Counters::add(&pair.counters.napi_polls, 1);
        }
        let events = pair.take_events();
        // The link first: reclaim restarts a stopped queue only with the
        // carrier on, so a queue stopped across a flap wakes in this poll,
        // not at the next interrupt (or the watchdog).
        // When the link comes back, every other running pair's poll runs
        // too: its reclaim restarts its queue if it was stopped and has
        // room, which its last completion may have found with the carrier
        // off.
        if events & Event::LINK != 0 && self.update_link(dev) {
            for napi in dev.napis().iter().take(dev.active_queues()).skip(1) {
                napi.schedule();
            }
        }
        let tx = self.clean_tx(dev, poll, pair, queue, events);
        if events & Event::MODERATION_RESET != 0 {
            state.moderation = ModerationState::default();
            F::write_itr(&self.regs, self.irq_layout, queue, self.itr_setting());
        }
        let (work, rx) = self.clean_rx(dev, poll, pair, queue, &mut state.ring);
        // Under budget, this poll ends the interrupt's work (unless NAPI is
        // rescheduled, in which case the next interrupt's starts early: a
        // harmless shift for a classifier of load). A poll run again
        // without an interrupt (`poll_again`) is judged as one: telling
        // it apart here costs every poll (its flag kept live across the
        // poll), and it moves no rate (see `datapath.md`).
        self.adapt_itr(queue, &mut state.moderation, tx, rx, work < budget);
        work
    }

    fn poll_complete(&self, dev: &NetDev<Self>, queue: usize, work: u32) {
        // The NAPI core hands what GRO held up the stack as it completes
        // the poll, and the stack answers some of it there: a receiver's
        // ACKs, or the data a sender's ACKs released. A device that has
        // already sent those set their completion cause while masked, and
        // unmasking would take that interrupt at once; polling again
        // without one is cheaper. Only after received frames (completions
        // alone send nothing) and with bytes in flight.
        let Some(pair) = self.pairs.get(queue) else {
            return;
        };
        // Where the TX completion cause is unmasked on demand, the flag
        // says whether frames were left in flight after their doorbell.
        let tx_irq = pair.tx_irq.load(Relaxed) != 0;
        let in_flight = if F::TX_IRQ_ON_DEMAND {
            tx_irq
        } else {
            dev.bql_in_flight(queue)
        };
        if work > 0 && in_flight && self.poll_again(dev, queue) {
            return;
        }
        F::unmask_queue(&self.regs, self.irq_layout, queue, tx_irq);
    }

    fn interrupt(&self, vector: u32, napis: &[Napi]) -> bool {
        let Some(work) = F::handle_irq(&self.regs, self.irq_layout, vector) else {
            return false;
        };
        Counters::add(&self.counters.irqs, 1);
        if work.link {
            self.pairs[0].raise(Event::LINK);
        }
        if let Some(queue) = work.poll {
            if F::STAT_QUEUES > 0 {
                if let Some(pair) = self.pairs.get(queue) {
                    Counters::add(&pair.counters.irqs, 1);
                }
            }
            if let Some(napi) = napis.get(queue) {
                napi.schedule();
            }
        }
        true
    }
}
