// SPDX-License-Identifier: GPL-2.0
/*
 * insncount: a QEMU TCG plugin that counts the guest kernel instructions
 * executed, per translation block, and (optionally) every MMIO access by
 * the instruction that made it. Counts are split into phases: a phase ends
 * whenever the guest executes the block at the marker address (the guest
 * script calls sync(2), whose kernel entry point the host passes in).
 *
 * Unlike sampling, the counts do not depend on how busy the host is: the
 * same guest work gives the same numbers, so two drivers can be compared
 * exactly on a noisy machine. Used by `make profile` (tests/insn-report.py
 * turns the output into per-function tables).
 *
 * For the copy table (tests/copy-report.py) it can also count, per vCPU:
 * the bytes stored by the kernel's copy routines (copy=START-END, one per
 * routine: every store an instruction in that range makes, except the
 * stack traffic of push and call), of those the bytes stored by calls of
 * at most SMALL_COPY bytes (headers, such as a copied-out ACK), the system
 * calls entered (syscall=HEX, the entry point), and the instructions of
 * every block (vcpus=on). A call ends when the vCPU next enters a copy
 * routine (they are leaf functions).
 *
 * Arguments: marker=HEX (required), out=PATH, io=on, copy=HEX-HEX (up to
 * MAX_COPY_RANGES), syscall=HEX, vcpus=on, phases=N (at most MAX_PHASES).
 * Output lines: "tb PHASE VADDR INSNS EXECUTIONS",
 *               "io PHASE PC PHYS r|w COUNT",
 *               and with vcpus=on, copy= or syscall=:
 *               "tbv PHASE VCPU VADDR INSNS EXECUTIONS",
 *               "copy PHASE VCPU RANGE BYTES", "small PHASE VCPU BYTES",
 *               "sys PHASE VCPU COUNT".
 */
#include "qemu-plugin-api.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = 2;

#define MAX_PHASES 64
#define MAX_VCPUS 8
#define MAX_COPY_RANGES 32
/* Copies of at most this many bytes are headers, not payload. */
#define SMALL_COPY 256
#define IO_SLOTS (1 << 16)
/* Kernel addresses start here on x86-64; user code is not counted. */
#define KERNEL_START 0xffff800000000000ull

struct block {
	uint64_t vaddr;
	uint64_t insns;
	struct block *next;
	/* phases x vcpus counters: [phase * vcpus + vcpu] */
	uint64_t executions[];
};

struct copy_range {
	uint64_t start, end;
};

struct io_slot {
	int claimed, ready;
	int phase, store;
	uint64_t pc, phys, count;
};

static struct block *blocks;
static struct io_slot io_slots[IO_SLOTS];
static uint64_t marker;
static int phase;
static int count_io;
static const char *out_path = "insncount.txt";
static int phases = MAX_PHASES;
/* vCPUs counted apart: 1 unless vcpus=on. */
static int vcpus = 1;
static struct copy_range copy_ranges[MAX_COPY_RANGES];
static int n_copy_ranges;
static uint64_t copy_bytes[MAX_PHASES][MAX_VCPUS][MAX_COPY_RANGES];
static uint64_t small_bytes[MAX_PHASES][MAX_VCPUS];
/* The copy call in progress on each vCPU: bytes so far, and its phase. */
static uint64_t call_bytes[MAX_VCPUS];
static int call_phase[MAX_VCPUS];
static uint64_t syscall_entry;
static uint64_t syscalls[MAX_PHASES][MAX_VCPUS];

static int current_phase(void)
{
	return __atomic_load_n(&phase, __ATOMIC_RELAXED);
}

static int vcpu_slot(unsigned int vcpu)
{
	return vcpus == 1 ? 0 : (int)(vcpu % (unsigned int)vcpus);
}

static void on_block(unsigned int vcpu, void *userdata)
{
	struct block *b = userdata;

	__atomic_fetch_add(&b->executions[current_phase() * vcpus + vcpu_slot(vcpu)], 1,
			   __ATOMIC_RELAXED);
}

static void on_syscall(unsigned int vcpu, void *userdata)
{
	__atomic_fetch_add(&syscalls[current_phase()][vcpu % MAX_VCPUS], 1, __ATOMIC_RELAXED);
}

/* A store by an instruction of copy routine `userdata` (its index). */
static void on_copy_store(unsigned int vcpu, qemu_plugin_meminfo_t info, uint64_t vaddr,
			  void *userdata)
{
	int range = (int)(uintptr_t)userdata, p = current_phase();
	unsigned int size = 1u << qemu_plugin_mem_size_shift(info);

	vcpu %= MAX_VCPUS;
	__atomic_fetch_add(&copy_bytes[p][vcpu][range], size, __ATOMIC_RELAXED);
	/* Only this vCPU's thread touches its call state. */
	call_bytes[vcpu] += size;
	call_phase[vcpu] = p;
}

