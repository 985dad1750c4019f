/*
 * report_parse.c - find and read faultline reports in a log (see report.h).
 */
#include "report.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ci_stamp.h"

static const char TEXT_OPEN[] = "==== faultline ";
static const char TEXT_OPEN_END[] = " crash report ====";
static const char TEXT_CLOSE[] = "==== end of faultline report ====";
static const char JSON_OPEN[] = "{\"faultline\":";

/* A view of part of a line. */
struct span {
	const char *p;
	size_t n;
};

static int starts(struct span s, const char *word)
{
	size_t n = strlen(word);
	return s.n >= n && memcmp(s.p, word, n) == 0;
}

static struct span skip(struct span s, size_t n)
{
	if (n > s.n)
		n = s.n;
	s.p += n;
	s.n -= n;
	return s;
}

static struct span trim(struct span s)
{
	while (s.n && (s.p[0] == ' ' || s.p[0] == '\t'))
		s = skip(s, 1);
	while (s.n && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t' ||
		       s.p[s.n - 1] == '\r'))
		s.n--;
	return s;
}

/* Position of the first occurrence of word in s, or -1. */
static long find(struct span s, const char *word)
{
	size_t n = strlen(word);
	for (size_t i = 0; n <= s.n && i <= s.n - n; i++)
		if (memcmp(s.p + i, word, n) == 0)
			return (long)i;
	return -1;
}

