/*
 * ci_stamp.c - recognizing CI log timestamps (formats in ci_stamp.h).
 */
#include <ctype.h>

#include "ci_stamp.h"

/* n when the n bytes at p (of left) are all digits, else 0. */
static size_t digits(const char *p, size_t left, size_t n)
{
	if (left < n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)p[i]))
			return 0;
	return n;
}

/* "YYYY-MM-DDTHH:MM:SS[.F+][Z|+HH:MM|-HH:MM]": its length, or 0. */
static size_t iso_time(const char *p, size_t n)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	size_t i = 0;
	for (; shape[i]; i++) {
		if (i >= n)
			return 0;
		if (shape[i] == 'd' ? !digits(p + i, n - i, 1)
				    : p[i] != shape[i])
			return 0;
	}
	if (i < n && p[i] == '.') {
		size_t start = ++i;
		while (i < n && isdigit((unsigned char)p[i]))
			i++;
		if (i == start)
			return 0;
	}
	if (i < n && p[i] == 'Z')
		i++;
	else if (i + 6 <= n && (p[i] == '+' || p[i] == '-') &&
		 digits(p + i + 1, n - i - 1, 2) && p[i + 3] == ':' &&
		 digits(p + i + 4, n - i - 4, 2))
		i += 6;
	return i;
}

/* GitLab's "00O " or "01E+ " after the time: its length, or 0. */
static size_t gitlab_stream(const char *p, size_t n)
{
	if (n < 4 || !isxdigit((unsigned char)p[0]) ||
	    !isxdigit((unsigned char)p[1]) || (p[2] != 'O' && p[2] != 'E'))
		return 0;
	size_t i = 3;
	if (p[i] == '+')
		i++;
	return i < n && p[i] == ' ' ? i + 1 : 0;
}

size_t ci_stamp_len(const char *line, size_t len)
{
	int bracket = len && line[0] == '[';
	size_t i = bracket;
	size_t t = iso_time(line + i, len - i);
	if (t == 0)
		return 0;
	i += t;
	if (bracket) {
		if (i >= len || line[i] != ']')
			return 0;
		i++;
	}
	if (i >= len || line[i] != ' ')
		return 0;
	i++;
	if (!bracket)
		i += gitlab_stream(line + i, len - i);
	return i;
}
