// SPDX-License-Identifier: GPL-2.0

//! DMA memory: coherent descriptor rings and streaming buffer mappings.
//!
//! Descriptor rings use the kernel crate's [`Coherent`] allocation. The
//! kernel crate has no streaming mapping for pages or sk_buffs, so the
//! two kinds sgnic needs are here, each with its direction in its type:
//! [`MappedSkb`] (a whole frame, head and pages, for the device to read) and
//! [`MappedRxBuffer`] (a receive buffer the device writes, whose bytes the
//! CPU sees only through a synced [`RxView`] or once unmapped). Each
//! mapping undoes exactly what it did when dropped, which is what DMA-API
//! debugging checks.

use super::bindings as b;
use super::netdev::NapiPoll;
use super::skb::{RxBuffer, SkBuff, MAX_FRAGS};
use crate::hw::ring::RingSize;
use core::{
    ffi::c_int,
    mem::{ManuallyDrop, MaybeUninit},
};
use kernel::{
    device::{Bound, Device},
    dma::{Coherent, DataDirection},
    io::{io_read, io_write, SysMem},
    prelude::*,
    sync::barrier::{dma_mb, Read, Write},
};

/// The C `struct device` behind a kernel-crate device reference.
pub(in crate::glue) fn raw_device(dev: &Device<Bound>) -> *mut b::device {
    // `Device` is a `#[repr(transparent)]` wrapper around the C `struct
    // device`, so the reference's address is the C object's.
    core::ptr::from_ref(dev).cast::<b::device>().cast_mut()
}

/// A ring of 16-byte descriptors in coherent DMA memory.
///
/// The device reads and writes this memory concurrently, so every access
/// is a volatile access of a whole 64-bit word, through the kernel crate's
/// `io_read!`/`io_write!`.
///
/// # Invariants
///
/// `mem` holds `2 * size` words: two per descriptor.
pub struct DescRing {
    mem: Coherent<[u64]>,
    size: RingSize,
}

impl DescRing {
    /// Allocates a zeroed ring of `size` descriptors for `dev`.
    pub fn new(dev: &Device<Bound>, size: RingSize) -> Result<Self> {
        let mem = Coherent::<u64>::zeroed_slice(dev, size.get() * 2, GFP_KERNEL)?;
        // INVARIANT: two words per descriptor.
        Ok(Self { mem, size })
    }

    /// Bus address of descriptor 0, for RDBAL/TDBAL.
    pub fn dma_address(&self) -> u64 {
        self.mem.dma_address()
    }

    /// Number of descriptors.
    pub fn size(&self) -> RingSize {
        self.size
    }

    /// Descriptor `index` (masked to the ring) as a kernel-crate I/O view,
    /// so each word is one volatile access through `io_read!`/`io_write!`.
    /// The mask already bounds the index: a projection of the whole ring
    /// would check it again on every access, and compute a DMA address
    /// nobody uses (about 100 instructions per request/response
    /// transaction, measured).
    #[inline]
    fn desc(&self, index: u32) -> SysMem<'_, [u64; 2]> {
        let i = (index & self.size.mask()) as usize;
        let desc = self.mem.as_mut_ptr().cast::<[u64; 2]>().wrapping_add(i);
        // SAFETY: the mask keeps `i` below `size`, and `mem` holds two
        // aligned words per descriptor (type invariant), so `desc` is 16
        // bytes inside the allocation, which lives as long as `&self`.
        unsafe { SysMem::new(desc) }
    }

    /// Writes descriptor `index` (CPU order), address word first; the
    /// device reads the ring concurrently.
    #[inline]
    pub fn write(&self, index: u32, desc: [u64; 2]) {
        let slot = self.desc(index);
        io_write!(slot, [build: 0], desc[0].to_le());
        io_write!(slot, [build: 1], desc[1].to_le());
    }

    /// Reads the status half of descriptor `index` (CPU order). Where the
    /// device writes status, length and errors share this word, so one
    /// 64-bit load sees them consistently.
    #[inline]
    pub fn read_status_word(&self, index: u32) -> u64 {
        let v = u64::from_le(io_read!(self.desc(index), [build: 1]));
        // Nothing the device wrote for this descriptor may be read before
        // its status.
        dma_mb(Read);
        v
    }

    /// Reads the address half of descriptor `index` (CPU order), where a
    /// write-back may leave more about the frame (the 82576's packet
    /// type). Only after [`Self::read_status_word`] showed the descriptor
    /// written: that read's barrier orders this one after it.
    #[inline]
    pub fn read_info_word(&self, index: u32) -> u64 {
        u64::from_le(io_read!(self.desc(index), [build: 0]))
    }

    /// Orders descriptor writes before a doorbell (tail) write.
    pub fn publish(&self) {
        dma_mb(Write);
    }
}

