/*
 * test-render.c - the text and JSON renderers on hand-made snapshots:
 * the exact text layout (doc/report-format.md), the head/tail gap in deep
 * backtraces, and JSON that parses with every documented member, for any
 * bytes in names and paths.
 */
#include "unit.h"
#include "json.h"
#include "render.h"
#include "snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct fl_snapshot snap;
static struct fl_module_table table;
static char out[1 << 17];

static void make_snapshot(void)
{
	struct faultline_fault *f = &snap.fault;
	struct fl_module *m;

	memset(&snap, 0, sizeof(snap));
	memset(&table, 0, sizeof(table));
	f->signo = 11;
	f->code = 1;
	f->signal_name = "SIGSEGV";
	f->code_name = "SEGV_MAPERR";
	f->address = 0;
	f->access = FAULTLINE_ACCESS_READ;
	f->pid = 4242;
	f->tid = 4243;
	strcpy(f->thread_name, "prog");
	strcpy(f->cause_text, "null pointer dereference");
	f->frame_count = 3;
	f->frames[0] = 0x55d0c4a0113d;
	f->frames[1] = 0x55d0c4a01160;
	f->frames[2] = 0x7f3e9b6291ca;
	f->register_count = 2;
	f->registers[0] = (struct faultline_register){"rax", 0};
	f->registers[1] = (struct faultline_register){"rip", 0x55d0c4a0113d};
	strcpy(snap.exe_path, "/home/u/prog");
	snap.include = FAULTLINE_INCLUDE_REGISTERS | FAULTLINE_INCLUDE_MODULES;
	snap.context.time_s = 1000000000; /* 2001-09-09T01:46:40Z */
	snap.context.time_ms = 7;
	snap.context.uptime_ms = 12345;
	strcpy(snap.context.command_line, "/home/u/prog -v 'a b'");
	snap.modules = &table;
	table.count = 2;
	m = &table.modules[0];
	m->base = m->bias = 0x55d0c4a00000;
	m->end = 0x55d0c4a05000;
	m->path = fl_module_intern(&table, "/home/u/prog", 12);
	m->build_id[0] = 0x3f;
	m->build_id[1] = 0x2a;
	m->build_id[2] = 0x9c;
	m->build_id_len = 3;
	m = &table.modules[1];
	m->base = 0x7f3e9b602000;
	m->bias = 0x7f3e9b600000;
	m->path = fl_module_intern(&table, "/lib/libc.so.6", 14);
	snap.frame_info[0] =
		(struct fl_frame_info){0, 0x113d, "crash_null", 0xd, NULL};
	snap.frame_info[1] =
		(struct fl_frame_info){0, 0x1160, "main", 0x1a, NULL};
	snap.frame_info[2] = (struct fl_frame_info){-1, 0, "", 0, NULL};
}

static const char *text(void)
{
	struct fl_sink s;

	fl_sink_init_memory(&s, out, sizeof(out));
	fl_render_text(&s, &snap);
	fl_render_text_end(&s);
	ck_assert_uint_eq(s.dropped, 0);
	return out;
}

static struct json_value *json(void)
{
	struct fl_sink s;
	const char *error;
	struct json_value *j;
	size_t len, end;

	fl_sink_init_memory(&s, out, sizeof(out));
	fl_render_json(&s, &snap);
	len = strlen(out);
	ck_assert_msg(len > 2 && out[len - 1] == '\n' &&
			      !memchr(out, '\n', len - 1),
		      "JSON report is not one line and a newline");
	j = json_parse_document(out, len, &end, &error);
	ck_assert_msg(j != NULL, "JSON report does not parse: %s at %zu\n%s",
		      error, end, out);
	return j;
}

START_TEST(text_layout)
{
	make_snapshot();
	ck_assert_str_eq(
		text(),
		"==== faultline " FAULTLINE_VERSION_STRING
		" crash report ====\n"
		"signal: SIGSEGV (11), code SEGV_MAPERR (1)\n"
		"address: 0x0000000000000000 (read)\n"
		"cause: null pointer dereference\n"
		"process: pid 4242, executable /home/u/prog\n"
		"command line: /home/u/prog -v 'a b'\n"
		"time: 2001-09-09T01:46:40.007Z, uptime 12.345 s\n"
		"thread: tid 4243 \"prog\" (crashed)\n"
		"backtrace (3 frames):\n"
		"  #0   0x000055d0c4a0113d in crash_null+0xd "
		"(/home/u/prog+0x113d)\n"
		"  #1   0x000055d0c4a01160 in main+0x1a (/home/u/prog+0x1160)\n"
		"  #2   0x00007f3e9b6291ca in ?? (?\?)\n"
		"registers:\n"
		"  rax    0x0000000000000000  rip    0x000055d0c4a0113d\n"
		"modules:\n"
		"  0x000055d0c4a00000 /home/u/prog build-id 3f2a9c\n"
		"  0x00007f3e9b602000 /lib/libc.so.6 bias 0x7f3e9b600000\n"
		"==== end of faultline report ====\n");
}
END_TEST

