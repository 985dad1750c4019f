/*
 * sysunwind.c - a program that uses the system's own libunwind beside
 * faultline: crashme-sysunwind (faultline preloaded) and
 * crashme-sysunwind-linked (-DFL_LINKED: linked, faultline_install).
 *
 * It unwinds itself with the system's local libunwind, asks which module
 * answers its calls to the system's generic libunwind
 * (sysunwind_generic.c), then crashes: its own unwinding must work, its
 * calls must reach its own libunwind (not faultline's private copy, whose
 * symbols are hidden), and faultline's report must still have the
 * backtrace.
 */
#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include <stdio.h>
#include <string.h>

#ifdef FL_LINKED
#include "faultline.h"
#endif

/* The crash and the unwind each keep a frame of their own. */
#define NOINLINE __attribute__((noinline))

const char *sysunwind_generic_owner(void);

static volatile int sink;
int *volatile sysunwind_null;

/* Frames from here to main with the system's local unwinder; negative
 * when main was not among them. */
NOINLINE static int own_unwind(void)
{
	unw_context_t ctx;
	unw_cursor_t cur;
	unw_word_t off;
	char name[128];
	int n = 0, saw_main = 0;

	if (unw_getcontext(&ctx) != 0 || unw_init_local(&cur, &ctx) != 0)
		return 0;
	do {
		n++;
		if (unw_get_proc_name(&cur, name, sizeof(name), &off) == 0 &&
		    strcmp(name, "main") == 0)
			saw_main = 1;
	} while (unw_step(&cur) > 0 && n < 64);
	return saw_main ? n : -n;
}

NOINLINE void sysunwind_crash(void);
NOINLINE void sysunwind_crash(void)
{
	sink = *sysunwind_null;
}

int main(void)
{
	int n;

#ifdef FL_LINKED
	if (faultline_install(NULL) != 0)
		return 2;
#endif
	n = own_unwind();
	printf("own unwind: %d frames, main %s\n", n < 0 ? -n : n,
	       n > 0 ? "found" : "missing");
	printf("generic: %s\n", sysunwind_generic_owner());
	fflush(stdout);
	sysunwind_crash();
	return 4;
}
