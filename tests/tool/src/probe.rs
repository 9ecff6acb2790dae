//! `probe-cycles`: load the driver, bring one port up until it has received
//! frames, and unload it again, N times, with no process started per step.
//!
//! On make test's debug kernel starting a process costs 0.1-0.3 s (KASAN
//! and lockdep on every fork, exec and page fault), which made a cycle
//! driven by insmod, ethtool, ip and rmmod mostly process start-up. Here a
//! cycle is the kernel's own work: module load, probe, ring setup, open,
//! first frames, close, remove and module unload.

use crate::error::{CliError, Context, Result};
use crate::ethtool;
use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::Path;
use std::time::{Duration, Instant};

/// What one run of cycles asks for.
pub struct CycleSpec<'a> {
    /// The module file (`finit_module`).
    pub module: &'a Path,
    /// The module name (`delete_module`).
    pub driver: &'a str,
    /// The PCI driver the module registers for the port, as in
    /// /sys/bus/pci/drivers/NAME (the module's name unless it registers
    /// several).
    pub pci_driver: &'a str,
    /// PCI address of the port the driver brings up each cycle.
    pub port: &'a str,
    /// PCI address of a port another driver holds: the driver must never bind it.
    pub guard: Option<&'a str>,
    /// RX and TX ring size set before each open (0: leave the driver's).
    pub ring: u32,
    pub cycles: u32,
    /// Every this many cycles (and in the last), wait for received frames
    /// before unloading; other cycles unload right after the open.
    pub rx_every: u32,
    /// Longest wait for a bind or a first frame.
    pub wait: Duration,
}

/// Time spent in each step, summed over all cycles.
#[derive(Default)]
pub struct CycleTimes {
    pub load: Duration,
    pub open: Duration,
    pub first_rx: Duration,
    pub unload: Duration,
    pub longest_cycle: Duration,
    /// Cycles completed (loaded, bound, opened and unloaded).
    pub cycles: u32,
    /// Cycles that waited for, and got, received frames.
    pub rx_cycles: u32,
}

/// Polls `ready` every 2 ms until it holds or `limit` passes.
fn wait_until(limit: Duration, mut ready: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    loop {
        if ready() {
            return true;
        }
        if start.elapsed() >= limit {
            return false;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn load_module(path: &Path) -> Result<()> {
    let file = std::fs::File::open(path).ctx(|| format!("open {}", path.display()))?;
    let params = c"";
    // SAFETY: finit_module(2) with an open fd, a NUL-terminated empty
    // parameter string and no flags.
    let rc = unsafe { libc::syscall(libc::SYS_finit_module, file.as_raw_fd(), params.as_ptr(), 0) };
    if rc != 0 {
        return Err(io::Error::last_os_error()).ctx(|| format!("finit_module {}", path.display()));
    }
    Ok(())
}

fn unload_module(name: &str) -> Result<()> {
    let cname = CString::new(name).map_err(|_| CliError::usage("module name contains NUL"))?;
    // SAFETY: delete_module(2) with a NUL-terminated name; O_NONBLOCK as
    // rmmod passes it (fail rather than wait while the module is in use).
    let rc = unsafe { libc::syscall(libc::SYS_delete_module, cname.as_ptr(), libc::O_NONBLOCK) };
    if rc != 0 {
        return Err(io::Error::last_os_error()).ctx(|| format!("delete_module {name}"));
    }
    Ok(())
}

/// The one network interface of PCI device `port`.
fn interface_of(port: &str) -> Result<String> {
    let dir = format!("/sys/bus/pci/devices/{port}/net");
    let mut names = std::fs::read_dir(&dir)
        .ctx(|| format!("read {dir}"))?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()));
    names
        .next()
        .ok_or_else(|| CliError::msg(format!("{port} has no network interface")))
}

/// Sets IFF_UP on `iface` (`ip link set IFACE up`).
fn set_up(iface: &str) -> Result<()> {
    // SAFETY: plain socket(2); checked before use.
    let raw = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
    if raw < 0 {
        return Err(io::Error::last_os_error()).ctx(|| "create socket for SIOCSIFFLAGS");
    }
    // SAFETY: `raw` was just created and is owned by nobody else.
    let sock = unsafe { OwnedFd::from_raw_fd(raw) };
    // SAFETY: ifreq is plain old data; all zeroes is a valid value.
    let mut ifr: libc::ifreq = unsafe { std::mem::zeroed() };
    if iface.len() >= libc::IFNAMSIZ {
        return Err(CliError::msg(format!("interface name {iface} too long")));
    }
    for (dst, src) in ifr.ifr_name.iter_mut().zip(iface.bytes()) {
        *dst = src as libc::c_char;
    }
    let ioctl = |request, ifr: &mut libc::ifreq, what: &str| {
        // SAFETY: `ifr` is a valid ifreq naming the interface.
        if unsafe { libc::ioctl(sock.as_raw_fd(), request as _, ifr) } < 0 {
            return Err(io::Error::last_os_error()).ctx(|| format!("{what} {iface}"));
        }
        Ok(())
    };
    ioctl(libc::SIOCGIFFLAGS, &mut ifr, "SIOCGIFFLAGS")?;
    // SAFETY: SIOCGIFFLAGS filled in the flags member of the union.
    unsafe { ifr.ifr_ifru.ifru_flags |= libc::IFF_UP as libc::c_short };
    ioctl(libc::SIOCSIFFLAGS, &mut ifr, "SIOCSIFFLAGS")?;
    Ok(())
}

fn rx_packets(iface: &str) -> u64 {
    std::fs::read_to_string(format!("/sys/class/net/{iface}/statistics/rx_packets"))
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0)
}

