// SPDX-License-Identifier: GPL-2.0

//! The transmit ring both families share: mapping frames for
//! scatter-gather DMA, slot bookkeeping, and reclaiming what the device
//! has sent.
//!
//! One frame becomes: an optional context descriptor (checksum or TSO
//! parameters), then one data descriptor per DMA buffer piece (the linear
//! head and every page fragment, each split at [`MAX_TX_DESC_DATA`]); the
//! last carries EOP and RS so the device reports its completion. What the
//! descriptors look like is the family's ([`TxFormat`]: the 8254x's in
//! `e1000/tx.rs`, the 82576's advanced ones in `igb/tx.rs`); the ring
//! here holds the frames while the device reads them.

use crate::glue::{
    dma::{DescRing, MappedSkb, SlotBuffer},
    netdev::NapiPoll,
    skb::{SkBuff, MAX_FRAGS},
};
use crate::hw::{
    e1000::desc::MAX_TX_DESC_DATA,
    itr::Traffic,
    ring::{RingCursor, RingSize},
};
use core::marker::PhantomData;
use kernel::{
    device::{Bound, Device},
    prelude::*,
};

/// A family's transmit descriptor writer. Static dispatch: the ring is
/// generic over it, so each family's `start_xmit` is compiled for its own
/// format.
pub(crate) trait TxFormat: Sized + Send + Sync + Unpin + 'static {
    /// What the writer keeps per ring (the context in effect, buffers of
    /// its own).
    type State: Send + Unpin;

    /// The writer's state for a new ring of `size` descriptors.
    fn new_state(dev: &Device<Bound>, size: RingSize) -> Result<Self::State>;

    /// The device holds no context any more (a ring reset, or a frame
    /// given up after its context descriptor was written).
    fn forget_context(state: &mut Self::State);

    /// Maps `skb` and writes its descriptors at the ring's `next_to_use`,
    /// recording the frame with [`TxRing::finish_frame`]. The caller has
    /// checked there is room for [`MAX_DESCS_PER_FRAME`].
    fn queue_frame(ring: &mut TxRing<'_, Self>, skb: SkBuff) -> Result<Queued, QueueError>;

    /// Whether a frame's last descriptor, whose second quadword is `word`,
    /// was written back as sent.
    fn done(word: u64) -> bool;
}

/// Descriptors an IPv6 super-frame the driver segments itself may use
/// ([`can_segment`]); `GSO_IPV6_MAX_SIZE` is sized from it.
pub(crate) const SEGMENTED_FRAME_BUDGET: u32 = 48;

/// Most descriptors a frame the device segments or sends whole can need,
/// in either family (both split buffers at 4 KiB):
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

/// Frames of at most this many bytes, with no page-cache bytes, are
/// copied into the ring's own coherent buffer rather than mapped (TX
/// copybreak): two mappings and two unmappings, each through the DMA API
/// (an IOMMU's page tables where there is one), cost more than copying a
/// few cache lines. 256 bytes takes every pure ACK and small request, as
/// the RX copybreak does; page-cache bytes (`sendfile`) are never copied.
pub(crate) const TX_COPYBREAK: u32 = 256;

/// The ring has no free descriptor left for the frame being written.
pub(crate) struct NoRoom;

/// How a family lays out one frame's descriptors, for
/// [`TxRing::write_frame`].
pub(crate) struct FrameLayout<E, C> {
    /// The context descriptor written first, if the frame needs a new one.
    pub(crate) context: Option<[u64; 2]>,
    /// Most bytes one data descriptor carries.
    pub(crate) max_piece: u32,
    /// A data descriptor from a buffer piece's bus address and length.
    pub(crate) encode: E,
    /// The frame's last data descriptor with end of packet and report
    /// status added.
    pub(crate) close: C,
    /// Packets on the wire (segments of a super-frame).
    pub(crate) packets: u32,
    /// Whether the device segments it.
    pub(crate) tso: bool,
}

