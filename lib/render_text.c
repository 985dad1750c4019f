/*
 * render_text.c - the human-readable report (doc/report-format.md).
 * Line-oriented and stable: `faultline symbolize` parses it back.
 */
#include "render.h"

static void put_addr(struct fl_sink *s, uintptr_t v)
{
	fl_sink_hex(s, v, 2 * (int)sizeof(void *));
}

static void put_signal_line(struct fl_sink *s, const struct fl_snapshot *snap)
{
	const struct faultline_fault *f = &snap->fault;

	fl_sink_str(s, "signal: ");
	fl_sink_str(s, f->signal_name ? f->signal_name : "SIG?");
	fl_sink_str(s, " (");
	fl_sink_dec(s, f->signo);
	fl_sink_str(s, ")");
	if (f->exception_code) {
		fl_sink_str(s, ", exception ");
		fl_sink_str(s, f->code_name ? f->code_name : "unknown");
		fl_sink_str(s, " (");
		fl_sink_hex(s, f->exception_code, 8);
		fl_sink_str(s, ")");
	} else {
		fl_sink_str(s, ", code ");
		fl_sink_str(s, f->code_name ? f->code_name : "unknown");
		fl_sink_str(s, " (");
		fl_sink_dec(s, f->code);
		fl_sink_str(s, ")");
	}
	if (snap->has_syscall) {
		fl_sink_str(s, ", system call ");
		fl_sink_dec(s, snap->syscall_nr);
		fl_sink_str(s, " (arch ");
		fl_sink_hex(s, snap->syscall_arch, 8);
		fl_sink_str(s, ")");
	}
	if (f->has_sender) {
		fl_sink_str(s, ", sent by pid ");
		fl_sink_dec(s, f->sender_pid);
		fl_sink_str(s, " uid ");
		fl_sink_dec(s, f->sender_uid);
	}
	fl_sink_char(s, '\n');
}

static void put_frame(struct fl_sink *s, const struct fl_snapshot *snap,
		      uintptr_t pc, const struct fl_frame_info *fi,
		      size_t number)
{
	fl_sink_str(s, "  #");
	fl_sink_udec(s, number);
	fl_sink_str(s, number < 10 ? "   " : number < 100 ? "  " : " ");
	put_addr(s, pc);
	fl_sink_str(s, " in ");
	if (fi->symbol && fi->symbol[0]) { /* NULL: never resolved */
		fl_sink_text_str(s, fi->symbol);
		fl_sink_str(s, "+");
		fl_sink_hex(s, fi->symbol_offset, 1);
	} else {
		fl_sink_str(s, "??");
	}
	fl_sink_str(s, " (");
	if (fi->module >= 0) {
		fl_sink_text_str(s, snap->modules->modules[fi->module].path);
		fl_sink_str(s, "+");
		fl_sink_hex(s, fi->module_offset, 1);
	} else {
		fl_sink_str(s, "??");
	}
	fl_sink_str(s, ")\n");
}

static void put_backtrace(struct fl_sink *s, const struct fl_snapshot *snap)
{
	const struct faultline_fault *f = &snap->fault;
	size_t omitted = fl_frames_omitted_count(f);

	/* An uncounted gap (a recovery's): N and the numbers count the
	 * frames shown. */
	fl_sink_str(s, "backtrace (");
	fl_sink_udec(s, f->frame_count + omitted);
	fl_sink_str(s, " frames):\n");
	for (size_t i = 0; i < f->frame_count; i++) {
		size_t number = i;
		if (i == FAULTLINE_FRAMES_HEAD && f->frames_omitted) {
			fl_sink_str(s, "  ... ");
			if (omitted) {
				fl_sink_udec(s, omitted);
				fl_sink_char(s, ' ');
			}
			fl_sink_str(s, "frames omitted ...\n");
		}
		if (i >= FAULTLINE_FRAMES_HEAD)
			number += omitted;
		put_frame(s, snap, f->frames[i], &snap->frame_info[i], number);
	}
}

static void put_thread_line(struct fl_sink *s, long tid, const char *name)
{
	fl_sink_str(s, "thread: tid ");
	fl_sink_dec(s, tid);
	fl_sink_str(s, " \"");
	fl_sink_text_str(s, name);
	fl_sink_str(s, "\" (");
}

