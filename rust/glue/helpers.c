// SPDX-License-Identifier: GPL-2.0
/*
 * One-line shims for the static inline kernel functions sgnic uses.
 * Each body is a single call; all logic lives in the Rust code.
 */
#include "helpers.h"
#include <linux/pagemap.h>
#include <linux/if_vlan.h>

/*
 * Built as bitcode for inlining into the Rust code (Kbuild, with
 * CONFIG_RUST_INLINE_HELPERS), the shims are __always_inline, as the
 * kernel's own Rust helpers are: LLVM would otherwise refuse to inline C
 * into Rust over attribute differences that do not matter here (see
 * rust/helpers/helpers.c). The kernel's gnu_inline semantics still emit
 * an out-of-line copy.
 */
#ifdef SGNIC_INLINE_SHIMS
#define __sgnic_shim __always_inline
#else
#define __sgnic_shim
#endif

__sgnic_shim void sgnic_set_netdev_dev(struct net_device *ndev, struct device *parent) { SET_NETDEV_DEV(ndev, parent); }
__sgnic_shim struct pci_dev *sgnic_to_pci_dev(struct device *dev) { return to_pci_dev(dev); }
__sgnic_shim void sgnic_eth_hw_addr_set(struct net_device *dev, const u8 *addr) { eth_hw_addr_set(dev, addr); }
__sgnic_shim void sgnic_netif_napi_add_config(struct net_device *dev, struct napi_struct *napi,
			  int (*poll)(struct napi_struct *, int), int index) { netif_napi_add_config(dev, napi, poll, index); }
