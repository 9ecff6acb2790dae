// SPDX-License-Identifier: GPL-2.0

//! Receive completions as both families report them, and what to do with
//! each one, frame by frame.
//!
//! The completion is the 8254x legacy write-back ([`RxDescriptor`]). The
//! 82576's advanced write-back lays its words out differently, but its
//! status and error bytes have the same bits, and it converts to this
//! view (`igb::rxdesc::RxWriteback::legacy`), so one sequence serves
//! both; each family decodes its own layout.
//!
//! Buffers are sized for the MTU, but with long-packet reception on the
//! device stores any frame up to 16 KiB, spreading a longer one over
//! several descriptors: only the last has EOP. sgnic drops such frames
//! whole. [`RxFrames`] follows the descriptor sequence so that a dropped
//! frame is counted once, whatever its continuation descriptors say, and
//! the frame after it is judged on its own.

use super::net::ETH_HLEN;

/// RX status bits.
pub struct RxStatus;
impl RxStatus {
    /// Descriptor done.
    pub const DD: u8 = 1 << 0;
    /// End of packet.
    pub const EOP: u8 = 1 << 1;
    /// Ignore checksum indication.
    pub const IXSM: u8 = 1 << 2;
}

/// RX error bits that make a frame unusable.
pub struct RxErrors;
impl RxErrors {
    /// CRC or alignment error.
    pub const CE: u8 = 1 << 0;
    /// Symbol error.
    pub const SE: u8 = 1 << 1;
    /// Sequence error.
    pub const SEQ: u8 = 1 << 2;
    /// Carrier extension error.
    pub const CXE: u8 = 1 << 4;
    /// RX data error.
    pub const RXE: u8 = 1 << 7;
    /// All of the above.
    pub const FATAL: u8 = Self::CE | Self::SE | Self::SEQ | Self::CXE | Self::RXE;
}

/// A legacy receive descriptor as written back by the device.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RxDescriptor {
    /// DMA address of the buffer (written by the driver).
    pub buffer_addr: u64,
    /// Bytes the device stored.
    pub length: u16,
    /// Packet checksum.
    pub csum: u16,
    /// [`RxStatus`] bits.
    pub status: u8,
    /// [`RxErrors`] bits.
    pub errors: u8,
    /// VLAN tag.
    pub special: u16,
}

/// A received frame that passed every check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RxFrame {
    /// Frame length in bytes (FCS already stripped).
    pub len: u16,
}

/// Why a receive descriptor cannot be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RxError {
    /// The device has not written this descriptor yet.
    NotDone,
    /// The frame continues in the next descriptor, which the driver does
    /// not allow (buffers are sized for the MTU).
    MultiDescriptor,
    /// The device reported a frame shorter than an Ethernet header (or
    /// none at all): nothing the stack can parse.
    TooShort(u16),
    /// The device reported more bytes than the buffer holds.
    TooLong {
        /// Length the device claimed.
        len: u16,
        /// Size of the buffer.
        max: u32,
    },
    /// The device flagged the frame as bad.
    HardwareError(u8),
}

impl RxDescriptor {
    /// A descriptor handing the device an empty buffer at `addr`.
    pub fn empty(addr: u64) -> [u64; 2] {
        [addr, 0]
    }

    /// Decodes a CPU-order descriptor.
    pub fn decode(d: [u64; 2]) -> Self {
        Self {
            buffer_addr: d[0],
            length: d[1] as u16,
            csum: (d[1] >> 16) as u16,
            status: (d[1] >> 32) as u8,
            errors: (d[1] >> 40) as u8,
            special: (d[1] >> 48) as u16,
        }
    }

    /// Whether the device has written this descriptor back (DD).
    pub fn is_written(&self) -> bool {
        self.status & RxStatus::DD != 0
    }

    /// Checks everything the device wrote before the buffer is touched.
    pub fn validate(&self, buffer_size: u32) -> Result<RxFrame, RxError> {
        if self.status & RxStatus::DD == 0 {
            return Err(RxError::NotDone);
        }
        if self.status & RxStatus::EOP == 0 {
            return Err(RxError::MultiDescriptor);
        }
        if self.errors & RxErrors::FATAL != 0 {
            return Err(RxError::HardwareError(self.errors & RxErrors::FATAL));
        }
        if usize::from(self.length) < ETH_HLEN {
            return Err(RxError::TooShort(self.length));
        }
        if u32::from(self.length) > buffer_size {
            return Err(RxError::TooLong {
                len: self.length,
                max: buffer_size,
            });
        }
        Ok(RxFrame { len: self.length })
    }
}

