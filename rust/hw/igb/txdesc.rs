// SPDX-License-Identifier: GPL-2.0

//! Advanced TX descriptors: the 82576's data and context formats.
//!
//! Like the 8254x `desc` module, each descriptor is encoded to and
//! decoded from `[u64; 2]` in CPU order; that module's `to_le`/`from_le`
//! convert to the device's byte order. Layouts follow `e1000_82575.h`
//! (`union e1000_adv_tx_desc`, `struct e1000_adv_tx_context_desc`).

/// Data-descriptor DCMD bits (`cmd_type_len` bits 31:24).
pub struct Dcmd;
impl Dcmd {
    /// End of packet.
    pub const EOP: u8 = 1 << 0;
    /// Insert FCS.
    pub const IFCS: u8 = 1 << 1;
    /// Report status: write DD back. QEMU writes back only with RS.
    pub const RS: u8 = 1 << 3;
    /// Advanced descriptor (always set by the encoders here).
    pub const DEXT: u8 = 1 << 5;
    /// Insert the VLAN tag of the context descriptor.
    pub const VLE: u8 = 1 << 6;
    /// TCP segmentation.
    pub const TSE: u8 = 1 << 7;
}

const DCMD_SHIFT: u32 = 24;
const DTYP_SHIFT: u32 = 20;
const DTYP_MASK: u32 = 0xF;
/// DTYP of a context descriptor.
const DTYP_CONTEXT: u32 = 0x2;
/// DTYP of a data descriptor.
const DTYP_DATA: u32 = 0x3;

/// Data-descriptor POPTS bits (`olinfo_status` bits 13:8).
pub struct Popts;
impl Popts {
    /// Insert the IPv4 header checksum. The C igb driver sets it only
    /// with `IGB_TX_FLAGS_IPV4`, which only `igb_tso()` sets (for IPv4),
    /// never for a checksum-only frame.
    pub const IXSM: u8 = 1 << 0;
    /// Insert the TCP/UDP checksum.
    pub const TXSM: u8 = 1 << 1;
}

const OLINFO_IDX_SHIFT: u32 = 4;
const OLINFO_CC: u32 = 1 << 7;
const OLINFO_POPTS_SHIFT: u32 = 8;
const OLINFO_POPTS_MASK: u32 = 0x3F;
const OLINFO_PAYLEN_SHIFT: u32 = 14;

/// TX write-back status: descriptor done (bit 0 of the last dword).
pub const TX_STATUS_DD: u32 = 1 << 0;

/// Whether the device has written back a TX descriptor. QEMU writes the
/// descriptor's `olinfo_status` back with DD set, and only if it had RS.
pub fn tx_done(d: [u64; 2]) -> bool {
    (d[1] >> 32) & u64::from(TX_STATUS_DD) != 0
}

/// The PAYLEN field: 18 bits. For a plain frame, all of its bytes; with
/// TSO, the TCP payload behind the headers. QEMU ignores it (it measures
/// the frame itself), the 82576 does not.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Paylen(u32);

impl Paylen {
    /// Largest value the field holds.
    pub const MAX: u32 = (1 << 18) - 1;

    /// `bytes`, if the field holds it.
    pub fn new(bytes: u32) -> Option<Self> {
        (bytes <= Self::MAX).then_some(Self(bytes))
    }

    /// The byte count.
    pub fn get(self) -> u32 {
        self.0
    }
}

/// One of a TX queue's context slots (IDX, bits 6:4 of the field). QEMU
/// keeps two per queue and reads only IDX bit 0, so slots 0 and 1 are
/// all this type holds. The C igb driver names a slot only on the 82575
/// (a unique index per ring, `IGB_RING_FLAG_TX_CTX_IDX`); on the 82576
/// it always uses slot 0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ContextSlot(u8);

impl ContextSlot {
    /// Slots per queue.
    pub const COUNT: u8 = 2;
    /// The first slot.
    pub const ZERO: ContextSlot = ContextSlot(0);
    /// The second slot.
    pub const ONE: ContextSlot = ContextSlot(1);

