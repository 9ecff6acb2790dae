// SPDX-License-Identifier: GPL-2.0

//! The receive ring both families share: buffers handed to the device,
//! validated completions, and refill. Only the completion's layout and
//! the checksum verdict are the family's ([`RxFormat`]).
//!
//! A slot that has a mapped buffer keeps one: a completed frame is passed
//! up only if a replacement buffer could be allocated; otherwise (and for
//! any frame the device marked bad) the old buffer is recycled in place.
//! Only a ring built while allocations failed has empty slots, which
//! refill fills as it can; while one it reaches cannot be filled, the
//! poll keeps polling ([`RxRing::starved`]).

use super::port::Counters;
use crate::glue::{
    dma::{DescRing, MappedRxBuffer},
    netdev::{NapiPoll, NetDevice},
    skb::{RxBuffer, RxLayout, SkBuff},
};
use crate::hw::{
    ring::{RingCursor, RingSize},
    rx::{RxDescriptor, RxError, RxFrames, RxVerdict},
};
use core::marker::PhantomData;
use kernel::{
    device::{Bound, Device},
    prelude::*,
    sync::atomic::Atomic,
};

/// What the device found of a received frame's checksums.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum RxChecksum {
    /// Not checked (or not asked): the stack verifies them.
    Unchecked,
    /// Verified, no error: the stack need not verify them again.
    Verified,
    /// The device found an error; the stack verifies again and drops the
    /// frame if it agrees.
    Bad,
}

/// A family's receive completion. Static dispatch: the ring is generic
/// over it. Both families hand buffers over as `[address, 0]`
/// (`RxDescriptor::empty`).
pub(crate) trait RxFormat: Sized + Send + Sync + 'static {
    /// The completion in the shared (legacy) terms, from the second
    /// quadword of a descriptor.
    fn completion(word: u64) -> RxDescriptor;

    /// What the device says about the frame whose last descriptor, `i`,
    /// has second quadword `word` (already read, and showing DD): its
    /// checksum verdict if `checksums`, its RSS hash if `hash`.
    fn offloads(desc: &DescRing, i: u32, word: u64, checksums: bool, hash: bool) -> RxOffloads;

    /// The 802.1Q tag control information the device stripped from the
    /// frame whose last descriptor has second quadword `word`, if it
    /// says it stripped one. None for a family that never strips.
    #[inline(always)]
    fn vlan_tag(_word: u64) -> Option<u16> {
        None
    }
}

/// What the device reported of a good frame, besides its bytes.
#[derive(Clone, Copy)]
struct Received {
    /// Frame length.
    len: u32,
    /// Its checksum verdict and RSS hash.
    offloads: RxOffloads,
    /// The tag the device stripped from it.
    vlan: Option<u16>,
}

/// What the device reported about a received frame besides its length.
#[derive(Clone, Copy)]
pub(crate) struct RxOffloads {
    /// The checksum verdict.
    pub(crate) checksum: RxChecksum,
    /// The RSS hash, and whether it covers the ports (else only the
    /// addresses).
    pub(crate) hash: Option<(u32, bool)>,
}

impl RxOffloads {
    /// Nothing reported, or nothing asked.
    pub(crate) const NONE: Self = Self {
        checksum: RxChecksum::Unchecked,
        hash: None,
    };
}

/// What one poll of the ring did: the counts every frame moves. Drops,
/// errors and multicast frames go straight to [`Counters`] as they happen
/// (one locked add each), so the loop carries no register or stack slot
/// for them: a multicast stream pays an atomic add per frame, against
/// about 8 instructions per poll for every poll with a per-poll sum
/// (measured with `make profile`).
///
/// One poll consumes at most the descriptors in flight (at most
/// `RingSize::MAX`, 4096) before it refills, each frame at most
/// `u16::MAX` bytes (asserted below): every count, bytes included, stays
/// below `u32::MAX`, so they add without overflow checks.
#[derive(Default)]
pub(crate) struct RxWork {
    /// Descriptors consumed (the NAPI work count).
    pub(crate) descriptors: u32,
    /// Frames passed up the stack.
    pub(crate) packets: u32,
    /// Bytes passed up the stack.
    pub(crate) bytes: u32,
    /// Of those frames, the ones whose checksums the device verified.
    pub(crate) csum_verified: u32,
    /// Of those frames, the ones whose VLAN tag the device stripped.
    pub(crate) vlan_stripped: u32,
}

