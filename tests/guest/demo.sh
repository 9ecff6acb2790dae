#!/bin/sh
# make vm: the sendfile demo. Both sgnic ports come up across the emulated
# wire, a file goes from one namespace to the other by every method the
# seeds discuss, and the driver's own counters show which bytes reached the
# device straight from the page cache. The table is also saved as JSON.
#
# The host runs this under its counting QEMU plugin (tests/copy-report.py),
# which counts the bytes the kernel's copy routines store, the system calls
# and the kernel instructions, per vCPU and per phase (a phase ends at each
# sync(2)). So the sender runs on CPU 0 with its NIC's interrupt, and the
# receiver on CPU 1 with its NIC's. Each transfer is its own phase, which
# the rows of /out/copy-table*.json name.
. /tests/sgnic.sh
sgnic_load
setup_wire
echo "== sgnic ports"
for i in $IF0; do ip -br link show "$i"; done
peer ip -br link show "$IF1"
ethtool -i "$IF0" | head -2
ethtool -k "$IF0" | grep -E '^(scatter-gather|tx-checksumming|tcp-segmentation-offload):'
size=${SGNIC_DEMO_SIZE:-64M}
sgnic-test mkfile /tmp/demo.bin "$size" --seed 7 >/dev/null
mkdir -p /out

# Port 0's interrupts (the sender's NIC: TX completions, and the ACKs whose
# processing may transmit more; every vector of an 82576) on CPU 0; port 1's (the receiver's NIC and
# the receive path it starts) on CPU 1. On a machine where both NICs share
# one line (make vm IOMMU=1) both go to CPU 1, and frames the stack sends
# from the ACK softirq are then counted on the receiver's side.
# Every interrupt of PCI device $1: its MSI or MSI-X vectors (the 82576
# has one per queue pair, spread over the CPUs by default), else its line.
device_irqs() {
	if ls /sys/bus/pci/devices/$1/msi_irqs/* >/dev/null 2>&1; then
		for _v in /sys/bus/pci/devices/$1/msi_irqs/*; do basename "$_v"; done
	else
		cat /sys/bus/pci/devices/$1/irq
	fi
}
pci0=$(basename "$(readlink -f "/sys/class/net/$IF0/device")")
irq0=$(cat "/sys/class/net/$IF0/device/irq")
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor")" = 0x8086 ] && [ "$(cat "$d/class")" = 0x020000 ] || continue
	[ "${d##*/}" = "$pci0" ] && continue
	for irq in $(device_irqs "${d##*/}"); do
		[ "$irq" = "$irq0" ] && continue
		echo 2 >"/proc/irq/$irq/smp_affinity" || echo "demo: cannot move IRQ $irq to CPU 1" >&2
	done
done
if grep -q "^ *$irq0:.*sgnic.*sgnic" /proc/interrupts; then
	echo "demo: both NICs share IRQ $irq0; the receiver's CPU also runs the sender's softirq work" >&2
	echo 2 >"/proc/irq/$irq0/smp_affinity"
else
	for irq in $(device_irqs "$pci0"); do
		echo 1 >"/proc/irq/$irq/smp_affinity" || echo "demo: cannot move IRQ $irq to CPU 0" >&2
	done
fi
# With FSRM the kernel inlines copy_to/from_user as `rep movsb` in its
# callers, where the plugin, which watches the copy routines, cannot see it.
if grep -qw fsrm /proc/cpuinfo; then
	die "this CPU model has FSRM: user copies are inlined and the copy table would miss them"
fi
echo 0 >/proc/sys/kernel/kptr_restrict
grep -E "\[sgnic\]" /proc/kallsyms >/out/copy-ksyms

echo "== sending a $size file from $ADDR0 ($IF0) to $ADDR1 ($IF1) by each method"
# This shell on the receiver's CPU: whatever it forks (command
# substitutions, sync) stays off the sender's.
taskset -p 2 $$ >/dev/null || echo "demo: cannot move the shell to CPU 1" >&2
RECV_CPU=1 start_receiver peer $PORT 7
methods=read-write,mmap-write,sendfile,splice,zerocopy,io-uring-zc
taskset -c 0 sgnic-test copy-table --to "$ADDR1:$PORT" --file /tmp/demo.bin --iface "$IF0" \
	--methods $methods --phase-base 0 \
	--json /out/copy-table.json >/tmp/copy-table.line || die "copy-table failed"
phase=$(json_field "$(cat /out/copy-table.json)" next_phase)
# The same sendfile with scatter-gather off (and so TSO too): the stack
# copies the page-cache bytes into linear buffers.
ethtool -K "$IF0" sg off || die "cannot turn scatter-gather off"
taskset -c 0 sgnic-test copy-table --to "$ADDR1:$PORT" --file /tmp/demo.bin --iface "$IF0" \
	--methods sendfile --name sendfile-nosg --phase-base "$phase" \
	--json /out/copy-table-nosg.json >/tmp/copy-table-nosg.line || die "copy-table (SG off) failed"
phase=$(json_field "$(cat /out/copy-table-nosg.json)" next_phase)
ethtool -K "$IF0" sg on tso on || die "cannot turn scatter-gather back on"
# A method the kernel lacks (io_uring, say) sends nothing: the receiver
# then waits for fewer transfers.
expect=$(cat /out/copy-table.json /out/copy-table-nosg.json | grep -o '"sha256"' | wc -l)
if [ "$expect" -lt 7 ]; then
	wait_for "[ \$(grep -c '\"sha256\"' /tmp/recv.$PORT.json) -ge $expect ]" 30
	kill "$RECV_PID" 2>/dev/null
