//! A minimal io_uring, through the raw system calls (no liburing in the
//! guest): one submission at a time, for `IORING_OP_SEND_ZC`, the
//! io_uring form of MSG_ZEROCOPY. The kernel pins the user's pages and
//! sends them by DMA; a send completes twice: once when the bytes are
//! queued (the result), and once more, flagged `IORING_CQE_F_NOTIF`, when
//! the kernel no longer references the buffer.
//!
//! The layout and constants follow include/uapi/linux/io_uring.h.

use crate::sys::Sys;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicU32, Ordering};

const SYS_IO_URING_SETUP: libc::c_long = 425;
const SYS_IO_URING_ENTER: libc::c_long = 426;
const SYS_IO_URING_REGISTER: libc::c_long = 427;
const IORING_REGISTER_PROBE: u32 = 8;
const IO_URING_OP_SUPPORTED: u16 = 1 << 0;
/// Opcodes a probe can describe (`IORING_OP_LAST` is far below this).
const PROBE_OPS: usize = 256;
const IORING_OFF_SQ_RING: i64 = 0;
const IORING_OFF_CQ_RING: i64 = 0x800_0000;
const IORING_OFF_SQES: i64 = 0x1000_0000;
const IORING_FEAT_SINGLE_MMAP: u32 = 1 << 0;
const IORING_ENTER_GETEVENTS: u32 = 1 << 0;
const IORING_OP_SEND_ZC: u8 = 47;
/// In the SQE's `ioprio`: report in the notification whether the kernel
/// had to copy after all.
const IORING_SEND_ZC_REPORT_USAGE: u16 = 1 << 3;
const IORING_CQE_F_MORE: u32 = 1 << 1;
const IORING_CQE_F_NOTIF: u32 = 1 << 3;
const IORING_NOTIF_USAGE_ZC_COPIED: u32 = 1 << 31;

#[repr(C)]
#[derive(Default)]
struct SqringOffsets {
    head: u32,
    tail: u32,
    ring_mask: u32,
    ring_entries: u32,
    flags: u32,
    dropped: u32,
    array: u32,
    resv1: u32,
    user_addr: u64,
}

#[repr(C)]
#[derive(Default)]
struct CqringOffsets {
    head: u32,
    tail: u32,
    ring_mask: u32,
    ring_entries: u32,
    overflow: u32,
    cqes: u32,
    flags: u32,
    resv1: u32,
    user_addr: u64,
}

#[repr(C)]
#[derive(Default)]
struct Params {
    sq_entries: u32,
    cq_entries: u32,
    flags: u32,
    sq_thread_cpu: u32,
    sq_thread_idle: u32,
    features: u32,
    wq_fd: u32,
    resv: [u32; 3],
    sq_off: SqringOffsets,
    cq_off: CqringOffsets,
}

/// A submission queue entry, as SEND_ZC uses it.
#[repr(C)]
#[derive(Default, Clone, Copy)]
struct Sqe {
    opcode: u8,
    flags: u8,
    ioprio: u16,
    fd: i32,
    off: u64,
    addr: u64,
    len: u32,
    msg_flags: u32,
    user_data: u64,
    buf_index: u16,
    personality: u16,
    file_index: i32,
    addr3: u64,
    pad: u64,
}

const _: () = assert!(std::mem::size_of::<Sqe>() == 64);

#[repr(C)]
#[derive(Clone, Copy)]
struct Cqe {
    user_data: u64,
    res: i32,
    flags: u32,
}

/// A mapping of the ring's shared memory, unmapped on drop.
struct Mapping {
    ptr: *mut u8,
    len: usize,
}

impl Mapping {
    fn new(fd: RawFd, len: usize, offset: i64) -> io::Result<Self> {
        // SAFETY: a fresh shared mapping of the ring fd; checked below.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED | libc::MAP_POPULATE,
                fd,
                offset,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        Ok(Self {
            ptr: ptr.cast(),
            len,
        })
    }

    /// The `u32` the kernel shares at byte `offset`.
    fn atomic(&self, offset: u32) -> &AtomicU32 {
        assert!(offset as usize + 4 <= self.len && offset.is_multiple_of(4));
        // SAFETY: in bounds and aligned (checked); the kernel publishes
        // ring indices as 32-bit words accessed atomically.
        unsafe { &*self.ptr.add(offset as usize).cast::<AtomicU32>() }
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: mapped in `new` with this length; nothing refers to it now.
        unsafe { libc::munmap(self.ptr.cast(), self.len) };
    }
}

