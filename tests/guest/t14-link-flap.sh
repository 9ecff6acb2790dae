#!/bin/sh
# Link down/up from the QEMU monitor: the carrier follows the link-status
# interrupt and traffic resumes.
. /tests/sgnic.sh
setup_wire
ping -c 1 -W 2 $ADDR1 >/dev/null || die "no connectivity before the flap"
changes=$(counter "$IF0" link_changes)
sgnic-link p0 off || die "host refused set_link p0 off"
wait_for "[ \"\$(cat /sys/class/net/$IF0/carrier)\" = 0 ]" 10 || die "carrier stayed up after set_link off"
if ping -c 1 -W 1 $ADDR1 >/dev/null 2>&1; then die "ping succeeded with the link down"; fi
sgnic-link p0 on || die "host refused set_link p0 on"
wait_for "[ \"\$(cat /sys/class/net/$IF0/carrier)\" = 1 ]" 10 || die "carrier stayed down after set_link on"
wait_for "ping -c 1 -W 1 $ADDR1" 15 || die "traffic did not resume after the flap"
[ "$(counter "$IF0" link_changes)" -ge $((changes + 2)) ] || die "link_changes did not count the flap"
