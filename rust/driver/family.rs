// SPDX-License-Identifier: GPL-2.0

//! What differs between the device families sgnic drives, as one trait
//! the shared port code is generic over: each family's PCI driver
//! (`e1000/`, `igb/`) names its [`Family`], and the compiler builds the
//! netdev, NAPI and ethtool callbacks once per family. Nothing in a hot
//! path looks a family up at run time.
//!
//! ```text
//!  module sgnic ─┬─ PCI driver "sgnic"     (8254x) ─► Port<E1000> ─┐
//!                └─ PCI driver "sgnic_igb" (82576) ─► Port<Igb>   ─┤
//!                                                                   │
//!   shared: port.rs ops.rs ethtool.rs mac.rs rx.rs tx.rs  ◄─────────┘
//!   per family: F::Tx (descriptor writer), F::Rx (completion decode),
//!               ring registers, EEPROM, ITR/EITR, offload limits
//! ```

use super::{port::RssConfig, regs::Regs, rx::RxFormat, tx::TxFormat};
use crate::glue::{netdev::Vectors, skb::Skb};
use crate::hw::{itr, ring::RingSize};
use kernel::prelude::*;

/// What an interrupt found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct IrqWork {
    /// The link may have changed (pair 0's poll looks).
    pub(crate) link: bool,
    /// The queue pair whose NAPI poll has work (its queue causes, or for
    /// pair 0 the link to look at).
    pub(crate) poll: Option<usize>,
}