    /// Slot `n`, if the queue has it.
    pub fn new(n: u8) -> Option<Self> {
        (n < Self::COUNT).then_some(Self(n))
    }

    /// The slot number.
    pub fn get(self) -> u8 {
        self.0
    }
}

/// An advanced TX data descriptor.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TxData {
    /// DMA address of the data.
    pub buffer_addr: u64,
    /// Bytes in this buffer.
    pub len: u16,
    /// [`Dcmd`] bits (DEXT is always set).
    pub dcmd: u8,
    /// [`Popts`] bits. QEMU reads these, TSE, VLE and the slot from the
    /// first descriptor of a frame only.
    pub popts: u8,
    /// PAYLEN (first descriptor of a frame).
    pub paylen: Paylen,
    /// The context slot (IDX) whose offloads apply.
    pub slot: ContextSlot,
    /// CC: check the context slot. The C igb driver never sets it for the
    /// 82576 and QEMU ignores it.
    pub check_context: bool,
}

impl TxData {
    /// CPU-order encoding.
    pub fn encode(&self) -> [u64; 2] {
        let cmd_type_len = u32::from(self.len)
            | DTYP_DATA << DTYP_SHIFT
            | u32::from(self.dcmd | Dcmd::DEXT) << DCMD_SHIFT;
        let cc = if self.check_context { OLINFO_CC } else { 0 };
        let olinfo_status = u32::from(self.slot.0) << OLINFO_IDX_SHIFT
            | cc
            | (u32::from(self.popts) & OLINFO_POPTS_MASK) << OLINFO_POPTS_SHIFT
            | self.paylen.0 << OLINFO_PAYLEN_SHIFT;
        [
            self.buffer_addr,
            u64::from(cmd_type_len) | u64::from(olinfo_status) << 32,
        ]
    }

    /// Decodes a CPU-order descriptor, `None` if it is not a data
    /// descriptor.
    pub fn decode(d: [u64; 2]) -> Option<Self> {
        let (cmd_type_len, olinfo_status) = split(d[1]);
        if (cmd_type_len >> DTYP_SHIFT) & DTYP_MASK != DTYP_DATA {
            return None;
        }
        Some(Self {
            buffer_addr: d[0],
            // CAST: the length field is the low 16 bits.
            len: cmd_type_len as u16,
            // CAST: DCMD is the top byte.
            dcmd: (cmd_type_len >> DCMD_SHIFT) as u8,
            // CAST: masked to 6 bits.
            popts: ((olinfo_status >> OLINFO_POPTS_SHIFT) & OLINFO_POPTS_MASK) as u8,
            // INVARIANT: a u32 shifted right by 14 has 18 bits.
            paylen: Paylen(olinfo_status >> OLINFO_PAYLEN_SHIFT),
            slot: ContextSlot(u8::from(olinfo_status & (1 << OLINFO_IDX_SHIFT) != 0)),
            check_context: olinfo_status & OLINFO_CC != 0,
        })
    }
}

/// The low and high dwords of a descriptor quadword.
fn split(q: u64) -> (u32, u32) {
    // CAST: each half is 32 bits.
    (q as u32, (q >> 32) as u32)
}

/// The header lengths a context descriptor carries: MACLEN (7 bits) and
/// IPLEN (9 bits). QEMU parses the frame instead of reading them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HeaderLens {
    mac_len: u8,
    ip_len: u16,
}

impl HeaderLens {
    /// Largest MACLEN.
    pub const MAX_MAC_LEN: u32 = 0x7F;
    /// Largest IPLEN.
    pub const MAX_IP_LEN: u32 = 0x1FF;

    /// The L2 header is `mac_len` bytes (with any VLAN tag in the frame),
    /// the IP header `ip_len`; `None` past the fields' widths, in which
    /// case the frame must be checksummed or segmented in software.
    pub fn new(mac_len: u32, ip_len: u32) -> Option<Self> {
        if mac_len > Self::MAX_MAC_LEN || ip_len > Self::MAX_IP_LEN {
            return None;
        }
        // INVARIANT: both checked against their fields' widths above.
        Some(Self {
            mac_len: u8::try_from(mac_len).ok()?,
            ip_len: u16::try_from(ip_len).ok()?,
        })
    }