/* Another thread: its state before it was stopped, how it was captured
 * when that was not stopping it, its frames. */
static void put_other_thread(struct fl_sink *s, struct fl_snapshot *snap,
			     size_t i)
{
	const struct fl_thread_frames *tf = fl_snapshot_thread(snap, i);
	const struct fl_thread *t = tf->thread;
	const char *why = fl_thread_why_name(t);

	put_thread_line(s, t->tid, t->name);
	fl_sink_str(s, fl_thread_state_name(t->state));
	if (t->capture != FL_THREAD_STOPPED) {
		fl_sink_str(s, ", ");
		fl_sink_str(s, fl_thread_capture_name(t));
		if (why) {
			fl_sink_str(s, ": ");
			fl_sink_str(s, why);
		}
		fl_sink_str(s, ")\n");
		return;
	}
	fl_sink_str(s, ")\nbacktrace (");
	fl_sink_udec(s, t->frame_count);
	fl_sink_str(s, t->truncated ? " frames, more not walked):\n"
				    : " frames):\n");
	for (size_t k = 0; k < t->frame_count; k++)
		put_frame(s, snap, t->frames[k], &tf->info[k], k);
}

static void put_other_threads(struct fl_sink *s, struct fl_snapshot *snap)
{
	for (size_t i = 0; i < snap->threads.count; i++) {
		if (fl_threads_cut(&snap->threads)) {
			fl_sink_str(s, "threads not written: ");
			fl_sink_udec(s, snap->threads.count - i);
			fl_sink_str(s, " (the process is crashing)\n");
			break;
		}
		put_other_thread(s, snap, i);
	}
	if (snap->threads.not_listed) {
		fl_sink_str(s, "threads not listed: ");
		fl_sink_udec(s, snap->threads.not_listed);
		fl_sink_char(s, '\n');
	}
}

/* An uncaught C++ exception ended in abort(): its type is the cause. */
static void put_cause(struct fl_sink *s, const struct fl_snapshot *snap)
{
	const struct fl_exception *e = &snap->exception;
	char cause[FL_CAUSE_MAX];

	fl_sink_text_str(s, fl_snapshot_cause(snap, cause, sizeof(cause)));
	if (e->present && e->has_what) {
		fl_sink_str(s, "\nwhat: ");
		fl_sink_text_str(s, e->what);
	}
}

/* The command line, when and how long after the process's start. */
static void put_context(struct fl_sink *s, const struct fl_context *c)
{
	if (c->command_line[0]) {
		fl_sink_str(s, "command line: ");
		fl_sink_text_str(s, c->command_line);
		if (c->command_line_cut)
			fl_sink_str(s, " ... (cut)");
		fl_sink_char(s, '\n');
	}
	if (c->time_s == 0 && c->uptime_ms < 0)
		return;
	fl_sink_str(s, "time: ");
	if (c->time_s)
		fl_sink_utc_time(s, c->time_s, c->time_ms);
	else
		fl_sink_str(s, "??");
	if (c->uptime_ms >= 0) {
		fl_sink_str(s, ", uptime ");
		fl_sink_dec(s, c->uptime_ms / 1000);
		fl_sink_char(s, '.');
		fl_sink_char(s, (char)('0' + c->uptime_ms / 100 % 10));
		fl_sink_char(s, (char)('0' + c->uptime_ms / 10 % 10));
		fl_sink_char(s, (char)('0' + c->uptime_ms % 10));
		fl_sink_str(s, " s");
	}
	fl_sink_char(s, '\n');
}

/* "minidump: PATH", or why none was written when one was asked for. */
static void put_minidump(struct fl_sink *s, const struct fl_snapshot *snap)
{
	if (snap->minidump[0]) {
		fl_sink_str(s, "minidump: ");
		fl_sink_text_str(s, snap->minidump);
		fl_sink_char(s, '\n');
	} else if (snap->minidump_error) {
		fl_sink_str(s, "minidump: none (");
		fl_sink_str(s, snap->minidump_error);
		fl_sink_str(s, ")\n");
	}
}

