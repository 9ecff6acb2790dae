//! Thin, counting wrappers around the system calls used on the timed send
//! path. Each attempt (including EINTR retries) increments `calls`, so the
//! reported count is exactly the number of kernel entries the loop made.

use std::io;
use std::os::fd::RawFd;
use std::ptr;

/// Converts a raw syscall return value into an `io::Result`.
fn check(rc: isize) -> io::Result<usize> {
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(rc as usize)
    }
}

/// sync(2), not counted: it marks a phase boundary for the host's
/// instruction-counting QEMU plugin, which starts a new phase whenever the
/// kernel enters sync (`make profile`, the copy table).
pub fn phase_mark() {
    // SAFETY: sync(2) takes no arguments and cannot fail.
    unsafe { libc::sync() };
}

/// System-call issuer that counts every call it makes.
#[derive(Debug, Default)]
pub struct Sys {
    /// Number of system calls made so far.
    pub calls: u64,
}

impl Sys {
    /// Runs `f` (one syscall), counting it and retrying on EINTR.
    fn counted(&mut self, mut f: impl FnMut() -> isize) -> io::Result<usize> {
        loop {
            self.calls += 1;
            match check(f()) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => return other,
            }
        }
    }

    /// Any other system call `f` makes, counted like the rest.
    pub fn counted_raw(&mut self, f: impl FnMut() -> isize) -> io::Result<usize> {
        self.counted(f)
    }

    /// pread(2): reads at an explicit offset, so no lseek is needed.
    pub fn pread(&mut self, fd: RawFd, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        let off = libc::off_t::try_from(offset)
            .map_err(|_| io::Error::from_raw_os_error(libc::EOVERFLOW))?;
        // SAFETY: `buf` is a valid, writable region of `buf.len()` bytes.
        self.counted(|| unsafe { libc::pread(fd, buf.as_mut_ptr().cast(), buf.len(), off) })
    }

    /// read(2).
    pub fn read(&mut self, fd: RawFd, buf: &mut [u8]) -> io::Result<usize> {
        // SAFETY: `buf` is a valid, writable region of `buf.len()` bytes.
        self.counted(|| unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) })
    }

    /// write(2).
    pub fn write(&mut self, fd: RawFd, buf: &[u8]) -> io::Result<usize> {
        // SAFETY: `buf` is a valid, readable region of `buf.len()` bytes.
        self.counted(|| unsafe { libc::write(fd, buf.as_ptr().cast(), buf.len()) })
    }

    /// Writes all of `buf` with as many write(2) calls as needed.
    pub fn write_all(&mut self, fd: RawFd, mut buf: &[u8]) -> io::Result<()> {
        while !buf.is_empty() {
            match self.write(fd, buf)? {
                0 => return Err(io::ErrorKind::WriteZero.into()),
                n => buf = &buf[n..],
            }
        }
        Ok(())
    }

    /// send(2) with `flags`.
    pub fn send(&mut self, fd: RawFd, buf: &[u8], flags: libc::c_int) -> io::Result<usize> {
        // SAFETY: `buf` is a valid, readable region of `buf.len()` bytes.
        self.counted(|| unsafe { libc::send(fd, buf.as_ptr().cast(), buf.len(), flags) })
    }

    /// sendmsg(2) of the buffers `iov` describes, with no address.
    pub fn sendmsg_iov(
        &mut self,
        fd: RawFd,
        iov: &[libc::iovec],
        flags: libc::c_int,
    ) -> io::Result<usize> {
        // SAFETY: msghdr is plain data; all-zero means no name and no control.
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        msg.msg_iov = iov.as_ptr().cast_mut();
        msg.msg_iovlen = iov.len() as _;
        // SAFETY: the caller's iovecs point at readable memory that outlives
        // the call (and, for MSG_ZEROCOPY, the completion).
        self.counted(|| unsafe { libc::sendmsg(fd, &msg, flags) })
    }

    /// sendfile(2): `offset` is advanced by the kernel.
    pub fn sendfile(
        &mut self,
        out_fd: RawFd,
        in_fd: RawFd,
        offset: &mut libc::off_t,
        count: usize,
    ) -> io::Result<usize> {
        // SAFETY: `offset` points to a live off_t for the duration of the call.
        self.counted(|| unsafe { libc::sendfile(out_fd, in_fd, offset, count) })
    }

    /// splice(2); `off_in` must be `Some` for a file and `None` for a pipe.
    pub fn splice(
        &mut self,
        fd_in: RawFd,
        off_in: Option<&mut libc::loff_t>,
        fd_out: RawFd,
        len: usize,
        flags: libc::c_uint,
    ) -> io::Result<usize> {
        let off_ptr = off_in.map_or(ptr::null_mut(), |o| o as *mut libc::loff_t);
        // SAFETY: `off_ptr` is null or points to a live loff_t; the output side
        // is never a file here, so its offset is null.
        self.counted(|| unsafe {
            libc::splice(fd_in, off_ptr, fd_out, ptr::null_mut(), len, flags)
        })
    }

    /// recvmsg(2).
    pub fn recvmsg(
        &mut self,
        fd: RawFd,
        msg: &mut libc::msghdr,
        flags: libc::c_int,
    ) -> io::Result<usize> {
        // SAFETY: the caller built `msg` with valid buffers.
        self.counted(|| unsafe { libc::recvmsg(fd, msg, flags) })
    }

    /// poll(2) on one descriptor; returns the `revents` bits (0 on timeout).
    pub fn poll(
        &mut self,
        fd: RawFd,
        events: libc::c_short,
        timeout_ms: libc::c_int,
    ) -> io::Result<libc::c_short> {
        let mut pfd = libc::pollfd {
            fd,
            events,
            revents: 0,
        };
        // SAFETY: `pfd` is one valid pollfd.
        self.counted(|| unsafe { libc::poll(&mut pfd, 1, timeout_ms) as isize })?;
        Ok(pfd.revents)
    }

    /// shutdown(2).
    pub fn shutdown(&mut self, fd: RawFd, how: libc::c_int) -> io::Result<()> {
        // SAFETY: plain shutdown(2) call.
        self.counted(|| unsafe { libc::shutdown(fd, how) as isize })
            .map(|_| ())
    }

    /// mmap(2) of `len` bytes of `fd` at `offset`, read-only and shared.
    pub fn mmap_ro(&mut self, fd: RawFd, len: usize, offset: u64) -> io::Result<*mut libc::c_void> {
        let off = libc::off_t::try_from(offset)
            .map_err(|_| io::Error::from_raw_os_error(libc::EOVERFLOW))?;
        self.calls += 1;
        // SAFETY: a fresh mapping chosen by the kernel; nothing is overwritten.
        let p = unsafe {
            libc::mmap(
                ptr::null_mut(),
                len,
                libc::PROT_READ,
                libc::MAP_SHARED,
                fd,
                off,
            )
        };
        if p == libc::MAP_FAILED {
            Err(io::Error::last_os_error())
        } else {
            Ok(p)
        }
    }

    /// munmap(2).
    ///
    /// # Safety
    /// `addr`/`len` must be a mapping returned by [`Sys::mmap_ro`] that is no
    /// longer referenced.
    pub unsafe fn munmap(&mut self, addr: *mut libc::c_void, len: usize) -> io::Result<()> {
        self.calls += 1;
        // SAFETY: guaranteed by the caller.
        if unsafe { libc::munmap(addr, len) } == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }
}