/// The verdict on one completed descriptor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RxVerdict {
    /// The device has not written the descriptor yet: stop here.
    NotDone,
    /// A whole, good frame in this one buffer.
    Deliver(RxFrame),
    /// A frame to drop, counted once under its reason.
    Drop(RxError),
    /// The rest of a frame already dropped and counted: recycle silently.
    Continuation,
}

/// Follows the descriptor sequence of one receive ring.
///
/// # Invariants
///
/// `in_frame` is true exactly while the descriptors seen so far end inside
/// a frame whose first descriptor lacked EOP (already counted as dropped).
#[derive(Clone, Copy, Debug, Default)]
pub struct RxFrames {
    in_frame: bool,
}

impl RxFrames {
    /// At a frame boundary (a fresh or reset ring).
    pub const fn new() -> Self {
        Self { in_frame: false }
    }

    /// Classifies the next descriptor of the ring, whose buffers hold
    /// `buffer_size` bytes.
    #[inline]
    pub fn next(&mut self, d: &RxDescriptor, buffer_size: u32) -> RxVerdict {
        // Almost every descriptor is either not yet written or a whole good
        // frame at a frame boundary: decide those first, with one test of
        // each field.
        // Status and errors in one test: DD and EOP set, no fatal error.
        let done_whole = u16::from(RxStatus::DD | RxStatus::EOP);
        let flags = u16::from(d.status) | u16::from(d.errors) << 8;
        let mask = done_whole | u16::from(RxErrors::FATAL) << 8;
        // ETH_HLEN <= length <= buffer_size in one unsigned compare (with
        // a loop-invariant guard that the range is not empty).
        // CAST: ETH_HLEN is 14.
        let min = ETH_HLEN as u32;
        let length_ok = buffer_size >= min
            && u32::from(d.length).wrapping_sub(min) <= buffer_size.wrapping_sub(min);
        if flags & mask == done_whole && !self.in_frame && length_ok {
            return RxVerdict::Deliver(RxFrame { len: d.length });
        }
        self.next_slow(d, buffer_size)
    }

    fn next_slow(&mut self, d: &RxDescriptor, buffer_size: u32) -> RxVerdict {
        if d.status & RxStatus::DD == 0 {
            return RxVerdict::NotDone;
        }
        let eop = d.status & RxStatus::EOP != 0;
        if self.in_frame {
            // INVARIANT: the frame ends with its EOP descriptor, whatever
            // else that descriptor reports.
            self.in_frame = !eop;
            return RxVerdict::Continuation;
        }
        match d.validate(buffer_size) {
            Ok(frame) => RxVerdict::Deliver(frame),
            Err(RxError::MultiDescriptor) => {
                // INVARIANT: a frame without EOP continues in the next one.
                self.in_frame = true;
                RxVerdict::Drop(RxError::MultiDescriptor)
            }
            Err(RxError::NotDone) => RxVerdict::NotDone,
            Err(e) => RxVerdict::Drop(e),
        }
    }

