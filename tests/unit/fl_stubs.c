/*
 * fl_stubs.c - stand-ins for core functions (lib/snapshot.c, lib/sink.c,
 * lib/posix/platform.c) that the unit tests of unwind.c, modules.c and
 * elf.c link against until the core lands.  Test-only; not in lib/.
 */
#include <string.h>
#include <unistd.h>

#include "platform.h"
#include "sink.h"
#include "snapshot.h"

void fl_frames_begin(struct fl_frame_collector *c,
		     struct faultline_fault *fault)
{
	c->fault = fault;
	c->seen = 0;
	fault->frame_count = 0;
	fault->frames_omitted = 0;
}

void fl_frames_add(struct fl_frame_collector *c, uintptr_t pc)
{
	struct faultline_fault *f = c->fault;

	if (c->seen < FAULTLINE_FRAMES_HEAD)
		f->frames[c->seen] = pc;
	else
		c->tail[(c->seen - FAULTLINE_FRAMES_HEAD) %
			FAULTLINE_FRAMES_TAIL] = pc;
	c->seen++;
}

void fl_frames_finish(struct fl_frame_collector *c)
{
	struct faultline_fault *f = c->fault;
	size_t tail, i, first;

	if (c->seen <= FAULTLINE_FRAMES_HEAD) {
		f->frame_count = c->seen;
		return;
	}
	tail = c->seen - FAULTLINE_FRAMES_HEAD;
	if (tail > FAULTLINE_FRAMES_TAIL)
		tail = FAULTLINE_FRAMES_TAIL;
	first = c->seen - tail;
	for (i = 0; i < tail; i++)
		f->frames[FAULTLINE_FRAMES_HEAD + i] =
			c->tail[(first + i - FAULTLINE_FRAMES_HEAD) %
				FAULTLINE_FRAMES_TAIL];
	f->frame_count = FAULTLINE_FRAMES_HEAD + tail;
	f->frames_omitted = c->seen - f->frame_count;
}

int fl_module_find(const struct fl_module_table *t, uintptr_t addr)
{
	size_t i;

	for (i = 0; i < t->count; i++)
		if (addr >= t->modules[i].base && addr < t->modules[i].end)
			return (int)i;
	return -1;
}

const char *fl_module_intern(struct fl_module_table *t, const char *path,
			     size_t len)
{
	char *p;

	if (len + 1 > sizeof(t->arena) - t->arena_used)
		return "";
	p = t->arena + t->arena_used;
	memcpy(p, path, len);
	p[len] = '\0';
	t->arena_used += len + 1;
	return p;
}

void fl_platform_exe_path(char *buf, size_t cap)
{
	ssize_t n = readlink("/proc/self/exe", buf, cap - 1);

	buf[n > 0 ? n : 0] = '\0';
}

size_t fl_strlen(const char *s)
{
	return strlen(s);
}

int fl_streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

void fl_memset(void *p, int c, size_t n)
{
	memset(p, c, n);
}

void fl_memcpy(void *d, const void *s, size_t n)
{
	memcpy(d, s, n);
}

size_t fl_strlcpy(char *dst, const char *src, size_t cap)
{
	size_t n = strlen(src);

	if (cap > 0) {
		size_t k = n < cap - 1 ? n : cap - 1;

		memcpy(dst, src, k);
		dst[k] = '\0';
	}
	return n;
}
