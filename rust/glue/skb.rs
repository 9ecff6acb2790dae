// SPDX-License-Identifier: GPL-2.0

//! Owned socket buffers (`struct sk_buff`) and their page fragments.

use super::bindings as b;
use super::netdev::{NapiPoll, NetDevice};
use core::{
    ffi::c_int,
    ptr::{addr_of, NonNull},
};
use kernel::{prelude::*, types::Opaque};

/// Most page fragments an skb has (`MAX_SKB_FRAGS`, a Kconfig choice).
// CAST: a small configuration constant.
pub const MAX_FRAGS: usize = b::MAX_SKB_FRAGS as usize;

/// `CHECKSUM_UNNECESSARY`: the device verified the frame's checksums.
const CHECKSUM_UNNECESSARY: u8 = 1;
/// `CHECKSUM_PARTIAL`: the stack left the L4 checksum to the device.
const CHECKSUM_PARTIAL: u8 = 3;

/// A VLAN tag carried beside a frame's bytes rather than in them: the
/// hardware-accelerated tag (`skb->vlan_proto`, `skb->vlan_tci`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VlanTag {
    /// The tag protocol identifier (TPID), in host order.
    pub tpid: u16,
    /// The tag control information: priority, DEI and VLAN ID.
    pub tci: u16,
}

impl VlanTag {
    /// The 802.1Q TPID (`ETH_P_8021Q`).
    // CAST: 0x8100.
    pub const TPID_8021Q: u16 = b::ETH_P_8021Q as u16;

    /// Whether this is an 802.1Q tag (a C-tag), the only kind the glue
    /// lets a driver offload (`features::VLAN_CTAG`).
    pub fn is_8021q(&self) -> bool {
        self.tpid == Self::TPID_8021Q
    }
}

/// What the device must do to a frame besides sending it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Offload {
    /// Send as is.
    None,
    /// Insert the L4 checksum: sum from `start` to the end, store at
    /// `start + offset` (offsets from the start of the frame).
    Checksum {
        /// Where the checksummed region starts.
        start: u32,
        /// Where the checksum goes, relative to `start`.
        offset: u32,
    },
    /// Segment a TCP super-frame; headers are already prepared.
    Tso(Tso),
}

/// TCP segmentation parameters of one super-frame. Its headers are the
/// stack's: [`SkBuff::writable_headers`] gives them to rewrite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tso {
    /// IPv4 or IPv6, as the stack marked the super-frame.
    pub ipv4: bool,
    /// Offset of the IP header.
    pub ip_start: u32,
    /// Offset of the TCP header.
    pub l4_start: u32,
    /// Maximum segment size (non-zero).
    pub mss: u16,
    /// Segments the stack expects.
    pub segments: u32,
}

/// The offloads a frame asks for, as `ndo_features_check` sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OffloadRequest {
    /// None: the frame is sent as it is.
    None,
    /// An L4 checksum from `start` (a frame offset), stored `offset` bytes
    /// after it.
    Checksum {
        /// Where the checksummed region starts.
        start: u32,
        /// Where the checksum goes, relative to `start`.
        offset: u32,
    },
    /// TCP segmentation (and so the checksum of every segment).
    Segmentation {
        /// IPv4 or IPv6, as the stack marked the super-frame.
        ipv4: bool,
        /// Offset of the IP header.
        ip_start: u32,
        /// Offset of the TCP header.
        l4_start: u32,
        /// Segments the stack expects.
        segments: u32,
        /// Maximum segment size.
        mss: u16,
        /// Page fragments besides the linear part.
        fragments: u32,
    },
    /// Segmentation of a kind other than plain TCP over IPv4 or IPv6, or
    /// offsets that are not frame offsets at all.
    Unsupported,
}

