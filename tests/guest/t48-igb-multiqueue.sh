#!/bin/sh
# Queue pairs and RSS on the 82576 (SGNIC_NIC_MODEL=igb), with the VM's
# 2 vCPUs:
# - by default as many pairs as CPUs (2), out of 8, in `ethtool -l`;
# - one MSI-X vector per pair, each steered to its own CPU, and XPS
#   sending each CPU's frames on its own queue;
# - 16 concurrent TCP flows spread over both RX queues of the receiving
#   port (per-queue counters) and both CPUs (its vectors' counts per
#   CPU), every byte intact. (The key is random and the source ports are
#   the kernel's, so each flow's queue is a coin toss: with 4 flows all
#   would share one queue in 1 run of 8, with 16 in 1 of 32768.)
# - the RSS key and indirection table round-trip through `ethtool -x/-X`
#   (and a table naming a queue that does not run is refused, as is
#   fewer pairs than a user's table names);
# - `ethtool -L` changes the pair count during a transfer, which
#   completes intact, and each pair's XPS mask is its CPU again after
#   (also after -L 1 then 2 while the interface is down).
# The 8254x has one pair: skipped there.
. /tests/sgnic.sh
if [ "$IGB" != 1 ]; then
	echo "not an 82576 VM (SGNIC_NIC_MODEL=igb): the 8254x has one queue pair" >&2
	exit 77
fi
restore() {
	ethtool -X "$IF0" default 2>/dev/null
	peer ethtool -X "$IF1" default 2>/dev/null
	ethtool -L "$IF0" combined 2 2>/dev/null
	peer ethtool -L "$IF1" combined 2 2>/dev/null
}
trap restore EXIT
setup_wire
[ "$(grep -c ^processor /proc/cpuinfo)" -ge 2 ] || die "the VM has fewer than 2 CPUs"

# Pairs: 2 running (one per CPU), 8 possible.
ethtool -l "$IF0" | awk '/^Pre-set/ { m = 1 } /^Current/ { m = 0 } /^Combined:/ { print (m ? "max" : "cur"), $2 }' >/tmp/t48.l
grep -qx 'max 8' /tmp/t48.l || die "ethtool -l: maximum is not 8 pairs: $(cat /tmp/t48.l)"
grep -qx 'cur 2' /tmp/t48.l || die "ethtool -l: not 2 pairs on 2 CPUs: $(cat /tmp/t48.l)"
[ -e /sys/class/net/$IF0/queues/rx-1 ] && [ ! -e /sys/class/net/$IF0/queues/rx-2 ] ||
	die "the stack does not see exactly 2 RX queues"

