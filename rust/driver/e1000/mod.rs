// SPDX-License-Identifier: GPL-2.0

//! The 8254x family (QEMU's `e1000`, `e1000-82544gc`, `e1000-82545em`):
//! its PCI driver, registers and limits. Its descriptor writer is in
//! `tx.rs`; everything else the port does is shared.

mod tx;

use super::{
    family::{Family, IrqWork},
    irq, mac,
    port::{Port, RssConfig},
    probe,
    regs::Regs,
    rx::{RxFormat, RxOffloads},
};
use crate::glue::{
    dma::DescRing,
    features,
    netdev::{self, NetDevice, Vectors},
    skb::{OffloadRequest, Skb},
};
use crate::hw::{
    e1000::{
        desc::{ChecksumOffsets, TsoHeaders},
        eeprom,
        regs::{self as r, Rctl},
    },
    itr,
    net::{IpVersion, TCP_CSUM_OFFSET},
    regs::Irq,
    ring::RingSize,
    rx::RxDescriptor,
};
use kernel::{
    device::{Bound, Core},
    pci,
    prelude::*,
};
use tx::E1000Tx;

/// The 8254x variants QEMU emulates (names as in pci.ids).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Model {
    /// 82540EM Gigabit Ethernet Controller (QEMU `e1000`).
    I82540Em,
    /// 82544GC Gigabit Ethernet Controller (Copper) (QEMU `e1000-82544gc`).
    I82544Gc,
    /// 82545EM Gigabit Ethernet Controller (Copper) (QEMU `e1000-82545em`).
    I82545Em,
}

impl Model {
    /// The controller's name as pci.ids spells it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Model::I82540Em => "82540EM",
            Model::I82544Gc => "82544GC (Copper)",
            Model::I82545Em => "82545EM (Copper)",
        }
    }
}

kernel::pci_device_table!(
    E1000_PCI_TABLE,
    Model,
    [
        (
            pci::DeviceId::from_id(pci::Vendor::INTEL, 0x100e),
            Model::I82540Em
        ),
        (
            pci::DeviceId::from_id(pci::Vendor::INTEL, 0x100c),
            Model::I82544Gc
        ),
        (
            pci::DeviceId::from_id(pci::Vendor::INTEL, 0x100f),
            Model::I82545Em
        ),
    ]
);

/// The 8254x family.
pub(crate) struct E1000;

/// The 8254x's receive completion: the legacy layout, and no checksum
/// verdict (QEMU's model never gives one, and the driver asks for none).
pub(crate) struct E1000Rx;

impl RxFormat for E1000Rx {
    #[inline(always)]
    fn completion(word: u64) -> RxDescriptor {
        RxDescriptor::decode([0, word])
    }

    #[inline(always)]
    fn offloads(_desc: &DescRing, _i: u32, _word: u64, _csum: bool, _hash: bool) -> RxOffloads {
        RxOffloads::NONE
    }
}

/// The stack's starting limit for IPv6 super-frames, which the driver
/// segments: per segment a header and a payload descriptor, so 24 KiB (18
/// segments at MSS 1428) keeps a frame within the descriptor budget of
/// `tx::can_segment`. Larger ones (after `ip link set gso_max_size`)
/// `features_check` hands to software GSO.
const GSO_IPV6_MAX_SIZE: u32 = 24576;

impl Family for E1000 {
    type Tx = E1000Tx;
    type Rx = E1000Rx;
    type RxProgram = Rctl;