/* Context unknown: no lines; cut: said. */
START_TEST(text_context_cut_and_unknown)
{
	make_snapshot();
	snap.context.command_line_cut = 1;
	snap.context.time_s = 0;
	ck_assert_ptr_nonnull(strstr(
		text(), "\ncommand line: /home/u/prog -v 'a b' ... (cut)\n"
			"time: ??, uptime 12.345 s\nthread: "));
	snap.context.command_line[0] = '\0';
	snap.context.uptime_ms = -1;
	ck_assert_ptr_nonnull(
		strstr(text(), "/home/u/prog\nthread: tid 4243 "));
}
END_TEST

START_TEST(text_walk_cut_and_syscall)
{
	make_snapshot();
	ck_assert_ptr_null(strstr(text(), "incomplete"));
	snap.walk_cut = FL_WALK_TIME_CAP;
	ck_assert_ptr_nonnull(strstr(
		text(), "(?\?)\nbacktrace incomplete: the unwinder reached "
			"its time limit\nregisters:"));
	snap.walk_cut = FL_WALK_STEP_CAP;
	ck_assert_ptr_nonnull(strstr(text(), "reached its step limit\n"));
	snap.has_syscall = 1;
	snap.syscall_nr = 110;
	snap.syscall_arch = 0xc000003e;
	ck_assert_ptr_nonnull(
		strstr(text(), "code SEGV_MAPERR (1), system call 110 (arch "
			       "0xc000003e)\n"));
}
END_TEST

/* The calendar arithmetic against the C library's, over 1,000 years
 * either side of 1970 (three days in every 97). */
START_TEST(civil_from_days_matches_gmtime)
{
	for (long long day = -366000; day <= 366000; day += 97) {
		for (long long d = day; d < day + 3; d++) {
			time_t t = (time_t)(d * 86400);
			struct tm tm;
			long long y;
			int m, dd;

			ck_assert_ptr_nonnull(gmtime_r(&t, &tm));
			fl_civil_from_days(d, &y, &m, &dd);
			ck_assert_msg(y == tm.tm_year + 1900 &&
					      m == tm.tm_mon + 1 &&
					      dd == tm.tm_mday,
				      "day %lld: %lld-%d-%d", d, y, m, dd);
		}
	}
}
END_TEST

START_TEST(text_sent_signal)
{
	make_snapshot();
	snap.fault.signo = 15;
	snap.fault.signal_name = "SIGTERM";
	snap.fault.code = 0;
	snap.fault.code_name = "SI_USER";
	snap.fault.has_sender = 1;
	snap.fault.sender_pid = 77;
	snap.fault.sender_uid = 1000;
	strcpy(snap.fault.cause_text, "signal sent by pid 77");
	text();
	ck_assert_ptr_nonnull(strstr(
		out, "\nsignal: SIGTERM (15), code SI_USER (0), sent by pid 77 "
		     "uid 1000\n"));
	ck_assert_ptr_null(strstr(out, "\naddress:"));
}
END_TEST

START_TEST(text_options)
{
	make_snapshot();
	snap.include = 0;
	text();
	ck_assert_ptr_null(strstr(out, "registers:"));
	ck_assert_ptr_null(strstr(out, "modules:"));
	ck_assert_ptr_nonnull(strstr(out, "==== end of faultline report"));
}
END_TEST

/* 100 head frames, the gap line, then the tail numbered as in the full
 * backtrace. */
START_TEST(text_deep_gap)
{
	char want[128];

	make_snapshot();
	snap.fault.frame_count = FAULTLINE_MAX_FRAMES;
	snap.fault.frames_omitted = 99880;
	for (size_t i = 0; i < FAULTLINE_MAX_FRAMES; i++) {
		snap.fault.frames[i] = 0x1000 + i;
		snap.frame_info[i].module = -1;
	}
	text();
	ck_assert_ptr_nonnull(strstr(out, "backtrace (100000 frames):\n"));
	ck_assert_ptr_nonnull(strstr(out, "\n  #99  0x0000000000001063 in ?? "
					  "(?\?)\n  ... 99880 frames omitted "
					  "...\n  #99980 0x0000000000001064 "));
	snprintf(want, sizeof(want), "\n  #99999 0x%016x in ", 0x1000 + 119);
	ck_assert_ptr_nonnull(strstr(out, want));
	ck_assert_ptr_null(strstr(out, "#100000"));
}
END_TEST

