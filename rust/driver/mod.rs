// SPDX-License-Identifier: GPL-2.0

//! Driver logic: PCI probe/remove, netdev and ethtool operations.
//!
//! Everything here is safe Rust on top of [`crate::hw`] (the device's
//! register and descriptor formats) and [`crate::glue`] (the kernel APIs);
//! the compiler holds it to that.

#![deny(unsafe_code)]

mod ethtool;
mod mac;
mod ops;
mod port;
mod regs;
mod rx;
mod tx;

use crate::glue::{
    features,
    netdev::{self, NetDevice},
};
use kernel::{
    device::{Bound, Core},
    pci,
    prelude::*,
};
use port::Port;

/// The 8254x variants QEMU emulates (names as in pci.ids).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    /// 82540EM Gigabit Ethernet Controller (QEMU `e1000`).
    I82540Em,
    /// 82544GC Gigabit Ethernet Controller (Copper) (QEMU `e1000-82544gc`).
    I82544Gc,
    /// 82545EM Gigabit Ethernet Controller (Copper) (QEMU `e1000-82545em`).
    I82545Em,
}

impl Model {
    /// The controller's name as pci.ids spells it.
    pub fn name(self) -> &'static str {
        match self {
            Model::I82540Em => "82540EM",
            Model::I82544Gc => "82544GC (Copper)",
            Model::I82545Em => "82545EM (Copper)",
        }
    }
}

kernel::pci_device_table!(
    PCI_TABLE,
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

/// Offloads sgnic implements, all switchable with `ethtool -K`. Linux
/// only hands page-cache pages to a device that has both SG and checksum
/// offload: that pair is what makes sendfile zero-copy.
///
/// TSO6 is the driver's own: the 8254x has no IPv6 segmentation (the C
/// e1000 does not offer it), and QEMU's model, asked anyway, writes every
/// segment's IPv6 payload length 40 bytes too long, so the peer drops them
/// all as truncated. sgnic cuts IPv6 super-frames into segments itself
/// (`tx::TxRing::queue_segmented`): headers per segment, payload by DMA
/// from the frame's pages, each segment's checksum offloaded.
const OFFLOADS: u64 = features::SG | features::HW_CSUM | features::TSO | features::TSO6;

/// Largest TSO super-frame: the 64 KiB the stack builds by default, which
/// the descriptor budget in `tx::MAX_DESCS_PER_FRAME` is sized for.
pub(crate) const TSO_MAX_SIZE: u32 = 65536;

/// The stack's starting limit for IPv6 super-frames, which the driver
/// segments: per segment a header and a payload descriptor, so 24 KiB (18
/// segments at MSS 1428) keeps a frame within the descriptor budget of
/// `tx::can_segment`. Larger ones (after `ip link set gso_max_size`)
/// `features_check` hands to software GSO.
const GSO_IPV6_MAX_SIZE: u32 = 24576;

/// Most segments per TSO frame (64 KiB at the smallest sensible MSS).
pub(crate) const TSO_MAX_SEGS: u16 = 64;

/// The PCI driver, run by the glue's [`netdev::PciAdapter`]: one netdev
/// per bound device, owning a [`Port`].
///
/// On unbind the glue unregisters the netdev (which stops the interface),
/// frees the interrupt, then drops the port, which resets the MAC before
/// the BAR is unmapped.
pub(crate) struct SgnicDriver;

impl netdev::PciNetDriver for SgnicDriver {
    type IdInfo = Model;
    type Port<'bound> = Port<'bound>;

    const NAME: &'static CStr = c"sgnic";
    const ID_TABLE: pci::IdTable<Self::IdInfo> = &PCI_TABLE;
    const IRQ_NAME: &'static CStr = c"sgnic";

    fn probe<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
        info: Option<&'bound Self::IdInfo>,
    ) -> Result<netdev::NetProbe<impl PinInit<Port<'bound>, Error> + 'bound>> {
        let model = *info.ok_or(ENODEV)?;
        pdev.enable_device_mem()?;
        pdev.set_master();
        // DMA stays within the PCI default 32-bit mask, as the C e1000 keeps
        // it on a conventional (not PCI-X) bus.

        let bar = pdev.iomap_region_sized::<{ crate::hw::regs::BAR0_SIZE }>(0, c"sgnic")?;
        let regs = regs::Regs::new(bar);
        mac::reset(&regs);
        let mac_addr = mac::read_permanent_address(&regs).inspect_err(|e| {
            dev_err!(pdev, "EEPROM holds no usable MAC address ({:?})\n", e);
        })?;
        mac::set_link_up(&regs);

        let config = netdev::Config {
            mac: mac_addr,
            min_mtu: crate::hw::e1000::regs::MIN_MTU,
            max_mtu: crate::hw::e1000::regs::MAX_MTU,
            watchdog_ms: 5000,
            hw_features: OFFLOADS,
            features: OFFLOADS,
            tso_max_size: TSO_MAX_SIZE,
            tso_max_segs: TSO_MAX_SEGS,
            gso_max_size: GSO_IPV6_MAX_SIZE,
            unicast_filter: true,
        };
        let bound: &'bound pci::Device<Bound> = pdev;
        Ok(netdev::NetProbe {
            config,
            port: Port::new(bound, model, regs),
        })
    }

    fn registered(_pdev: &pci::Device<Bound>, dev: &NetDevice, port: &Port<'_>) {
        let mac = dev.dev_addr();
        // netdev_info's prefix names the driver, the bus address and the
        // interface.
        dev.info(format_args!(
            "Intel {}, MAC {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}\n",
            port.model.name(),
            mac[0],
            mac[1],
            mac[2],
            mac[3],
            mac[4],
            mac[5]
        ));
    }
}
