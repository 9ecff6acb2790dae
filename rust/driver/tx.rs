// SPDX-License-Identifier: GPL-2.0

//! The transmit ring: mapping frames for scatter-gather DMA, descriptors,
//! and reclaiming what the device has sent.
//!
//! One frame becomes: an optional context descriptor (checksum or TSO
//! parameters), then one data descriptor per DMA buffer piece (the linear
//! head and every page fragment, each split at [`MAX_TX_DESC_DATA`]); the
//! last carries EOP and RS so the device reports its completion.

use crate::glue::{
    dma::{DescRing, DmaBuf, MappedSkb, SlotBuffer},
    netdev::NapiPoll,
    skb::{Offload, SkBuff, Tso, MAX_FRAGS},
};
use crate::hw::{
    e1000::desc::{
        tx_done, ChecksumOffsets, ContextDescriptor, Popts, TsoHeaders, TxCmd, TxDataTemplate,
        MAX_TX_DESC_DATA,
    },
    net::{IpVersion, MIN_TX_FRAME, TCP_CSUM_OFFSET, TCP_MAX_HEADER},
    ring::{RingCursor, RingSize},
    tso::{Pieces, TcpLayout},
};
use kernel::{
    device::{Bound, Device},
    prelude::*,
};

/// Descriptors an IPv6 super-frame the driver segments itself may use
/// ([`can_segment`]); `GSO_IPV6_MAX_SIZE` is sized from it.
const SEGMENTED_FRAME_BUDGET: u32 = 48;

/// Most descriptors a frame the device segments or sends whole can need:
/// a context descriptor, then the frame's bytes (at most the 64 KiB TSO
/// limit) split at 4 KiB, plus one more piece for each of the head and
/// the `MAX_SKB_FRAGS` fragments (Kconfig: 17 to 45), which may start
/// mid-page.
const OFFLOADED_FRAME_BUDGET: u32 = {
    // CAST: MAX_FRAGS is at most 45 and MAX_TX_DESC_DATA is 4096.
    let buffers = 1 + MAX_FRAGS as u32;
    1 + super::TSO_MAX_SIZE / MAX_TX_DESC_DATA as u32 + buffers
};

/// Most descriptors one frame can need: the queue stops below this, and a
/// frame is queued only with this much room.
pub(crate) const MAX_DESCS_PER_FRAME: u32 = if OFFLOADED_FRAME_BUDGET > SEGMENTED_FRAME_BUDGET {
    OFFLOADED_FRAME_BUDGET
} else {
    SEGMENTED_FRAME_BUDGET
};

/// Smallest TX ring that can take a worst-case frame with the stop
/// threshold's room left to wake the queue at.
pub(crate) const MIN_RING: u32 = (MAX_DESCS_PER_FRAME + 2).next_power_of_two();

const _: () = assert!(MIN_RING <= RingSize::MAX.get() as u32 / 2);

/// Stop the queue when fewer slots than one worst-case frame remain.
pub(crate) const STOP_THRESHOLD: u32 = MAX_DESCS_PER_FRAME;

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

/// Per-frame accounting of one queued frame.
#[derive(Default)]
struct Queued {
    /// Frame bytes (as BQL counts them).
    bytes: u32,
    /// Descriptors written, context included.
    descriptors: u32,
    /// Whether a context descriptor was written.
    context: bool,
    /// Whether the frame uses TSO.
    tso: bool,
    /// Bytes DMA'd from the linear head.
    head_bytes: u32,
    /// Bytes DMA'd from page fragments.
    frag_bytes: u32,
    /// Of those, bytes from page-cache pages.
    page_cache_bytes: u32,
}

/// Transmit event counts, kept under the ring's lock rather than as
/// atomics bumped per frame; [`TxRing::take_stats`] hands them over when
/// statistics are read and before the ring is freed. 64-bit counts of
/// frames, descriptors and bytes do not wrap in practice, so they add
/// without overflow checks.
#[derive(Default)]
pub(crate) struct TxStats {
    /// TX descriptors used, context descriptors included.
    pub(crate) descriptors: u64,
    /// Context descriptors written.
    pub(crate) context_descriptors: u64,
    /// Frames sent with TCP segmentation offload.
    pub(crate) tso_frames: u64,
    /// Payload bytes DMA'd from skb linear heads.
    pub(crate) head_bytes: u64,
    /// Payload bytes DMA'd from skb page fragments.
    pub(crate) frag_bytes: u64,
    /// Of those, bytes from page-cache pages.
    pub(crate) pagecache_bytes: u64,
    /// Writes of the tail register.
    pub(crate) doorbells: u64,
}

