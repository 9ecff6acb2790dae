#!/bin/sh
# sgnic-link: ask the host to act on the emulated wire, over ttyS2.
#
#   sgnic-link p0|p1 on|off     QEMU monitor set_link for that port
#   sgnic-link pcap start|stop  capture the wire (filter-dump) to the
#                               host's pcap file
#   sgnic-link unplug|plug p0|p1
#                               hot-unplug the port's NIC (device_del) or
#                               plug it back (device_add); q35 only
# Prints the host's answer; exits non-zero unless it is "ok".
tty=/dev/ttyS2
case "$1 $2" in
"p0 on" | "p0 off" | "p1 on" | "p1 off") req="set_link $1 $2" ;;
"pcap start" | "pcap stop") req="pcap $2" ;;
"unplug p0" | "unplug p1" | "plug p0" | "plug p1") req="$1 $2" ;;
*) echo "usage: sgnic-link p0|p1 on|off | pcap start|stop | unplug|plug p0|p1" >&2; exit 2 ;;
esac
stty -F $tty raw -echo 2>/dev/null || { echo "sgnic-link: no $tty" >&2; exit 1; }
exec 3<>$tty
printf '%s\n' "$req" >&3
IFS= read -r -t 20 reply <&3 || { echo "sgnic-link: no answer from the host" >&2; exit 1; }
reply=$(printf '%s' "$reply" | tr -d '\r')
echo "$reply"
[ "$reply" = ok ]
