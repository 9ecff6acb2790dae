// SPDX-License-Identifier: GPL-2.0

//! Statistics registers that the 8254x clears on read.
//!
//! The SDM says every statistics register clears when read, so each read
//! returns the events since the previous one. QEMU's e1000 model does not
//! clear some of them (MPC, RNBC): a read returns the running total. A
//! driver that adds every read value counts QEMU's drops many times over.
//! [`DeviceCounter`] works out which of the two the device does from two
//! back-to-back reads, the first time it sees a non-zero value, and from
//! then on turns reads into increments either way.

/// How a counter register behaves on read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ReadBehaviour {
    /// Not known yet (only zeros seen so far).
    Unknown,
    /// Clears on read, as the SDM specifies: each read is an increment.
    Clears,
    /// Returns the running total (QEMU).
    RunningTotal,
}

/// One statistics register, turned into increments.
#[derive(Clone, Copy, Debug)]
pub struct DeviceCounter {
    behaviour: ReadBehaviour,
    /// The last running total seen (for [`ReadBehaviour::RunningTotal`]).
    last_total: u32,
}

impl Default for DeviceCounter {
    fn default() -> Self {
        Self::new()
    }
}

impl DeviceCounter {
    /// A counter whose behaviour is not known yet.
    pub const fn new() -> Self {
        Self {
            behaviour: ReadBehaviour::Unknown,
            last_total: 0,
        }
    }

    /// Whether the next update needs a second, back-to-back read: while
    /// the behaviour is unknown, for a non-zero `first` read.
    pub fn needs_second_read(&self, first: u32) -> bool {
        self.behaviour == ReadBehaviour::Unknown && first != 0
    }

    /// The events new since the last update, given the register's value
    /// `first` and, if [`Self::needs_second_read`] asked for it, a second
    /// read `second` taken right after (otherwise 0).
    pub fn update(&mut self, first: u32, second: u32) -> u32 {
        if self.behaviour == ReadBehaviour::Unknown && first != 0 {
            // A clearing register reads (close to) zero right after a read;
            // a running total reads the same again, or more.
            self.behaviour = if second < first {
                ReadBehaviour::Clears
            } else {
                ReadBehaviour::RunningTotal
            };
            return match self.behaviour {
                ReadBehaviour::Clears => first.saturating_add(second),
                _ => self.new_total(second),
            };
        }
        match self.behaviour {
            ReadBehaviour::RunningTotal => self.new_total(first),
            _ => first,
        }
    }

    /// Forgets what the device counted so far (after a reset, or for
    /// counts another driver left behind): the next update starts there.
    pub fn rebase(&mut self, first: u32, second: u32) {
        let _ = self.update(first, second);
    }

    fn new_total(&mut self, total: u32) -> u32 {
        // A total below the last one means the device was reset.
        let delta = if total >= self.last_total {
            total - self.last_total
        } else {
            total
        };
        self.last_total = total;
        delta
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `reads` (as the device would return them, in pairs when a
    /// second read is asked for) and collects the increments.
    fn run(c: &mut DeviceCounter, reads: &mut impl Iterator<Item = u32>, updates: usize) -> u32 {
        let mut sum = 0;
        for _ in 0..updates {
            let first = reads.next().unwrap();
            let second = if c.needs_second_read(first) {
                reads.next().unwrap()
            } else {
                0
            };
            sum += c.update(first, second);
        }
        sum
    }

    #[test]
    fn clear_on_read_device() {
        let mut c = DeviceCounter::new();
        // 0, then 5 (second read 0), then 3, 0, 7.
        let mut reads = [0, 5, 0, 3, 0, 7].into_iter();
        assert_eq!(run(&mut c, &mut reads, 5), 15);
    }

    #[test]
    fn running_total_device() {
        let mut c = DeviceCounter::new();
        // Totals 0, 5 (again 5), 8, 8, 15: 15 events in all.
        let mut reads = [0, 5, 5, 8, 8, 15].into_iter();
        assert_eq!(run(&mut c, &mut reads, 5), 15);
    }

    #[test]
    fn leftover_counts_are_rebased_away() {
        // A running total of 600 left by the previous driver.
        let mut c = DeviceCounter::new();
        c.rebase(600, 600);
        assert_eq!(c.update(600, 0), 0);
        assert_eq!(c.update(610, 0), 10);
        // The device was reset: the total starts again.
        assert_eq!(c.update(4, 0), 4);
        // A clearing device's leftovers are gone after the rebase reads.
        let mut c = DeviceCounter::new();
        c.rebase(600, 0);
        assert_eq!(c.update(0, 0), 0);
        assert_eq!(c.update(2, 0), 2);
    }

    #[test]
    fn events_between_the_two_reads_count_once() {
        let mut c = DeviceCounter::new();
        // Clearing device: 5 events, then 1 more between the reads.
        assert_eq!(c.update(5, 1), 6);
        assert_eq!(c.update(2, 0), 2);
        // Running total: 5, and 6 by the second read.
        let mut c = DeviceCounter::new();
        assert_eq!(c.update(5, 6), 6);
        assert_eq!(c.update(9, 0), 3);
    }
}
