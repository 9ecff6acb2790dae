// SPDX-License-Identifier: GPL-2.0

//! Descriptor ring sizes and index bookkeeping.
//!
//! The driver produces at `next_to_use` and reclaims at `next_to_clean`.
//! One slot always stays empty so that "head == tail" unambiguously means
//! an empty ring to the device.

/// Size of every descriptor in bytes.
pub const DESC_SIZE: usize = 16;

/// A descriptor in device byte order.
pub fn to_le(d: [u64; 2]) -> [u64; 2] {
    [d[0].to_le(), d[1].to_le()]
}

/// A descriptor from device byte order.
pub fn from_le(d: [u64; 2]) -> [u64; 2] {
    [u64::from_le(d[0]), u64::from_le(d[1])]
}

/// A ring size: a power of two in `MIN..=MAX`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RingSize(u32);

impl RingSize {
    /// Smallest supported ring.
    pub const MIN: RingSize = RingSize(64);
    /// Largest supported ring (RDLEN/TDLEN allow more; this bounds memory).
    pub const MAX: RingSize = RingSize(4096);
    /// Default ring size.
    pub const DEFAULT: RingSize = RingSize(256);

    /// `n` if it is a power of two in range.
    pub fn new(n: u32) -> Option<Self> {
        (n.is_power_of_two() && (Self::MIN.0..=Self::MAX.0).contains(&n)).then_some(Self(n))
    }

    /// The nearest valid size at or above `n`, clamped to the range.
    pub fn round(n: u32) -> Self {
        let n = n.clamp(Self::MIN.0, Self::MAX.0);
        Self(n.next_power_of_two())
    }

    /// Number of descriptors.
    pub const fn get(self) -> usize {
        self.0 as usize
    }

    /// Mask for wrapping indices.
    pub fn mask(self) -> u32 {
        // The size is at least `MIN` (type invariant): no underflow, and no
        // overflow check on the hot paths that wrap every index.
        self.0.wrapping_sub(1)
    }

    /// Ring length in bytes (RDLEN/TDLEN; always a multiple of 128).
    pub fn bytes(self) -> u32 {
        self.0 * DESC_SIZE as u32
    }
}

/// The device reported a ring position that cannot be right.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RingError {
    /// The index is beyond the ring.
    OutOfRange(u32),
    /// The index is outside the span the driver handed to the device.
    OutsideInFlight(u32),
}

/// Producer/consumer positions of one ring.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RingCursor {
    size: RingSize,
    next_to_use: u32,
    next_to_clean: u32,
}

impl RingCursor {
    /// An empty ring of `size`.
    pub fn new(size: RingSize) -> Self {
        Self {
            size,
            next_to_use: 0,
            next_to_clean: 0,
        }
    }

    /// The ring size.
    pub fn size(&self) -> RingSize {
        self.size
    }

    /// Next slot the driver fills.
    pub fn next_to_use(&self) -> u32 {
        self.next_to_use
    }

    /// Oldest slot not yet reclaimed.
    pub fn next_to_clean(&self) -> u32 {
        self.next_to_clean
    }

    /// `i` wrapped into the ring.
    pub fn wrap(&self, i: u32) -> u32 {
        i & self.size.mask()
    }

    /// Slots handed to the device and not yet reclaimed.
    pub fn in_flight(&self) -> u32 {
        self.next_to_use.wrapping_sub(self.next_to_clean) & self.size.mask()
    }

    /// Slots the driver may still fill (one always stays empty).
    pub fn unused(&self) -> u32 {
        // `in_flight()` is masked, so at most `size - 1`.
        self.size.mask().wrapping_sub(self.in_flight())
    }

    /// The slot where filling from [`Self::next_to_use`] must stop: the
    /// one before [`Self::next_to_clean`], which stays empty so that a full
    /// ring differs from an empty one. The slots from `next_to_use` up to
    /// it are the [`Self::unused`] ones.
    pub fn free_end(&self) -> u32 {
        self.wrap(self.next_to_clean.wrapping_sub(1))
    }

    /// Whether nothing is in flight.
    pub fn is_empty(&self) -> bool {
        self.in_flight() == 0
    }

    /// Whether no slot can be filled.
    pub fn is_full(&self) -> bool {
        self.unused() == 0
    }

    /// Marks `n` slots as filled; `n` must not exceed [`Self::unused`].
    pub fn advance_use(&mut self, n: u32) {
        debug_assert!(n <= self.unused());
        // Both terms are below the ring size (at most `MAX`): no overflow.
        self.next_to_use = self.wrap(self.next_to_use.wrapping_add(n));
    }

    /// Marks `n` slots as reclaimed; `n` must not exceed [`Self::in_flight`].
    pub fn advance_clean(&mut self, n: u32) {
        debug_assert!(n <= self.in_flight());
        self.next_to_clean = self.wrap(self.next_to_clean.wrapping_add(n));
    }