    // One queue pair: its registers whatever the queue.
    #[inline(always)]
    fn tdh(_queue: usize) -> usize {
        r::TDH
    }
    #[inline(always)]
    fn tdt(_queue: usize) -> usize {
        r::TDT
    }
    #[inline(always)]
    fn rdt(_queue: usize) -> usize {
        r::RDT
    }
    const RSS_KEY_LEN: usize = 0;
    const RSS_TABLE_LEN: usize = 0;
    const MAX_PAIRS: usize = 1;
    const STAT_QUEUES: usize = 0;
    type IrqLayout = ();
    // One vector for everything, as the C e1000 driver moderates it.
    const MODERATION: itr::Policy = itr::Policy::Conservative;
    const MSIX_VECTORS: u32 = 0;
    const MIN_MTU: u32 = r::MIN_MTU;
    const MAX_MTU: u32 = r::MAX_MTU;
    /// Offloads sgnic implements, all switchable with `ethtool -K`. Linux
    /// only hands page-cache pages to a device that has both SG and
    /// checksum offload: that pair is what makes sendfile zero-copy.
    ///
    /// TSO6 is the driver's own: the 8254x has no IPv6 segmentation (the
    /// C e1000 does not offer it), and QEMU's model, asked anyway, writes
    /// every segment's IPv6 payload length 40 bytes too long, so the peer
    /// drops them all as truncated. sgnic cuts IPv6 super-frames into
    /// segments itself (`tx::E1000Tx::queue_segmented`): headers per
    /// segment, payload by DMA from the frame's pages, each segment's
    /// checksum offloaded.
    const OFFLOADS: u64 = features::SG | features::HW_CSUM | features::TSO | features::TSO6;
    const GSO_MAX_SIZE: u32 = GSO_IPV6_MAX_SIZE;

    fn link_up(regs: &Regs<'_>) {
        mac::set_link_up(regs);
    }

    fn read_permanent_address(regs: &Regs<'_>) -> Result<[u8; 6]> {
        mac::read_permanent_address(regs, |w| Some(eeprom::eerd_start(w)), eeprom::eerd_done)
    }

    fn rx_program(mtu: u32) -> Result<(u32, Rctl)> {
        let sizing = r::RxSizing::for_mtu(mtu);
        let mut rctl =
            r::rctl_with_buffer_size(Rctl(Rctl::EN | Rctl::BAM | Rctl::SECRC), sizing.bsize)
                .ok_or(EINVAL)?;
        if sizing.long_packets {
            rctl.0 |= Rctl::LPE;
        }
        Ok((sizing.max_frame, rctl))
    }

    fn irq_layout(_granted: Vectors) {}

    fn max_pairs(_layout: ()) -> usize {
        1
    }

    fn enable_irqs(regs: &Regs<'_>, _layout: ()) {
        regs.write(r::IMS, r::DRIVER_IRQ_MASK);
    }

    fn mask_irqs(regs: &Regs<'_>) {
        regs.write(r::IMC, !0);
    }

    #[inline(always)]
    fn handle_irq(regs: &Regs<'_>, _layout: (), _vector: u32) -> Option<IrqWork> {
        irq::handle_icr(regs)
    }

    #[inline(always)]
    fn unmask_queue(regs: &Regs<'_>, _layout: (), _queue: usize, tx_irq: bool) {
        let tx = if tx_irq { Irq::TXDW } else { 0 };
        regs.write(r::IMS, r::DRIVER_IRQ_MASK | tx);
    }

    const TX_IRQ_ON_DEMAND: bool = true;

    #[inline]
    fn set_tx_irq(regs: &Regs<'_>, _queue: usize, on: bool) {
        regs.write(if on { r::IMS } else { r::IMC }, Irq::TXDW);
    }

    fn clear_poll_causes(regs: &Regs<'_>, _layout: (), _queue: usize) {
        irq::clear_poll_causes(regs);
    }

    fn program_tx(regs: &Regs<'_>, _queue: usize, addr: u64, size: RingSize) {
        regs.write(r::TDBAL, addr as u32);
        regs.write(r::TDBAH, (addr >> 32) as u32);
        regs.write(r::TDLEN, size.bytes());
        regs.write(r::TDH, 0);
        regs.write(r::TDT, 0);
        regs.write(r::TIPG, r::TIPG_COPPER);
        regs.write(r::TIDV, 0);
        regs.write(r::TADV, 0);
    }

    fn enable_tx(regs: &Regs<'_>) {
        regs.write(r::TCTL, r::Tctl::full_duplex() | r::Tctl::RTLC);
    }

    fn stop_tx_queue(regs: &Regs<'_>, _queue: usize) {
        regs.write(r::TCTL, r::Tctl::PSP);
        regs.flush();
    }

