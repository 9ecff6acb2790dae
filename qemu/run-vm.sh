#!/bin/bash
# Boot the sgnic test guest under QEMU and run one command in it.
#
# Usage: run-vm.sh --kernel BZIMAGE --initrd BASE.cpio.gz --out OUTDIR
#                  [--cmd TEXT | --cmd-file FILE | --interactive] [--autoload]
#                  [--pcap FILE] [--timeout SECONDS] [--append KERNEL-ARGS]
#                  [--plugin QEMU-PLUGIN-SPEC] [--iommu] [--threads JSONL]
#
# --iommu: a q35 machine with an emulated Intel IOMMU, in strict mode (every
# unmap invalidates at once, so a descriptor pointing at an unmapped buffer
# faults instead of working by luck), and with forcedac: a device whose
# DMA mask allows 64 bits (the 82576) gets bus addresses above 4 GiB, so
# a lost high half faults too.
# Two NICs of model $SGNIC_NIC_MODEL (e1000, e1000-82544gc, e1000-82545em, igb)
# share one QEMU hub. ttyS0 is the console (shown live, saved to
# OUTDIR/console.log); ttyS1 carries the guest's /out back as a tar stream
# (extracted to OUTDIR/guest, kernel log to OUTDIR/dmesg.log); ttyS2 lets the
# guest flip the link or capture the wire (qemu/link-control.py).
# --threads JSONL: the host CPU time of QEMU's threads over each span the
# guest marks with `SGNIC-SPAN begin|end NAME` on its console, one JSON line
# per span (qemu/thread-sampler.py).
# Exit status: the guest command's; 124 on timeout; 125 if the guest never
# reported one (crash, panic).
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
die() { printf 'run-vm: error: %s\n' "$*" >&2; exit 2; }

kernel= initrd= out= cmd= cmd_file= interactive= autoload= pcap= append= plugin= iommu= threads= timeout=${SGNIC_VM_TIMEOUT:-1800}
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2; shift 2 ;;
	--initrd) initrd=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--cmd) cmd=$2; shift 2 ;;
	--cmd-file) cmd_file=$2; shift 2 ;;
	--interactive) interactive=1; shift ;;
	--autoload) autoload=1; shift ;;
	--pcap) pcap=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	--plugin) plugin=$2; shift 2 ;;
	--iommu) iommu=1; shift ;;
	--threads) threads=$2; shift 2 ;;
	*) die "unknown option $1" ;;
	esac
done
[ -f "$kernel" ] || die "kernel image '$kernel' not found"
[ -f "$initrd" ] || die "initramfs '$initrd' not found"
[ -n "$out" ] || die "--out is required"
model=${SGNIC_NIC_MODEL:-e1000}
case $model in
e1000 | e1000-82544gc | e1000-82545em | igb) ;;
*) die "SGNIC_NIC_MODEL=$model: use e1000, e1000-82544gc, e1000-82545em or igb" ;;
esac
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found (run: make deps)"

out=$(realpath -m "$out")
rm -rf "$out"
mkdir -p "$out/guest"
pcap=${pcap:+$(realpath -m "$pcap")}
[ -n "$pcap" ] || pcap=$out/wire.pcap

# The per-run archive, appended to the base initramfs.
run=$(mktemp -d)
trap 'rm -rf "$run"; [ -n "${lc_pid:-}" ] && kill "$lc_pid" 2>/dev/null' EXIT
mkdir -p "$run/etc/sgnic"
if [ -n "$cmd_file" ]; then
	[ -f "$cmd_file" ] || die "command file '$cmd_file' not found"
	cp "$cmd_file" "$run/etc/sgnic/cmd.sh"
elif [ -z "$interactive" ]; then
	printf '%s\n' "${cmd:-true}" >"$run/etc/sgnic/cmd.sh"
fi
[ -n "$autoload" ] && : >"$run/etc/sgnic/autoload"
(cd "$run" && find etc | cpio -o -H newc --quiet -R 0:0 | gzip -1) >"$run/run.cpio.gz"
cat "$initrd" "$run/run.cpio.gz" >"$run/initrd.gz"

accel=tcg
if [ "${SGNIC_KVM:-0}" = 1 ] && [ -w /dev/kvm ]; then
	# Only trust KVM after a short boot really succeeds (nested KVM hangs here).
	if timeout 20 qemu-system-x86_64 -accel kvm -m 256 -display none -no-reboot \
		-kernel "$kernel" -append "console=ttyS0 panic=-1 rdinit=/bin/true" \
		-serial file:"$run/probe.log" >/dev/null 2>&1 && grep -q "Kernel panic\|reboot" "$run/probe.log"; then
		accel=kvm
	fi
fi

