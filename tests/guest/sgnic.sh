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

# The in-tree C driver for this VM's NICs, which the bench and the profile
# compare sgnic with: e1000 for the 8254x, igb for the 82576.
if [ "$IGB" = 1 ]; then C_DRIVER=igb; else C_DRIVER=e1000; fi

# switch_driver sgnic|e1000|igb: unload whichever driver holds the ports,
# load the one named and bring the wire up on it (side-by-side
# measurements).
switch_driver() {
	teardown_wire
	sgnic_unload
	c_unload
	if [ "$1" = sgnic ]; then
		sgnic_load || die "cannot load sgnic"
	else
		insmod /opt/baseline/$1.ko || die "cannot load $1"
		wait_for "[ \$(ls -d /sys/bus/pci/drivers/$1/0000:* 2>/dev/null | wc -l) -ge 2 ]" 10
	fi
	SGNIC_DRIVER=$1 setup_wire
}

# c_unload: neither C baseline driver loaded.
c_unload() {
	for _m in e1000 igb; do
		[ ! -e /sys/module/$_m ] || rmmod $_m
	done
}

# queue_pairs [peer]: the queue pairs $IF0 (or the peer's $IF1) runs
# with, as its netdev's RX queues in sysfs.
queue_pairs() {
	if [ "${1:-}" = peer ]; then
		peer sh -c "ls -d /sys/class/net/$IF1/queues/rx-* | wc -l"
	else
		ls -d /sys/class/net/$IF0/queues/rx-* | wc -l
	fi
}

# set_queue_pairs N: `ethtool -L combined N` on both ports (on each whose
# count differs), then waits until the link and the wire work again. If a
# driver refuses, prints ethtool's complaint on stdout and returns 1.
set_queue_pairs() {
	if [ "$(queue_pairs)" != "$1" ]; then
		_e=$(ethtool -L "$IF0" combined "$1" 2>&1) ||
			{ echo "ethtool -L $IF0 combined $1:" $_e; return 1; }
	fi
	if [ "$(queue_pairs peer)" != "$1" ]; then
		_e=$(peer ethtool -L "$IF1" combined "$1" 2>&1) ||
			{ echo "ethtool -L $IF1 combined $1 (peer):" $_e; return 1; }
	fi
	[ "$(queue_pairs)" = "$1" ] && [ "$(queue_pairs peer)" = "$1" ] ||
		{ echo "ethtool -L combined $1 took, but the ports have $(queue_pairs) and $(queue_pairs peer) RX queues"; return 1; }
	wait_for "read -r _c </sys/class/net/$IF0/carrier && [ \"\$_c\" = 1 ]" 10 &&
		wait_for "peer cat /sys/class/net/$IF1/carrier | grep -qx 1" 10 &&
		wait_for "ping -c 1 -W 1 $ADDR1" 15 ||
		{ echo "no connectivity after ethtool -L combined $1"; return 1; }
}

# flows_listen N: a receiver in the peer for each of N flows (ports
# PORT+1 to PORT+N), listening when it returns.
flows_listen() {
	FLOW_RECV_PIDS= _i=1
	while [ $_i -le "$1" ]; do
		start_receiver peer $((PORT + _i)) 1
		FLOW_RECV_PIDS="$FLOW_RECV_PIDS $RECV_PID"
		_i=$((_i + 1))
	done
}

