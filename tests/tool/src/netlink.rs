//! The `netdev` generic netlink family (what `ynl --family netdev` reads):
//! which NAPI instance serves each queue, each instance's IRQ, and the
//! per-queue statistics a driver reports through `netdev_stat_ops`.

use crate::error::{CliError, Result};
use std::io;

const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const NLM_F_REQUEST: u16 = 1;
const NLM_F_ACK: u16 = 4;
const NLM_F_DUMP: u16 = 0x300;
const GENL_ID_CTRL: u16 = 0x10;
const CTRL_CMD_GETFAMILY: u8 = 3;
const CTRL_ATTR_FAMILY_ID: u16 = 1;
const CTRL_ATTR_FAMILY_NAME: u16 = 2;
/// Header sizes: `nlmsghdr`, `genlmsghdr`, `nlattr`.
const NLMSG_HDR: usize = 16;
const GENL_HDR: usize = 4;
const NLA_HDR: usize = 4;

/// Commands and attributes of the `netdev` family (uapi/linux/netdev.h).
pub mod netdev {
    pub const CMD_QUEUE_GET: u8 = 10;
    pub const CMD_NAPI_GET: u8 = 11;
    pub const CMD_QSTATS_GET: u8 = 12;
    pub const A_QUEUE_ID: u16 = 1;
    pub const A_QUEUE_IFINDEX: u16 = 2;
    pub const A_QUEUE_TYPE: u16 = 3;
    pub const A_QUEUE_NAPI_ID: u16 = 4;
    pub const A_NAPI_IFINDEX: u16 = 1;
    pub const A_NAPI_ID: u16 = 2;
    pub const A_NAPI_IRQ: u16 = 3;
    pub const A_QSTATS_IFINDEX: u16 = 1;
    pub const A_QSTATS_QUEUE_TYPE: u16 = 2;
    pub const A_QSTATS_QUEUE_ID: u16 = 3;
    pub const A_QSTATS_SCOPE: u16 = 4;
    /// The first counter attribute; the names below follow its order.
    pub const A_QSTATS_RX_PACKETS: u16 = 8;
    pub const QSTATS_NAMES: [&str; 4] = ["rx_packets", "rx_bytes", "tx_packets", "tx_bytes"];
    pub const QSTATS_SCOPE_QUEUE: u32 = 1;
    pub const QUEUE_TYPE_RX: u32 = 0;
}

/// One message's attributes, as (type, payload) pairs.
pub type Attrs = Vec<(u16, Vec<u8>)>;

/// A generic netlink socket bound to one family.
pub struct Genl {
    fd: i32,
    family: u16,
    seq: u32,
}

impl Drop for Genl {
    fn drop(&mut self) {
        // SAFETY: our own descriptor, closed once.
        unsafe { libc::close(self.fd) };
    }
}

impl Genl {
    /// Opens a socket and resolves family `name`.
    pub fn open(name: &str) -> Result<Self> {
        // SAFETY: plain socket(2).
        let fd = unsafe {
            libc::socket(
                libc::AF_NETLINK,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                libc::NETLINK_GENERIC,
            )
        };
        if fd < 0 {
            return Err(CliError::os("netlink socket", io::Error::last_os_error()));
        }
        let mut genl = Genl {
            fd,
            family: GENL_ID_CTRL,
            seq: 0,
        };
        let mut family_name = name.as_bytes().to_vec();
        family_name.push(0);
        let replies = genl.request(
            CTRL_CMD_GETFAMILY,
            NLM_F_REQUEST | NLM_F_ACK,
            &[(CTRL_ATTR_FAMILY_NAME, family_name)],
        )?;
        let id = replies
            .iter()
            .find_map(|attrs| attr_uint(attrs, CTRL_ATTR_FAMILY_ID))
            .ok_or_else(|| CliError::msg(format!("no generic netlink family '{name}'")))?;
        genl.family = u16::try_from(id).map_err(|_| CliError::msg("family id out of range"))?;
        Ok(genl)
    }

    /// Dumps `cmd` with request attributes `attrs`; one [`Attrs`] per reply.
    pub fn dump(&mut self, cmd: u8, attrs: &[(u16, Vec<u8>)]) -> Result<Vec<Attrs>> {
        self.request(cmd, NLM_F_REQUEST | NLM_F_DUMP, attrs)
    }

    /// Sends `cmd` as a single (not dump) request; its replies, if it
    /// succeeded.
    pub fn get(&mut self, cmd: u8, attrs: &[(u16, Vec<u8>)]) -> Result<Vec<Attrs>> {
        self.request(cmd, NLM_F_REQUEST | NLM_F_ACK, attrs)
    }

