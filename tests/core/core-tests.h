/*
 * core-tests.h - unit tests of faultline's platform-neutral core (Check).
 * Each check-*.c file contributes one suite.
 */
#ifndef FL_CORE_TESTS_H
#define FL_CORE_TESTS_H

#include <check.h>

Suite *sink_suite(void);
Suite *config_suite(void);
Suite *snapshot_suite(void);
Suite *render_suite(void);

/* Run fn with fd 2 redirected; returns what it wrote (static buffer). */
const char *capture_stderr(void (*fn)(void *), void *arg);

#endif
