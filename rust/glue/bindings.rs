// SPDX-License-Identifier: GPL-2.0

//! Bindings sgnic generates itself for the networking headers.
//!
//! `kernel::bindings` leaves `struct net_device` opaque and has no netdev,
//! NAPI or sk_buff functions. `generate-bindings.sh` runs bindgen on
//! `bindings.h` with the exact clang flags the kernel used for its own
//! bindings, so the layouts below are the kernel's.

#![allow(
    non_camel_case_types,
    non_upper_case_globals,
    non_snake_case,
    dead_code,
    missing_docs,
    unreachable_pub,
    improper_ctypes,
    unsafe_op_in_unsafe_fn,
    clippy::all,
    clippy::pedantic,
    clippy::undocumented_unsafe_blocks,
    rustdoc::all
)]

include!("../generated/net_bindings.rs");
