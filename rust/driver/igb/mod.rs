// SPDX-License-Identifier: GPL-2.0

//! The 82576 family (QEMU's `igb`): its PCI driver, its per-queue
//! registers, interrupt vectors, RSS and limits. It runs up to 8 queue
//! pairs on MSI-X (one on MSI or INTx); its descriptor writer is in
//! `tx.rs`, everything else the port does is shared with the 8254x.

mod tx;

use super::{
    family::{Family, IrqWork},
    irq, mac,
    port::{Port, RssConfig},
    probe,
    regs::Regs,
    rx::{RxChecksum, RxFormat, RxOffloads},
};
use crate::glue::{
    dma::DescRing,
    features,
    netdev::{self, NetDevice, VectorKind, Vectors},
    skb::{OffloadRequest, Skb},
};
use crate::hw::{
    igb::{
        eeprom,
        irq::{
            eitr, Eitr, Irq as IgbIrq, EIAC, EICR, EIMC, EIMS, GPIE, ICR, IMC, IMS, IVAR0,
            IVAR_MISC,
        },
        mdic::{Bmcr, Mdic, MDIC, MII_BMCR, PHY_ADDR},
        pkt_info::HashType,
        queue::{self as q, Queue, RxSizing},
        regs::{self as r, Rctl, Rxcsum},
        rss,
        rxdesc::{Checksum, RxWriteback},
        txdesc::HeaderLens,
        vectors::{Granted, Mode, VectorPlan, MAX_QUEUE_PAIRS, OTHER_VECTOR},
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
    fn offloads(desc: &DescRing, i: u32, word: u64, checksums: bool, hash: bool) -> RxOffloads {
        // The packet type (whether the frame is IPv4) and the RSS hash
        // are in the first quadword, read only now that the status showed
        // it written.
        let wb = RxWriteback::decode([desc.read_info_word(i), word]);
        let checksum = match wb.checksum() {
            Checksum::Unnecessary if checksums => RxChecksum::Verified,
            Checksum::Bad if checksums => RxChecksum::Bad,
            _ => RxChecksum::Unchecked,
        };
        let hash = if hash {
            wb.rss_hash().map(|(h, t)| (h, t == HashType::L4))
        } else {
            None
        };
        RxOffloads { checksum, hash }
    }

    #[inline(always)]
    fn vlan_tag(word: u64) -> Option<u16> {
        // VP and the tag are in the second quadword, on the EOP
        // descriptor the caller has validated.
        RxWriteback::decode([0, word]).vlan_tag()
    }
}

/// Most queue pairs: the 82576 spreads RSS over 8 RX queues, and a
/// netdev has at most `MAX_QUEUES` pairs.
const MAX_PAIRS: usize = MAX_QUEUE_PAIRS;
const _: () = assert!(MAX_PAIRS <= netdev::MAX_QUEUES && MAX_PAIRS <= rss::MAX_QUEUES);

/// Queue `queue` of the 82576's, or queue 0 for an index beyond them (a
/// caller's bug, which then touches a real queue's registers, never a
/// stray offset).
#[inline(always)]
fn queue(queue: usize) -> Queue {
    Queue::new(queue).unwrap_or(Queue::ZERO)
}

/// The names of the interrupt vectors in `/proc/interrupts`: vector 0
/// takes everything with one vector, the link and other causes with
/// MSI-X; vector `n + 1` queue pair `n`.
const IRQ_NAMES: [&CStr; 9] = [
    c"sgnic",
    c"sgnic-q0",
    c"sgnic-q1",
    c"sgnic-q2",
    c"sgnic-q3",
    c"sgnic-q4",
    c"sgnic-q5",
    c"sgnic-q6",
    c"sgnic-q7",
];

impl Family for Igb {
    type Tx = IgbTx;
    type Rx = IgbRx;
    type RxProgram = RxSizing;

    #[inline(always)]
    fn tdh(n: usize) -> usize {
        q::tdh(queue(n))
    }
    #[inline(always)]
    fn tdt(n: usize) -> usize {
        q::tdt(queue(n))
    }
    #[inline(always)]
    fn rdt(n: usize) -> usize {
        q::rdt(queue(n))
    }
    const RSS_KEY_LEN: usize = rss::KEY_LEN;
    const RSS_TABLE_LEN: usize = rss::RETA_ENTRIES;
    const MAX_PAIRS: usize = MAX_PAIRS;
    const STAT_QUEUES: usize = MAX_PAIRS;
    type IrqLayout = VectorPlan;
    // A TX and an RX queue share each vector (with MSI or INTx, one
    // vector takes everything: the same reasoning holds).
    const MODERATION: itr::Policy = itr::Policy::ReceiveLed;
    // One per queue pair and one for the other causes
    // (`VectorPlan::msix_request`). CAST: at most 9.
    const MSIX_VECTORS: u32 = MAX_PAIRS as u32 + 1;
    const MIN_MTU: u32 = q::MIN_MTU;
    const MAX_MTU: u32 = q::MAX_MTU;
    /// Scatter-gather with checksum offload (zero-copy sendfile), TSO over
    /// IPv4 and IPv6 segmented by the device, receive checksum offload,
    /// the RSS hash, and 802.1Q tag insertion, stripping and filtering.
    const OFFLOADS: u64 = features::SG
        | features::HW_CSUM
        | features::TSO
        | features::TSO6
        | features::RXCSUM
        | features::RXHASH
        | features::VLAN_CTAG;
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

    fn irq_layout(granted: Vectors) -> VectorPlan {
        let granted = match granted.kind() {
            // CAST: a count of vectors, at most MSIX_VECTORS.
            VectorKind::MsiX => Granted::MsiX(granted.count() as usize),
            VectorKind::Msi => Granted::Msi,
            VectorKind::Intx => Granted::Intx,
        };
        VectorPlan::new(MAX_PAIRS, granted)
    }

    fn max_pairs(plan: VectorPlan) -> usize {
        plan.pairs()
    }

    fn enable_irqs(regs: &Regs<'_>, plan: VectorPlan) {
        // GPIE before IVAR, EIAC and EIMS.
        regs.write(GPIE, plan.gpie());
        // Queue 0's causes on its vector, even without MSI-X: QEMU raises
        // TXDW only for a TX queue whose IVAR entry is valid.
        for (n, value) in plan.ivar().into_iter().enumerate() {
            // In the BAR: IVAR0 + 4 * (0..8).
            let _ = regs.write_indexed(IVAR0 + 4 * n, value);
        }
        regs.write(IVAR_MISC, plan.ivar_misc());
        if plan.mode() == Mode::MsiX {
            // A vector's EICR bit clears when its message goes out (EIAC):
            // QEMU sends one only when the bit goes from 0 to 1.
            regs.write(EIAC, plan.eims_enable_mask());
            regs.write(EIMS, plan.eims_enable_mask());
        }
        regs.write(IMS, plan.ims());
    }

    fn mask_irqs(regs: &Regs<'_>) {
        regs.write(IMC, !0);
        regs.write(EIMC, !0);
    }

    #[inline(always)]
    fn handle_irq(regs: &Regs<'_>, plan: VectorPlan, vector: u32) -> Option<IrqWork> {
        if plan.mode() == Mode::Single {
            return irq::handle_icr(regs);
        }
        // CAST: u32 to usize, lossless here.
        if vector as usize == OTHER_VECTOR.index() {
            // With GPIE.NSICR the read clears ICR. An MSI-X vector is not
            // shared: whatever it found, the interrupt was this device's.
            let icr = regs.read(ICR);
            let link = icr != !0 && icr & IgbIrq::LSC != 0;
            // Pair 0's poll looks at the link.
            return Some(IrqWork {
                link,
                poll: link.then_some(0),
            });
        }
        // Vector n + 1 serves pair n: masked until its poll has run.
        // CAST: u32 to usize, lossless here.
        let pair = Queue::new((vector as usize).checked_sub(1)?)?;
        if plan.pair_vector(pair).map(|v| v.index()) != Some(vector as usize) {
            return None;
        }
        regs.write(EIMC, plan.pair_eims(pair));
        Some(IrqWork {
            link: false,
            poll: Some(pair.index()),
        })
    }

    #[inline(always)]
    fn unmask_queue(regs: &Regs<'_>, plan: VectorPlan, n: usize, _tx_irq: bool) {
        match plan.mode() {
            Mode::MsiX => regs.write(EIMS, plan.pair_eims(queue(n))),
            Mode::Single => regs.write(IMS, plan.ims()),
        }
    }

    fn clear_poll_causes(regs: &Regs<'_>, plan: VectorPlan, n: usize) {
        match plan.mode() {
            Mode::MsiX => {
                // Not `queue(n)`: its fallback would clear pair 0's cause.
                let Some(pair) = Queue::new(n) else {
                    return;
                };
                // The pair's vector bit stands for both its queues, and
                // the poll that follows serves both.
                regs.write(EICR, plan.pair_eims(pair));
                regs.flush();
            }
            Mode::Single => irq::clear_poll_causes(regs),
        }
    }

    fn program_tx(regs: &Regs<'_>, n: usize, addr: u64, size: RingSize) {
        let queue = queue(n);
        regs.write(q::txdctl(queue), 0);
        regs.write(q::tdbal(queue), addr as u32);
        regs.write(q::tdbah(queue), (addr >> 32) as u32);
        regs.write(q::tdlen(queue), size.bytes());
        regs.write(q::tdh(queue), 0);
        regs.write(q::tdt(queue), 0);
        regs.write(q::txdctl(queue), q::TXDCTL_ENABLE);
    }

    fn enable_tx(regs: &Regs<'_>) {
        regs.write(r::TCTL, r::Tctl::full_duplex() | r::Tctl::RTLC);
    }

    fn stop_tx_queue(regs: &Regs<'_>, n: usize) {
        regs.write(q::txdctl(queue(n)), 0);
        regs.flush();
    }

    fn restart_tx_queue(regs: &Regs<'_>, n: usize) {
        let queue = queue(n);
        regs.write(q::tdh(queue), 0);
        regs.write(q::tdt(queue), 0);
        regs.write(q::txdctl(queue), q::TXDCTL_ENABLE);
    }

    fn program_rx(regs: &Regs<'_>, n: usize, addr: u64, size: RingSize, sizing: RxSizing) {
        let queue = queue(n);
        regs.write(q::rxdctl(queue), 0);
        regs.write(q::rdbal(queue), addr as u32);
        regs.write(q::rdbah(queue), (addr >> 32) as u32);
        regs.write(q::rdlen(queue), size.bytes());
        regs.write(q::rdh(queue), 0);
        regs.write(q::rdt(queue), 0);
        regs.write(q::srrctl(queue), sizing.srrctl);
        regs.write(q::rxdctl(queue), q::RXDCTL_ENABLE);
    }

    fn enable_rx(regs: &Regs<'_>, sizing: RxSizing, rss: &RssConfig) {
        regs.write(r::RLPML, sizing.rlpml);
        // IPv4 header and TCP/UDP checksums verified on receipt; PCSD puts
        // the RSS hash into the write-back (RSS needs it, in QEMU too).
        regs.write(r::RXCSUM, Rxcsum::IPOFLD | Rxcsum::TUOFLD | Rxcsum::PCSD);
        Self::program_rss(regs, rss);
        // Buffer sizes come from SRRCTL (RCTL.BSIZE stays 0); long
        // packets up to RLPML.
        regs.write(r::RCTL, Rctl::EN | Rctl::BAM | Rctl::SECRC | Rctl::LPE);
    }

    fn program_rss(regs: &Regs<'_>, rss: &RssConfig) {
        for (offset, value) in rss.key.registers() {
            let _ = regs.write_indexed(offset, value);
        }
        for (offset, value) in rss.table.registers() {
            let _ = regs.write_indexed(offset, value);
        }
        regs.write(rss::MRQC, rss.fields.mrqc());
    }

    #[inline]
    fn write_itr(regs: &Regs<'_>, plan: VectorPlan, n: usize, itr: u32) {
        // The pair's vector's EITR counts microseconds; QEMU applies it
        // with MSI-X only.
        let vector = plan
            .pair_vector(queue(n))
            .unwrap_or(crate::hw::igb::irq::Vector::ZERO);
        regs.write(eitr(vector), Eitr::from_usecs(itr::usecs_from_itr(itr)));
    }

    const RCTL_VLAN_FILTER: u32 = r::RCTL_VFE;

    fn write_vlan_filter(regs: &Regs<'_>, index: usize, word: u32) {
        if let Some(offset) = r::vfta(index) {
            let _ = regs.write_indexed(offset, word);
        }
    }

    fn set_vlan_strip(regs: &Regs<'_>, strip: bool) {
        // The tag protocol the device recognises, as `igb_reset` writes
        // it (the reset value on the 82576 and in QEMU too).
        regs.write(r::VET, r::VET_8021Q);
        let ctrl = regs.read(r::CTRL) & !r::CTRL_VME;
        regs.write(r::CTRL, if strip { ctrl | r::CTRL_VME } else { ctrl });
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
    const MSIX_VECTORS: u32 = <Igb as Family>::MSIX_VECTORS;
    /// Descriptors and ring bases hold 64-bit addresses, as the C igb
    /// uses them.
    const DMA_BITS: u32 = 64;

    fn probe<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
        _info: Option<&'bound Self::IdInfo>,
        vectors: Vectors,
    ) -> Result<netdev::NetProbe<impl PinInit<Port<'bound, Igb>, Error> + 'bound>> {
        probe::probe::<Igb>(pdev, "82576", vectors)
    }

    fn best_vectors() -> VectorKind {
        super::best_vectors()
    }

    fn irq_name(vector: u32) -> &'static CStr {
        // CAST: a vector number, below MSIX_VECTORS.
        IRQ_NAMES.get(vector as usize).copied().unwrap_or(c"sgnic")
    }

    fn vector_queue(vector: u32) -> Option<u32> {
        // Vector 0 takes the other causes (or everything, alone).
        vector.checked_sub(1)
    }

    fn registered(_pdev: &pci::Device<Bound>, dev: &NetDevice, port: &Port<'_, Igb>) {
        probe::registered(dev, port);
    }
}
