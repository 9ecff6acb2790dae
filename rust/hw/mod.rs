// SPDX-License-Identifier: GPL-2.0

//! The hardware layer: registers, descriptor formats and ring index
//! arithmetic, one module per device family (`e1000/`, `igb/`) over what
//! both share. Pure `core` Rust, unit-tested on the host (`lib.rs` is the
//! host crate root for the same files).

#![forbid(unsafe_code)]

pub mod e1000;
pub mod igb;
pub mod itr;
pub mod net;
pub mod regs;
pub mod ring;
pub mod rx;
pub mod stats;
pub mod tso;
