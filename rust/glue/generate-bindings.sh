#!/bin/bash
# Generate sgnic's own bindings for the networking headers.
#
# Usage: generate-bindings.sh OBJTREE HEADER OUTPUT
#
# The clang flags are taken verbatim from the command line the kernel
# recorded for its own bindgen run (rust/bindings/.bindings_generated.rs.cmd),
# so struct layouts are exactly the kernel's.
set -euo pipefail
objtree=$1 header=$2 out=$3
cmdfile=$objtree/rust/bindings/.bindings_generated.rs.cmd
if [ ! -f "$cmdfile" ]; then
	echo "sgnic: $cmdfile not found: KDIR must be a built kernel tree with CONFIG_RUST=y" >&2
	exit 1
fi
: "${BINDGEN:=bindgen}"
command -v "$BINDGEN" >/dev/null || { echo "sgnic: bindgen not found (run: make deps)" >&2; exit 1; }

# Everything after " -- " up to the trailing "; sed ..." is the clang command line.
flags=$(sed -n '1{s/^[^ ]* := //;s/^.* -- //;s/ ; .*$//;p}' "$cmdfile")
eval "set -- $flags"
clang_args=()
for a in "$@"; do
	case "$a" in
	-Wp,-MMD,*) ;;
	-DKBUILD_MODFILE=* | -DKBUILD_BASENAME=* | -DKBUILD_MODNAME=* | -D__KBUILD_MODNAME=*) ;;
	*) clang_args+=("$a") ;;
	esac
done
header=$(realpath "$header")
out=$(realpath -m "$out")
mkdir -p "$(dirname "$out")"

allow='pci_dev|net_device|netdev_stat_ops|netdev_queue_stats_rx|netdev_queue_stats_tx|netdev_priv_flags|sk_buff|skb_shared_info|skb_frag|napi_struct|ethtool_.*|net_device_ops|rtnl_link_stats64|netdev_hw_addr.*|netdev_queue|page|folio|address_space|iphdr|ipv6hdr|tcphdr|netdev_features_t|fault_attr'
cd "$objtree"
"$BINDGEN" "$header" \
	--use-core --ctypes-prefix core::ffi --no-layout-tests --no-doc-comments \
	--rust-target 1.85 --with-derive-default --enable-function-attribute-detection \
	--opaque-type xregs_state --opaque-type desc_struct --opaque-type arch_lbr_state \
	--opaque-type local_apic --opaque-type alt_instr --opaque-type x86_msi_data \
	--opaque-type x86_msi_addr_lo --opaque-type spinlock \
	--allowlist-type "$allow" \
	--allowlist-function 'sgnic_.*|alloc_etherdev_mqs|free_netdev|register_netdev|unregister_netdev|netif_carrier_on|netif_carrier_off|napi_complete_done|__napi_schedule|napi_schedule_prep|napi_gro_receive|napi_disable|napi_enable|netif_napi_add_weight_locked|__netif_napi_del_locked|eth_type_trans|skb_put|__netdev_alloc_skb|__napi_alloc_skb|dev_kfree_skb_any_reason|netif_tx_wake_queue|netif_schedule_queue|dma_map_page_attrs|dma_unmap_page_attrs|dma_sync_single_for_cpu|dma_sync_single_for_device|netdev_info|netdev_warn|netdev_err|netif_device_attach|netif_device_detach|ethtool_op_get_link|netdev_update_features|rtnl_lock|rtnl_unlock|napi_consume_skb|skb_copy_bits|memcpy|eth_validate_addr|synchronize_net|netif_set_real_num_tx_queues|dev_addr_mod|netdev_rx_csum_fault|csum_ipv6_magic|dql_completed|free_irq|skb_checksum_help|skb_csum_hwoffload_help|napi_enable|napi_disable|netif_napi_del|napi_build_skb|netif_tx_lock|netif_tx_unlock|skb_ensure_writable|should_fail|netif_set_tso_max_size|netif_set_tso_max_segs|fault_create_debugfs_attr|debugfs_remove|netif_set_real_num_queues|netif_set_xps_queue|irq_set_affinity|netdev_rss_key_fill|netif_is_rxfh_configured|netif_get_num_default_rss_queues|netif_queue_set_napi' \
	--allowlist-var 'NETIF_F_.*|IFF_.*|ETH_.*|NETDEV_TX_.*|CHECKSUM_.*|SKB_GSO_.*|DMA_.*|IRQF_.*|SPEED_.*|DUPLEX_.*|PORT_.*|AUTONEG_.*|XCVR_.*|MAX_SKB_FRAGS|NET_IP_ALIGN|NAPI_POLL_WEIGHT|IPPROTO_.*|NETDEV_.*|ETHTOOL_.*' \
	-o "$out" -- "${clang_args[@]}" -DMODULE -DKBUILD_MODNAME='"sgnic"' -D__KBUILD_MODNAME=sgnic -I"$(dirname "$header")"
