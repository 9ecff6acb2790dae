// SPDX-License-Identifier: GPL-2.0

//! The 82576's transmit descriptors: advanced data descriptors for every
//! frame (QEMU's model implements no legacy ones), behind an advanced
//! context descriptor for checksum offload, TSO over IPv4 and IPv6
//! (which the device segments itself) and the 802.1Q tag it inserts.

use crate::driver::tx::{FrameLayout, QueueError, Queued, TxFormat, TxRing};
use crate::glue::skb::{Offload, SkBuff, Tso as TsoRequest, VlanTag};
use crate::hw::{
    e1000::desc::MAX_TX_DESC_DATA,
    igb::txdesc::{
        tx_done, ContextSlot, Dcmd, HeaderLens, Paylen, Popts, Tso, TxContext, TxData, L4,
    },
    net::{IpVersion, TCP_CSUM_OFFSET},
    ring::RingSize,
    tso::TcpLayout,
};
use kernel::{
    device::{Bound, Device},
    prelude::*,
};

/// The 82576 descriptor format.
pub(crate) struct IgbTx;

type Ring<'a> = TxRing<'a, IgbTx>;

/// The checksum field's offset in a UDP header.
const UDP_CSUM_OFFSET: u32 = 6;

/// Shortest frame handed to the device, as the C igb driver pads
/// (`skb_put_padto(skb, 17)`): the 82576 pads short frames itself
/// (TCTL.PSP). Padding to 60 here would be wrong with checksum offload:
/// the device (and QEMU's model) takes the L4 length for the
/// pseudo-header from the frame, pad included.
const MIN_FRAME: u16 = 17;

/// What the 82576 writer keeps per ring.
///
/// # Invariants
///
/// `last_context` is what the queue's context slot 0 holds, or `None`
/// when that is not known.
pub(crate) struct IgbTxState {
    last_context: Option<TxContext>,
}

/// What one frame asks of the device, in descriptor terms.
struct FrameOffload {
    /// The context the data descriptors refer to, if any.
    context: Option<TxContext>,
    /// TSE on the data descriptors.
    tso: bool,
    /// POPTS of the first data descriptor.
    popts: u8,
    /// Bytes the device is told the frame carries: all of them, or the
    /// TCP payload of a super-frame.
    header_len: u32,
    /// Wire packets the frame becomes.
    packets: u32,
}

impl FrameOffload {
    const NONE: Self = Self {
        context: None,
        tso: false,
        popts: 0,
        header_len: 0,
        packets: 1,
    };

    /// Turns what the stack asks for into descriptor terms, preparing TSO
    /// headers. A whole frame whose checksum the context cannot describe
    /// (not TCP or UDP, or headers beyond MACLEN's and IPLEN's widths) is
    /// checksummed here in software, as the C driver does; a super-frame
    /// `features_check` should have kept from coming is dropped.
    fn for_frame(skb: &mut SkBuff) -> Result<Self, QueueError> {
        let offload = match skb.offload() {
            Ok(offload) => offload,
            Err(_) if !skb.is_gso() => return Self::in_software(skb),
            Err(_) => return Err(QueueError::Dropped),
        };
        match offload {
            Offload::None => Ok(Self::NONE),
            Offload::Checksum { start, offset } => match Self::checksum(skb, start, offset) {
                Some(context) => Ok(Self {
                    context: Some(context),
                    popts: Popts::TXSM,
                    ..Self::NONE
                }),
                None => Self::in_software(skb),
            },
            Offload::Tso(t) => Self::for_super_frame(skb, &t).ok_or(QueueError::Dropped),
        }
    }

    /// Completes a whole frame's checksum in software; it goes out as is.
    fn in_software(skb: &mut SkBuff) -> Result<Self, QueueError> {
        skb.checksum_help().map_err(|_| QueueError::Dropped)?;
        Ok(Self::NONE)
    }

    /// The context for a TCP or UDP checksum from `start`, stored `offset`
    /// bytes on (`igb_tx_csum`).
    fn checksum(skb: &SkBuff, start: u32, offset: u32) -> Option<TxContext> {
        let l4 = match offset {
            TCP_CSUM_OFFSET => L4::Tcp,
            UDP_CSUM_OFFSET => L4::Udp,
            _ => return None,
        };
        let ip_start = skb.network_offset()?;
        let lens = HeaderLens::new(ip_start, start.checked_sub(ip_start)?)?;
        Some(TxContext {
            lens,
            l4,
            ..TxContext::default()
        })
    }

