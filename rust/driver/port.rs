// SPDX-License-Identifier: GPL-2.0

//! Per-port state shared by the netdev, NAPI, interrupt and ethtool paths,
//! and bringing the datapath up and down.

use super::{
    counters::counter_set,
    family::Family,
    mac,
    queue::QueuePair,
    regs::Regs,
    rx::RxRing,
    tx::{TxRing, TxStats},
};
use crate::glue::netdev::{
    AddrLists, NapiEnabled, NetDev, NetDevice, Rtnl, IFF_ALLMULTI, IFF_PROMISC, MAX_QUEUES,
};
use crate::glue::{fault::FaultPoint, features, softirq::with_bh_disabled};
use crate::hw::{
    e1000::filter::FilterPlan,
    igb::{
        flow_hash::HashFields,
        rss::{Indirection, RssKey, KEY_LEN},
        vlan::VlanFilter,
    },
    itr::{self, Moderation, Traffic},
    regs::{self as r, Rctl},
    ring::RingSize,
    stats::DeviceCounter,
};
use kernel::{
    device::Bound,
    new_mutex, new_spinlock, pci,
    prelude::*,
    sync::{
        atomic::{Atomic, Relaxed},
        Mutex, SpinLock,
    },
    time::{Instant, Monotonic},
};

counter_set! {
    /// Monotonic event counters, readable from any context. The TX
    /// ring's per-frame counts (`TxStats`) reach them only when
    /// `ethtool -S` reads them ([`Port::fold_tx_ring_stats`]) and when
    /// the ring is freed; frames and bytes received and completed once
    /// per poll; the driver's drops and errors, multicast frames, queue
    /// stops and interrupts as they happen; the device's own drop
    /// counters (`rx_missed`, `rx_no_buffer`, `rx_oversize`,
    /// `rx_undersize`) when statistics are read.
    pub(crate) struct Counters {
        /// Frames the device finished sending (TSO frames count segments).
        tx_packets,
        /// Bytes of completed frames.
        tx_bytes,
        /// Frames dropped on transmit (mapping failure, device down, reset).
        tx_dropped,
        /// Times the TX queue was stopped for lack of room.
        tx_stops,
        /// Times a stopped TX queue was restarted.
        tx_restarts,
        /// Writes of the TX tail register.
        tx_doorbells,
        /// TX descriptors used, context descriptors included.
        tx_descriptors,
        /// Context descriptors written (checksum or TSO parameters).
        tx_context_descriptors,
        /// Frames sent with TCP segmentation offload.
        tx_tso_frames,
        /// Frames whose 802.1Q tag the device inserted (82576 only).
        tx_vlan_tagged,
        /// Payload bytes DMA'd from skb linear heads.
        tx_head_bytes,
        /// Bytes of small frames copied into the ring's own buffer (TX
        /// copybreak) rather than DMA'd from the skb.
        tx_copied_bytes,
        /// Payload bytes DMA'd from skb page fragments.
        tx_frag_bytes,
        /// Of those, bytes from page-cache pages (checked per page).
        tx_pagecache_bytes,
        /// TX watchdog expiries that reset the TX ring.
        tx_timeouts,
        /// Frames passed up the stack.
        rx_packets,
        /// Bytes passed up the stack.
        rx_bytes,
        /// Multicast and broadcast frames received.
        rx_multicast,
        /// Frames dropped for lack of a replacement buffer.
        rx_alloc_failed,
        /// Frames the device flagged as bad.
        rx_errors,
        /// Frames too long for the buffer, or empty.
        rx_length_errors,
        /// Frames whose checksums the device verified (82576 only).
        rx_csum_verified,
        /// Frames in which the device found a checksum error (the stack
        /// verifies them again).
        rx_csum_errors,
        /// Frames whose 802.1Q tag the device stripped (82576 only).
        rx_vlan_stripped,
        /// Frames that spanned several buffers (dropped, each counted once).
        rx_multi_descriptor,
        /// Frames the device dropped as longer than it accepts (ROC).
        rx_oversize,
        /// Frames the device dropped as shorter than 64 bytes (RUC).
        rx_undersize,
        /// Frames the device dropped for lack of a free buffer (MPC).
        rx_missed,
        /// Times the device found no free receive buffer (RNBC).
        rx_no_buffer,
        /// Hard interrupts that were ours.
        irqs,
        /// NAPI polls.
        napi_polls,
        /// Link state changes seen.
        link_changes,
    }
}

