// SPDX-License-Identifier: GPL-2.0

//! The Intel 82576 (QEMU's `-device igb`): what it does differently from
//! the 8254x the rest of this layer describes.
//!
//! - Registers: device-wide ones ([`regs`]) mostly keep the 8254x
//!   offsets and bits, re-exported from there with the 82576's additions.
//! - Per-queue register blocks ([`queue`]): 16 RX and 16 TX queues, each
//!   with its own base, length, head, tail, SRRCTL and enable bit, 0x40
//!   apart from 0xC000 (RX) and 0xE000 (TX), addressed by a checked
//!   [`queue::Queue`]. Queues 0..4 also answer at the 8254x offsets.
//! - Advanced descriptors: TX data descriptors ([`txdesc`]) name a
//!   context slot whose context descriptor carries header lengths, MSS
//!   and the VLAN tag; RX write-backs ([`rxdesc`]) carry an RSS hash and
//!   type and a packet type ([`pkt_info`]) and a 32-bit status/error word
//!   instead of a raw checksum.
//! - MSI-X ([`irq`], [`vectors`]): EICR/EIMS bits per vector, IVAR
//!   mapping each queue's cause to a vector, IVAR_MISC for link and other
//!   causes, an EITR throttle per vector.
//! - RSS ([`rss`], [`toeplitz`]): MRQC picks the hashed fields, a 40-byte
//!   key in RSSRK and a 128-entry redirection table in RETA choose the
//!   queue.
//! - VLAN filtering ([`vlan`]): a bit per VLAN ID in the VFTA, used
//!   while RCTL.VFE is set.
//! - EEPROM reads ([`eeprom`]) use an EERD layout of their own; PHY
//!   access ([`mdic`]) is the 8254x's.
//!
//! What QEMU's model implements and ignores, as read in QEMU 10.0's
//! `hw/net/igb_core.c` (register layouts from its `hw/net/igb_regs.h`);
//! every item's documentation that describes QEMU refers to that source:
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
//!   IVAR entry. It implements no EIAM auto-masking (GPIE.EIAME is
//!   ignored and an EIAM write sets the bits not written), so the vector
//!   plan masks through EIMC instead.
//! - It drops a frame longer than RLPML when RCTL.LPE is set, and
//!   appends four zero bytes of "FCS" unless RCTL.SECRC is set.
//! - Statistics: CRCERRS, MPC and RNBC are not cleared on read, and the
//!   RX path counts no drops in MPC or RQDPC.

pub mod eeprom;
pub mod flow_hash;
pub mod irq;
pub mod mdic;
pub mod pkt_info;
pub mod queue;
pub mod regs;
pub mod rss;
pub mod rxdesc;
#[cfg(test)]
mod testutil;
pub mod toeplitz;
pub mod txdesc;
pub mod vectors;
pub mod vlan;