/// What the sends' completions said.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SendZcStats {
    /// Sends submitted.
    pub sends: u64,
    /// Notifications received (one per send that took the buffer).
    pub notifications: u64,
    /// Notifications saying the kernel copied the data after all.
    pub copied: u64,
}

/// An io_uring with one submission in flight at a time.
pub struct Uring {
    fd: OwnedFd,
    sq: Mapping,
    cq: Option<Mapping>,
    sqes: Mapping,
    params: Params,
    /// Notifications still owed for sends whose result came with MORE.
    pending_notifications: u64,
    /// What the completions said so far.
    pub stats: SendZcStats,
}

impl Uring {
    /// Sets up a ring of `entries` submissions.
    pub fn new(entries: u32) -> io::Result<Self> {
        let mut params = Params::default();
        // SAFETY: io_uring_setup writes only into `params`.
        let fd = unsafe { libc::syscall(SYS_IO_URING_SETUP, entries, &mut params as *mut Params) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: a new descriptor that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(fd as RawFd) };
        let sq_len = params.sq_off.array as usize + params.sq_entries as usize * 4;
        let cq_len =
            params.cq_off.cqes as usize + params.cq_entries as usize * std::mem::size_of::<Cqe>();
        let single = params.features & IORING_FEAT_SINGLE_MMAP != 0;
        let sq = Mapping::new(
            fd.as_raw_fd(),
            if single { sq_len.max(cq_len) } else { sq_len },
            IORING_OFF_SQ_RING,
        )?;
        let cq = if single {
            None
        } else {
            Some(Mapping::new(fd.as_raw_fd(), cq_len, IORING_OFF_CQ_RING)?)
        };
        let sqes = Mapping::new(
            fd.as_raw_fd(),
            params.sq_entries as usize * std::mem::size_of::<Sqe>(),
            IORING_OFF_SQES,
        )?;
        Ok(Self {
            fd,
            sq,
            cq,
            sqes,
            params,
            pending_notifications: 0,
            stats: SendZcStats::default(),
        })
    }

    /// Whether the kernel implements `IORING_OP_SEND_ZC` (6.0 and later):
    /// an older kernel would fail every send with `EINVAL` instead.
    pub fn supports_send_zc(&self) -> io::Result<bool> {
        self.supports(IORING_OP_SEND_ZC)
    }

    fn supports(&self, op: u8) -> io::Result<bool> {
        // struct io_uring_probe: last_op, ops_len, resv, resv2[3], then one
        // struct io_uring_probe_op (op, resv, flags, resv2) per opcode.
        #[repr(C)]
        #[derive(Clone, Copy, Default)]
        struct ProbeOp {
            op: u8,
            resv: u8,
            flags: u16,
            resv2: u32,
        }
        #[repr(C)]
        struct Probe {
            last_op: u8,
            ops_len: u8,
            resv: u16,
            resv2: [u32; 3],
            ops: [ProbeOp; PROBE_OPS],
        }
        let mut probe = Probe {
            last_op: 0,
            ops_len: 0,
            resv: 0,
            resv2: [0; 3],
            ops: [ProbeOp::default(); PROBE_OPS],
        };
        // SAFETY: the kernel writes at most `PROBE_OPS` entries after the
        // header into `probe`, which has room for them.
        let rc = unsafe {
            libc::syscall(
                SYS_IO_URING_REGISTER,
                self.fd.as_raw_fd(),
                IORING_REGISTER_PROBE,
                &mut probe as *mut Probe,
                PROBE_OPS as libc::c_uint,
            )
        };
        if rc < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(op <= probe.last_op
            && probe.ops.get(usize::from(op)).is_some_and(|o| {
                usize::from(o.op) == usize::from(op) && o.flags & IO_URING_OP_SUPPORTED != 0
            }))
    }

    fn cq(&self) -> &Mapping {
        self.cq.as_ref().unwrap_or(&self.sq)
    }

