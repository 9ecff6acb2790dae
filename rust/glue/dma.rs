// SPDX-License-Identifier: GPL-2.0

//! DMA memory: coherent descriptor rings and streaming buffer mappings.
//!
//! Descriptor rings use the kernel crate's [`Coherent`] allocation. The
//! kernel crate has no streaming mapping for pages or sk_buffs, so
//! [`StreamingMap`] wraps `dma_map_single`/`skb_frag_dma_map` here: each
//! mapping remembers how it was made and undoes exactly that when dropped,
//! which is what DMA-API debugging checks.

use super::bindings as b;
use super::skb::{Frag, RxBuffer, SkBuff};
use crate::hw::ring::RingSize;
use core::ffi::c_int;
use kernel::{
    device::{Bound, Device},
    dma::Coherent,
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
        let mem = Coherent::<u64>::zeroed_slice(dev, slots.checked_mul(words).ok_or(EINVAL)?, GFP_KERNEL)?;
        // INVARIANT: allocated with exactly that many words; `words > 0`.
        Ok(Self { mem, slot_len: words })
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

/// Direction of a streaming mapping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// The device reads (transmit).
    ToDevice,
    /// The device writes (receive).
    FromDevice,
}

impl Direction {
    fn raw(self) -> c_int {
        match self {
            Direction::ToDevice => b::dma_data_direction_DMA_TO_DEVICE as c_int,
            Direction::FromDevice => b::dma_data_direction_DMA_FROM_DEVICE as c_int,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MapKind {
    /// `dma_map_single` of kernel-virtual memory (an skb's linear part).
    Single,
    /// `skb_frag_dma_map` of a page fragment.
    Page,
}

/// A live streaming DMA mapping, unmapped the same way on drop.
///
/// # Invariants
///
/// `addr..addr+len` was mapped on `dev` with `kind` and `dir` and has not
/// been unmapped.
pub struct StreamingMap<'a> {
    dev: &'a Device<Bound>,
    addr: u64,
    len: u32,
    kind: MapKind,
    dir: Direction,
}

// SAFETY: a mapping is a plain bus address plus the device it belongs to;
// it may be unmapped from any context.
unsafe impl Send for StreamingMap<'_> {}

impl<'a> StreamingMap<'a> {
    /// Maps the linear part (head) of `skb`.
    pub fn skb_head(dev: &'a Device<Bound>, skb: &SkBuff, dir: Direction) -> Result<Self> {
        let len = skb.headlen();
        // SAFETY: `skb.data()` points to `headlen` valid bytes for as long
        // as the skb lives; the mapping is dropped before the skb is freed
        // (the TX/RX rings keep both and drop the mapping first).
        let addr = unsafe {
            b::sgnic_dma_map_single(raw_device(dev), skb.data().cast(), len as usize, dir.raw())
        };
        Self::checked(dev, addr, len, MapKind::Single, dir)
    }

    /// Maps a receive buffer for the device to write a frame into.
    pub fn rx_buffer(dev: &'a Device<Bound>, buf: &RxBuffer) -> Result<Self> {
        let dir = Direction::FromDevice;
        // SAFETY: `buf.data()` is followed by `buf.len()` bytes of the
        // buffer; the mapping is dropped before the buffer is handed on or
        // freed (the RX ring drops the mapping first).
        let addr = unsafe {
            b::sgnic_dma_map_single(
                raw_device(dev),
                buf.data().cast(),
                buf.len() as usize,
                dir.raw(),
            )
        };
        Self::checked(dev, addr, buf.len(), MapKind::Single, dir)
    }

    /// Maps `len` bytes of `frag` starting `offset` bytes into it.
    pub fn frag(
        dev: &'a Device<Bound>,
        frag: &Frag<'_>,
        offset: u32,
        len: u32,
        dir: Direction,
    ) -> Result<Self> {
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
                dir.raw(),
            )
        };
        Self::checked(dev, addr, len, MapKind::Page, dir)
    }

    fn checked(
        dev: &'a Device<Bound>,
        addr: u64,
        len: u32,
        kind: MapKind,
        dir: Direction,
    ) -> Result<Self> {
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
            dir,
        })
    }

    /// Makes the first `len` bytes the device wrote visible to the CPU;
    /// the buffer stays mapped (for copying small frames out of it).
    pub fn sync_for_cpu(&self, len: u32) {
        // SAFETY: the range lies within this live mapping (clamped).
        unsafe {
            b::sgnic_dma_sync_single_for_cpu(
                raw_device(self.dev),
                self.addr,
                len.min(self.len) as usize,
                self.dir.raw(),
            )
        }
    }

    /// Hands the first `len` bytes back to the device after
    /// [`Self::sync_for_cpu`], before the buffer is reused.
    pub fn sync_for_device(&self, len: u32) {
        // SAFETY: as in `sync_for_cpu`.
        unsafe {
            b::sgnic_dma_sync_single_for_device(
                raw_device(self.dev),
                self.addr,
                len.min(self.len) as usize,
                self.dir.raw(),
            )
        }
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

impl Drop for StreamingMap<'_> {
    fn drop(&mut self) {
        let dev = raw_device(self.dev);
        // SAFETY: the range is mapped with exactly this kind, length and
        // direction (type invariant), and is unmapped only here.
        unsafe {
            match self.kind {
                MapKind::Single => {
                    b::sgnic_dma_unmap_single(dev, self.addr, self.len as usize, self.dir.raw())
                }
                MapKind::Page => {
                    b::sgnic_dma_unmap_page(dev, self.addr, self.len as usize, self.dir.raw())
                }
            }
        }
    }
}
