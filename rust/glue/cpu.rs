// SPDX-License-Identifier: GPL-2.0

//! Online CPUs, for spreading queues and their interrupts over them.

use super::bindings as b;

/// The `index`-th online CPU, counting round them again once `index`
/// passes their number (`cpumask_local_spread`, with no NUMA node
/// preferred): queue `n` goes to CPU `spread(n)`. `None` in the moment a
/// CPU going offline leaves none to find, when the kernel's answer is
/// past the last possible CPU.
pub fn spread(index: u32) -> Option<u32> {
    // SAFETY: a plain function of the online mask; any index is allowed.
    let cpu = unsafe { b::sgnic_cpumask_local_spread(index, -1) };
    // SAFETY: reads a variable set at boot.
    (cpu < unsafe { b::sgnic_nr_cpu_ids() }).then_some(cpu)
}

/// How many queues the kernel suggests a multiqueue device spreads
/// received flows over (`netif_get_num_default_rss_queues`: one per
/// physical core, hyperthread siblings counted once).
pub fn default_rss_queues() -> u32 {
    // SAFETY: a plain function of the online CPUs.
    let n = unsafe { b::netif_get_num_default_rss_queues() };
    u32::try_from(n).unwrap_or(1).max(1)
}
