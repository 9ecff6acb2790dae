// SPDX-License-Identifier: GPL-2.0

//! sgnic: a zero-copy Rust driver for QEMU's Intel 8254x (e1000) and
//! 82576 (igb) NICs.
//!
//! The crate has three layers, each in its own directory:
//!
//! - [`hw`]: register layout, descriptor formats and ring arithmetic. Pure
//!   `no_std` Rust with no kernel dependency, unit-tested on the host.
//! - [`glue`]: small safe abstractions over the kernel's netdev, NAPI,
//!   sk_buff and streaming-DMA APIs. All `unsafe` code lives here.
//! - [`driver`]: probe/remove, the netdev and ethtool operations, TX and RX,
//!   written in safe Rust on top of the other two.
//!
//! The module registers two PCI drivers, one per family: "sgnic" for the
//! 8254x and "sgnic_igb" for the 82576.

#[path = "hw/mod.rs"]
pub mod hw;

pub mod driver;
pub mod glue;

use glue::netdev::{PciAdapter, PciNetDriver};
use kernel::{driver::Registration, pci, prelude::*};

/// The module: one PCI driver registration per device family.
#[pin_data]
struct SgnicModule {
    #[pin]
    e1000: Registration<pci::Adapter<PciAdapter<driver::E1000Driver>>>,
    #[pin]
    igb: Registration<pci::Adapter<PciAdapter<driver::IgbDriver>>>,
}

impl kernel::InPlaceModule for SgnicModule {
    fn init(module: &'static kernel::ThisModule) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            // An unknown interrupt type is refused rather than guessed at,
            // before any driver is registered.
            e1000 <- {
                if module_parameters::irq_mode.value() > 2 {
                    pr_err!("irq_mode must be 0 (MSI-X), 1 (MSI) or 2 (INTx)\n");
                    return Err(EINVAL);
                }
                Registration::new(driver::E1000Driver::NAME, module)
            },
            igb <- Registration::new(driver::IgbDriver::NAME, module),
        })
    }
}

module! {
    type: SgnicModule,
    name: "sgnic",
    authors: ["The sgnic developers"],
    description: "Zero-copy scatter-gather driver for QEMU's Intel 8254x (e1000) and 82576 (igb) NICs",
    license: "GPL",
    params: {
        irq_mode: u32 {
            default: 0,
            description: "Best interrupt type to try: 0 MSI-X (where the device has it), 1 MSI, 2 INTx",
        },
    },
}