    /// As [`Self::dump`], `None` if the device does not implement it
    /// (EOPNOTSUPP: a driver without per-queue statistics, say).
    pub fn dump_optional(
        &mut self,
        cmd: u8,
        attrs: &[(u16, Vec<u8>)],
    ) -> Result<Option<Vec<Attrs>>> {
        match self.dump(cmd, attrs) {
            Err(e)
                if e.cause.as_deref()
                    == Some(&io::Error::from_raw_os_error(libc::EOPNOTSUPP).to_string()) =>
            {
                Ok(None)
            }
            other => other.map(Some),
        }
    }

    fn request(&mut self, cmd: u8, flags: u16, attrs: &[(u16, Vec<u8>)]) -> Result<Vec<Attrs>> {
        self.seq += 1;
        let mut msg = vec![0u8; NLMSG_HDR];
        msg.extend_from_slice(&[cmd, 1, 0, 0]);
        for (kind, payload) in attrs {
            let len = NLA_HDR + payload.len();
            msg.extend_from_slice(&(len as u16).to_ne_bytes());
            msg.extend_from_slice(&kind.to_ne_bytes());
            msg.extend_from_slice(payload);
            msg.resize(align4(msg.len()), 0);
        }
        let len = msg.len() as u32;
        msg[0..4].copy_from_slice(&len.to_ne_bytes());
        msg[4..6].copy_from_slice(&self.family.to_ne_bytes());
        msg[6..8].copy_from_slice(&flags.to_ne_bytes());
        msg[8..12].copy_from_slice(&self.seq.to_ne_bytes());
        // SAFETY: `msg` is a valid buffer of its length; the kernel is the
        // default destination of an unconnected netlink socket.
        let sent = unsafe { libc::send(self.fd, msg.as_ptr().cast(), msg.len(), 0) };
        if sent < 0 {
            return Err(CliError::os("netlink send", io::Error::last_os_error()));
        }
        let mut replies = Vec::new();
        let mut buf = vec![0u8; 1 << 16];
        loop {
            // SAFETY: `buf` is writable for its length.
            let n = unsafe { libc::recv(self.fd, buf.as_mut_ptr().cast(), buf.len(), 0) };
            if n < 0 {
                return Err(CliError::os("netlink recv", io::Error::last_os_error()));
            }
            let mut rest = &buf[..n as usize];
            while rest.len() >= NLMSG_HDR {
                let len = u32_at(rest, 0) as usize;
                if len < NLMSG_HDR || len > rest.len() {
                    return Err(CliError::msg("netlink: truncated message"));
                }
                let kind = u16::from_ne_bytes([rest[4], rest[5]]);
                let body = &rest[NLMSG_HDR..len];
                // NLMSG_ERROR carries an errno (0: the ACK), and so does
                // the NLMSG_DONE that ends a dump the kernel gave up on.
                let errno = body
                    .get(0..4)
                    .map_or(0, |b| i32::from_ne_bytes([b[0], b[1], b[2], b[3]]));
                match kind {
                    NLMSG_DONE if errno < 0 => {
                        return Err(CliError::os(
                            format!("netlink dump {cmd}"),
                            io::Error::from_raw_os_error(-errno),
                        ));
                    }
                    NLMSG_DONE => return Ok(replies),
                    NLMSG_ERROR => {
                        if errno != 0 {
                            return Err(CliError::os(
                                format!("netlink command {cmd}"),
                                io::Error::from_raw_os_error(-errno),
                            ));
                        }
                        // The ACK of a non-dump request ends it.
                        return Ok(replies);
                    }
                    _ if body.len() >= GENL_HDR => replies.push(parse_attrs(&body[GENL_HDR..])),
                    _ => {}
                }
                rest = &rest[align4(len).min(rest.len())..];
            }
        }
    }
}

fn align4(n: usize) -> usize {
    (n + 3) & !3
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Splits a message body into its top-level attributes.
fn parse_attrs(mut b: &[u8]) -> Attrs {
    let mut out = Vec::new();
    while b.len() >= NLA_HDR {
        let len = u16::from_ne_bytes([b[0], b[1]]) as usize;
        // The nested and byte-order flags are not part of the type.
        let kind = u16::from_ne_bytes([b[2], b[3]]) & 0x3fff;
        if len < NLA_HDR || len > b.len() {
            break;
        }
        out.push((kind, b[NLA_HDR..len].to_vec()));
        b = &b[align4(len).min(b.len())..];
    }
    out
}

/// An unsigned attribute (`u8` to `u64`, as netlink's `uint` varies).
pub fn attr_uint(attrs: &Attrs, kind: u16) -> Option<u64> {
    let (_, p) = attrs.iter().find(|(k, _)| *k == kind)?;
    Some(match p.len() {
        1 => u64::from(p[0]),
        2 => u64::from(u16::from_ne_bytes([p[0], p[1]])),
        4 => u64::from(u32_at(p, 0)),
        8 => u64::from_ne_bytes(p[..8].try_into().ok()?),
        _ => return None,
    })
}

/// A `u32` request attribute.
pub fn u32_attr(kind: u16, value: u32) -> (u16, Vec<u8>) {
    (kind, value.to_ne_bytes().to_vec())
}