/// A socket buffer, borrowed: from the stack for the duration of a
/// callback, or from an [`SkBuff`] the driver owns.
///
/// # Invariants
///
/// The wrapped sk_buff is valid for as long as the reference, and nothing
/// changes its length, headers, offload fields or fragments meanwhile:
/// whoever lends it out holds it for the call.
#[repr(transparent)]
pub struct Skb(Opaque<b::sk_buff>);

impl Skb {
    /// # Safety
    ///
    /// `raw` must point to a valid sk_buff that stays valid, and whose
    /// fields above do not change, for `'a`.
    pub(super) unsafe fn from_raw<'a>(raw: *mut b::sk_buff) -> &'a Self {
        // SAFETY: `Skb` is a transparent wrapper of `sk_buff`, and the
        // caller guarantees the pointee for `'a`.
        unsafe { &*raw.cast::<Self>() }
    }

    pub(super) fn as_raw(&self) -> *mut b::sk_buff {
        self.0.get()
    }

    fn raw(&self) -> *mut b::sk_buff {
        self.0.get()
    }

    /// Total frame length in bytes (head plus frags).
    pub fn len(&self) -> u32 {
        // SAFETY: `self.0` is valid (type invariant).
        unsafe { (*self.raw()).len }
    }

    /// Whether the frame is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The TX queue the stack picked (`skb_get_queue_mapping`).
    pub fn queue_mapping(&self) -> u16 {
        // SAFETY: `self.0` is valid (type invariant).
        unsafe { b::sgnic_skb_get_queue_mapping(self.raw()) }
    }

    /// Bytes in the linear part.
    pub fn headlen(&self) -> u32 {
        // SAFETY: `self.0` is valid (type invariant).
        unsafe { b::sgnic_skb_headlen(self.raw()) }
    }

    /// Start of the linear data.
    pub(super) fn data(&self) -> *mut u8 {
        // SAFETY: `self.0` is valid (type invariant).
        unsafe { (*self.raw()).data }
    }

    /// Bytes that can still be appended to the linear part.
    pub fn tailroom(&self) -> u32 {
        // SAFETY: `self.0` is valid (type invariant).
        unsafe { b::sgnic_skb_tailroom(self.raw()) }
    }

    /// The shared info area, as a raw pointer: clones share it and other
    /// CPUs change some of its fields (`dataref`) at any time, so no
    /// reference to the whole struct may exist. Fields that stay put while
    /// the skb is held (frags, GSO parameters) are read one by one.
    fn shinfo(&self) -> *const b::skb_shared_info {
        // `skb_shinfo()`: the area starts `end` bytes into the head
        // (`end` is an offset on 64-bit kernels, which bindgen's type
        // for it confirms: a pointer would not convert).
        // SAFETY: `self.0` is valid (type invariant); every skb has a shared
        // info area at `head + end` that lives as long as the skb.
        unsafe {
            let raw = self.raw();
            (*raw)
                .head
                .add((*raw).end as usize)
                .cast::<b::skb_shared_info>()
        }
    }

    /// The header fields (`struct_group(headers)`): plain data of this skb,
    /// which does not change while it is borrowed (type invariant).
    fn headers(&self) -> &b::sk_buff__bindgen_ty_4__bindgen_ty_2 {
        // SAFETY: as said; the group is one view of a `struct_group` union,
        // and every bit pattern is valid for its integer fields.
        unsafe { (*self.raw()).__bindgen_anon_4.headers.as_ref() }
    }

    /// `skb_headroom()`: bytes between the buffer's head and the frame.
    fn headroom(&self) -> i64 {
        // SAFETY: `data` and `head` point into the same allocation of a
        // valid skb, `data` not before `head`.
        unsafe {
            let raw = self.raw();
            // CAST: a headroom is far below `i64::MAX`.
            (*raw).data.offset_from((*raw).head) as i64
        }
    }

    fn nr_frags(&self) -> u8 {
        // SAFETY: a read of one field of the live area (see `shinfo`).
        unsafe { addr_of!((*self.shinfo()).nr_frags).read() }
    }