/// A coherent buffer cut into equal slots that the CPU fills and the
/// device reads (per-descriptor headers of driver-built segments, small
/// frames copied whole).
///
/// The device may read any slot at any time, so the CPU writes it only
/// through volatile stores of whole 64-bit words, as [`DescRing`] does, or
/// through C (`memcpy`, `skb_copy_bits`): never through a Rust reference.
///
/// # Invariants
///
/// `mem` holds `slots * slot_words` words of 8 bytes; `slot_words > 0`.
pub struct SlotBuffer {
    mem: Coherent<[u64]>,
    slot_words: usize,
    slots: usize,
}

impl SlotBuffer {
    /// Allocates `slots` zeroed slots of `slot_len` bytes (rounded up to
    /// whole words) for `dev`.
    pub fn new(dev: &Device<Bound>, slots: usize, slot_len: usize) -> Result<Self> {
        let words = slot_len.div_ceil(8);
        if words == 0 {
            return Err(EINVAL);
        }
        let mem = Coherent::<u64>::zeroed_slice(
            dev,
            slots.checked_mul(words).ok_or(EINVAL)?,
            GFP_KERNEL,
        )?;
        // INVARIANT: allocated with exactly that many words; `words > 0`.
        Ok(Self {
            mem,
            slot_words: words,
            slots,
        })
    }

    /// Copies `bytes` into slot `slot` (the rest of its last word zeroed)
    /// and returns the bus address of the slot. What the device reads
    /// there before the caller hands it the address is the caller's
    /// concern, not memory safety: the stores are volatile, like the
    /// device's own accesses.
    pub fn fill(&mut self, slot: usize, bytes: &[u8]) -> Result<u64> {
        let Some(first) = self.first_word(slot, bytes.len()) else {
            return Err(EINVAL);
        };
        for (i, chunk) in bytes.chunks(8).enumerate() {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            // SAFETY: `first + i` is inside the allocation (type invariant
            // and `first_word`: at most `slot_words` words from `first`),
            // and aligned; `&mut self` keeps other CPUs out.
            unsafe {
                self.mem
                    .as_mut_ptr()
                    .cast::<u64>()
                    .add(first + i)
                    .write_volatile(u64::from_ne_bytes(word));
            }
        }
        Ok(self.slot_address(first))
    }

    /// Bytes each slot holds.
    pub fn slot_len(&self) -> usize {
        self.slot_words * 8
    }

    /// Index of slot `slot`'s first word, if there is such a slot and it
    /// holds `len` bytes.
    #[inline]
    fn first_word(&self, slot: usize, len: usize) -> Option<usize> {
        // No overflow: `slot < slots`, and `slots * slot_words` words were
        // allocated (type invariant).
        (slot < self.slots && len <= self.slot_len()).then(|| slot * self.slot_words)
    }

    /// Copies all of `skb`'s bytes, head and fragments, into slot `slot`
    /// and returns the slot's bus address.
    pub fn copy_skb(&mut self, slot: usize, skb: &SkBuff) -> Result<u64> {
        let len = skb.len();
        // CAST: u32 to usize is lossless on every kernel target.
        let Some(first) = self.first_word(slot, len as usize) else {
            return Err(EINVAL);
        };
        let dst = self.mem.as_mut_ptr().cast::<u64>().wrapping_add(first);
        // C writes the bytes: no Rust reference to device-read memory.
        // SAFETY: `dst` has `slot_words` words of the allocation (invariant,
        // `first_word`), at least `len` bytes; `&mut self` keeps CPUs out.
        unsafe { skb.copy_to(dst.cast())? };
        Ok(self.slot_address(first))
    }

