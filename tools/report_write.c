/*
 * report_write.c - write reports back out, in text or JSON, with what the
 * symbolizer found (see report.h).
 */
#include "report.h"

#include "color.h"
#include "io.h"
#include "source.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static void write_location(FILE *out, const struct location *loc, int color)
{
	color_start(out, color, COLOR_FUNCTION);
	write_text_escaped(out, loc->function ? loc->function : "??");
	color_end(out, color);
	if (loc->file) {
		fputs(" at ", out);
		color_start(out, color, COLOR_PLACE);
		write_text_escaped(out, loc->file);
		if (loc->line)
			fprintf(out, ":%d", loc->line);
		color_end(out, color);
	}
}

/* "NAME (NOTE)": what the symbolizer says of a frame nothing placed. */
static void write_note(FILE *out, const struct frame *frame, int color)
{
	color_start(out, color, COLOR_FUNCTION);
	write_text_escaped(out, frame->demangled ? frame->demangled : "??");
	color_end(out, color);
	fputs(" (", out);
	color_start(out, color, COLOR_NOTE);
	write_text_escaped(out, frame->note);
	color_end(out, color);
	putc(')', out);
}

void frame_write_locations(FILE *out, const struct frame *frame,
			   const char *prefix, const struct text_style *style)
{
	int color = style && style->color;
	if (!frame->symbolized)
		return;
	if (frame->location_count == 0) {
		if (frame->note || frame->demangled) {
			fprintf(out, "%s      ", prefix);
			if (frame->note) {
				write_note(out, frame, color);
			} else {
				color_start(out, color, COLOR_FUNCTION);
				write_text_escaped(out, frame->demangled);
				color_end(out, color);
			}
			putc('\n', out);
		}
		return;
	}
	for (size_t i = 0; i < frame->location_count; i++) {
		const struct location *loc = &frame->locations[i];
		fprintf(out, "%s      %s", prefix, i ? "inlined into " : "");
		write_location(out, loc, color);
		putc('\n', out);
		/* Frame 0's innermost line is where the crash happened. */
		if (style && style->source_context >= 0)
			source_write_excerpt(out, style->sources, loc->file,
					     loc->line, style->source_context,
					     prefix, color,
					     frame->index == 0 && i == 0);
	}
}

static void write_frame_line(FILE *out, const struct frame *f,
			     const char *prefix, const struct text_style *style)
{
	fprintf(out, "%s  #%-2ld 0x%016" PRIx64 " in ", prefix, f->index,
		f->pc);
	if (f->symbol) {
		write_text_escaped(out, f->symbol);
		fprintf(out, "+0x%" PRIx64, f->symbol_offset);
	} else {
		fputs("??", out);
	}
	fputs(" (", out);
	if (f->module) {
		write_text_escaped(out, f->module);
		if (f->has_offset)
			fprintf(out, "+0x%" PRIx64, f->offset);
	} else {
		fputs("??", out);
	}
	fputs(")\n", out);
	frame_write_locations(out, f, prefix, style);
}

/* The command line, time and uptime lines (doc/report-format.md). */
static void write_context(FILE *out, const struct report *r, const char *prefix)
{
	if (r->command_line) {
		fprintf(out, "%scommand line: ", prefix);
		write_text_escaped(out, r->command_line);
		fputs(r->command_line_cut ? " ... (cut)\n" : "\n", out);
	}
	if (!r->time && r->uptime_ms < 0)
		return;
	fprintf(out, "%stime: ", prefix);
	write_text_escaped(out, r->time ? r->time : "??");
	if (r->uptime_ms >= 0)
		fprintf(out, ", uptime %lld.%03lld s", r->uptime_ms / 1000,
			r->uptime_ms % 1000);
	putc('\n', out);
}

/* The annotations block, key=value lines. */
static void write_annotations(FILE *out, const struct report *r,
			      const char *prefix)
{
	if (r->annotation_count)
		fprintf(out, "%sannotations:\n", prefix);
	for (size_t i = 0; i < r->annotation_count; i++) {
		fprintf(out, "%s  ", prefix);
		write_text_escaped(out, r->annotations[2 * i]);
		putc('=', out);
		write_text_escaped(out, r->annotations[2 * i + 1]);
		putc('\n', out);
	}
}