    /// MACLEN.
    pub fn mac_len(self) -> u8 {
        self.mac_len
    }

    /// IPLEN.
    pub fn ip_len(self) -> u16 {
        self.ip_len
    }
}

/// The L4 protocol of a context (TUCMD.L4T).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum L4 {
    /// UDP (code 0: also what a context without L4 offload carries).
    #[default]
    Udp,
    /// TCP.
    Tcp,
    /// SCTP (CRC32c insertion).
    Sctp,
}

impl L4 {
    fn code(self) -> u32 {
        match self {
            L4::Udp => 0,
            L4::Tcp => 1,
            L4::Sctp => 2,
        }
    }
}

/// TCP segmentation parameters of a context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tso {
    mss: u16,
    l4_len: u8,
}

impl Tso {
    /// Segments of `mss` payload bytes behind a TCP header of `l4_len`
    /// bytes; `None` for a zero MSS or an impossible TCP header length.
    pub fn new(mss: u16, l4_len: u32) -> Option<Self> {
        if mss == 0 || !(20..=60).contains(&l4_len) {
            return None;
        }
        Some(Self {
            mss,
            l4_len: u8::try_from(l4_len).ok()?,
        })
    }

    /// MSS.
    pub fn mss(self) -> u16 {
        self.mss
    }

    /// L4LEN.
    pub fn l4_len(self) -> u8 {
        self.l4_len
    }
}

const TUCMD_IPV4: u32 = 1 << 10;
const TUCMD_L4T_SHIFT: u32 = 11;
const TUCMD_L4T_MASK: u32 = 0x3;
const MACLEN_SHIFT: u32 = 9;
const IPLEN_MASK: u32 = 0x1FF;
const VLAN_SHIFT: u32 = 16;
const L4LEN_SHIFT: u32 = 8;
const MSS_SHIFT: u32 = 16;

/// An advanced TX context descriptor: offload parameters that the data
/// descriptors naming its slot use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TxContext {
    /// VLAN tag inserted by data descriptors with [`Dcmd::VLE`].
    pub vlan: u16,
    /// MACLEN and IPLEN.
    pub lens: HeaderLens,
    /// TUCMD.IPV4: the packet is IPv4 (otherwise IPv6). The C igb driver
    /// sets it only in `igb_tso()`; `igb_tx_csum()` leaves it clear for
    /// IPv4 frames too.
    pub ipv4: bool,
    /// TUCMD.L4T.
    pub l4: L4,
    /// MSS and L4LEN, for data descriptors with [`Dcmd::TSE`]. QEMU reads
    /// the MSS (and L4T for SCTP) and nothing else of the context but
    /// the VLAN tag.
    pub tso: Option<Tso>,
    /// The slot this context is stored in.
    pub slot: ContextSlot,
}

impl TxContext {
    /// CPU-order encoding.
    pub fn encode(&self) -> [u64; 2] {
        let vlan_macip_lens = u32::from(self.lens.ip_len)
            | u32::from(self.lens.mac_len) << MACLEN_SHIFT
            | u32::from(self.vlan) << VLAN_SHIFT;
        let ipv4 = if self.ipv4 { TUCMD_IPV4 } else { 0 };
        let type_tucmd_mlhl = ipv4
            | self.l4.code() << TUCMD_L4T_SHIFT
            | DTYP_CONTEXT << DTYP_SHIFT
            | u32::from(Dcmd::DEXT) << DCMD_SHIFT;
        let (mss, l4_len) = self.tso.map_or((0, 0), |t| (t.mss, t.l4_len));
        let mss_l4len_idx = u32::from(self.slot.0) << OLINFO_IDX_SHIFT
            | u32::from(l4_len) << L4LEN_SHIFT
            | u32::from(mss) << MSS_SHIFT;
        // The second dword, seqnum_seed, is for launch time: unused.
        [
            u64::from(vlan_macip_lens),
            u64::from(type_tucmd_mlhl) | u64::from(mss_l4len_idx) << 32,
        ]
    }

