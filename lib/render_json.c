/*
 * render_json.c - the machine-readable report: one JSON object on one
 * line (doc/report-format.md).  Addresses are strings, so that no JSON
 * reader loses bits above 2^53; any byte in a path or symbol name yields
 * valid JSON (sink.c escapes it).
 */
#include "render.h"

/* One JSON object being written: each member goes in with its key, and
 * a comma before all but the first. */
struct object {
	struct fl_sink *s;
	int members;
};

static struct object begin(struct fl_sink *s)
{
	fl_sink_char(s, '{');
	return (struct object){s, 0};
}

static void end(const struct object *o)
{
	fl_sink_char(o->s, '}');
}

/* The key of a member; the caller writes its value into the result. */
static struct fl_sink *member(struct object *o, const char *name)
{
	if (o->members++)
		fl_sink_char(o->s, ',');
	fl_sink_char(o->s, '"');
	fl_sink_str(o->s, name);
	fl_sink_str(o->s, "\":");
	return o->s;
}

static void hex_str(struct fl_sink *s, unsigned long long v)
{
	fl_sink_char(s, '"');
	fl_sink_hex(s, v, 1);
	fl_sink_char(s, '"');
}

static void str_or_null(struct fl_sink *s, const char *v)
{
	if (v && v[0])
		fl_sink_json_str(s, v);
	else
		fl_sink_str(s, "null");
}

static void put_signal(struct fl_sink *s, const struct fl_snapshot *snap)
{
	const struct faultline_fault *f = &snap->fault;
	struct object o = begin(s);

	fl_sink_dec(member(&o, "number"), f->signo);
	str_or_null(member(&o, "name"), f->signal_name);
	fl_sink_dec(member(&o, "code"), f->code);
	str_or_null(member(&o, "code_name"), f->code_name);
	hex_str(member(&o, "address"), f->address);
	fl_sink_json_str(member(&o, "access"), fl_access_name(f->access));
	if (f->has_sender) {
		fl_sink_dec(member(&o, "sender_pid"), f->sender_pid);
		fl_sink_dec(member(&o, "sender_uid"), f->sender_uid);
	}
	if (f->exception_code) {
		hex_str(member(&o, "exception_code"), f->exception_code);
		str_or_null(member(&o, "exception_name"), f->code_name);
	}
	if (snap->has_syscall) {
		fl_sink_dec(member(&o, "syscall"), snap->syscall_nr);
		hex_str(member(&o, "syscall_arch"), snap->syscall_arch);
	}
	end(&o);
}

/* An uncaught C++ exception ended in abort(): its type is the cause. */
static void put_cause(struct object *o, const struct fl_snapshot *snap)
{
	const struct fl_exception *e = &snap->exception;
	char cause[FL_CAUSE_MAX];
	struct object x;

	fl_sink_json_str(member(o, "cause"),
			 fl_snapshot_cause(snap, cause, sizeof(cause)));
	if (!e->present)
		return;
	x = begin(member(o, "exception"));
	fl_sink_json_str(member(&x, "type"), e->type);
	fl_sink_json_str(member(&x, "mangled"), e->mangled);
	if (e->has_what)
		fl_sink_json_str(member(&x, "what"), e->what);
	else
		fl_sink_str(member(&x, "what"), "null");
	end(&x);
}

static void put_context(struct object *o, const struct fl_context *c)
{
	str_or_null(member(o, "command_line"), c->command_line);
	fl_sink_str(member(o, "command_line_cut"),
		    c->command_line_cut ? "true" : "false");
	if (c->time_s) {
		struct fl_sink *s = member(o, "time");
		fl_sink_char(s, '"');
		fl_sink_utc_time(s, c->time_s, c->time_ms);
		fl_sink_char(s, '"');
	} else {
		fl_sink_str(member(o, "time"), "null");
	}
	if (c->uptime_ms >= 0)
		fl_sink_dec(member(o, "uptime_ms"), c->uptime_ms);
	else
		fl_sink_str(member(o, "uptime_ms"), "null");
}