void report_write_text(FILE *out, const struct report *r, const char *prefix,
		       const struct text_style *style)
{
	fprintf(out, "%s==== faultline %s crash report ====\n", prefix,
		r->version ? r->version : "?");
	fprintf(out, "%ssignal: %s (%d), code %s (%ld)", prefix,
		r->signal_name ? r->signal_name : "?", r->signo,
		r->code_name ? r->code_name : "?", r->code);
	if (r->has_syscall)
		fprintf(out, ", system call %ld (arch 0x%08" PRIx64 ")",
			r->syscall_nr, r->syscall_arch);
	if (r->has_sender)
		fprintf(out, ", sent by pid %ld uid %ld", r->sender_pid,
			r->sender_uid);
	putc('\n', out);
	if (r->has_address)
		fprintf(out, "%saddress: 0x%016" PRIx64 " (%s)\n", prefix,
			r->address, r->access ? r->access : "unknown access");
	if (r->cause) {
		fprintf(out, "%scause: ", prefix);
		write_text_escaped(out, r->cause);
		putc('\n', out);
	}
	if (r->exception_what) {
		fprintf(out, "%swhat: ", prefix);
		write_text_escaped(out, r->exception_what);
		putc('\n', out);
	}
	fprintf(out, "%sprocess: pid %ld, executable ", prefix, r->pid);
	write_text_escaped(out, r->executable ? r->executable : "??");
	putc('\n', out);
	write_context(out, r, prefix);
	write_annotations(out, r, prefix);
	for (size_t i = 0; i < r->thread_count; i++) {
		const struct thread *t = &r->threads[i];
		fprintf(out, "%sthread: tid %ld \"", prefix, t->tid);
		write_text_escaped(out, t->name ? t->name : "");
		fprintf(out, "\"%s\n", t->crashed ? " (crashed)" : "");
		fprintf(out, "%sbacktrace (%zu frames):\n", prefix,
			t->frame_count);
		for (size_t j = 0; j < t->frame_count; j++) {
			if (t->frames_omitted && j == t->omitted_at)
				fprintf(out, "%s  ... %zu frames omitted ...\n",
					prefix, t->frames_omitted);
			write_frame_line(out, &t->frames[j], prefix, style);
		}
		if (t->walk_cut)
			fprintf(out,
				"%sbacktrace incomplete: the unwinder reached "
				"its %s limit\n",
				prefix,
				strcmp(t->walk_cut, "time_limit") == 0
					? "time"
					: "step");
	}
	if (r->has_registers) {
		fprintf(out, "%sregisters:\n", prefix);
		for (size_t i = 0; i < r->register_count; i++) {
			if (i % 3 == 0)
				fprintf(out, "%s ", prefix);
			fprintf(out, "%s%-3s 0x%016" PRIx64,
				i % 3 == 0 ? " " : "  ", r->registers[i].name,
				r->registers[i].value);
			if (i % 3 == 2 || i + 1 == r->register_count)
				putc('\n', out);
		}
	}
	if (r->has_modules) {
		fprintf(out, "%smodules:\n", prefix);
		for (size_t i = 0; i < r->module_count; i++) {
			const struct module *m = &r->modules[i];
			fprintf(out, "%s  0x%016" PRIx64 " ", prefix, m->base);
			write_text_escaped(out, m->path ? m->path : "??");
			if (m->bias != m->base)
				fprintf(out, " bias 0x%016" PRIx64, m->bias);
			if (m->build_id)
				fprintf(out, " build-id %s", m->build_id);
			putc('\n', out);
		}
	}
	if (r->memory_map_count) {
		fprintf(out, "%smemory map:\n", prefix);
		for (size_t i = 0; i < r->memory_map_count; i++)
			fprintf(out, "%s  %s\n", prefix, r->memory_map[i]);
	}
	if (r->complete)
		fprintf(out, "%s==== end of faultline report ====\n", prefix);
}

