#!/bin/sh
# The netdev netlink family (what `ynl --family netdev` shows), filled as
# the C drivers fill it:
# - queue-get: each running pair's RX and TX queue name the same NAPI
#   instance, a different one per pair;
# - napi-get: each instance's IRQ is the vector that schedules it (the
#   pair's MSI-X vector, "sgnic-qN@PCI", on the 82576; the port's one
#   interrupt on the 8254x);
# - qstats-get: each running queue's frames and bytes, and device totals
#   (the queues' plus the driver's base) equal to the interface's
#   counters; on the 82576 also after `ethtool -L` stops a pair that
#   carried traffic, whose counts move to the base, while the running
#   pair keeps its NAPI ID;
# - the NAPI dump and napi-get show the running pairs' instances only:
#   a stopped pair's leaves the list, and returns with its ID and IRQ.
. /tests/sgnic.sh
restore() { [ "$IGB" != 1 ] || ethtool -L "$IF0" combined 2 2>/dev/null; }
trap restore EXIT
setup_wire
pci0=$(basename "$(readlink -f /sys/class/net/$IF0/device)")
ifstat() { cat "/sys/class/net/$IF0/statistics/$1"; }
snapshot() { echo "$(ifstat rx_packets) $(ifstat rx_bytes) $(ifstat tx_packets) $(ifstat tx_bytes)"; }

# check_totals PAIRS: the netlink view of $IF0 with PAIRS running pairs;
# leaves it in $nl. Retried while background frames (neighbour
# discovery, say) move the interface counters under the reading.
check_totals() {
	_settled=0
	for _try in 1 2 3 4 5; do
		_before=$(snapshot)
		nl=$(sgnic-test netdev-queues "$IF0") || die "netdev-queues $IF0 failed"
		[ "$(snapshot)" = "$_before" ] && _settled=1 && break
		sleep 0.2
	done
	[ "$_settled" = 1 ] || die "the interface counters never stood still for a reading"
	[ "$(json_field "$nl" qstats_supported)" = true ] || die "no per-queue statistics (qstats)"
	echo "netlink: $nl"
	# napi-get and the NAPI dump: the running pairs' instances, no more.
	[ "$(json_field "$nl" napis)" = "$1" ] && [ "$(json_field "$nl" napis_gettable)" = "$1" ] ||
		die "the NAPI dump lists $(json_field "$nl" napis) instances ($(json_field "$nl" napis_gettable) found by ID) for $1 running pairs"
	[ "$(json_field "$nl" qstats)" = $((2 * $1)) ] ||
		die "$(json_field "$nl" qstats) queues reported statistics, not $((2 * $1))"
	set -- $_before
	for _s in "rx_packets $1" "rx_bytes $2" "tx_packets $3" "tx_bytes $4"; do
		set -- $_s
		[ "$(json_field "$nl" "dev_$1")" = "$2" ] ||
			die "qstats device $1 is $(json_field "$nl" "dev_$1"), the interface's $2"
	done
}

# Traffic on each pair: sends from each CPU leave on its pair (XPS).
sgnic-test mkfile /tmp/t27 $(bulk 4M) --seed 27 >/dev/null
pairs=$(queue_pairs)
for cpu in $(seq 0 $((pairs - 1))); do
	taskset -p -c "$cpu" $$ >/dev/null || die "cannot move the test to CPU $cpu"
	transfer /tmp/t27 sendfile forward >/dev/null
done
taskset -p -c 0-$((pairs - 1)) $$ >/dev/null
check_totals "$pairs"

napis=
for q in $(seq 0 $((pairs - 1))); do
	rx=$(json_field "$nl" "rx${q}_napi") tx=$(json_field "$nl" "tx${q}_napi")
	[ -n "$rx" ] && [ "$rx" = "$tx" ] || die "pair $q: RX queue NAPI '$rx', TX queue NAPI '$tx'"
	case " $napis " in *" $rx "*) die "pair $q shares NAPI $rx with another pair" ;; esac
	napis="$napis $rx"
	if [ "$IGB" = 1 ]; then
		want=$(awk -v name="sgnic-q$q@$pci0" '$NF == name { sub(":", "", $1); print $1 }' /proc/interrupts)
	else
		want=$(cat /sys/class/net/$IF0/device/irq)
	fi
	[ -n "$want" ] && [ "$(json_field "$nl" "napi_${rx}_irq")" = "$want" ] ||
		die "pair $q: NAPI $rx has IRQ '$(json_field "$nl" "napi_${rx}_irq")', its vector is '$want'"
	txp=$(json_field "$nl" "tx${q}_packets")
	[ "${txp:-0}" -gt 0 ] || die "queue tx$q reports no frames sent ('$txp')"
	# Each queue's count is its own pair's (ethtool -S counts per pair on
	# the 82576; the 8254x's one pair is the interface), read a moment
	# later: equal, or a few frames on (neighbour discovery).
	for dir in rx tx; do
		if [ "$IGB" = 1 ]; then
			own=$(counter "$IF0" "queue_${q}_${dir}_packets")
		else
			own=$(ifstat ${dir}_packets)
		fi
		got=$(json_field "$nl" "${dir}${q}_packets")
		in_range "${got:-0}" "$own" $((${got:-0} + 5)) "the pair's own ${dir} count beside qstats ${dir}$q ($got)"
	done
	echo "pair $q: NAPI $rx on IRQ $want, tx$q $txp frames, rx$q $(json_field "$nl" "rx${q}_packets") frames"
done

if [ "$IGB" = 1 ]; then
	# Pair 1 sent frames above; stopped, its counts are the base's. Pair 0
	# restarts with its NAPI ID (a persistent NAPI config per pair, which
	# keeps the netdev's NAPI list sorted by ID for netlink's dump).
	napi0=$(json_field "$nl" rx0_napi) napi1=$(json_field "$nl" rx1_napi)
	irq1=$(json_field "$nl" "napi_${napi1}_irq")
	ethtool -L "$IF0" combined 1 || die "ethtool -L $IF0 combined 1 failed"
	wait_for "[ \"\$(cat /sys/class/net/$IF0/carrier)\" = 1 ]" 10 || die "no link after ethtool -L"
	check_totals 1
	[ -z "$(json_field "$nl" tx1_packets)" ] || die "the stopped pair 1 still reports statistics"
	[ -z "$(json_field "$nl" "napi_${napi1}_irq")" ] || die "the stopped pair 1's NAPI $napi1 is still listed"
	[ "$(json_field "$nl" rx0_napi)" = "$napi0" ] ||
		die "pair 0's NAPI ID changed across ethtool -L: $napi0 -> $(json_field "$nl" rx0_napi)"
	echo "1 pair: device totals still equal the interface's; one NAPI instance listed"
	# Back at 2 pairs, pair 1's instance returns with its ID and its IRQ.
	ethtool -L "$IF0" combined 2 || die "ethtool -L $IF0 combined 2 failed"
	wait_for "[ \"\$(cat /sys/class/net/$IF0/carrier)\" = 1 ]" 10 || die "no link after ethtool -L 2"
	check_totals 2
	[ "$(json_field "$nl" rx1_napi)" = "$napi1" ] && [ "$(json_field "$nl" "napi_${napi1}_irq")" = "$irq1" ] ||
		die "pair 1 came back as NAPI $(json_field "$nl" rx1_napi) on IRQ $(json_field "$nl" "napi_$(json_field "$nl" rx1_napi)_irq"), not $napi1 on $irq1"
	echo "2 pairs again: pair 1 is NAPI $napi1 on IRQ $irq1 as before"
fi
rm -f /tmp/t27
