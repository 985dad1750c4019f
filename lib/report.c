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

/* Where a report may go, in order: its own file (when a path template is
 * configured and the file could be created), the configured descriptor,
 * stderr.  A destination that cannot be created or written (no space,
 * RLIMIT_FSIZE, an I/O error, a descriptor the program closed, a pipe
 * nobody reads) passes the whole report on to the next, which first
 * gets one line per destination that failed, saying why. */
#define FL_DESTINATIONS 3

struct detour {
	const char *what; /* "create report file", "write report file" */
	int fd;		  /* when no path: the descriptor's number */
	const char *why;
};

struct output {
	fl_handle_t to[FL_DESTINATIONS];
	int count;
	int file; /* to[0] is our report file: close it */
	struct detour detours[FL_DESTINATIONS];
	int detour_count;
};

/* The expanded path of the report file (static: one report at a time,
 * and its 1 KiB are better off the alternate stack). */
static char report_path[FL_OUTPUT_PATH_MAX + 256];

static void add_destination(struct output *o, fl_handle_t h)
{
	for (int i = 0; i < o->count; i++)
		if (o->to[i] == h)
			return;
	if (h != FL_NO_HANDLE && o->count < FL_DESTINATIONS)
		o->to[o->count++] = h;
}

static void add_detour(struct output *o, const char *what, int fd,
		       const char *why)
{
	if (o->detour_count < FL_DESTINATIONS)
		o->detours[o->detour_count++] = (struct detour){what, fd, why};
}

static void say_detour(struct fl_sink *s, const struct detour *d)
{
	fl_sink_str(s, "faultline: cannot ");
	fl_sink_str(s, d->what);
	if (d->fd < 0) {
		fl_sink_str(s, " '");
		fl_sink_text_str(s, report_path);
		fl_sink_char(s, '\'');
	} else {
		fl_sink_char(s, ' ');
		fl_sink_dec(s, d->fd);
	}
	fl_sink_str(s, ": ");
	fl_sink_str(s, d->why);
	fl_sink_str(s, "; the report follows here\n");
}

static void open_output(const struct fl_snapshot *snap, struct output *o)
{
	const char *why = "path too long";

	o->count = o->file = o->detour_count = 0;
	if (fl_config.output_path[0]) {
		fl_handle_t h = FL_NO_HANDLE;

		if (fl_expand_path_n(fl_config.output_path, snap->exe_path,
				     __atomic_fetch_add(&report_sequence, 1,
							__ATOMIC_RELAXED),
				     report_path, sizeof(report_path)) == 0)
			h = fl_platform_create_file(report_path, &why);
		if (h != FL_NO_HANDLE) {
			o->to[o->count++] = h;
			o->file = 1;
		} else {
			add_detour(o, "create report file", -1, why);
		}
	}
	add_destination(o, fl_config.output);
	add_destination(o, fl_platform_stderr());
}

/* open: leave a text report without its end marker (the callback's
 * output goes before it). */
static void render(struct fl_sink *s, struct fl_snapshot *snap,
		   enum faultline_format format, int open)
{
	if (format == FAULTLINE_FORMAT_JSON) {
		fl_render_json(s, snap);
	} else {
		fl_render_text(s, snap);
		if (!open)
			fl_render_text_end(s);
	}
	fl_sink_flush(s);
}

/* Minidumps written by this process so far (their own %n), and the path
 * of the current one. */
static unsigned long minidump_sequence;
static char minidump_path[FL_OUTPUT_PATH_MAX + 256];

/* The minidump's file, when one is asked for: created before the report
 * is rendered (the report names it), filled after it is written. */
static void create_minidump(struct fl_snapshot *snap)
{
	snap->minidump_error = NULL;
	if (!fl_config.minidump_path[0])
		return;
	if (fl_expand_path_n(
		    fl_config.minidump_path, snap->exe_path,
		    __atomic_fetch_add(&minidump_sequence, 1, __ATOMIC_RELAXED),
		    minidump_path, sizeof(minidump_path)) != 0) {
		snap->minidump_error = "path too long";
		return;
	}
	fl_platform_minidump_create(snap, minidump_path);
}

/* Write the report to the first destination that takes all of it; the
 * handle it went to (the last one tried when none did). */
