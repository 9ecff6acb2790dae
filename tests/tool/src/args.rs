//! Hand-rolled command-line parsing (no clap: the binary must stay small and
//! static, and the grammar is tiny).

use crate::error::{CliError, Result};
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

/// Options and positional arguments of one subcommand invocation.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Arguments that are not options, in order.
    pub positional: Vec<String>,
    /// `--name value` pairs, in order; a later duplicate overrides an earlier one.
    options: Vec<(String, String)>,
    /// `--name` switches that take no value.
    switches: Vec<String>,
}

impl Parsed {
    /// Splits `args` into positionals, valued options (`--x V` or `--x=V`) and
    /// switches. Anything starting with `--` that is not listed is rejected so a
    /// typo in a test script fails loudly instead of being ignored.
    pub fn parse(args: &[String], valued: &[&str], switches: &[&str]) -> Result<Parsed> {
        let mut parsed = Parsed::default();
        let mut iter = args.iter();
        while let Some(arg) = iter.next() {
            if !arg.starts_with("--") || arg == "--" {
                parsed.positional.push(arg.clone());
                continue;
            }
            let (name, inline_value) = match arg.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (arg.as_str(), None),
            };
            if valued.contains(&name) {
                let value = match inline_value {
                    Some(v) => v,
                    None => iter
                        .next()
                        .cloned()
                        .ok_or_else(|| CliError::usage(format!("option {name} needs a value")))?,
                };
                parsed.options.push((name.to_string(), value));
            } else if switches.contains(&name) {
                if inline_value.is_some() {
                    return Err(CliError::usage(format!("option {name} takes no value")));
                }
                parsed.switches.push(name.to_string());
            } else {
                return Err(CliError::usage(format!("unknown option {name}")));
            }
        }
        Ok(parsed)
    }

    /// The last value given for `name`, if any.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.options
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether the switch `name` was given.
    pub fn has(&self, name: &str) -> bool {
        self.switches.iter().any(|s| s == name)
    }

    /// The value of a mandatory option.
    pub fn required(&self, name: &str) -> Result<&str> {
        self.get(name)
            .ok_or_else(|| CliError::usage(format!("missing required option {name}")))
    }

    /// Parses the value of `name` with `FromStr`, if present.
    pub fn parse_opt<T: FromStr>(&self, name: &str) -> Result<Option<T>>
    where
        T::Err: std::fmt::Display,
    {
        self.get(name)
            .map(|v| {
                v.parse::<T>()
                    .map_err(|e| CliError::usage(format!("invalid value for {name}: '{v}': {e}")))
            })
            .transpose()
    }

    /// Parses the value of `name` as a byte size (see [`parse_size`]), if present.
    pub fn size_opt(&self, name: &str) -> Result<Option<u64>> {
        self.get(name)
            .map(|v| {
                parse_size(v)
                    .map_err(|e| CliError::usage(format!("invalid value for {name}: '{v}': {e}")))
            })
            .transpose()
    }

    /// Requires exactly `names.len()` positional arguments and returns them.
    pub fn exact_positionals(&self, names: &[&str]) -> Result<&[String]> {
        if self.positional.len() != names.len() {
            return Err(CliError::usage(format!(
                "expected {} argument(s) ({}), got {}",
                names.len(),
                names.join(" "),
                self.positional.len()
            )));
        }
        Ok(&self.positional)
    }
}

/// Parses a byte count: plain digits, or digits followed by a binary suffix
/// `K`, `M`, `G` or `T` (case-insensitive, optionally followed by `iB` or `B`).
pub fn parse_size(text: &str) -> std::result::Result<u64, String> {
    let text = text.trim();
    let digits_end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, suffix) = text.split_at(digits_end);
    if digits.is_empty() {
        return Err("expected a number".into());
    }
    let number: u64 = digits.parse().map_err(|_| "number too large".to_string())?;
    let shift = match suffix.to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        _ => return Err(format!("unknown size suffix '{suffix}' (use K, M, G or T)")),
    };
    number
        .checked_mul(1u64 << shift)
        .ok_or_else(|| "size too large".to_string())
}