/* Closes the copy call in progress on `vcpu`, counting it if small. */
static void end_copy_call(unsigned int vcpu)
{
	vcpu %= MAX_VCPUS;
	if (call_bytes[vcpu] && call_bytes[vcpu] <= SMALL_COPY)
		__atomic_fetch_add(&small_bytes[call_phase[vcpu]][vcpu], call_bytes[vcpu],
				   __ATOMIC_RELAXED);
	call_bytes[vcpu] = 0;
}

/* The first block of a copy routine: a new call begins. */
static void on_copy_entry(unsigned int vcpu, void *userdata)
{
	end_copy_call(vcpu);
}

static int copy_range_of(uint64_t vaddr)
{
	for (int i = 0; i < n_copy_ranges; i++)
		if (vaddr >= copy_ranges[i].start && vaddr < copy_ranges[i].end)
			return i;
	return -1;
}

/* Stack traffic, not the copy's destination. */
static int is_stack_insn(struct qemu_plugin_insn *insn)
{
	char *text = qemu_plugin_insn_disas(insn);
	int stack = text && (!strncmp(text, "push", 4) || !strncmp(text, "call", 4));

	free(text);
	return stack;
}

static void on_marker(unsigned int vcpu, void *userdata)
{
	int p = current_phase();

	/* The last phase collects everything after it. */
	if (p < phases - 1)
		__atomic_compare_exchange_n(&phase, &p, p + 1, false, __ATOMIC_SEQ_CST,
					    __ATOMIC_RELAXED);
}

static void on_memory(unsigned int vcpu, qemu_plugin_meminfo_t info, uint64_t vaddr,
		      void *userdata)
{
	struct qemu_plugin_hwaddr *hw = qemu_plugin_get_hwaddr(info, vaddr);
	uint64_t pc = (uint64_t)(uintptr_t)userdata, phys;
	int store, p = current_phase();

	if (!hw || !qemu_plugin_hwaddr_is_io(hw))
		return;
	phys = qemu_plugin_hwaddr_phys_addr(hw);
	store = qemu_plugin_mem_is_store(info);
	for (uint64_t i = (pc * 31 + phys * 17 + store + p * 131) % IO_SLOTS, n = 0; n < IO_SLOTS;
	     i = (i + 1) % IO_SLOTS, n++) {
		struct io_slot *s = &io_slots[i];
		int unclaimed = 0;

		if (__atomic_compare_exchange_n(&s->claimed, &unclaimed, 1, false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE)) {
			s->pc = pc;
			s->phys = phys;
			s->store = store;
			s->phase = p;
			s->count = 1;
			__atomic_store_n(&s->ready, 1, __ATOMIC_RELEASE);
			return;
		}
		while (!__atomic_load_n(&s->ready, __ATOMIC_ACQUIRE))
			;
		if (s->pc == pc && s->phys == phys && s->store == store && s->phase == p) {
			__atomic_fetch_add(&s->count, 1, __ATOMIC_RELAXED);
			return;
		}
	}
	/* Table full: the access goes uncounted (the report says so). */
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	uint64_t vaddr = qemu_plugin_tb_vaddr(tb);
	struct block *b, *head;

	if (vaddr < KERNEL_START)
		return;
	if (vaddr == marker)
		qemu_plugin_register_vcpu_tb_exec_cb(tb, on_marker, QEMU_PLUGIN_CB_NO_REGS, NULL);
	if (syscall_entry && vaddr == syscall_entry)
		qemu_plugin_register_vcpu_tb_exec_cb(tb, on_syscall, QEMU_PLUGIN_CB_NO_REGS, NULL);
	for (int r = 0; r < n_copy_ranges; r++)
		if (vaddr == copy_ranges[r].start)
			qemu_plugin_register_vcpu_tb_exec_cb(tb, on_copy_entry, QEMU_PLUGIN_CB_NO_REGS,
							     NULL);
	for (size_t i = 0; n_copy_ranges && i < qemu_plugin_tb_n_insns(tb); i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		int range = copy_range_of(qemu_plugin_insn_vaddr(insn));

		if (range >= 0 && !is_stack_insn(insn))
			qemu_plugin_register_vcpu_mem_cb(insn, on_copy_store, QEMU_PLUGIN_CB_NO_REGS,
							 QEMU_PLUGIN_MEM_W,
							 (void *)(uintptr_t)range);
	}
	b = calloc(1, sizeof(*b) + sizeof(uint64_t) * (size_t)(phases * vcpus));
	if (!b)
		return;
	b->vaddr = vaddr;
	b->insns = qemu_plugin_tb_n_insns(tb);
	head = __atomic_load_n(&blocks, __ATOMIC_ACQUIRE);
	do {
		b->next = head;
	} while (!__atomic_compare_exchange_n(&blocks, &head, b, false, __ATOMIC_RELEASE,
					      __ATOMIC_ACQUIRE));
	qemu_plugin_register_vcpu_tb_exec_cb(tb, on_block, QEMU_PLUGIN_CB_NO_REGS, b);
	if (!count_io)
		return;
	for (size_t i = 0; i < b->insns; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);

		qemu_plugin_register_vcpu_mem_cb(insn, on_memory, QEMU_PLUGIN_CB_NO_REGS,
						 QEMU_PLUGIN_MEM_RW,
						 (void *)(uintptr_t)qemu_plugin_insn_vaddr(insn));
	}
}

