#!/bin/sh
# Interrupt vectors and their fallbacks. On the 82576 (SGNIC_NIC_MODEL=igb)
# each port gets nine MSI-X vectors: "sgnic-q0@PCI" to "sgnic-q7@PCI" for
# its queue pairs (two of which run on the VM's two CPUs; PCI is the
# port's PCI name, so that ports can be told apart), each of which moves
# with traffic sent from its CPU, and "sgnic@PCI" for the link and other
# causes, which moves when the link flaps. The module parameter irq_mode=1 falls back to
# one MSI vector and irq_mode=2 to the INTx line; data arrives intact and
# the vector in use moves each time. On the debug kernel, an MSI-X
# handler request that fails (failslab, once) makes the probe fall back
# to MSI. QEMU's 8254x has neither MSI nor
# MSI-X: it runs on INTx whatever irq_mode asks.
. /tests/sgnic.sh
restore() {
	teardown_wire
	sgnic_unload
	sgnic_load
}
trap restore EXIT
sgnic-test mkfile /tmp/t46 $(bulk 8M) --seed 46 >/dev/null

# reload ARGS: the module again, with these parameters.
reload() {
	teardown_wire
	sgnic_unload || die "cannot unload sgnic"
	insmod "$SGNIC_KO" "$@" || die "cannot load sgnic $*"
	wait_for "[ \$(ls -d /sys/bus/pci/drivers/$SGNIC_PCI/0000:* 2>/dev/null | wc -l) -ge 2 ]" 10 ||
		die "sgnic $* did not bind both ports"
	setup_wire
	wait_for "ping -c 1 -W 1 $ADDR1" 15 || die "no traffic with sgnic $*"
}

# irq_count IRQ: its interrupts so far, over all CPUs.
irq_count() {
	awk -v irq="$1:" '$1 == irq { n = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i; print n }' \
		/proc/interrupts
}

# irq_name IRQ: the handler name /proc/interrupts shows for it.
irq_name() {
	awk -v irq="$1:" '$1 == irq { print $NF }' /proc/interrupts
}