    /// The context for a frame that asks only for its VLAN tag to be
    /// inserted (no checksum, no TSO), as `igb_tx_csum` writes one: the
    /// tag, and MACLEN where the stack put the network header (`None`
    /// when it set none, or one past MACLEN's width: 0 then, which
    /// neither QEMU nor the 82576 reads without an offload).
    pub fn vlan_only(vlan: u16, network_offset: Option<u32>) -> Self {
        let lens = network_offset
            .and_then(|mac_len| HeaderLens::new(mac_len, 0))
            .unwrap_or_default();
        Self {
            vlan,
            lens,
            ..Self::default()
        }
    }

    /// Whether a frame's data descriptors, naming the slot that holds
    /// `self`, get what they need from it: the checksum and TSO fields of
    /// `wanted` if they ask for an offload (`offloads`: TXSM, IXSM or
    /// TSE), its tag if they ask for one (`vlan`: VLE). The device reads
    /// nothing else of the context, so a context that differs only in
    /// fields the frame does not use need not be written again.
    pub fn serves(&self, wanted: &TxContext, offloads: bool, vlan: bool) -> bool {
        let tag_ok = !vlan || self.vlan == wanted.vlan;
        let offloads_ok = !offloads
            || *self
                == TxContext {
                    vlan: self.vlan,
                    ..*wanted
                };
        tag_ok && offloads_ok
    }