    /// Bus address of the word at index `word`.
    fn slot_address(&self, word: usize) -> u64 {
        // CAST: a usize offset inside an allocation fits a bus address.
        // Neither step wraps: the offset is inside the allocation, which
        // does not wrap the bus address space.
        let offset = word.wrapping_mul(8) as u64;
        self.mem.dma_address().wrapping_add(offset)
    }
}

/// The C value of a DMA direction.
fn raw_direction(dir: DataDirection) -> c_int {
    // CAST: the DMA_* enumerators are small non-negative values.
    match dir {
        DataDirection::ToDevice => b::dma_data_direction_DMA_TO_DEVICE as c_int,
        DataDirection::FromDevice => b::dma_data_direction_DMA_FROM_DEVICE as c_int,
        DataDirection::Bidirectional => b::dma_data_direction_DMA_BIDIRECTIONAL as c_int,
        DataDirection::None => b::dma_data_direction_DMA_NONE as c_int,
    }
}

/// One buffer of a mapped frame, as the device reads it.
#[derive(Clone, Copy, Debug, Default)]
pub struct DmaBuf {
    /// Bus address.
    pub addr: u64,
    /// Length in bytes; 0 for a buffer that is not mapped.
    pub len: u32,
    /// Whether the bytes are in a page-cache page (a fragment only).
    pub page_cache: bool,
}

/// A frame mapped for the device to read ([`DataDirection::ToDevice`]).
/// It owns the skb: the head and every fragment stay mapped, and the skb
/// unchanged (there is only `&` access to it), until it is dropped or
/// unmapped ([`Self::unmap_in_place`]), which undo each mapping the way
/// it was made.
///
/// It is put into the slot it lives in ([`Self::map_into`]) before any
/// buffer is mapped, and only the entries in use are ever written: nothing
/// zeroes the unused ones, and no finished record is moved.
///
/// # Invariants
///
/// - `bufs[..count]` are initialised; the rest are not, and are never read;
/// - `bufs[0]` (if `count > 0`), if its `len` is not 0, is the skb's head,
///   mapped with `dma_map_single` on `dev`;
/// - `bufs[1 + i]` (if `1 + i < count`), if its `len` is not 0, is fragment
///   `i`, mapped whole with `skb_frag_dma_map` on `dev`;
/// - `skb` is live until `unmap_in_place` or drop, after the last unmapping;
/// - if `copied`, nothing is mapped: `count` is at most 1, and `bufs[0]`
///   holds the bus address of the [`SlotBuffer`] slot the whole frame was
///   copied into ([`Self::copy_into`]). That the slot lives, and keeps
///   those bytes, while the device may read them is the caller's to
///   ensure, as for every bus address it writes into a descriptor: the
///   device reading other bytes is wrong data, not a CPU memory error.
pub struct MappedSkb<'a> {
    dev: &'a Device<Bound>,
    skb: ManuallyDrop<SkBuff>,
    copied: bool,
    /// Entries initialised: 1 + the number of fragments, once mapped.
    count: usize,
    /// Bytes mapped from fragments, and of those from page-cache pages,
    /// counted while mapping so that nobody walks the buffers again.
    frag_bytes: u32,
    page_cache_bytes: u32,
    bufs: [MaybeUninit<DmaBuf>; 1 + MAX_FRAGS],
}

// SAFETY: the mappings are bus addresses on `dev`, and the skb may be
// freed from any context; nothing is shared.
unsafe impl Send for MappedSkb<'_> {}

