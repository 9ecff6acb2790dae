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

# Port 0's interrupt (the sender's NIC: TX completions, and the ACKs whose
# processing may transmit more) on CPU 0; port 1's (the receiver's NIC and
# the receive path it starts) on CPU 1. On a machine where both NICs share
# one line (make vm IOMMU=1) both go to CPU 1, and frames the stack sends
# from the ACK softirq are then counted on the receiver's side.
irq0=$(cat "/sys/class/net/$IF0/device/irq")
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor")" = 0x8086 ] && [ "$(cat "$d/class")" = 0x020000 ] || continue
	irq=$(cat "$d/irq")
	[ "$irq" = "$irq0" ] && continue
	echo 2 >"/proc/irq/$irq/smp_affinity" || echo "demo: cannot move IRQ $irq to CPU 1" >&2
done
if grep -q "^ *$irq0:.*sgnic.*sgnic" /proc/interrupts; then
	echo "demo: both NICs share IRQ $irq0; the receiver's CPU also runs the sender's softirq work" >&2
	echo 2 >"/proc/irq/$irq0/smp_affinity"
else
	echo 1 >"/proc/irq/$irq0/smp_affinity" || echo "demo: cannot move IRQ $irq0 to CPU 0" >&2
fi
echo 0 >/proc/sys/kernel/kptr_restrict
grep -E "\[sgnic\]" /proc/kallsyms >/out/copy-ksyms

echo "== sending a $size file from $ADDR0 ($IF0) to $ADDR1 ($IF1) by each method"
RECV_CPU=1 start_receiver peer $PORT 7
methods=read-write,mmap-write,sendfile,splice,zerocopy,io-uring-zc
taskset -c 0 sgnic-test copy-table --to "$ADDR1:$PORT" --file /tmp/demo.bin --iface "$IF0" \
	--methods $methods --phase-base 0 \
	--json /out/copy-table.json >/tmp/copy-table.line || die "copy-table failed"
# The same sendfile with scatter-gather off (and so TSO too): the stack
# copies the page-cache bytes into linear buffers.
ethtool -K "$IF0" sg off || die "cannot turn scatter-gather off"
taskset -c 0 sgnic-test copy-table --to "$ADDR1:$PORT" --file /tmp/demo.bin --iface "$IF0" \
	--methods sendfile --name sendfile-nosg --phase-base 12 \
	--json /out/copy-table-nosg.json >/tmp/copy-table-nosg.line || die "copy-table (SG off) failed"
ethtool -K "$IF0" sg on tso on || die "cannot turn scatter-gather back on"
# A method the kernel lacks (io_uring, say) sends nothing: the receiver
# then waits for fewer transfers.
expect=$(cat /out/copy-table.json /out/copy-table-nosg.json | grep -o '"sha256"' | wc -l)
if [ "$expect" -lt 7 ]; then
	wait_for "[ \$(grep -c '\"sha256\"' /tmp/recv.$PORT.json) -ge $expect ]" 30
	kill "$RECV_PID" 2>/dev/null
fi
wait "$RECV_PID"

# nginx with `sendfile on`, pinned to CPU 0, serving the same file to curl
# on CPU 1 (which discards it: the receive side's copy into curl is then
# the only one). Phase 15, after the fourteen marks above.
mkdir -p /tmp/www
ln -sf /tmp/demo.bin /tmp/www/demo.bin
cat >/tmp/nginx-demo.conf <<CONF
daemon on;
master_process off;
user root;
pid /tmp/nginx-demo.pid;
error_log /tmp/nginx-demo-error.log;
events { worker_connections 64; }
http {
    sendfile on;
    access_log off;
    server {
        listen $ADDR0:8080;
        root /tmp/www;
    }
}
CONF
taskset -c 0 nginx -c /tmp/nginx-demo.conf -p /tmp || die "nginx did not start"
wait_for "[ -s /tmp/nginx-demo.pid ]" 10 || die "nginx wrote no pid"
npid=$(cat /tmp/nginx-demo.pid)
ctx() { awk '/_ctxt_switches/ { n += $2 } END { print n + 0 }' "/proc/$npid/status"; }
c0=$(ctx)
p0=$(counter "$IF0" tx_pagecache_bytes)
sync
got=$(peer taskset -c 1 curl -sf -o /dev/null -w '%{size_download}' "http://$ADDR0:8080/demo.bin")
rc=$?
sync
dp=$(($(counter "$IF0" tx_pagecache_bytes) - p0))
c1=$(ctx)
kill "$npid"
[ $rc = 0 ] || die "curl failed"
want=$(stat -c %s /tmp/demo.bin)
[ "$got" = "$want" ] || die "nginx sent $got bytes, not $want"
printf '{"rows":[{"method":"nginx","phase":15,"bytes":%s,"context_switches":%s,"tx_pagecache_bytes":%s,"pagecache_fraction":%s}]}\n' \
	"$got" $((c1 - c0)) "$dp" "$(awk -v p="$dp" -v n="$got" 'BEGIN { printf "%.4f", p / n }')" \
	>/out/copy-nginx.json
