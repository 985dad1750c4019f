/*
 * test-crash-memory.c - the memory a crash report writes is made present
 * in a few system calls before the report starts (populate.c,
 * fl_populate_crash_memory; issue 12 section 2): the pages of .bss are
 * resident afterwards, none of them was before - except the spans their
 * owners call idle in a crash (faultline_write_report's snapshot, the
 * dump's, the module table's tail, the annotation table, the request
 * ring, the idle parts of the crash's own snapshot), which stay as they
 * were: made present, they cost more than the faults they would save.
 * And a program without annotations has its crash read none of the
 * annotation table.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "annotations.h"
#include "platform.h"
#include "posix/posix.h"
#include "snapshot.h"
#include "unit.h"

/* In this (static) program's .bss, never touched before the test. */
#define PAGES 32
static char untouched[PAGES * 4096 + 4096];
/* The snapshot a crash would fill: its idle parts stay out. */
static FL_PAGE_ALIGNED struct fl_snapshot crash;

/* Resident pages among the whole pages of [p, p + len). */
static size_t resident(const void *p, size_t len, size_t *whole)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), n = 0;
	uintptr_t lo = ((uintptr_t)p + page - 1) & ~(uintptr_t)(page - 1);
	uintptr_t hi = ((uintptr_t)p + len) & ~(uintptr_t)(page - 1);
	static unsigned char vec[1024];

	*whole = hi > lo ? (hi - lo) / page : 0;
	ck_assert_uint_le(*whole, sizeof(vec));
	if (*whole == 0)
		return 0;
	ck_assert_int_eq(mincore((void *)lo, hi - lo, vec), 0);
	for (size_t i = 0; i < *whole; i++)
		n += vec[i] & 1;
	return n;
}

static int under_emulator(void)
{
	const char *emu = getenv("FL_TEST_EMULATOR");

	/* qemu-user takes madvise's advice as a hint and ignores it. */
	if (emu && *emu) {
		fprintf(stderr, "skipped under %s\n", emu);
		return 1;
	}
	return 0;
}

START_TEST(bss_present_after_populate)
{
	size_t whole;

	if (under_emulator())
		return;
	ck_assert_uint_eq(resident(untouched, sizeof(untouched), &whole), 0);
	fl_populate_crash_memory(&crash);
	ck_assert_uint_eq(resident(untouched, sizeof(untouched), &whole),
			  whole);
	/* The crash snapshot's busy start (fault, frames) is present. */
	ck_assert_uint_eq(resident(&crash, 4096, &whole), whole);
}
END_TEST

START_TEST(idle_memory_left_out)
{
	struct fl_span s[FL_POPULATE_IDLE_MAX];
	size_t n = fl_populate_idle_spans(&crash, s), whole, pages = 0;

	if (under_emulator())
		return;
	/* The spans are real: a few hundred KiB of .bss. */
	ck_assert_uint_ge(n, 9);
	for (size_t i = 0; i < n; i++) {
		ck_assert_uint_eq(resident(s[i].start, s[i].len, &whole), 0);
		pages += whole;
	}
	ck_assert_uint_ge(pages, 100);
	fl_populate_crash_memory(&crash);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(resident(s[i].start, s[i].len, &whole) == 0,
			      "idle span %zu (%zu bytes) made present", i,
			      s[i].len);
}
END_TEST

/* A report of a program that set no annotation reads none of the
 * annotation table's pages (each first read would be a page fault). */
START_TEST(no_annotations_no_table_pages)
{
	static struct fl_annotation out[FL_ANNOTATIONS_MAX];
	struct fl_span table;
	size_t whole;

	if (under_emulator())
		return;
	ck_assert_uint_eq(fl_annotations_idle_memory(&table), 1);
	ck_assert_uint_eq(resident(table.start, table.len, &whole), 0);
	ck_assert_uint_ge(whole, 4);
	ck_assert_uint_eq(fl_annotations_read(out, FL_ANNOTATIONS_MAX), 0);
	ck_assert_uint_eq(resident(table.start, table.len, &whole), 0);
}
END_TEST

int main(void)
{
	return UNIT_MAIN("crash-memory", 60, bss_present_after_populate,
			 idle_memory_left_out, no_annotations_no_table_pages);
}
