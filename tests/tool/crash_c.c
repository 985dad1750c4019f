/*
 * crash_c.c - a C program that crashes on purpose, through a chain of
 * calls with an inlined function in the middle, for the tool's tests.
 *   crash_c segv | abort | exit N | jump (a call to no module)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* volatile: the compiler must not prove the store faults and drop it. */
static int *volatile nowhere;

__attribute__((noinline)) static void write_through_null(int value)
{
	*nowhere = value;
}

static inline __attribute__((always_inline)) void inlined_step(int value)
{
	write_through_null(value * 3);
	__asm__ volatile("" ::: "memory"); /* keep a return into us */
}

__attribute__((noinline)) void crash_entry(int value)
{
	inlined_step(value + 1);
	__asm__ volatile("" ::: "memory");
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "segv";
	printf("crash_c: %s\n", mode);
	fflush(stdout);
	if (strcmp(mode, "abort") == 0)
		abort();
	if (strcmp(mode, "exit") == 0)
		return argc > 2 ? atoi(argv[2]) : 0;
	if (strcmp(mode, "jump") == 0) {
		void (*volatile wild)(void) = (void (*)(void))16UL;
		wild();
	}
	crash_entry(argc);
	return 0;
}