    /// Whether the last descriptor seen ended a frame.
    pub fn at_frame_boundary(&self) -> bool {
        !self.in_frame
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DD: u8 = RxStatus::DD;
    const EOP: u8 = RxStatus::EOP;

    fn desc(len: u16, status: u8, errors: u8) -> RxDescriptor {
        RxDescriptor::decode([
            0,
            u64::from(len) | u64::from(status) << 32 | u64::from(errors) << 40,
        ])
    }

    fn run(seq: &[RxDescriptor]) -> ([RxVerdict; 8], bool) {
        let mut frames = RxFrames::new();
        let mut out = [RxVerdict::NotDone; 8];
        for (o, d) in out.iter_mut().zip(seq) {
            *o = frames.next(d, 2048);
        }
        (out, frames.at_frame_boundary())
    }

    #[test]
    fn the_fast_path_agrees_with_the_full_classification() {
        let statuses = [0, DD, EOP, DD | EOP, DD | EOP | 0x80];
        let errors = [0, RxErrors::CE, RxErrors::FATAL, 0x40];
        let lengths = [0, 1, 13, 14, 15, 60, 1514, 2047, 2048, 2049, u16::MAX];
        // Degenerate buffer sizes too: the fast path's single compare must
        // not accept what the full check refuses.
        let sizes = [0, 1, 13, 14, 15, 2048, 65535, 65536, u32::MAX];
        for in_frame in [false, true] {
            for &status in &statuses {
                for &err in &errors {
                    for &len in &lengths {
                        for &size in &sizes {
                            let d = desc(len, status, err);
                            let (mut fast, mut slow) =
                                (RxFrames { in_frame }, RxFrames { in_frame });
                            assert_eq!(
                                fast.next(&d, size),
                                slow.next_slow(&d, size),
                                "status {status:#x} errors {err:#x} len {len} size {size} \
                                 in_frame {in_frame}"
                            );
                            assert_eq!(fast.in_frame, slow.in_frame);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_long_frame_is_dropped_once_and_the_next_is_delivered() {
        let seq = [
            desc(2048, DD, 0),
            desc(2048, DD, 0),
            desc(500, DD | EOP, 0),
            desc(60, DD | EOP, 0),
        ];
        let (v, boundary) = run(&seq);
        assert_eq!(v[0], RxVerdict::Drop(RxError::MultiDescriptor));
        assert_eq!(v[1], RxVerdict::Continuation);
        assert_eq!(v[2], RxVerdict::Continuation);
        assert_eq!(v[3], RxVerdict::Deliver(RxFrame { len: 60 }));
        assert!(boundary);
    }

    #[test]
    fn an_error_on_the_last_descriptor_still_ends_the_frame() {
        // The case that once left the discard state set and lost the next
        // good frame.
        let seq = [
            desc(2048, DD, 0),
            desc(100, DD | EOP, RxErrors::CE),
            desc(0, DD | EOP, 0),
            desc(60, DD | EOP, 0),
        ];
        let (v, boundary) = run(&seq);
        assert_eq!(v[1], RxVerdict::Continuation);
        assert_eq!(v[2], RxVerdict::Drop(RxError::TooShort(0)));
        assert_eq!(v[3], RxVerdict::Deliver(RxFrame { len: 60 }));
        assert!(boundary);
    }

    #[test]
    fn single_descriptor_errors_are_dropped_alone() {
        let seq = [
            desc(60, DD | EOP, RxErrors::RXE),
            desc(4000, DD | EOP, 0),
            desc(60, DD | EOP, 0),
        ];
        let (v, _) = run(&seq);
        assert_eq!(v[0], RxVerdict::Drop(RxError::HardwareError(RxErrors::RXE)));
        assert_eq!(
            v[1],
            RxVerdict::Drop(RxError::TooLong {
                len: 4000,
                max: 2048
            })
        );
        assert_eq!(v[2], RxVerdict::Deliver(RxFrame { len: 60 }));
    }

    #[test]
    fn not_done_stops_without_changing_state() {
        let mut frames = RxFrames::new();
        assert_eq!(
            frames.next(&desc(2048, DD, 0), 2048),
            RxVerdict::Drop(RxError::MultiDescriptor)
        );
        assert_eq!(frames.next(&desc(0, 0, 0), 2048), RxVerdict::NotDone);
        assert!(!frames.at_frame_boundary());
        assert_eq!(
            frames.next(&desc(9, DD | EOP, 0), 2048),
            RxVerdict::Continuation
        );
        assert!(frames.at_frame_boundary());
    }

    #[test]
    fn rx_validation() {
        let ok = RxStatus::DD | RxStatus::EOP;
        assert_eq!(desc(60, ok, 0).validate(2048), Ok(RxFrame { len: 60 }));
        assert_eq!(desc(60, 0, 0).validate(2048), Err(RxError::NotDone));
        assert_eq!(
            desc(60, RxStatus::DD, 0).validate(2048),
            Err(RxError::MultiDescriptor)
        );
        assert_eq!(desc(0, ok, 0).validate(2048), Err(RxError::TooShort(0)));
        assert_eq!(desc(13, ok, 0).validate(2048), Err(RxError::TooShort(13)));
        assert_eq!(desc(14, ok, 0).validate(2048), Ok(RxFrame { len: 14 }));
        assert_eq!(
            desc(4000, ok, 0).validate(2048),
            Err(RxError::TooLong {
                len: 4000,
                max: 2048
            })
        );
        assert_eq!(
            desc(60, ok, RxErrors::CE).validate(2048),
            Err(RxError::HardwareError(RxErrors::CE))
        );
        // Checksum error bits alone are not fatal: the stack re-verifies.
        assert!(desc(60, ok, 1 << 5).validate(2048).is_ok());
    }
}