/// Parses a literal IPv4 or IPv6 address; brackets around IPv6 are allowed.
///
/// Host names are deliberately not resolved: the guest has no resolver and a
/// static glibc binary cannot load NSS modules anyway.
pub fn parse_ip(text: &str) -> Result<IpAddr> {
    let bare = text
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(text);
    if bare == "localhost" {
        return Ok(IpAddr::from([127, 0, 0, 1]));
    }
    bare.parse().map_err(|_| {
        CliError::usage(format!(
            "invalid IP address '{text}' (host names are not resolved)"
        ))
    })
}

/// Parses `HOST:PORT` where HOST is an IP literal (`[v6]:port` for IPv6).
pub fn parse_endpoint(text: &str) -> Result<SocketAddr> {
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(addr);
    }
    let (host, port) = text.rsplit_once(':').ok_or_else(|| {
        CliError::usage(format!("invalid endpoint '{text}' (expected HOST:PORT)"))
    })?;
    let port: u16 = port
        .parse()
        .map_err(|_| CliError::usage(format!("invalid port in '{text}'")))?;
    Ok(SocketAddr::new(parse_ip(host)?, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn sizes_plain_and_suffixed() {
        assert_eq!(parse_size("0"), Ok(0));
        assert_eq!(parse_size("12345"), Ok(12345));
        assert_eq!(parse_size("4K"), Ok(4096));
        assert_eq!(parse_size("4k"), Ok(4096));
        assert_eq!(parse_size("3M"), Ok(3 << 20));
        assert_eq!(parse_size("2G"), Ok(2 << 30));
        assert_eq!(parse_size("1T"), Ok(1 << 40));
        assert_eq!(parse_size("128KiB"), Ok(128 << 10));
        assert_eq!(parse_size("7b"), Ok(7));
    }

    #[test]
    fn sizes_rejected() {
        assert!(parse_size("").is_err());
        assert!(parse_size("K").is_err());
        assert!(parse_size("-1").is_err());
        assert!(parse_size("1.5M").is_err());
        assert!(parse_size("10X").is_err());
        assert!(parse_size("99999999999999999999").is_err());
        assert!(parse_size("17179869184G").is_err()); // overflows u64
    }

    #[test]
    fn options_and_positionals() {
        let p = Parsed::parse(
            &strings(&["f", "--port", "5", "--seed=9", "--hex", "g"]),
            &["--port", "--seed"],
            &["--hex"],
        )
        .unwrap();
        assert_eq!(p.positional, vec!["f", "g"]);
        assert_eq!(p.get("--port"), Some("5"));
        assert_eq!(p.parse_opt::<u64>("--seed").unwrap(), Some(9));
        assert!(p.has("--hex"));
        assert!(Parsed::parse(&strings(&["--bogus"]), &[], &[]).is_err());
        assert!(Parsed::parse(&strings(&["--port"]), &["--port"], &[]).is_err());
        let bad = Parsed::parse(&strings(&["--port", "x"]), &["--port"], &[]).unwrap();
        assert!(bad.parse_opt::<u16>("--port").is_err());
    }

    #[test]
    fn endpoints() {
        assert_eq!(
            parse_endpoint("10.0.2.2:80").unwrap(),
            "10.0.2.2:80".parse().unwrap()
        );
        assert_eq!(
            parse_endpoint("[::1]:9").unwrap(),
            "[::1]:9".parse().unwrap()
        );
        assert_eq!(
            parse_endpoint("localhost:7").unwrap(),
            "127.0.0.1:7".parse().unwrap()
        );
        assert!(parse_endpoint("example.com:80").is_err());
        assert!(parse_endpoint("1.2.3.4").is_err());
        assert!(parse_endpoint("1.2.3.4:99999").is_err());
    }
}