impl<'a> MappedSkb<'a> {
    /// Maps the head and every fragment of `skb`, recording the mappings
    /// in `slot` (which must be empty; anything in it is dropped first),
    /// and lends the result. On failure whatever was mapped is unmapped,
    /// the skb freed and `slot` left empty.
    pub fn map_into<'s>(
        slot: &'s mut Option<Self>,
        dev: &'a Device<Bound>,
        skb: SkBuff,
    ) -> Result<&'s Self> {
        // INVARIANT: nothing is initialised or mapped yet.
        let this = Self {
            dev,
            skb: ManuallyDrop::new(skb),
            copied: false,
            count: 0,
            frag_bytes: 0,
            page_cache_bytes: 0,
            bufs: [const { MaybeUninit::uninit() }; 1 + MAX_FRAGS],
        };
        if let Err(e) = slot.insert(this).map_all() {
            // Unmaps what was mapped and frees the skb.
            *slot = None;
            return Err(e);
        }
        // Just filled.
        slot.as_ref().ok_or(EINVAL)
    }

    /// Copies all of `skb` into slot `index` of `bounce` (TX copybreak)
    /// and records it in `slot` (which must be empty; anything in it is
    /// dropped first), holding the skb as a mapped frame is held: its one
    /// buffer is the slot. On failure the skb is freed and `slot` left
    /// empty.
    ///
    /// The slot's bytes must not change until the device has read them:
    /// the caller owns slot `index` (its ring's slot of the same index).
    pub fn copy_into<'s>(
        slot: &'s mut Option<Self>,
        dev: &'a Device<Bound>,
        skb: SkBuff,
        bounce: &mut SlotBuffer,
        index: usize,
    ) -> Result<&'s Self> {
        *slot = None;
        let addr = bounce.copy_skb(index, &skb)?;
        let len = skb.len();
        // INVARIANT: nothing mapped, one entry: the copy.
        let this = slot.insert(Self {
            dev,
            skb: ManuallyDrop::new(skb),
            copied: true,
            count: 0,
            frag_bytes: 0,
            page_cache_bytes: 0,
            bufs: [const { MaybeUninit::uninit() }; 1 + MAX_FRAGS],
        });
        this.bufs[0].write(DmaBuf {
            addr,
            len,
            page_cache: false,
        });
        this.count = 1;
        Ok(this)
    }

    /// Whether the frame was copied ([`Self::copy_into`]) rather than
    /// mapped.
    pub fn is_copied(&self) -> bool {
        self.copied
    }

    /// Maps the head, then the fragments, initialising one entry each.
    fn map_all(&mut self) -> Result {
        let (rdev, dir) = (raw_device(self.dev), raw_direction(DataDirection::ToDevice));
        let head = self.skb.headlen();
        let buf = if head > 0 {
            // SAFETY: `data()` points to `headlen` bytes of the skb, which
            // `self` owns, and nobody changes, until after the unmapping.
            let addr = unsafe {
                b::sgnic_dma_map_single(rdev, self.skb.data().cast(), head as usize, dir)
            };
            checked(self.dev, addr, head, false)?
        } else {
            DmaBuf::default()
        };
        // INVARIANT: initialised, and counted only once it holds a mapping
        // that succeeded (or none).
        self.bufs[0].write(buf);
        self.count = 1;
        for (i, frag) in self.skb.frags().enumerate() {
            let len = frag.len();
            let buf = if len == 0 {
                DmaBuf::default()
            } else {
                // SAFETY: `frag` is a fragment of the owned skb, mapped
                // whole.
                let addr =
                    unsafe { b::sgnic_skb_frag_dma_map(rdev, frag.as_raw(), 0, len as usize, dir) };
                let page_cache = frag.is_page_cache();
                let buf = checked(self.dev, addr, len, page_cache)?;
                // The fragments' lengths add up to `skb->data_len`, a u32.
                self.frag_bytes = self.frag_bytes.wrapping_add(len);
                if page_cache {
                    self.page_cache_bytes = self.page_cache_bytes.wrapping_add(len);
                }
                buf
            };
            // INVARIANT: as for the head; `frags` yields at most MAX_FRAGS.
            self.bufs[1 + i].write(buf);
            self.count = 2 + i;
        }
        Ok(())
    }

    /// The initialised entries.
    fn entries(&self) -> &[DmaBuf] {
        let init = &self.bufs[..self.count];
        // SAFETY: `bufs[..count]` are initialised (type invariant), and
        // `MaybeUninit<T>` has `T`'s layout.
        unsafe { core::slice::from_raw_parts(init.as_ptr().cast::<DmaBuf>(), init.len()) }
    }

    /// The frame (read only: it must not change while mapped).
    pub fn skb(&self) -> &SkBuff {
        &self.skb
    }

    /// The head's mapping (`len` 0 if the head is empty).
    #[inline]
    pub fn head(&self) -> DmaBuf {
        self.entries().first().copied().unwrap_or_default()
    }

    /// Fragment `i`'s mapping (`len` 0 if it is empty or absent).
    #[inline]
    pub fn frag(&self, i: usize) -> DmaBuf {
        self.entries().get(1 + i).copied().unwrap_or_default()
    }

    /// Bytes mapped from page fragments.
    pub fn frag_bytes(&self) -> u32 {
        self.frag_bytes
    }

    /// Of those, bytes from page-cache pages.
    pub fn page_cache_bytes(&self) -> u32 {
        self.page_cache_bytes
    }

    /// The mapped buffers in frame order: the head, then the fragments,
    /// empty ones left out.
    #[inline]
    pub fn buffers(&self) -> impl Iterator<Item = DmaBuf> + '_ {
        self.entries().iter().copied().filter(|b| b.len != 0)
    }

    /// Unmaps the frame in `slot` where it lies and gives the skb back,
    /// leaving `slot` empty (`None` if it was). Only the skb pointer
    /// leaves the slot: taking the record out first would copy all of it,
    /// about 300 bytes, per frame.
    #[inline]
    pub fn unmap_in_place(slot: &mut Option<Self>) -> Option<SkBuff> {
        let this = slot.as_mut()?;
        this.unmap_all();
        // SAFETY: taken once; the record is overwritten below without
        // being dropped, so its `Drop` never touches the skb again.
        let skb = unsafe { ManuallyDrop::take(&mut this.skb) };
        // SAFETY: `slot` is valid for writes. The record it held keeps
        // nothing that needs dropping (nothing mapped, the skb taken), so
        // overwriting it without a drop leaks nothing.
        unsafe { core::ptr::write(slot, None) };
        Some(skb)
    }

    // Inlined where it was before copies existed: out of line, each frame
    // pays a call (4k instructions per sendfile MiB, measured).
    #[inline(always)]
    fn unmap_all(&mut self) {
        if self.copied {
            // INVARIANT: a copy maps nothing.
            self.count = 0;
            return;
        }
        let (dev, dir) = (raw_device(self.dev), raw_direction(DataDirection::ToDevice));
        for (i, buf) in self.entries().iter().enumerate() {
            if buf.len == 0 {
                continue;
            }
            // SAFETY: mapped with this kind, length and direction (type
            // invariant); `count` is zeroed after the loop, so never
            // unmapped twice.
            unsafe {
                if i == 0 {
                    b::sgnic_dma_unmap_single(dev, buf.addr, buf.len as usize, dir)
                } else {
                    b::sgnic_dma_unmap_page(dev, buf.addr, buf.len as usize, dir)
                }
            }
        }
        // INVARIANT: nothing is left mapped.
        self.count = 0;
    }
}