static fl_handle_t write_report(struct fl_snapshot *snap, struct output *o,
				int open, int *written)
{
	struct fl_sink sink;
	int i;

	*written = 0;
	if (o->count == 0)
		return FL_NO_HANDLE;
	for (i = 0; i < o->count; i++) {
		fl_sink_init(&sink, o->to[i]);
		for (int d = 0; d < o->detour_count; d++)
			say_detour(&sink, &o->detours[d]);
		render(&sink, snap, fl_config.format, open);
		if (!sink.error)
			break;
		if (i == 0 && o->file)
			add_detour(o, "write report file", -1, sink.why);
		else
			add_detour(o, "write the report to descriptor",
				   o->to[i] == fl_config.output
					   ? fl_config.output_fd
					   : 2,
				   sink.why);
	}
	*written = i < o->count;
	return o->to[i < o->count ? i : o->count - 1];
}

static fl_handle_t open_report = FL_NO_HANDLE;

fl_handle_t fl_report_take_open(void)
{
	return __atomic_exchange_n(&open_report, FL_NO_HANDLE,
				   __ATOMIC_ACQ_REL);
}

void fl_report_write_end(fl_handle_t h)
{
	fl_platform_write(h, FL_TEXT_END, sizeof(FL_TEXT_END) - 1);
}

/* Render and run the callback, inside a text report's end marker (a
 * JSON report is one line: the callback's output follows it).  Not
 * inlined into fl_report_emit: the sink's 4 KiB buffer then sits on the
 * stack only while rendering, in the same (alternate) stack pages that
 * resolving frames used before, instead of below them (a page fault per
 * new page in the handler). */
static __attribute__((noinline)) int
emit_resolved(struct fl_snapshot *snap, struct output *o, int callback)
{
	int written;
	int open = callback && fl_config.callback &&
		   fl_config.format == FAULTLINE_FORMAT_TEXT;
	fl_handle_t h = write_report(snap, o, open, &written);

	if (open)
		__atomic_store_n(&open_report, h, __ATOMIC_RELEASE);

	/* The report first, whatever happens to the minidump; before the
	 * callback, which may end the process. */
	fl_platform_minidump_write(snap);
	if (callback && fl_config.callback) {
#ifdef _WIN32
		int fd = -1; /* a HANDLE is no descriptor */

		(void)h;
#else
		int fd = h;
#endif
		fl_config.callback(&snap->fault, fd, fl_config.callback_data);
	}
	if (open && (h = fl_report_take_open()) != FL_NO_HANDLE)
		fl_report_write_end(h);
	return written ? 0 : -1;
}

/* The report of snap to h, or (FL_NO_HANDLE) to the configured output
 * and, when that fails, on down the destinations. */
static int emit(struct fl_snapshot *snap, fl_handle_t h, int callback)
{
	struct output o;
	int rc;

	if (h == FL_NO_HANDLE) {
		open_output(snap, &o);
	} else {
		o.to[0] = h;
		o.count = 1;
		o.file = o.detour_count = 0;
	}
	snap->include = fl_config.include;
	snap->annotation_count =
		fl_annotations_read(snap->annotations, FL_ANNOTATIONS_MAX);
	fl_platform_context(&snap->context);
	fl_snapshot_resolve(snap, &report_modules);
	create_minidump(snap);
	rc = emit_resolved(snap, &o, callback);
	if (o.file)
		fl_platform_close(o.to[0]);
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

size_t fl_report_idle_memory(struct fl_span *out)
{
	/* A crash's module table: its first page of modules and of paths
	 * (a dozen modules) are written; the rest only for a long list. */
	const size_t head = 4096;
	const char *mods = (const char *)report_modules.modules;

	out[0] = (struct fl_span){&write_snap, sizeof(write_snap)};
	out[1] = (struct fl_span){&write_modules, sizeof(write_modules)};
	out[2] = (struct fl_span){mods + head,
				  sizeof(report_modules.modules) - head};
	out[3] = (struct fl_span){report_modules.arena + head,
				  sizeof(report_modules.arena) - head};
	return 4;
}

int fl_write_report_handle(fl_handle_t h, const struct faultline_fault *fault,
			   enum faultline_format format)
{
	struct fl_sink sink;

	if (__atomic_exchange_n(&write_busy, 1, __ATOMIC_ACQUIRE))
		return -1;
	fl_memcpy(&write_snap.fault, fault, sizeof(*fault));
	fl_platform_exe_path(write_snap.exe_path, sizeof(write_snap.exe_path));
	write_snap.include = FAULTLINE_INCLUDE_DEFAULT;
	write_snap.annotation_count =
		fl_annotations_read(write_snap.annotations, FL_ANNOTATIONS_MAX);
	fl_platform_context(&write_snap.context);
	fl_snapshot_resolve(&write_snap, &write_modules);
	fl_sink_init(&sink, h);
	render(&sink, &write_snap, format, 0);
	__atomic_store_n(&write_busy, 0, __ATOMIC_RELEASE);
	return sink.error ? -1 : 0;
}