/* ---------------------------------------------------------------------
 * JSON
 * ------------------------------------------------------------------- */

static struct json_value *hex(uint64_t v)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	return json_new_string(buf);
}

static struct json_value *string_or_null(const char *s)
{
	return s ? json_new_string(s) : json_new(JSON_NULL);
}

/* Out of memory while building a document leaves members out; the tool
 * then writes a shorter report rather than none. */
static void set(struct json_value *object, const char *key,
		struct json_value *value)
{
	if (value && json_set(object, key, value) < 0)
		json_free(value);
}

static void push(struct json_value *array, struct json_value *value)
{
	if (value && json_append(array, value) < 0)
		json_free(value);
}

/* "exception": the type is what the cause names after its prefix. */
static void set_exception(struct json_value *doc, const struct report *r)
{
	static const char prefix[] = "uncaught C++ exception ";
	struct json_value *e;

	if (!r->cause || strncmp(r->cause, prefix, sizeof(prefix) - 1) != 0)
		return;
	e = json_new(JSON_OBJECT);
	if (!e)
		return;
	set(e, "type", json_new_string(r->cause + sizeof(prefix) - 1));
	set(e, "mangled", string_or_null(r->exception_mangled));
	set(e, "what", string_or_null(r->exception_what));
	set(doc, "exception", e);
}

struct json_value *report_to_json(struct report *r)
{
	struct json_value *doc = json_new(JSON_OBJECT);
	if (!doc)
		return NULL;
	set(doc, "faultline", string_or_null(r->version));
	set(doc, "pid", json_new_number(r->pid));
	set(doc, "executable", string_or_null(r->executable));
	struct json_value *sig = json_new(JSON_OBJECT);
	if (sig) {
		set(sig, "number", json_new_number(r->signo));
		set(sig, "name", string_or_null(r->signal_name));
		set(sig, "code", json_new_number(r->code));
		set(sig, "code_name", string_or_null(r->code_name));
		if (r->has_address)
			set(sig, "address", hex(r->address));
		if (r->access)
			set(sig, "access", json_new_string(r->access));
		if (r->has_sender) {
			set(sig, "sender_pid", json_new_number(r->sender_pid));
			set(sig, "sender_uid", json_new_number(r->sender_uid));
		}
		if (r->has_syscall) {
			set(sig, "syscall", json_new_number(r->syscall_nr));
			set(sig, "syscall_arch", hex(r->syscall_arch));
		}
		set(doc, "signal", sig);
	}
	set(doc, "cause", string_or_null(r->cause));
	set_exception(doc, r);
	if (r->command_line) {
		set(doc, "command_line", json_new_string(r->command_line));
		set(doc, "command_line_cut",
		    json_new(r->command_line_cut ? JSON_TRUE : JSON_FALSE));
	}
	if (r->time)
		set(doc, "time", json_new_string(r->time));
	if (r->uptime_ms >= 0)
		set(doc, "uptime_ms", json_new_number(r->uptime_ms));
	struct json_value *notes = json_new(JSON_OBJECT);
	for (size_t i = 0; notes && i < r->annotation_count; i++)
		set(notes, r->annotations[2 * i],
		    json_new_string(r->annotations[2 * i + 1]));
	set(doc, "annotations", notes);
	struct json_value *threads = json_new(JSON_ARRAY);
	for (size_t i = 0; threads && i < r->thread_count; i++) {
		struct thread *t = &r->threads[i];
		struct json_value *tv = json_new(JSON_OBJECT);
		if (!tv)
			continue;
		set(tv, "tid", json_new_number(t->tid));
		set(tv, "name", string_or_null(t->name));
		set(tv, "crashed",
		    json_new(t->crashed ? JSON_TRUE : JSON_FALSE));
		set(tv, "frames_omitted",
		    json_new_number((long long)t->frames_omitted));
		if (t->walk_cut)
			set(tv, "walk_cut", json_new_string(t->walk_cut));
		struct json_value *frames = json_new(JSON_ARRAY);
		for (size_t j = 0; frames && j < t->frame_count; j++) {
			struct frame *f = &t->frames[j];
			struct json_value *fv = json_new(JSON_OBJECT);
			if (!fv)
				continue;
			set(fv, "index", json_new_number(f->index));
			set(fv, "pc", hex(f->pc));
			set(fv, "module", string_or_null(f->module));
			set(fv, "offset",
			    f->has_offset ? hex(f->offset)
					  : json_new(JSON_NULL));
			set(fv, "symbol", string_or_null(f->symbol));
			set(fv, "symbol_offset",
			    f->symbol ? hex(f->symbol_offset)
				      : json_new(JSON_NULL));
			set(fv, "mangled", string_or_null(f->mangled));
			f->node = fv;
			push(frames, fv);
			if (frames->count == 0 ||
			    frames->items[frames->count - 1] != fv)
				f->node = NULL;
		}
		set(tv, "frames", frames);
		push(threads, tv);
	}
	set(doc, "threads", threads);
	if (r->has_registers) {
		struct json_value *regs = json_new(JSON_OBJECT);
		for (size_t i = 0; regs && i < r->register_count; i++)
			set(regs, r->registers[i].name,
			    hex(r->registers[i].value));
		set(doc, "registers", regs);
	}
	if (r->has_modules) {
		struct json_value *mods = json_new(JSON_ARRAY);
		for (size_t i = 0; mods && i < r->module_count; i++) {
			struct module *m = &r->modules[i];
			struct json_value *mv = json_new(JSON_OBJECT);
			if (!mv)
				continue;
			set(mv, "path", string_or_null(m->path));
			set(mv, "base", hex(m->base));
			set(mv, "bias", hex(m->bias));
			set(mv, "build_id", string_or_null(m->build_id));
			push(mods, mv);
		}
		set(doc, "modules", mods);
	}
	if (r->memory_map_count) {
		struct json_value *maps = json_new(JSON_ARRAY);
		for (size_t i = 0; maps && i < r->memory_map_count; i++)
			push(maps, json_new_string(r->memory_map[i]));
		set(doc, "memory_map", maps);
	}
	return doc;
}

