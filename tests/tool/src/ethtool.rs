//! The driver's `ethtool -S` counters (`ethtool-stats`) and ring sizes
//! (`ethtool -G`, for `probe-cycles`) via the SIOCETHTOOL ioctl, without
//! an ethtool process.
//!
//! The ethtool request structs end in flexible arrays, so each request is
//! built as a byte buffer laid out like the kernel's struct (native endian).

use crate::error::{CliError, Context, Result};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

// From <linux/sockios.h> and <linux/ethtool.h>.
const SIOCETHTOOL: libc::c_ulong = 0x8946;
const ETHTOOL_GRINGPARAM: u32 = 0x10;
const ETHTOOL_SRINGPARAM: u32 = 0x11;
const ETHTOOL_GSTRINGS: u32 = 0x1b;
const ETHTOOL_GSTATS: u32 = 0x1d;
const ETHTOOL_GSSET_INFO: u32 = 0x37;
const ETH_SS_STATS: u32 = 1;
const ETH_GSTRING_LEN: usize = 32;
/// Extra entries allocated beyond the advertised count: the kernel fills in
/// its current count, not ours, so a count that grows between calls must not
/// overrun the buffer.
const SLACK_ENTRIES: usize = 64;

/// `struct ifreq` with the `ifr_data` member of its union in use (40 bytes).
#[repr(C)]
struct IfReqData {
    ifr_name: [libc::c_char; libc::IFNAMSIZ],
    ifr_data: *mut libc::c_void,
    _union_rest: [u8; 16],
}

/// Reads a native-endian u32 at `at`.
fn get_u32(buf: &[u8], at: usize) -> u32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&buf[at..at + 4]);
    u32::from_ne_bytes(b)
}

/// Reads a native-endian u64 at `at`.
fn get_u64(buf: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&buf[at..at + 8]);
    u64::from_ne_bytes(b)
}

/// A socket plus interface name for issuing ethtool requests.
struct Ethtool {
    sock: OwnedFd,
    iface: String,
}

impl Ethtool {
    fn open(iface: &str) -> Result<Ethtool> {
        if iface.is_empty() || iface.len() >= libc::IFNAMSIZ || iface.contains(['\0', '/']) {
            return Err(CliError::usage(format!(
                "invalid interface name '{iface}' (1-{} bytes, no '/')",
                libc::IFNAMSIZ - 1
            )));
        }
        // Any socket works as an ioctl handle; a UDP one is always available.
        // SAFETY: plain socket(2) call; the result is checked before use.
        let raw = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
        if raw < 0 {
            return Err(io::Error::last_os_error()).ctx(|| "create socket for SIOCETHTOOL");
        }
        Ok(Ethtool {
            // SAFETY: `raw` was just created and is owned by nobody else.
            sock: unsafe { OwnedFd::from_raw_fd(raw) },
            iface: iface.to_string(),
        })
    }

    /// Issues one ethtool command whose request/response struct is `buf`.
    fn request(&self, buf: &mut [u8], what: &str) -> Result<()> {
        let mut ifr = IfReqData {
            ifr_name: [0; libc::IFNAMSIZ],
            ifr_data: buf.as_mut_ptr().cast(),
            _union_rest: [0; 16],
        };
        for (dst, src) in ifr.ifr_name.iter_mut().zip(self.iface.bytes()) {
            *dst = src as libc::c_char;
        }
        // SAFETY: `ifr` is a valid ifreq whose data pointer refers to `buf`,
        // which is sized for the command written at its start.
        let rc = unsafe { libc::ioctl(self.sock.as_raw_fd(), SIOCETHTOOL as _, &mut ifr) };
        if rc < 0 {
            let err = io::Error::last_os_error();
            let hint = match err.raw_os_error() {
                Some(libc::ENODEV) => " (no such interface)",
                Some(libc::EOPNOTSUPP) => " (driver has no ethtool support for this)",
                _ => "",
            };
            return Err(CliError::os(
                format!("SIOCETHTOOL {what} on {}{hint}", self.iface),
                err,
            ));
        }
        Ok(())
    }

    /// Number of ETH_SS_STATS strings, or `None` if the driver has none.
    fn stats_count(&self) -> Result<Option<usize>> {
        // struct ethtool_sset_info { u32 cmd; u32 reserved; u64 sset_mask; u32 data[]; }
        let mut buf = [0u8; 16 + 4];
        buf[0..4].copy_from_slice(&ETHTOOL_GSSET_INFO.to_ne_bytes());
        buf[8..16].copy_from_slice(&(1u64 << ETH_SS_STATS).to_ne_bytes());
        self.request(&mut buf, "ETHTOOL_GSSET_INFO")?;
        // The kernel clears the mask bit of every set it cannot count.
        if get_u64(&buf, 8) & (1u64 << ETH_SS_STATS) == 0 {
            return Ok(None);
        }
        Ok(Some(get_u32(&buf, 16) as usize))
    }

