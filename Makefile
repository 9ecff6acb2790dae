# SPDX-License-Identifier: GPL-2.0
#
# sgnic: top-level entry points. `make help` lists them.
#
# The kernel's build system reads ./Kbuild for the module itself; this file
# drives everything around it: host tools, the cached guest kernel, the
# guest image, the VM, the tests and the benchmark.

SHELL := /bin/bash
ROOT := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
SGNIC_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/sgnic
export SGNIC_CACHE
export PATH := $(HOME)/.cargo/bin:$(PATH)
export LIBCLANG_PATH ?= /usr/lib/llvm-22/lib

OUT ?= $(ROOT)/out
# make test runs the in-guest suite once per model in SGNIC_NIC_MODELS:
# by default on the 8254x (e1000) and then on the 82576 (igb); naming one
# model with SGNIC_NIC_MODEL runs it on that model only. Everything else
# boots SGNIC_NIC_MODEL (default e1000).
ifeq ($(origin SGNIC_NIC_MODEL),undefined)
SGNIC_NIC_MODELS ?= e1000 igb
else
SGNIC_NIC_MODELS ?= $(or $(SGNIC_NIC_MODEL),e1000 igb)
endif
SGNIC_NIC_MODEL ?= e1000
export SGNIC_NIC_MODEL
CARGO_TARGETS := $(SGNIC_CACHE)/cargo-target
TOOL_BIN := $(CARGO_TARGETS)/tool/x86_64-unknown-linux-gnu/release/sgnic-test
INITRD := $(OUT)/initramfs.cpio.gz

# KDIR: the kernel build tree to build against. Defaults to the cached guest
# kernel, which is built on first use.
# The module is built with the kernel's compiler (LLVM= for a clang one).
KDIR_RESOLVE = kdir="$${KDIR:-}"; \
	if [ -z "$$kdir" ]; then kdir=$$($(ROOT)/qemu/kernel-build.sh) || exit 1; fi; \
	$(ROOT)/qemu/check-kdir.sh "$$kdir" || exit 1; \
	llvm=$$($(ROOT)/qemu/kdir-llvm.sh "$$kdir")
KBUILD = $(MAKE) -C "$$kdir" M=$(ROOT) $$llvm $(if $(CLIPPY),CLIPPY=1)

.PHONY: all modules clean modules_install rust-analyzer deps kernel tool \
	initramfs vm shell test bench profile check help

all: modules

## Module ------------------------------------------------------------------

modules: deps-build
	@$(KDIR_RESOLVE); $(KBUILD) modules

clean:
	@if [ -n "$${KDIR:-}" ] || kdir=$$($(ROOT)/qemu/kernel-build.sh --if-built); then \
		kdir=$${KDIR:-$$kdir}; $(KBUILD) clean; fi
	rm -rf $(ROOT)/rust/generated $(OUT)

modules_install: deps-build
	@$(KDIR_RESOLVE); $(KBUILD) modules_install

rust-analyzer: deps-build
	@$(KDIR_RESOLVE); $(KBUILD) rust-analyzer

## Host tools and guest kernel -------------------------------------------

deps:
	@$(ROOT)/qemu/host-deps.sh all

# The subset of host tools needed to compile the module.
.PHONY: deps-build
deps-build:
	@$(ROOT)/qemu/host-deps.sh build

kernel: deps
	@$(ROOT)/qemu/kernel-build.sh >/dev/null

## Guest image and VM ------------------------------------------------------

# Built from its own directory so tests/tool/.cargo/config.toml (static
# linking) applies.
tool:
	@cd $(ROOT)/tests/tool && CARGO_TARGET_DIR=$(CARGO_TARGETS)/tool cargo build --quiet --release

initramfs: deps modules tool
	@kdir=$$($(ROOT)/qemu/kernel-build.sh); mkdir -p $(OUT); \
	$(ROOT)/qemu/initramfs.sh $(INITRD) --module $(ROOT)/sgnic.ko \
		--baseline "$$kdir/drivers/net/ethernet/intel/e1000/e1000.ko" \
		--baseline "$$kdir/drivers/net/ethernet/intel/igb/igb.ko" \
		--tool $(TOOL_BIN) --tests $(ROOT)/tests/guest