    fn gso_size(&self) -> u16 {
        // SAFETY: as in `nr_frags`.
        unsafe { addr_of!((*self.shinfo()).gso_size).read() }
    }

    fn gso_segs(&self) -> u16 {
        // SAFETY: as in `nr_frags`.
        unsafe { addr_of!((*self.shinfo()).gso_segs).read() }
    }

    fn gso_type(&self) -> u32 {
        // SAFETY: as in `nr_frags`.
        unsafe { addr_of!((*self.shinfo()).gso_type).read() }
    }

    /// The page fragments, in order.
    pub fn frags(&self) -> impl Iterator<Item = Frag<'_>> {
        let n = usize::from(self.nr_frags()).min(MAX_FRAGS);
        // SAFETY: the first `nr_frags` entries of the `frags` array are
        // initialised and do not change while the skb is held; the slice
        // covers only them, not the rest of the shared area.
        let frags = unsafe {
            core::slice::from_raw_parts(addr_of!((*self.shinfo()).frags).cast::<b::skb_frag_t>(), n)
        };
        frags.iter().map(|raw| Frag { raw })
    }

    /// Copies the frame's `len()` bytes, head then fragments, to `dst`.
    /// The common frame (a head and page fragments with kernel addresses)
    /// is copied piece by piece with `memcpy`; anything else (a fragment
    /// without one, a frag list) goes through `skb_copy_bits`.
    ///
    /// # Safety
    ///
    /// `dst` must be valid for writes of `self.len()` bytes that nothing
    /// else reads or writes through a Rust reference during the call.
    pub(super) unsafe fn copy_to(&self, dst: *mut u8) -> Result {
        let len = self.len() as usize;
        if cfg!(CONFIG_HIGHMEM) {
            // A fragment's pages may have no lasting kernel mapping.
            // SAFETY: as this function's.
            return unsafe { self.copy_bits_to(dst, len) };
        }
        let head = self.headlen() as usize;
        if head > len {
            // Not an skb the stack builds (`data_len` would be negative).
            return Err(EINVAL);
        }
        let mut at = head;
        // SAFETY: the head's `headlen` bytes are the skb's, live for the
        // call; `head <= len` (checked), within `dst` (the caller's
        // contract).
        unsafe { b::memcpy(dst.cast(), self.data().cast(), head) };
        for frag in self.frags() {
            let n = frag.len() as usize;
            // SAFETY: `frag` is a fragment of the live skb.
            let src = unsafe { b::sgnic_skb_frag_address_safe(frag.as_raw()) };
            if src.is_null() || n > len - at {
                // SAFETY: as this function's.
                return unsafe { self.copy_bits_to(dst, len) };
            }
            // SAFETY: `src` maps the fragment's `n` bytes; `at + n <= len`
            // (checked above), within `dst`.
            unsafe { b::memcpy(dst.add(at).cast(), src, n) };
            at += n;
        }
        if at != len {
            // Bytes in a frag list.
            // SAFETY: as this function's.
            return unsafe { self.copy_bits_to(dst, len) };
        }
        Ok(())
    }

    /// `skb_copy_bits` of the first `len` bytes to `dst`.
    ///
    /// # Safety
    ///
    /// As for [`Self::copy_to`], with `len` at most `self.len()`.
    unsafe fn copy_bits_to(&self, dst: *mut u8, len: usize) -> Result {
        let len = c_int::try_from(len).map_err(|_| EINVAL)?;
        // SAFETY: the caller made `dst` valid for `len` bytes, at most the
        // skb's length (skb_copy_bits checks that too); the skb is live.
        if unsafe { b::skb_copy_bits(self.raw(), 0, dst.cast(), len) } != 0 {
            return Err(EFAULT);
        }
        Ok(())
    }

    /// Whether any fragment's bytes are in a page-cache page.
    pub fn has_page_cache_frag(&self) -> bool {
        self.frags().any(|f| f.is_page_cache())
    }

    /// The offloads this frame asks of the device.
    pub fn offload_request(&self) -> OffloadRequest {
        // Fields read directly, as the inline C helpers do: this runs for
        // every frame, twice (features_check and start_xmit).
        let h = self.headers();
        if h.ip_summed() != CHECKSUM_PARTIAL {
            // A super-frame must be segmented whatever its checksum state.
            return if self.is_gso() {
                OffloadRequest::Unsupported
            } else {
                OffloadRequest::None
            };
        }
        // An SCTP CRC32c, not an Internet checksum: no device sgnic drives
        // computes one (the stack finishes it before xmit unless the
        // device has NETIF_F_SCTP_CRC).
        // SAFETY: reads a flag of the skb we borrow.
        if unsafe { b::sgnic_skb_csum_is_sctp(self.as_raw()) } {
            return OffloadRequest::Unsupported;
        }
        // SAFETY: for a CHECKSUM_PARTIAL skb the union holds the checksum
        // start and offset (and either view is plain integers).
        let (csum_start, offset) = unsafe {
            let c = &h.__bindgen_anon_1.__bindgen_anon_1;
            (c.csum_start, c.csum_offset)
        };
        let headroom = self.headroom();
        // `skb_checksum_start_offset()`.
        let Ok(start) = u32::try_from(i64::from(csum_start) - headroom) else {
            return OffloadRequest::Unsupported;
        };
        if !self.is_gso() {
            return OffloadRequest::Checksum {
                start,
                offset: u32::from(offset),
            };
        }
        let gso_type = self.gso_type();
        // CAST: the SKB_GSO_* flags are small positive enum values.
        let (tcpv4, tcpv6) = (b::SKB_GSO_TCPV4 as u32, b::SKB_GSO_TCPV6 as u32);
        let ipv4 = match (gso_type & tcpv4 != 0, gso_type & tcpv6 != 0) {
            (true, false) => true,
            (false, true) => false,
            _ => return OffloadRequest::Unsupported,
        };
        // `skb_network_offset()`.
        match u32::try_from(i64::from(h.network_header) - headroom) {
            Ok(ip_start) => OffloadRequest::Segmentation {
                ipv4,
                ip_start,
                l4_start: start,
                segments: u32::from(self.gso_segs()),
                mss: self.gso_size(),
                fragments: u32::from(self.nr_frags()),
            },
            Err(_) => OffloadRequest::Unsupported,
        }
    }

    /// `skb_network_offset()`: where the IP header starts, from the start
    /// of the frame; `None` if the stack set no network header inside it.
    pub fn network_offset(&self) -> Option<u32> {
        let offset = i64::from(self.headers().network_header) - self.headroom();
        u32::try_from(offset).ok().filter(|&o| o < self.len())
    }

    /// Whether this is a super-frame the device or the stack must segment.
    pub fn is_gso(&self) -> bool {
        self.gso_size() != 0
    }

    /// The VLAN tag the stack left beside the frame for the device to
    /// insert, if any. The stack leaves one only for a tag protocol the
    /// netdev offloads (`validate_xmit_vlan`), and otherwise puts it into
    /// the frame's bytes.
    pub fn vlan_tag(&self) -> Option<VlanTag> {
        // SAFETY: reads fields of the skb we borrow (type invariant).
        if !unsafe { b::sgnic_skb_vlan_tag_present(self.raw()) } {
            return None;
        }
        // SAFETY: as above.
        let tci = unsafe { b::sgnic_skb_vlan_tag_get(self.raw()) };
        // SAFETY: `vlan_proto` is one view of a union of plain integers
        // in the header group, valid for any bit pattern.
        let proto = unsafe { self.headers().__bindgen_anon_2.__bindgen_anon_1.vlan_proto };
        Some(VlanTag {
            tpid: u16::from_be(proto),
            tci,
        })
    }
}