echo "== nginx (sendfile on) to curl: $got bytes, $dp of them from page-cache frags"
n=$(grep -c '"sha256"' "/tmp/recv.$PORT.json")
want=$(sgnic-test sha256 /tmp/demo.bin --hex)
bad=$(grep '"sha256"' "/tmp/recv.$PORT.json" | grep -vc "$want")
echo "== receiver: $n transfers, $bad with a sha256 mismatch"
[ "$bad" -eq 0 ] || die "data mismatch at the receiver"
[ "$n" -eq "$expect" ] || die "the receiver saw $n transfers, not $expect"

# Kafka's path: FileChannel.transferTo() from a JVM pinned to CPU 0, to a
# receiver on CPU 1 that checks every byte. The JVM starts outside the
# measured phase (17): it waits for "go" on a FIFO before sending.
if [ -x /opt/java/bin/java ]; then
	jport=$((PORT + 1))
	RECV_CPU=1 start_receiver peer $jport 1
	rm -f /tmp/java.in /tmp/java.out
	mkfifo /tmp/java.in /tmp/java.out
	taskset -c 0 /opt/java/bin/java -cp /opt/java-demo TransferTo "$ADDR1" $jport /tmp/demo.bin \
		</tmp/java.in >/tmp/java.out 2>/tmp/java.err &
	jpid=$!
	exec 3>/tmp/java.in 4</tmp/java.out
	read -r line <&4 || true
	[ "$line" = ready ] || die "java did not start: $(cat /tmp/java.err)"
	jctx() { cat /proc/$jpid/task/*/status 2>/dev/null | awk '/_ctxt_switches/ { n += $2 } END { print n + 0 }'; }
	c0=$(jctx)
	p0=$(counter "$IF0" tx_pagecache_bytes)
	sync
	echo go >&3
	read -r result <&4 || true
	sync
	dp=$(($(counter "$IF0" tx_pagecache_bytes) - p0))
	c1=$(jctx)
	echo done >&3
	exec 3>&- 4<&-
	wait "$jpid" || die "java failed: $(cat /tmp/java.err)"
	wait "$RECV_PID"
	want=$(sgnic-test sha256 /tmp/demo.bin --hex)
	grep -q "\"sha256\":\"$want\"" "/tmp/recv.$jport.json" || die "java-transferto: sha256 mismatch at the receiver"
	jbytes=$(json_field "$result" bytes)
	[ "$jbytes" = "$(stat -c %s /tmp/demo.bin)" ] || die "java-transferto sent ${jbytes:-nothing}: $result"
	printf '{"rows":[{"method":"java-transferto","phase":17,"bytes":%s,"seconds":%s,"transfer_calls":%s,"context_switches":%s,"tx_pagecache_bytes":%s,"pagecache_fraction":%s,"sha256":"%s"}]}\n' \
		"$jbytes" "$(json_field "$result" seconds)" "$(json_field "$result" transfer_calls)" \
		$((c1 - c0)) "$dp" "$(awk -v p="$dp" -v n="$jbytes" 'BEGIN { printf "%.4f", p / n }')" "$want" \
		>/out/copy-java.json
	echo "== java FileChannel.transferTo: $jbytes bytes, $dp of them from page-cache frags, sha256 exact"
else
	echo "== no Java runtime in this image (qemu/java-image.sh): no java-transferto row"
fi
