// SPDX-License-Identifier: GPL-2.0

//! DMA memory: coherent descriptor rings and streaming buffer mappings.
//!
//! Descriptor rings use the kernel crate's [`Coherent`] allocation. The
//! kernel crate has no streaming mapping for pages or sk_buffs, so the
//! two kinds sgnic needs are here, each with its direction in its type:
//! [`TxMapping`] (a frame's head or page, for the device to read) and
//! [`MappedRxBuffer`] (a receive buffer the device writes, whose bytes the
//! CPU sees only through a synced [`RxView`] or once unmapped). Each
//! mapping undoes exactly what it did when dropped, which is what DMA-API
//! debugging checks.

use super::bindings as b;
use super::skb::{Frag, RxBuffer, SkBuff};
use crate::hw::ring::RingSize;
use core::{ffi::c_int, mem::ManuallyDrop};
use kernel::{
    device::{Bound, Device},
    dma::{Coherent, DataDirection},
    prelude::*,
    sync::barrier::{dma_mb, Read, Write},
};

/// The C `struct device` behind a kernel-crate device reference.
pub(super) fn raw_device(dev: &Device<Bound>) -> *mut b::device {
    // `Device` is a `#[repr(transparent)]` wrapper around the C `struct
    // device`, so the reference's address is the C object's.
    core::ptr::from_ref(dev).cast::<b::device>().cast_mut()
}

/// A ring of 16-byte descriptors in coherent DMA memory.
///
/// The device reads and writes this memory concurrently, so every access
/// is a volatile access of whole 64-bit words.
pub struct DescRing {
    mem: Coherent<[u64]>,
    size: RingSize,
}

impl DescRing {
    /// Allocates a zeroed ring of `size` descriptors for `dev`.
    pub fn new(dev: &Device<Bound>, size: RingSize) -> Result<Self> {
        let mem = Coherent::<u64>::zeroed_slice(dev, size.get() * 2, GFP_KERNEL)?;
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

    fn word(&self, index: u32, half: usize) -> *mut u64 {
        let i = (index & self.size.mask()) as usize * 2 + half;
        // The mask keeps `i` below `2 * size`, the allocation's length.
        self.mem.as_mut_ptr().cast::<u64>().wrapping_add(i)
    }

    /// Writes descriptor `index` (CPU order), address word first.
    pub fn write(&self, index: u32, desc: [u64; 2]) {
        // SAFETY: `word` returns an aligned pointer inside the live
        // allocation; volatile because the device accesses it concurrently.
        unsafe {
            self.word(index, 0).write_volatile(desc[0].to_le());
            self.word(index, 1).write_volatile(desc[1].to_le());
        }
    }

    /// Reads the status half of descriptor `index` (CPU order). Where the
    /// device writes status, length and errors share this word, so one
    /// 64-bit load sees them consistently.
    pub fn read_status_word(&self, index: u32) -> u64 {
        // SAFETY: as in `write`.
        let v = u64::from_le(unsafe { self.word(index, 1).read_volatile() });
        // Nothing the device wrote for this descriptor may be read before
        // its status.
        dma_mb(Read);
        v
    }

    /// Orders descriptor writes before a doorbell (tail) write.
    pub fn publish(&self) {
        dma_mb(Write);
    }
}

/// A coherent buffer cut into equal slots that the CPU fills and the
/// device reads (per-descriptor headers of driver-built segments).
///
/// The device may read any slot at any time, so the CPU writes whole
/// 64-bit words with volatile stores, as [`DescRing`] does.
///
/// # Invariants
///
/// `mem` holds `slots * slot_len` words of 8 bytes; `slot_len > 0`.
pub struct SlotBuffer {
    mem: Coherent<[u64]>,
    slot_len: usize,
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
            slot_len: words,
        })
    }

    /// Copies `bytes` into slot `slot` (the rest of its last word zeroed)
    /// and returns the bus address of the slot. What the device reads
    /// there before the caller hands it the address is the caller's
    /// concern, not memory safety: the stores are volatile, like the
    /// device's own accesses.
    pub fn fill(&mut self, slot: usize, bytes: &[u8]) -> Result<u64> {
        if bytes.len() > self.slot_len * 8 || slot >= self.mem.len() / self.slot_len {
            return Err(EINVAL);
        }
        let first = slot * self.slot_len;
        for (i, chunk) in bytes.chunks(8).enumerate() {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            // SAFETY: `first + i` is inside the allocation (type invariant
            // and the checks above: at most `slot_len` words from `first`),
            // and aligned; `&mut self` keeps other CPUs out.
            unsafe {
                self.mem
                    .as_mut_ptr()
                    .cast::<u64>()
                    .add(first + i)
                    .write_volatile(u64::from_ne_bytes(word));
            }
        }
        // CAST: a usize offset inside an allocation fits a bus address.
        Ok(self.mem.dma_address() + (first * 8) as u64)
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MapKind {
    /// `dma_map_single` of kernel-virtual memory (an skb's linear part).
    Single,
    /// `skb_frag_dma_map` of a page fragment.
    Page,
}

/// Part of a frame being sent, mapped for the device to read: the
/// direction is fixed ([`DataDirection::ToDevice`]), and the mapping is
/// undone the way it was made when dropped, which is what DMA-API
/// debugging checks.
///
/// # Invariants
///
/// `addr..addr + len` was mapped on `dev` with `kind`, to the device, and
/// has not been unmapped.
pub struct TxMapping<'a> {
    dev: &'a Device<Bound>,
    addr: u64,
    len: u32,
    kind: MapKind,
}

