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
 * the bytes the kernel's copy routines write (copy=START-END, one per
 * routine), of those the bytes written by calls of at most SMALL_COPY
 * bytes (headers, such as a copied-out ACK), the system calls entered
 * (syscall=HEX, the entry point), and the instructions of every block
 * (vcpus=on).
 *
 * A copy call is counted by the extent of the memory it wrote: from the
 * routine's first block to its `ret`, the lowest and highest byte its
 * stores touched (stores through %rsp, the routine saving registers, are
 * not the copy's). So stores that overlap (memcpy's tail) count once. The
 * routines are leaf functions; a call that an interrupt's (or a page
 * fault's) copy nests in is a stack of calls per vCPU. A stub that only
 * jumps to a routine (memcpy to memcpy_orig) must not be given as a range:
 * its entry would open a call that no `ret` closes.
 *
 * Arguments: marker=HEX (required), out=PATH, io=on, copy=HEX-HEX (up to
 * MAX_COPY_RANGES), syscall=HEX, vcpus=on, phases=N (at most MAX_PHASES).
 * Output lines: "tb PHASE VADDR INSNS EXECUTIONS",
 *               "io PHASE PC PHYS r|w COUNT",
 *               and with vcpus=on, copy= or syscall=:
 *               "tbv PHASE VCPU VADDR INSNS EXECUTIONS",
 *               "copy PHASE VCPU RANGE BYTES", "small PHASE VCPU BYTES",
 *               "size PHASE VCPU LOG2 BYTES CALLS",
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
#define SMALL_COPY 192
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
/* Bytes and calls by call size, in power-of-two buckets (bucket b: sizes
 * from 2^b to 2^(b+1) - 1). */
#define SIZE_BUCKETS 24
static uint64_t size_bytes[MAX_PHASES][MAX_VCPUS][SIZE_BUCKETS];
static uint64_t size_calls[MAX_PHASES][MAX_VCPUS][SIZE_BUCKETS];
/* Copy calls in progress on each vCPU, innermost last. */
#define MAX_NESTED_COPIES 8
struct copy_call {
	int range, phase;
	uint64_t low, high; /* bytes [low, high) written so far; low > high: none */
};
static struct copy_call calls[MAX_VCPUS][MAX_NESTED_COPIES];
static int depth[MAX_VCPUS];
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

/* Adds a finished call's bytes to its phase, as a header if small. */
static void account_copy(unsigned int vcpu, const struct copy_call *c)
{
	uint64_t n;
	int bucket = 0;

	if (c->low >= c->high)
		return;

	n = c->high - c->low;
	while (bucket < SIZE_BUCKETS - 1 && n >> (bucket + 1))
		bucket++;
	__atomic_fetch_add(&copy_bytes[c->phase][vcpu][c->range], n, __ATOMIC_RELAXED);
	__atomic_fetch_add(&size_bytes[c->phase][vcpu][bucket], n, __ATOMIC_RELAXED);
	__atomic_fetch_add(&size_calls[c->phase][vcpu][bucket], 1, __ATOMIC_RELAXED);
	if (n <= SMALL_COPY)
		__atomic_fetch_add(&small_bytes[c->phase][vcpu], n, __ATOMIC_RELAXED);
}

/* The first block of copy routine `userdata` (its index). */
static void on_copy_entry(unsigned int vcpu, void *userdata)
{
	struct copy_call *top;

	vcpu %= MAX_VCPUS;
	/* Only this vCPU's thread touches its calls. A task that slept in a
	 * copy (a page fault) and resumed on another vCPU leaves its call open
	 * here: when such leftovers fill the stack, they are counted as they
	 * stand and the stack starts afresh. */
	if (depth[vcpu] == MAX_NESTED_COPIES)
		while (depth[vcpu])
			account_copy(vcpu, &calls[vcpu][--depth[vcpu]]);
	top = &calls[vcpu][depth[vcpu]++];
	top->range = (int)(uintptr_t)userdata;
	top->phase = current_phase();
	top->low = UINT64_MAX;
	top->high = 0;
}

/* A `ret` in a copy routine: the innermost call ends. */
static void on_copy_return(unsigned int vcpu, void *userdata)
{
	vcpu %= MAX_VCPUS;
	if (depth[vcpu])
		account_copy(vcpu, &calls[vcpu][--depth[vcpu]]);
}

/* A store by an instruction of copy routine `userdata` (its index). */
static void on_copy_store(unsigned int vcpu, qemu_plugin_meminfo_t info, uint64_t vaddr,
			  void *userdata)
{
	uint64_t end = vaddr + (1u << qemu_plugin_mem_size_shift(info));
	struct copy_call *c, lone;

	vcpu %= MAX_VCPUS;
	if (depth[vcpu]) {
		c = &calls[vcpu][depth[vcpu] - 1];
		if (vaddr < c->low)
			c->low = vaddr;
		if (end > c->high)
			c->high = end;
		return;
	}
	/* Outside any call seen to start (the plugin loaded mid-call, say). */
	lone.range = (int)(uintptr_t)userdata;
	lone.phase = current_phase();
	lone.low = vaddr;
	lone.high = end;
	account_copy(vcpu, &lone);
}

static int copy_range_of(uint64_t vaddr)
{
	for (int i = 0; i < n_copy_ranges; i++)
		if (vaddr >= copy_ranges[i].start && vaddr < copy_ranges[i].end)
			return i;
	return -1;
}

/* Whether `insn`'s disassembly starts with `prefix`, or mentions `word`. */
static int insn_is(struct qemu_plugin_insn *insn, const char *prefix, const char *word)
{
	char *text = qemu_plugin_insn_disas(insn);
	int match = text && ((prefix && !strncmp(text, prefix, strlen(prefix))) ||
			     (word && strstr(text, word)));

	free(text);
	return match;
}

static void on_marker(unsigned int vcpu, void *userdata)
{
	int p = current_phase();

	/* The last phase collects everything after it. */
	/* Two vCPUs entering sync at once make two phases. */
	while (p < phases - 1 && !__atomic_compare_exchange_n(&phase, &p, p + 1, false,
							      __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
		;
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
							     (void *)(uintptr_t)r);
	for (size_t i = 0; n_copy_ranges && i < qemu_plugin_tb_n_insns(tb); i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		int range = copy_range_of(qemu_plugin_insn_vaddr(insn));

		if (range < 0)
			continue;
		if (insn_is(insn, "ret", NULL))
			qemu_plugin_register_vcpu_insn_exec_cb(insn, on_copy_return,
							       QEMU_PLUGIN_CB_NO_REGS, NULL);
		else if (!insn_is(insn, "push", "rsp") && !insn_is(insn, "call", NULL))
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
			for (int b = 0; b < SIZE_BUCKETS; b++)
				if (size_calls[p][v][b])
					fprintf(f, "size %d %d %d %" PRIu64 " %" PRIu64 "\n", p, v, b,
						size_bytes[p][v][b], size_calls[p][v][b]);
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
			vcpus = info->system.max_vcpus;
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