/// Resource usage snapshot of this process (getrusage(RUSAGE_SELF)).
#[derive(Debug, Clone, Copy, Default)]
pub struct Usage {
    /// Voluntary context switches (blocking).
    pub vol_ctx: u64,
    /// Involuntary context switches (preemption).
    pub invol_ctx: u64,
    /// User CPU seconds.
    pub user_s: f64,
    /// System CPU seconds.
    pub sys_s: f64,
}

impl Usage {
    /// Reads the current usage of the whole process.
    pub fn now() -> Usage {
        // SAFETY: rusage is plain data; getrusage fills it.
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: `ru` is a valid out-pointer. RUSAGE_SELF cannot fail.
        unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
        let secs = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
        Usage {
            vol_ctx: ru.ru_nvcsw.max(0) as u64,
            invol_ctx: ru.ru_nivcsw.max(0) as u64,
            user_s: secs(ru.ru_utime),
            sys_s: secs(ru.ru_stime),
        }
    }

    /// Usage accumulated between `earlier` and `self`.
    pub fn since(&self, earlier: &Usage) -> Usage {
        Usage {
            vol_ctx: self.vol_ctx.saturating_sub(earlier.vol_ctx),
            invol_ctx: self.invol_ctx.saturating_sub(earlier.invol_ctx),
            user_s: (self.user_s - earlier.user_s).max(0.0),
            sys_s: (self.sys_s - earlier.sys_s).max(0.0),
        }
    }
}
