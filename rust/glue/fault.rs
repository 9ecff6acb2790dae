// SPDX-License-Identifier: GPL-2.0

//! Fault-injection points on the kernel's own framework
//! (`CONFIG_FAULT_INJECTION`, Documentation/fault-injection/).
//!
//! A [`FaultPoint`] is a `struct fault_attr` with its debugfs directory,
//! shaped exactly like failslab's (`probability`, `interval`, `times`,
//! `verbose`, the stack-trace filter ...). Where `should_fail` answers yes,
//! the driver pretends the operation failed. Without
//! `CONFIG_FAULT_INJECTION_DEBUG_FS` the point is empty and never fails, so
//! kernels without fault injection pay nothing.

#[cfg(CONFIG_FAULT_INJECTION_DEBUG_FS)]
mod imp {
    use super::super::bindings as b;
    use kernel::{prelude::*, str::CString, types::Opaque};

    /// A fault-injection point, switched from debugfs.
    ///
    /// # Invariants
    ///
    /// - `attr` is initialised as `FAULT_ATTR_INITIALIZER` leaves it, with
    ///   its rate-limit lock initialised, and never moves (pinned).
    /// - `dir` is null or the debugfs directory whose files point into
    ///   `attr`; it is removed in `drop`, before `attr`'s memory can be
    ///   reused, so no debugfs access outlives it. The pin guarantees
    ///   `drop` runs before that, even if the owner is forgotten.
    #[pin_data(PinnedDrop)]
    pub struct FaultPoint {
        #[pin]
        attr: Opaque<b::fault_attr>,
        dir: *mut b::dentry,
    }

    // SAFETY: `should_fail` may run on any CPU concurrently, as for
    // failslab: `times`, `space` and the rate limit are atomic or locked,
    // and the plain fields (`probability`, `interval`, `count`) are word
    // sized, written by debugfs and read racily by design, as C does.
    // `dir` is only used by `drop`.
    unsafe impl Send for FaultPoint {}
    // SAFETY: as above.
    unsafe impl Sync for FaultPoint {}

    impl FaultPoint {
        /// A point that does not fail until it is switched on through
        /// `/sys/kernel/debug/<name>/`. If the directory cannot be created
        /// (no debugfs, or the name taken) the point stays off.
        pub fn new(name: core::fmt::Arguments<'_>) -> impl PinInit<Self> {
            let name = CString::try_from_fmt(name);
            // SAFETY: the closure initialises both fields and never fails.
            unsafe {
                pin_init::pin_init_from_closure(move |slot: *mut Self| {
                    let attr = Opaque::cast_into(&raw const (*slot).attr);
                    attr.write_bytes(0, 1);
                    // As FAULT_ATTR_INITIALIZER, with verbose messages rate
                    // limited the kernel's default way.
                    (*attr).interval = 1;
                    (*attr).times.counter = 1;
                    (*attr).require_end = core::ffi::c_ulong::MAX;
                    (*attr).stacktrace_depth = 32;
                    (*attr).verbose = 2;
                    b::sgnic_ratelimit_default_init(&raw mut (*attr).ratelimit_state);
                    let dir = match &name {
                        Ok(name) => b::fault_create_debugfs_attr(
                            name.as_char_ptr().cast(),
                            core::ptr::null_mut(),
                            attr,
                        ),
                        Err(_) => core::ptr::null_mut(),
                    };
                    // INVARIANT: `attr` is initialised; `dir` is null or the
                    // directory created for it.
                    let dir = kernel::error::from_err_ptr(dir).unwrap_or(core::ptr::null_mut());
                    (&raw mut (*slot).dir).write(dir);
                    Ok(())
                })
            }
        }

        /// Whether to inject a failure now (any context).
        #[inline]
        pub fn should_fail(&self) -> bool {
            // SAFETY: `attr` is initialised (type invariant); should_fail
            // may run concurrently from any context.
            unsafe { b::should_fail(self.attr.get(), 1) }
        }
    }

    #[pinned_drop]
    impl PinnedDrop for FaultPoint {
        fn drop(self: Pin<&mut Self>) {
            // SAFETY: `dir` is null or ours (type invariant); debugfs_remove
            // accepts null and waits out every open access to the files.
            unsafe { b::debugfs_remove(self.dir) };
        }
    }
}

#[cfg(not(CONFIG_FAULT_INJECTION_DEBUG_FS))]
mod imp {
    use kernel::prelude::*;

    /// A fault-injection point; this kernel has no fault injection, so it
    /// never fails.
    #[pin_data]
    pub struct FaultPoint {}

    impl FaultPoint {
        /// A point that never fails.
        pub fn new(_name: core::fmt::Arguments<'_>) -> impl PinInit<Self> {
            pin_init::pin_init!(Self {})
        }

        /// Always `false`.
        #[inline]
        pub fn should_fail(&self) -> bool {
            false
        }
    }
}

pub use imp::FaultPoint;