/// An `sk_buff` the driver owns; freed on drop unless handed on.
///
/// # Invariants
///
/// `0` points to a valid sk_buff that nothing else owns.
pub struct SkBuff(NonNull<b::sk_buff>);

// SAFETY: an owned skb may be moved between contexts (xmit, NAPI, irq).
unsafe impl Send for SkBuff {}

impl core::ops::Deref for SkBuff {
    type Target = Skb;

    fn deref(&self) -> &Skb {
        // SAFETY: we own the skb (type invariant), so it is valid and only
        // changes through `&mut self`, which the borrow excludes.
        unsafe { Skb::from_raw(self.0.as_ptr()) }
    }
}

impl SkBuff {
    /// # Safety
    ///
    /// `raw` must be a valid sk_buff whose ownership passes to the result.
    pub(super) unsafe fn from_raw(raw: *mut b::sk_buff) -> Self {
        // SAFETY: the caller passes a valid, non-null pointer.
        Self(unsafe { NonNull::new_unchecked(raw) })
    }

    /// Gives up ownership without freeing.
    pub(super) fn into_raw(self) -> *mut b::sk_buff {
        let raw = self.0.as_ptr();
        core::mem::forget(self);
        raw
    }

    /// Zero-pads the frame to at least `len` bytes. On failure the kernel
    /// has already freed the skb.
    pub fn pad_to(self, len: u16) -> Result<SkBuff> {
        let raw = self.into_raw();
        // `len` fits a u16, so the pad the C side computes (an `int`)
        // cannot go negative.
        // SAFETY: we own `raw`; skb_put_padto frees it on failure and
        // otherwise leaves it to us.
        if unsafe { b::sgnic_skb_put_padto(raw, len.into()) } != 0 {
            return Err(ENOMEM);
        }
        // SAFETY: success leaves the skb valid and ours.
        Ok(unsafe { SkBuff::from_raw(raw) })
    }