impl Drop for MappedSkb<'_> {
    fn drop(&mut self) {
        self.unmap_all();
        // SAFETY: dropped once, here, after the last unmapping.
        unsafe { ManuallyDrop::drop(&mut self.skb) };
    }
}

/// The mapping just made at `addr`, or `ENOMEM` if it failed.
fn checked(dev: &Device<Bound>, addr: u64, len: u32, page_cache: bool) -> Result<DmaBuf> {
    // SAFETY: `addr` was just returned by a mapping call on `dev`.
    if unsafe { b::sgnic_dma_mapping_error(raw_device(dev), addr) } != 0 {
        return Err(ENOMEM);
    }
    Ok(DmaBuf {
        addr,
        len,
        page_cache,
    })
}

/// A receive buffer handed to the device, which owns its bytes: the CPU
/// reads them only through an [`RxView`] (synced for the CPU while it
/// lives) or after [`Self::remap`] gives the buffer back.
///
/// # Invariants
///
/// `buf`'s `buf.len()` bytes are mapped at `addr` on `dev`, from the device
/// ([`DataDirection::FromDevice`]); they are unmapped only by drop, which
/// consumes `self`, or by `remap`, which maps a new buffer in their place
/// before it returns.
pub struct MappedRxBuffer<'a> {
    dev: &'a Device<Bound>,
    addr: u64,
    buf: ManuallyDrop<RxBuffer>,
}