    fn restart_tx_queue(regs: &Regs<'_>, _queue: usize) {
        regs.write(r::TDH, 0);
        regs.write(r::TDT, 0);
        regs.write(r::TCTL, r::Tctl::full_duplex() | r::Tctl::RTLC);
    }

    fn program_rx(regs: &Regs<'_>, _queue: usize, addr: u64, size: RingSize, _rctl: Rctl) {
        regs.write(r::RCTL, 0);
        regs.write(r::RDBAL, addr as u32);
        regs.write(r::RDBAH, (addr >> 32) as u32);
        regs.write(r::RDLEN, size.bytes());
        regs.write(r::RDH, 0);
        regs.write(r::RDT, 0);
        regs.write(r::RDTR, 0);
        regs.write(r::RADV, 0);
    }

    fn enable_rx(regs: &Regs<'_>, rctl: Rctl, _rss: &RssConfig) {
        regs.write(r::RCTL, rctl.0);
    }

    fn program_rss(_regs: &Regs<'_>, _rss: &RssConfig) {}

    #[inline]
    fn write_itr(regs: &Regs<'_>, _layout: (), _queue: usize, itr: u32) {
        regs.write(r::ITR, itr);
    }

    #[inline(always)]
    fn features_check(skb: &Skb, features: u64) -> u64 {
        // The context descriptor holds header offsets in single bytes: a
        // super-frame whose offsets do not fit is segmented and checksummed
        // in software rather than described wrongly. A whole frame needs no
        // check here (this runs for every frame): `start_xmit` completes a
        // checksum it cannot offload in software, as the stack would.
        if !skb.is_gso() {
            return features;
        }
        let keep = match skb.offload_request() {
            // Never for a super-frame; should one come, software segments it.
            OffloadRequest::None | OffloadRequest::Checksum { .. } => 0,
            OffloadRequest::Segmentation {
                ipv4,
                ip_start,
                l4_start,
                segments,
                mss,
                fragments,
            } => {
                let ip = if ipv4 { IpVersion::V4 } else { IpVersion::V6 };
                if TsoHeaders::fit_any_tcp_header(ip, ip_start, l4_start)
                    && (ipv4 || tx::can_segment(l4_start, segments, mss, fragments))
                {
                    return features;
                }
                // Each software segment still gets its checksum offloaded.
                if ChecksumOffsets::new(l4_start, TCP_CSUM_OFFSET).is_some() {
                    features::CSUM_MASK
                } else {
                    0
                }
            }
            OffloadRequest::Unsupported => 0,
        };
        features & !((features::CSUM_MASK | features::GSO_MASK) & !keep)
    }
}

/// The 8254x PCI driver ("sgnic"), run by the glue's
/// [`netdev::PciAdapter`]: one netdev per bound device, owning a
/// [`Port`].
///
/// On unbind the glue unregisters the netdev (which stops the interface),
/// frees the interrupt, then drops the port, which resets the MAC before
/// the BAR is unmapped.
pub(crate) struct E1000Driver;

impl netdev::PciNetDriver for E1000Driver {
    type IdInfo = Model;
    type Port<'bound> = Port<'bound, E1000>;

    const NAME: &'static CStr = c"sgnic";
    const ID_TABLE: pci::IdTable<Self::IdInfo> = &E1000_PCI_TABLE;
    const IRQ_NAME: &'static CStr = c"sgnic";
    const MSIX_VECTORS: u32 = <E1000 as Family>::MSIX_VECTORS;
    /// The PCI default, as the C e1000 keeps it on a conventional (not
    /// PCI-X) bus, which is what QEMU's 8254x reports.
    const DMA_BITS: u32 = 32;

    fn probe<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
        info: Option<&'bound Self::IdInfo>,
        vectors: Vectors,
    ) -> Result<netdev::NetProbe<impl PinInit<Port<'bound, E1000>, Error> + 'bound>> {
        let model = *info.ok_or(ENODEV)?;
        probe::probe::<E1000>(pdev, model.name(), vectors)
    }

    fn best_vectors() -> netdev::VectorKind {
        super::best_vectors()
    }

    fn registered(_pdev: &pci::Device<Bound>, dev: &NetDevice, port: &Port<'_, E1000>) {
        probe::registered(dev, port);
    }
}
