/*
 * open-hook.h - an open() of the test program's own (the static library's
 * calls reach it), which opens with the system call and then tells
 * fl_test_open_hook, when set, what was opened: for tests that count the
 * files a crash report opens.
 */
#ifndef FL_TEST_OPEN_HOOK_H
#define FL_TEST_OPEN_HOOK_H

/* path opened with result fd (-1: failed, errno set). */
extern void (*volatile fl_test_open_hook)(const char *path, int fd);

#endif