/// Per-frame accounting of one queued frame.
#[derive(Default)]
pub(crate) struct Queued {
    /// Frame bytes (as BQL counts them).
    pub(crate) bytes: u32,
    /// Descriptors written, context included.
    pub(crate) descriptors: u32,
    /// Whether a context descriptor was written.
    pub(crate) context: bool,
    /// Whether the frame uses TSO.
    pub(crate) tso: bool,
    /// Whether the device inserts the frame's VLAN tag.
    pub(crate) vlan_tagged: bool,
    /// Bytes DMA'd from the linear head.
    pub(crate) head_bytes: u32,
    /// Bytes copied whole into the ring's buffer (TX copybreak).
    pub(crate) copied_bytes: u32,
    /// Bytes DMA'd from page fragments.
    pub(crate) frag_bytes: u32,
    /// Of those, bytes from page-cache pages.
    pub(crate) page_cache_bytes: u32,
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
    /// Frames whose VLAN tag the device inserts.
    pub(crate) vlan_tagged: u64,
    /// Payload bytes DMA'd from skb linear heads.
    pub(crate) head_bytes: u64,
    /// Bytes of small frames copied into the ring's buffer.
    pub(crate) copied_bytes: u64,
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
        add(&mut self.vlan_tagged, u32::from(q.vlan_tagged));
        add(&mut self.head_bytes, q.head_bytes);
        add(&mut self.copied_bytes, q.copied_bytes);
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
pub(crate) struct Slot<'a> {
    /// On a frame's first descriptor: the frame, mapped until completion.
    pub(crate) frame: Option<MappedSkb<'a>>,
    /// On a frame's first descriptor: the index of its EOP descriptor.
    eop: Option<u32>,
    /// On a frame's first descriptor: its byte and wire-packet counts.
    bytes: u32,
    packets: u32,
}

/// A transmit descriptor ring and the buffers in flight on it, in the
/// descriptor format `F`.
///
/// # Invariants
///
/// - Every frame in `[next_to_clean, next_to_use)` occupies consecutive
///   descriptors; its first slot records its EOP descriptor (`eop`), its
///   byte and packet counts, and holds the frame, mapped ([`MappedSkb`])
///   or copied into slot `first` of `bounce`. So nothing the device may
///   still read is unmapped or overwritten before that frame's EOP
///   descriptor shows DD (`reclaim`) or the device is stopped
///   (`drop_all`).
/// - Slots outside `[next_to_clean, next_to_use)` hold no frame and no
///   `eop`.
/// - `format` describes what the device holds of the writer's contexts
///   (see each [`TxFormat::State`]).
pub(crate) struct TxRing<'a, F: TxFormat> {
    pub(crate) dev: &'a Device<Bound>,
    pub(crate) desc: DescRing,
    pub(crate) cursor: RingCursor,
    pub(crate) slots: KVVec<Slot<'a>>,
    /// One [`TX_COPYBREAK`]-byte buffer per descriptor, for frames copied
    /// rather than mapped: a frame's is its first descriptor's. `None` if
    /// it could not be allocated (a large ring, fragmented memory): every
    /// frame is then mapped.
    bounce: Option<SlotBuffer>,
    /// The descriptor writer's own state.
    pub(crate) format: F::State,
    /// Event counts not yet handed over ([`Self::take_stats`]).
    stats: TxStats,
    /// Packets and bytes `start_xmit` completed since the poll last took
    /// them, for interrupt moderation.
    completed_in_xmit: Traffic,
    _format: PhantomData<F>,
}

