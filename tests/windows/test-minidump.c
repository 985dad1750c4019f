/*
 * test-minidump.c - FAULTLINE_MINIDUMP on Windows (issue 10, under
 * Wine): a crash writes a minidump with MiniDumpWriteDump beside the
 * report, which names it (text "minidump:", JSON "minidump", absolute).
 * The file is read back here by hand, with the format's own structures
 * (dbghelp.h, nothing linked): the 'MDMP' header, the stream directory,
 * the exception stream (crashed thread, code, context), the thread list
 * and the module list.
 */
#include <windows.h>

#include <dbghelp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define AV 0xC0000005ul

/* A fresh directory for this test's files. */
static const char *fresh_dir(const char *name)
{
	static char dir[MAX_PATH];
	char tmp[MAX_PATH];

	GetTempPathA(sizeof(tmp), tmp);
	snprintf(dir, sizeof(dir), "%sfl-%s-%lu-%lu", tmp, name,
		 (unsigned long)GetCurrentProcessId(),
		 (unsigned long)GetTickCount());
	CHECK(CreateDirectoryA(dir, NULL), "cannot create %s", dir);
	return dir;
}

/* The text report's path, its escapes (\\ for \) undone. */
static const char *report_path(const char *text)
{
	static char path[1024];
	const char *p = line_after(text, "minidump: ");
	size_t n = 0;

	if (!p)
		return NULL;
	for (; *p && n + 1 < sizeof(path); p++) {
		if (p[0] == '\\' && p[1] == '\\')
			p++;
		path[n++] = *p;
	}
	path[n] = '\0';
	return path;
}

static char *read_whole(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n)) &&
	    fread(buf, 1, (size_t)n, f) == (size_t)n)
		*len = (size_t)n;
	else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

struct dump {
	const char *data;
	size_t len;
};

/* The stream of type, or NULL; its size in *size. */
static const void *stream(const struct dump *d, ULONG32 type, size_t *size)
{
	const MINIDUMP_HEADER *h = (const void *)d->data;
	const MINIDUMP_DIRECTORY *dir;

	if (h->StreamDirectoryRva + (size_t)h->NumberOfStreams * sizeof(*dir) >
	    d->len)
		return NULL;
	dir = (const void *)(d->data + h->StreamDirectoryRva);
	for (ULONG32 i = 0; i < h->NumberOfStreams; i++)
		if (dir[i].StreamType == type &&
		    dir[i].Location.Rva + (size_t)dir[i].Location.DataSize <=
			    d->len) {
			*size = dir[i].Location.DataSize;
			return d->data + dir[i].Location.Rva;
		}
	return NULL;
}

/* A MINIDUMP_STRING at rva as ASCII (the test's names are ASCII). */
static const char *dump_string(const struct dump *d, RVA rva)
{
	static char out[1024];
	const MINIDUMP_STRING *s = (const void *)(d->data + rva);
	size_t n = 0;

	if (rva + sizeof(ULONG32) > d->len ||
	    rva + sizeof(ULONG32) + s->Length > d->len)
		return "";
	for (; n < s->Length / 2 && n + 1 < sizeof(out); n++)
		out[n] = (char)s->Buffer[n];
	out[n] = '\0';
	return out;
}

static void check_exception(const struct dump *d, unsigned long tid,
			    unsigned long long pc)
{
	size_t size = 0;
	const MINIDUMP_EXCEPTION_STREAM *e = stream(d, ExceptionStream, &size);
	const CONTEXT *c;

	CHECK(e && size >= sizeof(*e), "no exception stream");
	if (!e)
		return;
	CHECK(e->ThreadId == tid, "exception stream thread %lu, report %lu",
	      (unsigned long)e->ThreadId, tid);
	CHECK(e->ExceptionRecord.ExceptionCode == AV, "exception code 0x%lx",
	      (unsigned long)e->ExceptionRecord.ExceptionCode);
	CHECK(e->ThreadContext.Rva + (size_t)e->ThreadContext.DataSize <=
			      d->len &&
		      e->ThreadContext.DataSize >= offsetof(CONTEXT, Rip) + 8,
	      "no context in the exception stream");
	c = (const void *)(d->data + e->ThreadContext.Rva);
	CHECK(c->Rip == pc, "exception context rip 0x%llx, report 0x%llx",
	      (unsigned long long)c->Rip, pc);
}

