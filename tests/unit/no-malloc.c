/*
 * no-malloc.c - the interposed allocator of no-malloc.h: glibc's own
 * functions underneath, a check in front.
 */
#include <stdlib.h>
#include <unistd.h>

#include "no-malloc.h"

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

atomic_int fl_test_no_malloc;

static void fl_test_malloc_check(void)
{
	static const char msg[] = "malloc called where it must not be\n";

	if (atomic_load(&fl_test_no_malloc)) {
		if (write(2, msg, sizeof(msg) - 1) < 0)
			_exit(99);
		abort();
	}
}

void *malloc(size_t n)
{
	fl_test_malloc_check();
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t m)
{
	fl_test_malloc_check();
	return __libc_calloc(n, m);
}

void *realloc(void *p, size_t n)
{
	fl_test_malloc_check();
	return __libc_realloc(p, n);
}

void free(void *p)
{
	if (p != NULL)
		fl_test_malloc_check();
	__libc_free(p);
}
