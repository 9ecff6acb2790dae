// SPDX-License-Identifier: GPL-2.0

//! Online CPUs, for spreading queues and their interrupts over them.

use super::bindings as b;

/// How many CPUs are online now (at least 1).
pub fn online() -> u32 {
    // SAFETY: reads a global counter; callable from any context.
    unsafe { b::sgnic_num_online_cpus() }.max(1)
}

/// The `index`-th online CPU, counting round them again once `index`
/// passes their number (`cpumask_local_spread`, with no NUMA node
/// preferred): queue `n` goes to CPU `spread(n)`.
pub fn spread(index: u32) -> u32 {
    // SAFETY: a plain function of the online mask; any index is allowed.
    unsafe { b::sgnic_cpumask_local_spread(index, -1) }
}