// SAFETY: a mapping is a plain bus address plus the device it belongs to;
// it may be unmapped from any context.
unsafe impl Send for TxMapping<'_> {}

impl<'a> TxMapping<'a> {
    /// Maps the linear part (head) of `skb`.
    pub fn skb_head(dev: &'a Device<Bound>, skb: &SkBuff) -> Result<Self> {
        let len = skb.headlen();
        // SAFETY: `skb.data()` points to `headlen` valid bytes for as long
        // as the skb lives; the TX ring keeps the skb until after the
        // mapping is dropped.
        let addr = unsafe {
            b::sgnic_dma_map_single(
                raw_device(dev),
                skb.data().cast(),
                len as usize,
                raw_direction(DataDirection::ToDevice),
            )
        };
        Self::checked(dev, addr, len, MapKind::Single)
    }

    /// Maps `len` bytes of `frag` starting `offset` bytes into it.
    pub fn frag(dev: &'a Device<Bound>, frag: &Frag<'_>, offset: u32, len: u32) -> Result<Self> {
        if u64::from(offset) + u64::from(len) > u64::from(frag.len()) {
            return Err(EINVAL);
        }
        // SAFETY: `frag.as_raw()` is a fragment of a live skb, and the
        // range was checked against its size above.
        let addr = unsafe {
            b::sgnic_skb_frag_dma_map(
                raw_device(dev),
                frag.as_raw(),
                offset as usize,
                len as usize,
                raw_direction(DataDirection::ToDevice),
            )
        };
        Self::checked(dev, addr, len, MapKind::Page)
    }

    fn checked(dev: &'a Device<Bound>, addr: u64, len: u32, kind: MapKind) -> Result<Self> {
        // SAFETY: `addr` was just returned by a mapping call on `dev`.
        if unsafe { b::sgnic_dma_mapping_error(raw_device(dev), addr) } != 0 {
            return Err(ENOMEM);
        }
        // INVARIANT: mapped above and checked for errors.
        Ok(Self {
            dev,
            addr,
            len,
            kind,
        })
    }

    /// Bus address of the mapping.
    pub fn addr(&self) -> u64 {
        self.addr
    }

    /// Mapped length in bytes.
    pub fn len(&self) -> u32 {
        self.len
    }

    /// Whether the mapping is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Drop for TxMapping<'_> {
    fn drop(&mut self) {
        let (dev, dir) = (raw_device(self.dev), raw_direction(DataDirection::ToDevice));
        // SAFETY: the range is mapped with exactly this kind, length and
        // direction (type invariant), and is unmapped only here.
        unsafe {
            match self.kind {
                MapKind::Single => {
                    b::sgnic_dma_unmap_single(dev, self.addr, self.len as usize, dir)
                }
                MapKind::Page => b::sgnic_dma_unmap_page(dev, self.addr, self.len as usize, dir),
            }
        }
    }
}

/// A receive buffer handed to the device, which owns its bytes: the CPU
/// reads them only through an [`RxView`] (synced for the CPU while it
/// lives) or after [`Self::unmap`] gives the buffer back.
///
/// # Invariants
///
/// `buf`'s `buf.len()` bytes are mapped at `addr` on `dev`, from the device
/// ([`DataDirection::FromDevice`]); they are unmapped only by `unmap` or
/// drop, which consume `self`.
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
        // SAFETY: `buf.data()` is followed by `buf.len()` bytes of the
        // buffer, which `Self` owns until it unmaps them.
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

    /// Unmaps the buffer: from here on its bytes are the CPU's.
    pub fn unmap(self) -> ReceivedRxBuffer {
        let mut this = ManuallyDrop::new(self);
        this.unmap_in_place();
        // SAFETY: `this` is never used or dropped again; the buffer is
        // moved out exactly once, after its mapping is gone.
        ReceivedRxBuffer(unsafe { ManuallyDrop::take(&mut this.buf) })
    }

    fn unmap_in_place(&mut self) {
        let (dev, dir) = (
            raw_device(self.dev),
            raw_direction(DataDirection::FromDevice),
        );
        // SAFETY: mapped exactly so (type invariant); called once, by
        // `unmap` or `drop`, which consume `self`.
        unsafe { b::sgnic_dma_unmap_single(dev, self.addr, self.buf.len() as usize, dir) }
    }
}

impl Drop for MappedRxBuffer<'_> {
    fn drop(&mut self) {
        self.unmap_in_place();
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

    /// Appends a copy of the view's bytes to `skb`'s linear part.
    pub fn copy_into(&self, skb: &mut SkBuff) -> Result {
        if self.len > skb.tailroom() {
            return Err(EINVAL);
        }
        // SAFETY: `len` fits the tailroom (checked above) and the view's
        // `len` bytes are the CPU's for now (type invariant); the skb is a
        // different buffer, exclusively ours.
        unsafe { b::sgnic_skb_put_data(skb.as_raw(), self.buf.buf.data().cast(), self.len) };
        Ok(())
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
    /// The first `len` bytes (at most the buffer).
    pub fn bytes(&self, len: u32) -> &[u8] {
        let len = len.min(self.0.len());
        // SAFETY: the buffer is unmapped and ours; `len` is within it.
        unsafe { core::slice::from_raw_parts(self.0.data(), len as usize) }
    }

    /// Turns the buffer, holding a `frame_len`-byte frame, into an skb.
    pub fn into_skb(self, frame_len: u32) -> Option<SkBuff> {
        self.0.into_skb(frame_len)
    }
}