    /// Appends `len` received bytes to the linear part. Glue only: the
    /// bytes must already have been written (by the device, into a buffer
    /// it was handed), or the frame would expose memory nobody wrote.
    pub(super) fn put(&mut self, len: u32) -> Result {
        if len > self.tailroom() {
            return Err(EINVAL);
        }
        // SAFETY: `len` fits the tailroom, so skb_put cannot overrun.
        unsafe { b::skb_put(self.raw(), len) };
        Ok(())
    }

    /// Completes the checksum in software, as the stack does for a device
    /// without the offload: an Internet checksum, or an SCTP CRC32c
    /// (`skb_csum_hwoffload_help` with no features). Must come before
    /// anything that changes the bytes it covers, such as padding.
    ///
    /// Nothing to do unless the stack asked for a checksum; a GSO frame is
    /// refused (`EINVAL`), as the core would warn about it.
    pub fn checksum_help(&mut self) -> Result {
        if self.is_gso() {
            return Err(EINVAL);
        }
        if self.headers().ip_summed() != CHECKSUM_PARTIAL {
            return Ok(());
        }
        // SAFETY: we own the skb, a CHECKSUM_PARTIAL frame without GSO.
        kernel::error::to_result(unsafe { b::skb_csum_hwoffload_help(self.raw(), 0) })
    }

    /// Records the device's receive hash of the frame for the stack (RPS,
    /// flow steering): over the addresses and ports (`l4`) or the
    /// addresses alone.
    pub fn set_hash(&mut self, hash: u32, l4: bool) {
        let kind = if l4 {
            b::pkt_hash_types_PKT_HASH_TYPE_L4
        } else {
            b::pkt_hash_types_PKT_HASH_TYPE_L3
        };
        // SAFETY: we own the skb (type invariant); the hash fields are the
        // sk_buff's own, and `&mut self` keeps every other access out.
        unsafe { b::sgnic_skb_set_hash(self.raw(), hash, kind) }
    }

