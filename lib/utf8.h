/*
 * utf8.h - the one rule for which bytes are valid UTF-8 (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF).  The library's
 * escaping (sink.c) and the tool's (tools/) both follow it, so that
 * `faultline symbolize` lets through exactly the bytes a report would.
 */
#ifndef FL_UTF8_H
#define FL_UTF8_H

#include <stddef.h>

/* Length (1 to 4) of the valid UTF-8 sequence at p, which has n bytes
 * left, or 0 when the bytes there are not valid UTF-8.  Bytes are read in
 * order and the first wrong one ends the check, so a NUL-terminated string
 * may pass n = 4: its NUL is never a continuation byte.
 * Async-signal-safe: no state, no libc. */
size_t fl_utf8_len(const unsigned char *p, size_t n);

#endif
