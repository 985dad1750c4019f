/*
 * str.c - string and memory helpers for the fatal path.
 *
 * We avoid even memcpy/strlen from libc on purpose: with sanitizers or
 * interposing allocators those can be instrumented, and the fatal path
 * must not depend on them.  These call nothing.
 */
#include "platform.h"
#include "str.h"

#include <stdint.h>

/* The empty asm hides the loop's shape: gcc would make it a call to
 * strlen, the libc function this file exists to avoid. */
#define FL_OPAQUE(x) __asm__("" : "+r"(x))

FL_STARTUP_TEXT size_t fl_strlen(const char *s)
{
	size_t n = 0;
	while (s[n]) {
		n++;
		FL_OPAQUE(n);
	}
	return n;
}

FL_STARTUP_TEXT size_t fl_strlcpy(char *dst, const char *src, size_t cap)
{
	size_t n = 0;
	if (cap == 0)
		return fl_strlen(src);
	while (src[n] && n + 1 < cap) {
		dst[n] = src[n];
		n++;
	}
	dst[n] = '\0';
	return n + fl_strlen(src + n);
}

int fl_streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* A word that may sit at any address and alias anything: unaligned loads
 * and stores are fine on x86-64 and aarch64 (normal memory). */
typedef uint64_t word __attribute__((may_alias, aligned(1)));

/* Eight bytes a step: the crash path copies and clears tens of KiB (symbol
 * tables streamed through a buffer, the snapshot), and a byte loop would
 * make these two the handler's most expensive functions.  The volatile
 * stores keep the compiler from turning the loops back into memset/memcpy
 * calls. */
FL_STARTUP_TEXT void fl_memset(void *p, int c, size_t n)
{
	volatile unsigned char *q = p;
	uint64_t w = 0x0101010101010101ull * (unsigned char)c;

	for (; n >= sizeof(w); n -= sizeof(w), q += sizeof(w))
		*(volatile word *)q = w;
	while (n--)
		*q++ = (unsigned char)c;
}

void fl_memcpy(void *d, const void *s, size_t n)
{
	volatile unsigned char *dst = d;
	const unsigned char *src = s;

	while (n >= sizeof(word)) {
		*(volatile word *)dst = *(const word *)src;
		dst += sizeof(word);
		src += sizeof(word);
		n -= sizeof(word);
	}
	while (n--)
		*dst++ = *src++;
}
