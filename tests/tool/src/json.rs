//! Minimal single-line JSON object writer (no serde: keeps the static binary
//! small and the output format obvious).

use crate::error::{Context, Result};
use std::fmt::Write as _;
use std::io::Write as _;

/// Builds one JSON object, field by field, in insertion order.
#[derive(Debug, Default)]
pub struct JsonObject {
    body: String,
}

impl JsonObject {
    /// Starts an empty object.
    pub fn new() -> Self {
        Self::default()
    }

    fn key(&mut self, key: &str) {
        if !self.body.is_empty() {
            self.body.push(',');
        }
        push_string(&mut self.body, key);
        self.body.push(':');
    }

    /// Adds a string field.
    pub fn str(mut self, key: &str, value: &str) -> Self {
        self.key(key);
        push_string(&mut self.body, value);
        self
    }

    /// Adds an unsigned integer field.
    pub fn uint(mut self, key: &str, value: u64) -> Self {
        self.key(key);
        let _ = write!(self.body, "{value}");
        self
    }

    /// Adds a floating-point field with `decimals` digits after the point.
    /// Non-finite values become 0 so the output always stays valid JSON.
    pub fn float(mut self, key: &str, value: f64, decimals: usize) -> Self {
        self.key(key);
        let value = if value.is_finite() { value } else { 0.0 };
        let _ = write!(self.body, "{value:.decimals$}");
        self
    }

    /// Adds a boolean field.
    pub fn bool(mut self, key: &str, value: bool) -> Self {
        self.key(key);
        self.body.push_str(if value { "true" } else { "false" });
        self
    }

    /// Renders the object as `{...}` without a trailing newline.
    pub fn finish(&self) -> String {
        format!("{{{}}}", self.body)
    }
}

/// Prints one JSON object on stdout and flushes immediately, so a script
/// reading a pipe or a log file sees each result as soon as it exists.
pub fn print_line(obj: &JsonObject) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", obj.finish())
        .and_then(|_| out.flush())
        .ctx(|| "write to stdout")
}

/// Appends `s` as a quoted, escaped JSON string.
fn push_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_fields_in_order_and_escapes() {
        let s = JsonObject::new()
            .str("a\"b", "x\\y\n\u{1}")
            .uint("n", 42)
            .float("f", 1.23456, 3)
            .float("inf", f64::INFINITY, 1)
            .bool("t", true)
            .finish();
        assert_eq!(
            s,
            r#"{"a\"b":"x\\y\n\u0001","n":42,"f":1.235,"inf":0.0,"t":true}"#
        );
        assert_eq!(JsonObject::new().finish(), "{}");
    }
}