// SAFETY: the buffer and its mapping may be moved to and dropped in any
// context (the RX ring lives under a lock taken in several).
unsafe impl Send for MappedRxBuffer<'_> {}

impl<'a> MappedRxBuffer<'a> {
    /// Maps `buf` for the device to write a frame into; on failure the
    /// buffer is freed.
    pub fn new(dev: &'a Device<Bound>, buf: RxBuffer) -> Result<Self> {
        let addr = map_rx(dev, &buf)?;
        // INVARIANT: mapped from the device above.
        Ok(Self {
            dev,
            addr,
            buf: ManuallyDrop::new(buf),
        })
    }

    /// Bus address of the buffer, for its descriptor.
    pub fn addr(&self) -> u64 {
        self.addr
    }

    /// Lends the first `len` bytes (at most the buffer) to the CPU, synced
    /// for it; they go back to the device when the view is dropped.
    pub fn view(&mut self, len: u32) -> RxView<'_, 'a> {
        let len = len.min(self.buf.len());
        self.sync(len, true);
        RxView { buf: self, len }
    }

    fn sync(&self, len: u32, for_cpu: bool) {
        let (dev, dir) = (
            raw_device(self.dev),
            raw_direction(DataDirection::FromDevice),
        );
        // SAFETY: `len` is within the live mapping (type invariant; the
        // caller clamps it).
        unsafe {
            if for_cpu {
                b::sgnic_dma_sync_single_for_cpu(dev, self.addr, len as usize, dir)
            } else {
                b::sgnic_dma_sync_single_for_device(dev, self.addr, len as usize, dir)
            }
        }
    }

    /// Maps `fresh` in this buffer's place and hands the old one back
    /// unmapped (its bytes are the CPU's), or gives `fresh` back if it
    /// could not be mapped, leaving this buffer as it was. In place: only
    /// the address and the buffer's own fields change, where taking the
    /// old buffer out and putting a new one in would move both whole.
    #[inline(always)]
    pub fn remap(&mut self, fresh: RxBuffer) -> core::result::Result<ReceivedRxBuffer, RxBuffer> {
        let addr = match map_rx(self.dev, &fresh) {
            Ok(addr) => addr,
            Err(_) => return Err(fresh),
        };
        // SAFETY: `addr` and `buf` are overwritten just below, before any
        // other use; nothing between can fail or return early.
        unsafe { self.unmap_in_place() };
        // INVARIANT: `fresh`'s bytes are mapped at `addr` on `dev`, the
        // device `self` maps on.
        self.addr = addr;
        let old = core::mem::replace(&mut *self.buf, fresh);
        Ok(ReceivedRxBuffer(old))
    }

    /// Unmaps the buffer, leaving `self` describing a mapping that is gone.
    ///
    /// # Safety
    ///
    /// The caller must not use `self` again except to overwrite `addr`
    /// and `buf` with a new mapping, or to free `buf` without dropping
    /// `self` (which would unmap a second time).
    unsafe fn unmap_in_place(&mut self) {
        let (dev, dir) = (
            raw_device(self.dev),
            raw_direction(DataDirection::FromDevice),
        );
        // SAFETY: mapped exactly so (type invariant); the caller does not
        // unmap it again (the function's contract).
        unsafe { b::sgnic_dma_unmap_single(dev, self.addr, self.buf.len() as usize, dir) }
    }
}