impl Counters {
    /// Adds `n` to `counter`.
    pub(crate) fn add(counter: &Atomic<u64>, n: u64) {
        if n != 0 {
            counter.add(n, Relaxed);
        }
    }

    /// Reads `counter`.
    pub(crate) fn get(counter: &Atomic<u64>) -> u64 {
        counter.load(Relaxed)
    }
}

/// What adaptive moderation tracks between interrupts.
#[derive(Default)]
pub(crate) struct ModerationState {
    /// The classifier.
    pub(crate) model: Moderation,
    /// TX work since the last interrupt.
    pub(crate) tx: Traffic,
    /// RX work since the last interrupt.
    pub(crate) rx: Traffic,
    /// When the last interrupt's work was classified (for policies that
    /// use the time between interrupts).
    pub(crate) last: Option<Instant<Monotonic>>,
}

/// What only one pair's NAPI poll uses while the interface is up:
/// `start` hands it to the pair's NAPI context as it is enabled, `down`
/// gets it back once it is disabled, and in between each poll has it by
/// `&mut`, with no lock (`glue::netdev::Operations::PollState`).
pub(crate) struct NapiState<'bound, F: Family> {
    /// The RX ring.
    pub(crate) ring: RxRing<'bound, F::Rx>,
    /// Adaptive interrupt moderation.
    pub(crate) moderation: ModerationState,
}

/// Events that other contexts hand to a pair's NAPI poll
/// ([`QueuePair::raise`]).
pub(crate) struct Event;
impl Event {
    /// The interrupt handler saw a link change: re-read the link state
    /// (pair 0's poll).
    pub(crate) const LINK: u32 = 1 << 0;
    /// The TX watchdog fired: reset the TX ring.
    pub(crate) const TX_RESET: u32 = 1 << 1;
    /// Adaptive moderation was turned (back) on: start from low latency.
    pub(crate) const MODERATION_RESET: u32 = 1 << 2;
}

/// The device's drop-counter registers, turned into increments.
pub(crate) struct DeviceCounters {
    missed: DeviceCounter,
    no_buffer: DeviceCounter,
    oversize: DeviceCounter,
    undersize: DeviceCounter,
}

/// Frames the device dropped since the last read, by reason.
#[derive(Default)]
struct DeviceDrops {
    missed: u32,
    no_buffer: u32,
    oversize: u32,
    undersize: u32,
}

impl DeviceCounters {
    /// Starts from what the device holds now: counts left by whichever
    /// driver ran before (QEMU keeps them across resets) are not ours.
    fn new(regs: &Regs<'_>) -> Self {
        let mut this = Self {
            missed: DeviceCounter::new(),
            no_buffer: DeviceCounter::new(),
            oversize: DeviceCounter::new(),
            undersize: DeviceCounter::new(),
        };
        let _ = this.read(regs);
        this
    }

    /// Reads MPC, RNBC, ROC and RUC; returns the events new since the last
    /// read. A device that is gone (STATUS all ones) reads all ones
    /// everywhere: nothing is counted then.
    fn read(&mut self, regs: &Regs<'_>) -> DeviceDrops {
        if r::Status(regs.read(r::STATUS)).device_gone() {
            return DeviceDrops::default();
        }
        DeviceDrops {
            missed: Self::increment(&mut self.missed, || regs.read(r::MPC)),
            no_buffer: Self::increment(&mut self.no_buffer, || regs.read(r::RNBC)),
            oversize: Self::increment(&mut self.oversize, || regs.read(r::ROC)),
            undersize: Self::increment(&mut self.undersize, || regs.read(r::RUC)),
        }
    }

    /// Reads a register with `read` (twice back to back while its read
    /// behaviour is being learnt) and returns the events new since the
    /// last read.
    fn increment(counter: &mut DeviceCounter, read: impl Fn() -> u32) -> u32 {
        let first = read();
        let second = if counter.needs_second_read(first) {
            read()
        } else {
            0
        };
        counter.update(first, second)
    }
}

