# shellcheck shell=sh
# sgnic-specific helpers for the in-guest tests, on top of lib.sh.
#
# The wire: port 0 ($IF0, 10.0.0.1, fd00::1) stays in the initial network
# namespace; port 1 ($IF1, 10.0.0.2, fd00::2) lives in the peer namespace
# that setup_wire creates. Commands run there through `peer`.

. /tests/lib.sh

ADDR0=10.0.0.1
ADDR1=10.0.0.2
ADDR0_6=fd00::1
ADDR1_6=fd00::2
PORT=5001

# switch_driver sgnic|e1000: unload whichever driver holds the ports, load
# the one named and bring the wire up on it (side-by-side measurements).
switch_driver() {
	teardown_wire
	sgnic_unload
	[ -e /sys/module/e1000 ] && rmmod e1000
	if [ "$1" = sgnic ]; then
		sgnic_load || die "cannot load sgnic"
	else
		insmod /opt/baseline/e1000.ko || die "cannot load e1000"
		wait_for "[ \$(ls -d /sys/bus/pci/drivers/e1000/0000:* 2>/dev/null | wc -l) -ge 2 ]" 10
	fi
	SGNIC_DRIVER=$1 setup_wire
}

# Value of driver counter $2 of interface $1 (in this namespace).
counter() {
	ethtool -S "$1" | awk -v n="$2:" '$1 == n { print $2; found=1 } END { if (!found) exit 1 }' ||
		die "no counter $2 on $1"
}

# Same, for the peer's interface.
peer_counter() {
	peer ethtool -S "$1" | awk -v n="$2:" '$1 == n { print $2; found=1 } END { if (!found) exit 1 }' ||
		die "no counter $2 on peer $1"
}

# Value of JSON field $2 in the one-line JSON object $1 (numbers and strings).
json_field() {
	printf '%s\n' "$1" | sed -n "s/.*\"$2\":\"\{0,1\}\([^,\"}]*\).*/\1/p"
}

# start_receiver [peer|local] PORT COUNT: start `sgnic-test recv` and wait
# until it listens. Sets RECV_PID; output goes to /tmp/recv.$PORT.json.
start_receiver() {
	where=$1 port=$2 count=${3:-1}
	rm -f "/tmp/ready.$port"
	if [ "$where" = peer ]; then
		peer sgnic-test recv --bind :: --port "$port" --count "$count" --ready-file "/tmp/ready.$port" \
			>"/tmp/recv.$port.json" 2>/dev/null &
	else
		sgnic-test recv --bind :: --port "$port" --count "$count" --ready-file "/tmp/ready.$port" \
			>"/tmp/recv.$port.json" 2>/dev/null &
	fi
	RECV_PID=$!
	wait_for "[ -f /tmp/ready.$port ]" 10 || die "receiver on port $port did not start"
}

# transfer FILE METHOD [forward|reverse] [extra send args...]: send FILE
# across the wire and check the receiver got exactly its bytes (sha256).
# Prints the sender's JSON line. forward: port 0 -> port 1.
transfer() {
	file=$1 method=$2 dir=${3:-forward}
	shift 3 2>/dev/null || shift $#
	if [ "$dir" = forward ]; then
		start_receiver peer $PORT 1
		out=$(sgnic-test send --to "$ADDR1:$PORT" --file "$file" --method "$method" "$@") ||
			die "send $method $file failed"
	else
		start_receiver local $PORT 1
		out=$(peer sgnic-test send --to "$ADDR0:$PORT" --file "$file" --method "$method" "$@") ||
			die "reverse send $method $file failed"
	fi
	wait "$RECV_PID" || die "receiver failed"
	got=$(grep '"sha256"' "/tmp/recv.$PORT.json" | tail -1)
	[ "$(json_field "$got" sha256)" = "$(json_field "$out" sha256)" ] ||
		die "sha256 mismatch for $method: sent $(json_field "$out" sha256), got $(json_field "$got" sha256)"
	[ "$(json_field "$got" bytes)" = "$(json_field "$out" bytes)" ] ||
		die "byte count mismatch for $method"
	printf '%s\n' "$out"
}

# Fails unless $1 <= $2 <= $3 (integers).
# TCP segments this network namespace has retransmitted so far.
retransmits() {
	awk '$1 == "Tcp:" { if (!h) { for (i = 1; i <= NF; i++) if ($i == "RetransSegs") c = i; h = 1 } else print $c }' /proc/net/snmp
}

in_range() {
	[ "$2" -ge "$1" ] && [ "$2" -le "$3" ] || die "${4:-value} $2 not in [$1, $3]"
}