__sgnic_shim void sgnic_netif_stop_subqueue(struct net_device *dev, u16 queue) { netif_stop_subqueue(dev, queue); }
__sgnic_shim void sgnic_netif_wake_subqueue(struct net_device *dev, u16 queue) { netif_wake_subqueue(dev, queue); }
__sgnic_shim void sgnic_netif_tx_start_all_queues(struct net_device *dev) { netif_tx_start_all_queues(dev); }
__sgnic_shim bool sgnic_netif_subqueue_stopped(const struct net_device *dev, u16 queue) { return __netif_subqueue_stopped(dev, queue); }
__sgnic_shim bool sgnic_netif_carrier_ok(const struct net_device *dev) { return netif_carrier_ok(dev); }
__sgnic_shim bool sgnic_netif_running(const struct net_device *dev) { return netif_running(dev); }
__sgnic_shim void sgnic_netdev_tx_completed_queue(struct net_device *dev, unsigned int queue, unsigned int pkts, unsigned int bytes) { netdev_tx_completed_queue(netdev_get_tx_queue(dev, queue), pkts, bytes); }
__sgnic_shim void sgnic_netdev_tx_reset_queue(struct net_device *dev, unsigned int queue) { netdev_tx_reset_queue(netdev_get_tx_queue(dev, queue)); }
__sgnic_shim bool sgnic_netdev_xmit_more(void) { return netdev_xmit_more(); }
__sgnic_shim void sgnic_dev_kfree_skb_any(struct sk_buff *skb) { dev_kfree_skb_any(skb); }
__sgnic_shim void sgnic_dev_consume_skb_any(struct sk_buff *skb) { dev_consume_skb_any(skb); }
__sgnic_shim int sgnic_skb_put_padto(struct sk_buff *skb, unsigned int len) { return skb_put_padto(skb, len); }
__sgnic_shim bool sgnic_skb_csum_is_sctp(struct sk_buff *skb) { return skb_csum_is_sctp(skb); }
__sgnic_shim struct sk_buff *sgnic_skb_share_check(struct sk_buff *skb) { return skb_share_check(skb, GFP_ATOMIC); }
__sgnic_shim unsigned int sgnic_skb_headlen(const struct sk_buff *skb) { return skb_headlen(skb); }
__sgnic_shim struct page *sgnic_skb_frag_page(const skb_frag_t *frag) { return skb_frag_page(frag); }
__sgnic_shim unsigned int sgnic_skb_frag_size(const skb_frag_t *frag) { return skb_frag_size(frag); }
__sgnic_shim void *sgnic_skb_frag_address_safe(const skb_frag_t *frag) { return skb_frag_address_safe(frag); }
__sgnic_shim struct sk_buff *sgnic_napi_alloc_skb(struct napi_struct *napi, unsigned int len) { return napi_alloc_skb(napi, len); }
__sgnic_shim dma_addr_t sgnic_dma_map_single(struct device *dev, void *ptr, size_t size, int dir) { return dma_map_single(dev, ptr, size, dir); }
__sgnic_shim void sgnic_dma_unmap_single(struct device *dev, dma_addr_t addr, size_t size, int dir) { dma_unmap_single(dev, addr, size, dir); }
__sgnic_shim dma_addr_t sgnic_skb_frag_dma_map(struct device *dev, const skb_frag_t *frag, size_t offset, size_t size, int dir) { return skb_frag_dma_map(dev, frag, offset, size, dir); }
__sgnic_shim void sgnic_dma_unmap_page(struct device *dev, dma_addr_t addr, size_t size, int dir) { dma_unmap_page(dev, addr, size, dir); }
__sgnic_shim int sgnic_dma_mapping_error(struct device *dev, dma_addr_t addr) { return dma_mapping_error(dev, addr); }
__sgnic_shim struct address_space *sgnic_page_mapping(struct page *page) { return folio_mapping(page_folio(page)); }
__sgnic_shim netdev_features_t sgnic_vlan_features_check(struct sk_buff *skb, netdev_features_t features) { return vlan_features_check(skb, features); }
__sgnic_shim bool sgnic_netdev_tx_sent_queue(struct net_device *dev, unsigned int queue, unsigned int bytes, bool more) { return __netdev_tx_sent_queue(netdev_get_tx_queue(dev, queue), bytes, more); }
__sgnic_shim u16 sgnic_skb_get_queue_mapping(const struct sk_buff *skb) { return skb_get_queue_mapping(skb); }
__sgnic_shim void sgnic_skb_record_rx_queue(struct sk_buff *skb, u16 queue) { skb_record_rx_queue(skb, queue); }
__sgnic_shim void sgnic_skb_set_hash(struct sk_buff *skb, u32 hash, enum pkt_hash_types type) { skb_set_hash(skb, hash, type); }
__sgnic_shim const struct cpumask *sgnic_cpumask_of(unsigned int cpu) { return cpumask_of(cpu); }
__sgnic_shim unsigned int sgnic_cpumask_local_spread(unsigned int i, int node) { return cpumask_local_spread(i, node); }
__sgnic_shim unsigned int sgnic_nr_cpu_ids(void) { return nr_cpu_ids; }
__sgnic_shim void sgnic_netif_tx_lock_queue(struct net_device *dev, unsigned int queue) { __netif_tx_lock(netdev_get_tx_queue(dev, queue), smp_processor_id()); }
__sgnic_shim void sgnic_netif_tx_unlock_queue(struct net_device *dev, unsigned int queue) { __netif_tx_unlock(netdev_get_tx_queue(dev, queue)); }
__sgnic_shim struct sk_buff *sgnic_netdev_alloc_skb_ip_align(struct net_device *dev, unsigned int len) { return netdev_alloc_skb_ip_align(dev, len); }
__sgnic_shim bool sgnic_napi_schedule(struct napi_struct *napi) { return napi_schedule(napi); }
__sgnic_shim void sgnic_netif_napi_set_irq(struct napi_struct *napi, int irq) { netif_napi_set_irq(napi, irq); }
__sgnic_shim void sgnic___netif_napi_del(struct napi_struct *napi) { __netif_napi_del(napi); }
__sgnic_shim void sgnic_netif_tx_disable(struct net_device *dev) { netif_tx_disable(dev); }
__sgnic_shim unsigned int sgnic_skb_tailroom(const struct sk_buff *skb) { return skb_tailroom(skb); }
__sgnic_shim void sgnic_napi_gro_receive(struct napi_struct *napi, struct sk_buff *skb) { napi_gro_receive(napi, skb); }
__sgnic_shim void sgnic_eth_type_trans(struct sk_buff *skb, struct net_device *dev) { skb->protocol = eth_type_trans(skb, dev); }
__sgnic_shim void sgnic_dma_sync_single_for_cpu(struct device *dev, dma_addr_t addr, size_t size, int dir) { dma_sync_single_for_cpu(dev, addr, size, dir); }
__sgnic_shim void sgnic_dma_sync_single_for_device(struct device *dev, dma_addr_t addr, size_t size, int dir) { dma_sync_single_for_device(dev, addr, size, dir); }
__sgnic_shim void *sgnic_skb_put_data(struct sk_buff *skb, const void *data, unsigned int len) { return skb_put_data(skb, data, len); }
__sgnic_shim void *sgnic_netdev_alloc_frag(unsigned int fragsz) { return netdev_alloc_frag(fragsz); }
__sgnic_shim void *sgnic_napi_alloc_frag(unsigned int fragsz) { return napi_alloc_frag(fragsz); }
__sgnic_shim void sgnic_skb_free_frag(void *addr) { skb_free_frag(addr); }
__sgnic_shim void sgnic_skb_reserve(struct sk_buff *skb, int len) { skb_reserve(skb, len); }
__sgnic_shim unsigned int sgnic_skb_data_align(unsigned int len) { return SKB_DATA_ALIGN(len); }
__sgnic_shim unsigned int sgnic_rx_headroom(void) { return NET_SKB_PAD + NET_IP_ALIGN; }
__sgnic_shim void sgnic_netif_addr_lock_bh(struct net_device *dev) { netif_addr_lock_bh(dev); }
__sgnic_shim void sgnic_netif_addr_unlock_bh(struct net_device *dev) { netif_addr_unlock_bh(dev); }
__sgnic_shim void sgnic_local_bh_disable(void) { local_bh_disable(); }
__sgnic_shim void sgnic_local_bh_enable(void) { local_bh_enable(); }
__sgnic_shim void sgnic_ratelimit_default_init(struct ratelimit_state *rs) { ratelimit_default_init(rs); }
__sgnic_shim bool sgnic_skb_vlan_tag_present(const struct sk_buff *skb) { return skb_vlan_tag_present(skb); }
__sgnic_shim u16 sgnic_skb_vlan_tag_get(const struct sk_buff *skb) { return skb_vlan_tag_get(skb); }
__sgnic_shim void sgnic_vlan_hwaccel_put_tag(struct sk_buff *skb, __be16 vlan_proto, u16 vlan_tci) { __vlan_hwaccel_put_tag(skb, vlan_proto, vlan_tci); }
