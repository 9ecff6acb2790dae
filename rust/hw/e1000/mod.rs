// SPDX-License-Identifier: GPL-2.0

//! The Intel 8254x (QEMU's `-device e1000`, `e1000-82544gc`,
//! `e1000-82545em`): what only this family has.
//!
//! - [`regs`]: one RX and one TX ring at fixed offsets, ITR, TIPG, the
//!   16-slot receive address array and RCTL's buffer size encoding, with
//!   the registers both families share re-exported.
//! - [`desc`]: the legacy transmit descriptor and the extended context and
//!   data descriptors, whose one-byte header offsets bound what the
//!   checksum and segmentation offloads can describe.
//! - [`eeprom`]: EERD's 8-bit word address and done bit.
//! - [`filter`]: which addresses get the 15 spare exact slots and which
//!   the multicast hash.
//!
//! The receive completion, the descriptor ring arithmetic, TSO header
//! preparation, interrupt moderation and the statistics' read semantics
//! are shared with the 82576 and live one level up.

pub mod desc;
pub mod eeprom;
pub mod filter;
pub mod regs;
