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
 * Arguments: marker=HEX (required), out=PATH, io=on.
 * Output lines: "tb PHASE VADDR INSNS EXECUTIONS" and
 *               "io PHASE PC PHYS r|w COUNT".
 */
#include "qemu-plugin-api.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = 2;

#define MAX_PHASES 64
#define IO_SLOTS (1 << 16)
/* Kernel addresses start here on x86-64; user code is not counted. */
#define KERNEL_START 0xffff800000000000ull

struct block {
	uint64_t vaddr;
	uint64_t insns;
	uint64_t executions[MAX_PHASES];
	struct block *next;
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

static int current_phase(void)
{
	return __atomic_load_n(&phase, __ATOMIC_RELAXED);
}

static void on_block(unsigned int vcpu, void *userdata)
{
	struct block *b = userdata;

	__atomic_fetch_add(&b->executions[current_phase()], 1, __ATOMIC_RELAXED);
}

static void on_marker(unsigned int vcpu, void *userdata)
{
	int p = current_phase();

	/* The last phase collects everything after it. */
	if (p < MAX_PHASES - 1)
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
	b = calloc(1, sizeof(*b));
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
	FILE *f = fopen(out_path, "w");

	if (!f) {
		perror(out_path);
		return;
	}
	for (struct block *b = blocks; b; b = b->next)
		for (int p = 0; p < MAX_PHASES; p++)
			if (b->executions[p])
				fprintf(f, "tb %d %" PRIx64 " %" PRIu64 " %" PRIu64 "\n", p, b->vaddr,
					b->insns, b->executions[p]);
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
		else {
			fprintf(stderr, "insncount: unknown argument '%s'\n", argv[i]);
			return -1;
		}
	}
	if (!marker) {
		fprintf(stderr, "insncount: marker=ADDRESS is required\n");
		return -1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	qemu_plugin_register_atexit_cb(id, on_exit_write, NULL);
	return 0;
}