# flows_send N FILE: after flows_listen N, N sendfiles of FILE at once,
# each on its own TCP connection, all over the one port pair, and waits
# for every sender and receiver (starting no other process, so that
# make profile can count just this). Unless FLOWS_CLOCK=0, FLOWS_NS is
# the wall time from the first sender's start until every receiver had
# all its bytes. Fails (1) if a sender or receiver failed.
flows_send() {
	_pids= _t0= FLOWS_NS= _i=1
	if [ "${FLOWS_CLOCK:-1}" = 1 ]; then _t0=$(sgnic-test cpu-snapshot) || return 1; fi
	while [ $_i -le "$1" ]; do
		sgnic-test send --to "$ADDR1:$((PORT + _i))" --file "$2" --method sendfile >/tmp/flow.$_i.json &
		_pids="$_pids $!"
		_i=$((_i + 1))
	done
	_ok=1
	for _p in $_pids $FLOW_RECV_PIDS; do wait "$_p" || _ok=0; done
	if [ -n "$_t0" ]; then
		_t1=$(sgnic-test cpu-snapshot) || return 1
		FLOWS_NS=$(($(json_field "$_t1" clock_ns) - $(json_field "$_t0" clock_ns)))
	fi
	[ $_ok = 1 ] || { echo "a flow's sender or receiver failed" >&2; return 1; }
}

# flows_check N: after flows_send N, every flow's bytes as the receiver
# got them (sha256 and count) must be what its sender sent. Prints one
# JSON line: the flows, the total bytes and (if timed) the seconds.
flows_check() {
	_bytes=0 _i=1
	while [ $_i -le "$1" ]; do
		_sent= _got=
		read -r _sent </tmp/flow.$_i.json
		while read -r _line; do
			case $_line in *'"sha256"'*) _got=$_line ;; esac
		done <"/tmp/recv.$((PORT + _i)).json"
		[ -n "$(json_field "$_sent" sha256)" ] &&
			[ "$(json_field "$_sent" sha256)" = "$(json_field "$_got" sha256)" ] &&
			[ "$(json_field "$_sent" bytes)" = "$(json_field "$_got" bytes)" ] ||
			{ echo "flow $_i arrived altered: sent $_sent, received $_got" >&2; return 1; }
		_bytes=$((_bytes + $(json_field "$_sent" bytes)))
		_i=$((_i + 1))
	done
	if [ -z "$FLOWS_NS" ]; then
		printf '{"flows":%d,"bytes":%d}\n' "$1" "$_bytes"
	else
		printf '{"flows":%d,"bytes":%d,"seconds":%d.%09d}\n' "$1" "$_bytes" \
			$((FLOWS_NS / 1000000000)) $((FLOWS_NS % 1000000000))
	fi
}

# sendfile_flows N FILE: flows_listen, flows_send and flows_check: N
# concurrent sendfiles of FILE over the port pair, each checked; one
# JSON line with the total bytes and the wall time.
sendfile_flows() {
	flows_listen "$1"
	flows_send "$1" "$2" && flows_check "$1"
}

# wire_ipv6: gives both ports their IPv6 addresses back if a link went
# down since setup_wire (which drops them, as an MTU below 1280 does), and
# waits until the peer answers over IPv6.
wire_ipv6() {
	_has='awk -v a="$1" -v d="$2" '"'"'$1 == a && $6 == d { f = 1 } END { exit !f }'"'"' /proc/net/if_inet6'
	sh -c "$_has" _ fd000000000000000000000000000001 "$IF0" ||
		ip addr add "$ADDR0_6/64" dev "$IF0" nodad || die "cannot give $IF0 $ADDR0_6"
	peer sh -c "$_has" _ fd000000000000000000000000000002 "$IF1" ||
		peer ip addr add "$ADDR1_6/64" dev "$IF1" nodad || die "cannot give $IF1 $ADDR1_6"
	wait_for "ping -c 1 -W 1 $ADDR1_6" 15 || die "no IPv6 connectivity across the wire"
}

# Value of driver counter $2 of interface $1 (in this namespace).
counter() {
	_stats=$(sgnic-test ethtool-stats "$1") || die_all "no counters on $1"
	case $_stats in *"\"$2\":"*) ;; *) die_all "no counter $2 on $1" ;; esac
	json_field "$_stats" "$2"
}

# Same, for the peer's interface.
peer_counter() {
	_stats=$(peer sgnic-test ethtool-stats "$1") || die_all "no counters on peer $1"
	case $_stats in *"\"$2\":"*) ;; *) die_all "no counter $2 on peer $1" ;; esac
	json_field "$_stats" "$2"
}