/// A device family: its descriptor formats, registers and limits.
pub(crate) trait Family: Sized + Send + Sync + 'static {
    /// The transmit descriptor writer.
    type Tx: TxFormat;
    /// The receive completion decode.
    type Rx: RxFormat;
    /// Register values for receiving at one MTU, computed before the port
    /// goes down (so a failure changes nothing).
    type RxProgram: Copy + Send;

    /// Transmit head register of queue `queue`.
    fn tdh(queue: usize) -> usize;
    /// Transmit tail register of queue `queue`.
    fn tdt(queue: usize) -> usize;
    /// Receive tail register of queue `queue`.
    fn rdt(queue: usize) -> usize;
    /// RSS key length and redirection table entries, 0 without RSS.
    const RSS_KEY_LEN: usize;
    /// See [`Self::RSS_KEY_LEN`].
    const RSS_TABLE_LEN: usize;
    /// Most queue pairs the family runs.
    const MAX_PAIRS: usize;
    /// Queue pairs whose counters `ethtool -S` shows (0: one pair, whose
    /// counts are the port's).
    const STAT_QUEUES: usize;
    /// How the family routes causes to the interrupt vectors it was
    /// granted, decided once at probe.
    type IrqLayout: Copy + Send + Sync + 'static;
    /// How adaptive moderation sets a vector's rate from its traffic.
    const MODERATION: itr::Policy;
    /// Most MSI-X vectors the family uses (0: it never asks for MSI-X).
    const MSIX_VECTORS: u32;
    /// Smallest MTU.
    const MIN_MTU: u32;
    /// Largest MTU.
    const MAX_MTU: u32;
    /// Offloads the netdev offers (`NETIF_F_*`), all on at registration.
    const OFFLOADS: u64;
    /// The stack's starting limit for super-frames other than IPv4.
    const GSO_MAX_SIZE: u32;

    /// Brings the link up (after a reset, and at every open).
    fn link_up(regs: &Regs<'_>);

    /// Reads and validates the permanent MAC address.
    fn read_permanent_address(regs: &Regs<'_>) -> Result<[u8; 6]>;

    /// The receive buffer length (every byte the device may write into
    /// one buffer) and register values for `mtu`.
    fn rx_program(mtu: u32) -> Result<(u32, Self::RxProgram)>;

    /// The interrupt layout for the vectors granted.
    fn irq_layout(granted: Vectors) -> Self::IrqLayout;

    /// Most queue pairs the layout can serve.
    fn max_pairs(layout: Self::IrqLayout) -> usize;

    /// Routes the causes to the vectors and unmasks them (at open, once
    /// the rings are programmed).
    fn enable_irqs(regs: &Regs<'_>, layout: Self::IrqLayout);

    /// Masks every cause (before the rings go; a MAC reset follows).
    fn mask_irqs(regs: &Regs<'_>);

    /// Handles an interrupt on `vector`: reads and acknowledges its
    /// causes, masks what stays masked until the NAPI poll has run, and
    /// says what it found; `None` if it was not this device's (a shared
    /// line) or the device is gone.
    fn handle_irq(regs: &Regs<'_>, layout: Self::IrqLayout, vector: u32) -> Option<IrqWork>;

    /// Unmasks the causes of pair `queue` that its poll has dealt with;
    /// the TX completion cause only if `tx_irq` (see
    /// [`Self::TX_IRQ_ON_DEMAND`]).
    fn unmask_queue(regs: &Regs<'_>, layout: Self::IrqLayout, queue: usize, tx_irq: bool);

    /// Whether the TX completion cause has a mask bit of its own, so that
    /// it can stay masked while nothing is in flight: `start_xmit` then
    /// reclaims what the device sent before the doorbell write returned
    /// (QEMU's 8254x sends synchronously), and unmasks the cause
    /// ([`Self::set_tx_irq`]) only for frames still in flight.
    const TX_IRQ_ON_DEMAND: bool = false;

    /// Unmasks (`on`) or masks pair `queue`'s TX completion cause, where
    /// [`Self::TX_IRQ_ON_DEMAND`].
    fn set_tx_irq(_regs: &Regs<'_>, _queue: usize, _on: bool) {}

    /// Clears the causes that schedule pair `queue`'s poll, and returns
    /// once the clear has reached the device: a cause set after it raises
    /// an interrupt at the next unmask. The caller must then have the
    /// poll run (or unmask), or the work behind the cleared causes waits
    /// for an unrelated interrupt.
    fn clear_poll_causes(regs: &Regs<'_>, layout: Self::IrqLayout, queue: usize);

    /// Programs TX queue `queue` for a ring at `addr`.
    fn program_tx(regs: &Regs<'_>, queue: usize, addr: u64, size: RingSize);

    /// Enables transmit, once the TX queues are programmed.
    fn enable_tx(regs: &Regs<'_>);

    /// Stops TX queue `queue` (watchdog recovery): the device finishes
    /// the frame in progress and reads no more descriptors.
    fn stop_tx_queue(regs: &Regs<'_>, queue: usize);

    /// Restarts a stopped TX queue from an empty ring.
    fn restart_tx_queue(regs: &Regs<'_>, queue: usize);

    /// Programs RX queue `queue` for an empty ring at `addr` (the tail is
    /// written once receive is enabled).
    fn program_rx(
        regs: &Regs<'_>,
        queue: usize,
        addr: u64,
        size: RingSize,
        program: Self::RxProgram,
    );

    /// Enables receive, once the RX queues are programmed, spreading
    /// frames over them as `rss` says where the family has RSS.
    fn enable_rx(regs: &Regs<'_>, program: Self::RxProgram, rss: &RssConfig);

    /// Reprograms the RSS key and table of a running port.
    fn program_rss(regs: &Regs<'_>, rss: &RssConfig);

    /// Programs pair `queue`'s interrupt interval, `itr` in the 8254x's
    /// ITR units (256 ns), as ethtool and adaptive moderation compute it.
    fn write_itr(regs: &Regs<'_>, layout: Self::IrqLayout, queue: usize, itr: u32);

    /// Which of `features` this frame may use (`ndo_features_check`).
    fn features_check(skb: &Skb, features: u64) -> u64;

    /// Turns 802.1Q tag stripping on receive on or off (at every start,
    /// after the reset, and when `rxvlan` changes). A family that offers
    /// no VLAN offload has nothing to program.
    fn set_vlan_strip(_regs: &Regs<'_>, _strip: bool) {}

    /// The RCTL bit with which the device drops frames tagged with a VLAN
    /// its filter table lacks (0: a family without VLAN filtering, which
    /// then does not offer `HW_VLAN_CTAG_FILTER`).
    const RCTL_VLAN_FILTER: u32 = 0;

    /// Writes register `index` of the VLAN filter table.
    fn write_vlan_filter(_regs: &Regs<'_>, _index: usize, _word: u32) {}
}