// A poll's bytes: at most a ring of frames of at most `u16::MAX` bytes each
// (the descriptor's length field).
// CAST: every value widens losslessly to u64.
const _: () = assert!(RingSize::MAX.get() as u64 * u16::MAX as u64 <= u32::MAX as u64);

/// Adds one event to a per-poll count (see [`RxWork`]: it cannot wrap).
fn bump(count: &mut u32) {
    *count = count.wrapping_add(1);
}

/// Counts one receive event that not every frame has.
fn count(counter: &Atomic<u64>) {
    Counters::add(counter, 1);
}

/// Whether a frame whose destination address starts with `first` goes to
/// a multicast or broadcast group (the I/G bit).
fn is_multicast_address(first: u8) -> bool {
    first & 1 != 0
}

/// Frames up to this size are copied into a small skb (as the C e1000
/// driver's copybreak does) instead of giving up the mapped buffer.
const COPYBREAK: u32 = 256;

/// A receive descriptor ring and its buffers.
///
/// # Invariants
///
/// - Every slot in `[next_to_clean, next_to_use)` holds a buffer mapped
///   for the device to write, whose bus address its descriptor carries;
///   the CPU reads such a buffer only after its descriptor shows DD and
///   the bytes were synced or unmapped.
/// - Outside that range a slot's buffer, if any, is mapped but not
///   referenced by the device, and its descriptor already reads
///   `RxDescriptor::empty` of its bus address (written as the slot was
///   cleaned, or filled): moving the tail over it hands it back.
/// - `empty_slots` counts the slots without a buffer.
/// - `frames` is at a frame boundary unless the last descriptor cleaned
///   lacked EOP.
pub(crate) struct RxRing<'a, F: RxFormat> {
    dev: &'a Device<Bound>,
    desc: DescRing,
    cursor: RingCursor,
    slots: KVec<Option<MappedRxBuffer<'a>>>,
    /// Slots without a buffer: a new ring's, or ones whose allocation
    /// failed. While there are none, refill only moves the tail.
    empty_slots: u32,
    /// The last refill that walked the slots stopped at one it could not
    /// fill: the poll keeps polling (see [`Self::starved`]).
    starved: bool,
    /// How every buffer is laid out; its length is the longest frame the
    /// device may store.
    layout: RxLayout,
    /// Where the descriptor sequence stands between frames.
    frames: RxFrames,
    _format: PhantomData<F>,
}

impl<'a, F: RxFormat> RxRing<'a, F> {
    /// Allocates a ring of `size` descriptors with buffers for frames of
    /// up to `max_frame` bytes and hands the device up to `size - 1` of
    /// them: at least one, or `ENOMEM`.
    pub(crate) fn new(
        dev: &'a Device<Bound>,
        netdev: &NetDevice,
        size: RingSize,
        max_frame: u32,
    ) -> Result<Self> {
        let desc = DescRing::new(dev, size)?;
        let mut slots = KVec::with_capacity(size.get(), GFP_KERNEL)?;
        for _ in 0..size.get() {
            slots.push(None, GFP_KERNEL)?;
        }
        let mut ring = Self {
            dev,
            desc,
            cursor: RingCursor::new(size),
            slots,
            // Every slot (`RingSize::MAX` at most: no overflow).
            empty_slots: size.mask() + 1,
            starved: false,
            // Frames up to a standard MTU go into page fragments and become
            // sk_buffs only on arrival; jumbo buffers do not fit a page, so
            // they are whole sk_buffs from the start.
            layout: RxLayout::fragment(max_frame).unwrap_or(RxLayout::skb(max_frame)),
            frames: RxFrames::new(),
            _format: PhantomData,
        };
        ring.refill(netdev, None);
        if ring.cursor.is_empty() {
            return Err(ENOMEM);
        }
        Ok(ring)
    }

    /// Bus address of the descriptors (RDBAL/RDBAH).
    pub(crate) fn dma_address(&self) -> u64 {
        self.desc.dma_address()
    }

    /// The ring size (RDLEN is `size.bytes()`).
    pub(crate) fn size(&self) -> RingSize {
        self.desc.size()
    }

    /// The tail value to write to RDT.
    pub(crate) fn tail(&self) -> u32 {
        self.cursor.next_to_use()
    }