/// Runs the cycles; any step that fails ends the run with an error that
/// names the cycle. The module is left unloaded after a full run.
pub fn run(spec: &CycleSpec) -> Result<CycleTimes> {
    let mut times = CycleTimes::default();
    let bound =
        |bdf: &str| Path::new(&format!("/sys/bus/pci/drivers/{}/{bdf}", spec.pci_driver)).exists();
    for i in 1..=spec.cycles {
        let in_cycle = |e: CliError| CliError {
            what: format!("cycle {i}: {}", e.what),
            ..e
        };
        let start = Instant::now();
        load_module(spec.module).map_err(in_cycle)?;
        if !wait_until(spec.wait, || bound(spec.port)) {
            return Err(in_cycle(CliError::msg(format!(
                "{} did not bind {}",
                spec.pci_driver, spec.port
            ))));
        }
        if let Some(guard) = spec.guard.filter(|g| bound(g)) {
            return Err(in_cycle(CliError::msg(format!(
                "{} took {guard}, which another driver holds",
                spec.pci_driver
            ))));
        }
        let loaded = Instant::now();
        let iface = interface_of(spec.port).map_err(in_cycle)?;
        if spec.ring != 0 {
            ethtool::set_rings(&iface, spec.ring, spec.ring).map_err(in_cycle)?;
        }
        set_up(&iface).map_err(in_cycle)?;
        let opened = Instant::now();
        if i % spec.rx_every.max(1) == 0 || i == spec.cycles {
            if !wait_until(spec.wait, || rx_packets(&iface) > 0) {
                return Err(in_cycle(CliError::msg(format!("{iface} received nothing"))));
            }
            times.rx_cycles += 1;
        }
        let received = Instant::now();
        unload_module(spec.driver).map_err(in_cycle)?;
        let end = Instant::now();
        times.load += loaded - start;
        times.open += opened - loaded;
        times.first_rx += received - opened;
        times.unload += end - received;
        times.longest_cycle = times.longest_cycle.max(end - start);
        times.cycles += 1;
    }
    Ok(times)
}
