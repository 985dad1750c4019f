#include "harness.h"
static const struct test tests[] = {{NULL, NULL}};
int main(int argc, char **argv)
{
	return run_tests(argc, argv, tests);
}