fi
wait "$RECV_PID"
n=$(grep -c '"sha256"' "/tmp/recv.$PORT.json")
want=$(sgnic-test sha256 /tmp/demo.bin --hex)
bad=$(grep '"sha256"' "/tmp/recv.$PORT.json" | grep -vc "$want")
echo "== receiver: $n transfers, $bad with a sha256 mismatch"
[ "$bad" -eq 0 ] || die "data mismatch at the receiver"
[ "$n" -eq "$expect" ] || die "the receiver saw $n transfers, not $expect"

# mark: a phase boundary for the plugin; $phase counts them.
mark() {
	sync
	phase=$((phase + 1))
}

# nginx with `sendfile on`, pinned to CPU 0, serving the same file to curl
# on CPU 1, which discards it (the receive side's copy into curl is then
# the only one). curl starts before the measured phase: it reads its
# request from a FIFO, and sends it once the FIFO is closed.
mkdir -p /tmp/www
ln -sf /tmp/demo.bin /tmp/www/demo.bin
start_nginx nginx-demo /tmp/www taskset -c 0
npid=$(cat /tmp/nginx-demo.pid)
ctx() { awk '/_ctxt_switches/ { n += $2 } END { print n + 0 }' "/proc/$npid/status"; }
rm -f /tmp/curl.in
mkfifo /tmp/curl.in
peer taskset -c 1 curl -sf -K /tmp/curl.in -o /dev/null -w '%{size_download}' >/tmp/curl.out &
cpid=$!
c0=$(ctx)
p0=$(counter "$IF0" tx_pagecache_bytes)
mark
nphase=$phase
echo "url = \"http://$ADDR0:8080/demo.bin\"" >/tmp/curl.in
wait "$cpid"
rc=$?
mark
dp=$(($(counter "$IF0" tx_pagecache_bytes) - p0))
c1=$(ctx)
kill "$npid"
[ $rc = 0 ] || die "curl failed ($rc)"
got=$(cat /tmp/curl.out)
want=$(stat -c %s /tmp/demo.bin)
[ "$got" = "$want" ] || die "nginx sent $got bytes, not $want"
printf '{"rows":[{"method":"nginx","phase":%s,"bytes":%s,"context_switches":%s,"tx_pagecache_bytes":%s,"pagecache_fraction":%s}]}\n' \
	"$nphase" "$got" $((c1 - c0)) "$dp" "$(awk -v p="$dp" -v n="$got" 'BEGIN { printf "%.4f", p / n }')" \
	>/out/copy-nginx.json
echo "== nginx (sendfile on) to curl: $got bytes, $dp of them from page-cache frags"

# Kafka's path: FileChannel.transferTo() from a JVM pinned to CPU 0, to a
# receiver on CPU 1 that checks every byte. The JVM starts outside the
# measured phase: it waits for "go" on a FIFO before sending.
if [ -x /opt/java/bin/java ]; then
	jport=$((PORT + 1))
	RECV_CPU=1 start_receiver peer $jport 1
	rm -f /tmp/java.in /tmp/java.out
	mkfifo /tmp/java.in /tmp/java.out
	# The JVM's own threads share CPU 0 with the send: no JIT compiler
	# threads (-Xint; transferTo is one call into the JDK's native code
	# anyway), one GC thread, no shared perf-data file.
	taskset -c 0 /opt/java/bin/java -Xint -XX:+UseSerialGC -XX:-UsePerfData \
		-cp /opt/java-demo TransferTo "$ADDR1" $jport /tmp/demo.bin \
		</tmp/java.in >/tmp/java.out 2>/tmp/java.err &
	jpid=$!
	exec 3>/tmp/java.in 4</tmp/java.out
	read -r line <&4 || true
	[ "$line" = ready ] || die "java did not start: $(cat /tmp/java.err)"
	jctx() { cat /proc/$jpid/task/*/status 2>/dev/null | awk '/_ctxt_switches/ { n += $2 } END { print n + 0 }'; }
	c0=$(jctx)
	p0=$(counter "$IF0" tx_pagecache_bytes)
	mark
	jphase=$phase
	echo go >&3
	read -r result <&4 || true
	mark
	dp=$(($(counter "$IF0" tx_pagecache_bytes) - p0))
	c1=$(jctx)
	# A JVM that died would leave the FIFO without a reader.
	trap '' PIPE
	echo done >&3 2>/dev/null
	trap - PIPE
	exec 3>&- 4<&-
	wait "$jpid" || die "java failed: $(cat /tmp/java.err)"
	wait "$RECV_PID"
	[ -n "$result" ] || die "java printed no result: $(cat /tmp/java.err)"
	want=$(sgnic-test sha256 /tmp/demo.bin --hex)
	grep -q "\"sha256\":\"$want\"" "/tmp/recv.$jport.json" || die "java-transferto: sha256 mismatch at the receiver"
	jbytes=$(json_field "$result" bytes)
	[ "$jbytes" = "$(stat -c %s /tmp/demo.bin)" ] || die "java-transferto sent ${jbytes:-nothing}: $result"
	printf '{"rows":[{"method":"java-transferto","phase":%s,"bytes":%s,"seconds":%s,"transfer_calls":%s,"context_switches":%s,"tx_pagecache_bytes":%s,"pagecache_fraction":%s,"sha256":"%s"}]}\n' \
		"$jphase" "$jbytes" "$(json_field "$result" seconds)" "$(json_field "$result" transfer_calls)" \
		$((c1 - c0)) "$dp" "$(awk -v p="$dp" -v n="$jbytes" 'BEGIN { printf "%.4f", p / n }')" "$want" \
		>/out/copy-java.json
	echo "== java FileChannel.transferTo: $jbytes bytes, $dp of them from page-cache frags, sha256 exact"
else
	echo "== no Java runtime in this image (qemu/java-image.sh): no java-transferto row"
fi
