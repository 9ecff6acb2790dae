// SPDX-License-Identifier: GPL-2.0

//! MAC control both families share: reset, TX quiescence, link, and
//! EEPROM reads through EERD (whose fields each family lays out its own
//! way).

use super::{family::Family, regs::Regs};
use crate::hw::{net, regs as r};
use kernel::{
    io::poll::{read_poll_timeout, read_poll_timeout_atomic},
    prelude::*,
    time::Delta,
};

/// How long an EEPROM word may take before the device is given up on (QEMU
/// answers at once; real parts within a few microseconds).
const EERD_TIMEOUT: Delta = Delta::from_millis(5);

/// Words covered by the EEPROM checksum (both families).
pub(crate) const EEPROM_WORDS: usize = 64;

/// Masks interrupts, stops both DMA engines and resets the MAC.
///
/// Afterwards the device does no DMA and raises no interrupt, which is the
/// state remove, stop and TX-timeout recovery all need.
pub(crate) fn reset(regs: &Regs<'_>) {
    regs.write(r::IMC, !0);
    regs.write(r::RCTL, 0);
    regs.write(r::TCTL, r::Tctl::PSP);
    regs.flush();
    // Let in-flight DMA drain before pulling the reset line.
    kernel::time::delay::fsleep(Delta::from_millis(10));
    regs.write(r::CTRL, regs.read(r::CTRL) | r::Ctrl::RST);
    kernel::time::delay::fsleep(Delta::from_millis(5));
    regs.write(r::IMC, !0);
    let _ = regs.read(r::ICR);
}

/// How long TX-timeout recovery waits, in atomic context, for the head to
/// settle after TCTL.EN is cleared (one full-size frame at 10 Mb/s takes 1.2
/// ms).
const TX_SETTLE_POLL: Delta = Delta::from_micros(100);
const TX_SETTLE_TRIES: usize = 100;

/// Whether queue `queue`'s transmit head stayed put across one poll interval,
/// within [`TX_SETTLE_TRIES`] intervals. Used in atomic context after
/// TCTL.EN is cleared: the device then finishes the frame it is on and
/// stops fetching descriptors and buffers.
pub(crate) fn tx_head_settled<F: Family>(regs: &Regs<'_>, queue: usize) -> bool {
    let mut last = regs.read(F::tdh(queue));
    read_poll_timeout_atomic(
        || {
            let head = regs.read(F::tdh(queue));
            Ok(core::mem::replace(&mut last, head) == head)
        },
        |settled| *settled,
        TX_SETTLE_POLL,
        TX_SETTLE_TRIES,
    )
    .is_ok()
}

/// Forces the link up (`CTRL.SLU`) with speed autodetection.
pub(crate) fn set_link_up(regs: &Regs<'_>) {
    regs.write(r::CTRL, regs.read(r::CTRL) | r::Ctrl::SLU | r::Ctrl::ASDE);
}

/// Reads one 16-bit EEPROM word through EERD: `start` is the EERD value
/// that starts the read, `done` the family's decode of a finished one.
fn read_eeprom_word(regs: &Regs<'_>, start: u32, done: fn(u32) -> Option<u16>) -> Result<u16> {
    regs.write(r::EERD, start);
    let eerd = read_poll_timeout(
        || Ok(regs.read(r::EERD)),
        |eerd| done(*eerd).is_some(),
        Delta::from_micros(5),
        EERD_TIMEOUT,
    )?;
    done(eerd).ok_or(ETIMEDOUT)
}

/// Reads and validates the permanent MAC address from the EEPROM, whose
/// word `i` EERD reads when written `start(i)` (`None`: the family cannot
/// address it) and reports through `done`.
///
/// The whole EEPROM checksum is verified and the address must be a valid
/// unicast one: a device that reports nonsense is refused, not trusted.
pub(crate) fn read_permanent_address(
    regs: &Regs<'_>,
    start: fn(u8) -> Option<u32>,
    done: fn(u32) -> Option<u16>,
) -> Result<[u8; 6]> {
    use crate::hw::e1000::eeprom;
    const _: () = assert!(EEPROM_WORDS == eeprom::WORDS);
    let mut words = [0u16; EEPROM_WORDS];
    for (i, w) in (0u8..).zip(words.iter_mut()) {
        *w = read_eeprom_word(regs, start(i).ok_or(EINVAL)?, done)?;
    }
    // The checksum and the address's layout are the same on both
    // families.
    if !eeprom::checksum_ok(&words) {
        return Err(EIO);
    }
    let mac = eeprom::mac_from_eeprom_words([words[0], words[1], words[2]]);
    if !net::is_valid_unicast_mac(&mac) {
        return Err(EADDRNOTAVAIL);
    }
    Ok(mac)
}

/// Link state read from the STATUS register.
pub(crate) struct Link {
    /// Whether the PHY reports link.
    pub(crate) up: bool,
    /// Negotiated speed in Mb/s.
    pub(crate) speed_mbps: u32,
    /// Full duplex.
    pub(crate) full_duplex: bool,
}

/// Reads the current link state.
pub(crate) fn link(regs: &Regs<'_>) -> Link {
    let status = r::Status(regs.read(r::STATUS));
    Link {
        up: status.link_up(),
        speed_mbps: status.speed_mbps(),
        full_duplex: status.full_duplex(),
    }
}
