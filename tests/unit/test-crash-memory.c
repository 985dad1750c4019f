/*
 * test-crash-memory.c - the memory a crash report writes is made present
 * in one system call before the report starts (altstack.c,
 * fl_altstack_populate_crash_memory; issue 12 section 4): the pages of
 * .bss are resident afterwards, none of them was before.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "posix/posix.h"
#include "unit.h"

/* In this (static) program's .bss, never touched before the test. */
#define PAGES 32
static char untouched[PAGES * 4096 + 4096];

static int resident_pages(void)
{
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t lo =
		((uintptr_t)untouched + page - 1) & ~(uintptr_t)(page - 1);
	unsigned char vec[PAGES];
	int n = 0;

	ck_assert_int_eq(mincore((void *)lo, PAGES * 4096 / page * page, vec),
			 0);
	for (size_t i = 0; i < PAGES * 4096 / (size_t)page; i++)
		n += vec[i] & 1;
	return n;
}

START_TEST(bss_present_after_populate)
{
	const char *emu = getenv("FL_TEST_EMULATOR");

	/* qemu-user takes madvise's advice as a hint and ignores it. */
	if (emu && *emu) {
		fprintf(stderr, "skipped under %s\n", emu);
		return;
	}
	ck_assert_int_eq(resident_pages(), 0);
	fl_altstack_populate_crash_memory();
	ck_assert_int_eq(resident_pages(),
			 PAGES * 4096 / sysconf(_SC_PAGESIZE));
}
END_TEST

int main(void)
{
	return UNIT_MAIN("crash-memory", 60, bss_present_after_populate);
}