static void check_threads(const struct dump *d, unsigned long tid)
{
	size_t size = 0;
	const MINIDUMP_THREAD_LIST *l = stream(d, ThreadListStream, &size);
	int found = 0;

	CHECK(l && size >= sizeof(ULONG32) &&
		      sizeof(ULONG32) + l->NumberOfThreads *
						sizeof(MINIDUMP_THREAD) <=
			      size,
	      "no thread list");
	if (!l)
		return;
	for (ULONG32 i = 0; i < l->NumberOfThreads; i++) {
		const MINIDUMP_THREAD *t = &l->Threads[i];

		if (t->ThreadId != tid)
			continue; /* Wine may fail to read another's context */
		found = 1;
		CHECK(t->Stack.Memory.DataSize > 0 &&
			      t->Stack.Memory.Rva + (size_t)t->Stack.Memory
							    .DataSize <=
				      d->len,
		      "crashed thread: no stack");
	}
	CHECK(found, "crashed thread %lu not in the thread list", tid);
}

static void check_modules(const struct dump *d)
{
	size_t size = 0;
	const MINIDUMP_MODULE_LIST *l = stream(d, ModuleListStream, &size);
	int exe = 0, dll = 0;

	CHECK(l && size >= sizeof(ULONG32), "no module list");
	if (!l)
		return;
	for (ULONG32 i = 0; i < l->NumberOfModules; i++) {
		const char *name = dump_string(d, l->Modules[i].ModuleNameRva);

		exe |= strstr(name, "crashme.exe") != NULL;
		dll |= strstr(name, "libfaultline-0.dll") != NULL;
	}
	CHECK(exe && dll, "module list lacks crashme.exe or faultline's DLL");
}

/* Read the minidump at path back and check it against the report. */
static void check_minidump(const char *path, const char *report)
{
	struct dump d = {NULL, 0};
	struct frame f[1];
	unsigned long long omitted, announced;
	const char *tid_text = line_after(report, "thread: tid ");
	unsigned long tid = tid_text ? strtoul(tid_text, NULL, 10) : 0;

	CHECK(parse_frames(report, f, 1, &omitted, &announced) == 1,
	      "no frame 0 in the report");
	d.data = read_whole(path, &d.len);
	CHECK(d.data && d.len >= sizeof(MINIDUMP_HEADER), "cannot read %s",
	      path);
	if (!d.data || d.len < sizeof(MINIDUMP_HEADER))
		return;
	CHECK(((const MINIDUMP_HEADER *)(const void *)d.data)->Signature ==
		      0x504d444du, /* "MDMP" */
	      "no MDMP signature");
	check_exception(&d, tid, f[0].pc);
	check_threads(&d, tid);
	check_modules(&d);
	free((void *)d.data);
}

static const struct run *crash_with_minidump(const char *dir,
					     const char *format)
{
	static char env[MAX_PATH + 64], fmt[64];
	struct spawn sp = {.kind = CHILD_LINKED, .args = {"null-read"}};

	snprintf(env, sizeof(env), "FAULTLINE_MINIDUMP=%s\\crash-%%p.dmp", dir);
	snprintf(fmt, sizeof(fmt), "FAULTLINE_FORMAT=%s", format);
	sp.env[0] = env;
	sp.env[1] = fmt;
	if (strcmp(format, "json") == 0)
		return spawn(&sp);
	return crash_spawn(&sp, AV, NULL, "null pointer dereference");
}

static void remove_dir(const char *dir, const char *file)
{
	if (file)
		DeleteFileA(file);
	RemoveDirectoryA(dir);
}

/* The text report names the file, absolute; the file holds the crash. */
TEST(minidump_of_a_crash)
{
	const char *dir = fresh_dir("minidump");
	const struct run *r = crash_with_minidump(dir, "text");
	const char *path = report_path(r->err);

	CHECK(path, "no minidump line in the report:\n%s", r->err);
	if (path) {
		CHECK(strncmp(path, dir, strlen(dir)) == 0 && path[1] == ':' &&
			      path[2] == '\\',
		      "minidump '%s' not absolute in %s", path, dir);
		check_minidump(path, r->err);
	}
	check_lacks("stderr", r->err, "cannot write minidump");
	remove_dir(dir, path);
	return 0;
}

