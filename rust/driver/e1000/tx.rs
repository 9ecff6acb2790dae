// SPDX-License-Identifier: GPL-2.0

//! The 8254x's transmit descriptors: legacy descriptors for plain frames,
//! extended data descriptors behind a context descriptor for checksum
//! offload and IPv4 TSO, and the driver's own segmentation of IPv6
//! super-frames, which the 8254x cannot segment.

use crate::driver::tx::{
    FrameLayout, QueueError, Queued, TxFormat, TxRing, SEGMENTED_FRAME_BUDGET,
};
use crate::glue::{
    dma::{MappedSkb, SlotBuffer},
    skb::{Offload, SkBuff, Tso, MAX_FRAGS},
};
use crate::hw::{
    e1000::desc::{
        tx_done, ChecksumOffsets, ContextDescriptor, Popts, TsoHeaders, TxCmd, TxDataTemplate,
        MAX_TX_DESC_DATA,
    },
    net::{IpVersion, MIN_TX_FRAME, TCP_CSUM_OFFSET, TCP_MAX_HEADER},
    ring::RingSize,
    tso::{Pieces, TcpLayout},
};
use kernel::{
    device::{Bound, Device},
    prelude::*,
};

/// The 8254x descriptor format.
pub(crate) struct E1000Tx;

type Ring<'a> = TxRing<'a, E1000Tx>;

/// What the 8254x writer keeps per ring.
///
/// # Invariants
///
/// - `last_context` is the checksum context the device last read, or
///   `None` when that is not known.
/// - Header slot `k` serves descriptors `2k` and `2k + 1`, of which at
///   most one is a header descriptor (a header is always followed by its
///   payload), and is rewritten only when no descriptor in flight refers
///   to it.
pub(crate) struct E1000TxState {
    /// The checksum context in effect on the device, so identical ones
    /// can be skipped.
    last_context: Option<ChecksumOffsets>,
    /// One header slot per two descriptors, for driver-built segments.
    headers: SlotBuffer,
}

/// Whether the driver segments an IPv6 super-frame with its TCP header at
/// `l4_start`, `segments` segments of `mss` bytes and `fragments` page
/// fragments: its headers fit a header slot whatever its TCP options, and
/// its descriptors (a context, per segment a header and at least one
/// payload piece, one more per buffer boundary and per 4 KiB) fit one
/// worst-case frame's budget. Anything else the stack segments.
pub(crate) fn can_segment(l4_start: u32, segments: u32, mss: u16, fragments: u32) -> bool {
    let per_segment = 2 + u32::from(mss) / MAX_TX_DESC_DATA as u32;
    let descriptors = u64::from(segments) * u64::from(per_segment) + u64::from(fragments) + 2;
    l4_start.saturating_add(TCP_MAX_HEADER) <= SEGMENT_HEADER_MAX
        && descriptors <= u64::from(SEGMENTED_FRAME_BUDGET)
}

/// Bytes of headers each driver-built segment may have (one slot of the
/// header buffer per descriptor).
pub(crate) const SEGMENT_HEADER_MAX: u32 = 128;

/// What the device does to one frame, in the terms of its descriptors.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TxOffload {
    /// Send as is (legacy descriptors).
    None,
    /// Insert the L4 checksum.
    Checksum(ChecksumOffsets),
    /// Segment: the TSO context, and what it means for the data descriptors.
    Tso {
        context: ContextDescriptor,
        ipv4: bool,
        segments: u32,
    },
    /// Segment in the driver (IPv6, which the 8254x cannot): headers per
    /// segment from the header slots, payload straight from the frame's
    /// buffers, the checksum of each segment offloaded.
    Segment(Segmenting),
}

/// A super-frame the driver segments.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Segmenting {
    layout: TcpLayout,
    checksum: ChecksumOffsets,
    mss: u16,
    segments: u32,
    payload: u32,
}

impl TxOffload {
    /// Turns what the stack asks for into descriptor terms, preparing TSO
    /// headers. A whole frame whose checksum a context descriptor cannot
    /// describe is checksummed here in software, as the stack would (which
    /// is why `features_check` looks only at super-frames). Super-frames
    /// whose offsets do not fit never reach here (`features_check` sends
    /// them through software GSO); should one arrive anyway it is dropped,
    /// but no descriptor is ever built from truncated offsets.
    fn for_frame(skb: &mut SkBuff) -> Result<Self, QueueError> {
        let offload = match skb.offload() {
            Ok(offload) => offload,
            Err(_) if !skb.is_gso() => return Self::in_software(skb),
            Err(_) => return Err(QueueError::Dropped),
        };
        match offload {
            Offload::None => Ok(Self::None),
            Offload::Checksum { start, offset } => match ChecksumOffsets::new(start, offset) {
                Some(at) => Ok(Self::Checksum(at)),
                None => Self::in_software(skb),
            },
            Offload::Tso(t) => Self::for_super_frame(skb, &t).ok_or(QueueError::Dropped),
        }
    }

