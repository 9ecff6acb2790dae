/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Headers whose types and functions sgnic needs but kernel::bindings leaves
 * opaque or omits (struct net_device, sk_buff, NAPI, ethtool). bindgen
 * turns this into generated/net_bindings.rs with the clang flags the kernel
 * recorded for its own bindgen run, so every layout matches the kernel's.
 */
#include <linux/netdevice.h>
#include <net/netdev_queues.h>
#include <linux/etherdevice.h>
#include <linux/skbuff.h>
#include <linux/ethtool.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/pci.h>
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <net/ip6_checksum.h>
#include <net/checksum.h>
#include <linux/pagemap.h>
#include <linux/fault-inject.h>
#include <linux/debugfs.h>

#include "helpers.h"
