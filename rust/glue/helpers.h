/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One-line shims for static inline kernel functions that bindgen cannot
 * bind. No logic lives here: each shim calls exactly one inline function.
 */
#ifndef SGNIC_HELPERS_H
#define SGNIC_HELPERS_H

#include <linux/netdevice.h>
#include <linux/etherdevice.h>
#include <linux/skbuff.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/pci.h>
#include <linux/ratelimit.h>

void sgnic_set_netdev_dev(struct net_device *ndev, struct device *parent);
struct pci_dev *sgnic_to_pci_dev(struct device *dev);
void sgnic_eth_hw_addr_set(struct net_device *dev, const u8 *addr);
void sgnic_netif_napi_add_config(struct net_device *dev, struct napi_struct *napi,
			  int (*poll)(struct napi_struct *, int), int index);
void sgnic_netif_stop_subqueue(struct net_device *dev, u16 queue);
void sgnic_netif_wake_subqueue(struct net_device *dev, u16 queue);
void sgnic_netif_tx_start_all_queues(struct net_device *dev);
bool sgnic_netif_subqueue_stopped(const struct net_device *dev, u16 queue);
bool sgnic_netif_carrier_ok(const struct net_device *dev);
bool sgnic_netif_running(const struct net_device *dev);
void sgnic_netdev_tx_completed_queue(struct net_device *dev, unsigned int queue, unsigned int pkts, unsigned int bytes);
void sgnic_netdev_tx_reset_queue(struct net_device *dev, unsigned int queue);
bool sgnic_netdev_xmit_more(void);
void sgnic_dev_kfree_skb_any(struct sk_buff *skb);
void sgnic_dev_consume_skb_any(struct sk_buff *skb);
int sgnic_skb_put_padto(struct sk_buff *skb, unsigned int len);
bool sgnic_skb_csum_is_sctp(struct sk_buff *skb);
struct sk_buff *sgnic_skb_share_check(struct sk_buff *skb);
unsigned int sgnic_skb_headlen(const struct sk_buff *skb);
struct page *sgnic_skb_frag_page(const skb_frag_t *frag);
unsigned int sgnic_skb_frag_size(const skb_frag_t *frag);
void *sgnic_skb_frag_address_safe(const skb_frag_t *frag);
struct sk_buff *sgnic_napi_alloc_skb(struct napi_struct *napi, unsigned int len);
dma_addr_t sgnic_dma_map_single(struct device *dev, void *ptr, size_t size, int dir);
void sgnic_dma_unmap_single(struct device *dev, dma_addr_t addr, size_t size, int dir);
dma_addr_t sgnic_skb_frag_dma_map(struct device *dev, const skb_frag_t *frag, size_t offset, size_t size, int dir);
void sgnic_dma_unmap_page(struct device *dev, dma_addr_t addr, size_t size, int dir);
int sgnic_dma_mapping_error(struct device *dev, dma_addr_t addr);
struct address_space *sgnic_page_mapping(struct page *page);
netdev_features_t sgnic_vlan_features_check(struct sk_buff *skb, netdev_features_t features);
bool sgnic_netdev_tx_sent_queue(struct net_device *dev, unsigned int queue, unsigned int bytes, bool more);
u16 sgnic_skb_get_queue_mapping(const struct sk_buff *skb);
void sgnic_skb_record_rx_queue(struct sk_buff *skb, u16 queue);
void sgnic_skb_set_hash(struct sk_buff *skb, u32 hash, enum pkt_hash_types type);
const struct cpumask *sgnic_cpumask_of(unsigned int cpu);
unsigned int sgnic_cpumask_local_spread(unsigned int i, int node);
unsigned int sgnic_nr_cpu_ids(void);
void sgnic_netif_tx_lock_queue(struct net_device *dev, unsigned int queue);
void sgnic_netif_tx_unlock_queue(struct net_device *dev, unsigned int queue);
struct sk_buff *sgnic_netdev_alloc_skb_ip_align(struct net_device *dev, unsigned int len);
bool sgnic_napi_schedule(struct napi_struct *napi);
void sgnic_netif_napi_set_irq(struct napi_struct *napi, int irq);
void sgnic___netif_napi_del(struct napi_struct *napi);
void sgnic_netif_tx_disable(struct net_device *dev);
unsigned int sgnic_skb_tailroom(const struct sk_buff *skb);
void sgnic_napi_gro_receive(struct napi_struct *napi, struct sk_buff *skb);
void sgnic_eth_type_trans(struct sk_buff *skb, struct net_device *dev);
void sgnic_dma_sync_single_for_cpu(struct device *dev, dma_addr_t addr, size_t size, int dir);
void sgnic_dma_sync_single_for_device(struct device *dev, dma_addr_t addr, size_t size, int dir);
void *sgnic_skb_put_data(struct sk_buff *skb, const void *data, unsigned int len);
void *sgnic_netdev_alloc_frag(unsigned int fragsz);
void *sgnic_napi_alloc_frag(unsigned int fragsz);
void sgnic_skb_free_frag(void *addr);
void sgnic_skb_reserve(struct sk_buff *skb, int len);
unsigned int sgnic_skb_data_align(unsigned int len);
unsigned int sgnic_rx_headroom(void);
void sgnic_netif_addr_lock_bh(struct net_device *dev);
void sgnic_netif_addr_unlock_bh(struct net_device *dev);
void sgnic_local_bh_disable(void);
void sgnic_local_bh_enable(void);
void sgnic_ratelimit_default_init(struct ratelimit_state *rs);
bool sgnic_skb_vlan_tag_present(const struct sk_buff *skb);
u16 sgnic_skb_vlan_tag_get(const struct sk_buff *skb);
void sgnic_vlan_hwaccel_put_tag(struct sk_buff *skb, __be16 vlan_proto, u16 vlan_tci);

#endif
