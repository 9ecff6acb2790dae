// SPDX-License-Identifier: GPL-2.0

//! Owned socket buffers (`struct sk_buff`).

use super::bindings as b;
use core::ptr::NonNull;

/// An `sk_buff` the driver owns; freed on drop unless handed on.
///
/// # Invariants
///
/// `0` points to a valid sk_buff that nothing else owns.
pub struct SkBuff(NonNull<b::sk_buff>);

// SAFETY: an owned skb may be moved between contexts (xmit, NAPI, irq).
unsafe impl Send for SkBuff {}

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

    /// Total frame length in bytes (head plus frags).
    pub fn len(&self) -> u32 {
        // SAFETY: `self.0` is valid (type invariant).
        unsafe { (*self.0.as_ptr()).len }
    }

    /// Whether the frame is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Drop for SkBuff {
    fn drop(&mut self) {
        // SAFETY: we own the skb (type invariant); this is safe in any
        // context, including hard IRQ.
        unsafe { b::sgnic_dev_kfree_skb_any(self.0.as_ptr()) }
    }
}
