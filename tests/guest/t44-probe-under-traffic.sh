#!/bin/sh
# Probe and remove under traffic: port 1 is bound to the C e1000 and
# floods port 0 with frames addressed to it, while sgnic is loaded, port 0
# (rings of 64) brought up, and sgnic unloaded again: 100 times, or
# SGNIC_PROBE_CYCLES (for example 1000 in a long run:
#   make vm CMD="SGNIC_PROBE_CYCLES=1000 SGNIC_TEST_TIMEOUT=7200 SGNIC_TESTS=t44 sh /tests/run-tests.sh").
# QEMU's e1000 takes no frame for 1 s after each RCTL write, so a cycle
# that is to unload with frames arriving must wait for them: every 10th
# cycle does (SGNIC_PROBE_RX_EVERY), the others unload right after the
# open. The cycles run inside sgnic-test: on the debug kernel every
# process started costs 0.1-0.3 s, which would be most of a cycle.
# Both ports share one interrupt line on the q35 machine, so an interrupt
# sgnic's port raises with no handler of sgnic's installed lands on the C
# driver's. No cycle may crash, hang, leak, warn or leave the line
# disabled (the harness reads the log; the test checks the line still
# takes interrupts).
. /tests/sgnic.sh
MAC0=52:54:00:12:34:01
MAC1=52:54:00:12:34:02
n=${SGNIC_PROBE_CYCLES:-100}
every=${SGNIC_PROBE_RX_EVERY:-10}

# The C driver of this VM's NIC family holds port 1.
if [ "$IGB" = 1 ]; then cdrv=igb; else cdrv=e1000; fi

teardown_wire
sgnic_unload || die "cannot unload sgnic"
insmod /opt/baseline/$cdrv.ko || die "cannot load the C $cdrv driver"
restore() {
	kill "$flood" 2>/dev/null
	wait "$flood" 2>/dev/null
	sgnic_unload
	rmmod $cdrv 2>/dev/null
	sgnic_load
}
trap restore EXIT
wait_for "iface_with_mac $MAC0 && iface_with_mac $MAC1" 10 || die "$cdrv did not bind both ports"
if0=$(iface_with_mac $MAC0) if1=$(iface_with_mac $MAC1)
pci0=$(basename "$(readlink "/sys/class/net/$if0/device")")
pci1=$(basename "$(readlink "/sys/class/net/$if1/device")")
# On the q35 machine (make test) both ports share one INTx line, so while
# sgnic is absent or half set up, an interrupt its port raised would be
# unclaimed on the C driver's line: enough of them and the kernel
# disables the line ("irq N: nobody cared", which the harness fails).
irq=$(cat /sys/bus/pci/devices/$pci0/irq)
shared=
if [ "$IGB" = 1 ]; then
	# The C igb driver takes MSI-X vectors for port 1 and sgnic MSI for
	# port 0: no line is shared. The C port's own vectors (named after
	# its interface) must still take interrupts after the cycles.
	irq_count() { awk -v i="$if1" 'index($0, i) { for (c = 2; c <= NF && $c ~ /^[0-9]+$/; c++) n += $c } END { print n + 0 }' /proc/interrupts; }
	shared=", the C port on its own MSI-X vectors"
else
	if ls /sys/bus/pci/slots/ 2>/dev/null | grep -q .; then
		[ "$irq" = "$(cat /sys/bus/pci/devices/$pci1/irq)" ] ||
			die "the ports do not share an interrupt line ($irq, $(cat /sys/bus/pci/devices/$pci1/irq))"
		shared=", both on shared IRQ $irq"
	fi
	# irq_count: interrupts taken on the line so far, on all CPUs.
	irq_count() { awk -v l="$irq:" '$1 == l { n = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i; print n }' /proc/interrupts; }
fi
# Port 0 goes back to no driver; the C driver keeps port 1 only.
echo "$pci0" >/sys/bus/pci/drivers/$cdrv/unbind || die "cannot unbind $pci0 from $cdrv"
ip link set "$if1" up || die "cannot bring up the C port"
sgnic-test raw-send --iface "$if1" --dst $MAC0 --count 1000000000 >/dev/null 2>&1 &
flood=$!

start=$(date +%s)
out=$(sgnic-test probe-cycles --module "$SGNIC_KO" --driver sgnic --pci-driver $SGNIC_PCI --port "$pci0" --guard "$pci1" \
	--ring 64 --cycles "$n" --rx-every "$every") || die "probe-cycles failed"
secs=$(($(date +%s) - start))
kill -0 "$flood" 2>/dev/null || die "the flood stopped during the cycles"
[ -e /sys/bus/pci/drivers/$cdrv/"$pci1" ] || die "the C driver lost $pci1"
[ "$(json_field "$out" cycles)" = "$n" ] || die "unexpected result: $out"
# The line still delivers the C port's interrupts (its flood's TX
# completions): the kernel did not disable it.
before=$(irq_count)
sleep 1
[ "$(irq_count)" -gt "$before" ] || die "the C port took no interrupt in 1 s after the cycles: line disabled?"
echo "$n load/up/unload cycles under a flood in ${secs}s$shared, $(json_field "$out" rx_cycles) of them unloading with frames received: $out"