    /// Decodes a CPU-order descriptor, `None` if it is not a context
    /// descriptor. A zero MSS decodes as no TSO.
    pub fn decode(d: [u64; 2]) -> Option<Self> {
        let (vlan_macip_lens, _seqnum_seed) = split(d[0]);
        let (type_tucmd_mlhl, mss_l4len_idx) = split(d[1]);
        if (type_tucmd_mlhl >> DTYP_SHIFT) & DTYP_MASK != DTYP_CONTEXT {
            return None;
        }
        let l4 = match (type_tucmd_mlhl >> TUCMD_L4T_SHIFT) & TUCMD_L4T_MASK {
            0 => L4::Udp,
            1 => L4::Tcp,
            _ => L4::Sctp,
        };
        // CAST: MSS is the top 16 bits, L4LEN the byte below it.
        let mss = (mss_l4len_idx >> MSS_SHIFT) as u16;
        // CAST: see above.
        let l4_len = (mss_l4len_idx >> L4LEN_SHIFT) as u8;
        Some(Self {
            // CAST: the VLAN tag is the top 16 bits.
            vlan: (vlan_macip_lens >> VLAN_SHIFT) as u16,
            lens: HeaderLens {
                // CAST: masked to 7 bits.
                mac_len: ((vlan_macip_lens >> MACLEN_SHIFT) & HeaderLens::MAX_MAC_LEN) as u8,
                // CAST: masked to 9 bits.
                ip_len: (vlan_macip_lens & IPLEN_MASK) as u16,
            },
            ipv4: type_tucmd_mlhl & TUCMD_IPV4 != 0,
            l4,
            tso: (mss != 0).then_some(Tso { mss, l4_len }),
            slot: ContextSlot(u8::from(mss_l4len_idx & (1 << OLINFO_IDX_SHIFT) != 0)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::e1000::desc::TX_STATUS_DD as LEGACY_DD;
    use super::super::testutil::{bytes, dword};
    use super::*;

    #[test]
    fn dcmd_bits_match_the_c_headers() {
        let cmd = |b: u8| u32::from(b) << DCMD_SHIFT;
        // E1000_ADVTXD_DCMD_* in e1000_82575.h.
        assert_eq!(cmd(Dcmd::EOP), 0x0100_0000);
        assert_eq!(cmd(Dcmd::IFCS), 0x0200_0000);
        assert_eq!(cmd(Dcmd::RS), 0x0800_0000);
        assert_eq!(cmd(Dcmd::DEXT), 0x2000_0000);
        assert_eq!(cmd(Dcmd::VLE), 0x4000_0000);
        assert_eq!(cmd(Dcmd::TSE), 0x8000_0000);
        assert_eq!(DTYP_DATA << DTYP_SHIFT, 0x0030_0000);
        assert_eq!(DTYP_CONTEXT << DTYP_SHIFT, 0x0020_0000);
        // E1000_TXD_POPTS_* << 8 (QEMU's E1000_ADVTXD_POTS_*).
        assert_eq!(u32::from(Popts::IXSM) << OLINFO_POPTS_SHIFT, 0x100);
        assert_eq!(u32::from(Popts::TXSM) << OLINFO_POPTS_SHIFT, 0x200);
    }

    #[test]
    fn data_descriptor_layout() {
        // What igb_tx_map() writes for the only buffer of a 1514-byte
        // TCP/IPv4 frame whose checksum igb_tx_csum() offloads: that sets
        // IGB_TX_FLAGS_CSUM, so POPTS is TXSM alone (olinfo 0x200 with
        // PAYLEN, the whole frame); IXSM would need IGB_TX_FLAGS_IPV4.
        let d = TxData {
            buffer_addr: 0x1122_3344_5566_7788,
            len: 1514,
            dcmd: Dcmd::EOP | Dcmd::IFCS | Dcmd::RS,
            popts: Popts::TXSM,
            paylen: Paylen::new(1514).unwrap(),
            slot: ContextSlot::ZERO,
            check_context: false,
        };
        let b = bytes(d.encode());
        assert_eq!(&b[..8], &0x1122_3344_5566_7788u64.to_le_bytes());
        assert_eq!(dword(&b, 2), 0x2B30_05EA);
        assert_eq!(dword(&b, 3), 1514 << 14 | 0x200);
        assert_eq!(
            TxData::decode(d.encode()),
            Some(TxData {
                dcmd: d.dcmd | Dcmd::DEXT,
                ..d
            })
        );
        assert!(!tx_done(d.encode()));
    }

    #[test]
    fn tso_data_descriptor_layout() {
        // What igb_tx_map() writes for the only buffer of a TCP/IPv4 TSO
        // frame: 66 header bytes and 2896 of payload. igb_tso() sets
        // IGB_TX_FLAGS_TSO | _CSUM | _IPV4: TSE, and POPTS TXSM | IXSM
        // (0x300); PAYLEN is the payload behind the headers.
        let d = TxData {
            buffer_addr: 0x1000,
            len: 66 + 2896,
            dcmd: Dcmd::EOP | Dcmd::IFCS | Dcmd::RS | Dcmd::TSE,
            popts: Popts::TXSM | Popts::IXSM,
            paylen: Paylen::new(2896).unwrap(),
            slot: ContextSlot::ZERO,
            check_context: false,
        };
        let b = bytes(d.encode());
        assert_eq!(dword(&b, 2), 0xAB30_0B92);
        assert_eq!(dword(&b, 3), 0x02D4_0300);
    }

    #[test]
    fn data_descriptor_slot_and_cc() {
        let d = TxData {
            dcmd: Dcmd::TSE | Dcmd::VLE,
            paylen: Paylen::new(Paylen::MAX).unwrap(),
            slot: ContextSlot::ONE,
            check_context: true,
            ..TxData::default()
        };
        let b = bytes(d.encode());
        assert_eq!(dword(&b, 2) >> 24, 0xE0);
        assert_eq!(dword(&b, 3), 0xFFFF_C000 | 0x80 | 0x10);
        let back = TxData::decode(d.encode()).unwrap();
        assert_eq!(
            (back.slot, back.check_context, back.paylen.get()),
            (ContextSlot::ONE, true, Paylen::MAX)
        );
        assert_eq!(Paylen::new(Paylen::MAX + 1), None);
        assert_eq!(ContextSlot::new(2), None);
        // A context descriptor is not data, and the reverse.
        assert_eq!(TxData::decode(TxContext::default().encode()), None);
        assert_eq!(TxContext::decode(d.encode()), None);
    }

    #[test]
    fn tx_write_back() {
        // QEMU ORs DD into the fourth dword; the legacy check agrees.
        let mut d = TxData {
            dcmd: Dcmd::EOP | Dcmd::RS,
            ..TxData::default()
        }
        .encode();
        d[1] |= u64::from(TX_STATUS_DD) << 32;
        assert!(tx_done(d));
        assert!(super::super::super::e1000::desc::tx_done(d));
        assert_eq!(u32::from(LEGACY_DD), TX_STATUS_DD);
    }

    #[test]
    fn tso_context_layout() {
        // igb_tso() for TCP/IPv4 behind an untagged Ethernet header, a
        // 32-byte TCP header, MSS 1448, VLAN 5 in the tag.
        let c = TxContext {
            vlan: 5,
            lens: HeaderLens::new(14, 20).unwrap(),
            ipv4: true,
            l4: L4::Tcp,
            tso: Tso::new(1448, 32),
            slot: ContextSlot::ZERO,
        };
        let b = bytes(c.encode());
        assert_eq!(dword(&b, 0), 20 | 14 << 9 | 5 << 16);
        assert_eq!(dword(&b, 1), 0);
        // IPV4 | L4T_TCP | DTYP_CTXT | DEXT.
        assert_eq!(
            dword(&b, 2),
            0x0000_0400 | 0x0000_0800 | 0x0020_0000 | 0x2000_0000
        );
        assert_eq!(dword(&b, 3), 1448 << 16 | 32 << 8);
        assert_eq!(TxContext::decode(c.encode()), Some(c));
    }

    #[test]
    fn checksum_context_matches_igb_tx_csum() {
        // igb_tx_csum() for TCP over IPv4 behind an untagged Ethernet
        // header: MACLEN 14, IPLEN 20, L4T_TCP, and no TUCMD.IPV4 (only
        // igb_tso() sets it); igb_tx_ctxtdesc() adds DTYP_CTXT | DEXT and,
        // on the 82576, no index.
        let tcp4 = TxContext {
            lens: HeaderLens::new(14, 20).unwrap(),
            l4: L4::Tcp,
            ..TxContext::default()
        };
        let b = bytes(tcp4.encode());
        assert_eq!(dword(&b, 0), 20 | 14 << 9);
        assert_eq!(dword(&b, 1), 0);
        assert_eq!(dword(&b, 2), 0x2020_0800);
        assert_eq!(dword(&b, 3), 0);
        // SCTP: E1000_ADVTXD_TUCMD_L4T_SCTP, again without IPV4.
        let sctp = TxContext {
            l4: L4::Sctp,
            ..tcp4
        };
        assert_eq!(dword(&bytes(sctp.encode()), 2), 0x2020_1000);
    }

    #[test]
    fn context_round_trips() {
        // Encodings igb does not produce on the 82576 but the format
        // holds: slot 1 (an 82575 per-ring index) with UDP over IPv6
        // behind a VLAN-tagged header, and SCTP with TUCMD.IPV4.
        let udp6 = TxContext {
            lens: HeaderLens::new(18, 40).unwrap(),
            l4: L4::Udp,
            slot: ContextSlot::ONE,
            ..TxContext::default()
        };
        let b = bytes(udp6.encode());
        assert_eq!(dword(&b, 0), 40 | 18 << 9);
        assert_eq!(dword(&b, 2), 0x2020_0000);
        assert_eq!(dword(&b, 3), 0x10);
        assert_eq!(TxContext::decode(udp6.encode()), Some(udp6));
        let sctp = TxContext {
            ipv4: true,
            l4: L4::Sctp,
            ..TxContext::default()
        };
        // TUCMD.IPV4 | L4T_SCTP.
        assert_eq!(dword(&bytes(sctp.encode()), 2) & 0x1C00, 0x1400);
        assert_eq!(TxContext::decode(sctp.encode()), Some(sctp));
    }

    #[test]
    fn vlan_context_matches_igb_tx_csum() {
        // igb_tx_csum() for a frame with a hardware-accelerated tag and
        // nothing to checksum (an ICMP echo, IPv4 behind 14 bytes): the
        // no_csum path writes MACLEN, IPLEN 0, the tag (IGB_TX_FLAGS_VLAN
        // _MASK, bits 31:16) and no L4 type.
        let c = TxContext::vlan_only(0x2005, Some(14));
        let b = bytes(c.encode());
        assert_eq!(dword(&b, 0), 0x2005_0000 | 14 << 9);
        assert_eq!(dword(&b, 1), 0);
        assert_eq!(dword(&b, 2), 0x2020_0000);
        assert_eq!(dword(&b, 3), 0);
        assert_eq!(TxContext::decode(c.encode()), Some(c));
        // No network header (or one MACLEN cannot hold): MACLEN 0.
        assert_eq!(TxContext::vlan_only(5, None).lens, HeaderLens::default());
        assert_eq!(TxContext::vlan_only(5, Some(128)).lens.mac_len(), 0);
        // The data descriptor of such a frame: VLE, no POPTS.
        let d = TxData {
            len: 98,
            dcmd: Dcmd::EOP | Dcmd::IFCS | Dcmd::RS | Dcmd::VLE,
            paylen: Paylen::new(98).unwrap(),
            ..TxData::default()
        };
        assert_eq!(dword(&bytes(d.encode()), 2), 0x6B30_0062);
    }

    #[test]
    fn context_reuse() {
        let tcp = TxContext {
            lens: HeaderLens::new(14, 20).unwrap(),
            l4: L4::Tcp,
            ..TxContext::default()
        };
        let tcp_tag5 = TxContext { vlan: 5, ..tcp };
        let tag5 = TxContext::vlan_only(5, Some(14));
        let tag6 = TxContext::vlan_only(6, Some(14));
        // Checksum and tag: everything must match.
        assert!(tcp_tag5.serves(&tcp_tag5, true, true));
        assert!(!tcp.serves(&tcp_tag5, true, true));
        assert!(!tcp_tag5.serves(&TxContext { vlan: 6, ..tcp }, true, true));
        // A checksum without a tag: the tag in the slot does not matter.
        assert!(tcp_tag5.serves(&tcp, true, false));
        assert!(!tag5.serves(&tcp, true, false));
        // A tag alone: only the tag matters, not the offload fields.
        assert!(tcp_tag5.serves(&tag5, false, true));
        assert!(!tcp_tag5.serves(&tag6, false, true));
        assert!(tag5.serves(&TxContext::vlan_only(5, None), false, true));
        // A change of tag is a change of context.
        assert!(!tag5.serves(&tag6, false, true));
        // TSO parameters count as offload fields.
        let tso = TxContext {
            tso: Tso::new(1448, 32),
            ipv4: true,
            ..tcp_tag5
        };
        assert!(!tcp_tag5.serves(&tso, true, true));
        assert!(tso.serves(&tso, true, true));
    }

    #[test]
    fn context_fields_are_checked() {
        assert!(HeaderLens::new(127, 511).is_some());
        assert_eq!(HeaderLens::new(128, 20), None);
        assert_eq!(HeaderLens::new(14, 512), None);
        assert_eq!(HeaderLens::new(u32::MAX, 0), None);
        assert_eq!(Tso::new(0, 20), None);
        assert_eq!(Tso::new(1448, 19), None);
        assert_eq!(Tso::new(1448, 61), None);
        let t = Tso::new(u16::MAX, 60).unwrap();
        assert_eq!((t.mss(), t.l4_len()), (u16::MAX, 60));
        let max = TxContext {
            vlan: 0xFFFF,
            lens: HeaderLens::new(127, 511).unwrap(),
            tso: Some(t),
            ..TxContext::default()
        };
        let b = bytes(max.encode());
        assert_eq!(dword(&b, 0), 0xFFFF_FFFF);
        assert_eq!(TxContext::decode(max.encode()), Some(max));
    }
}
