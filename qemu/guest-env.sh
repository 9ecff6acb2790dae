# shellcheck shell=sh
# Sourced by every guest shell script (init's command, the tests).
#
# Debian's busybox-static runs its own applet whenever a command name
# matches one, ignoring PATH. These functions make the real Debian tools
# win where both exist.
ip() { /usr/sbin/ip "$@"; }
lspci() { /usr/bin/lspci "$@"; }
modinfo() { /usr/sbin/modinfo "$@"; }