/* The JSON report's "minidump" member names the same kind of file. */
TEST(minidump_json_member)
{
	const char *dir = fresh_dir("minidump-json");
	const struct run *r = crash_with_minidump(dir, "json");
	struct json_value *report = parse_json_report(r->err);
	const char *path =
		report ? json_string(json_get(report, "minidump")) : NULL;
	struct dump d = {NULL, 0};

	check_died(r, AV);
	CHECK(path && strncmp(path, dir, strlen(dir)) == 0,
	      "JSON \"minidump\" is '%s', not in %s", path ? path : "(none)",
	      dir);
	if (path)
		d.data = read_whole(path, &d.len);
	CHECK(d.data && d.len >= 4 && memcmp(d.data, "MDMP", 4) == 0,
	      "no minidump at %s", path ? path : "(none)");
	free((void *)d.data);
	remove_dir(dir, path);
	json_free(report);
	return 0;
}

/* faultline_dump writes a minidump too, one file per dump (%n), with the
 * dumping thread in its thread list and no exception stream: nothing
 * faulted. */
TEST(minidump_of_each_dump)
{
	const char *dir = fresh_dir("minidump-dumps");
	static char env[MAX_PATH + 64];
	struct spawn sp = {.kind = CHILD_LINKED, .args = {"dump-loop", "-2"}};
	const struct run *r;
	const char *report;
	char first[1024] = "";
	int files = 0;

	snprintf(env, sizeof(env), "FAULTLINE_MINIDUMP=%s\\dump-%%n.dmp",
		 dir);
	sp.env[0] = env;
	r = spawn(&sp);
	check_exited(r, 0);
	for (report = r->err; (report = strstr(report, "==== faultline"));
	     report++) {
		const char *path = report_path(report);
		const char *tid_text = line_after(report, "thread: tid ");
		struct dump d = {NULL, 0};
		size_t size = 0;

		CHECK(path, "a dump without a minidump line:\n%s", report);
		if (!path)
			break;
		CHECK(strcmp(path, first) != 0, "two dumps, one file %s", path);
		snprintf(first, sizeof(first), "%s", path);
		d.data = read_whole(path, &d.len);
		CHECK(d.data && d.len >= sizeof(MINIDUMP_HEADER) &&
			      memcmp(d.data, "MDMP", 4) == 0,
		      "no minidump at %s", path);
		if (d.data && d.len >= sizeof(MINIDUMP_HEADER)) {
			check_threads(&d, tid_text ? strtoul(tid_text, NULL, 10)
						   : 0);
			CHECK(!stream(&d, ExceptionStream, &size),
			      "a dump's minidump has an exception stream");
		}
		free((void *)d.data);
		DeleteFileA(path);
		files++;
	}
	CHECK(files == 2, "%d minidumps named, not 2", files);
	remove_dir(dir, NULL);
	return 0;
}

/* A directory that does not exist: one line saying so, then the report,
 * without a minidump line. */
TEST(minidump_cannot_create)
{
	struct spawn sp = {.kind = CHILD_LINKED,
			   .args = {"null-read"},
			   .env = {"FAULTLINE_MINIDUMP=C:\\no-such-dir-fl\\"
				   "x.dmp"}};
	const struct run *r =
		crash_spawn(&sp, AV, NULL, "null pointer dereference");

	check_has("stderr", r->err,
		  "faultline: cannot write minidump "
		  "'C:\\\\no-such-dir-fl\\\\x.dmp': directory does not exist");
	check_lacks("stderr", r->err, "\nminidump: ");
	return 0;
}

/* A bad template: a warning at install, no minidump. */
TEST(minidump_bad_template)
{
	struct spawn sp = {.kind = CHILD_LINKED,
			   .args = {"null-read"},
			   .env = {"FAULTLINE_MINIDUMP=x%q.dmp"}};
	const struct run *r =
		crash_spawn(&sp, AV, NULL, "null pointer dereference");

	check_has("stderr", r->err, "FAULTLINE_MINIDUMP");
	check_lacks("stderr", r->err, "\nminidump: ");
	return 0;
}

/* The option member: the same minidump; a bad template is refused. */
TEST(minidump_option)
{
	const char *dir = fresh_dir("minidump-option");
	char tmpl[MAX_PATH + 32];
	struct spawn sp = {.kind = CHILD_LINKED,
			   .args = {"minidump-option", tmpl}};
	const struct run *r;
	const char *path;

	snprintf(tmpl, sizeof(tmpl), "%s\\opt-%%p.dmp", dir);
	r = crash_spawn(&sp, AV, NULL, "null pointer dereference");
	path = report_path(r->err);
	CHECK(path, "no minidump line in the report:\n%s", r->err);
	if (path)
		check_minidump(path, r->err);
	remove_dir(dir, path);
	r = run_scenario(CHILD_LINKED, "minidump-option", "x%q.dmp");
	check_exited(r, 0);
	check_has("stderr", r->err, "install refused (EINVAL)");
	return 0;
}