    /// Marks a received frame's checksums as verified by the device
    /// (`CHECKSUM_UNNECESSARY`), so the stack does not verify them again.
    /// The driver calls it only on the device's word that it checked them
    /// and found no error.
    pub fn set_checksum_unnecessary(&mut self) {
        // SAFETY: we own the skb (type invariant); `ip_summed` is a field
        // of the sk_buff itself (not of the data clones share), and
        // `&mut self` keeps every other access out.
        unsafe {
            (*self.raw())
                .__bindgen_anon_4
                .headers
                .as_mut()
                .set_ip_summed(CHECKSUM_UNNECESSARY)
        };
    }

    /// Hands a received frame's 802.1Q tag up beside the frame
    /// (`__vlan_hwaccel_put_tag`): the tag control information the device
    /// stripped from it. The driver calls it only for a tag the device
    /// reports it stripped.
    pub fn put_vlan_tag(&mut self, tci: u16) {
        let proto = VlanTag::TPID_8021Q.to_be();
        // SAFETY: we own the skb (type invariant); the tag is two fields
        // of the sk_buff itself (not of the data clones share), and
        // `&mut self` keeps every other access out.
        unsafe { b::sgnic_vlan_hwaccel_put_tag(self.raw(), proto, tci) }
    }

    /// What the device must do to this frame.
    pub fn offload(&self) -> Result<Offload> {
        match self.offload_request() {
            OffloadRequest::None => Ok(Offload::None),
            OffloadRequest::Checksum { start, offset } => Ok(Offload::Checksum { start, offset }),
            OffloadRequest::Segmentation {
                ipv4,
                ip_start,
                l4_start,
                segments,
                mss,
                ..
            } => {
                if mss == 0 {
                    return Err(EINVAL);
                }
                Ok(Offload::Tso(Tso {
                    ipv4,
                    ip_start,
                    l4_start,
                    mss,
                    segments,
                }))
            }
            OffloadRequest::Unsupported => Err(EPROTONOSUPPORT),
        }
    }

    /// The first `len` bytes of the frame, made private to this skb and
    /// linear (`skb_ensure_writable`), to rewrite its headers.
    pub fn writable_headers(&mut self, len: u32) -> Result<&mut [u8]> {
        // SAFETY: we own the skb (type invariant).
        kernel::error::to_result(unsafe { b::skb_ensure_writable(self.raw(), len) })?;
        if len > self.headlen() {
            return Err(EINVAL);
        }
        // SAFETY: skb_ensure_writable made the first `len` bytes linear
        // (checked against headlen) and shared with no clone; `&mut self`
        // keeps every other access out while the slice lives.
        Ok(unsafe { core::slice::from_raw_parts_mut(self.data(), len as usize) })
    }
}

impl SkBuff {
    /// Frees the frame as sent, not dropped (`dev_consume_skb_any`: drop
    /// monitors do not count it), from any context.
    pub fn consume(self) {
        let raw = self.raw();
        core::mem::forget(self);
        // SAFETY: we owned the skb (type invariant) and gave up `self`
        // without dropping it, so it is freed once, here; this is safe in
        // any context, including hard IRQ.
        unsafe { b::sgnic_dev_consume_skb_any(raw) }
    }
}

impl Drop for SkBuff {
    fn drop(&mut self) {
        // SAFETY: we own the skb (type invariant); this is safe in any
        // context, including hard IRQ.
        unsafe { b::sgnic_dev_kfree_skb_any(self.raw()) }
    }
}

/// One page fragment of an skb, borrowed from it.
pub struct Frag<'a> {
    raw: &'a b::skb_frag_t,
}

