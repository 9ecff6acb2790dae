// SPDX-License-Identifier: GPL-2.0

//! Driver logic: PCI probe/remove, netdev and ethtool operations.
//!
//! Everything here is safe Rust on top of [`crate::hw`] (the device's
//! register and descriptor formats) and [`crate::glue`] (the kernel APIs);
//! the compiler holds it to that.
//!
//! Two PCI drivers share it, one per device family: `e1000/` (the 8254x)
//! and `igb/` (the 82576). Each names its [`family::Family`], and the
//! port, its rings and its callbacks are generic over it (`family.rs`
//! has the picture).

#![deny(unsafe_code)]

mod counters;
mod e1000;
mod ethtool;
mod family;
mod igb;
mod irq;
mod mac;
mod ops;
mod port;
mod probe;
mod queue;
mod regs;
mod rx;
mod tx;

pub(crate) use e1000::E1000Driver;
pub(crate) use igb::IgbDriver;

/// Largest TSO super-frame: the 64 KiB the stack builds by default, which
/// the descriptor budget in `tx::MAX_DESCS_PER_FRAME` is sized for.
pub(crate) const TSO_MAX_SIZE: u32 = 65536;

/// Most segments per TSO frame (64 KiB at the smallest sensible MSS).
pub(crate) const TSO_MAX_SEGS: u16 = 64;

/// The best interrupt type a probe tries, from the `irq_mode` module
/// parameter (0 MSI-X, 1 MSI, 2 INTx): lowering it tests the fallbacks.
fn best_vectors() -> crate::glue::netdev::VectorKind {
    use crate::glue::netdev::VectorKind;
    match crate::module_parameters::irq_mode.value() {
        0 => VectorKind::MsiX,
        1 => VectorKind::Msi,
        // 2; the module refuses to load with anything above.
        _ => VectorKind::Intx,
    }
}