impl TxStats {
    fn add(&mut self, q: &Queued) {
        let add = |count: &mut u64, n: u32| *count = count.wrapping_add(u64::from(n));
        add(&mut self.descriptors, q.descriptors);
        add(&mut self.context_descriptors, u32::from(q.context));
        add(&mut self.tso_frames, u32::from(q.tso));
        add(&mut self.head_bytes, q.head_bytes);
        add(&mut self.frag_bytes, q.frag_bytes);
        add(&mut self.pagecache_bytes, q.page_cache_bytes);
    }
}

/// Totals returned by [`TxRing::reclaim`]: one pass, under the ring's lock,
/// completes at most a ring's worth of frames (4096) of at most
/// `TSO_MAX_SIZE` bytes and `TSO_MAX_SEGS` segments each, so the sums
/// cannot wrap (asserted below).
#[derive(Default)]
pub(crate) struct Reclaimed {
    /// Frames completed.
    pub(crate) frames: u32,
    /// Bytes completed (as BQL counts them).
    pub(crate) bytes: u32,
    /// Wire packets completed (TSO frames count their segments).
    pub(crate) packets: u32,
}

// CAST: every value widens losslessly to u64.
const _: () = {
    let frames = RingSize::MAX.get() as u64;
    assert!(frames * super::TSO_MAX_SIZE as u64 <= u32::MAX as u64);
    assert!(frames * super::TSO_MAX_SEGS as u64 <= u32::MAX as u64);
};

/// Why a frame could not be queued.
pub(crate) enum QueueError {
    /// Not enough free descriptors: retry later.
    Full(SkBuff),
    /// The frame was dropped (mapping or offload setup failed).
    Dropped,
}

#[derive(Default)]
struct Slot<'a> {
    /// On a frame's first descriptor: the frame, mapped until completion.
    frame: Option<MappedSkb<'a>>,
    /// On a frame's first descriptor: the index of its EOP descriptor.
    eop: Option<u32>,
    /// On a frame's first descriptor: its byte and wire-packet counts.
    bytes: u32,
    packets: u32,
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

/// The ring has no free descriptor left for the frame being written.
struct NoRoom;

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

/// A transmit descriptor ring and the buffers in flight on it.
///
/// # Invariants
///
/// - Every frame in `[next_to_clean, next_to_use)` occupies consecutive
///   descriptors; its first slot records its EOP descriptor (`eop`), its
///   byte and packet counts, and holds the frame, mapped ([`MappedSkb`]).
///   So nothing the device may still read is unmapped before that frame's
///   EOP descriptor shows DD (`reclaim`) or the device is stopped
///   (`drop_all`).
/// - Slots outside `[next_to_clean, next_to_use)` hold no frame and no
///   `eop`.
/// - `last_context` is the checksum context the device last read, or
///   `None` when that is not known.
/// - Header slot `k` serves descriptors `2k` and `2k + 1`, of which at
///   most one is a header descriptor (a header is always followed by its
///   payload), and is rewritten only when no descriptor in flight refers
///   to it.
pub(crate) struct TxRing<'a> {
    dev: &'a Device<Bound>,
    desc: DescRing,
    cursor: RingCursor,
    slots: KVVec<Slot<'a>>,
    /// The checksum context in effect on the device, so identical ones
    /// can be skipped.
    last_context: Option<ChecksumOffsets>,
    /// One header slot per descriptor, for driver-built segments.
    headers: SlotBuffer,
    /// Event counts not yet handed over ([`Self::take_stats`]).
    stats: TxStats,
}

impl<'a> TxRing<'a> {
    /// Allocates an empty ring of `size` descriptors.
    pub(crate) fn new(dev: &'a Device<Bound>, size: RingSize) -> Result<Self> {
        let desc = DescRing::new(dev, size)?;
        // A header descriptor is always followed by a payload one, so
        // descriptors 2k and 2k + 1 never both hold a header: they share
        // slot k.
        let headers = SlotBuffer::new(dev, size.get() / 2, SEGMENT_HEADER_MAX as usize)?;
        let mut slots = KVVec::with_capacity(size.get(), GFP_KERNEL)?;
        for _ in 0..size.get() {
            slots.push(Slot::default(), GFP_KERNEL)?;
        }
        Ok(Self {
            dev,
            desc,
            cursor: RingCursor::new(size),
            slots,
            last_context: None,
            headers,
            stats: TxStats::default(),
        })
    }