/* key=value: keys hold no '=' (faultline_annotate refuses them). */
static void put_annotations(struct fl_sink *s, const struct fl_snapshot *snap)
{
	if (!snap->annotation_count)
		return;
	fl_sink_str(s, "annotations:\n");
	for (size_t i = 0; i < snap->annotation_count; i++) {
		fl_sink_str(s, "  ");
		fl_sink_text_str(s, snap->annotations[i].key);
		fl_sink_char(s, '=');
		fl_sink_text_str(s, snap->annotations[i].value);
		fl_sink_char(s, '\n');
	}
}

static void put_walk_cut(struct fl_sink *s, int cut)
{
	if (cut == FL_WALK_STEP_CAP)
		fl_sink_str(s, "backtrace incomplete: the unwinder reached "
			       "its step limit\n");
	else if (cut == FL_WALK_TIME_CAP)
		fl_sink_str(s, "backtrace incomplete: the unwinder reached "
			       "its time limit\n");
}

static void put_registers(struct fl_sink *s, const struct faultline_fault *f)
{
	if (!f->register_count)
		return;
	fl_sink_str(s, "registers:");
	for (unsigned i = 0; i < f->register_count; i++) {
		const char *name = f->registers[i].name;
		fl_sink_str(s, i % 3 == 0 ? "\n  " : "  ");
		fl_sink_str(s, name);
		fl_sink_pad(s, fl_strlen(name), 7);
		fl_sink_hex(s, f->registers[i].value, 16);
	}
	fl_sink_char(s, '\n');
}

static void put_modules(struct fl_sink *s, const struct fl_module_table *t)
{
	fl_sink_str(s, "modules:\n");
	for (size_t i = 0; i < t->count; i++) {
		const struct fl_module *m = &t->modules[i];
		fl_sink_str(s, "  ");
		put_addr(s, m->base);
		fl_sink_char(s, ' ');
		fl_sink_text_str(s, m->path);
		if (m->bias != m->base) {
			fl_sink_str(s, " bias ");
			fl_sink_hex(s, m->bias, 1);
		}
		if (m->build_id_len) {
			fl_sink_str(s, " build-id ");
			fl_sink_hexbytes(s, m->build_id, m->build_id_len);
		}
		fl_sink_char(s, '\n');
	}
}

void fl_render_text(struct fl_sink *s, struct fl_snapshot *snap)
{
	const struct faultline_fault *f = &snap->fault;

	/* Dumps and watchdog reports open the same way: readers find every
	 * report by this line. */
	fl_sink_str(s, "==== faultline " FAULTLINE_VERSION_STRING
		       " crash report ====\n");
	if (f->signo) /* a report without a fault has no signal */
		put_signal_line(s, snap);
	if (f->signo && !f->has_sender) { /* a sent signal has no address */
		fl_sink_str(s, "address: ");
		put_addr(s, f->address);
		fl_sink_str(s, " (");
		fl_sink_str(s, fl_access_name(f->access));
		fl_sink_str(s, ")\n");
	}
	fl_sink_str(s, "cause: ");
	put_cause(s, snap);
	fl_sink_str(s, "\nprocess: pid ");
	fl_sink_dec(s, f->pid);
	fl_sink_str(s, ", executable ");
	fl_sink_text_str(s, snap->exe_path[0] ? snap->exe_path : "??");
	fl_sink_char(s, '\n');
	put_context(s, &snap->context);
	put_minidump(s, snap);
	put_annotations(s, snap);
	put_thread_line(s, f->tid, f->thread_name);
	fl_sink_str(s, snap->threads.reporting ? "reporting)\n" : "crashed)\n");
	put_backtrace(s, snap);
	put_walk_cut(s, snap->walk_cut);
	if (snap->include & FAULTLINE_INCLUDE_REGISTERS)
		put_registers(s, f);
	put_other_threads(s, snap);
	if ((snap->include & FAULTLINE_INCLUDE_MODULES) && snap->modules)
		put_modules(s, snap->modules);
	if (snap->include & FAULTLINE_INCLUDE_MEMORY_MAP)
		fl_platform_write_memory_map(s, 0);
}

void fl_render_text_end(struct fl_sink *s)
{
	fl_sink_str(s, FL_TEXT_END);
}
