/*
 * check_nofork.c - a Check suite run in-process (CK_FORK=no) whose crashing
 * test is reported as a failure, with the crash's backtrace, while the rest
 * of the suite runs on.
 *
 * Without faultline_protect a test that dereferences NULL ends the whole
 * runner in CK_FORK=no mode: no summary, no later tests.  Here each test
 * body runs inside faultline_protect; a fault comes back as a value, the
 * report goes to stderr, and the test fails through Check like any failed
 * assertion.  Check's own assertions still work inside the body: in
 * CK_FORK=no mode they longjmp back to the runner, which faultline_protect
 * tolerates (see faultline.h).
 *
 *   CK_FORK=no ./check_nofork
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "faultline.h"

/* Run a test body under faultline_protect; a fault fails the test. */
static void run_protected(int (*body)(void *), const char *name)
{
	struct faultline_fault fault;

	if (faultline_protect(body, NULL, NULL, &fault) !=
	    FAULTLINE_PROTECT_FAULTED)
		return;
	fprintf(stderr, "test %s crashed:\n", name);
	fflush(stderr);
	faultline_write_report(2, &fault, FAULTLINE_FORMAT_TEXT);
	ck_abort_msg("%s: %s (%s) at address %#lx, pc %#lx", name,
		     fault.signal_name, fault.cause_text,
		     (unsigned long)fault.address, (unsigned long)fault.pc);
}

/* START_TEST for a body that may crash. */
#define PROTECTED_TEST(name)                                                   \
	static void name##_body(void);                                         \
	static int name##_thunk(void *unused)                                  \
	{                                                                      \
		(void)unused;                                                  \
		name##_body();                                                 \
		return 0;                                                      \
	}                                                                      \
	START_TEST(name)                                                       \
	{                                                                      \
		run_protected(name##_thunk, #name);                            \
	}                                                                      \
	END_TEST                                                               \
	static void name##_body(void)

/* --- the code under test ---------------------------------------------- */

struct node {
	int value;
	struct node *next;
};

static int sum(const struct node *list)
{
	int total = 0;

	for (; list; list = list->next)
		total += list->value;
	return total;
}

/* The bug: forgets that the list may be empty. */
static int first_value(const struct node *list)
{
	return list->value;
}

/* Keeps the compiler from proving the list empty. */
static struct node *volatile empty_list;

/* --- the tests -------------------------------------------------------- */

PROTECTED_TEST(test_sum)
{
	struct node b = {2, NULL}, a = {1, &b};

	ck_assert_int_eq(sum(&a), 3);
}

PROTECTED_TEST(test_first_value_of_empty_list)
{
	/* Crashes: reported as a failure with the backtrace. */
	ck_assert_int_eq(first_value(empty_list), 0);
}

PROTECTED_TEST(test_failing_assertion)
{
	/* An ordinary failure inside a protected body still works. */
	ck_assert_int_eq(sum(NULL), 1);
}

PROTECTED_TEST(test_after_the_crash)
{
	struct node a = {5, NULL};

	ck_assert_int_eq(first_value(&a), 5);
}

int main(void)
{
	Suite *s = suite_create("list");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	if (faultline_install(NULL) != 0) {
		perror("faultline_install");
		return EXIT_FAILURE;
	}
	tcase_add_test(tc, test_sum);
	tcase_add_test(tc, test_first_value_of_empty_list);
	tcase_add_test(tc, test_failing_assertion);
	tcase_add_test(tc, test_after_the_crash);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV); /* CK_VERBOSITY */
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