impl Frag<'_> {
    pub(super) fn as_raw(&self) -> *const b::skb_frag_t {
        self.raw
    }

    /// Bytes in the fragment.
    pub fn len(&self) -> u32 {
        // SAFETY: `raw` is a fragment of a live skb.
        unsafe { b::sgnic_skb_frag_size(self.raw) }
    }

    /// Whether the fragment is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the fragment's page belongs to a file mapping, i.e. it is a
    /// page-cache page handed over by sendfile/splice rather than a copy.
    /// Checked on the page itself (`folio_mapping`), not inferred.
    pub fn is_page_cache(&self) -> bool {
        // SAFETY: `raw` is a fragment of a live skb, so its page is pinned
        // by the skb's reference for the duration of this call.
        unsafe {
            let page = b::sgnic_skb_frag_page(self.raw);
            !page.is_null() && !b::sgnic_page_mapping(page).is_null()
        }
    }
}

/// How a ring's receive buffers are laid out, worked out once per ring so
/// that allocating and converting a buffer involves no size arithmetic.
/// Which layout a ring uses is the driver's choice.
///
/// - [`RxLayout::fragment`]: a page fragment with headroom in front and
///   room for `skb_shared_info` behind, so a frame becomes an sk_buff only
///   when it arrives (`napi_build_skb`), without a copy.
/// - [`RxLayout::skb`]: a whole sk_buff, allocated up front.
#[derive(Clone, Copy, Debug)]
pub struct RxLayout {
    /// Bytes the device may write.
    len: u32,
    /// Bytes in front of the frame (`NET_SKB_PAD + NET_IP_ALIGN`).
    headroom: u32,
    /// The whole fragment: headroom, frame and `skb_shared_info`, each
    /// cache-line aligned; 0 for sk_buff-backed buffers.
    truesize: u32,
}

/// Largest fragment `netdev_alloc_frag` is asked for (one page: larger
/// ones would need higher-order pages).
const MAX_FRAG: u32 = 4096;

impl RxLayout {
    /// Page-fragment buffers for frames of up to `len` bytes; `None` if
    /// such a buffer would not fit in one page.
    pub fn fragment(len: u32) -> Option<Self> {
        // Bounded first: SKB_DATA_ALIGN wraps near u32::MAX.
        if len > MAX_FRAG {
            return None;
        }
        // SAFETY: pure size computations.
        let (headroom, truesize) = unsafe {
            let headroom = b::sgnic_rx_headroom();
            // CAST: skb_shared_info is a few hundred bytes.
            let shinfo = core::mem::size_of::<b::skb_shared_info>() as u32;
            let truesize = b::sgnic_skb_data_align(headroom.checked_add(len)?)
                + b::sgnic_skb_data_align(shinfo);
            (headroom, truesize)
        };
        (truesize <= MAX_FRAG).then_some(Self {
            len,
            headroom,
            truesize,
        })
    }

    /// sk_buff buffers with `len` bytes of room for a frame.
    pub fn skb(len: u32) -> Self {
        Self {
            len,
            headroom: 0,
            truesize: 0,
        }
    }

    /// Bytes the device may write into each buffer.
    pub fn len(&self) -> u32 {
        self.len
    }

