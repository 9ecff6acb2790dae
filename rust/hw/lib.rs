// SPDX-License-Identifier: GPL-2.0

//! sgnic's hardware layer, built as a host crate for `cargo test`.
//!
//! The kernel module includes the same files through `mod.rs`; nothing here
//! depends on the kernel, only on `core`.

#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod e1000;
pub mod igb;
pub mod itr;
pub mod net;
pub mod regs;
pub mod ring;
pub mod rx;
pub mod stats;
pub mod tso;
