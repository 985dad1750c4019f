/*
 * include_formats.c - the report of a real crash, for every combination
 * of the include options (registers, modules, memory map) and both
 * formats: a JSON report parses with the strict reader of
 * tests/common/json.c and has exactly the members asked for; a text
 * report has exactly the sections asked for.
 *
 * One program for POSIX and Windows.  Each crash happens in a child: a
 * fork on POSIX, this program started again (with the case as its
 * argument) on Windows.  The child installs faultline with the case's
 * options, writing the report to a file, and reads a null pointer.
 * Results are TAP lines; the exit status is the verdict.
 */
#include "faultline.h"
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <process.h>
#include <windows.h>
#else
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

#define ALL_INCLUDES                                                           \
	(FAULTLINE_INCLUDE_REGISTERS | FAULTLINE_INCLUDE_MODULES |             \
	 FAULTLINE_INCLUDE_MEMORY_MAP)

static int failures, checks;

static void ok(int good, const char *what, unsigned include, int json)
{
	checks++;
	if (!good)
		failures++;
	printf("%s %d - include 0x%x, %s: %s\n", good ? "ok" : "not ok", checks,
	       include, json ? "json" : "text", what);
}

static void report_path(char *out, size_t cap, unsigned include, int json)
{
	snprintf(out, cap, "include-formats-%u-%s.report", include,
		 json ? "json" : "text");
}

/* NULL, read through a volatile: the compiler cannot see the fault. */
static int *volatile nowhere;

/* The child: install with these options, then crash.  Never returns. */
static void crash_with(unsigned include, int json)
{
	struct faultline_options o;
	char path[256];

	report_path(path, sizeof(path), include, json);
	faultline_options_init(&o);
	o.include = include;
	o.format = json ? FAULTLINE_FORMAT_JSON : FAULTLINE_FORMAT_TEXT;
	o.output_path = path;
	if (faultline_install(&o) != 0) {
		perror("faultline_install");
		exit(3);
	}
	*nowhere = 1;
	exit(4); /* not reached */
}

/* Run crash_with in a child; 1 when it died of the access violation. */
static int run_child(const char *self, unsigned include, int json)
{
#ifdef _WIN32
	char arg[32];
	intptr_t code;

	snprintf(arg, sizeof(arg), "%u:%d", include, json);
	fflush(NULL);
	code = _spawnl(_P_WAIT, self, self, arg, (char *)NULL);
	return (unsigned long)code == 0xC0000005ul;
#else
	int status;
	pid_t pid;

	(void)self;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct rlimit none = {0, 0};

		setrlimit(RLIMIT_CORE, &none); /* no core files of ours */
		crash_with(include, json);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 0;
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV;
#endif
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf) {
		buf[n] = '\0';
		*len = (size_t)n;
	}
	return buf;
}

/* A non-empty array of strings. */
static int string_array(const struct json *a)
{
	if (!a || a->type != JSON_ARRAY || json_count(a) == 0)
		return 0;
	for (const struct json *e = a->child; e; e = e->next)
		if (e->type != JSON_STRING)
			return 0;
	return 1;
}

static void check_json(const char *text, size_t len, unsigned include)
{
	char err[256] = "";
	struct json *j = json_parse(text, len, err, sizeof(err));
	const struct json *regs, *mods, *map;

	ok(j != NULL, j ? "valid JSON" : err, include, 1);
	if (!j)
		return;
	regs = json_get(j, "registers");
	mods = json_get(j, "modules");
	map = json_get(j, "memory_map");
	ok((include & FAULTLINE_INCLUDE_REGISTERS)
		   ? regs && regs->type == JSON_OBJECT && regs->child
		   : regs == NULL,
	   "registers iff asked for", include, 1);
	ok((include & FAULTLINE_INCLUDE_MODULES)
		   ? mods && mods->type == JSON_ARRAY && json_count(mods) > 0
		   : mods == NULL,
	   "modules iff asked for", include, 1);
	ok((include & FAULTLINE_INCLUDE_MEMORY_MAP) ? string_array(map)
						    : map == NULL,
	   "memory map iff asked for, a list of regions", include, 1);
	json_free(j);
}

static int has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
	return 0;
}

/* The line after the heading line, when it is an entry ("  ..."). */
static int section(const char *text, const char *heading)
{
	const char *p;

	if (!has_line(text, heading))
		return 0;
	p = strstr(text, heading);
	p += strlen(heading) + 1;
	return p[0] == ' ' && p[1] == ' ';
}

static void check_text(const char *text, unsigned include)
{
	static const char end[] = "==== end of faultline report ====\n";
	size_t len = strlen(text);

	ok(len >= sizeof(end) - 1 &&
		   strcmp(text + len - (sizeof(end) - 1), end) == 0,
	   "one whole report", include, 0);
	ok(!(include & FAULTLINE_INCLUDE_REGISTERS) ==
		   !section(text, "registers:"),
	   "registers iff asked for", include, 0);
	ok(!(include & FAULTLINE_INCLUDE_MODULES) == !section(text, "modules:"),
	   "modules iff asked for", include, 0);
	ok(!(include & FAULTLINE_INCLUDE_MEMORY_MAP) ==
		   !section(text, "memory map:"),
	   "memory map iff asked for, with entries", include, 0);
}

static void run_case(const char *self, unsigned include, int json)
{
	char path[256];
	size_t len = 0;
	char *text;

	report_path(path, sizeof(path), include, json);
	remove(path);
	ok(run_child(self, include, json), "died of the access violation",
	   include, json);
	text = read_file(path, &len);
	ok(text != NULL && len > 0, "report written", include, json);
	if (text && json)
		check_json(text, len, include);
	else if (text)
		check_text(text, include);
	free(text);
	remove(path);
}

int main(int argc, char **argv)
{
	char self[4096];
	unsigned include;
	int json;

	if (argc > 1 && sscanf(argv[1], "%u:%d", &include, &json) == 2)
		crash_with(include, json);
#ifdef _WIN32
	/* The program itself, not a libtool wrapper that may have run it. */
	if (GetModuleFileNameA(NULL, self, sizeof(self)) >= sizeof(self))
		return 99;
#else
	snprintf(self, sizeof(self), "%s", argv[0]);
#endif
	for (include = 0; include <= ALL_INCLUDES; include++)
		for (json = 0; json <= 1; json++)
			run_case(self, include, json);
	printf("1..%d\n", checks);
	return failures ? 1 : 0;
}
