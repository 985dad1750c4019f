/*
 * memmap.c - the memory map of a report (FAULTLINE_INCLUDE_MEMORY_MAP):
 * the regions of the address space, as VirtualQuery walks them, one line
 * each in the spirit of /proc/self/maps:
 *
 *   0x00007ff6e2a61000-0x00007ff6e2a63000 r-x image C:\dir\prog.exe
 *
 * start-end, the protection (r w x; "g" after it for a guard page), what
 * backs the region (image, mapped file, private memory; "reserved" for
 * address space with no pages yet) and, for an image or a mapped view,
 * its file.  Free address space is left out.
 *
 * [fatal] It runs on the reporter thread while the crashed thread may
 * hold any user-mode lock: VirtualQuery and NtQueryVirtualMemory go
 * straight to the kernel, the line is built in a buffer of our own.
 */
#include "win.h"

#include "platform.h"
#include "sink.h"

/* Bounds the report: a process has hundreds of regions, not thousands. */
#define FL_MEMMAP_REGIONS_MAX 4096

static void put_protection(struct fl_sink *s, const MEMORY_BASIC_INFORMATION *m)
{
	DWORD p = m->State == MEM_COMMIT ? m->Protect : 0;
	int r = 0, w = 0, x = 0;

	switch (p & 0xff) {
	case PAGE_READONLY:
		r = 1;
		break;
	case PAGE_READWRITE:
	case PAGE_WRITECOPY:
		r = w = 1;
		break;
	case PAGE_EXECUTE:
		x = 1;
		break;
	case PAGE_EXECUTE_READ:
		r = x = 1;
		break;
	case PAGE_EXECUTE_READWRITE:
	case PAGE_EXECUTE_WRITECOPY:
		r = w = x = 1;
		break;
	default: /* PAGE_NOACCESS, or not committed */
		break;
	}
	fl_sink_char(s, r ? 'r' : '-');
	fl_sink_char(s, w ? 'w' : '-');
	fl_sink_char(s, x ? 'x' : '-');
	if (p & PAGE_GUARD)
		fl_sink_char(s, 'g');
}

static const char *backing(const MEMORY_BASIC_INFORMATION *m)
{
	if (m->State == MEM_RESERVE)
		return "reserved";
	switch (m->Type) {
	case MEM_IMAGE:
		return "image";
	case MEM_MAPPED:
		return "mapped";
	default:
		return "private";
	}
}

/* One region's line into line (NUL-terminated). */
static void describe(const MEMORY_BASIC_INFORMATION *m, char *line, size_t cap)
{
	static char file[3 * 1024];
	uintptr_t start = (uintptr_t)m->BaseAddress;
	struct fl_sink s;

	fl_sink_init_memory(&s, line, cap);
	fl_sink_hex(&s, start, 16);
	fl_sink_char(&s, '-');
	fl_sink_hex(&s, start + m->RegionSize, 16);
	fl_sink_char(&s, ' ');
	put_protection(&s, m);
	fl_sink_char(&s, ' ');
	fl_sink_str(&s, backing(m));
	if (m->State == MEM_COMMIT &&
	    (m->Type == MEM_IMAGE || m->Type == MEM_MAPPED) &&
	    fl_win_mapped_file(start, file, sizeof(file)) > 0) {
		fl_sink_char(&s, ' ');
		fl_sink_str(&s, file);
	}
}

void fl_platform_write_memory_map(struct fl_sink *s, int json)
{
	static char line[3 * 1024 + 128];
	uintptr_t addr = FL_WIN_USER_LOW;
	unsigned n = 0;

	fl_sink_str(s, json ? "[" : "memory map:\n");
	while (addr < FL_WIN_USER_TOP && n < FL_MEMMAP_REGIONS_MAX) {
		MEMORY_BASIC_INFORMATION m;
		uintptr_t next;

		if (VirtualQuery((void *)addr, &m, sizeof(m)) == 0)
			break;
		next = (uintptr_t)m.BaseAddress + m.RegionSize;
		if (next <= addr)
			break;
		addr = next;
		if (m.State == MEM_FREE)
			continue;
		describe(&m, line, sizeof(line));
		if (json) {
			if (n)
				fl_sink_char(s, ',');
			fl_sink_json_str(s, line);
		} else {
			fl_sink_str(s, "  ");
			fl_sink_text_str(s, line);
			fl_sink_char(s, '\n');
		}
		n++;
	}
	if (json)
		fl_sink_char(s, ']');
}
