/*
 * str.h - string and memory helpers (str.c), all [fatal] (platform.h): no
 * libc string function is assumed safe in the fatal path.
 */
#ifndef FL_STR_H
#define FL_STR_H

#include <stddef.h>

size_t fl_strlen(const char *s);
/* Copies what fits, always NUL-terminated (cap > 0); returns strlen(src). */
size_t fl_strlcpy(char *dst, const char *src, size_t cap);
int fl_streq(const char *a, const char *b);
void fl_memset(void *p, int c, size_t n);
void fl_memcpy(void *d, const void *s, size_t n);

#endif
