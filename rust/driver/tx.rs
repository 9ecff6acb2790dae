// SPDX-License-Identifier: GPL-2.0

//! The transmit ring: mapping frames for scatter-gather DMA, descriptors,
//! and reclaiming what the device has sent.
//!
//! One frame becomes: an optional context descriptor (checksum or TSO
//! parameters), then one data descriptor per DMA buffer piece (the linear
//! head and every page fragment, each split at [`MAX_TX_DESC_DATA`]); the
//! last carries EOP and RS so the device reports its completion.

use crate::glue::{
    dma::{DescRing, Direction, StreamingMap},
    netdev::NapiPoll,
    skb::{Offload, SkBuff},
};
use crate::hw::{
    desc::{
        tx_done, ContextDescriptor, DataDescriptor, LegacyTxDescriptor, Popts, TxCmd,
        MAX_TX_DESC_DATA,
    },
    ring::{RingCursor, RingSize},
};
use kernel::{
    device::{Bound, Device},
    prelude::*,
};

/// Most descriptors one frame can need: 64 KiB split at 4 KiB, plus one
/// more for each of the head and up to 17 fragments starting mid-page,
/// plus a context descriptor.
pub(crate) const MAX_DESCS_PER_FRAME: u32 = 16 + 18 + 1;

/// Stop the queue when fewer slots than one worst-case frame remain.
pub(crate) const STOP_THRESHOLD: u32 = MAX_DESCS_PER_FRAME;

/// Per-frame accounting returned by [`TxRing::queue`].
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
    /// Bytes DMA'd from the linear head.
    pub(crate) head_bytes: u64,
    /// Bytes DMA'd from page fragments.
    pub(crate) frag_bytes: u64,
    /// Of those, bytes from page-cache pages.
    pub(crate) page_cache_bytes: u64,
}

/// Totals returned by [`TxRing::reclaim`].
#[derive(Default)]
pub(crate) struct Reclaimed {
    /// Frames completed.
    pub(crate) frames: u32,
    /// Bytes completed (as BQL counts them).
    pub(crate) bytes: u32,
    /// Wire packets completed (TSO frames count their segments).
    pub(crate) packets: u64,
}

/// Why a frame could not be queued.
pub(crate) enum QueueError {
    /// Not enough free descriptors: retry later.
    Full(SkBuff),
    /// The frame was dropped (mapping or offload setup failed).
    Dropped,
}

#[derive(Default)]
struct Slot<'a> {
    /// Mapping of the buffer this descriptor starts (dropped first).
    map: Option<StreamingMap<'a>>,
    /// The frame, held by its last descriptor until completion.
    skb: Option<SkBuff>,
    /// On a frame's first descriptor: the index of its EOP descriptor.
    eop: Option<u32>,
    /// On a frame's first descriptor: its byte and wire-packet counts.
    bytes: u32,
    packets: u32,
}

/// The last checksum context written, so identical ones can be skipped.
#[derive(Clone, Copy, PartialEq, Eq)]
struct ChecksumContext {
    start: u32,
    offset: u32,
}

/// A transmit descriptor ring and the buffers in flight on it.
pub(crate) struct TxRing<'a> {
    dev: &'a Device<Bound>,
    desc: DescRing,
    cursor: RingCursor,
    slots: KVec<Slot<'a>>,
    last_context: Option<ChecksumContext>,
}