    /// A fresh mapped buffer; `poll` when called from the NAPI poll.
    #[inline(always)]
    fn alloc_buffer(
        &self,
        netdev: &NetDevice,
        poll: Option<&NapiPoll<'_>>,
    ) -> Option<MappedRxBuffer<'a>> {
        MappedRxBuffer::new(self.dev, RxBuffer::alloc(netdev, &self.layout, poll)?).ok()
    }

    /// Hands every free slot back to the device, allocating buffers where
    /// a slot has none (`poll` when called from the NAPI poll). Returns
    /// whether the tail moved (RDT must be written; the descriptors are
    /// ordered before it).
    ///
    /// A free slot's descriptor already carries its buffer (type
    /// invariant), so while no slot lacks one, only the tail moves.
    #[inline]
    pub(crate) fn refill(&mut self, netdev: &NetDevice, poll: Option<&NapiPoll<'_>>) -> bool {
        let free = self.cursor.unused();
        if free == 0 {
            return false;
        }
        if self.empty_slots == 0 {
            self.cursor.advance_use(free);
        } else if !self.fill_slots(netdev, poll) {
            return false;
        }
        self.desc.publish();
        true
    }

    /// The slow refill: walks the free slots from the tail, filling the
    /// ones without a buffer, up to the first that cannot be filled (try
    /// again on the next poll). Whether the tail moved.
    #[cold]
    #[inline(never)]
    fn fill_slots(&mut self, netdev: &NetDevice, poll: Option<&NapiPoll<'_>>) -> bool {
        let mut moved = false;
        self.starved = false;
        while !self.cursor.is_full() {
            let i = self.cursor.next_to_use();
            if self.slots[i as usize].is_none() {
                let Some(buf) = self.alloc_buffer(netdev, poll) else {
                    self.starved = true;
                    break;
                };
                self.install(i, buf);
            }
            self.cursor.advance_use(1);
            moved = true;
        }
        moved
    }

    /// Whether the last refill stopped at a slot it could not fill, so
    /// that buffers wait behind it. The poll then reports its whole
    /// budget and NAPI polls again (as the C ixgbe does), rather than
    /// waiting for an interrupt that a device short of buffers may never
    /// raise (QEMU's 82576 holds frames back and says nothing).
    pub(crate) fn starved(&self) -> bool {
        self.starved
    }

    /// Gives empty slot `i`, which the device does not hold (outside its
    /// range, or written back), buffer `buf`, and its descriptor `buf`'s
    /// address.
    fn install(&mut self, i: u32, buf: MappedRxBuffer<'a>) {
        self.desc.write(i, RxDescriptor::empty(buf.addr()));
        self.slots[i as usize] = Some(buf);
        // The slot was empty, so counted.
        debug_assert!(self.empty_slots > 0);
        self.empty_slots = self.empty_slots.saturating_sub(1);
    }

    /// Writes cleaned slot `i`'s descriptor for its buffer's next frame,
    /// before the slot leaves the device's range (after everything the
    /// device wrote back in it was read): refill then only moves the
    /// tail. A slot without a buffer is left to [`Self::fill_slots`].
    #[inline(always)]
    fn rearm(&self, i: u32) {
        if let Some(buf) = &self.slots[i as usize] {
            self.desc.write(i, RxDescriptor::empty(buf.addr()));
        }
    }

    /// Receives up to the poll's budget of frames into the stack;
    /// `checksums` whether the device's checksum verdicts are to be used
    /// (`ethtool -K rx`), `hash` whether its RSS hashes are (`rxhash`).
    pub(crate) fn poll(
        &mut self,
        netdev: &NetDevice,
        poll: &NapiPoll<'_>,
        counters: &Counters,
        checksums: bool,
        hash: bool,
    ) -> RxWork {
        let mut work = RxWork::default();
        // A poll for TX completions alone finds nothing here: it leaves
        // before the loop, whose set-up loads and spills the ring's state.
        if !self.next_written() {
            return work;
        }
        while work.descriptors < poll.budget() && !self.cursor.is_empty() {
            let i = self.cursor.next_to_clean();
            let word = self.desc.read_status_word(i);
            let rx = F::completion(word);
            match self.frames.next(&rx, self.layout.len()) {
                RxVerdict::NotDone => break,
                RxVerdict::Deliver(frame) => {
                    let offloads = if checksums || hash {
                        F::offloads(&self.desc, i, word, checksums, hash)
                    } else {
                        RxOffloads::NONE
                    };
                    if offloads.checksum == RxChecksum::Bad {
                        count(&counters.rx_csum_errors);
                    }
                    // The tag is taken whatever `rxvlan` says now: a frame the
                    // device stripped carries it only in the descriptor (it
                    // may have arrived before the feature went off).
                    let frame = Received {
                        len: u32::from(frame.len),
                        offloads,
                        vlan: F::vlan_tag(word),
                    };
                    self.deliver(netdev, poll, i, frame, &mut work, counters);
                }
                // The buffer is rearmed in place below either way.
                RxVerdict::Continuation => {}
                RxVerdict::Drop(RxError::MultiDescriptor) => count(&counters.rx_multi_descriptor),
                RxVerdict::Drop(RxError::TooLong { .. } | RxError::TooShort(_)) => {
                    count(&counters.rx_length_errors)
                }
                RxVerdict::Drop(_) => count(&counters.rx_errors),
            }
            self.rearm(i);
            bump(&mut work.descriptors);
            self.cursor.advance_clean(1);
        }
        work
    }

    /// Whether the device has written back the oldest descriptor in flight.
    #[inline]
    fn next_written(&self) -> bool {
        !self.cursor.is_empty()
            && F::completion(self.desc.read_status_word(self.cursor.next_to_clean())).is_written()
    }

    /// Passes the frame in slot `i` up, replacing its buffer; recycles the
    /// buffer instead when no replacement can be had. Small frames (ACKs,
    /// requests) are copied out and the buffer stays mapped: a copy of a
    /// few hundred bytes is cheaper than a fresh buffer and mapping.
    /// `frame` is its length and what the device reported about it.
    fn deliver(
        &mut self,
        netdev: &NetDevice,
        poll: &NapiPoll<'_>,
        i: u32,
        frame: Received,
        work: &mut RxWork,
        counters: &Counters,
    ) {
        let len = frame.len;
        if len <= COPYBREAK {
            let Some(buf) = &mut self.slots[i as usize] else {
                return;
            };
            // The view syncs the frame for the CPU, and back when dropped.
            let view = buf.view(len);
            let multicast = view.byte(0).is_some_and(is_multicast_address);
            let copy = view.copy_to_skb(poll);
            drop(view);
            match copy {
                Some(skb) => Self::pass_up(poll, skb, frame, multicast, work, counters),
                None => count(&counters.rx_alloc_failed),
            }
            return;
        }
        let Some(fresh) = RxBuffer::alloc(netdev, &self.layout, Some(poll)) else {
            count(&counters.rx_alloc_failed);
            return;
        };
        let Some(mapped) = &mut self.slots[i as usize] else {
            // Slots in the device's range hold buffers (type invariant),
            // so this does not happen; an empty slot is filled, not read.
            if let Ok(buf) = MappedRxBuffer::new(self.dev, fresh) {
                self.install(i, buf);
            }
            return;
        };
        // The fresh buffer takes the old one's place, which comes back
        // unmapped: the CPU's to read.
        let Ok(received) = mapped.remap(fresh) else {
            count(&counters.rx_alloc_failed);
            return;
        };
        let multicast = len > 0 && received.byte(0).is_some_and(is_multicast_address);
        match received.into_skb(poll, len) {
            Some(skb) => Self::pass_up(poll, skb, frame, multicast, work, counters),
            None => count(&counters.rx_alloc_failed),
        }
    }

    #[inline(always)]
    fn pass_up(
        poll: &NapiPoll<'_>,
        mut skb: SkBuff,
        frame: Received,
        multicast: bool,
        work: &mut RxWork,
        counters: &Counters,
    ) {
        if multicast {
            count(&counters.rx_multicast);
        }
        if frame.offloads.checksum == RxChecksum::Verified {
            skb.set_checksum_unnecessary();
            bump(&mut work.csum_verified);
        }
        if let Some((hash, l4)) = frame.offloads.hash {
            skb.set_hash(hash, l4);
        }
        if let Some(tci) = frame.vlan {
            skb.put_vlan_tag(tci);
            bump(&mut work.vlan_stripped);
        }
        bump(&mut work.packets);
        work.bytes = work.bytes.wrapping_add(frame.len);
        poll.receive(skb);
    }
}
