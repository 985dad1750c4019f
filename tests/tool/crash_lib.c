/*
 * crash_lib.c - a shared library that crashes when called, so a backtrace
 * crosses from the library into the program that loaded it.
 */
static int *volatile nowhere;

__attribute__((noinline)) static int read_null(int value)
{
	return *nowhere + value;
}

static inline __attribute__((always_inline)) int lib_step(int value)
{
	int result = read_null(value * 2);
	__asm__ volatile("" ::: "memory");
	return result;
}

__attribute__((visibility("default"))) int crash_lib_call(int value)
{
	int result = lib_step(value);
	__asm__ volatile("" ::: "memory");
	return result;
}