    /// `count` consecutive indices from `start`, wrapping.
    pub fn slots_from(&self, start: u32, count: u32) -> impl Iterator<Item = u32> {
        let mask = self.size.mask();
        (0..count).map(move |k| (start + k) & mask)
    }

    /// How many in-flight slots the device has finished, given the head it
    /// reports. A head outside the ring or outside the in-flight span is
    /// rejected: the driver trusts nothing the device writes unchecked.
    pub fn completed_up_to(&self, hw_head: u32) -> Result<u32, RingError> {
        if hw_head >= self.size.0 {
            return Err(RingError::OutOfRange(hw_head));
        }
        let done = hw_head.wrapping_sub(self.next_to_clean) & self.size.mask();
        if done > self.in_flight() {
            return Err(RingError::OutsideInFlight(hw_head));
        }
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(n: u32) -> RingCursor {
        RingCursor::new(RingSize::new(n).unwrap())
    }

    #[test]
    fn sizes() {
        for bad in [0, 1, 63, 100, 8192, 5000] {
            assert_eq!(RingSize::new(bad), None, "{bad}");
        }
        assert_eq!(RingSize::new(64).unwrap().get(), 64);
        assert_eq!(RingSize::new(4096).unwrap().bytes(), 65536);
        assert_eq!(RingSize::round(0), RingSize::MIN);
        assert_eq!(RingSize::round(100), RingSize::new(128).unwrap());
        assert_eq!(RingSize::round(100_000), RingSize::MAX);
        assert_eq!(RingSize::DEFAULT.get(), 256);
        assert_eq!(RingSize::MIN.bytes() % 128, 0);
    }

    #[test]
    fn empty_and_full() {
        let mut r = ring(64);
        assert!(r.is_empty());
        assert_eq!(r.unused(), 63);
        r.advance_use(63);
        assert!(r.is_full());
        assert_eq!(r.in_flight(), 63);
        r.advance_clean(63);
        assert!(r.is_empty());
        assert_eq!((r.next_to_use(), r.next_to_clean()), (63, 63));
    }

    #[test]
    fn wrap_around_at_every_boundary() {
        let mut r = ring(64);
        for step in 1..=63 {
            for _ in 0..200 {
                let before = r.next_to_use();
                r.advance_use(step);
                assert_eq!(r.next_to_use(), (before + step) % 64);
                assert_eq!(r.in_flight(), step);
                assert_eq!(r.completed_up_to(r.next_to_use()), Ok(step));
                r.advance_clean(step);
                assert!(r.is_empty());
            }
        }
    }

    #[test]
    fn free_end_is_unused_slots_ahead() {
        let mut r = ring(64);
        for step in [0, 1, 5, 62, 63] {
            for _ in 0..130 {
                assert_eq!(r.free_end(), r.wrap(r.next_to_use() + r.unused()));
                r.advance_use(step);
                assert_eq!(r.free_end(), r.wrap(r.next_to_use() + r.unused()));
                r.advance_clean(step);
                r.advance_use(1);
                r.advance_clean(1);
            }
        }
        let mut full = ring(64);
        full.advance_use(63);
        assert_eq!(full.free_end(), full.next_to_use());
    }

    #[test]
    fn slots_wrap() {
        let mut r = ring(64);
        r.advance_use(60);
        r.advance_clean(60);
        let slots: [u32; 6] = {
            let mut it = r.slots_from(r.next_to_use(), 6);
            core::array::from_fn(|_| it.next().unwrap())
        };
        assert_eq!(slots, [60, 61, 62, 63, 0, 1]);
    }

    #[test]
    fn device_head_is_checked() {
        let mut r = ring(64);
        r.advance_use(62);
        r.advance_clean(60);
        r.advance_use(10); // in flight: 60..=63, 0..=5
        assert_eq!(r.completed_up_to(60), Ok(0));
        assert_eq!(r.completed_up_to(2), Ok(6));
        assert_eq!(r.completed_up_to(8), Ok(12));
        assert_eq!(r.completed_up_to(9), Err(RingError::OutsideInFlight(9)));
        assert_eq!(r.completed_up_to(30), Err(RingError::OutsideInFlight(30)));
        assert_eq!(r.completed_up_to(64), Err(RingError::OutOfRange(64)));
        assert_eq!(
            r.completed_up_to(u32::MAX),
            Err(RingError::OutOfRange(u32::MAX))
        );
    }

    #[test]
    fn byte_order_round_trip() {
        let d = [0x0102_0304_0506_0708, 0x1112_1314_1516_1718];
        assert_eq!(from_le(to_le(d)), d);
    }
}