    /// Completes a whole frame's checksum in software; it goes out as is.
    fn in_software(skb: &mut SkBuff) -> Result<Self, QueueError> {
        skb.checksum_help().map_err(|_| QueueError::Dropped)?;
        Ok(Self::None)
    }

    fn for_super_frame(skb: &mut SkBuff, t: &Tso) -> Option<Self> {
        let ip = if t.ipv4 { IpVersion::V4 } else { IpVersion::V6 };
        let fixed = skb.writable_headers(t.l4_start.checked_add(20)?).ok()?;
        let layout = TcpLayout::new(ip, t.ip_start, t.l4_start, fixed)?;
        let frame_len = skb.len();
        let headers = skb.writable_headers(layout.hdr_len()).ok()?;
        layout.prepare_for_device(headers, frame_len)?;
        let payload = frame_len.checked_sub(layout.hdr_len())?;
        let segments = payload.div_ceil(u32::from(t.mss));
        if t.ipv4 {
            let h = TsoHeaders::new(ip, t.ip_start, t.l4_start, layout.hdr_len())?;
            return Some(Self::Tso {
                context: ContextDescriptor::tso(&h, t.mss, payload)?,
                ipv4: true,
                segments,
            });
        }
        if layout.hdr_len() > SEGMENT_HEADER_MAX {
            return None;
        }
        Some(Self::Segment(Segmenting {
            layout,
            checksum: ChecksumOffsets::new(t.l4_start, TCP_CSUM_OFFSET)?,
            mss: t.mss,
            segments,
            payload,
        }))
    }
}

impl TxFormat for E1000Tx {
    type State = E1000TxState;

    fn new_state(dev: &Device<Bound>, size: RingSize) -> Result<E1000TxState> {
        // A header descriptor is always followed by a payload one, so
        // descriptors 2k and 2k + 1 never both hold a header: they share
        // slot k.
        let headers = SlotBuffer::new(dev, size.get() / 2, SEGMENT_HEADER_MAX as usize)?;
        Ok(E1000TxState {
            last_context: None,
            headers,
        })
    }

    fn forget_context(state: &mut E1000TxState) {
        state.last_context = None;
    }

    fn queue_frame(ring: &mut Ring<'_>, skb: SkBuff) -> Result<Queued, QueueError> {
        Self::queue_one(ring, skb)
    }

    #[inline]
    fn done(word: u64) -> bool {
        tx_done([0, word])
    }
}

impl E1000Tx {
    fn queue_one(ring: &mut Ring<'_>, mut skb: SkBuff) -> Result<Queued, QueueError> {
        let offload = TxOffload::for_frame(&mut skb)?;
        // Padded only now: a checksum completed in software above covers
        // the frame as the stack built it.
        // CAST: MIN_TX_FRAME is 60.
        let skb = skb
            .pad_to(MIN_TX_FRAME as u16)
            .map_err(|_| QueueError::Dropped)?;
        if let TxOffload::Segment(seg) = offload {
            return Self::queue_segmented(ring, skb, seg);
        }
        let context = Self::context_for(&mut ring.format, offload);
        let (template, packets) = match offload {
            TxOffload::None | TxOffload::Segment(_) => (TxDataTemplate::legacy(TxCmd::IFCS), 1),
            TxOffload::Checksum(_) => (TxDataTemplate::extended(TxCmd::IFCS, Popts::TXSM), 1),
            TxOffload::Tso { ipv4, segments, .. } => {
                let popts = Popts::TXSM | if ipv4 { Popts::IXSM } else { 0 };
                let dcmd = TxCmd::IFCS | TxCmd::TSE;
                (TxDataTemplate::extended(dcmd, popts), segments)
            }
        };
        ring.write_frame(
            skb,
            FrameLayout {
                context: context.map(|c| c.encode()),
                max_piece: MAX_TX_DESC_DATA as u32,
                // CAST: pieces are at most MAX_TX_DESC_DATA, 4096 bytes.
                encode: |addr, piece| template.descriptor(addr, piece as u16),
                close: |d| TxDataTemplate::with_cmd(d, TxCmd::EOP | TxCmd::RS),
                packets,
                tso: matches!(offload, TxOffload::Tso { .. }),
            },
        )
    }