/// Maps `buf`'s bytes for `dev` to write into; the bus address, or
/// `ENOMEM`. The caller owns the mapping: it must unmap it (length
/// `buf.len()`, from the device) before `buf` is freed or read.
#[inline(always)]
fn map_rx(dev: &Device<Bound>, buf: &RxBuffer) -> Result<u64> {
    // SAFETY: `buf.data()` is followed by `buf.len()` bytes of the
    // buffer, which the caller keeps until it unmaps them.
    let addr = unsafe {
        b::sgnic_dma_map_single(
            raw_device(dev),
            buf.data().cast(),
            buf.len() as usize,
            raw_direction(DataDirection::FromDevice),
        )
    };
    // SAFETY: `addr` was just returned by a mapping call on `dev`.
    if unsafe { b::sgnic_dma_mapping_error(raw_device(dev), addr) } != 0 {
        return Err(ENOMEM);
    }
    Ok(addr)
}

impl Drop for MappedRxBuffer<'_> {
    fn drop(&mut self) {
        // SAFETY: `self` is not used again but to free `buf` below.
        unsafe { self.unmap_in_place() };
        // SAFETY: dropped exactly once, here, after the mapping is gone.
        unsafe { ManuallyDrop::drop(&mut self.buf) }
    }
}

/// The first bytes of a [`MappedRxBuffer`], synced for the CPU. The buffer
/// is still mapped, so the device could in principle write it: the view
/// hands out copies and single volatile reads, never a reference.
///
/// # Invariants
///
/// The first `len` bytes of `buf` are synced for the CPU for as long as the
/// view lives, and handed back to the device when it is dropped.
pub struct RxView<'m, 'a> {
    buf: &'m MappedRxBuffer<'a>,
    len: u32,
}

impl RxView<'_, '_> {
    /// Bytes in the view.
    pub fn len(&self) -> u32 {
        self.len
    }

    /// Whether the view is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The byte at `offset`, if the view reaches it.
    pub fn byte(&self, offset: u32) -> Option<u8> {
        // SAFETY: `offset < len`, inside the buffer (type invariant); a
        // volatile read creates no reference to memory the device maps.
        (offset < self.len)
            .then(|| unsafe { self.buf.buf.data().add(offset as usize).read_volatile() })
    }

    /// A copy of the view's bytes in a fresh skb from this CPU's NAPI
    /// cache (copybreak). The skb is made here, linear and not shared, so
    /// the copy can neither hit `skb_put`'s assertion on a paged skb nor
    /// write into a buffer a clone shares. `None` if none could be had.
    pub fn copy_to_skb(&self, poll: &NapiPoll<'_>) -> Option<SkBuff> {
        let skb = poll.alloc_skb(self.len)?;
        if self.len > skb.tailroom() {
            return None;
        }
        // SAFETY: `len` fits the tailroom of a fresh linear skb (checked
        // above) and the view's `len` bytes are the CPU's for now (type
        // invariant).
        unsafe { b::sgnic_skb_put_data(skb.as_raw(), self.buf.buf.data().cast(), self.len) };
        Some(skb)
    }
}

impl Drop for RxView<'_, '_> {
    fn drop(&mut self) {
        self.buf.sync(self.len, false);
    }
}

/// A receive buffer back from the device: its bytes are the CPU's.
pub struct ReceivedRxBuffer(RxBuffer);

impl ReceivedRxBuffer {
    /// The byte at `offset`, if inside the buffer. A single volatile read
    /// and no slice: the glue cannot know how much of the buffer the
    /// device wrote, so it lends no `&[u8]` over it.
    pub fn byte(&self, offset: u32) -> Option<u8> {
        // SAFETY: the buffer is unmapped and ours, and `offset` is inside
        // it; a volatile read, as of any DMA buffer.
        (offset < self.0.len())
            .then(|| unsafe { self.0.data().add(offset as usize).read_volatile() })
    }

    /// Turns the buffer, holding a `frame_len`-byte frame, into an skb.
    /// A page-fragment buffer becomes one through `napi_build_skb`, whose
    /// per-CPU cache only the NAPI poll may use: hence the poll token.
    #[inline(always)]
    pub fn into_skb(self, poll: &NapiPoll<'_>, frame_len: u32) -> Option<SkBuff> {
        self.0.into_skb(poll, frame_len)
    }
}
