/*
 * render_json.c - the machine-readable report: one JSON object on one
 * line (doc/report-format.md).  Addresses are strings, so that no JSON
 * reader loses bits above 2^53; any byte in a path or symbol name yields
 * valid JSON (sink.c escapes it).
 */
#include "render.h"

static void key(struct fl_sink *s, const char *name, int *first)
{
	if (!*first)
		fl_sink_char(s, ',');
	*first = 0;
	fl_sink_char(s, '"');
	fl_sink_str(s, name);
	fl_sink_str(s, "\":");
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

static void put_signal(struct fl_sink *s, const struct faultline_fault *f)
{
	int first = 1;

	fl_sink_char(s, '{');
	key(s, "number", &first);
	fl_sink_dec(s, f->signo);
	key(s, "name", &first);
	str_or_null(s, f->signal_name);
	key(s, "code", &first);
	fl_sink_dec(s, f->code);
	key(s, "code_name", &first);
	str_or_null(s, f->code_name);
	key(s, "address", &first);
	hex_str(s, f->address);
	key(s, "access", &first);
	fl_sink_json_str(s, fl_access_name(f->access));
	if (f->has_sender) {
		key(s, "sender_pid", &first);
		fl_sink_dec(s, f->sender_pid);
		key(s, "sender_uid", &first);
		fl_sink_dec(s, f->sender_uid);
	}
	if (f->exception_code) {
		key(s, "exception_code", &first);
		hex_str(s, f->exception_code);
		key(s, "exception_name", &first);
		str_or_null(s, f->code_name);
	}
	fl_sink_char(s, '}');
}

static void put_frame(struct fl_sink *s, const struct fl_snapshot *snap,
		      size_t i, size_t number)
{
	const struct fl_frame_info *fi = &snap->frame_info[i];
	int first = 1;

	fl_sink_char(s, '{');
	key(s, "index", &first);
	fl_sink_udec(s, number);
	key(s, "pc", &first);
	hex_str(s, snap->fault.frames[i]);
	key(s, "module", &first);
	if (fi->module >= 0) {
		fl_sink_json_str(s, snap->modules->modules[fi->module].path);
		key(s, "offset", &first);
		hex_str(s, fi->module_offset);
	} else {
		fl_sink_str(s, "null");
		key(s, "offset", &first);
		fl_sink_str(s, "null");
	}
	key(s, "symbol", &first);
	str_or_null(s, fi->symbol);
	key(s, "symbol_offset", &first);
	if (fi->symbol && fi->symbol[0]) /* NULL: never resolved */
		hex_str(s, fi->symbol_offset);
	else
		fl_sink_str(s, "null");
	fl_sink_char(s, '}');
}

static void put_thread(struct fl_sink *s, const struct fl_snapshot *snap)
{
	const struct faultline_fault *f = &snap->fault;
	int first = 1;

	fl_sink_str(s, "[{");
	key(s, "tid", &first);
	fl_sink_dec(s, f->tid);
	key(s, "name", &first);
	fl_sink_json_str(s, f->thread_name);
	key(s, "crashed", &first);
	fl_sink_str(s, "true");
	key(s, "frames_omitted", &first);
	fl_sink_udec(s, f->frames_omitted);
	key(s, "frames", &first);
	fl_sink_char(s, '[');
	for (size_t i = 0; i < f->frame_count; i++) {
		size_t number = i;
		if (i >= FAULTLINE_FRAMES_HEAD)
			number += f->frames_omitted;
		if (i)
			fl_sink_char(s, ',');
		put_frame(s, snap, i, number);
	}
	fl_sink_str(s, "]}]");
}

static void put_registers(struct fl_sink *s, const struct faultline_fault *f)
{
	int first = 1;

	fl_sink_char(s, '{');
	for (unsigned i = 0; i < f->register_count; i++) {
		key(s, f->registers[i].name, &first);
		hex_str(s, f->registers[i].value);
	}
	fl_sink_char(s, '}');
}

static void put_modules(struct fl_sink *s, const struct fl_module_table *t)
{
	fl_sink_char(s, '[');
	for (size_t i = 0; i < t->count; i++) {
		const struct fl_module *m = &t->modules[i];
		int first = 1;
		if (i)
			fl_sink_char(s, ',');
		fl_sink_char(s, '{');
		key(s, "path", &first);
		fl_sink_json_str(s, m->path);
		key(s, "base", &first);
		hex_str(s, m->base);
		key(s, "bias", &first);
		hex_str(s, m->bias);
		key(s, "build_id", &first);
		if (m->build_id_len) {
			fl_sink_char(s, '"');
			fl_sink_hexbytes(s, m->build_id, m->build_id_len);
			fl_sink_char(s, '"');
		} else {
			fl_sink_str(s, "null");
		}
		fl_sink_char(s, '}');
	}
	fl_sink_char(s, ']');
}

void fl_render_json(struct fl_sink *s, const struct fl_snapshot *snap)
{
	const struct faultline_fault *f = &snap->fault;
	int first = 1;

	fl_sink_char(s, '{');
	key(s, "faultline", &first);
	fl_sink_json_str(s, FAULTLINE_VERSION_STRING);
	key(s, "pid", &first);
	fl_sink_dec(s, f->pid);
	key(s, "executable", &first);
	str_or_null(s, snap->exe_path);
	key(s, "signal", &first);
	put_signal(s, f);
	key(s, "cause", &first);
	fl_sink_json_str(s, f->cause_text);
	key(s, "threads", &first);
	put_thread(s, snap);
	if (snap->include & FAULTLINE_INCLUDE_REGISTERS) {
		key(s, "registers", &first);
		put_registers(s, f);
	}
	if ((snap->include & FAULTLINE_INCLUDE_MODULES) && snap->modules) {
		key(s, "modules", &first);
		put_modules(s, snap->modules);
	}
	if (snap->include & FAULTLINE_INCLUDE_MEMORY_MAP) {
		key(s, "memory_map", &first);
		fl_platform_write_memory_map(s, 1);
	}
	fl_sink_str(s, "}\n");
}