    /// Queues an IPv6 super-frame as the segments the device would have
    /// made: per segment a header descriptor (from the header slots) and
    /// the descriptors of its payload, mapped once and referenced in place.
    fn queue_segmented(
        ring: &mut Ring<'_>,
        mut skb: SkBuff,
        seg: Segmenting,
    ) -> Result<Queued, QueueError> {
        let hdr_len = seg.layout.hdr_len();
        // The payload's buffers: the head past the headers, then the frags.
        let mut lens = [0u32; 1 + MAX_FRAGS];
        lens[0] = skb.headlen().saturating_sub(hdr_len);
        let mut buffers = 1;
        for (len, frag) in lens[1..].iter_mut().zip(skb.frags()) {
            *len = frag.len();
            buffers += 1;
        }
        let pieces = || {
            Pieces::new(
                lens[..buffers].iter().copied(),
                u64::from(seg.payload),
                u32::from(seg.mss),
                MAX_TX_DESC_DATA as u32,
            )
        };
        // The buffers must hold exactly the payload, or a segment would
        // end without EOP and the device would run it into the next frame.
        let held: u64 = lens[..buffers].iter().map(|&l| u64::from(l)).sum();
        // CAST: a count of pieces of a 64 KiB frame.
        let needed = 1 + u64::from(seg.segments) + pieces().count() as u64;
        if held != u64::from(seg.payload) || needed > u64::from(ring.cursor.unused()) {
            return Err(QueueError::Dropped);
        }
        let mut template = [0u8; SEGMENT_HEADER_MAX as usize];
        let Some(template) = template.get_mut(..hdr_len as usize) else {
            return Err(QueueError::Dropped);
        };
        match skb.writable_headers(hdr_len) {
            Ok(h) => template.copy_from_slice(h),
            Err(_) => return Err(QueueError::Dropped),
        }
        // Mapped once, whole; segments refer to the buffers in place.
        let first = ring.cursor.next_to_use();
        let mut next = first;
        let mut out = Queued {
            tso: true,
            ..Queued::default()
        };
        // The payload's buffers, as `lens` counts them.
        let mut addrs = [0u64; 1 + MAX_FRAGS];
        {
            let Ok(frame) =
                MappedSkb::map_into(&mut ring.slots[first as usize].frame, ring.dev, skb)
            else {
                return Err(QueueError::Dropped);
            };
            out.bytes = frame.skb().len();
            Ring::count_buffers(frame, &mut out);
            addrs[0] = frame.head().addr + u64::from(hdr_len);
            for (i, addr) in addrs[1..buffers].iter_mut().enumerate() {
                *addr = frame.frag(i).addr;
            }
        }

        if let Some(ctx) = Self::context_for(&mut ring.format, TxOffload::Checksum(seg.checksum)) {
            ring.desc.write(next, ctx.encode());
            next = ring.cursor.wrap(next + 1);
            out.context = true;
        }
        let data = TxDataTemplate::extended(TxCmd::IFCS, Popts::TXSM);
        let mss = u32::from(seg.mss);
        let mut header = [0u8; SEGMENT_HEADER_MAX as usize];
        // The newest payload descriptor, written again with RS once it is
        // known to be the frame's last.
        let mut last: Option<(u32, [u64; 2])> = None;
        let mut segment = u32::MAX;
        for piece in pieces() {
            if piece.segment != segment {
                segment = piece.segment;
                let payload = (seg.payload - segment * mss).min(mss);
                let addr = seg
                    .layout
                    .ipv6_segment(
                        template,
                        &mut header,
                        segment,
                        seg.segments,
                        seg.mss,
                        payload,
                    )
                    .and_then(|()| {
                        ring.format
                            .headers
                            .fill(next as usize / 2, &header[..hdr_len as usize])
                            .ok()
                    });
                let Some(addr) = addr else {
                    return Err(ring.unwind_frame(first));
                };
                // CAST: `hdr_len <= SEGMENT_HEADER_MAX`, 128.
                ring.desc.write(next, data.descriptor(addr, hdr_len as u16));
                next = ring.cursor.wrap(next + 1);
            }
            let end = if piece.ends_segment { TxCmd::EOP } else { 0 };
            // CAST: pieces are at most MAX_TX_DESC_DATA, 4096 bytes.
            let d = data.descriptor(
                addrs[piece.buffer] + u64::from(piece.offset),
                piece.len as u16,
            );
            let d = TxDataTemplate::with_cmd(d, end);
            ring.desc.write(next, d);
            last = Some((next, d));
            next = ring.cursor.wrap(next + 1);
        }
        let Some((last, d)) = last else {
            return Err(ring.unwind_frame(first));
        };
        // Report status once, for the whole frame.
        ring.desc
            .write(last, TxDataTemplate::with_cmd(d, TxCmd::RS));
        ring.finish_frame(first, next, last, seg.segments, &mut out);
        Ok(out)
    }

    /// The context descriptor this frame needs, if any (an identical
    /// checksum context already in effect is reused).
    fn context_for(state: &mut E1000TxState, offload: TxOffload) -> Option<ContextDescriptor> {
        match offload {
            TxOffload::None | TxOffload::Segment(_) => None,
            TxOffload::Checksum(at) => {
                if state.last_context == Some(at) {
                    return None;
                }
                state.last_context = Some(at);
                Some(ContextDescriptor::checksum(at))
            }
            TxOffload::Tso { context, .. } => {
                // A TSO context replaces whatever checksum context was set.
                state.last_context = None;
                Some(context)
            }
        }
    }
}