/// One queue pair's rings.
type PairRings<'bound, F> = (
    TxRing<'bound, <F as Family>::Tx>,
    RxRing<'bound, <F as Family>::Rx>,
);

/// Rings allocated for [`Port::start`], not yet known to the device: one
/// TX and one RX ring per queue pair, and room for what `start` hands
/// each pair's NAPI context, so that `start`, which runs after `down` on a
/// reconfiguration, allocates nothing.
pub(crate) struct Rings<'bound, F: Family> {
    pairs: KVec<PairRings<'bound, F>>,
    /// The receive registers for the buffer size.
    rx_program: F::RxProgram,
    /// Empty, with room for one poll state per pair.
    states: KVec<NapiState<'bound, F>>,
    /// Empty, with room for one NAPI token per pair.
    tokens: KVec<NapiEnabled>,
}

/// The RSS key and redirection table the device is given at every start
/// (82576 only).
#[derive(Clone, Copy)]
pub(crate) struct RssConfig {
    pub(crate) key: RssKey,
    pub(crate) table: Indirection,
    /// Whether UDP ports are hashed (`ethtool -N rx-flow-hash`).
    pub(crate) fields: HashFields,
}

/// One sgnic port: a MAC of family `F` and the netdev built on it.
#[pin_data]
pub(crate) struct Port<'bound, F: Family> {
    pub(crate) pdev: &'bound pci::Device<Bound>,
    /// The controller's name, as pci.ids spells it.
    pub(crate) name: &'static str,
    pub(crate) regs: Regs<'bound>,
    /// How causes reach the interrupt vectors granted at probe.
    pub(crate) irq_layout: F::IrqLayout,
    pub(crate) counters: Counters,
    /// The interval ethtool `rx-usecs` sets, in 256 ns units: in effect
    /// while adaptive moderation is off.
    pub(crate) itr: Atomic<u32>,
    /// Whether NAPI adapts ITR to the traffic (ethtool adaptive-rx).
    pub(crate) adaptive_itr: Atomic<u32>,
    /// Whether received frames take the device's checksum verdict
    /// (`NETIF_F_RXCSUM`, ethtool rx-checksumming).
    pub(crate) rx_checksums: Atomic<u32>,
    /// Whether the device strips 802.1Q tags (`NETIF_F_HW_VLAN_CTAG_RX`,
    /// ethtool rxvlan), programmed again at every start.
    pub(crate) rx_vlan_strip: Atomic<u32>,
    /// Whether the receive filter may write RCTL: set once `start` has
    /// enabled receive, cleared before `down` stops it, both under the
    /// address-list lock that `set_rx_filter` runs under. A filter update
    /// racing a reconfiguration (`set_rx_mode` runs without RTNL, and the
    /// interface stays IFF_UP) then neither re-enables a stopped receiver
    /// nor writes back a stale RCTL over the one `start` programmed.
    receiving: Atomic<u32>,
    /// Whether the device drops frames of VLANs not added
    /// (`NETIF_F_HW_VLAN_CTAG_FILTER`, ethtool rx-vlan-filter) while the
    /// port is not promiscuous.
    pub(crate) rx_vlan_filter: Atomic<u32>,
    /// The VLANs added (`vlan_rx_add_vid`, under RTNL), programmed again
    /// at every start. (The 82576's VFTA layout; the 8254x's is the same.)
    #[pin]
    vlan_filter: Mutex<VlanFilter>,
    /// The queues whose XPS map the driver has set (bit n: queue n), at
    /// the first `start` that runs them after they last ran (under RTNL).
    xps_spread: Atomic<u32>,
    /// MPC and RNBC as last seen (any context that reads statistics).
    #[pin]
    device_counters: SpinLock<DeviceCounters>,
    /// Ring sizes used at the next open.
    pub(crate) tx_ring_size: Atomic<u32>,
    pub(crate) rx_ring_size: Atomic<u32>,
    /// Fault injection: a failure skips a TX doorbell, so the queue stalls
    /// and the watchdog's recovery runs (`fail_sgnic_tx_doorbell-<pci>`
    /// in debugfs).
    #[pin]
    pub(crate) tx_doorbell_fault: FaultPoint,
    /// Fault injection: a failure makes `start_xmit` find nothing sent
    /// after its doorbell, as a device that sends later would, so the
    /// frames complete through the TX interrupt
    /// ([`super::family::Family::TX_IRQ_ON_DEMAND`];
    /// `fail_sgnic_tx_late_completion-<pci>`).
    #[pin]
    pub(crate) tx_late_fault: FaultPoint,
    /// The queue pairs; the first `dev.active_queues()` run while the
    /// interface is up.
    #[pin]
    pub(crate) pairs: [QueuePair<'bound, F>; MAX_QUEUES],
    /// Whether received frames carry the device's RSS hash to the stack
    /// (`NETIF_F_RXHASH`).
    pub(crate) rx_hash: Atomic<u32>,
    /// The RSS key and table (process context: open, ethtool).
    #[pin]
    pub(crate) rss: Mutex<RssConfig>,
    /// While the port is up: one NAPI context per running pair is enabled,
    /// and holds its RX ring ([`NapiState`]); `down` hands the tokens
    /// back. Taken in process context only (open, stop, reconfiguration).
    #[pin]
    napi_enabled: Mutex<KVec<NapiEnabled>>,
}

