//! A module's code address range, from /proc/kallsyms: what fault
//! injection's require-start/require-end take, so that only allocations
//! made from that module's code fail.

/// The range `[start, end)` that holds `module`'s code: from its lowest
/// text symbol to the next text symbol of anything else above its highest
/// (or one page past it, when nothing follows). `None` if the module has
/// no text symbols (not loaded, or addresses hidden by kptr_restrict).
pub fn module_text(kallsyms: &str, module: &str) -> Option<(u64, u64)> {
    let tag = format!("[{module}]");
    let mut text = Vec::new();
    for line in kallsyms.lines() {
        let mut f = line.split_whitespace();
        let (Some(addr), Some(kind), Some(_name)) = (f.next(), f.next(), f.next()) else {
            continue;
        };
        if !matches!(kind, "t" | "T") {
            continue;
        }
        let Ok(addr) = u64::from_str_radix(addr, 16) else {
            continue;
        };
        text.push((addr, f.next() == Some(tag.as_str())));
    }
    let (start, last) = text.iter().filter(|(a, ours)| *ours && *a != 0).fold(
        None,
        |acc: Option<(u64, u64)>, (a, _)| match acc {
            None => Some((*a, *a)),
            Some((lo, hi)) => Some((lo.min(*a), hi.max(*a))),
        },
    )?;
    let end = text
        .iter()
        .filter(|(a, ours)| !*ours && *a > last)
        .map(|(a, _)| *a)
        .min()
        .unwrap_or(last.saturating_add(4096));
    Some((start, end))
}

/// The code from kernel function `first` to the end of `last` (up to the
/// next text symbol), for fault injection's reject-start/reject-end.
/// `None` if either is missing or `last` comes before `first`.
pub fn symbol_range(kallsyms: &str, first: &str, last: &str) -> Option<(u64, u64)> {
    let mut text = Vec::new();
    for line in kallsyms.lines() {
        let mut f = line.split_whitespace();
        let (Some(addr), Some(kind), Some(name)) = (f.next(), f.next(), f.next()) else {
            continue;
        };
        if matches!(kind, "t" | "T") {
            if let Ok(addr) = u64::from_str_radix(addr, 16) {
                text.push((addr, name));
            }
        }
    }
    let find = |n: &str| text.iter().find(|(_, name)| *name == n).map(|(a, _)| *a);
    let (start, last) = (find(first)?, find(last)?);
    if last < start || start == 0 {
        return None;
    }
    let end = text
        .iter()
        .map(|(a, _)| *a)
        .filter(|a| *a > last)
        .min()
        .unwrap_or(last.saturating_add(4096));
    Some((start, end))
}

#[cfg(test)]
mod tests {
    use super::{module_text, symbol_range};

    #[test]
    fn function_range_ends_at_the_next_symbol() {
        let syms = "ffffffff812a9c70 t dma_entry_alloc\nffffffff812a9d00 t other\nffffffff812aa3a0 t add_dma_entry\nffffffff812aa500 t next_fn\n";
        assert_eq!(
            symbol_range(syms, "dma_entry_alloc", "add_dma_entry"),
            Some((0xffffffff812a9c70, 0xffffffff812aa500))
        );
        assert_eq!(symbol_range(syms, "add_dma_entry", "dma_entry_alloc"), None);
        assert_eq!(symbol_range(syms, "missing", "add_dma_entry"), None);
    }

    const SAMPLE: &str = "\
ffffffff81000000 T _stext
ffffffffc0001000 t sgnic_probe\t[sgnic]
ffffffffc0000100 T init_module\t[sgnic]
ffffffffc0002000 d some_data\t[sgnic]
ffffffffc0003000 t e1000_probe\t[e1000]
ffffffffc0000050 t other_fn\t[other]
";

    #[test]
    fn range_ends_at_the_next_text_symbol() {
        assert_eq!(
            module_text(SAMPLE, "sgnic"),
            Some((0xffffffffc0000100, 0xffffffffc0003000))
        );
    }

    #[test]
    fn last_module_gets_a_page() {
        assert_eq!(
            module_text(SAMPLE, "e1000"),
            Some((0xffffffffc0003000, 0xffffffffc0004000))
        );
    }

    #[test]
    fn hidden_or_absent_is_none() {
        assert_eq!(module_text(SAMPLE, "nope"), None);
        let hidden = "0000000000000000 t sgnic_probe\t[sgnic]\n";
        assert_eq!(module_text(hidden, "sgnic"), None);
    }
}
