// SPDX-License-Identifier: GPL-2.0

//! The 82576 family (QEMU's `igb`): its PCI driver, queue 0's registers
//! and its limits. This first step runs one queue pair on one interrupt
//! vector (MSI, else INTx); its descriptor writer is in `tx.rs`,
//! everything else the port does is shared with the 8254x.

mod tx;

use super::{
    family::Family,
    mac,
    port::Port,
    probe,
    regs::Regs,
    rx::{RxChecksum, RxFormat},
};
use crate::glue::{
    dma::DescRing,
    features,
    netdev::{self, NetDevice},
    skb::{OffloadRequest, Skb},
};
use crate::hw::{
    igb::{
        eeprom,
        irq::{eitr, Eitr, IVAR0, IVAR_MISC},
        mdic::{Bmcr, Mdic, MDIC, MII_BMCR, PHY_ADDR},
        queue::{self as q, Queue, RxSizing},
        regs::{self as r, Rctl, Rxcsum},
        rxdesc::{Checksum, RxWriteback},
        txdesc::HeaderLens,
        vectors::{Granted, VectorPlan, SINGLE_VECTOR_IMS},
    },
    itr,
    ring::RingSize,
    rx::RxDescriptor,
};
use kernel::{
    device::{Bound, Core},
    io::poll::read_poll_timeout,
    pci,
    prelude::*,
    time::Delta,
};
use tx::IgbTx;

kernel::pci_device_table!(
    IGB_PCI_TABLE,
    (),
    [(pci::DeviceId::from_id(pci::Vendor::INTEL, 0x10c9), ())]
);

/// The 82576 family.
pub(crate) struct Igb;

/// The 82576's advanced receive write-back: status and errors converted
/// to the shared completion, and its checksum verdict.
pub(crate) struct IgbRx;

impl RxFormat for IgbRx {
    #[inline(always)]
    fn completion(word: u64) -> RxDescriptor {
        RxWriteback::decode([0, word]).legacy()
    }

    #[inline]
    fn checksum(desc: &DescRing, i: u32, word: u64) -> RxChecksum {
        // The packet type (whether the frame is IPv4) is in the first
        // quadword, read only now that the status showed it written.
        match RxWriteback::decode([desc.read_info_word(i), word]).checksum() {
            Checksum::Unnecessary => RxChecksum::Verified,
            Checksum::Bad => RxChecksum::Bad,
            Checksum::None => RxChecksum::Unchecked,
        }
    }
}

/// The interrupt layout of this step: one vector, one queue pair.
fn plan() -> VectorPlan {
    // MSI and INTx give the same single-vector plan.
    VectorPlan::new(1, Granted::Msi)
}

impl Family for Igb {
    type Tx = IgbTx;
    type Rx = IgbRx;
    type RxProgram = RxSizing;

    const TDH: usize = q::tdh(Queue::ZERO);
    const TDT: usize = q::tdt(Queue::ZERO);
    const RDT: usize = q::rdt(Queue::ZERO);
    const IRQ_MASK: u32 = SINGLE_VECTOR_IMS;
    const MIN_MTU: u32 = q::MIN_MTU;
    const MAX_MTU: u32 = q::MAX_MTU;
    /// Scatter-gather with checksum offload (zero-copy sendfile), TSO over
    /// IPv4 and IPv6 segmented by the device, and receive checksum
    /// offload.
    const OFFLOADS: u64 =
        features::SG | features::HW_CSUM | features::TSO | features::TSO6 | features::RXCSUM;
    const GSO_MAX_SIZE: u32 = super::TSO_MAX_SIZE;

    fn link_up(regs: &Regs<'_>) {
        mac::set_link_up(regs);
        if r::Status(regs.read(r::STATUS)).link_up() {
            return;
        }
        // A reset leaves the 82576's link down until the PHY negotiates
        // again: restart autonegotiation through MDIC, as the C driver's
        // copper setup does. The link comes up later, with an LSC
        // interrupt.
        if let Some(write) = Mdic::write(PHY_ADDR, MII_BMCR, Bmcr::RESTART) {
            regs.write(MDIC, write);
            let done = read_poll_timeout(
                || Ok(regs.read(MDIC)),
                |mdic| mdic & (Mdic::READY | Mdic::ERROR) != 0,
                Delta::from_micros(10),
                Delta::from_millis(10),
            );
            if !matches!(done, Ok(mdic) if mdic & Mdic::ERROR == 0) {
                pr_warn!("sgnic: 82576 PHY did not take the autonegotiation restart\n");
            }
        }
    }

    fn read_permanent_address(regs: &Regs<'_>) -> Result<[u8; 6]> {
        mac::read_permanent_address(
            regs,
            |w| eeprom::eerd_start(u16::from(w)),
            eeprom::eerd_done,
        )
    }