# Value of JSON field $2 in the one-line JSON object $1 (numbers and strings).
# (Shell only: on the debug kernel a sed per field cost 0.1-0.15 s.) The last
# occurrence of the key wins; nothing is printed if it is absent.
json_field() {
	_v=${1##*\""$2"\":}
	[ "$_v" != "$1" ] || return 0
	_v=${_v#\"}
	_end='[,"}]*'
	printf '%s\n' "${_v%%$_end}"
}

# start_receiver [peer|local] PORT COUNT: start `sgnic-test recv` and wait
# until it listens. Sets RECV_PID; output goes to /tmp/recv.$PORT.json.
# RECV_CPU=N pins a peer receiver to CPU N.
start_receiver() {
	where=$1 port=$2 count=${3:-1}
	rm -f "/tmp/ready.$port"
	if [ "$where" = peer ]; then
		peer ${RECV_CPU:+taskset -c "$RECV_CPU"} sgnic-test recv --bind :: --port "$port" --count "$count" --ready-file "/tmp/ready.$port" \
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
	got=
	while read -r _line; do
		case $_line in *'"sha256"'*) got=$_line ;; esac
	done <"/tmp/recv.$PORT.json"
	[ "$(json_field "$got" sha256)" = "$(json_field "$out" sha256)" ] ||
		die "sha256 mismatch for $method: sent $(json_field "$out" sha256), got $(json_field "$got" sha256)"
	[ "$(json_field "$got" bytes)" = "$(json_field "$out" bytes)" ] ||
		die "byte count mismatch for $method"
	printf '%s\n' "$out"
}

# background_sendfile FILE [OUT] [SECONDS]: a sendfile of FILE to the peer
# (receiver included) in the background, FILE again and again over the one
# connection until SECONDS (default 600: the caller kills it) have passed,
# so that it is under way whatever the speed of the machine; checked to be
# running a second later. Sets SEND_PID and RECV_PID; the sender's JSON
# line (with the sha256 of all it sent) goes to OUT.
background_sendfile() {
	start_receiver peer $PORT 1
	sgnic-test send --to "$ADDR1:$PORT" --file "$1" --method sendfile --repeat-for "${3:-600}" \
		>"${2:-/dev/null}" 2>/dev/null &
	SEND_PID=$!
	sleep 1
	kill -0 $SEND_PID 2>/dev/null || die "the sendfile of $1 ended within a second"
}

# Fails unless $1 <= $2 <= $3 (integers).
# Whether this is make test's debug kernel (it has fault injection).
debug_kernel() { [ -d /sys/kernel/debug/failslab ]; }

# bulk SIZE (in M): the size of a bulk transfer. The debug kernel that
# make test boots (KASAN, lockdep, a strict IOMMU, all under TCG) moves
# data about ten times slower than the base kernel, so there it is an
# eighth, at least 2M: the paths exercised are the same.
bulk() {
	if debug_kernel; then
		n=$((${1%M} / 8))
		[ "$n" -ge 2 ] || n=2
		echo "${n}M"
	else
		echo "$1"
	fi
}

# cycles N: how many times a repeat-until-it-breaks test goes round: N,
# or a fifth of it on the debug kernel, where each round is slow (and
# t44 repeats load and unload under traffic there as well).
cycles() {
	if debug_kernel; then echo $(($1 / 5)); else echo "$1"; fi
}

# TCP segments this network namespace has retransmitted so far.
retransmits() {
	awk '$1 == "Tcp:" { if (!h) { for (i = 1; i <= NF; i++) if ($i == "RetransSegs") c = i; h = 1 } else print $c }' /proc/net/snmp
}

in_range() {
	[ "$2" -ge "$1" ] && [ "$2" -le "$3" ] || die "${4:-value} $2 not in [$1, $3]"
}

# both_ways FILE: FILE from here to the peer by sendfile and from the peer
# to here by read/write, at the same time; both must arrive intact.
both_ways() {
	start_receiver peer $PORT 1
	r1=$RECV_PID
	start_receiver local $((PORT + 1)) 1
	r2=$RECV_PID
	sgnic-test send --to "$ADDR1:$PORT" --file "$1" --method sendfile >/tmp/both-ways.fwd &
	s1=$!
	peer sgnic-test send --to "$ADDR0:$((PORT + 1))" --file "$1" --method read-write >/tmp/both-ways.rev &
	s2=$!
	wait $s1 || die "forward transfer failed"
	wait $s2 || die "reverse transfer failed"
	wait $r1 && wait $r2 || die "a receiver failed"
	for pair in "fwd $PORT" "rev $((PORT + 1))"; do
		set -- $pair
		sent=$(json_field "$(cat /tmp/both-ways.$1)" sha256)
		got=$(json_field "$(grep sha256 /tmp/recv.$2.json)" sha256)
		[ -n "$sent" ] && [ "$sent" = "$got" ] || die "$1 data corrupted"
	done
}

# Fault injection (debug kernel): failslab and fail_page_alloc, limited to
# allocations whose call stack passes through sgnic's code.
FAULT_KINDS="failslab fail_page_alloc"
# A budget large enough never to run out; injected = budget - what is left.
FAULT_BUDGET=100000000

# faults_on PERCENT: fail that share of sgnic's allocations, sleeping and
# order-0 ones included. Quiet (verbose=0), and the kernel log is marked,
# so the harness accepts the allocation-failure stack dumps in between.
# FAULT_MODULE=e1000 aims them at the C driver instead, for comparison;
# FAULT_SYMBOLS='FIRST LAST' at the kernel's code from FIRST to LAST.
faults_on() {
	if [ -n "$FAULT_SYMBOLS" ]; then
		# shellcheck disable=SC2086 # two symbol names
		range=$(sgnic-test symbol-range $FAULT_SYMBOLS) || die "cannot find $FAULT_SYMBOLS in /proc/kallsyms"
	else
		range=$(sgnic-test module-text "${FAULT_MODULE:-sgnic}") ||
			die "cannot find ${FAULT_MODULE:-sgnic}'s code in /proc/kallsyms"
	fi
	# DMA-API debugging's own bookkeeping allocates under sgnic's mapping
	# calls; a failure there would switch it off for the rest of the run.
	reject=$(sgnic-test symbol-range dma_entry_alloc add_dma_entry) ||
		die "cannot find DMA-API debugging's code in /proc/kallsyms"
	for f in $FAULT_KINDS; do
		d=/sys/kernel/debug/$f
		[ -d $d ] || die "$d missing: this kernel has no fault injection"
		echo 0 >$d/verbose
		echo N >$d/task-filter
		echo "$(json_field "$range" start)" >$d/require-start
		echo "$(json_field "$range" end)" >$d/require-end
		echo "$(json_field "$reject" start)" >$d/reject-start
		echo "$(json_field "$reject" end)" >$d/reject-end
		echo 32 >$d/stacktrace-depth
		echo 1 >$d/interval
		echo $FAULT_BUDGET >$d/times
		[ -e $d/ignore-gfp-wait ] && echo N >$d/ignore-gfp-wait
		[ -e $d/ignore-gfp-highmem ] && echo N >$d/ignore-gfp-highmem
		[ -e $d/min-order ] && echo 0 >$d/min-order
	done
	stack_in_backlog on
	echo "sgnic-faults: on" >/dev/kmsg
	faults_set "$1"
}

# stack_in_backlog on|off: Receive Packet Steering on both ports, to every
# CPU, and back to what it was. With it on, the driver's NAPI poll hands
# received frames, after GRO, to the per-CPU backlog, and IP and TCP
# process them from there rather than nested in the poll, so the faults
# aimed at the driver's code no longer reach the stack's own allocations
# there. Failing those tests TCP's error handling, not the driver's, and
# 7.3's TCP has been seen to lose track of a connection under them
# (Documentation/testing.md, "TCP under injected faults").
# FAULT_IN_STACK=1 leaves RPS as it is, so the faults reach them again.
RPS_SAVED=
stack_in_backlog() {
	if [ "$1" = off ]; then
		[ -n "$RPS_SAVED" ] || return 0
		set -- $RPS_SAVED
		RPS_SAVED=
		# Also after the wire is gone (an exit trap): nothing to undo then.
		echo "$1" 2>/dev/null >/sys/class/net/$IF0/queues/rx-0/rps_cpus
		[ -f $PEER_PIDFILE ] && peer sh -c "echo $2 >/sys/class/net/$IF1/queues/rx-0/rps_cpus" 2>/dev/null
		return 0
	fi
	[ -n "$IF0" ] && [ "${FAULT_IN_STACK:-0}" = 0 ] && [ -z "$RPS_SAVED" ] || return 0
	# Every CPU, in the comma-separated 32-bit groups the file takes.
	_left=$(grep -c '^processor' /proc/cpuinfo) _mask=
	while [ "$_left" -gt 32 ]; do
		_mask=,ffffffff$_mask _left=$((_left - 32))
	done
	_mask=$(printf '%x' $(((1 << _left) - 1)))$_mask
	_old0=$(cat /sys/class/net/$IF0/queues/rx-0/rps_cpus) || die "$IF0 has no RPS (CONFIG_RPS)"
	_old1=$(peer cat /sys/class/net/$IF1/queues/rx-0/rps_cpus) || die "the peer's $IF1 has no RPS"
	echo "$_mask" >/sys/class/net/$IF0/queues/rx-0/rps_cpus || die "cannot set RPS on $IF0"
	RPS_SAVED="$_old0 $_old1"
	peer sh -c "echo $_mask >/sys/class/net/$IF1/queues/rx-0/rps_cpus" || die "cannot set RPS on the peer's $IF1"
}

# faults_set PERCENT: change the rate while faults are on.
faults_set() {
	for f in $FAULT_KINDS; do echo "$1" >/sys/kernel/debug/$f/probability; done
}

# faults_injected: how many faults were injected since faults_on.
faults_injected() {
	n=0
	for f in $FAULT_KINDS; do
		n=$((n + FAULT_BUDGET - $(cat /sys/kernel/debug/$f/times)))
	done
	echo $n
}

# faults_off: stop injecting; prints how many faults were injected.
faults_off() {
	n=0
	for f in $FAULT_KINDS; do
		d=/sys/kernel/debug/$f
		echo 0 >$d/probability
		n=$((n + FAULT_BUDGET - $(cat $d/times)))
		echo 0 >$d/times
	done
	stack_in_backlog off
	echo "sgnic-faults: off" >/dev/kmsg
	echo $n
}

# start_nginx NAME ROOT [PREFIX...]: serve ROOT on $ADDR0:8080 with nginx,
# `sendfile on`, in one process (PREFIX runs it, `taskset -c 0` say); its
# pid goes to /tmp/NAME.pid, which this waits for.
start_nginx() {
	_name=$1 _root=$2
	shift 2
	cat >"/tmp/$_name.conf" <<CONF
daemon on;
master_process off;
user root;
pid /tmp/$_name.pid;
error_log /tmp/$_name-error.log;
events { worker_connections 64; }
http {
    sendfile on;
    access_log off;
    server {
        listen $ADDR0:8080;
        root $_root;
    }
}
CONF
	"$@" nginx -c "/tmp/$_name.conf" -p /tmp || die "nginx did not start: $(cat "/tmp/$_name-error.log")"
	wait_for "[ -s /tmp/$_name.pid ]" 10 || die "nginx wrote no pid"
}