    /// Bus address of the descriptors (TDBAL/TDBAH).
    pub(crate) fn dma_address(&self) -> u64 {
        self.desc.dma_address()
    }

    /// The ring size (TDLEN is `size.bytes()`).
    pub(crate) fn size(&self) -> RingSize {
        self.desc.size()
    }

    /// The tail value to write to TDT.
    pub(crate) fn tail(&self) -> u32 {
        self.cursor.next_to_use()
    }

    /// Free descriptors.
    pub(crate) fn unused(&self) -> u32 {
        self.cursor.unused()
    }

    /// Free descriptors at which a stopped queue restarts: room for two
    /// worst-case frames, but at most half the ring so that small rings
    /// (64 descriptors) can still reach it.
    pub(crate) fn wake_threshold(&self) -> u32 {
        let half = self.cursor.size().get() as u32 / 2;
        (2 * STOP_THRESHOLD).min(half).max(STOP_THRESHOLD + 1)
    }

    /// Orders descriptor writes before the caller rings the doorbell.
    pub(crate) fn publish(&self) {
        self.desc.publish();
    }

    /// Counts a tail register write.
    pub(crate) fn count_doorbell(&mut self) {
        self.stats.doorbells = self.stats.doorbells.wrapping_add(1);
    }

    /// Hands over the event counts gathered since the last call.
    pub(crate) fn take_stats(&mut self) -> TxStats {
        core::mem::take(&mut self.stats)
    }

    /// Maps `skb` and writes its descriptors; the device sees them once the
    /// caller writes [`Self::tail`] to TDT. Returns the frame's length, as
    /// BQL counts it.
    pub(crate) fn queue(&mut self, skb: SkBuff) -> Result<u32, QueueError> {
        let queued = self.queue_frame(skb)?;
        self.stats.add(&queued);
        Ok(queued.bytes)
    }

    fn queue_frame(&mut self, mut skb: SkBuff) -> Result<Queued, QueueError> {
        // Room for any frame is checked before its headers are prepared:
        // a frame handed back as busy comes again unchanged, and preparing
        // twice would take its length out of the checksum twice. With that
        // room, a frame that still does not fit never will: drop it rather
        // than stall the queue on it.
        if self.cursor.unused() < MAX_DESCS_PER_FRAME {
            return Err(QueueError::Full(skb));
        }
        let offload = TxOffload::for_frame(&mut skb)?;
        // Padded only now: a checksum completed in software above covers
        // the frame as the stack built it.
        // CAST: MIN_TX_FRAME is 60.
        let skb = skb
            .pad_to(MIN_TX_FRAME as u16)
            .map_err(|_| QueueError::Dropped)?;
        if let TxOffload::Segment(seg) = offload {
            return self.queue_segmented(skb, seg);
        }
        // Room is counted while writing, not beforehand: only a frame too
        // big for any ring runs out, after the worst-case check above, and
        // it is unwound and dropped.
        let mut room = self.cursor.unused();
        let first = self.cursor.next_to_use();
        let extended = offload != TxOffload::None;
        let context = self.context_for(offload);
        let (dcmd_extra, popts, packets) = match offload {
            TxOffload::None | TxOffload::Segment(_) => (0, 0, 1),
            TxOffload::Checksum(_) => (0, Popts::TXSM, 1),
            TxOffload::Tso { ipv4, segments, .. } => (
                TxCmd::TSE,
                Popts::TXSM | if ipv4 { Popts::IXSM } else { 0 },
                segments,
            ),
        };
        let template = if extended {
            TxDataTemplate::extended(TxCmd::IFCS | dcmd_extra, popts)
        } else {
            TxDataTemplate::legacy(TxCmd::IFCS)
        };
        let mut next = first;
        let mut out = Queued {
            tso: matches!(offload, TxOffload::Tso { .. }),
            ..Queued::default()
        };
        // The frame's last descriptor (index, value), written again with
        // EOP once known; `None` if out of room.
        let last: Result<_, NoRoom> = {
            // Mapped after the headers were prepared: from here on the
            // frame cannot change until the device has sent it. It is
            // mapped straight into the slot it lives in until completion.
            let Ok(frame) =
                MappedSkb::map_into(&mut self.slots[first as usize].frame, self.dev, skb)
            else {
                return Err(self.unwind());
            };
            out.bytes = frame.skb().len();
            Self::count_buffers(frame, &mut out);
            if let Some(ctx) = context {
                // `room >= MAX_DESCS_PER_FRAME`, checked above.
                room -= 1;
                self.desc.write(next, ctx.encode());
                next = self.cursor.wrap(next + 1);
                out.context = true;
            }
            frame.buffers().try_fold(None, |last, buf| {
                let (desc, cursor) = (&self.desc, &self.cursor);
                Ok(Self::write_buffer(desc, cursor, &mut next, &mut room, buf, template)?.or(last))
            })
        };
        // Out of room (a frame too big for any ring), or nothing to send
        // (a zero-length frame).
        let Ok(Some((last, d))) = last else {
            return Err(self.unwind_frame(first));
        };
        // Close the frame: end of packet, and report status when sent.
        self.desc
            .write(last, TxDataTemplate::with_cmd(d, TxCmd::EOP | TxCmd::RS));

        self.finish_frame(first, next, last, packets, &mut out);
        Ok(out)
    }