    /// The ETH_SS_STATS counter names.
    fn stat_names(&self, count: usize) -> Result<Vec<String>> {
        // struct ethtool_gstrings { u32 cmd; u32 string_set; u32 len; u8 data[]; }
        let capacity = count + SLACK_ENTRIES;
        let mut buf = vec![0u8; 12 + capacity * ETH_GSTRING_LEN];
        buf[0..4].copy_from_slice(&ETHTOOL_GSTRINGS.to_ne_bytes());
        buf[4..8].copy_from_slice(&ETH_SS_STATS.to_ne_bytes());
        buf[8..12].copy_from_slice(&(count as u32).to_ne_bytes());
        self.request(&mut buf, "ETHTOOL_GSTRINGS")?;
        let len = get_u32(&buf, 8) as usize;
        if len > capacity {
            return Err(CliError::msg(format!(
                "{}: driver returned {len} stat names, more than the {count} it announced",
                self.iface
            )));
        }
        Ok(buf[12..12 + len * ETH_GSTRING_LEN]
            .chunks_exact(ETH_GSTRING_LEN)
            .map(|raw| {
                let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
                String::from_utf8_lossy(&raw[..end]).into_owned()
            })
            .collect())
    }

    /// The ETH_SS_STATS counter values.
    fn stat_values(&self, count: usize) -> Result<Vec<u64>> {
        // struct ethtool_stats { u32 cmd; u32 n_stats; u64 data[]; }
        let capacity = count + SLACK_ENTRIES;
        let mut buf = vec![0u8; 8 + capacity * 8];
        buf[0..4].copy_from_slice(&ETHTOOL_GSTATS.to_ne_bytes());
        buf[4..8].copy_from_slice(&(count as u32).to_ne_bytes());
        self.request(&mut buf, "ETHTOOL_GSTATS")?;
        let n = get_u32(&buf, 4) as usize;
        if n > capacity {
            return Err(CliError::msg(format!(
                "{}: driver returned {n} stat values, more than the {count} it announced",
                self.iface
            )));
        }
        Ok((0..n).map(|i| get_u64(&buf, 8 + i * 8)).collect())
    }
}

/// Sets the RX and TX ring sizes of `iface` (`ethtool -G IFACE rx RX tx TX`).
pub fn set_rings(iface: &str, rx: u32, tx: u32) -> Result<()> {
    let et = Ethtool::open(iface)?;
    // struct ethtool_ringparam: cmd, then eight u32: four maxima
    // (rx, rx_mini, rx_jumbo, tx) and four settings in the same order.
    let mut buf = [0u8; 36];
    buf[0..4].copy_from_slice(&ETHTOOL_GRINGPARAM.to_ne_bytes());
    et.request(&mut buf, "ETHTOOL_GRINGPARAM")?;
    buf[0..4].copy_from_slice(&ETHTOOL_SRINGPARAM.to_ne_bytes());
    buf[20..24].copy_from_slice(&rx.to_ne_bytes());
    buf[32..36].copy_from_slice(&tx.to_ne_bytes());
    et.request(&mut buf, "ETHTOOL_SRINGPARAM")
}

/// Reads all `ethtool -S` counters of `iface` as (name, value) pairs in the
/// driver's order.
pub fn read_stats(iface: &str) -> Result<Vec<(String, u64)>> {
    let et = Ethtool::open(iface)?;
    let count = et.stats_count()?.ok_or_else(|| {
        CliError::msg(format!(
            "ethtool-stats {iface}: driver provides no statistics (ETH_SS_STATS not supported)"
        ))
    })?;
    let names = et.stat_names(count)?;
    let values = et.stat_values(count)?;
    if names.len() != values.len() {
        return Err(CliError::msg(format!(
            "ethtool-stats {iface}: {} names but {} values (counter set changed while reading)",
            names.len(),
            values.len()
        )));
    }
    Ok(names.into_iter().zip(values).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ifreq_layout_matches_kernel() {
        assert_eq!(std::mem::size_of::<IfReqData>(), 40);
        assert_eq!(
            std::mem::size_of::<IfReqData>(),
            std::mem::size_of::<libc::ifreq>()
        );
    }

    #[test]
    fn loopback_has_no_driver_stats() {
        let err = read_stats("lo").unwrap_err();
        let text = err.to_string();
        assert_ne!(err.exit_code, 0);
        assert!(text.contains("lo"), "{text}");
        assert!(
            text.contains("no statistics") || text.contains("SIOCETHTOOL"),
            "unexpected error: {text}"
        );
    }

    #[test]
    fn missing_interface_is_enodev() {
        let err = read_stats("sgnicnone0").unwrap_err();
        assert!(err.to_string().contains("no such interface"), "{err}");
    }

    #[test]
    fn bad_names_rejected() {
        assert!(read_stats("").is_err());
        assert!(read_stats("a/b").is_err());
        assert!(read_stats("abcdefghijklmnopq").is_err());
    }
}
