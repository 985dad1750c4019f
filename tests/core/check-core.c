/*
 * check-core.c - runs the core's Check suites.
 */
#include "core-tests.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

const char *capture_stderr(void (*fn)(void *), void *arg)
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

int main(void)
{
	SRunner *sr = srunner_create(sink_suite());
	int failed;

	srunner_add_suite(sr, config_suite());
	srunner_add_suite(sr, snapshot_suite());
	srunner_add_suite(sr, render_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