    /// Counts a mapped frame's bytes by where they come from (three field
    /// reads: never worth a call).
    #[inline(always)]
    fn count_buffers(frame: &MappedSkb<'_>, out: &mut Queued) {
        out.head_bytes = frame.head().len;
        out.frag_bytes = frame.frag_bytes();
        out.page_cache_bytes = frame.page_cache_bytes();
    }

    /// Records a frame written to `[first, next)` whose last descriptor is
    /// `last`, and hands the descriptors to the device side of the ring.
    #[inline]
    fn finish_frame(&mut self, first: u32, next: u32, last: u32, packets: u32, out: &mut Queued) {
        let count = next.wrapping_sub(first) & self.cursor.size().mask();
        out.descriptors = count;
        let head = &mut self.slots[first as usize];
        head.eop = Some(last);
        head.bytes = out.bytes;
        head.packets = packets;
        self.cursor.advance_use(count);
    }

    /// Queues an IPv6 super-frame as the segments the device would have
    /// made: per segment a header descriptor (from the header slots) and
    /// the descriptors of its payload, mapped once and referenced in place.
    fn queue_segmented(&mut self, mut skb: SkBuff, seg: Segmenting) -> Result<Queued, QueueError> {
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
        if held != u64::from(seg.payload) || needed > u64::from(self.cursor.unused()) {
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
        let first = self.cursor.next_to_use();
        let mut next = first;
        let mut out = Queued {
            tso: true,
            ..Queued::default()
        };
        // The payload's buffers, as `lens` counts them.
        let mut addrs = [0u64; 1 + MAX_FRAGS];
        {
            let Ok(frame) =
                MappedSkb::map_into(&mut self.slots[first as usize].frame, self.dev, skb)
            else {
                return Err(QueueError::Dropped);
            };
            out.bytes = frame.skb().len();
            Self::count_buffers(frame, &mut out);
            addrs[0] = frame.head().addr + u64::from(hdr_len);
            for (i, addr) in addrs[1..buffers].iter_mut().enumerate() {
                *addr = frame.frag(i).addr;
            }
        }

        if let Some(ctx) = self.context_for(TxOffload::Checksum(seg.checksum)) {
            self.desc.write(next, ctx.encode());
            next = self.cursor.wrap(next + 1);
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
                        self.headers
                            .fill(next as usize / 2, &header[..hdr_len as usize])
                            .ok()
                    });
                let Some(addr) = addr else {
                    return Err(self.unwind_frame(first));
                };
                // CAST: `hdr_len <= SEGMENT_HEADER_MAX`, 128.
                self.desc.write(next, data.descriptor(addr, hdr_len as u16));
                next = self.cursor.wrap(next + 1);
            }
            let end = if piece.ends_segment { TxCmd::EOP } else { 0 };
            // CAST: pieces are at most MAX_TX_DESC_DATA, 4096 bytes.
            let d = data.descriptor(
                addrs[piece.buffer] + u64::from(piece.offset),
                piece.len as u16,
            );
            let d = TxDataTemplate::with_cmd(d, end);
            self.desc.write(next, d);
            last = Some((next, d));
            next = self.cursor.wrap(next + 1);
        }
        let Some((last, d)) = last else {
            return Err(self.unwind_frame(first));
        };
        // Report status once, for the whole frame.
        self.desc
            .write(last, TxDataTemplate::with_cmd(d, TxCmd::RS));
        self.finish_frame(first, next, last, seg.segments, &mut out);
        Ok(out)
    }

    /// The context descriptor this frame needs, if any (an identical
    /// checksum context already in effect is reused).
    fn context_for(&mut self, offload: TxOffload) -> Option<ContextDescriptor> {
        match offload {
            TxOffload::None | TxOffload::Segment(_) => None,
            TxOffload::Checksum(at) => {
                if self.last_context == Some(at) {
                    return None;
                }
                self.last_context = Some(at);
                Some(ContextDescriptor::checksum(at))
            }
            TxOffload::Tso { context, .. } => {
                // A TSO context replaces whatever checksum context was set.
                self.last_context = None;
                Some(context)
            }
        }
    }

    /// Writes the descriptors for one mapped buffer starting at `*next`,
    /// split at the per-descriptor limit, taking each from `room`, and
    /// returns the last one written (index, value); `None` for an empty
    /// buffer. Out of room it stops; the caller unwinds the frame, and
    /// what was written stays in slots the device does not own.
    #[inline(always)]
    fn write_buffer(
        desc: &DescRing,
        cursor: &RingCursor,
        next: &mut u32,
        room: &mut u32,
        buf: DmaBuf,
        template: TxDataTemplate,
    ) -> Result<Option<(u32, [u64; 2])>, NoRoom> {
        let (mut addr, mut left) = (buf.addr, buf.len);
        let mut last = None;
        while left > 0 {
            *room = room.checked_sub(1).ok_or(NoRoom)?;
            let piece = left.min(MAX_TX_DESC_DATA as u32);
            // CAST: `piece <= MAX_TX_DESC_DATA`, 4096.
            let d = template.descriptor(addr, piece as u16);
            desc.write(*next, d);
            last = Some((*next, d));
            // The ring index is masked: it cannot overflow before wrapping.
            *next = cursor.wrap(next.wrapping_add(1));
            left -= piece;
            // A mapping's bytes do not wrap the bus address space.
            addr = addr.wrapping_add(u64::from(piece));
        }
        Ok(last)
    }

    /// Gives up on a partly written frame mapped into slot `first`: the
    /// mapping goes with it.
    fn unwind_frame(&mut self, first: u32) -> QueueError {
        self.slots[first as usize].frame = None;
        self.unwind()
    }

    /// Gives up on a partly written frame not (or no longer) mapped.
    fn unwind(&mut self) -> QueueError {
        // A context descriptor written for this frame never reaches the
        // device, so the cached one is no longer known to be in effect.
        self.last_context = None;
        QueueError::Dropped
    }

    /// Unmaps every frame the device has completed and hands it back to
    /// the stack as sent (consumed, not dropped).
    pub(crate) fn reclaim(&mut self, poll: &NapiPoll<'_>) -> Reclaimed {
        let mut done = Reclaimed::default();
        // Most polls with nothing to reclaim leave before the loop's set-up.
        if !self.oldest_done() {
            return done;
        }
        while !self.cursor.is_empty() {
            let first = self.cursor.next_to_clean();
            let Some(eop) = self.slots[first as usize].eop else {
                // Every in-flight frame records its EOP; anything else
                // means the bookkeeping is broken, so stop here.
                break;
            };
            if !tx_done([0, self.desc.read_status_word(eop)]) {
                break;
            }
            let n = (eop.wrapping_sub(first) & self.cursor.size().mask()) + 1;
            let slot = &mut self.slots[first as usize];
            // Bounded by the ring (see `Reclaimed`).
            done.frames = done.frames.wrapping_add(1);
            done.bytes = done.bytes.wrapping_add(slot.bytes);
            done.packets = done.packets.wrapping_add(slot.packets);
            slot.eop = None;
            if let Some(skb) = MappedSkb::unmap_in_place(&mut slot.frame) {
                poll.consume(skb);
            }
            self.cursor.advance_clean(n);
        }
        done
    }

    /// Whether the oldest frame in flight has been sent.
    #[inline]
    fn oldest_done(&self) -> bool {
        !self.cursor.is_empty()
            && self.slots[self.cursor.next_to_clean() as usize]
                .eop
                .is_some_and(|eop| tx_done([0, self.desc.read_status_word(eop)]))
    }

    /// Drops every frame still in flight (the device must be stopped);
    /// returns how many were dropped.
    pub(crate) fn drop_all(&mut self) -> u32 {
        let mut dropped = 0;
        for slot in self.slots.iter_mut() {
            if MappedSkb::unmap_in_place(&mut slot.frame).is_some() {
                dropped += 1;
            }
            slot.eop = None;
        }
        self.cursor = RingCursor::new(self.cursor.size());
        self.last_context = None;
        dropped
    }
}

impl Drop for TxRing<'_> {
    fn drop(&mut self) {
        self.drop_all();
    }
}