static struct json_value *location_json(const struct location *loc)
{
	struct json_value *v = json_new(JSON_OBJECT);
	if (!v)
		return NULL;
	set(v, "function", string_or_null(loc->function));
	set(v, "file", string_or_null(loc->file));
	set(v, "line",
	    loc->line ? json_new_number(loc->line) : json_new(JSON_NULL));
	if (loc->column)
		set(v, "column", json_new_number(loc->column));
	return v;
}

/* Members added to a frame: "function" (demangled), "file", "line",
 * "column" of the innermost location, and "inlined_into": the call sites
 * of the functions it was inlined into, innermost first. */
void report_annotate_json(struct report *r)
{
	for (size_t i = 0; i < r->thread_count; i++) {
		for (size_t j = 0; j < r->threads[i].frame_count; j++) {
			struct frame *f = &r->threads[i].frames[j];
			if (!f->node || f->node->type != JSON_OBJECT ||
			    !f->symbolized)
				continue;
			/* A noted frame's symbol, if any, is not its own
			 * (e.g. "_init" for a PLT stub). */
			const char *function =
				f->location_count && f->locations[0].function
					? f->locations[0].function
				: f->demangled || f->note ? f->demangled
							  : f->symbol;
			set(f->node, "function", string_or_null(function));
			if (f->note)
				set(f->node, "note", json_new_string(f->note));
			if (f->location_count == 0)
				continue;
			const struct location *loc = &f->locations[0];
			set(f->node, "file", string_or_null(loc->file));
			set(f->node, "line",
			    loc->line ? json_new_number(loc->line)
				      : json_new(JSON_NULL));
			if (loc->column)
				set(f->node, "column",
				    json_new_number(loc->column));
			struct json_value *chain = json_new(JSON_ARRAY);
			for (size_t k = 1; chain && k < f->location_count; k++)
				push(chain, location_json(&f->locations[k]));
			set(f->node, "inlined_into", chain);
		}
	}
}