impl<'a, F: TxFormat> TxRing<'a, F> {
    /// Allocates an empty ring of `size` descriptors.
    pub(crate) fn new(dev: &'a Device<Bound>, size: RingSize) -> Result<Self> {
        let desc = DescRing::new(dev, size)?;
        let format = F::new_state(dev, size)?;
        let bounce = SlotBuffer::new(dev, size.get(), TX_COPYBREAK as usize).ok();
        let mut slots = KVVec::with_capacity(size.get(), GFP_KERNEL)?;
        for _ in 0..size.get() {
            slots.push(Slot::default(), GFP_KERNEL)?;
        }
        Ok(Self {
            dev,
            desc,
            cursor: RingCursor::new(size),
            slots,
            bounce,
            format,
            stats: TxStats::default(),
            completed_in_xmit: Traffic::default(),
            _format: PhantomData,
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
        // Room for any frame is checked before its headers are prepared:
        // a frame handed back as busy comes again unchanged, and preparing
        // twice would take its length out of the checksum twice. With that
        // room, a frame that still does not fit never will: the writer
        // drops it rather than stall the queue on it.
        if self.cursor.unused() < MAX_DESCS_PER_FRAME {
            return Err(QueueError::Full(skb));
        }
        let queued = F::queue_frame(self, skb)?;
        self.stats.add(&queued);
        Ok(queued.bytes)
    }

    /// Maps `skb` into the slot at `next_to_use` and writes its descriptors
    /// as the family laid them out in `frame`: the context descriptor, if
    /// any, then each buffer piece, the last one closed. Room for a
    /// worst-case frame was checked (`Self::queue`); a frame that still
    /// runs out (none the stack can build), or has no bytes, is unwound
    /// and dropped, and what it wrote stays in slots the device does not
    /// own.
    #[inline(always)]
    pub(crate) fn write_frame(
        &mut self,
        skb: SkBuff,
        frame: FrameLayout<impl Fn(u64, u32) -> [u64; 2], impl Fn([u64; 2]) -> [u64; 2]>,
    ) -> Result<Queued, QueueError> {
        let limit = self.cursor.free_end();
        let first = self.cursor.next_to_use();
        let mut next = first;
        let mut out = Queued {
            tso: frame.tso,
            ..Queued::default()
        };
        let last = {
            // Mapped (or copied) after the headers were prepared: from
            // here on the frame cannot change until the device has sent
            // it. It goes straight into the slot it lives in until
            // completion.
            let slot = &mut self.slots[first as usize].frame;
            let mapped = match &mut self.bounce {
                Some(bounce) if skb.len() <= TX_COPYBREAK && !skb.has_page_cache_frag() => {
                    // INVARIANT: `first` starts this frame, so the device
                    // reads no other frame's copy there until it completes.
                    MappedSkb::copy_into(slot, self.dev, skb, bounce, first as usize)
                }
                _ => MappedSkb::map_into(slot, self.dev, skb),
            };
            let Ok(mapped) = mapped else {
                return Err(self.unwind());
            };
            out.bytes = mapped.skb().len();
            Self::count_buffers(mapped, &mut out);
            if let Some(ctx) = frame.context {
                self.desc.write(next, ctx);
                next = self.cursor.wrap(next + 1);
                out.context = true;
            }
            Self::write_buffers(
                &self.desc,
                &self.cursor,
                &mut next,
                limit,
                mapped,
                frame.max_piece,
                frame.encode,
            )
        };
        let Ok(Some((last, d))) = last else {
            return Err(self.unwind_frame(first));
        };
        // The frame's last descriptor again, now closed.
        self.desc.write(last, (frame.close)(d));
        self.finish_frame(first, next, last, frame.packets, &mut out);
        Ok(out)
    }

    /// Counts a mapped frame's bytes by where they come from (three field
    /// reads: never worth a call).
    #[inline(always)]
    pub(crate) fn count_buffers(frame: &MappedSkb<'_>, out: &mut Queued) {
        if frame.is_copied() {
            out.copied_bytes = frame.head().len;
            return;
        }
        out.head_bytes = frame.head().len;
        out.frag_bytes = frame.frag_bytes();
        out.page_cache_bytes = frame.page_cache_bytes();
    }

    /// Writes the descriptors of a mapped frame's buffers from `*next` on,
    /// each buffer split at `max` bytes and each piece made by
    /// `encode(address, length)`, up to (not including) index `limit`, the
    /// first slot the device still owns.
    /// Returns the last one written (index, value), for the caller to
    /// write again with EOP: once known, that costs one store per frame
    /// rather than holding every descriptor back until the next. `None`
    /// if there was nothing to write; out of room, it stops there, the
    /// caller unwinds the frame, and what was written stays in slots the
    /// device does not own.
    #[inline(always)]
    pub(crate) fn write_buffers(
        desc: &DescRing,
        cursor: &RingCursor,
        next: &mut u32,
        limit: u32,
        frame: &MappedSkb<'_>,
        max: u32,
        encode: impl Fn(u64, u32) -> [u64; 2],
    ) -> Result<Option<(u32, [u64; 2])>, NoRoom> {
        let mut last = None;
        for buf in frame.buffers() {
            let (mut addr, mut left) = (buf.addr, buf.len);
            while left > 0 {
                if *next == limit {
                    return Err(NoRoom);
                }
                let piece = left.min(max);
                let d = encode(addr, piece);
                desc.write(*next, d);
                last = Some((*next, d));
                // The ring index is masked: it cannot overflow first.
                *next = cursor.wrap(next.wrapping_add(1));
                left -= piece;
                // A mapping's bytes do not wrap the bus address space.
                addr = addr.wrapping_add(u64::from(piece));
            }
        }
        Ok(last)
    }

    /// Records a frame written to `[first, next)` whose last descriptor is
    /// `last`, and hands the descriptors to the device side of the ring.
    #[inline]
    pub(crate) fn finish_frame(
        &mut self,
        first: u32,
        next: u32,
        last: u32,
        packets: u32,
        out: &mut Queued,
    ) {
        let count = next.wrapping_sub(first) & self.cursor.size().mask();
        out.descriptors = count;
        let head = &mut self.slots[first as usize];
        head.eop = Some(last);
        head.bytes = out.bytes;
        head.packets = packets;
        self.cursor.advance_use(count);
    }

    /// Gives up on a partly written frame mapped into slot `first`: the
    /// mapping goes with it.
    pub(crate) fn unwind_frame(&mut self, first: u32) -> QueueError {
        self.slots[first as usize].frame = None;
        self.unwind()
    }

    /// Gives up on a partly written frame not (or no longer) mapped.
    pub(crate) fn unwind(&mut self) -> QueueError {
        // A context descriptor written for this frame never reaches the
        // device, so the cached one is no longer known to be in effect.
        F::forget_context(&mut self.format);
        QueueError::Dropped
    }

    /// Adds completions `start_xmit` reclaimed, for the poll's moderation.
    pub(crate) fn note_completed_in_xmit(&mut self, done: &Reclaimed) {
        self.completed_in_xmit.add(Traffic {
            packets: done.packets,
            bytes: done.bytes,
        });
    }

    /// Takes what [`Self::note_completed_in_xmit`] added.
    pub(crate) fn take_completed_in_xmit(&mut self) -> Traffic {
        core::mem::take(&mut self.completed_in_xmit)
    }

    /// Whether no frame is in flight.
    pub(crate) fn is_empty(&self) -> bool {
        self.cursor.is_empty()
    }

    /// Unmaps every frame the device has completed and hands it back to
    /// the stack as sent (consumed, not dropped) through the poll's
    /// per-CPU cache.
    #[inline]
    pub(crate) fn reclaim(&mut self, poll: &NapiPoll<'_>) -> Reclaimed {
        self.reclaim_with(|skb| poll.consume(skb))
    }

    /// Unmaps every frame the device has completed and hands each to
    /// `consume`.
    #[inline(always)]
    pub(crate) fn reclaim_with(&mut self, mut consume: impl FnMut(SkBuff)) -> Reclaimed {
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
            if !F::done(self.desc.read_status_word(eop)) {
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
                consume(skb);
            }
            self.cursor.advance_clean(n);
        }
        done
    }

    /// Whether the oldest frame in flight has been sent.
    #[inline]
    pub(crate) fn oldest_done(&self) -> bool {
        !self.cursor.is_empty()
            && self.slots[self.cursor.next_to_clean() as usize]
                .eop
                .is_some_and(|eop| F::done(self.desc.read_status_word(eop)))
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
        F::forget_context(&mut self.format);
        dropped
    }
}

impl<F: TxFormat> Drop for TxRing<'_, F> {
    fn drop(&mut self) {
        self.drop_all();
    }
}