# vectors PCI: "IRQ MODE" per MSI or MSI-X vector of device PCI.
vectors() {
	for _v in /sys/bus/pci/devices/$1/msi_irqs/*; do
		[ -e "$_v" ] && echo "$(basename "$_v") $(cat "$_v")"
	done
}

setup_wire
pci0=$(basename "$(readlink -f /sys/class/net/$IF0/device)")

# expect MODE COUNT: every port has COUNT vectors of MODE (msix, msi).
expect() {
	for _p in /sys/bus/pci/drivers/$SGNIC_PCI/0000:*; do
		_p=$(basename "$_p")
		_n=$(vectors "$_p" | grep -c " $1\$")
		[ "$_n" = "$2" ] || die "$_p has $_n $1 vectors, not $2: $(vectors "$_p" | tr '\n' ' ')"
	done
}

# moves IRQ WHAT: IRQ's count rises across WHAT (a shell command).
moves() {
	_before=$(irq_count "$1")
	eval "$2" || die "$2 failed"
	_after=$(irq_count "$1")
	[ -n "$_before" ] && [ "$_after" -gt "$_before" ] ||
		die "IRQ $1 ($(irq_name "$1")) did not move across '$2': $_before -> $_after"
	echo "IRQ $1 ($(irq_name "$1")): $_before -> $_after across '$2'"
}

send() { transfer /tmp/t46 sendfile >/dev/null; }
flap() {
	sgnic-link p0 off && wait_for "[ \"\$(cat /sys/class/net/$IF0/carrier)\" = 0 ]" 10 &&
		sgnic-link p0 on && wait_for "[ \"\$(cat /sys/class/net/$IF0/carrier)\" = 1 ]" 10 &&
		wait_for "ping -c 1 -W 1 $ADDR1" 15
}

if [ "$IGB" = 1 ]; then
	# MSI-X: one vector per possible queue pair (8) and one for the other
	# causes, each by name; each running pair's vector moves when the
	# CPU it is steered to sends (XPS picks that CPU's queue, whose
	# completions interrupt there).
	expect msix 9
	other=$(vectors "$pci0" | while read -r irq mode; do
		[ "$(irq_name "$irq")" = "sgnic@$pci0" ] && echo "$irq"
	done)
	[ -n "$other" ] || die "no sgnic vector for $pci0: $(vectors "$pci0" | tr '\n' ' ')"
	for q in 0 1; do
		queue=$(vectors "$pci0" | while read -r irq mode; do
			[ "$(irq_name "$irq")" = "sgnic-q$q@$pci0" ] && echo "$irq"
		done)
		[ -n "$queue" ] || die "no sgnic-q$q vector for $pci0: $(vectors "$pci0" | tr '\n' ' ')"
		taskset -p -c $q $$ >/dev/null || die "cannot move the test to CPU $q"
		moves "$queue" send
	done
	taskset -p -c 0,1 $$ >/dev/null
	moves "$other" flap
	# MSI: one vector for everything.
	reload irq_mode=1
	expect msi 1
	set -- $(vectors "$pci0")
	[ "$(irq_name "$1")" = "sgnic@$pci0" ] || die "the MSI vector of $pci0 is named $(irq_name "$1")"
	moves "$1" send
	# MSI-X vectors granted, but a handler cannot be requested: the probe
	# frees what it had and goes one type down (MSI). failslab fails the
	# first allocation made under request_threaded_irq (the handler's
	# irqaction), once, while port 0 binds again (debug kernel only).
	if debug_kernel; then
		reload
		teardown_wire
		echo "$pci0" >/sys/bus/pci/drivers/$SGNIC_PCI/unbind || die "cannot unbind $pci0"
		FAULT_IN_STACK=1 FAULT_SYMBOLS="request_threaded_irq request_threaded_irq" faults_on 100
		echo 1 >/sys/kernel/debug/failslab/times
		echo 0 >/sys/kernel/debug/fail_page_alloc/times
		bound=1
		echo "$pci0" >/sys/bus/pci/drivers/$SGNIC_PCI/bind || bound=0
		left=$(cat /sys/kernel/debug/failslab/times)
		faults_off >/dev/null
		[ "$bound" = 1 ] || die "$pci0 did not bind with one handler request failing"
		[ "$left" = 0 ] || die "the injected request failure was never hit (failslab times left: $left)"
		[ "$(vectors "$pci0" | grep -c ' msi$')" = 1 ] && [ "$(vectors "$pci0" | grep -c ' msix$')" = 0 ] ||
			die "after a failed MSI-X request $pci0 has: $(vectors "$pci0" | tr '\n' ' ')"
		dmesg | grep -q "requesting MsiX interrupts failed (error -12), trying Msi" ||
			die "no fallback line in the kernel log"
		setup_wire
		set -- $(vectors "$pci0")
		moves "$1" send
		echo "$pci0: MSI-X handler request failed once, fell back to MSI, data intact"
	fi
else
	# No MSI or MSI-X capability on QEMU's 8254x.
	expect msix 0
	expect msi 0
fi
# An unknown interrupt type is refused, and nothing is left loaded.
teardown_wire
sgnic_unload || die "cannot unload sgnic"
if insmod "$SGNIC_KO" irq_mode=3 2>/dev/null; then die "sgnic loaded with irq_mode=3"; fi
[ ! -e /sys/module/sgnic ] || die "a refused sgnic stayed loaded"
# INTx: the legacy line, named after the handler (shared lines list
# every handler on it).
reload irq_mode=2
expect msix 0
expect msi 0
irq=$(cat /sys/bus/pci/devices/$pci0/irq)
grep -E "^ *$irq:.* sgnic@$pci0(,|\$)" /proc/interrupts >/dev/null ||
	die "IRQ $irq of $pci0 has no handler sgnic@$pci0: $(grep -E "^ *$irq:" /proc/interrupts)"
moves "$irq" send
rm -f /tmp/t46