impl<'bound, F: Family> Port<'bound, F> {
    /// Creates the state of a freshly reset port.
    pub(crate) fn new(
        pdev: &'bound pci::Device<Bound>,
        name: &'static str,
        regs: Regs<'bound>,
        irq_layout: F::IrqLayout,
        rss_key: [u8; KEY_LEN],
    ) -> impl PinInit<Self, Error> + 'bound {
        let default = RingSize::DEFAULT.get() as u32;
        let rss = RssConfig {
            key: RssKey(rss_key),
            table: Indirection::spread(1).unwrap_or_else(|_| unreachable!()),
            fields: HashFields::default(),
        };
        try_pin_init!(Self {
            pdev,
            name,
            regs,
            irq_layout,
            counters: Counters::new(),
            itr: Atomic::new(itr::itr_from_usecs(itr::DEFAULT_RX_USECS)),
            adaptive_itr: Atomic::new(1),
            rx_checksums: Atomic::new(u32::from(F::OFFLOADS & features::RXCSUM != 0)),
            rx_vlan_strip: Atomic::new(u32::from(F::OFFLOADS & features::HW_VLAN_CTAG_RX != 0)),
            device_counters <- new_spinlock!(DeviceCounters::new(regs)),
            tx_ring_size: Atomic::new(default),
            rx_ring_size: Atomic::new(default),
            tx_doorbell_fault <- FaultPoint::new(fmt!(
                "fail_sgnic_tx_doorbell-{}",
                pdev.as_ref().name()
            )),
            tx_late_fault <- FaultPoint::new(fmt!(
                "fail_sgnic_tx_late_completion-{}",
                pdev.as_ref().name()
            )),
            pairs <- pin_init::pin_init_array_from_fn(|_| QueuePair::new()),
            rx_hash: Atomic::new(u32::from(F::OFFLOADS & features::RXHASH != 0)),
            rss <- new_mutex!(rss),
            napi_enabled <- new_mutex!(KVec::new()),
            xps_spread: Atomic::new(0),
            receiving: Atomic::new(0),
            rx_vlan_filter: Atomic::new(u32::from(F::OFFLOADS & features::HW_VLAN_CTAG_FILTER != 0)),
            vlan_filter <- new_mutex!(VlanFilter::new()),
        }? Error)
    }

    /// The interrupt interval a pair starts from: adaptive moderation's
    /// starting point, or the fixed `rx-usecs`.
    pub(crate) fn itr_setting(&self) -> u32 {
        if self.adaptive_itr.load(Relaxed) != 0 {
            Moderation::new().itr()
        } else {
            self.itr.load(Relaxed)
        }
    }

    /// Hands `event` to every pair's next NAPI poll (any context).
    pub(crate) fn raise_all(&self, event: u32) {
        for pair in &self.pairs {
            pair.raise(event);
        }
    }

    fn ring_size(value: &Atomic<u32>) -> RingSize {
        RingSize::new(value.load(Relaxed)).unwrap_or(RingSize::DEFAULT)
    }

    /// Allocates rings for `pairs` queue pairs, `mtu` and the given sizes,
    /// touching nothing the device or a running datapath uses: a
    /// reconfiguration allocates first and only then takes the port down,
    /// so a failure leaves it as it was.
    pub(crate) fn allocate_rings(
        &self,
        dev: &NetDevice,
        pairs: usize,
        mtu: u32,
        tx_size: RingSize,
        rx_size: RingSize,
    ) -> Result<Rings<'bound, F>> {
        if pairs == 0 || pairs > self.max_pairs() {
            return Err(EINVAL);
        }
        let device = self.pdev.as_ref();
        let (buffer_len, rx_program) = F::rx_program(mtu)?;
        let mut rings = KVec::with_capacity(pairs, GFP_KERNEL)?;
        for _ in 0..pairs {
            let tx = TxRing::new(device, tx_size)?;
            let rx = RxRing::new(device, dev, rx_size, buffer_len)?;
            rings.push((tx, rx), GFP_KERNEL)?;
        }
        Ok(Rings {
            pairs: rings,
            rx_program,
            states: KVec::with_capacity(pairs, GFP_KERNEL)?,
            tokens: KVec::with_capacity(pairs, GFP_KERNEL)?,
        })
    }

    /// Most queue pairs the port can run with the vectors it was granted.
    pub(crate) fn max_pairs(&self) -> usize {
        F::max_pairs(self.irq_layout)
            .min(F::MAX_PAIRS)
            .min(MAX_QUEUES)
    }

    /// The ring sizes the next `up` uses.
    pub(crate) fn ring_sizes(&self) -> (RingSize, RingSize) {
        (
            Self::ring_size(&self.tx_ring_size),
            Self::ring_size(&self.rx_ring_size),
        )
    }

    /// Allocates the rings, programs the device and starts the datapath.
    pub(crate) fn up(&self, dev: &NetDev<Self>, rtnl: &Rtnl<'_>) -> Result {
        let (tx_size, rx_size) = self.ring_sizes();
        let rings = self.allocate_rings(dev, dev.active_queues(), dev.mtu(), tx_size, rx_size)?;
        self.start(dev, rtnl, rings)
    }

    /// Programs the device for `rings` (one pair each, as many as the
    /// stack uses) and starts the datapath.
    pub(crate) fn start(
        &self,
        dev: &NetDev<Self>,
        rtnl: &Rtnl<'_>,
        rings: Rings<'bound, F>,
    ) -> Result {
        let Rings {
            pairs,
            rx_program,
            mut states,
            tokens,
        } = rings;
        if pairs.len() != dev.active_queues() {
            return Err(EINVAL);
        }
        // Only a stopped port starts (RTNL keeps it so until the tokens
        // are in, below).
        if !self.napi_enabled.lock().is_empty() {
            return Err(EBUSY);
        }
        F::link_up(&self.regs);
        F::set_vlan_strip(&self.regs, self.rx_vlan_strip.load(Relaxed) != 0);
        if F::RCTL_VLAN_FILTER != 0 {
            // The whole table, whatever the reset left in it (QEMU's clears
            // it; the C igb clears a real 82576's by hand).
            let filter = self.vlan_filter.lock();
            for (index, word) in filter.words().iter().enumerate() {
                F::write_vlan_filter(&self.regs, index, *word);
            }
        }
        // The RSS table follows the pair count unless the user set it
        // (the core refuses fewer pairs than a user's table names).
        let rss = {
            let mut rss = self.rss.lock();
            if !dev.rxfh_configured() || !rss.table.fits(pairs.len()) {
                rss.table = Indirection::spread(pairs.len()).map_err(|_| EINVAL)?;
            }
            *rss
        };
        // Events raised for the rings that went (a TX reset asked just
        // before `down`, say) do not apply to these.
        for pair in &self.pairs {
            pair.take_events();
        }
        let mut tails = [0u32; MAX_QUEUES];
        for (queue, (tx, rx)) in pairs.into_iter().enumerate() {
            F::program_tx(&self.regs, queue, tx.dma_address(), tx.size());
            F::program_rx(&self.regs, queue, rx.dma_address(), rx.size(), rx_program);
            tails[queue] = rx.tail();
            // The poll and start_xmit take this lock in softirq context, so
            // process context takes it with softirqs off (spin_lock_bh).
            // The ring starts empty, so its TX completion cause masked
            // (`enable_irqs`): the flag changes with the ring, under its lock.
            let pair = &self.pairs[queue];
            with_bh_disabled(|| {
                let mut ring = pair.tx.lock();
                *ring = Some(tx);
                pair.tx_irq.store(0, Relaxed);
            });
            let state = NapiState {
                ring: rx,
                moderation: ModerationState::default(),
            };
            // Cannot fail: room for every pair came with the rings.
            let _ = states.push(state, GFP_KERNEL);
        }
        F::enable_tx(&self.regs);
        F::enable_rx(&self.regs, rx_program, &rss);
        // Hand the filled buffers over last, once the rings are enabled.
        for (queue, tail) in tails.iter().enumerate().take(states.len()) {
            self.regs.write(F::rdt(queue), *tail);
        }
        if let Err(e) = self.program_address(dev) {
            self.abort_start(states);
            return Err(e);
        }
        let mut enabled = self.napi_enabled.lock();
        let count = states.len();
        // Empty (checked above); this one has room for every pair.
        *enabled = tokens;
        // Pair n's state goes to NAPI context n.
        let mut states = states.into_iter().enumerate();
        while let Some((queue, state)) = states.next() {
            match dev.napi_enable(rtnl, queue, state) {
                Ok(token) => {
                    // Cannot fail: room for every pair came with the rings.
                    let _ = enabled.push(token, GFP_KERNEL);
                }
                Err((e, state)) => {
                    // No DMA once reset: the rings may then go in any order.
                    mac::reset(&self.regs);
                    drop(state);
                    drop(states);
                    for token in enabled.drain_all() {
                        drop(dev.napi_disable(rtnl, token));
                    }
                    drop(enabled);
                    self.free_tx_rings();
                    return Err(e);
                }
            }
        }
        drop(enabled);
        dev.with_addr_lists(rtnl, |lists| {
            self.receiving.store(1, Relaxed);
            self.set_rx_filter(lists.dev(), lists);
        });

        // Each pair's moderation state starts afresh (`NapiState`), and so
        // does its EITR.
        let itr = self.itr_setting();
        for queue in 0..count {
            F::write_itr(&self.regs, self.irq_layout, queue, itr);
            // Once per queue, so that a user's XPS setting survives the
            // next open or reconfiguration. Without XPS the stack hashes
            // flows over the queues anyway.
            let bit = 1 << queue;
            if self.xps_spread.load(Relaxed) & bit == 0 && dev.spread_xps(rtnl, queue).is_ok() {
                self.xps_spread
                    .store(self.xps_spread.load(Relaxed) | bit, Relaxed);
            }
        }
        F::enable_irqs(&self.regs, self.irq_layout);
        self.update_link(dev);
        dev.start_queues();
        Ok(())
    }

    /// Sets how many pairs the stack sees (`ethtool -L`), up or down. The
    /// stack drops the XPS maps of the queues beyond a lower count
    /// (`netif_set_real_num_tx_queues`), so those are spread again at the
    /// next start that runs them.
    pub(crate) fn set_active_pairs(
        &self,
        dev: &NetDev<Self>,
        rtnl: &Rtnl<'_>,
        pairs: usize,
    ) -> Result {
        dev.set_active_queues(rtnl, pairs)?;
        // CAST: at most MAX_QUEUES.
        let kept = 1u32
            .checked_shl(pairs as u32)
            .map_or(u32::MAX, |bit| bit - 1);
        self.xps_spread
            .store(self.xps_spread.load(Relaxed) & kept, Relaxed);
        Ok(())
    }

    /// Accepts (`on`) or drops frames tagged with VLAN `vid` (under RTNL,
    /// from `vlan_rx_add_vid`/`kill_vid`); a running port's table changes
    /// at once, a stopped one's at the next start.
    pub(crate) fn set_vlan(&self, dev: &NetDev<Self>, vid: u16, on: bool) {
        const {
            assert!(
                F::OFFLOADS & features::HW_VLAN_CTAG_FILTER == 0 || F::RCTL_VLAN_FILTER != 0,
                "a family that offers VLAN filtering must say how to enable it"
            )
        };
        if F::RCTL_VLAN_FILTER == 0 {
            return;
        }
        let mut filter = self.vlan_filter.lock();
        let (index, word) = filter.set(vid, on);
        if dev.is_running() {
            F::write_vlan_filter(&self.regs, index, word);
        }
    }

    /// Undoes a `start` that failed once the device knew the rings: reset
    /// it before the rings go, as `down` does.
    fn abort_start(&self, states: KVec<NapiState<'bound, F>>) {
        mac::reset(&self.regs);
        self.free_tx_rings();
        drop(states);
    }

    /// Stops the datapath and frees the rings; the device does no DMA and
    /// raises no interrupt afterwards.
    pub(crate) fn down(&self, dev: &NetDev<Self>, rtnl: &Rtnl<'_>) {
        // From here on the receive filter leaves RCTL alone (see
        // `receiving`); one already running has finished.
        dev.with_addr_lists(rtnl, |_| self.receiving.store(0, Relaxed));
        // NAPI first: once no poll can run, none can wake a queue stopped
        // next or unmask the interrupts masked after that. This is the
        // "going down" state the C driver keeps in __E1000_DOWN. It hands
        // back the RX rings, freed below once the device is reset.
        let tokens = core::mem::take(&mut *self.napi_enabled.lock());
        let mut napi_states = KVec::new();
        if napi_states.reserve(tokens.len(), GFP_KERNEL).is_err() {
            // No room to keep the rings until the reset below: reset now,
            // so that a ring dropped as NAPI hands it back has no DMA
            // behind it.
            self.quiesce();
            mac::reset(&self.regs);
        }
        for token in tokens {
            if let Some(state) = dev.napi_disable(rtnl, token) {
                // Fails only after the reset above, dropping the ring.
                let _ = napi_states.push(state, GFP_KERNEL);
            }
        }
        dev.tx_disable(rtnl);
        // The interrupts stay registered until unbind (the glue owns them);
        // with every cause masked the device raises none.
        self.quiesce();
        dev.carrier_off();
        // The reset clears the statistics registers: keep their counts.
        self.fold_device_counters();
        // The MAC reset guarantees no DMA is in flight before unmapping.
        mac::reset(&self.regs);
        self.free_tx_rings();
        drop(napi_states);
    }

    /// Adds the device's drop counters (MPC, RNBC, ROC, RUC) to [`Counters`]; called
    /// whenever statistics are read, so no count is lost or read twice.
    pub(crate) fn fold_device_counters(&self) {
        let drops = self.device_counters.lock().read(&self.regs);
        let c = &self.counters;
        Counters::add(&c.rx_missed, u64::from(drops.missed));
        Counters::add(&c.rx_no_buffer, u64::from(drops.no_buffer));
        Counters::add(&c.rx_oversize, u64::from(drops.oversize));
        Counters::add(&c.rx_undersize, u64::from(drops.undersize));
    }

    /// Masks interrupts and stops both DMA engines.
    fn quiesce(&self) {
        F::mask_irqs(&self.regs);
        self.regs.write(r::RCTL, 0);
        self.regs.write(r::TCTL, r::Tctl::PSP);
        self.regs.flush();
    }

    /// Frees the TX rings (the device must be stopped), outside their
    /// locks.
    fn free_tx_rings(&self) {
        for pair in &self.pairs {
            let tx = with_bh_disabled(|| pair.tx.lock().take());
            if let Some(mut tx) = tx {
                Counters::add(&self.counters.tx_dropped, u64::from(tx.drop_all()));
                self.fold_tx_stats(tx.take_stats());
            }
        }
    }

    /// Adds the TX ring's event counts to [`Counters`]: for `ethtool -S`
    /// (`ndo_get_stats64` reads none of them), and before the ring is
    /// freed.
    pub(crate) fn fold_tx_ring_stats(&self) {
        for pair in &self.pairs {
            let stats = with_bh_disabled(|| {
                let mut guard = pair.tx.lock();
                Option::as_mut(&mut *guard).map(|tx| tx.take_stats())
            });
            if let Some(stats) = stats {
                self.fold_tx_stats(stats);
            }
        }
    }

    fn fold_tx_stats(&self, s: TxStats) {
        let c = &self.counters;
        Counters::add(&c.tx_descriptors, s.descriptors);
        Counters::add(&c.tx_context_descriptors, s.context_descriptors);
        Counters::add(&c.tx_tso_frames, s.tso_frames);
        Counters::add(&c.tx_vlan_tagged, s.vlan_tagged);
        Counters::add(&c.tx_head_bytes, s.head_bytes);
        Counters::add(&c.tx_copied_bytes, s.copied_bytes);
        Counters::add(&c.tx_frag_bytes, s.frag_bytes);
        Counters::add(&c.tx_pagecache_bytes, s.pagecache_bytes);
        Counters::add(&c.tx_doorbells, s.doorbells);
    }

    /// Writes the interface address into receive-address slot 0.
    pub(crate) fn program_address(&self, dev: &NetDevice) -> Result {
        let (ral, rah) = r::ral_rah_from_mac(&dev.dev_addr());
        self.regs.write_indexed(r::ral(0), ral)?;
        self.regs.write_indexed(r::rah(0), rah)
    }

    /// Programs promiscuous/all-multicast modes, the exact address slots
    /// (RA 1..15) and the multicast hash table (`hw::e1000::filter`).
    pub(crate) fn set_rx_filter(&self, dev: &NetDevice, lists: &AddrLists<'_>) {
        // Not receiving: `start` programs the filter when it enables
        // receive (the address lists are locked, so this cannot race it).
        if self.receiving.load(Relaxed) == 0 {
            return;
        }
        let flags = dev.flags();
        let mut rctl = self.regs.read(r::RCTL) & !(Rctl::UPE | Rctl::MPE | F::RCTL_VLAN_FILTER);
        if flags & IFF_PROMISC != 0 {
            // Every VLAN too, as the C igb does.
            rctl |= Rctl::UPE | Rctl::MPE;
        } else if flags & IFF_ALLMULTI != 0 {
            rctl |= Rctl::MPE;
        }
        if flags & IFF_PROMISC == 0 && self.rx_vlan_filter.load(Relaxed) != 0 {
            rctl |= F::RCTL_VLAN_FILTER;
        }
        let mut plan = FilterPlan::new(lists.unicast_count());
        lists.for_each_unicast(|mac| plan.add_unicast(mac));
        lists.for_each_multicast(|mac| plan.add_multicast(mac));
        if plan.unicast_promiscuous {
            rctl |= Rctl::UPE;
        }
        for (slot, mac) in (1..).zip(plan.slots.iter()) {
            // Invalidate first, so the slot never holds half an address.
            let _ = self.regs.write_indexed(r::rah(slot), 0);
            if let Some(mac) = mac {
                let (ral, rah) = r::ral_rah_from_mac(mac);
                let _ = self.regs.write_indexed(r::ral(slot), ral);
                let _ = self.regs.write_indexed(r::rah(slot), rah);
            }
        }
        for (i, word) in plan.mta.iter().enumerate() {
            let _ = self.regs.write_indexed(r::mta(i), *word);
        }
        self.regs.write(r::RCTL, rctl);
    }

    /// Makes the carrier follow the PHY's link state.
    /// Returns whether the carrier just came on.
    pub(crate) fn update_link(&self, dev: &NetDevice) -> bool {
        let up = mac::link(&self.regs).up;
        if up == dev.carrier_ok() {
            return false;
        }
        Counters::add(&self.counters.link_changes, 1);
        if up {
            dev.carrier_on();
        } else {
            dev.carrier_off();
        }
        up
    }
}
