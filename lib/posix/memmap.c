/*
 * memmap.c - the memory map of a report (FAULTLINE_INCLUDE_MEMORY_MAP):
 * /proc/self/maps verbatim.
 */
#include "platform.h"
#include "sink.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

/* Streamed through a small buffer: reading it is a plain read(2), safe in
 * the handler. */
static void put_map_line(struct fl_sink *s, const char *line, size_t len,
			 int json, int *first)
{
	if (json) {
		char tmp[512];
		size_t n = len < sizeof(tmp) - 1 ? len : sizeof(tmp) - 1;
		fl_memcpy(tmp, line, n);
		tmp[n] = '\0';
		if (!*first)
			fl_sink_char(s, ',');
		fl_sink_json_str(s, tmp);
	} else {
		fl_sink_str(s, "  ");
		fl_sink_write(s, line, len);
		fl_sink_char(s, '\n');
	}
	*first = 0;
}

void fl_platform_write_memory_map(struct fl_sink *s, int json)
{
	char buf[4096];
	size_t have = 0;
	int first = 1;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);

	fl_sink_str(s, json ? "[" : "memory map:\n");
	while (fd >= 0) {
		ssize_t n = read(fd, buf + have, sizeof(buf) - have);
		size_t start = 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		have += (size_t)n;
		for (size_t i = 0; i < have; i++) {
			if (buf[i] != '\n')
				continue;
			put_map_line(s, buf + start, i - start, json, &first);
			start = i + 1;
		}
		if (start == 0 && have == sizeof(buf)) {
			/* A line longer than the buffer: emit it cut. */
			put_map_line(s, buf, have, json, &first);
			start = have;
		}
		for (size_t i = start; i < have; i++)
			buf[i - start] = buf[i];
		have -= start;
	}
	if (have)
		put_map_line(s, buf, have, json, &first);
	if (fd >= 0)
		close(fd);
	if (json)
		fl_sink_char(s, ']');
}