# vector_irq IFACE QUEUE: the IRQ of IFACE's device's sgnic-qQUEUE@PCI.
vector_irq() {
	_pci=$(basename "$(readlink -f /sys/class/net/$1/device)")
	for _v in /sys/bus/pci/devices/$_pci/msi_irqs/*; do
		_irq=$(basename "$_v")
		awk -v irq="$_irq:" -v name="sgnic-q$2@$_pci" '$1 == irq && $NF == name { f = 1 } END { exit !f }' \
			/proc/interrupts && echo "$_irq" && return 0
	done
	return 1
}
# per_cpu IRQ: "CPU0 CPU1" counts of IRQ.
per_cpu() { awk -v irq="$1:" '$1 == irq { print $2, $3 }' /proc/interrupts; }

# Each pair's vector on its own CPU, each CPU's sends on its own queue.
pci1=$(peer sh -c "basename \$(readlink -f /sys/class/net/$IF1/device)")
for q in 0 1; do
	irq=$(vector_irq "$IF0" $q) || die "no sgnic-q$q vector for $IF0"
	[ "$(cat /proc/irq/$irq/smp_affinity_list)" = $q ] ||
		die "sgnic-q$q (IRQ $irq) is steered to CPU $(cat /proc/irq/$irq/smp_affinity_list), not $q"
	[ "$(cat /sys/class/net/$IF0/queues/tx-$q/xps_cpus)" = $((1 << q)) ] ||
		die "tx-$q XPS mask is $(cat /sys/class/net/$IF0/queues/tx-$q/xps_cpus), not CPU $q"
done

# 16 flows into the peer's port at once, each to its own TCP port.
sgnic-test mkfile /tmp/t48 $(bulk 8M) --seed 48 >/dev/null
rx_q() { peer_counter "$IF1" "queue_$1_rx_packets"; }
before0=$(rx_q 0) before1=$(rx_q 1)
# The peer's vectors are in the same /proc/interrupts (one kernel).
irqs_before=
for q in 0 1; do
	irq=$(awk -v dev="$pci1" '$NF == "sgnic-q'$q'@" dev { sub(":", "", $1); print $1 }' /proc/interrupts)
	[ -n "$irq" ] || die "no sgnic-q$q vector for the peer's $pci1"
	irqs_before="$irqs_before $(per_cpu "$irq")"
done
pids=
for i in $(seq 1 16); do
	port=$((PORT + i))
	start_receiver peer $port 1
	recv_pids="$recv_pids $RECV_PID"
	sgnic-test send --to "$ADDR1:$port" --file /tmp/t48 --method sendfile >/tmp/t48.send.$i 2>/dev/null &
	pids="$pids $!"
done
for p in $pids $recv_pids; do wait "$p" || die "a flow failed"; done
want=$(sha256sum /tmp/t48 | cut -d' ' -f1)
for i in $(seq 1 16); do
	got=$(json_field "$(grep sha256 /tmp/recv.$((PORT + i)).json)" sha256)
	[ "$got" = "$want" ] || die "flow $i arrived corrupted ($got)"
done
d0=$(($(rx_q 0) - before0)) d1=$(($(rx_q 1) - before1))
echo "16 flows: peer RX queue 0 got $d0 frames, queue 1 $d1"
[ "$d0" -gt 100 ] && [ "$d1" -gt 100 ] || die "16 flows did not spread over both RX queues ($d0, $d1)"
irqs_after=
for q in 0 1; do
	irq=$(awk -v dev="$pci1" '$NF == "sgnic-q'$q'@" dev { sub(":", "", $1); print $1 }' /proc/interrupts)
	irqs_after="$irqs_after $(per_cpu "$irq")"
done
set -- $irqs_before $irqs_after
cpu0=$(($5 - $1 + $7 - $3)) cpu1=$(($6 - $2 + $8 - $4))
echo "peer queue vectors: CPU0 took $cpu0 interrupts, CPU1 $cpu1"
[ "$cpu0" -gt 0 ] && [ "$cpu1" -gt 0 ] || die "the queue interrupts did not reach both CPUs ($cpu0, $cpu1)"

# RSS key and table round-trip.
key=$(awk 'BEGIN { for (i = 0; i < 40; i++) printf "%s%02x", (i ? ":" : ""), (i * 37 + 11) % 256 }')
ethtool -X "$IF0" hkey "$key" || die "ethtool -X hkey refused"
ethtool -x "$IF0" | tr -d ' \n' | grep -qi "$(echo "$key" | tr -d ' ')" || die "the RSS key did not read back"
ethtool -X "$IF0" weight 3 1 || die "ethtool -X weight 3 1 refused"
zeros=$(ethtool -x "$IF0" | awk '/^ *[0-9]+:/ { for (i = 2; i <= NF; i++) n[$i]++ } END { print n[0] + 0, n[1] + 0 }')
[ "$zeros" = "96 32" ] || die "weight 3 1 gave a table of $zeros entries on queues 0 and 1, not 96 32"
if ethtool -L "$IF0" combined 1 2>/dev/null; then die "1 pair accepted while the table names queue 1"; fi
ethtool -X "$IF0" equal 1 || die "ethtool -X equal 1 refused"
ethtool -x "$IF0" | awk '/^ *[0-9]+:/ { for (i = 2; i <= NF; i++) if ($i != 0) exit 1 }' ||
	die "equal 1 left entries off queue 0"
ping -c 2 -W 2 $ADDR1 >/dev/null || die "no traffic with the table on queue 0"
ethtool -X "$IF0" default || die "ethtool -X default refused"

# The hashed fields (ethtool -n/-N rx-flow-hash), as in the C igb: TCP on
# addresses and ports, UDP on addresses unless asked for its ports per IP
# version; MRQC (0x5818) says what the device was told.
pci0=$(basename "$(readlink -f /sys/class/net/$IF0/device)")
mrqc() { json_field "$(sgnic-test bar-read "$pci0" 0x5818)" value; }
hashes_ports() { ethtool -n "$IF0" rx-flow-hash "$1" | grep -q "L4 bytes 0 & 1"; }
hashes_ports tcp4 && hashes_ports tcp6 || die "ethtool -n: TCP ports are not hashed"
! hashes_ports udp4 && ! hashes_ports udp6 || die "ethtool -n: UDP ports hashed by default"
ethtool -n "$IF0" rx-flow-hash sctp4 | grep -q "IP DA" || die "ethtool -n: no fields for SCTP over IPv4"
[ "$(mrqc)" = 0x00370002 ] || die "MRQC is $(mrqc) by default, not 0x00370002"
ethtool -N "$IF0" rx-flow-hash udp4 sdfn || die "ethtool -N rx-flow-hash udp4 sdfn refused"
hashes_ports udp4 && ! hashes_ports udp6 || die "ethtool -N udp4 sdfn did not turn on UDP/IPv4 ports alone"
[ "$(mrqc)" = 0x00770002 ] || die "MRQC is $(mrqc) with UDP/IPv4 ports, not 0x00770002"
# What the device cannot do is refused (this ethtool exits 0 even then:
# its message says so, and nothing changes).
for bad in "tcp4 sd" "udp6 sdf" "udp4 fn" "sctp6 sdfn" "ah4 sdv"; do
	ethtool -N "$IF0" rx-flow-hash $bad 2>&1 | grep -q "Cannot change" ||
		die "ethtool -N rx-flow-hash $bad was accepted"
done
hashes_ports tcp4 && hashes_ports udp4 && ! hashes_ports udp6 && ! hashes_ports sctp6 ||
	die "a refused ethtool -N rx-flow-hash changed the fields"
[ "$(mrqc)" = 0x00770002 ] || die "MRQC is $(mrqc) after refused changes, not 0x00770002"
ip link set "$IF0" down && ip link set "$IF0" up
wait_for "[ \"\$(cat /sys/class/net/$IF0/carrier)\" = 1 ]" 10 || die "no link after down/up"
[ "$(mrqc)" = 0x00770002 ] || die "MRQC is $(mrqc) after down/up, not 0x00770002"
ethtool -N "$IF0" rx-flow-hash udp4 sd || die "ethtool -N rx-flow-hash udp4 sd refused"
[ "$(mrqc)" = 0x00370002 ] || die "MRQC is $(mrqc) after udp4 sd, not 0x00370002"

# ethtool -L during a transfer (both directions of the pair count).
sgnic-test mkfile /tmp/t48b $(bulk 16M) --seed 49 >/dev/null
# Sent again and again for 9 s: it outlasts the four changes below.
background_sendfile /tmp/t48b /tmp/t48.bg 9
t0=$(date +%s)
for n in 1 2 1 2; do
	ethtool -L "$IF0" combined $n || die "ethtool -L combined $n failed during traffic"
	peer ethtool -L "$IF1" combined $n || die "peer ethtool -L combined $n failed during traffic"
	[ -e /sys/class/net/$IF0/queues/rx-$((n - 1)) ] && [ ! -e /sys/class/net/$IF0/queues/rx-$n ] ||
		die "combined $n: the stack does not see $n RX queues"
	sleep 1
done
kill -0 "$SEND_PID" 2>/dev/null || die "the transfer ended before the changes did ($(($(date +%s) - t0)) s)"
echo "four ethtool -L changes in $(($(date +%s) - t0)) s under traffic"
wait "$SEND_PID" || die "the transfer failed across ethtool -L"
wait "$RECV_PID" || die "the receiver failed across ethtool -L"
got=$(json_field "$(grep sha256 /tmp/recv.$PORT.json)" sha256)
[ "$got" = "$(json_field "$(cat /tmp/t48.bg)" sha256)" ] || die "data corrupted across ethtool -L"
ethtool -l "$IF0" | tail -2 | grep -q 'Combined:.*2' || die "not back at 2 pairs"
# The stack dropped tx-1's XPS map at 1 pair; back at 2 it is spread
# again, also when the count changed while the interface was down.
xps_spread() {
	for q in 0 1; do
		[ "$(cat /sys/class/net/$IF0/queues/tx-$q/xps_cpus)" = $((1 << q)) ] ||
			die "after ethtool -L 1 then 2 ($1), tx-$q XPS mask is $(cat /sys/class/net/$IF0/queues/tx-$q/xps_cpus), not CPU $q"
	done
}
xps_spread "while up"
ip link set "$IF0" down
ethtool -L "$IF0" combined 1 && ethtool -L "$IF0" combined 2 || die "ethtool -L while down failed"
ip link set "$IF0" up
wait_for "[ \"\$(cat /sys/class/net/$IF0/carrier)\" = 1 ]" 10 || die "no link after coming up"
xps_spread "while down"

# Threaded NAPI across ethtool -L: a stopped pair's instance leaves the
# netdev's NAPI list (its kthread with it), as the C igb deletes its
# vectors'. Left listed and disabled, switching threaded mode off would
# wait for it for ever (napi_stop_kthread waits for a disabled instance
# to go idle).
echo 1 >/sys/class/net/$IF0/threaded || die "cannot switch threaded NAPI on"
[ "$(ps | grep -c "\[napi/$IF0-")" -ge 2 ] || die "threaded NAPI on 2 pairs started $(ps | grep -c "\[napi/$IF0-") kthreads"
ethtool -L "$IF0" combined 1 || die "ethtool -L 1 with threaded NAPI failed"
sh -c "echo 0 >/sys/class/net/$IF0/threaded && touch /tmp/t48.unthreaded" &
wait_for "[ -f /tmp/t48.unthreaded ]" 10 || die "switching threaded NAPI off after ethtool -L 1 did not return"
ethtool -L "$IF0" combined 2 || die "ethtool -L 2 after threaded NAPI failed"
wait_for "ping -c 1 -W 1 $ADDR1" 10 || die "no traffic after threaded NAPI on and off"
rm -f /tmp/t48 /tmp/t48b /tmp/t48.*