impl<'a> TxRing<'a> {
    /// Allocates an empty ring of `size` descriptors.
    pub(crate) fn new(dev: &'a Device<Bound>, size: RingSize) -> Result<Self> {
        let desc = DescRing::new(dev, size)?;
        let mut slots = KVec::with_capacity(size.get(), GFP_KERNEL)?;
        for _ in 0..size.get() {
            slots.push(Slot::default(), GFP_KERNEL)?;
        }
        Ok(Self {
            dev,
            desc,
            cursor: RingCursor::new(size),
            slots,
            last_context: None,
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

    /// Maps `skb` and writes its descriptors; the device sees them once the
    /// caller writes [`Self::tail`] to TDT.
    pub(crate) fn queue(&mut self, mut skb: SkBuff) -> Result<Queued, QueueError> {
        let offload = match skb.offload() {
            Ok(Offload::Checksum { start, offset }) if start + offset > u32::from(u8::MAX) => {
                // Offsets the context descriptor cannot express: checksum
                // in software instead.
                skb.checksum_help().map_err(|_| QueueError::Dropped)?;
                Offload::None
            }
            Ok(o) => o,
            Err(_) => return Err(QueueError::Dropped),
        };
        let needed = self.descriptors_needed(&skb, offload);
        if needed > self.cursor.unused() {
            return Err(QueueError::Full(skb));
        }

        let first = self.cursor.next_to_use();
        let mut next = first;
        let mut out = Queued {
            bytes: skb.len(),
            ..Queued::default()
        };

        let extended = offload != Offload::None;
        let context = self.context_for(offload);
        if let Some(ctx) = context {
            self.desc.write(next, ctx.encode());
            next = self.cursor.wrap(next + 1);
            out.context = true;
        }
        let (dcmd_extra, popts) = match offload {
            Offload::None => (0, 0),
            Offload::Checksum { .. } => (0, Popts::TXSM),
            Offload::Tso(t) => (
                TxCmd::TSE,
                Popts::TXSM | if t.ipv4 { Popts::IXSM } else { 0 },
            ),
        };
        let (packets, tso) = match offload {
            Offload::Tso(t) => (t.segments, true),
            _ => (1, false),
        };
        out.tso = tso;

        // Map every buffer, writing its descriptors as we go; the newest
        // descriptor is held back in `pending` so the frame's last one can
        // get EOP before it reaches memory. On failure `unwind` drops every
        // mapping made so far for this frame.
        let mut pending = None;
        let head_len = skb.headlen();
        if head_len > 0 {
            match StreamingMap::skb_head(self.dev, &skb, Direction::ToDevice) {
                Ok(map) => {
                    self.write_buffer(&mut next, &mut pending, map, extended, dcmd_extra, popts);
                    out.head_bytes = u64::from(head_len);
                }
                Err(_) => return Err(self.unwind(first, next)),
            }
        }
        for frag in skb.frags() {
            let len = frag.len();
            if len == 0 {
                continue;
            }
            match StreamingMap::frag(self.dev, &frag, 0, len, Direction::ToDevice) {
                Ok(map) => {
                    self.write_buffer(&mut next, &mut pending, map, extended, dcmd_extra, popts);
                    out.frag_bytes += u64::from(len);
                    if frag.is_page_cache() {
                        out.page_cache_bytes += u64::from(len);
                    }
                }
                Err(_) => return Err(self.unwind(first, next)),
            }
        }
        let Some((last, mut d)) = pending else {
            // Nothing to send (a zero-length frame).
            return Err(self.unwind(first, next));
        };
        // Close the frame: end of packet, and report status when sent.
        d[1] |= u64::from(TxCmd::EOP | TxCmd::RS) << 24;
        self.desc.write(last, d);

        let count = next.wrapping_sub(first) & self.cursor.size().mask();
        out.descriptors = count;
        let head = &mut self.slots[first as usize];
        head.eop = Some(last);
        head.bytes = out.bytes;
        head.packets = packets;
        self.slots[last as usize].skb = Some(skb);
        self.cursor.advance_use(count);
        Ok(out)
    }

    fn descriptors_needed(&self, skb: &SkBuff, offload: Offload) -> u32 {
        let pieces = |len: u32| len.div_ceil(MAX_TX_DESC_DATA as u32);
        let ctx = u32::from(offload != Offload::None);
        ctx + pieces(skb.headlen()) + skb.frags().map(|f| pieces(f.len())).sum::<u32>()
    }

    /// The context descriptor this frame needs, if any (an identical
    /// checksum context already in effect is reused).
    fn context_for(&mut self, offload: Offload) -> Option<ContextDescriptor> {
        match offload {
            Offload::None => None,
            Offload::Checksum { start, offset } => {
                let want = ChecksumContext { start, offset };
                if self.last_context == Some(want) {
                    return None;
                }
                self.last_context = Some(want);
                Some(ContextDescriptor::checksum(start as u8, offset as u8))
            }
            Offload::Tso(t) => {
                // A TSO context replaces whatever checksum context was set.
                self.last_context = None;
                Some(ContextDescriptor::tso(
                    t.ipv4,
                    t.ip_start as u8,
                    crate::glue::skb::Tso::IP_CSUM_OFFSET as u8,
                    t.l4_start as u8,
                    crate::glue::skb::Tso::TCP_CSUM_OFFSET as u8,
                    t.hdr_len as u8,
                    t.mss as u16,
                    t.payload_len,
                ))
            }
        }
    }

    /// Writes the descriptors for one mapped buffer starting at `*next`,
    /// split at the per-descriptor limit. The newest descriptor stays in
    /// `pending` (index, value) until the next one is written.
    fn write_buffer(
        &mut self,
        next: &mut u32,
        pending: &mut Option<(u32, [u64; 2])>,
        map: StreamingMap<'a>,
        extended: bool,
        dcmd: u8,
        popts: u8,
    ) {
        let (base, len) = (map.addr(), map.len());
        let start = *next;
        let mut done = 0u32;
        while done < len {
            let piece = (len - done).min(MAX_TX_DESC_DATA as u32);
            let addr = base + u64::from(done);
            let d = if extended {
                DataDescriptor {
                    buffer_addr: addr,
                    length: piece,
                    dcmd: dcmd | TxCmd::IFCS,
                    popts,
                    ..DataDescriptor::default()
                }
                .encode()
            } else {
                LegacyTxDescriptor {
                    buffer_addr: addr,
                    length: piece as u16,
                    cmd: TxCmd::IFCS,
                    ..LegacyTxDescriptor::default()
                }
                .encode()
            };
            if let Some((i, prev)) = pending.replace((*next, d)) {
                self.desc.write(i, prev);
            }
            *next = self.cursor.wrap(*next + 1);
            done += piece;
        }
        self.slots[start as usize].map = Some(map);
    }

    /// Drops the mappings of a partly queued frame.
    fn unwind(&mut self, first: u32, end: u32) -> QueueError {
        let n = end.wrapping_sub(first) & self.cursor.size().mask();
        for i in self.cursor.slots_from(first, n) {
            self.slots[i as usize].map = None;
        }
        // A context descriptor written for this frame never reaches the
        // device, so the cached one is no longer known to be in effect.
        self.last_context = None;
        QueueError::Dropped
    }

    /// Unmaps every frame the device has completed and hands it back to
    /// the stack as sent (consumed, not dropped).
    pub(crate) fn reclaim(&mut self, poll: &NapiPoll<'_>) -> Reclaimed {
        let mut done = Reclaimed::default();
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
            done.frames += 1;
            done.bytes += slot.bytes;
            done.packets += u64::from(slot.packets);
            slot.eop = None;
            for i in self.cursor.slots_from(first, n) {
                let slot = &mut self.slots[i as usize];
                slot.map = None;
                if let Some(skb) = slot.skb.take() {
                    poll.consume(skb);
                }
            }
            self.cursor.advance_clean(n);
        }
        done
    }

    /// Drops every frame still in flight (the device must be stopped);
    /// returns how many were dropped.
    pub(crate) fn drop_all(&mut self) -> u32 {
        let mut dropped = 0;
        for slot in self.slots.iter_mut() {
            slot.map = None;
            if slot.skb.take().is_some() {
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