# IOMMU=1: a q35 machine with an emulated Intel IOMMU in strict mode.
VM_RUN = kdir=$$($(ROOT)/qemu/kernel-build.sh); \
	$(ROOT)/qemu/run-vm.sh --kernel "$$kdir/arch/x86/boot/bzImage" --initrd $(INITRD) \
		$(if $(filter 1,$(IOMMU)),--iommu)

# make vm: boot with sgnic loaded and run the demo, or CMD='...' instead.
# The demo runs under the counting QEMU plugin, and the host then prints
# the measured copy table (tests/copy-report.py) and writes it as JSON.
# kmemleak and DMA-API debugging are off for it, as for make profile: their
# bookkeeping would be most of the kernel instructions counted.
vm: initramfs
	@kdir=$$($(ROOT)/qemu/kernel-build.sh) || exit 1; \
	counts=$(OUT)/vm/copy-counts.txt; rm -f $$counts; initrd=$(INITRD); \
	$(if $(CMD),,plugin=$$(python3 $(ROOT)/tests/copy-report.py plugin-args \
		--kdir "$$kdir" --out $$counts) || exit 1; \
		java=$$($(ROOT)/qemu/java-image.sh) || exit 1; \
		initrd=$(OUT)/initramfs-java.cpio.gz; cat $(INITRD) "$$java" >$$initrd;) \
	$(ROOT)/qemu/run-vm.sh --kernel "$$kdir/arch/x86/boot/bzImage" --initrd $$initrd \
		$(if $(filter 1,$(IOMMU)),--iommu) --out $(OUT)/vm --autoload \
		$(if $(CMD),--cmd '$(subst ','\'',$(CMD))',--cmd-file $(ROOT)/tests/guest/demo.sh \
			--plugin "$$plugin" --append "kmemleak=off dma_debug=off") \
		$(if $(PCAP),--pcap $(PCAP)); rc=$$?; \
	if [ $$rc = 0 ] && [ -z '$(CMD)' ]; then \
		python3 $(ROOT)/tests/copy-report.py report --kdir "$$kdir" --counts $$counts \
			--guest-dir $(OUT)/vm/guest --json $(OUT)/copy-table.json && \
		echo "copy table: $(OUT)/copy-table.json" || rc=1; fi; \
	exit $$rc

shell: initramfs
	@$(VM_RUN) --out $(OUT)/shell --autoload --interactive $(if $(PCAP),--pcap $(PCAP))

## Tests and benchmark -----------------------------------------------------

# make test boots the debug kernel (lockdep, KASAN, fault injection) with a
# strict IOMMU; everything else boots the base kernel.
# The plugin boot that checks make vm's copy table uses make vm's kernel
# (base) and an image with sgnic built for it: the debug kernel's checkers
# copy stack traces with memcpy, which would count as copies. That image is
# built first, so that the module left in the tree is the debug kernel's.
COPY_INITRD := $(OUT)/initramfs-base.cpio.gz
test: export SGNIC_KERNEL_VARIANT = debug
test:
	@SGNIC_KERNEL_VARIANT=base $(MAKE) --no-print-directory initramfs INITRD=$(COPY_INITRD)
	@$(MAKE) --no-print-directory initramfs
	@kdir=$$($(ROOT)/qemu/kernel-build.sh) || exit 1; \
	base=$$(SGNIC_KERNEL_VARIANT=base $(ROOT)/qemu/kernel-build.sh) || exit 1; \
	$(ROOT)/tests/run.sh --kernel "$$kdir/arch/x86/boot/bzImage" --initrd $(INITRD) \
		--copy-kernel "$$base/arch/x86/boot/bzImage" --copy-initrd $(COPY_INITRD) --out $(OUT)/test \
		--models "$(SGNIC_NIC_MODELS)"

bench: initramfs
	@kdir=$$($(ROOT)/qemu/kernel-build.sh); \
	$(ROOT)/tests/bench.sh --kernel "$$kdir/arch/x86/boot/bzImage" --initrd $(INITRD) --out $(OUT)

