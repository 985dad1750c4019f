/*
 * utf8.c - which bytes are valid UTF-8 (see utf8.h).
 */
#include "utf8.h"

size_t fl_utf8_len(const unsigned char *p, size_t n)
{
	unsigned char c, lo = 0x80, hi = 0xbf;
	size_t len;

	if (n == 0)
		return 0;
	c = p[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		lo = c == 0xe0 ? 0xa0 : 0x80; /* shorter forms are overlong */
		hi = c == 0xed ? 0x9f : 0xbf; /* U+D800-DFFF: surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		lo = c == 0xf0 ? 0x90 : 0x80; /* shorter forms are overlong */
		hi = c == 0xf4 ? 0x8f : 0xbf; /* beyond U+10FFFF */
	} else {
		return 0; /* continuation byte, 0xc0-0xc1 overlong, 0xf5-0xff */
	}
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return len;
}