    /// Whether buffers hold no frame at all (never for a real layout).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// A receive buffer the device writes one frame into (see [`RxLayout`]).
pub struct RxBuffer(RxMem);

enum RxMem {
    /// A page fragment we own; the frame starts `layout.headroom` bytes in.
    Frag { base: NonNull<u8>, layout: RxLayout },
    /// An sk_buff with at least `len` bytes of tailroom.
    Skb { skb: SkBuff, len: u32 },
}

// SAFETY: a page fragment or skb may be freed from any context.
unsafe impl Send for RxBuffer {}

impl RxBuffer {
    /// Allocates a buffer laid out as `layout` says. Inside a NAPI poll
    /// (`poll`), a page fragment comes straight from this CPU's NAPI cache,
    /// without the bottom-half toggling `netdev_alloc_frag` does around
    /// the same allocation.
    #[inline]
    pub fn alloc(dev: &NetDevice, layout: &RxLayout, poll: Option<&NapiPoll<'_>>) -> Option<Self> {
        if layout.truesize != 0 {
            // A zero budget would be netpoll, with IRQs off: the NAPI cache
            // is taken only from a poll with a budget.
            let base = match poll {
                // SAFETY: bottom halves are off on this CPU (poll token's
                // invariant), which the per-CPU NAPI fragment cache needs.
                Some(p) if p.budget() > 0 => unsafe { b::sgnic_napi_alloc_frag(layout.truesize) },
                // SAFETY: allocation in any context (GFP_ATOMIC inside).
                _ => unsafe { b::sgnic_netdev_alloc_frag(layout.truesize) },
            }
            .cast::<u8>();
            let base = NonNull::new(base)?;
            return Some(Self(RxMem::Frag {
                base,
                layout: *layout,
            }));
        }
        // SAFETY: `dev` is a registered net_device; any context.
        let raw = unsafe { b::sgnic_netdev_alloc_skb_ip_align(dev.as_raw(), layout.len) };
        // SAFETY: a fresh skb that only we reference.
        let skb = NonNull::new(raw).map(|p| unsafe { SkBuff::from_raw(p.as_ptr()) })?;
        (skb.tailroom() >= layout.len).then_some(Self(RxMem::Skb {
            skb,
            len: layout.len,
        }))
    }

    /// Where the device writes the frame.
    #[inline]
    pub(super) fn data(&self) -> *mut u8 {
        match &self.0 {
            // SAFETY: the fragment is `truesize` bytes, which includes the
            // headroom (see `RxLayout::fragment`).
            RxMem::Frag { base, layout } => unsafe { base.as_ptr().add(layout.headroom as usize) },
            RxMem::Skb { skb, .. } => skb.data(),
        }
    }

    /// Bytes the device may write.
    #[inline]
    pub fn len(&self) -> u32 {
        match &self.0 {
            RxMem::Frag { layout, .. } => layout.len,
            RxMem::Skb { len, .. } => *len,
        }
    }

    /// Whether the buffer has no room (never for an allocated one).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Turns the buffer, holding a received `frame_len`-byte frame, into
    /// an skb (without copying). `None` if that fails; the memory is freed.
    #[inline(always)]
    pub(super) fn into_skb(self, _poll: &NapiPoll<'_>, frame_len: u32) -> Option<SkBuff> {
        if frame_len > self.len() {
            return None;
        }
        let this = core::mem::ManuallyDrop::new(self);
        // SAFETY: `this` is never used or dropped again; we move its
        // contents out exactly once.
        let mem = unsafe { core::ptr::read(&this.0) };
        match mem {
            RxMem::Frag { base, layout, .. } => {
                // SAFETY: `base` is a fragment of `truesize` bytes laid out
                // as napi_build_skb expects; on success the skb owns it. The
                // poll token proves NAPI context, which its cache needs.
                let raw = unsafe { b::napi_build_skb(base.as_ptr().cast(), layout.truesize) };
                if raw.is_null() {
                    // SAFETY: still ours; free it.
                    unsafe { b::sgnic_skb_free_frag(base.as_ptr().cast()) };
                    return None;
                }
                // SAFETY: a fresh skb over the fragment: reserve the
                // headroom and expose the frame, which fits the buffer.
                unsafe {
                    b::sgnic_skb_reserve(raw, layout.headroom as i32);
                    b::skb_put(raw, frame_len);
                    Some(SkBuff::from_raw(raw))
                }
            }
            RxMem::Skb { mut skb, .. } => skb.put(frame_len).ok().map(|()| skb),
        }
    }
}

impl Drop for RxBuffer {
    fn drop(&mut self) {
        if let RxMem::Frag { base, .. } = &self.0 {
            // SAFETY: we own the fragment.
            unsafe { b::sgnic_skb_free_frag(base.as_ptr().cast()) }
        }
        // An Skb variant frees itself through SkBuff's Drop.
    }
}
