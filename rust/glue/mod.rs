// SPDX-License-Identifier: GPL-2.0

//! Kernel glue: safe wrappers over the C networking APIs.
//!
//! This is the only layer of sgnic that contains `unsafe` code. Each
//! wrapper owns or borrows a C object in a way the type system can check,
//! so the driver logic above it is safe Rust.

pub mod bindings;
pub mod cpu;
pub mod dma;
pub mod ethtool;
pub mod fault;
pub mod features;
pub mod netdev;
pub mod skb;
pub mod softirq;