mon=$run/monitor.sock chan=$run/link.sock
# Two CPUs (sockets, so that the MP table lists both even for a kernel
# without ACPI). tsc=reliable: the boot-time TSC sync check fails under
# TCG, although TCG derives every vCPU's TSC from the same host clock;
# without it the kernel would fall back to reading the HPET, an MMIO exit
# per clock read.
machine=()
# Each NIC is a device the host can unplug and plug again (sgnic-link
# unplug/plug): on q35, behind its own PCIe root port. A kernel with
# acpiphp (the debug kernel) gets QEMU's ACPI hotplug; any other gets
# native hotplug (pciehp), whose removal path trips lockdep by itself.
# The root ports sit in slots 2 and 6, which ICH9's default routing sends
# to the same PIRQ (slot s, pin A -> PIRQ E + s mod 4): both NICs share one
# INTx line, so each driver's handler sees the other device's interrupts,
# as on a real shared line.
nic_spec=("$model,id=nic0,netdev=p0,mac=52:54:00:12:34:01" "$model,id=nic1,netdev=p1,mac=52:54:00:12:34:02")
# QEMU's 82576 reserves PCI functions for its SR-IOV VFs at a fixed offset
# from its own: two on one bus collide, so each gets its own root port on
# q35 with or without the IOMMU.
if [ -n "$iommu" ] || [ "$model" = igb ]; then
	acpi_hotplug=off
	kconfig=$(dirname "$kernel")/../../../.config
	grep -qx 'CONFIG_HOTPLUG_PCI_ACPI=y' "$kconfig" 2>/dev/null && acpi_hotplug=on
	machine=(-machine q35)
	# The IOMMU comes before the devices it translates for.
	[ -n "$iommu" ] && machine+=(-device intel-iommu,intremap=off)
	machine+=(-global ICH9-LPC.acpi-pci-hotplug-with-bridge-support=$acpi_hotplug
		-device pcie-root-port,id=rp0,chassis=1,slot=1,addr=2
		-device pcie-root-port,id=rp1,chassis=2,slot=2,addr=6)
	nic_spec=("${nic_spec[0]},bus=rp0" "${nic_spec[1]},bus=rp1")
fi
if [ -n "$iommu" ]; then
	append="intel_iommu=on iommu.strict=1 iommu.forcedac=1${append:+ $append}"
fi
qemu=(qemu-system-x86_64 -accel "$accel" "${machine[@]}" -m 1024 -smp cpus=2,sockets=2 -display none -no-reboot
	-name sgnic,debug-threads=on
	-kernel "$kernel" -initrd "$run/initrd.gz"
	-append "console=ttyS0 panic=-1 oops=panic loglevel=4 tsc=reliable${append:+ $append}"
	-netdev hubport,id=p0,hubid=0 -device "${nic_spec[0]}"
	-netdev hubport,id=p1,hubid=0 -device "${nic_spec[1]}"
	-monitor "unix:$mon,server=on,wait=off"
	-chardev "socket,id=link,path=$chan,server=on,wait=off")
if [ -n "$interactive" ]; then
	qemu+=(-chardev "stdio,id=con0,logfile=$out/console.log,signal=off" -serial chardev:con0)
else
	qemu+=(-chardev "file,id=con0,path=$out/console.log" -serial chardev:con0)
fi
qemu+=(-serial "file:$out/export.tar" -serial chardev:link)
[ -n "$plugin" ] && qemu+=(-plugin "$plugin")
[ -n "${PCAP_FROM_BOOT:-}" ] && qemu+=(-object "filter-dump,id=boot-pcap,netdev=p0,file=$pcap")

start=$SECONDS
if [ -n "$interactive" ]; then
	"${qemu[@]}" &
else
	timeout --foreground -k 5 "$timeout" "${qemu[@]}" </dev/null &
fi
qemu_pid=$!
hotplug=
[ -n "$iommu" ] && hotplug="${nic_spec[0]};${nic_spec[1]}"
python3 "$HERE/link-control.py" "$chan" "$mon" "$pcap" "$hotplug" &
lc_pid=$!
# Host CPU time of QEMU's threads over the spans the guest marks.
[ -n "$threads" ] && python3 "$HERE/thread-sampler.py" "$qemu_pid" "$out/console.log" "$threads" &
if [ -z "$interactive" ]; then
	# Stream the console live.
	tail -n +1 -F "$out/console.log" 2>/dev/null --pid=$qemu_pid &
	tail_pid=$!
fi
wait $qemu_pid
rc=$?
[ -n "${tail_pid:-}" ] && wait "$tail_pid" 2>/dev/null
sleep 0.2

if [ -s "$out/export.tar" ]; then
	tar -x -f "$out/export.tar" -C "$out/guest" 2>/dev/null
fi
if [ -f "$out/guest/dmesg.log" ]; then
	cp "$out/guest/dmesg.log" "$out/dmesg.log"
else
	# No export (panic or hang): the console holds what the kernel printed.
	cp "$out/console.log" "$out/dmesg.log" 2>/dev/null
fi
elapsed=$((SECONDS - start))
if [ $rc = 124 ] || [ $rc = 137 ]; then
	printf 'run-vm: the VM timed out after %ss\n' "$timeout" >&2
	exit 124
fi
if [ ! -f "$out/guest/exit-status" ]; then
	printf 'run-vm: the guest never reported an exit status (crash or panic; see %s)\n' "$out/console.log" >&2
	exit 125
fi
status=$(cat "$out/guest/exit-status")
printf 'run-vm: guest exited with status %s after %ss (%s, %s)\n' "$status" "$elapsed" "$model" "$accel" >&2
exit "$status"