static void put_frame(struct fl_sink *s, const struct fl_snapshot *snap,
		      uintptr_t pc, const struct fl_frame_info *fi,
		      size_t number)
{
	struct object o = begin(s);

	fl_sink_udec(member(&o, "index"), number);
	hex_str(member(&o, "pc"), pc);
	if (fi->module >= 0) {
		fl_sink_json_str(member(&o, "module"),
				 snap->modules->modules[fi->module].path);
		hex_str(member(&o, "offset"), fi->module_offset);
	} else {
		fl_sink_str(member(&o, "module"), "null");
		fl_sink_str(member(&o, "offset"), "null");
	}
	str_or_null(member(&o, "symbol"), fi->symbol);
	if (fi->symbol && fi->symbol[0]) /* NULL: never resolved */
		hex_str(member(&o, "symbol_offset"), fi->symbol_offset);
	else
		fl_sink_str(member(&o, "symbol_offset"), "null");
	str_or_null(member(&o, "mangled"), fi->mangled);
	end(&o);
}

/* The members every thread object starts with. */
static void put_thread_head(struct object *o, long tid, const char *name,
			    int crashed, const char *capture, char state)
{
	fl_sink_dec(member(o, "tid"), tid);
	fl_sink_json_str(member(o, "name"), name);
	fl_sink_str(member(o, "crashed"), crashed ? "true" : "false");
	fl_sink_json_str(member(o, "capture"), capture);
	fl_sink_json_str(member(o, "state"), fl_thread_state_name(state));
}

/* The crashed thread, or the one that writes a dump. */
static void put_first_thread(struct fl_sink *s, const struct fl_snapshot *snap)
{
	const struct faultline_fault *f = &snap->fault;
	int crashed = !snap->threads.reporting;
	struct object o = begin(s);

	put_thread_head(&o, f->tid, f->thread_name, crashed,
			crashed ? "crashed" : "reporting", 'R');
	fl_sink_str(member(&o, "truncated"), "false");
	if (f->frames_omitted == FAULTLINE_FRAMES_OMITTED_UNKNOWN)
		fl_sink_str(member(&o, "frames_omitted"), "null");
	else
		fl_sink_udec(member(&o, "frames_omitted"), f->frames_omitted);
	str_or_null(member(&o, "walk_cut"),
		    snap->walk_cut == FL_WALK_STEP_CAP	 ? "step_limit"
		    : snap->walk_cut == FL_WALK_TIME_CAP ? "time_limit"
							 : NULL);
	fl_sink_char(member(&o, "frames"), '[');
	for (size_t i = 0; i < f->frame_count; i++) {
		size_t number = i;
		if (i >= FAULTLINE_FRAMES_HEAD)
			number += fl_frames_omitted_count(f);
		if (i)
			fl_sink_char(s, ',');
		put_frame(s, snap, f->frames[i], &snap->frame_info[i], number);
	}
	fl_sink_char(s, ']');
	end(&o);
}

static void put_other_thread(struct fl_sink *s, struct fl_snapshot *snap,
			     size_t i)
{
	const struct fl_thread_frames *tf = fl_snapshot_thread(snap, i);
	const struct fl_thread *t = tf->thread;
	const char *why = fl_thread_why_name(t);
	size_t n = t->capture == FL_THREAD_STOPPED ? t->frame_count : 0;
	struct object o = begin(s);

	put_thread_head(&o, t->tid, t->name, 0, fl_thread_capture_name(t),
			t->state);
	if (why)
		fl_sink_json_str(member(&o, "why"), why);
	fl_sink_str(member(&o, "truncated"), t->truncated ? "true" : "false");
	fl_sink_str(member(&o, "frames_omitted"), "0");
	fl_sink_char(member(&o, "frames"), '[');
	for (size_t k = 0; k < n; k++) {
		if (k)
			fl_sink_char(s, ',');
		put_frame(s, snap, t->frames[k], &tf->info[k], k);
	}
	fl_sink_char(s, ']');
	end(&o);
}