    fn rx_program(mtu: u32) -> Result<(u32, RxSizing)> {
        let sizing = RxSizing::for_mtu(mtu).ok_or(EINVAL)?;
        Ok((sizing.buffer, sizing))
    }

    fn program_tx(regs: &Regs<'_>, addr: u64, size: RingSize) {
        let queue = Queue::ZERO;
        regs.write(q::txdctl(queue), 0);
        regs.write(q::tdbal(queue), addr as u32);
        regs.write(q::tdbah(queue), (addr >> 32) as u32);
        regs.write(q::tdlen(queue), size.bytes());
        regs.write(q::tdh(queue), 0);
        regs.write(q::tdt(queue), 0);
        regs.write(q::txdctl(queue), q::TXDCTL_ENABLE);
        // Queue 0's causes on vector 0, even without MSI-X: QEMU raises
        // TXDW only for a TX queue whose IVAR entry is valid.
        let plan = plan();
        for (n, value) in plan.ivar().into_iter().enumerate() {
            // In the BAR: IVAR0 + 4 * (0..8).
            let _ = regs.write_indexed(IVAR0 + 4 * n, value);
        }
        regs.write(IVAR_MISC, plan.ivar_misc());
        regs.write(r::TCTL, r::Tctl::full_duplex() | r::Tctl::RTLC);
    }

    fn program_rx(regs: &Regs<'_>, addr: u64, size: RingSize, sizing: RxSizing, tail: u32) {
        let queue = Queue::ZERO;
        regs.write(r::RCTL, 0);
        regs.write(q::rxdctl(queue), 0);
        regs.write(q::rdbal(queue), addr as u32);
        regs.write(q::rdbah(queue), (addr >> 32) as u32);
        regs.write(q::rdlen(queue), size.bytes());
        regs.write(q::rdh(queue), 0);
        regs.write(q::rdt(queue), 0);
        regs.write(q::srrctl(queue), sizing.srrctl);
        regs.write(r::RLPML, sizing.rlpml);
        // IPv4 header and TCP/UDP checksums verified on receipt; PCSD
        // stays clear (no RSS hash in this step).
        regs.write(r::RXCSUM, Rxcsum::IPOFLD | Rxcsum::TUOFLD);
        regs.write(q::rxdctl(queue), q::RXDCTL_ENABLE);
        // Buffer sizes come from SRRCTL (RCTL.BSIZE stays 0); long
        // packets up to RLPML.
        regs.write(r::RCTL, Rctl::EN | Rctl::BAM | Rctl::SECRC | Rctl::LPE);
        // Hand the filled buffers over last, once the ring is enabled.
        regs.write(q::rdt(queue), tail);
    }

    #[inline]
    fn write_itr(regs: &Regs<'_>, itr: u32) {
        // The vector's EITR counts microseconds; QEMU applies it with
        // MSI-X only.
        regs.write(
            eitr(crate::hw::igb::irq::Vector::ZERO),
            Eitr::from_usecs(itr::usecs_from_itr(itr)),
        );
    }

    #[inline(always)]
    fn features_check(skb: &Skb, features: u64) -> u64 {
        // The context descriptor holds MACLEN in 7 bits and IPLEN in 9
        // (`igb_features_check`): a super-frame whose headers do not fit
        // is segmented and checksummed in software. A whole frame needs
        // no check here: `start_xmit` completes in software a checksum
        // the context cannot describe.
        if !skb.is_gso() {
            return features;
        }
        if let OffloadRequest::Segmentation {
            ip_start, l4_start, ..
        } = skb.offload_request()
        {
            let fits = l4_start
                .checked_sub(ip_start)
                .and_then(|ip_len| HeaderLens::new(ip_start, ip_len))
                .is_some();
            if fits {
                return features;
            }
        }
        features & !(features::CSUM_MASK | features::GSO_MASK)
    }
}

/// The 82576 PCI driver ("sgnic_igb"), run by the glue's
/// [`netdev::PciAdapter`] like the 8254x one, with its own ID table and
/// port type.
pub(crate) struct IgbDriver;

impl netdev::PciNetDriver for IgbDriver {
    type IdInfo = ();
    type Port<'bound> = Port<'bound, Igb>;

    const NAME: &'static CStr = c"sgnic_igb";
    const ID_TABLE: pci::IdTable<Self::IdInfo> = &IGB_PCI_TABLE;
    const IRQ_NAME: &'static CStr = c"sgnic";

    fn probe<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
        _info: Option<&'bound Self::IdInfo>,
    ) -> Result<netdev::NetProbe<impl PinInit<Port<'bound, Igb>, Error> + 'bound>> {
        probe::probe::<Igb>(pdev, "82576")
    }

    fn registered(_pdev: &pci::Device<Bound>, dev: &NetDevice, port: &Port<'_, Igb>) {
        probe::registered(dev, port);
    }
}