static long find_last(struct span s, const char *word)
{
	size_t n = strlen(word);
	if (n > s.n)
		return -1;
	for (size_t i = s.n - n + 1; i-- > 0;)
		if (memcmp(s.p + i, word, n) == 0)
			return (long)i;
	return -1;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "0x" and 1 to 16 hex digits, exactly the span. */
static int parse_hex(struct span s, uint64_t *out)
{
	uint64_t v = 0;
	if (s.n < 3 || s.n > 18 || s.p[0] != '0' ||
	    (s.p[1] != 'x' && s.p[1] != 'X'))
		return -1;
	for (size_t i = 2; i < s.n; i++) {
		int d = hex_digit(s.p[i]);
		if (d < 0)
			return -1;
		v = (v << 4) | (uint64_t)d;
	}
	*out = v;
	return 0;
}

/* A decimal number at the start of s (optional '-'), at most 18 digits;
 * returns the digits consumed (0: none). */
static size_t parse_dec(struct span s, long *out)
{
	size_t i = 0;
	int negative = 0;
	long v = 0;
	if (s.n && s.p[0] == '-') {
		negative = 1;
		i = 1;
	}
	size_t start = i;
	while (i < s.n && i - start < 18 && s.p[i] >= '0' && s.p[i] <= '9')
		v = v * 10 + (s.p[i++] - '0');
	if (i == start)
		return 0;
	*out = negative ? -v : v;
	return i;
}

/* Undo the text format's escaping (\xNN, \\) into a new string. */
static char *unescape(struct span s)
{
	char *out = malloc(s.n + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < s.n; i++) {
		if (s.p[i] == '\\' && i + 1 < s.n && s.p[i + 1] == '\\') {
			*o++ = '\\';
			i++;
		} else if (s.p[i] == '\\' && i + 3 < s.n && s.p[i + 1] == 'x' &&
			   hex_digit(s.p[i + 2]) >= 0 &&
			   hex_digit(s.p[i + 3]) >= 0) {
			*o++ = (char)(hex_digit(s.p[i + 2]) * 16 +
				      hex_digit(s.p[i + 3]));
			i += 3;
		} else {
			*o++ = s.p[i];
		}
	}
	*o = '\0';
	return out;
}

static char *copy(struct span s)
{
	return strndup(s.p, s.n);
}

/* A field seen twice (a garbled or doubled line) keeps the last value. */
static void replace(char **field, char *value)
{
	free(*field);
	*field = value;
}

void log_problem(struct log *log, size_t line, const char *fmt, ...)
{
	struct problem *problems = realloc(
		log->problems, (log->problem_count + 1) * sizeof(*problems));
	if (!problems)
		return;
	log->problems = problems;
	va_list ap;
	va_start(ap, fmt);
	char *message = NULL;
	if (vasprintf(&message, fmt, ap) < 0)
		message = NULL;
	va_end(ap);
	if (!message)
		return;
	problems[log->problem_count].line = line;
	problems[log->problem_count].message = message;
	log->problem_count++;
}

/* Grow *array (of *count elements of size) by one zeroed element. */
static void *append(void *array_ptr, size_t *count, size_t size)
{
	void **array = array_ptr;
	char *grown = realloc(*array, (*count + 1) * size);
	if (!grown)
		return NULL;
	*array = grown;
	memset(grown + *count * size, 0, size);
	return grown + (*count)++ * size;
}

static struct thread *current_thread(struct report *r)
{
	if (r->thread_count == 0) {
		struct thread *t =
			append(&r->threads, &r->thread_count, sizeof(*t));
		if (t)
			t->declared_frames = -1;
		return t;
	}
	return &r->threads[r->thread_count - 1];
}

/* ---------------------------------------------------------------------
 * Text reports
 * ------------------------------------------------------------------- */

enum section {
	SEC_NONE,
	SEC_ANNOTATIONS,
	SEC_BACKTRACE,
	SEC_REGISTERS,
	SEC_MODULES,
	SEC_MAPS
};

struct open_report {
	struct report *report;
	enum section section;
};

/* Where the symbol of a frame line ends, in s (what follows " in "): at
 * "?? (" for none, else right after the first "+0xHEX" followed by
 * " (".  A demangled C++ name holds spaces and parentheses ("f(int)
 * const"), a path may too ("My Files (x86)"), but no demangler writes
 * "+0x" (its numbers are decimal); a raw ELF name from an older report
 * ends at its first space. */
static long symbol_end(struct span s)
{
	if (starts(s, "?? ("))
		return 2;
	for (size_t i = 0; i + 3 < s.n; i++) {
		if (memcmp(s.p + i, "+0x", 3) != 0)
			continue;
		size_t j = i + 3;
		while (j < s.n && hex_digit(s.p[j]) >= 0)
			j++;
		if (j > i + 3 && j + 1 < s.n && s.p[j] == ' ' &&
		    s.p[j + 1] == '(')
			return (long)j;
	}
	return find(s, " ");
}

/* "  #I  0xPC in SYMBOL+0xOFF (MODULE+0xOFFSET)" */
static int parse_frame(struct span s, struct frame *f)
{
	s = trim(s);
	if (!starts(s, "#"))
		return -1;
	s = skip(s, 1);
	size_t n = parse_dec(s, &f->index);
	if (!n)
		return -1;
	s = trim(skip(s, n));
	long in = find(s, " in ");
	if (in < 0 || parse_hex((struct span){s.p, (size_t)in}, &f->pc) < 0)
		return -1;
	s = skip(s, (size_t)in + 4);
	long space = symbol_end(s);
	if (space < 0)
		return -1;
	struct span symbol = {s.p, (size_t)space};
	struct span where = trim(skip(s, (size_t)space));
	if (!starts(where, "(") || where.n < 2 || where.p[where.n - 1] != ')')
		return -1;
	where = skip(where, 1);
	where.n--;
	if (!(symbol.n == 2 && memcmp(symbol.p, "??", 2) == 0)) {
		long plus = find_last(symbol, "+0x");
		struct span name = symbol;
		if (plus > 0 && parse_hex(skip(symbol, (size_t)plus + 1),
					  &f->symbol_offset) == 0)
			name.n = (size_t)plus;
		f->symbol = unescape(name);
	}
	if (!(where.n == 2 && memcmp(where.p, "??", 2) == 0)) {
		long plus = find_last(where, "+0x");
		struct span path = where;
		if (plus > 0 &&
		    parse_hex(skip(where, (size_t)plus + 1), &f->offset) == 0) {
			path.n = (size_t)plus;
			f->has_offset = 1;
		}
		f->module = unescape(path);
	}
	return 0;
}

static void parse_signal(struct report *r, struct span s)
{
	/* NAME (N), code CODENAME (C)[, sent by pid P uid U] */
	long open = find(s, " (");
	if (open < 0)
		return;
	replace(&r->signal_name, copy((struct span){s.p, (size_t)open}));
	s = skip(s, (size_t)open + 2);
	long signo = 0;
	size_t n = parse_dec(s, &signo);
	r->signo = (int)signo;
	s = skip(s, n);
	if (starts(s, "), code ")) {
		s = skip(s, 8);
		open = find(s, " (");
		if (open < 0)
			return;
		replace(&r->code_name, copy((struct span){s.p, (size_t)open}));
		s = skip(s, (size_t)open + 2);
		n = parse_dec(s, &r->code);
		s = skip(s, n);
		if (starts(s, ")"))
			s = skip(s, 1);
		long sent = find(s, "sent by pid ");
		if (sent >= 0) {
			struct span t = skip(s, (size_t)sent + 12);
			n = parse_dec(t, &r->sender_pid);
			if (n) {
				r->has_sender = 1;
				t = skip(t, n);
				if (starts(t, " uid "))
					parse_dec(skip(t, 5), &r->sender_uid);
			}
		}
	}
	long call = find(s, "system call ");
	if (call >= 0) {
		struct span t = skip(s, (size_t)call + 12);
		n = parse_dec(t, &r->syscall_nr);
		t = skip(t, n);
		if (n && starts(t, " (arch ")) {
			t = skip(t, 7);
			long close = find(t, ")");
			r->has_syscall = 1;
			if (close > 0)
				parse_hex((struct span){t.p, (size_t)close},
					  &r->syscall_arch);
		}
	}
	if (s.n)
		replace(&r->signal_rest, copy(s));
}

/* "command line: ARGS[ ... (cut)]" */
static void parse_command_line(struct report *r, struct span s)
{
	static const char cut[] = " ... (cut)";
	size_t k = sizeof(cut) - 1;

	r->command_line_cut = s.n >= k && memcmp(s.p + s.n - k, cut, k) == 0;
	if (r->command_line_cut)
		s.n -= k;
	replace(&r->command_line, unescape(s));
}

/* "time: ISO-8601[, uptime S.mmm s]" */
static void parse_time(struct report *r, struct span s)
{
	long comma = find(s, ", uptime ");
	struct span when = {s.p, comma < 0 ? s.n : (size_t)comma};

	if (when.n && !starts(when, "??"))
		replace(&r->time, copy(when));
	if (comma < 0)
		return;
	s = skip(s, (size_t)comma + 9);
	long sec = 0, ms = 0;
	size_t n = parse_dec(s, &sec);
	if (!n)
		return;
	s = skip(s, n);
	if (starts(s, ".") && parse_dec(skip(s, 1), &ms) == 3)
		r->uptime_ms = sec * 1000LL + ms;
}

static void parse_registers(struct report *r, struct span s)
{
	r->has_registers = 1;
	for (;;) {
		s = trim(s);
		if (!s.n)
			return;
		long space = find(s, " ");
		if (space <= 0)
			return;
		struct span name = {s.p, (size_t)space};
		s = trim(skip(s, (size_t)space));
		long end = find(s, " ");
		struct span value = {s.p, end < 0 ? s.n : (size_t)end};
		uint64_t v;
		if (parse_hex(value, &v) < 0)
			return;
		struct reg *reg =
			append(&r->registers, &r->register_count, sizeof(*reg));
		if (!reg)
			return;
		reg->name = copy(name);
		reg->value = v;
		s = skip(s, value.n);
	}
}

static void parse_module(struct report *r, struct span s)
{
	r->has_modules = 1;
	s = trim(s);
	long space = find(s, " ");
	uint64_t base;
	if (space < 0 ||
	    parse_hex((struct span){s.p, (size_t)space}, &base) < 0)
		return;
	s = trim(skip(s, (size_t)space));
	struct module *m = append(&r->modules, &r->module_count, sizeof(*m));
	if (!m)
		return;
	m->base = m->bias = base;
	long at = find_last(s, " build-id ");
	if (at >= 0) {
		m->build_id = copy(trim(skip(s, (size_t)at + 10)));
		s.n = (size_t)at;
	}
	at = find_last(s, " bias ");
	if (at >= 0 && parse_hex(trim(skip(s, (size_t)at + 6)), &m->bias) == 0)
		s.n = (size_t)at;
	m->path = unescape(s);
}

static void add_annotation(struct report *r, char *key, char *value)
{
	char **pair = NULL;

	if (key && value)
		pair = append(&r->annotations, &r->annotation_count,
			      2 * sizeof(*pair));
	if (!pair) {
		free(key);
		free(value);
		return;
	}
	pair[0] = key;
	pair[1] = value;
}

/* "  KEY=VALUE": keys hold no '='. */
static void parse_annotation(struct report *r, struct span s)
{
	long eq = find(s, "=");
	if (eq <= 0)
		return;
	add_annotation(r, unescape((struct span){s.p, (size_t)eq}),
		       unescape(skip(s, (size_t)eq + 1)));
}

/* One line of an open text report, body without the prefix. */
static void parse_text_line(struct log *log, struct open_report *o,
			    struct span body, size_t line)
{
	struct report *r = o->report;
	struct span s = trim(body);
	int indented = body.n && (body.p[0] == ' ' || body.p[0] == '\t');

	if (!indented) {
		o->section = SEC_NONE;
		if (starts(s, "signal: ")) {
			parse_signal(r, skip(s, 8));
		} else if (starts(s, "address: ")) {
			s = skip(s, 9);
			long space = find(s, " ");
			struct span hex = {s.p,
					   space < 0 ? s.n : (size_t)space};
			if (parse_hex(hex, &r->address) == 0)
				r->has_address = 1;
			s = trim(skip(s, hex.n));
			if (starts(s, "(") && s.n >= 2 && s.p[s.n - 1] == ')')
				replace(&r->access,
					copy((struct span){s.p + 1, s.n - 2}));
		} else if (starts(s, "cause: ")) {
			replace(&r->cause, unescape(skip(s, 7)));
		} else if (starts(s, "what: ")) {
			replace(&r->exception_what, unescape(skip(s, 6)));
		} else if (starts(s, "command line: ")) {
			parse_command_line(r, skip(s, 14));
		} else if (starts(s, "time: ")) {
			parse_time(r, skip(s, 6));
		} else if (starts(s, "backtrace incomplete: ")) {
			struct thread *t = current_thread(r);
			if (t)
				replace(&t->walk_cut,
					strdup(find(s, "time limit") >= 0
						       ? "time_limit"
						       : "step_limit"));
		} else if (starts(s, "process: pid ")) {
			s = skip(s, 13);
			s = skip(s, parse_dec(s, &r->pid));
			if (starts(s, ", executable "))
				replace(&r->executable, unescape(skip(s, 13)));
		} else if (starts(s, "thread: tid ")) {
			struct thread *t = append(&r->threads, &r->thread_count,
						  sizeof(*t));
			if (!t)
				return;
			t->declared_frames = -1;
			s = skip(s, 12);
			s = skip(s, parse_dec(s, &t->tid));
			long q1 = find(s, "\""), q2 = find_last(s, "\"");
			if (q1 >= 0 && q2 > q1)
				replace(&t->name,
					unescape((struct span){
						s.p + q1 + 1,
						(size_t)(q2 - q1 - 1)}));
			t->crashed = find(s, "(crashed)") >= 0;
		} else if (starts(s, "backtrace (")) {
			struct thread *t = current_thread(r);
			if (t)
				parse_dec(skip(s, 11), &t->declared_frames);
			o->section = SEC_BACKTRACE;
		} else if (starts(s, "annotations:")) {
			o->section = SEC_ANNOTATIONS;
		} else if (starts(s, "registers:")) {
			r->has_registers = 1;
			o->section = SEC_REGISTERS;
		} else if (starts(s, "modules:")) {
			r->has_modules = 1;
			o->section = SEC_MODULES;
		} else if (starts(s, "memory map:")) {
			o->section = SEC_MAPS;
		}
		return;
	}

	switch (o->section) {
	case SEC_BACKTRACE: {
		struct thread *t = current_thread(r);
		if (!t)
			return;
		if (starts(s, "... ")) {
			long omitted = 0;
			if (parse_dec(skip(s, 4), &omitted) && omitted > 0) {
				t->frames_omitted = (size_t)omitted;
				t->omitted_at = t->frame_count;
			}
			return;
		}
		struct frame f = {0};
		if (parse_frame(s, &f) < 0) {
			if (starts(s, "#"))
				log_problem(log, line + 1,
					    "unreadable frame line");
			return;
		}
		f.line = line;
		struct frame *slot =
			append(&t->frames, &t->frame_count, sizeof(f));
		if (!slot) {
			free(f.symbol);
			free(f.module);
			return;
		}
		*slot = f;
		break;
	}
	case SEC_ANNOTATIONS:
		parse_annotation(r, s);
		break;
	case SEC_REGISTERS:
		parse_registers(r, s);
		break;
	case SEC_MODULES:
		parse_module(r, s);
		break;
	case SEC_MAPS: {
		char **entry = append(&r->memory_map, &r->memory_map_count,
				      sizeof(*entry));
		if (entry)
			*entry = copy(s);
		break;
	}
	case SEC_NONE:
		break;
	}
}

/* ---------------------------------------------------------------------
 * JSON reports
 * ------------------------------------------------------------------- */

static int json_hex(const struct json_value *v, uint64_t *out)
{
	const char *s = json_string(v);
	return s ? parse_hex((struct span){s, strlen(s)}, out) : -1;
}

static long json_long(const struct json_value *v, long fallback)
{
	long n;
	if (v && v->type == JSON_NUMBER &&
	    parse_dec((struct span){v->str, v->len}, &n) == v->len)
		return n;
	return fallback;
}

static char *json_dup(const struct json_value *v)
{
	const char *s = json_string(v);
	return s ? strdup(s) : NULL;
}

static void read_json_report(struct log *log, struct report *r, size_t line)
{
	const struct json_value *doc = r->json;
	const struct json_value *v;
	replace(&r->version, json_dup(json_get(doc, "faultline")));
	r->pid = json_long(json_get(doc, "pid"), 0);
	replace(&r->executable, json_dup(json_get(doc, "executable")));
	replace(&r->cause, json_dup(json_get(doc, "cause")));
	const struct json_value *sig = json_get(doc, "signal");
	r->signo = (int)json_long(json_get(sig, "number"), 0);
	replace(&r->signal_name, json_dup(json_get(sig, "name")));
	r->code = json_long(json_get(sig, "code"), 0);
	replace(&r->code_name, json_dup(json_get(sig, "code_name")));
	r->has_address = json_hex(json_get(sig, "address"), &r->address) == 0;
	replace(&r->access, json_dup(json_get(sig, "access")));
	if ((v = json_get(sig, "sender_pid"))) {
		r->has_sender = 1;
		r->sender_pid = json_long(v, 0);
		r->sender_uid = json_long(json_get(sig, "sender_uid"), 0);
	}
	if ((v = json_get(sig, "syscall")) && v->type == JSON_NUMBER) {
		r->has_syscall = 1;
		r->syscall_nr = json_long(v, 0);
		json_hex(json_get(sig, "syscall_arch"), &r->syscall_arch);
	}
	replace(&r->command_line, json_dup(json_get(doc, "command_line")));
	r->command_line_cut =
		(v = json_get(doc, "command_line_cut")) && v->type == JSON_TRUE;
	replace(&r->time, json_dup(json_get(doc, "time")));
	const struct json_value *exc = json_get(doc, "exception");
	replace(&r->exception_what, json_dup(json_get(exc, "what")));
	replace(&r->exception_mangled, json_dup(json_get(exc, "mangled")));
	if ((v = json_get(doc, "uptime_ms")) && v->type == JSON_NUMBER)
		r->uptime_ms = json_long(v, -1);

	const struct json_value *threads = json_get(doc, "threads");
	if (!threads || threads->type != JSON_ARRAY)
		log_problem(log, line + 1,
			    "JSON report has no \"threads\" array");
	for (size_t i = 0;
	     threads && threads->type == JSON_ARRAY && i < threads->count;
	     i++) {
		const struct json_value *tv = threads->items[i];
		struct thread *t =
			append(&r->threads, &r->thread_count, sizeof(*t));
		if (!t)
			return;
		t->declared_frames = -1;
		t->tid = json_long(json_get(tv, "tid"), 0);
		replace(&t->name, json_dup(json_get(tv, "name")));
		t->crashed =
			(v = json_get(tv, "crashed")) && v->type == JSON_TRUE;
		long omitted = json_long(json_get(tv, "frames_omitted"), 0);
		t->frames_omitted = omitted > 0 ? (size_t)omitted : 0;
		replace(&t->walk_cut, json_dup(json_get(tv, "walk_cut")));
		const struct json_value *frames = json_get(tv, "frames");
		for (size_t j = 0;
		     frames && frames->type == JSON_ARRAY && j < frames->count;
		     j++) {
			struct json_value *fv = frames->items[j];
			struct frame *f =
				append(&t->frames, &t->frame_count, sizeof(*f));
			if (!f)
				return;
			f->node = fv;
			f->line = line;
			f->index = json_long(json_get(fv, "index"), (long)j);
			if (json_hex(json_get(fv, "pc"), &f->pc) < 0)
				log_problem(log, line + 1,
					    "frame #%ld has no readable \"pc\"",
					    f->index);
			f->module = json_dup(json_get(fv, "module"));
			f->has_offset = json_hex(json_get(fv, "offset"),
						 &f->offset) == 0;
			f->symbol = json_dup(json_get(fv, "symbol"));
			f->mangled = json_dup(json_get(fv, "mangled"));
			json_hex(json_get(fv, "symbol_offset"),
				 &f->symbol_offset);
		}
		/* JSON keeps the head and the tail; the gap is between. */
		t->omitted_at = t->frame_count > 20 && t->frames_omitted
					? t->frame_count - 20
					: t->frame_count;
	}

	const struct json_value *regs = json_get(doc, "registers");
	if (regs && regs->type == JSON_OBJECT) {
		r->has_registers = 1;
		for (size_t i = 0; i < regs->count; i++) {
			uint64_t value;
			if (json_hex(regs->members[i].value, &value) < 0)
				continue;
			struct reg *reg =
				append(&r->registers, &r->register_count,
				       sizeof(*reg));
			if (!reg)
				return;
			reg->name = strdup(regs->members[i].key);
			reg->value = value;
		}
	}
	const struct json_value *mods = json_get(doc, "modules");
	if (mods && mods->type == JSON_ARRAY) {
		r->has_modules = 1;
		for (size_t i = 0; i < mods->count; i++) {
			const struct json_value *mv = mods->items[i];
			struct module *m = append(&r->modules, &r->module_count,
						  sizeof(*m));
			if (!m)
				return;
			m->path = json_dup(json_get(mv, "path"));
			json_hex(json_get(mv, "base"), &m->base);
			if (json_hex(json_get(mv, "bias"), &m->bias) < 0)
				m->bias = m->base;
			m->build_id = json_dup(json_get(mv, "build_id"));
		}
	}
	const struct json_value *notes = json_get(doc, "annotations");
	for (size_t i = 0;
	     notes && notes->type == JSON_OBJECT && i < notes->count; i++)
		if (json_string(notes->members[i].value))
			add_annotation(r, strdup(notes->members[i].key),
				       json_dup(notes->members[i].value));
	const struct json_value *maps = json_get(doc, "memory_map");
	for (size_t i = 0; maps && maps->type == JSON_ARRAY && i < maps->count;
	     i++) {
		char **entry = append(&r->memory_map, &r->memory_map_count,
				      sizeof(*entry));
		if (entry)
			*entry = json_dup(maps->items[i]);
		if (entry && !*entry)
			r->memory_map_count--;
	}
}

/* ---------------------------------------------------------------------
 * The log
 * ------------------------------------------------------------------- */

static struct report *new_report(struct log *log, enum report_format format,
				 struct span prefix, size_t line)
{
	struct report *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	struct report **slot =
		append(&log->reports, &log->report_count, sizeof(*slot));
	if (!slot) {
		free(r);
		return NULL;
	}
	*slot = r;
	r->format = format;
	r->uptime_ms = -1;
	r->prefix = copy(prefix);
	r->first_line = r->last_line = line;
	return r;
}

static void check_complete(struct log *log, struct report *r)
{
	for (size_t i = 0; i < r->thread_count; i++) {
		struct thread *t = &r->threads[i];
		if (t->declared_frames >= 0 &&
		    (size_t)t->declared_frames != t->frame_count)
			log_problem(
				log, r->first_line + 1,
				"report of pid %ld: backtrace announces %ld "
				"frames, %zu were readable",
				r->pid, t->declared_frames, t->frame_count);
	}
}

static void close_report(struct log *log, struct open_report *open,
			 size_t *open_count, size_t index, const char *why,
			 size_t line)
{
	struct report *r = open[index].report;
	if (why)
		log_problem(log, r->first_line + 1,
			    "report of pid %ld is cut off (%s at line %zu)",
			    r->pid, why, line + 1);
	check_complete(log, r);
	open[index] = open[--*open_count];
}

/* Does body (a line of an open report, its prefix cut) start like a
 * field of a text report: indented (frames, registers, modules) or a
 * lowercase key and ':' or " (" ("process: ", "backtrace (3 frames):")?
 * The library escapes control bytes in values, so a value never starts
 * a line: what follows such a start cannot start a report. */
static int field_line(struct span body)
{
	size_t i = 0;
	if (body.n >= 2 && body.p[0] == ' ' && body.p[1] == ' ')
		return 1;
	while (i < body.n && body.p[i] >= 'a' && body.p[i] <= 'z')
		i++;
	if (i < 3 || i == body.n)
		return 0;
	return body.p[i] == ':' ||
	       (body.p[i] == ' ' && i + 1 < body.n && body.p[i + 1] == '(');
}

#define MAX_OPEN_REPORTS 64

int log_parse(struct log *log, const char *data, size_t size)
{
	memset(log, 0, sizeof(*log));
	/* Lines */
	for (size_t pos = 0; pos < size;) {
		const char *nl = memchr(data + pos, '\n', size - pos);
		size_t len = nl ? (size_t)(nl - (data + pos)) : size - pos;
		struct log_line *l =
			append(&log->lines, &log->line_count, sizeof(*l));
		if (!l)
			return -1;
		l->text = data + pos;
		l->len = len;
		pos += len + (nl ? 1 : 0);
	}

	/* Reports: several may be open at once when processes with distinct
	 * prefixes write to one log. */
	struct open_report open[MAX_OPEN_REPORTS];
	size_t open_count = 0;
	for (size_t i = 0; i < log->line_count; i++) {
		struct log_line *l = &log->lines[i];
		struct span s = {l->text, l->len};
		if (s.n && s.p[s.n - 1] == '\r')
			s.n--;

		/* A CI timestamp differs from line to line: the prefix that
		 * ties a line to its report is what follows it. */
		size_t stamp = ci_stamp_len(s.p, s.n);
		struct span unstamped = skip(s, stamp);

		/* The open report with the longest matching prefix owns the
		 * line; a line matching none is someone else's output. */
		long owner = -1;
		size_t owner_len = 0;
		for (size_t j = 0; j < open_count; j++) {
			const char *theirs = open[j].report->prefix +
					     open[j].report->stamp_len;
			size_t n = strlen(theirs);
			if (n <= unstamped.n &&
			    memcmp(theirs, unstamped.p, n) == 0 &&
			    (owner < 0 || n > owner_len)) {
				owner = (long)j;
				owner_len = n;
			}
		}
		/* A field of an open report starts nothing, whatever its
		 * value holds (a path with a header in it). */
		int field =
			owner >= 0 && field_line(skip(unstamped, owner_len));

		long at = field ? -1 : find(s, TEXT_OPEN);
		long json_at = field ? -1 : find(s, JSON_OPEN);
		/* A JSON report's strings may hold a text header. */
		if (json_at >= 0 && at > json_at)
			at = -1;
		if (at >= 0 && (size_t)at >= stamp &&
		    find(s, TEXT_OPEN_END) > at) {
			struct span prefix = {s.p, (size_t)at};
			struct span own = {unstamped.p, (size_t)at - stamp};
			for (size_t j = 0; j < open_count; j++) {
				struct report *r = open[j].report;
				const char *theirs = r->prefix + r->stamp_len;
				if (strlen(theirs) == own.n &&
				    memcmp(theirs, own.p, own.n) == 0) {
					close_report(log, open, &open_count, j,
						     "a new report starts", i);
					break;
				}
			}
			if (open_count == MAX_OPEN_REPORTS)
				close_report(log, open, &open_count, 0,
					     "too many open reports", i);
			struct report *r =
				new_report(log, REPORT_TEXT, prefix, i);
			if (!r)
				return -1;
			r->stamp_len = stamp;
			struct span version =
				skip(s, (size_t)at + strlen(TEXT_OPEN));
			long version_end = find(version, " ");
			if (version_end >= 0)
				version.n = (size_t)version_end;
			replace(&r->version, copy(version));
			l->report = r;
			open[open_count].report = r;
			open[open_count].section = SEC_NONE;
			open_count++;
			continue;
		}

		at = json_at;
		if (at >= 0) {
			size_t end;
			const char *error;
			struct json_value *doc = json_parse(
				s.p + at, s.n - (size_t)at, &end, &error);
			if (!doc || doc->type != JSON_OBJECT) {
				log_problem(log, i + 1,
					    "unreadable JSON report: %s at "
					    "column %zu",
					    error ? error : "not an object",
					    (size_t)at + end + 1);
				json_free(doc);
				continue;
			}
			struct report *r =
				new_report(log, REPORT_JSON,
					   (struct span){s.p, (size_t)at}, i);
			if (!r) {
				json_free(doc);
				return -1;
			}
			r->json = doc;
			r->complete = 1;
			l->report = r;
			l->is_json = 1;
			read_json_report(log, r, i);
			continue;
		}

		if (owner < 0)
			continue;
		struct open_report *o = &open[owner];
		struct span body = skip(unstamped, owner_len);
		l->report = o->report;
		o->report->last_line = i;
		if (starts(trim(body), TEXT_CLOSE)) {
			o->report->complete = 1;
			close_report(log, open, &open_count, (size_t)owner,
				     NULL, i);
			continue;
		}
		struct report *r = o->report;
		size_t frames_before = 0;
		struct thread *t = r->thread_count ? current_thread(r) : NULL;
		if (t)
			frames_before = t->frame_count;
		parse_text_line(log, o, body, i);
		t = r->thread_count ? current_thread(r) : NULL;
		if (t && t->frame_count > frames_before)
			l->frame = &t->frames[t->frame_count - 1];
	}
	while (open_count)
		close_report(log, open, &open_count, open_count - 1,
			     "the input ends",
			     log->line_count ? log->line_count - 1 : 0);

	/* Frame arrays were reallocated while they grew: point the lines at
	 * their final addresses. */
	for (size_t i = 0; i < log->report_count; i++) {
		struct report *r = log->reports[i];
		if (r->format != REPORT_TEXT)
			continue;
		for (size_t t = 0; t < r->thread_count; t++)
			for (size_t f = 0; f < r->threads[t].frame_count; f++)
				log->lines[r->threads[t].frames[f].line].frame =
					&r->threads[t].frames[f];
	}
	return 0;
}

static void free_frame(struct frame *f)
{
	free(f->symbol);
	free(f->mangled);
	free(f->module);
	free(f->demangled);
	free(f->note);
	for (size_t i = 0; i < f->location_count; i++) {
		free(f->locations[i].function);
		free(f->locations[i].file);
	}
	free(f->locations);
}

static void free_report(struct report *r)
{
	free(r->version);
	free(r->signal_name);
	free(r->code_name);
	free(r->signal_rest);
	free(r->access);
	free(r->cause);
	free(r->executable);
	free(r->command_line);
	free(r->exception_what);
	free(r->exception_mangled);
	free(r->time);
	for (size_t i = 0; i < r->thread_count; i++) {
		for (size_t j = 0; j < r->threads[i].frame_count; j++)
			free_frame(&r->threads[i].frames[j]);
		free(r->threads[i].frames);
		free(r->threads[i].name);
		free(r->threads[i].walk_cut);
	}
	free(r->threads);
	for (size_t i = 0; i < r->register_count; i++)
		free(r->registers[i].name);
	free(r->registers);
	for (size_t i = 0; i < r->module_count; i++) {
		free(r->modules[i].path);
		free(r->modules[i].build_id);
	}
	free(r->modules);
	for (size_t i = 0; i < r->memory_map_count; i++)
		free(r->memory_map[i]);
	free(r->memory_map);
	for (size_t i = 0; i < 2 * r->annotation_count; i++)
		free(r->annotations[i]);
	free(r->annotations);
	free(r->prefix);
	json_free(r->json);
	free(r);
}

void log_free(struct log *log)
{
	for (size_t i = 0; i < log->report_count; i++)
		free_report(log->reports[i]);
	free(log->reports);
	free(log->lines);
	for (size_t i = 0; i < log->problem_count; i++)
		free(log->problems[i].message);
	free(log->problems);
	memset(log, 0, sizeof(*log));
}
