/*
 * crash_shlib.c - calls into libcrash_lib.so, which crashes.
 */
#include <stdio.h>

int crash_lib_call(int value);

__attribute__((noinline)) static int call_library(int value)
{
	int result = crash_lib_call(value);
	__asm__ volatile("" ::: "memory");
	return result;
}

int main(int argc, char **argv)
{
	printf("crash_shlib\n");
	fflush(stdout);
	return call_library(argc);
}
