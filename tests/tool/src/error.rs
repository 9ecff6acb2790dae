//! Error type shared by all subcommands.
//!
//! Every failure ends up as one line on stderr of the form
//! `sgnic-test: <what failed>: <cause>` and a non-zero exit status, so a
//! guest script only has to check `$?` and can show the line to a human.

use std::fmt;
use std::io;

/// Exit status for runtime failures (I/O, network, ioctl).
pub const EXIT_FAILURE: i32 = 1;
/// Exit status for a malformed command line.
pub const EXIT_USAGE: i32 = 2;
/// Exit status when the kernel lacks a requested feature (e.g. MSG_ZEROCOPY).
pub const EXIT_UNSUPPORTED: i32 = 3;

/// A failure that the tool reports and then exits with `exit_code`.
#[derive(Debug)]
pub struct CliError {
    /// What the tool was trying to do, e.g. `open /tmp/f`.
    pub what: String,
    /// Why it failed (usually the OS error text); `None` when `what` says it all.
    pub cause: Option<String>,
    /// Process exit status to use.
    pub exit_code: i32,
}

impl CliError {
    /// A failed system call or I/O operation.
    pub fn os(what: impl Into<String>, err: io::Error) -> Self {
        CliError {
            what: what.into(),
            cause: Some(err.to_string()),
            exit_code: EXIT_FAILURE,
        }
    }

    /// A failure that has no OS error behind it (bad data, protocol mismatch).
    pub fn msg(what: impl Into<String>) -> Self {
        CliError {
            what: what.into(),
            cause: None,
            exit_code: EXIT_FAILURE,
        }
    }

    /// A malformed command line.
    pub fn usage(what: impl Into<String>) -> Self {
        CliError {
            what: what.into(),
            cause: None,
            exit_code: EXIT_USAGE,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.cause {
            Some(cause) => write!(f, "{}: {}", self.what, cause),
            None => write!(f, "{}", self.what),
        }
    }
}

/// Attaches a description of the failed operation to an `io::Result`.
pub trait Context<T> {
    /// Converts the error into a [`CliError`] whose `what` is produced by `what`.
    fn ctx<S: Into<String>>(self, what: impl FnOnce() -> S) -> std::result::Result<T, CliError>;
}

impl<T> Context<T> for io::Result<T> {
    fn ctx<S: Into<String>>(self, what: impl FnOnce() -> S) -> std::result::Result<T, CliError> {
        self.map_err(|e| CliError::os(what(), e))
    }
}

/// Result alias used throughout the tool.
pub type Result<T> = std::result::Result<T, CliError>;
