/*
 * test-json.c - the JSON report (issue 2, section 4): one object that any
 * strict reader parses, for any bytes in names and paths, with the
 * documented members (doc/report-format.md).
 */
#include "harness.h"
#include "faultline.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A string member, or NULL. */
static const char *str(const struct json_value *j, const char *key)
{
	return json_string(json_get(j, key));
}

static const struct json_value *member(const struct json_value *j,
				       const char *key, enum json_type type)
{
	const struct json_value *v = json_get(j, key);

	CHECK(v, "member \"%s\" missing", key);
	CHECK(!v || v->type == type, "member \"%s\" has type %d, not %d", key,
	      v ? (int)v->type : -1, (int)type);
	return v && v->type == type ? v : NULL;
}

/* An address: a "0x..." string of lower-case hex digits. */
static unsigned long long address(const struct json_value *j, const char *key)
{
	const struct json_value *v = member(j, key, JSON_STRING);
	const char *s = v ? v->str : "";

	CHECK(strncmp(s, "0x", 2) == 0 && s[2] &&
		      strspn(s + 2, "0123456789abcdef") == strlen(s + 2),
	      "\"%s\" is not a 0x-prefixed hex string: '%s'", key, s);
	return strtoull(s, NULL, 16);
}

static void nullable(const struct json_value *j, const char *key,
		     enum json_type type)
{
	const struct json_value *v = json_get(j, key);
	CHECK(v && (v->type == JSON_NULL || v->type == type),
	      "member \"%s\" missing or of the wrong type", key);
}

static void check_schema(const struct json_value *j, long pid)
{
	const struct json_value *sig, *threads, *t, *frames, *regs, *mods;
	unsigned long long pc = 0, reg_pc = 1;

	if (!j)
		return;
	CHECK(j->type == JSON_OBJECT, "the report is not an object");
	CHECK(str(j, "faultline") && strcmp(str(j, "faultline"),
					    FAULTLINE_VERSION_STRING) == 0,
	      "\"faultline\" is not the version");
	CHECK(member(j, "pid", JSON_NUMBER) &&
		      (long)json_number(json_get(j, "pid")) == pid,
	      "\"pid\" is not %ld", pid);
	member(j, "executable", JSON_STRING);
	sig = member(j, "signal", JSON_OBJECT);
	member(sig, "number", JSON_NUMBER);
	member(sig, "name", JSON_STRING);
	member(sig, "code", JSON_NUMBER);
	member(sig, "code_name", JSON_STRING);
	address(sig, "address");
	member(j, "cause", JSON_STRING);
	member(j, "command_line", JSON_STRING);
	CHECK(json_get(j, "command_line_cut") &&
		      (json_get(j, "command_line_cut")->type == JSON_TRUE ||
		       json_get(j, "command_line_cut")->type == JSON_FALSE),
	      "\"command_line_cut\" is no boolean");
	member(j, "time", JSON_STRING);
	member(j, "uptime_ms", JSON_NUMBER);
	threads = member(j, "threads", JSON_ARRAY);
	/* A single-threaded program; under qemu-user the emulator's own
	 * thread is listed too (it blocks every signal: not stopped). */
	CHECK(json_count(threads) == 1 ||
		      (emulator() && json_count(threads) == 2),
	      "%zu threads, expected the crashed one", json_count(threads));
	t = json_at(threads, 0);
	member(t, "tid", JSON_NUMBER);
	member(t, "name", JSON_STRING);
	CHECK(member(t, "crashed", JSON_TRUE), "thread not marked crashed");
	nullable(t, "walk_cut", JSON_STRING);
	frames = member(t, "frames", JSON_ARRAY);
	CHECK(json_count(frames) >= 1, "no frames");
	for (size_t i = 0; i < json_count(frames); i++) {
		const struct json_value *f = json_at(frames, i);
		unsigned long long a = address(f, "pc");
		if (i == 0)
			pc = a;
		nullable(f, "module", JSON_STRING);
		nullable(f, "offset", JSON_STRING);
		nullable(f, "symbol", JSON_STRING);
		nullable(f, "symbol_offset", JSON_STRING);
		nullable(f, "mangled", JSON_STRING);
	}
	regs = member(j, "registers", JSON_OBJECT);
	CHECK(json_count(regs) >= 16, "only %zu registers", json_count(regs));
	if (regs)
		reg_pc = address(regs, is_aarch64() ? "pc" : "rip");
	CHECK(pc == reg_pc, "frame 0 pc 0x%llx is not the pc register 0x%llx",
	      pc, reg_pc);
	mods = member(j, "modules", JSON_ARRAY);
	for (size_t i = 0; i < json_count(mods); i++) {
		const struct json_value *m = json_at(mods, i);
		member(m, "path", JSON_STRING);
		address(m, "base");
		nullable(m, "build_id", JSON_STRING);
	}
}

