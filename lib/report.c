/*
 * report.c - from a filled snapshot to bytes on the report's destination:
 * pick the output, resolve frames, render, run the user callback.
 * Everything here runs in the crash handler: no allocation, no stdio.
 */
#include "platform.h"
#include "render.h"
#include "sink.h"
#include "snapshot.h"

/* Static, not on the (alternate) stack: 130 KB would not fit there. */
static FL_PAGE_ALIGNED struct fl_module_table report_modules;

static const char *base_name(const char *path)
{
	const char *b = path;
	for (const char *p = path; *p; p++)
		if (*p == '/' || *p == '\\')
			b = p + 1;
	return b;
}

/* Reports written by this process so far: the %n of the next one. */
static unsigned long report_sequence;

int fl_expand_path(const char *tmpl, const char *exe_path, char *out,
		   size_t cap)
{
	return fl_expand_path_n(tmpl, exe_path, 0, out, cap);
}

int fl_expand_path_n(const char *tmpl, const char *exe_path,
		     unsigned long sequence, char *out, size_t cap)
{
	struct fl_sink s;

	fl_sink_init_memory(&s, out, cap);
	for (const char *p = tmpl; *p; p++) {
		if (*p != '%' || !p[1]) {
			fl_sink_char(&s, *p);
			continue;
		}
		switch (*++p) {
		case 'p':
			fl_sink_dec(&s, fl_platform_pid());
			break;
		case 't':
			fl_sink_dec(&s, fl_platform_time());
			break;
		case 'e':
			fl_sink_str(&s, exe_path[0] ? base_name(exe_path)
						    : "unknown");
			break;
		case 'n':
			fl_sink_udec(&s, sequence);
			break;
		case '%':
			fl_sink_char(&s, '%');
			break;
		default: /* rejected when the options were read */
			fl_sink_char(&s, '%');
			fl_sink_char(&s, *p);
		}
	}
	return s.dropped ? -1 : 0;
}

static void say_output_failed(fl_handle_t h, const char *path, const char *why)
{
	struct fl_sink s;

	fl_sink_init(&s, h);
	fl_sink_str(&s, "faultline: cannot create report file '");
	fl_sink_text_str(&s, path);
	fl_sink_str(&s, "': ");
	fl_sink_str(&s, why);
	fl_sink_str(&s, "; the report follows here\n");
	fl_sink_flush(&s);
}

/* The destination for this report; *opened says whether to close it.
 * Not inlined: its path buffer leaves the stack before frames are
 * resolved. */
static __attribute__((noinline)) fl_handle_t
open_output(const struct fl_snapshot *snap, int *opened)
{
	char path[FL_OUTPUT_PATH_MAX + 256];
	const char *why = "path too long";
	fl_handle_t h;

	*opened = 0;
	if (!fl_config.output_path[0])
		return fl_config.output;
	if (fl_expand_path_n(
		    fl_config.output_path, snap->exe_path,
		    __atomic_fetch_add(&report_sequence, 1, __ATOMIC_RELAXED),
		    path, sizeof(path)) == 0) {
		h = fl_platform_create_file(path, &why);
		if (h != FL_NO_HANDLE) {
			*opened = 1;
			return h;
		}
	}
	say_output_failed(fl_config.output, path, why);
	return fl_config.output;
}

static void render(struct fl_sink *s, struct fl_snapshot *snap,
		   enum faultline_format format)
{
	if (format == FAULTLINE_FORMAT_JSON)
		fl_render_json(s, snap);
	else
		fl_render_text(s, snap);
	fl_sink_flush(s);
}

/* Render and run the callback.  Not inlined into fl_report_emit: the
 * sink's 4 KiB buffer then sits on the stack only while rendering, in
 * the same (alternate) stack pages that resolving frames used before,
 * instead of below them (a page fault per new page in the handler). */
static __attribute__((noinline)) int emit_resolved(struct fl_snapshot *snap,
						   fl_handle_t h, int callback)
{
	struct fl_sink sink;

	fl_sink_init(&sink, h);
	render(&sink, snap, fl_config.format);
	if (callback && fl_config.callback) {
#ifdef _WIN32
		int fd = -1; /* a HANDLE is no descriptor */
#else
		int fd = h;
#endif
		fl_config.callback(&snap->fault, fd, fl_config.callback_data);
	}
	return sink.error ? -1 : 0;
}

/* The report of snap to h, or (FL_NO_HANDLE) to the configured output. */
static int emit(struct fl_snapshot *snap, fl_handle_t h, int callback)
{
	int opened = 0, rc;

	if (h == FL_NO_HANDLE)
		h = open_output(snap, &opened);
	snap->include = fl_config.include;
	fl_platform_context(&snap->context);
	fl_snapshot_resolve(snap, &report_modules);
	rc = emit_resolved(snap, h, callback);
	if (opened)
		fl_platform_close(h);
	return rc;
}

void fl_report_emit(struct fl_snapshot *snap)
{
	emit(snap, FL_NO_HANDLE, 1);
}

int fl_report_dump(struct fl_snapshot *snap, fl_handle_t h)
{
	return emit(snap, h, 0);
}

/* faultline_write_report: one static snapshot, guarded against
 * concurrent use (a spinlock would deadlock a signal handler that
 * interrupted the holder on the same thread). */
static struct fl_snapshot write_snap;
static FL_PAGE_ALIGNED struct fl_module_table write_modules;
static volatile int write_busy;

int fl_write_report_handle(fl_handle_t h, const struct faultline_fault *fault,
			   enum faultline_format format)
{
	struct fl_sink sink;

	if (__atomic_exchange_n(&write_busy, 1, __ATOMIC_ACQUIRE))
		return -1;
	fl_memcpy(&write_snap.fault, fault, sizeof(*fault));
	fl_platform_exe_path(write_snap.exe_path, sizeof(write_snap.exe_path));
	write_snap.include = FAULTLINE_INCLUDE_DEFAULT;
	fl_platform_context(&write_snap.context);
	fl_snapshot_resolve(&write_snap, &write_modules);
	fl_sink_init(&sink, h);
	render(&sink, &write_snap, format);
	__atomic_store_n(&write_busy, 0, __ATOMIC_RELEASE);
	return sink.error ? -1 : 0;
}
