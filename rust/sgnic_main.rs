// SPDX-License-Identifier: GPL-2.0

//! sgnic: a zero-copy Rust driver for QEMU's Intel 8254x (e1000) NICs.
//!
//! The crate has three layers, each in its own directory:
//!
//! - [`hw`]: register layout, descriptor formats and ring arithmetic. Pure
//!   `no_std` Rust with no kernel dependency, unit-tested on the host.
//! - [`glue`]: small safe abstractions over the kernel's netdev, NAPI,
//!   sk_buff and streaming-DMA APIs. All `unsafe` code lives here.
//! - [`driver`]: probe/remove, the netdev and ethtool operations, TX and RX,
//!   written in safe Rust on top of the other two.

#[path = "hw/mod.rs"]
pub mod hw;

pub mod driver;
pub mod glue;

kernel::module_pci_driver! {
    type: glue::netdev::PciAdapter<driver::E1000Driver>,
    name: "sgnic",
    authors: ["The sgnic developers"],
    description: "Zero-copy scatter-gather driver for QEMU's Intel 8254x (e1000) NICs",
    license: "GPL",
}
