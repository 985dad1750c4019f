/*
 * harness-main.c - main() of a crash test program: run its TESTs.  In
 * its own file of the archive, so that only programs without a main()
 * of their own take it.
 */
#include "harness.h"

int main(int argc, char **argv)
{
	return run_tests(argc, argv);
}