    fn for_super_frame(skb: &mut SkBuff, t: &TsoRequest) -> Option<Self> {
        let ip = if t.ipv4 { IpVersion::V4 } else { IpVersion::V6 };
        let fixed = skb.writable_headers(t.l4_start.checked_add(20)?).ok()?;
        let layout = TcpLayout::new(ip, t.ip_start, t.l4_start, fixed)?;
        let frame_len = skb.len();
        let hdr_len = layout.hdr_len();
        let lens = HeaderLens::new(t.ip_start, t.l4_start.checked_sub(t.ip_start)?)?;
        let tso = Tso::new(t.mss, hdr_len.checked_sub(t.l4_start)?)?;
        let headers = skb.writable_headers(hdr_len).ok()?;
        layout.prepare_for_device(headers, frame_len)?;
        let payload = frame_len.checked_sub(hdr_len)?;
        Some(Self {
            context: Some(TxContext {
                lens,
                ipv4: t.ipv4,
                l4: L4::Tcp,
                tso: Some(tso),
                ..TxContext::default()
            }),
            tso: true,
            // The IPv4 header checksum of every segment, as `igb_tso` asks.
            popts: Popts::TXSM | if t.ipv4 { Popts::IXSM } else { 0 },
            header_len: hdr_len,
            packets: payload.div_ceil(u32::from(t.mss)),
        })
    }
}

impl TxFormat for IgbTx {
    type State = IgbTxState;

    fn new_state(_dev: &Device<Bound>, _size: RingSize) -> Result<IgbTxState> {
        Ok(IgbTxState { last_context: None })
    }

    fn forget_context(state: &mut IgbTxState) {
        state.last_context = None;
    }

    fn queue_frame(ring: &mut Ring<'_>, mut skb: SkBuff) -> Result<Queued, QueueError> {
        // The tag the stack left for the device to insert (txvlan on).
        // The stack leaves only the protocols the netdev offloads, 802.1Q
        // alone, the one VET names; anything else cannot be sent as asked.
        let tag = match skb.vlan_tag() {
            None => None,
            Some(tag) if tag.is_8021q() => Some(tag.tci),
            Some(VlanTag { .. }) => return Err(QueueError::Dropped),
        };
        let offload = FrameOffload::for_frame(&mut skb)?;
        let network_offset = skb.network_offset();
        let skb = skb.pad_to(MIN_FRAME).map_err(|_| QueueError::Dropped)?;
        // PAYLEN: the frame's bytes, or a super-frame's TCP payload.
        let paylen = skb
            .len()
            .checked_sub(offload.header_len)
            .and_then(Paylen::new)
            .ok_or(QueueError::Dropped)?;
        // What the data descriptors will read from slot 0: the offload's
        // fields, the tag, or both (the tag is 0 in a context written for
        // an untagged frame, which does not read it).
        let offloads = offload.context.is_some();
        let wanted = match (offload.context, tag) {
            (Some(context), tag) => Some(TxContext {
                vlan: tag.unwrap_or(0),
                ..context
            }),
            (None, Some(tci)) => Some(TxContext::vlan_only(tci, network_offset)),
            (None, None) => None,
        };
        // A context in slot 0 that already gives the frame what it reads
        // is not written again; a new tag is a new context.
        let last = ring.format.last_context;
        let context =
            wanted.filter(|w| !last.is_some_and(|l| l.serves(w, offloads, tag.is_some())));
        // The context goes into slot 0 now; should the frame be unwound,
        // `forget_context` clears this.
        if let Some(ctx) = context {
            ring.format.last_context = Some(ctx);
        }
        let dcmd = Dcmd::IFCS
            | if offload.tso { Dcmd::TSE } else { 0 }
            | if tag.is_some() { Dcmd::VLE } else { 0 };
        // QEMU reads these from a frame's first data descriptor only, the
        // 82576 from each.
        let popts = if offloads { offload.popts } else { 0 };
        let queued = ring.write_frame(
            skb,
            FrameLayout {
                context: context.map(|c| c.encode()),
                max_piece: MAX_TX_DESC_DATA as u32,
                encode: |addr, len| {
                    TxData {
                        buffer_addr: addr,
                        // CAST: `len <= MAX_TX_DESC_DATA`, 4096.
                        len: len as u16,
                        dcmd,
                        popts,
                        paylen,
                        slot: ContextSlot::ZERO,
                        check_context: false,
                    }
                    .encode()
                },
                close: |mut d: [u64; 2]| {
                    d[1] |= u64::from(Dcmd::EOP | Dcmd::RS) << 24;
                    d
                },
                packets: offload.packets,
                tso: offload.tso,
            },
        )?;
        Ok(Queued {
            vlan_tagged: tag.is_some(),
            ..queued
        })
    }

    #[inline]
    fn done(word: u64) -> bool {
        tx_done([0, word])
    }
}