TEST(json_fields_segv)
{
	struct json_value *j;
	const struct run *r =
		crash_test_json(CHILD_LINKED, "null-read", SIGSEGV, &j);
	const struct json_value *sig = json_get(j, "signal");

	check_schema(j, r->pid);
	CHECK(sig && json_get(sig, "number") &&
		      json_number(json_get(sig, "number")) == 11,
	      "signal.number is not 11");
	CHECK(str(sig, "name") && !strcmp(str(sig, "name"), "SIGSEGV"),
	      "signal.name is not SIGSEGV");
	CHECK(json_get(sig, "code") && json_number(json_get(sig, "code")) == 1,
	      "signal.code is not 1");
	CHECK(str(sig, "code_name") &&
		      !strcmp(str(sig, "code_name"), "SEGV_MAPERR"),
	      "signal.code_name is not SEGV_MAPERR");
	CHECK(str(sig, "address") && !strcmp(str(sig, "address"), "0x0"),
	      "signal.address is not \"0x0\"");
	/* qemu-user passes no ESR on aarch64: read/write unknown there. */
	CHECK(str(sig, "access") &&
		      (!strcmp(str(sig, "access"), "read") ||
		       (emulator() && is_aarch64() &&
			!strcmp(str(sig, "access"), "unknown access"))),
	      "signal.access is not read");
	CHECK(str(j, "cause") &&
		      !strcmp(str(j, "cause"), "null pointer dereference"),
	      "cause is not 'null pointer dereference'");
	CHECK(str(j, "executable") &&
		      !strcmp(str(j, "executable"), child_path(CHILD_LINKED)),
	      "executable is not the child");
	json_free(j);
	return 0;
}

TEST(json_fields_sent_signal)
{
	struct spawn sp = {.kind = CHILD_PRELOAD,
			   .args = {"wait-for-kill"},
			   .kill_when_ready = SIGBUS};
	struct json_value *j;
	const struct run *r = crash_spawn_json(&sp, SIGBUS, &j);
	const struct json_value *sig = json_get(j, "signal");

	check_schema(j, r->pid);
	CHECK(sig && json_get(sig, "sender_pid") &&
		      (long)json_number(json_get(sig, "sender_pid")) ==
			      (long)getpid(),
	      "signal.sender_pid is not the harness");
	CHECK(sig && json_get(sig, "sender_uid") &&
		      (long)json_number(json_get(sig, "sender_uid")) ==
			      (long)getuid(),
	      "signal.sender_uid is not ours");
	CHECK(str(sig, "code_name") &&
		      !strcmp(str(sig, "code_name"), "SI_USER"),
	      "signal.code_name is not SI_USER");
	json_free(j);
	return 0;
}

TEST(json_options_format)
{
	const struct run *r = run_scenario(CHILD_LINKED, "json-options", NULL);
	struct json_value *j;

	check_died(r, SIGSEGV);
	j = parse_json_report(r->err);
	check_schema(j, r->pid);
	json_free(j);
	return 0;
}

TEST(json_frames_and_modules)
{
	struct json_value *j;
	const struct run *r =
		crash_test_json(CHILD_PRELOAD, "null-read", SIGSEGV, &j);
	const struct json_value *t = json_at(json_get(j, "threads"), 0);
	const struct json_value *f0 = json_at(json_get(t, "frames"), 0);
	const struct json_value *mods = json_get(j, "modules");
	char id[128] = "";
	int found = 0;

	check_schema(j, r->pid);
	CHECK(str(f0, "symbol") &&
		      !strcmp(str(f0, "symbol"), "crash_null_read"),
	      "frames[0].symbol is not crash_null_read");
	CHECK(str(f0, "module") &&
		      !strcmp(str(f0, "module"), child_path(CHILD_PRELOAD)),
	      "frames[0].module is not the executable");
	elf_build_id(child_path(CHILD_PRELOAD), id, sizeof(id));
	for (size_t i = 0; i < json_count(mods); i++) {
		const struct json_value *m = json_at(mods, i);
		if (str(m, "path") &&
		    !strcmp(str(m, "path"), child_path(CHILD_PRELOAD))) {
			found = 1;
			CHECK(str(m, "build_id") &&
				      !strcmp(str(m, "build_id"), id),
			      "executable build_id is not %s", id);
		}
	}
	CHECK(found, "the executable is not in modules");
	json_free(j);
	return 0;
}

/* A thread name and an executable path full of bytes JSON must escape. */
TEST(json_hostile_bytes)
{
	static const char exe[] = "crash\"me\\\x01\x7f\xfe\xc3\xa9.bin";
	struct spawn sp = {.kind = CHILD_PRELOAD,
			   .args = {"hostile-thread-name"}};
	const struct run *r;
	char path[4096], cwd[2048];
	struct json_value *j;
	const struct json_value *t;
	int in, out;
	char buf[65536];
	ssize_t n;

	if (!getcwd(cwd, sizeof(cwd)))
		return 99;
	snprintf(path, sizeof(path), "%s/%s", cwd, exe);
	in = open(child_path(CHILD_PRELOAD), O_RDONLY);
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	CHECK(in >= 0 && out >= 0, "cannot copy the child");
	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		CHECK(write(out, buf, (size_t)n) == n, "copy failed");
	close(in);
	close(out);
	sp.path = path;
	r = crash_spawn_json(&sp, SIGSEGV, &j);
	check_schema(j, r->pid);
	t = json_at(json_get(j, "threads"), 0);
	/* Invalid UTF-8 bytes become \u00XX, which the reader takes back
	 * to the raw byte (tools/json.c): the names come back exact. */
	CHECK(str(t, "name") &&
		      !strcmp(str(t, "name"), "q\"b\\\n\x01\xff\xc3\xa9"),
	      "thread name decodes to '%s'", str(t, "name"));
	CHECK(str(j, "executable") && strstr(str(j, "executable"), exe),
	      "executable decodes to '%s'", str(j, "executable"));
	json_free(j);
	unlink(path);
	return 0;
}