# Where the work goes. PROFILE_MODE=insn (default): exact counts of guest
# kernel instructions and MMIO accesses per function, per driver, from a
# QEMU plugin. PROFILE_MODE=perf: perf (cpu-clock sampling) around one
# stream per driver, inside the guest.
PROFILE_MODE ?= insn
profile: initramfs
	@kdir=$$($(ROOT)/qemu/kernel-build.sh); \
	if [ "$(PROFILE_MODE)" = perf ]; then \
		$(VM_RUN) --out $(OUT)/profile/perf --autoload --append "kmemleak=off dma_debug=off" --cmd "$(foreach v,PROFILE_WORKLOAD PROFILE_SIZE PROFILE_TOP PROFILE_HZ,$(if $($(v)),$(v)='$($(v))')) sh /tests/profile.sh"; \
	elif [ "$(PROFILE_MODE)" = insn ]; then \
		$(ROOT)/tests/insn-profile.sh --kdir "$$kdir" --initrd $(INITRD) --out $(OUT)/profile/insn; \
	else echo "PROFILE_MODE=$(PROFILE_MODE): use insn or perf" >&2; exit 2; fi

# Formatting and lint gates for reviewers: rustfmt, clippy on every crate.
check: deps-build
	@cd $(ROOT)/rust/hw && cargo fmt --check && cargo clippy --quiet --all-targets -- -D warnings
	@cd $(ROOT)/tests/tool && cargo fmt --check && cargo clippy --quiet --release --all-targets -- -D warnings
	@rustfmt --check --edition 2021 $(ROOT)/rust/sgnic_main.rs
	@$(MAKE) --no-print-directory modules CLIPPY=1

help:
	@echo 'sgnic: a zero-copy Rust e1000 driver. Targets:'
	@echo '  make vm             boot the guest with sgnic loaded and run the sendfile demo'
	@echo "  make vm CMD='...'   run a shell command in the guest instead; exit status is its status"
	@echo '  make shell          interactive guest shell (sgnic loaded); exit with "reboot -f"'
	@echo '  make test           host unit tests plus every in-guest test, on the e1000 and then on the igb;'
	@echo '                      ends with "N passed, N failed"'
	@echo '  make bench          sgnic vs the C driver in one VM run (out/bench.*): C e1000, or C igb'
	@echo '                      with SGNIC_NIC_MODEL=igb (adds the 4-flow sendfile at 1 and 2 queue pairs)'
	@echo '  make profile        exact instruction and MMIO counts per function, sgnic vs C (PROFILE_MODE=perf: perf sampling)'
	@echo '  make / modules      build sgnic.ko against KDIR (default: the cached guest kernel)'
	@echo '  make clean | modules_install | rust-analyzer   the usual Kbuild targets'
	@echo '  make deps           install host packages, rust-src and bindgen (idempotent)'
	@echo '  make kernel         build the guest kernel into the cache (once per config)'
	@echo '  make check          rustfmt and clippy (CLIPPY=1) on all Rust code'
	@echo 'Variables: KDIR=<rust-enabled kernel build tree>  SGNIC_CACHE=<cache dir>'
	@echo '  SGNIC_NIC_MODEL=e1000|e1000-82544gc|e1000-82545em|igb  PCAP=<file> (capture the wire)'
	@echo '    (make test: that model only; SGNIC_NIC_MODELS="e1000 igb" is its default list)'
	@echo '  IOMMU=1 (make vm/shell on q35 with a strict Intel IOMMU; make test always is)'
	@echo '  CMD=<guest command>  SGNIC_TESTS="t00 t10" (select guest tests)  CLIPPY=1'
	@echo '  BENCH_ROUNDS (8), BENCH_SECONDS, BENCH_ONLY=<workload>, BENCH_DEBUG=1 (keep kmemleak, DMA-API debug)'
	@echo '  PROFILE_MODE=insn|perf, PROFILE_WORKLOAD="rr sendfile" (igb: also sendfile4-q1 sendfile4-q2), PROFILE_SIZE, PROFILE_RR, PROFILE_ROUNDS (insn), PROFILE_TOP'
