/*
 * stack.c - a stack of its own for work that needs more stack than a
 * signal handler has: the demangler (lib/demangle.c says how much).
 *
 * One stack for the process, mapped the first time it is needed (a crash
 * or faultline_write_report, never at start-up: loading faultline costs
 * no syscall for it) and kept.  The mapping reserves address space only:
 * the kernel gives it pages as deep as the work goes, and a PROT_NONE
 * guard page below stops work that would go deeper - it then faults in
 * the handler, which dies at once, instead of writing over a neighbour.
 * One thread at a time: a crash and a faultline_write_report on another
 * thread may want it together; the second does without.
 *
 * Leaving early (fl_platform_work_escape) jumps back to where the work
 * started with faultline_protect's own jump record (fl_jmp_capture /
 * fl_jmp_land): no libc longjmp, which would also run the thread's
 * pthread cleanup handlers when it believes the jump unwinds them - a
 * judgement made from stack addresses that a second stack confuses.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "platform.h"
#include "posix/posix.h"
#include "protect.h"

static uintptr_t work_map; /* guard page + stack; 0 not mapped yet */
static size_t work_page;
static volatile int work_busy;
static struct fl_jmp work_escape;

static int work_stack_map(void)
{
	long page = sysconf(_SC_PAGESIZE);
	void *m;

	if (work_map)
		return 0;
	work_page = page > 0 ? (size_t)page : 4096;
	m = mmap(NULL, work_page + FL_WORK_STACK, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1,
		 0);
	if (m == MAP_FAILED)
		return -1;
	if (mprotect(m, work_page, PROT_NONE) != 0) {
		munmap(m, work_page + FL_WORK_STACK);
		return -1;
	}
	work_map = (uintptr_t)m;
	return 0;
}

int fl_platform_run_on_work_stack(void (*fn)(void *), void *arg)
{
	int escaped;

	if (__atomic_exchange_n(&work_busy, 1, __ATOMIC_ACQUIRE))
		return -1;
	if (work_stack_map() != 0) {
		__atomic_store_n(&work_busy, 0, __ATOMIC_RELEASE);
		return -1;
	}
	escaped = fl_jmp_capture(&work_escape);
	if (!escaped)
		fl_arch_call_on_stack(work_map + work_page + FL_WORK_STACK, fn,
				      arg);
	__atomic_store_n(&work_busy, 0, __ATOMIC_RELEASE);
	return escaped ? 1 : 0;
}

void fl_platform_work_escape(void)
{
	fl_jmp_land(&work_escape);
	__builtin_unreachable();
}

size_t fl_work_stack_touched(void)
{
	unsigned char vec[FL_WORK_STACK / 4096];
	size_t pages, i;

	if (!work_map ||
	    mincore((void *)(work_map + work_page), FL_WORK_STACK, vec) != 0)
		return 0;
	pages = FL_WORK_STACK / work_page;
	for (i = 0; i < pages && !(vec[i] & 1); i++)
		;
	return (pages - i) * work_page;
}
