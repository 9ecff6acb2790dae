//! Reads a device's registers through sysfs (`resource0`), independently
//! of the driver bound to it: a test checks what the driver sees.

use crate::error::{CliError, Context, Result};
use std::fs::File;
use std::os::fd::AsRawFd;

/// Reads the 32-bit register at `offset` of BAR 0 of PCI device `bdf`.
pub fn read_bar0(bdf: &str, offset: u64) -> Result<u32> {
    if bdf.contains('/') {
        return Err(CliError::usage(format!("'{bdf}' is not a PCI address")));
    }
    let path = format!("/sys/bus/pci/devices/{bdf}/resource0");
    let file = File::open(&path).ctx(|| format!("open {path}"))?;
    let len = file.metadata().ctx(|| format!("stat {path}"))?.len();
    if !offset.is_multiple_of(4) || offset.checked_add(4).is_none_or(|end| end > len) {
        return Err(CliError::usage(format!(
            "offset {offset:#x} is not an aligned register inside BAR 0 ({len:#x} bytes)"
        )));
    }
    let page = 4096u64;
    let map_off = offset & !(page - 1);
    let map_len = (offset - map_off + 4) as usize;
    // SAFETY: a fresh shared read-only mapping chosen by the kernel.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            map_len,
            libc::PROT_READ,
            libc::MAP_SHARED,
            file.as_raw_fd(),
            map_off as libc::off_t,
        )
    };
    if p == libc::MAP_FAILED {
        return Err(CliError::os(
            "mmap(resource0)",
            std::io::Error::last_os_error(),
        ));
    }
    // SAFETY: `offset - map_off + 4 <= map_len` and the address is 4-byte
    // aligned; device memory is read with one volatile 32-bit load.
    let value = unsafe {
        p.cast::<u8>()
            .add((offset - map_off) as usize)
            .cast::<u32>()
            .read_volatile()
    };
    // SAFETY: the mapping made above, not referenced any more.
    unsafe { libc::munmap(p, map_len) };
    Ok(value)
}
