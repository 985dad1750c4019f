/*
 * no-malloc.h - malloc, calloc, realloc and free interposed for the unit
 * tests that prove a path allocates nothing: while fl_test_no_malloc is
 * set, a call says so on stderr and aborts (SIGABRT).
 */
#ifndef FL_TEST_NO_MALLOC_H
#define FL_TEST_NO_MALLOC_H

#include <stdatomic.h>

extern atomic_int fl_test_no_malloc;

#endif
