// SPDX-License-Identifier: GPL-2.0

//! The Intel 82576 (QEMU's `-device igb`): what it does differently from
//! the 8254x the rest of this layer describes.
//!
//! - Advanced descriptors: TX data descriptors ([`txdesc`]) name a
//!   context slot whose context descriptor carries header lengths, MSS
//!   and the VLAN tag; RX write-backs ([`rxdesc`]) carry an RSS hash and
//!   type, a packet type and a 32-bit status/error word instead of a raw
//!   checksum.
//! - Per-queue register blocks ([`regs`]): 16 RX and 16 TX queues, each
//!   with its own base, length, head, tail, SRRCTL and enable bit, 0x40
//!   apart from 0xC000 (RX) and 0xE000 (TX). Queues 0..4 also answer at
//!   the 8254x offsets. Registers shared with the 8254x keep its offsets.
//! - MSI-X ([`vectors`]): EICR/EIMS bits per vector, IVAR mapping each
//!   queue's cause to a vector, IVAR_MISC for link and other causes, an
//!   EITR throttle per vector.
//! - RSS ([`rss`]): MRQC picks the hashed fields, a 40-byte key in RSSRK
//!   and a 128-entry redirection table in RETA choose the queue.
//!
//! What QEMU's model implements and ignores, as read in `hw/net/igb_core.c`
//! (each item's documentation has the details):
//!
//! - It writes advanced RX descriptors whatever SRRCTL.DESCTYPE says, and
//!   ignores the RXDCTL/TXDCTL thresholds: every descriptor is written
//!   back at once.
//! - It computes RSS only with MRQC = RSS and RXCSUM.PCSD both set, hashes
//!   TCP/IPv6 under MRQC's TCP_IPV6_EX bit, and uses RETA entry bits 3:0.
//! - On TX it takes offload flags and the context slot from a frame's
//!   first data descriptor, the MSS and VLAN tag from the context, and
//!   parses the headers itself: MACLEN, IPLEN, L4LEN and PAYLEN are
//!   ignored, and IDX is one bit (two slots).
//! - It raises TXDW, even without MSI-X, only for a TX queue with a valid
//!   IVAR entry, and never auto-masks EIMS through EIAM.
//! - It drops a frame longer than RLPML when RCTL.LPE is set, and
//!   appends four zero bytes of "FCS" unless RCTL.SECRC is set.
//! - Statistics: CRCERRS, MPC and RNBC are not cleared on read, and the
//!   RX path counts no drops in MPC or RQDPC.

pub mod regs;
pub mod rss;
pub mod rxdesc;
pub mod txdesc;
pub mod vectors;