START_TEST(text_hostile_strings)
{
	make_snapshot();
	strcpy(snap.fault.thread_name, "a\nb\xff");
	snap.frame_info[0].symbol = "sym\x1b[0m"; /* names live in an arena */
	text();
	ck_assert_ptr_nonnull(strstr(out, "thread: tid 4243 \"a\\x0ab\\xff\""));
	ck_assert_ptr_nonnull(strstr(out, " in sym\\x1b[0m+0xd "));
}
END_TEST

static const char *str(const struct json_value *j, const char *key)
{
	const char *v = json_string(json_get(j, key));
	ck_assert_msg(v != NULL, "no string member \"%s\"", key);
	return v;
}

static double num(const struct json_value *j, const char *key)
{
	const struct json_value *v = json_get(j, key);
	ck_assert_msg(v && v->type == JSON_NUMBER, "no number member \"%s\"",
		      key);
	return json_number(v);
}

START_TEST(json_members)
{
	struct json_value *j;
	const struct json_value *sig, *t, *fr, *mods;

	make_snapshot();
	j = json();
	ck_assert_str_eq(str(j, "faultline"), FAULTLINE_VERSION_STRING);
	ck_assert(num(j, "pid") == 4242);
	ck_assert_str_eq(str(j, "executable"), "/home/u/prog");
	sig = json_get(j, "signal");
	ck_assert(num(sig, "number") == 11);
	ck_assert_str_eq(str(sig, "name"), "SIGSEGV");
	ck_assert(num(sig, "code") == 1);
	ck_assert_str_eq(str(sig, "code_name"), "SEGV_MAPERR");
	ck_assert_str_eq(str(sig, "address"), "0x0");
	ck_assert_str_eq(str(sig, "access"), "read");
	ck_assert_str_eq(str(j, "cause"), "null pointer dereference");
	ck_assert_str_eq(str(j, "command_line"), "/home/u/prog -v 'a b'");
	ck_assert_int_eq(json_get(j, "command_line_cut")->type, JSON_FALSE);
	ck_assert_str_eq(str(j, "time"), "2001-09-09T01:46:40.007Z");
	ck_assert(num(j, "uptime_ms") == 12345);
	ck_assert_ptr_null(json_get(json_get(j, "signal"), "syscall"));
	ck_assert_uint_eq(json_count(json_get(j, "threads")), 1);
	t = json_at(json_get(j, "threads"), 0);
	ck_assert(num(t, "tid") == 4243);
	ck_assert_str_eq(str(t, "name"), "prog");
	ck_assert_int_eq(json_get(t, "crashed")->type, JSON_TRUE);
	ck_assert(num(t, "frames_omitted") == 0);
	ck_assert_int_eq(json_get(t, "walk_cut")->type, JSON_NULL);
	ck_assert_uint_eq(json_count(json_get(t, "frames")), 3);
	fr = json_at(json_get(t, "frames"), 0);
	ck_assert(num(fr, "index") == 0);
	ck_assert_str_eq(str(fr, "pc"), "0x55d0c4a0113d");
	ck_assert_str_eq(str(fr, "module"), "/home/u/prog");
	ck_assert_str_eq(str(fr, "offset"), "0x113d");
	ck_assert_str_eq(str(fr, "symbol"), "crash_null");
	ck_assert_str_eq(str(fr, "symbol_offset"), "0xd");
	fr = json_at(json_get(t, "frames"), 2);
	ck_assert_int_eq(json_get(fr, "module")->type, JSON_NULL);
	ck_assert_int_eq(json_get(fr, "offset")->type, JSON_NULL);
	ck_assert_int_eq(json_get(fr, "symbol")->type, JSON_NULL);
	ck_assert_int_eq(json_get(fr, "symbol_offset")->type, JSON_NULL);
	ck_assert_str_eq(str(json_get(j, "registers"), "rip"),
			 "0x55d0c4a0113d");
	ck_assert_str_eq(str(json_get(j, "registers"), "rax"), "0x0");
	mods = json_get(j, "modules");
	ck_assert_uint_eq(json_count(mods), 2);
	ck_assert_str_eq(str(json_at(mods, 0), "path"), "/home/u/prog");
	ck_assert_str_eq(str(json_at(mods, 0), "base"), "0x55d0c4a00000");
	ck_assert_str_eq(str(json_at(mods, 0), "build_id"), "3f2a9c");
	ck_assert_str_eq(str(json_at(mods, 1), "bias"), "0x7f3e9b600000");
	ck_assert_int_eq(json_get(json_at(mods, 1), "build_id")->type,
			 JSON_NULL);
	json_free(j);
}
END_TEST

