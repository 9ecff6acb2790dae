// SPDX-License-Identifier: GPL-2.0

//! Sets of monotonic event counters, readable from any context, each
//! with its `ethtool -S` name.

/// Declares a struct of `Atomic<u64>` counters with `new` (all zero),
/// `NAMES` (the field names, for `ethtool -S`) and `values` (in `NAMES`
/// order).
macro_rules! counter_set {
    ($(#[$meta:meta])* $vis:vis struct $set:ident { $($(#[$doc:meta])* $name:ident,)* }) => {
        $(#[$meta])*
        $vis struct $set {
            $($(#[$doc])* pub(crate) $name: kernel::sync::atomic::Atomic<u64>,)*
        }

        impl $set {
            /// All counters at zero.
            pub(crate) fn new() -> Self {
                Self { $($name: kernel::sync::atomic::Atomic::new(0),)* }
            }

            /// `ethtool -S` names, in [`Self::values`] order.
            pub(crate) const NAMES: &'static [&'static CStr] = &[$(
                // stringify! of an identifier never contains a NUL.
                match CStr::from_bytes_with_nul(concat!(stringify!($name), "\0").as_bytes()) {
                    Ok(s) => s,
                    Err(_) => panic!("counter name"),
                },
            )*];

            /// Current values, in [`Self::NAMES`] order.
            pub(crate) fn values(&self, out: &mut [u64]) {
                let all = [$(self.$name.load(kernel::sync::atomic::Relaxed),)*];
                for (o, v) in out.iter_mut().zip(all) {
                    *o = v;
                }
            }
        }
    };
}

pub(crate) use counter_set;
