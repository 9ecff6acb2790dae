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

use super::{regs::Regs, rx::RxFormat, tx::TxFormat};
use crate::glue::{netdev::Vectors, skb::Skb};
use crate::hw::ring::RingSize;
use kernel::prelude::*;

/// What an interrupt found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct IrqWork {
    /// The link may have changed.
    pub(crate) link: bool,
    /// The NAPI poll has work (queue causes, or the link to look at).
    pub(crate) poll: bool,
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

    /// Transmit head and tail of queue 0.
    const TDH: usize;
    /// See [`Self::TDH`].
    const TDT: usize;
    /// Receive tail of queue 0.
    const RDT: usize;
    /// How the family routes causes to the interrupt vectors it was
    /// granted, decided once at probe.
    type IrqLayout: Copy + Send + Sync + 'static;
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

    /// Unmasks the queue causes a poll has dealt with.
    fn unmask_queue(regs: &Regs<'_>, layout: Self::IrqLayout);

    /// Programs TX queue 0 for a ring at `addr` and enables transmit.
    fn program_tx(regs: &Regs<'_>, addr: u64, size: RingSize);

    /// Programs RX queue 0 for a ring at `addr` holding buffers up to
    /// `tail`, and enables receive.
    fn program_rx(regs: &Regs<'_>, addr: u64, size: RingSize, program: Self::RxProgram, tail: u32);

    /// Programs the interrupt interval, `itr` in the 8254x's ITR units
    /// (256 ns), as ethtool and adaptive moderation compute it.
    fn write_itr(regs: &Regs<'_>, layout: Self::IrqLayout, itr: u32);

    /// Which of `features` this frame may use (`ndo_features_check`).
    fn features_check(skb: &Skb, features: u64) -> u64;

    /// Turns 802.1Q tag stripping on receive on or off (at every start,
    /// after the reset, and when `rxvlan` changes). A family that offers
    /// no VLAN offload has nothing to program.
    fn set_vlan_strip(_regs: &Regs<'_>, _strip: bool) {}
}