    /// Sends `buf` on `sock` with SEND_ZC and waits for the result (not for
    /// the notification): the number of bytes queued, which may be short.
    ///
    /// # Safety
    ///
    /// The kernel reads `buf` until its notification arrives: the caller
    /// must keep it alive and unchanged until [`Self::wait_notifications`]
    /// has returned.
    pub unsafe fn send_zc(&mut self, sys: &mut Sys, sock: RawFd, buf: &[u8]) -> io::Result<usize> {
        let sq_off = &self.params.sq_off;
        let tail = self.sq.atomic(sq_off.tail).load(Ordering::Relaxed);
        let mask = self.sq.atomic(sq_off.ring_mask).load(Ordering::Relaxed);
        let index = tail & mask;
        let sqe = Sqe {
            opcode: IORING_OP_SEND_ZC,
            ioprio: IORING_SEND_ZC_REPORT_USAGE,
            fd: sock,
            addr: buf.as_ptr() as u64,
            len: u32::try_from(buf.len()).unwrap_or(u32::MAX),
            user_data: u64::from(tail),
            ..Sqe::default()
        };
        // SAFETY: `index` is within the `sq_entries` SQEs mapped, and the
        // slot is free: one submission at a time, and its completion was
        // reaped before the next.
        unsafe {
            self.sqes.ptr.cast::<Sqe>().add(index as usize).write(sqe);
            self.sq
                .ptr
                .add(sq_off.array as usize)
                .cast::<u32>()
                .add(index as usize)
                .write(index);
        }
        self.sq
            .atomic(sq_off.tail)
            .store(tail.wrapping_add(1), Ordering::Release);
        self.stats.sends += 1;
        // The kernel may take no entry (out of memory for the request, say):
        // a wait for its completion would then never end.
        if self.enter(sys, 1, 1)? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::WouldBlock,
                "io_uring_enter took no submission",
            ));
        }
        loop {
            if let Some(cqe) = self.next_cqe() {
                if cqe.flags & IORING_CQE_F_NOTIF != 0 {
                    self.note_notification(cqe);
                    continue;
                }
                if cqe.flags & IORING_CQE_F_MORE != 0 {
                    self.pending_notifications += 1;
                }
                if cqe.res < 0 {
                    return Err(io::Error::from_raw_os_error(-cqe.res));
                }
                return Ok(cqe.res as usize);
            }
            self.enter(sys, 0, 1)?;
        }
    }

    /// Waits for every notification owed: the kernel then holds no
    /// reference to any buffer sent.
    pub fn wait_notifications(&mut self, sys: &mut Sys) -> io::Result<()> {
        while self.pending_notifications > 0 {
            match self.next_cqe() {
                Some(cqe) if cqe.flags & IORING_CQE_F_NOTIF != 0 => self.note_notification(cqe),
                Some(_) => {}
                None => {
                    self.enter(sys, 0, 1)?;
                }
            }
        }
        Ok(())
    }

    fn note_notification(&mut self, cqe: Cqe) {
        self.stats.notifications += 1;
        self.pending_notifications = self.pending_notifications.saturating_sub(1);
        if cqe.res as u32 & IORING_NOTIF_USAGE_ZC_COPIED != 0 {
            self.stats.copied += 1;
        }
    }

    fn next_cqe(&self) -> Option<Cqe> {
        let off = &self.params.cq_off;
        let cq = self.cq();
        let head = cq.atomic(off.head).load(Ordering::Relaxed);
        let tail = cq.atomic(off.tail).load(Ordering::Acquire);
        if head == tail {
            return None;
        }
        let mask = cq.atomic(off.ring_mask).load(Ordering::Relaxed);
        // SAFETY: `head & mask` indexes one of the `cq_entries` CQEs, which
        // the kernel published before moving the tail (acquire above).
        let cqe = unsafe {
            cq.ptr
                .add(off.cqes as usize)
                .cast::<Cqe>()
                .add((head & mask) as usize)
                .read()
        };
        cq.atomic(off.head)
            .store(head.wrapping_add(1), Ordering::Release);
        Some(cqe)
    }

    /// io_uring_enter: submits `submit` entries, waits for `wait`
    /// completions; returns how many entries the kernel took.
    fn enter(&self, sys: &mut Sys, submit: u32, wait: u32) -> io::Result<usize> {
        let fd = self.fd.as_raw_fd();
        sys.counted_raw(|| {
            // SAFETY: io_uring_enter on our ring, no signal mask.
            unsafe {
                libc::syscall(
                    SYS_IO_URING_ENTER,
                    fd,
                    submit,
                    wait,
                    IORING_ENTER_GETEVENTS,
                    std::ptr::null::<libc::c_void>(),
                    0usize,
                ) as isize
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_tells_known_from_unknown_opcodes() {
        // A host that refuses io_uring (a sandbox, io_uring_disabled) has
        // nothing to probe.
        let Ok(ring) = Uring::new(8) else { return };
        let Ok(nop) = ring.supports(0) else { return };
        // IORING_OP_NOP exists since io_uring itself; 255 is far past the
        // last opcode of any kernel.
        assert!(nop);
        assert!(!ring.supports(255).unwrap());
        // SEND_ZC agrees with the kernel version it came in (6.0).
        let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
        let mut v = release.trim().split(|c: char| !c.is_ascii_digit());
        let major: u32 = v.next().unwrap().parse().unwrap();
        assert_eq!(ring.supports_send_zc().unwrap(), major >= 6);
    }
}