/* The threads array; returns how many other threads were not written
 * (the process is crashing). */
static size_t put_threads(struct fl_sink *s, struct fl_snapshot *snap)
{
	size_t i;

	fl_sink_char(s, '[');
	put_first_thread(s, snap);
	for (i = 0; i < snap->threads.count; i++) {
		if (fl_threads_cut(&snap->threads))
			break;
		fl_sink_char(s, ',');
		put_other_thread(s, snap, i);
	}
	fl_sink_char(s, ']');
	return snap->threads.count - i;
}

static void put_registers(struct fl_sink *s, const struct faultline_fault *f)
{
	struct object o = begin(s);

	for (unsigned i = 0; i < f->register_count; i++)
		hex_str(member(&o, f->registers[i].name),
			f->registers[i].value);
	end(&o);
}

static void put_build_id(struct fl_sink *s, const struct fl_module *m)
{
	if (!m->build_id_len) {
		fl_sink_str(s, "null");
		return;
	}
	fl_sink_char(s, '"');
	fl_sink_hexbytes(s, m->build_id, m->build_id_len);
	fl_sink_char(s, '"');
}

static void put_modules(struct fl_sink *s, const struct fl_module_table *t)
{
	fl_sink_char(s, '[');
	for (size_t i = 0; i < t->count; i++) {
		const struct fl_module *m = &t->modules[i];
		struct object o;

		if (i)
			fl_sink_char(s, ',');
		o = begin(s);
		fl_sink_json_str(member(&o, "path"), m->path);
		hex_str(member(&o, "base"), m->base);
		hex_str(member(&o, "bias"), m->bias);
		put_build_id(member(&o, "build_id"), m);
		end(&o);
	}
	fl_sink_char(s, ']');
}

static void put_annotations(struct fl_sink *s, const struct fl_snapshot *snap)
{
	struct object o = begin(s);

	for (size_t i = 0; i < snap->annotation_count; i++) {
		if (o.members++)
			fl_sink_char(s, ',');
		fl_sink_json_str(s, snap->annotations[i].key);
		fl_sink_char(s, ':');
		fl_sink_json_str(s, snap->annotations[i].value);
	}
	end(&o);
}

void fl_render_json(struct fl_sink *s, struct fl_snapshot *snap)
{
	const struct faultline_fault *f = &snap->fault;
	struct object o = begin(s);
	size_t not_written;

	fl_sink_json_str(member(&o, "faultline"), FAULTLINE_VERSION_STRING);
	fl_sink_dec(member(&o, "pid"), f->pid);
	str_or_null(member(&o, "executable"), snap->exe_path);
	if (f->signo) /* a report without a fault has no signal */
		put_signal(member(&o, "signal"), snap);
	put_cause(&o, snap);
	put_context(&o, &snap->context);
	if (snap->minidump[0])
		fl_sink_json_str(member(&o, "minidump"), snap->minidump);
	else if (snap->minidump_error)
		fl_sink_json_str(member(&o, "minidump_error"),
				 snap->minidump_error);
	put_annotations(member(&o, "annotations"), snap);
	not_written = put_threads(member(&o, "threads"), snap);
	if (not_written)
		fl_sink_udec(member(&o, "threads_not_written"), not_written);
	if (snap->threads.not_listed)
		fl_sink_udec(member(&o, "threads_not_listed"),
			     snap->threads.not_listed);
	if (snap->include & FAULTLINE_INCLUDE_REGISTERS)
		put_registers(member(&o, "registers"), f);
	if ((snap->include & FAULTLINE_INCLUDE_MODULES) && snap->modules)
		put_modules(member(&o, "modules"), snap->modules);
	if (snap->include & FAULTLINE_INCLUDE_MEMORY_MAP)
		fl_platform_write_memory_map(member(&o, "memory_map"), 1);
	end(&o);
	fl_sink_char(s, '\n');
}
