/*
 * unit.c - running the unit tests (see unit.h).
 */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

TCase *unit_case(Suite *s, const char *name, const TTest *const *tests,
		 size_t n, double timeout)
{
	TCase *tc = tcase_create(name);

	if (timeout > 0)
		tcase_set_timeout(tc, timeout);
	for (size_t i = 0; i < n; i++)
		tcase_add_test(tc, tests[i]);
	suite_add_tcase(s, tc);
	return tc;
}

int unit_run(Suite *s, enum fork_status fork)
{
	SRunner *sr = srunner_create(s);
	int failed;

	if (fork != CK_FORK_GETENV)
		srunner_set_fork_status(sr, fork);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

int unit_main(const char *name, const TTest *const *tests, size_t n,
	      double timeout)
{
	Suite *s = suite_create(name);

	unit_case(s, name, tests, n, timeout);
	return unit_run(s, CK_FORK_GETENV);
}

const char *unit_capture_stderr(void (*fn)(void *), void *arg)
{
	static char buf[16384];
	FILE *tmp = tmpfile();
	int saved = dup(2);
	ssize_t n;

	ck_assert_ptr_nonnull(tmp);
	fflush(stderr);
	dup2(fileno(tmp), 2);
	fn(arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	lseek(fileno(tmp), 0, SEEK_SET);
	n = read(fileno(tmp), buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	fclose(tmp);
	return buf;
}
