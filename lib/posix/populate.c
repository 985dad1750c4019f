/*
 * populate.c - the memory a crash report writes, made present before it
 * writes.
 *
 * A crash report's first writes to its static buffers (the snapshot, the
 * symbol cache, the ELF reader, libunwind's state: some forty pages of
 * .bss and two or three of the alternate stack) are page faults, about
 * ten microseconds each in a VM - most of what a report costs.
 * MADV_POPULATE_WRITE (Linux 5.14) makes them present at once, for about
 * a microsecond a page (measured here: 20 faults 210-240 us, 60 pages
 * populated 50-60 us).  Where the kernel lacks it, the call fails and the
 * faults happen as before.
 *
 * .bss is [__bss_start, _end) of the object this is linked into: the
 * shared library's own (890 KiB on x86-64), or, linked statically, the
 * program's - then bounded, so that a program with big buffers of its own
 * does not have them all made present.  Most of faultline's own is idle
 * in a crash (faultline_write_report's and the dump's snapshots, the long
 * tail of the module table...): made present, those 170 pages cost more
 * than the faults they would save, so their owners name them
 * (fl_*_idle_memory) and they are left out.
 */
#include "posix.h"
#include "platform.h"

#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#ifdef PIC
#define FL_POPULATE_BSS_MAX ((uintptr_t)4 * 1024 * 1024)
#else
#define FL_POPULATE_BSS_MAX ((uintptr_t)1024 * 1024)
#endif
extern char __bss_start[] __attribute__((visibility("hidden")));
extern char _end[] __attribute__((visibility("hidden")));

/* The kernel's page size (madvise takes whole pages): auxv, read from
 * memory. */
static uintptr_t page(void)
{
	unsigned long p = getauxval(AT_PAGESZ);

	return p ? (uintptr_t)p : 4096;
}

static void populate(uintptr_t lo, uintptr_t hi, uintptr_t pg)
{
	lo &= ~(pg - 1);
	hi = (hi + pg - 1) & ~(pg - 1);
	if (hi > lo)
		syscall(SYS_madvise, lo, hi - lo, MADV_POPULATE_WRITE);
}

size_t fl_populate_idle_spans(const struct fl_snapshot *crash,
			      struct fl_span *out)
{
	size_t n = 0;

	n += fl_report_idle_memory(out + n);
	n += fl_snapshot_idle_memory(out + n);
	n += fl_snapshot_idle_parts(crash, out + n);
	n += fl_annotations_idle_memory(out + n);
	n += fl_request_idle_memory(out + n);
	n += fl_dump_idle_memory(out + n);
	n += fl_chain_idle_memory(out + n);
	return n;
}

/* The idle spans' whole pages inside [lo, hi), sorted, in out; their
 * count. */
static size_t idle_pages(const struct fl_snapshot *crash, uintptr_t lo,
			 uintptr_t hi, uintptr_t pg, struct fl_span *out)
{
	struct fl_span s[FL_POPULATE_IDLE_MAX];
	size_t n = fl_populate_idle_spans(crash, s), k = 0;

	for (size_t i = 0; i < n; i++) {
		uintptr_t a = ((uintptr_t)s[i].start + pg - 1) & ~(pg - 1);
		uintptr_t b = ((uintptr_t)s[i].start + s[i].len) & ~(pg - 1);
		size_t j;

		if (a < lo || b > hi || b <= a)
			continue;
		for (j = k; j > 0 && (uintptr_t)out[j - 1].start > a; j--)
			out[j] = out[j - 1];
		out[j] = (struct fl_span){(const void *)a, b - a};
		k++;
	}
	return k;
}

/* [lo, hi) less the idle pages, in as many calls as there are gaps. */
static void populate_bss(const struct fl_snapshot *crash, uintptr_t lo,
			 uintptr_t hi, uintptr_t pg)
{
	struct fl_span idle[FL_POPULATE_IDLE_MAX];
	size_t n = idle_pages(crash, lo, hi, pg, idle), total = 0;
	uintptr_t at = lo;

	for (size_t i = 0; i < n; i++)
		total += idle[i].len;
	if (hi - lo - total > FL_POPULATE_BSS_MAX)
		return;
	for (size_t i = 0; i < n; i++) {
		uintptr_t a = (uintptr_t)idle[i].start;

		if (a > at)
			populate(at, a, pg);
		if (a + idle[i].len > at)
			at = a + idle[i].len;
	}
	if (hi > at)
		populate(at, hi, pg);
}

void fl_populate_crash_memory(const struct fl_snapshot *crash)
{
	uintptr_t lo = (uintptr_t)__bss_start, hi = (uintptr_t)_end;
	uintptr_t pg = page();
	struct fl_span stack;

	if (hi > lo)
		populate_bss(crash, lo, hi, pg);
	/* Not the page we are on: it is present. */
	if (fl_altstack_report_stack((uintptr_t)&stack, &stack) == 1 &&
	    stack.len > pg)
		populate((uintptr_t)stack.start,
			 (uintptr_t)stack.start + stack.len - pg, pg);
}
