//! Snapshots of the guest's CPU time for the benchmark: a monotonic clock
//! reading next to the all-CPU line of `/proc/stat`, so the host can turn
//! two snapshots into busy and idle time (busybox `date` has no
//! sub-second clock).

use crate::error::{CliError, Context, Result};
use crate::json::JsonObject;

/// The fields of `/proc/stat`'s `cpu` line, in order (USER_HZ ticks).
pub const FIELDS: [&str; 8] = [
    "user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal",
];

/// Parses the all-CPU `cpu ` line out of `/proc/stat` text.
pub fn parse_cpu_line(stat: &str) -> Result<[u64; 8]> {
    let line = stat
        .lines()
        .find(|l| l.starts_with("cpu "))
        .ok_or_else(|| CliError::msg("/proc/stat has no 'cpu' line"))?;
    let mut out = [0u64; 8];
    let mut values = line.split_whitespace().skip(1);
    for (slot, name) in out.iter_mut().zip(FIELDS) {
        let text = values
            .next()
            .ok_or_else(|| CliError::msg(format!("/proc/stat 'cpu' line lacks {name}")))?;
        *slot = text
            .parse()
            .map_err(|_| CliError::msg(format!("/proc/stat {name} is not a number: '{text}'")))?;
    }
    Ok(out)
}

/// CLOCK_MONOTONIC in nanoseconds.
fn monotonic_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid out-pointer; CLOCK_MONOTONIC always exists.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Takes one snapshot: `{"clock_ns":..,"user":..,...,"steal":..}`.
pub fn snapshot() -> Result<JsonObject> {
    let clock = monotonic_ns();
    let stat = std::fs::read_to_string("/proc/stat").ctx(|| "read /proc/stat".to_string())?;
    let values = parse_cpu_line(&stat)?;
    Ok(FIELDS
        .iter()
        .zip(values)
        .fold(JsonObject::new().uint("clock_ns", clock), |o, (k, v)| {
            o.uint(k, v)
        }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_all_cpu_line_only() {
        let stat = "cpu  10 1 200 3000 4 5 60 0 0 0\ncpu0 5 0 100 1500 2 2 30 0 0 0\nintr 1\n";
        assert_eq!(
            parse_cpu_line(stat).unwrap(),
            [10, 1, 200, 3000, 4, 5, 60, 0]
        );
    }

    #[test]
    fn rejects_short_or_garbled_lines() {
        assert!(parse_cpu_line("cpu0 1 2 3\n").is_err());
        assert!(parse_cpu_line("cpu  1 2 3\n").is_err());
        assert!(parse_cpu_line("cpu  1 2 x 4 5 6 7 8\n").is_err());
    }
}