static void on_exit_write(qemu_plugin_id_t id, void *userdata)
{
	FILE *f;

	for (int v = 0; v < MAX_VCPUS; v++)
		end_copy_call(v);
	f = fopen(out_path, "w");
	if (!f) {
		perror(out_path);
		return;
	}
	for (struct block *b = blocks; b; b = b->next)
		for (int p = 0; p < phases; p++) {
			uint64_t sum = 0;

			for (int v = 0; v < vcpus; v++) {
				uint64_t n = b->executions[p * vcpus + v];

				sum += n;
				if (n && vcpus > 1)
					fprintf(f, "tbv %d %d %" PRIx64 " %" PRIu64 " %" PRIu64 "\n", p, v,
						b->vaddr, b->insns, n);
			}
			if (sum)
				fprintf(f, "tb %d %" PRIx64 " %" PRIu64 " %" PRIu64 "\n", p, b->vaddr,
					b->insns, sum);
		}
	for (int p = 0; p < phases; p++)
		for (int v = 0; v < MAX_VCPUS; v++) {
			for (int r = 0; r < n_copy_ranges; r++)
				if (copy_bytes[p][v][r])
					fprintf(f, "copy %d %d %d %" PRIu64 "\n", p, v, r,
						copy_bytes[p][v][r]);
			if (small_bytes[p][v])
				fprintf(f, "small %d %d %" PRIu64 "\n", p, v, small_bytes[p][v]);
			if (syscalls[p][v])
				fprintf(f, "sys %d %d %" PRIu64 "\n", p, v, syscalls[p][v]);
		}
	for (int i = 0; i < IO_SLOTS; i++)
		if (io_slots[i].ready)
			fprintf(f, "io %d %" PRIx64 " %" PRIx64 " %c %" PRIu64 "\n", io_slots[i].phase,
				io_slots[i].pc, io_slots[i].phys, io_slots[i].store ? 'w' : 'r',
				io_slots[i].count);
	fclose(f);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
					   int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "marker=", 7))
			marker = strtoull(argv[i] + 7, NULL, 16);
		else if (!strncmp(argv[i], "out=", 4))
			out_path = argv[i] + 4;
		else if (!strcmp(argv[i], "io=on"))
			count_io = 1;
		else if (!strcmp(argv[i], "vcpus=on"))
			vcpus = info->system.smp_vcpus;
		else if (!strncmp(argv[i], "phases=", 7))
			phases = atoi(argv[i] + 7);
		else if (!strncmp(argv[i], "syscall=", 8))
			syscall_entry = strtoull(argv[i] + 8, NULL, 16);
		else if (!strncmp(argv[i], "copy=", 5)) {
			char *end;
			struct copy_range r;

			r.start = strtoull(argv[i] + 5, &end, 16);
			r.end = *end == '-' ? strtoull(end + 1, NULL, 16) : 0;
			if (n_copy_ranges == MAX_COPY_RANGES || r.end <= r.start) {
				fprintf(stderr, "insncount: bad or too many copy ranges at '%s'\n",
					argv[i]);
				return -1;
			}
			copy_ranges[n_copy_ranges++] = r;
		} else {
			fprintf(stderr, "insncount: unknown argument '%s'\n", argv[i]);
			return -1;
		}
	}
	if (!marker) {
		fprintf(stderr, "insncount: marker=ADDRESS is required\n");
		return -1;
	}
	if (phases < 1 || phases > MAX_PHASES || vcpus < 1 || vcpus > MAX_VCPUS) {
		fprintf(stderr, "insncount: phases must be 1-%d and vCPUs at most %d\n", MAX_PHASES,
			MAX_VCPUS);
		return -1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	qemu_plugin_register_atexit_cb(id, on_exit_write, NULL);
	return 0;
}
