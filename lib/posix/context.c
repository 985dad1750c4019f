/*
 * context.c - the process around a crash (platform.h's
 * fl_platform_context): the wall-clock time, how long the process has
 * run, and its command line.  Syscalls only: the time is the kernel's
 * CLOCK_REALTIME (the calendar date is computed later, without
 * localtime/gmtime and their locks); the rest is read from /proc/self.
 */
#include "platform.h"
#include "posix.h"
#include "snapshot.h"
#include "str.h"

#include <fcntl.h>
#include <sys/auxv.h>
#include <time.h>
#include <unistd.h>

/* The process's start in clock ticks after boot: field 22 of
 * /proc/self/stat.  Field 2 (the name in parentheses) may hold spaces
 * and parentheses of its own: the fields are counted after its last ')'.
 * -1 when unreadable. */
static long long start_ticks(void)
{
	char buf[1024];
	long n = fl_read_small_file("/proc/self/stat", buf, sizeof(buf) - 1, 1);
	long i, paren = -1, field = 2;
	long long v = 0;

	if (n <= 0)
		return -1;
	for (i = 0; i < n; i++)
		if (buf[i] == ')')
			paren = i;
	if (paren < 0)
		return -1;
	for (i = paren + 1; i < n && field < 22; i++)
		if (buf[i] == ' ')
			field++;
	if (field != 22 || i >= n || buf[i] < '0' || buf[i] > '9')
		return -1;
	for (; i < n && buf[i] >= '0' && buf[i] <= '9'; i++)
		v = v * 10 + (buf[i] - '0');
	return v;
}

/* The process's age in ms, exact to a clock tick: its start (kernel
 * ticks after boot, /proc/self/stat) against CLOCK_BOOTTIME now.  This
 * holds whenever faultline was installed (a preloaded library installs
 * at start-up, the API later).  -1 when unknown. */
static long long uptime_ms(void)
{
	struct timespec now;
	long long ticks = start_ticks(), hz = (long long)getauxval(AT_CLKTCK);
	long long ms;

	if (ticks < 0 || hz <= 0 || clock_gettime(CLOCK_BOOTTIME, &now) != 0)
		return -1;
	ms = (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000 -
	     ticks * 1000 / hz;
	return ms < 0 ? 0 : ms;
}

/* One argument, quoted the way a POSIX shell reads it back when it
 * holds anything but plain characters. */
static int plain(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
	       c == '/' || c == '=' || c == ',' || c == ':' || c == '+' ||
	       c == '@' || c == '%';
}

struct out {
	char *p;
	size_t cap, len;
	int full;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->cap)
		o->p[o->len++] = c;
	else
		o->full = 1;
}

static void put_arg(struct out *o, const char *a, size_t n)
{
	size_t i;
	int quote = n == 0;

	for (i = 0; i < n; i++)
		if (!plain(a[i]))
			quote = 1;
	if (!quote) {
		for (i = 0; i < n; i++)
			put(o, a[i]);
		return;
	}
	put(o, '\'');
	for (i = 0; i < n; i++) {
		if (a[i] == '\'') { /* ' -> '\'' */
			put(o, '\'');
			put(o, '\\');
			put(o, '\'');
		}
		put(o, a[i]);
	}
	put(o, '\'');
}

/* The arguments of /proc/self/cmdline (NUL-separated), shell-quoted and
 * joined by spaces; bounded, with the cut said.  Control bytes stay as
 * they are: the renderers escape them. */
static void command_line(struct fl_context *c)
{
	char raw[FL_CMDLINE_MAX];
	long n = fl_read_small_file("/proc/self/cmdline", raw, sizeof(raw), 1);
	struct out o = {c->command_line, sizeof(c->command_line), 0, 0};
	long i, start = 0;

	c->command_line[0] = '\0';
	if (n <= 0)
		return;
	c->command_line_cut = n == (long)sizeof(raw);
	for (i = 0; i <= n; i++) {
		if (i < n && raw[i] != '\0')
			continue;
		if (i == n && i == start)
			break; /* the final NUL was the last byte */
		if (start)
			put(&o, ' ');
		put_arg(&o, raw + start, (size_t)(i - start));
		start = i + 1;
	}
	o.p[o.len] = '\0';
	if (o.full)
		c->command_line_cut = 1;
}

void fl_platform_context(struct fl_context *c)
{
	struct timespec ts;

	c->time_s = 0;
	c->time_ms = 0;
	if (clock_gettime(CLOCK_REALTIME, &ts) == 0) {
		c->time_s = (long long)ts.tv_sec;
		c->time_ms = (int)(ts.tv_nsec / 1000000);
	}
	c->uptime_ms = uptime_ms();
	c->command_line_cut = 0;
	command_line(c);
}