START_TEST(json_context_walk_cut_syscall)
{
	struct json_value *j;
	const struct json_value *t;

	make_snapshot();
	snap.context.time_s = 0;
	snap.context.uptime_ms = -1;
	snap.context.command_line[0] = '\0';
	snap.walk_cut = FL_WALK_STEP_CAP;
	snap.has_syscall = 1;
	snap.syscall_nr = 110;
	snap.syscall_arch = 0xc000003e;
	j = json();
	ck_assert_int_eq(json_get(j, "time")->type, JSON_NULL);
	ck_assert_int_eq(json_get(j, "uptime_ms")->type, JSON_NULL);
	ck_assert_int_eq(json_get(j, "command_line")->type, JSON_NULL);
	t = json_at(json_get(j, "threads"), 0);
	ck_assert_str_eq(str(t, "walk_cut"), "step_limit");
	ck_assert(num(json_get(j, "signal"), "syscall") == 110);
	ck_assert_str_eq(str(json_get(j, "signal"), "syscall_arch"),
			 "0xc000003e");
	json_free(j);
}
END_TEST

START_TEST(json_sent_and_options)
{
	struct json_value *j;

	make_snapshot();
	snap.fault.has_sender = 1;
	snap.fault.sender_pid = 77;
	snap.fault.sender_uid = 0;
	snap.include = 0;
	j = json();
	ck_assert(num(json_get(j, "signal"), "sender_pid") == 77);
	ck_assert(num(json_get(j, "signal"), "sender_uid") == 0);
	ck_assert_ptr_null(json_get(j, "registers"));
	ck_assert_ptr_null(json_get(j, "modules"));
	json_free(j);
}
END_TEST

START_TEST(json_deep_numbering)
{
	struct json_value *j;
	const struct json_value *frames;

	make_snapshot();
	snap.fault.frame_count = FAULTLINE_MAX_FRAMES;
	snap.fault.frames_omitted = 5;
	for (size_t i = 0; i < FAULTLINE_MAX_FRAMES; i++)
		snap.frame_info[i].module = -1;
	j = json();
	frames = json_get(json_at(json_get(j, "threads"), 0), "frames");
	ck_assert_uint_eq(json_count(frames), FAULTLINE_MAX_FRAMES);
	ck_assert(num(json_at(json_get(j, "threads"), 0), "frames_omitted") ==
		  5);
	ck_assert(num(json_at(frames, 99), "index") == 99);
	ck_assert(num(json_at(frames, 100), "index") == 105);
	ck_assert(num(json_at(frames, 119), "index") == 124);
	json_free(j);
}
END_TEST

/* Random bytes in every string the report carries: still valid JSON. */
START_TEST(json_hostile_strings)
{
	unsigned seed = 99;

	for (int round = 0; round < 2000; round++) {
		struct json_value *j;
		char *targets[] = {snap.fault.thread_name, snap.symbols,
				   snap.exe_path, snap.fault.cause_text};
		size_t caps[] = {sizeof(snap.fault.thread_name), FL_SYMBOL_MAX,
				 sizeof(snap.exe_path),
				 sizeof(snap.fault.cause_text)};
		char path[64];
		make_snapshot();
		/* frame 0's name: in the snapshot's arena, as resolving
		 * leaves it */
		snap.frame_info[0].symbol = snap.symbols;
		for (size_t k = 0; k < 4; k++) {
			size_t len = (size_t)(rand_r(&seed) % (caps[k] - 1));
			if (len > 40)
				len = 40;
			for (size_t i = 0; i < len; i++)
				targets[k][i] = (char)(1 + rand_r(&seed) % 255);
			targets[k][len] = '\0';
		}
		for (size_t i = 0; i < 20; i++)
			path[i] = (char)(1 + rand_r(&seed) % 255);
		path[20] = '\0';
		table.modules[1].path = fl_module_intern(&table, path, 20);
		j = json();
		json_free(j);
	}
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("render");

	UNIT_CASE(suite, "text", 0, text_layout, text_sent_signal, text_options,
		  text_deep_gap, text_hostile_strings,
		  text_context_cut_and_unknown, text_walk_cut_and_syscall,
		  civil_from_days_matches_gmtime);
	UNIT_CASE(suite, "json", 60, json_members, json_sent_and_options,
		  json_context_walk_cut_syscall, json_deep_numbering,
		  json_hostile_strings);
	return unit_run(suite, CK_FORK_GETENV);
}
