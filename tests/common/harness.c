/*
 * harness.c - the crash tests' harness, the part every platform shares
 * (see harness.h): the crash test, checks, reading reports, test lists.
 */
#include "harness.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int test_failed;
long checks_made;
static struct run last; /* the harness's run (crash_test, spawn) */
static int last_shown;	/* its output is in the log already */

void check_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "  FAILED %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	test_failed = 1;
}

int is_aarch64(void)
{
#ifdef __aarch64__
	return 1;
#else
	return 0;
#endif
}

/* --- running a child ----------------------------------------------------- */

const struct run *spawn(const struct spawn *sp)
{
	free(last.out);
	free(last.err);
	memset(&last, 0, sizeof(last));
	last_shown = 0;
	CHECK(spawn_child(sp, &last) == 0, "cannot start the child");
	if (!last.out)
		last.out = calloc(1, 1);
	if (!last.err)
		last.err = calloc(1, 1);
	return &last;
}

const struct run *run_scenario(enum child_kind kind, const char *scenario,
			       const char *arg)
{
	struct spawn sp = {.kind = kind, .args = {scenario, arg}};

	return spawn(&sp);
}

/* The line "PREFIX: WANT" whole, or only its start when WANT ends with
 * "...". */
static void check_line(const char *text, const char *prefix, const char *want)
{
	char line[1024];
	size_t n;

	if (!want)
		return;
	n = strlen(want);
	if (n >= 3 && strcmp(want + n - 3, "...") == 0)
		snprintf(line, sizeof(line), "\n%s: %.*s", prefix, (int)n - 3,
			 want);
	else
		snprintf(line, sizeof(line), "\n%s: %s\n", prefix, want);
	check_has("report", text, line);
}

const struct run *crash_test(enum child_kind kind, const char *scenario,
			     unsigned long death, const char *signal,
			     const char *cause)
{
	struct spawn sp = {.kind = kind, .args = {scenario}};

	return crash_spawn(&sp, death, signal, cause);
}

const struct run *crash_spawn(const struct spawn *sp, unsigned long death,
			      const char *signal, const char *cause)
{
	const struct run *r = spawn(sp);

	check_died(r, death);
	check_one_report(r->err);
	check_line(r->err, "signal", signal);
	check_line(r->err, "cause", cause);
	return r;
}

const struct run *crash_test_json(enum child_kind kind, const char *scenario,
				  unsigned long death,
				  struct json_value **report)
{
	struct spawn sp = {.kind = kind, .args = {scenario}};

	return crash_spawn_json(&sp, death, report);
}

const struct run *crash_spawn_json(const struct spawn *sp, unsigned long death,
				   struct json_value **report)
{
	struct spawn json = *sp;
	const struct run *r;
	size_t i = 0;

	while (i < 7 && json.env[i])
		i++;
	json.env[i] = "FAULTLINE_FORMAT=json";
	r = spawn(&json);
	check_died(r, death);
	check_lacks("stderr", r->err, "==== faultline");
	CHECK(count_of(r->err, "{\"faultline\":") == 1,
	      "expected one JSON report");
	*report = parse_json_report(r->err);
	return r;
}

/* --- checks -------------------------------------------------------------- */

static void dump_output(const struct run *r)
{
	fprintf(stderr, "  --- child stderr (%zu bytes) ---\n%.6000s%s",
		r->err_len, r->err,
		r->err_len > 6000 ? "\n  [... cut ...]\n" : "");
	if (r->out_len)
		fprintf(stderr, "  --- child stdout ---\n%.2000s\n", r->out);
	fprintf(stderr, "  ---\n");
}

/* The child's output, once, when a check on it failed. */
static void show_output(const struct run *r)
{
	if (r == &last && last_shown)
		return;
	dump_output(r);
	last_shown |= r == &last;
}

void check_died(const struct run *r, unsigned long death)
{
	int before = test_failed;

	CHECK(!r->timed_out, "child did not end within the time limit");
	CHECK(died_by(r, death), "expected %s, got %s", death_text(death),
	      end_text(r));
	if (test_failed && !before)
		show_output(r);
}

void check_seconds(const struct run *r, double least, double most)
{
	if (emulator())
		most *= 1.5;
	CHECK(r->seconds >= least && r->seconds < most,
	      "the child ended after %.2f s, not within %.1f to %.1f s",
	      r->seconds, least, most);
}

void check_exited(const struct run *r, int code)
{
	int before = test_failed;

	CHECK(!r->timed_out, "child did not end within the time limit");
	CHECK(exited_with(r, code), "expected exit status %d, got %s", code,
	      end_text(r));
	if (test_failed && !before)
		show_output(r);
}

void check_has(const char *what, const char *text, const char *needle)
{
	CHECK(text && strstr(text, needle), "%s lacks \"%s\"", what, needle);
}

void check_lacks(const char *what, const char *text, const char *needle)
{
	CHECK(!text || !strstr(text, needle), "%s has \"%s\"", what, needle);
}

size_t count_of(const char *text, const char *needle)
{
	size_t n = 0, l = strlen(needle);

	if (!text || !l)
		return 0;
	for (const char *p = strstr(text, needle); p; p = strstr(p + l, needle))
		n++;
	return n;
}

void check_one_report(const char *text)
{
	size_t opened = count_of(text, "==== faultline ");
	size_t closed = count_of(text, "==== end of faultline report ====\n");

	CHECK(opened == 1 && closed == 1,
	      "expected exactly one complete report, found %zu start and %zu "
	      "end lines",
	      opened, closed);
}

/* --- reading reports ----------------------------------------------------- */

const char *line_after(const char *text, const char *prefix)
{
	static char buf[4096];
	size_t l = strlen(prefix);

	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len >= l && strncmp(p, prefix, l) == 0) {
			len -= l;
			if (len >= sizeof(buf))
				len = sizeof(buf) - 1;
			memcpy(buf, p + l, len);
			buf[len] = '\0';
			/* A Windows child ends its own lines with CR LF. */
			if (len && buf[len - 1] == '\r')
				buf[len - 1] = '\0';
			return buf;
		}
		p = nl ? nl + 1 : NULL;
	}
	return NULL;
}

size_t line_count(const char *text)
{
	size_t n = count_of(text, "\n");
	size_t l = text ? strlen(text) : 0;
	return n + (l && text[l - 1] != '\n');
}

/* "  #I  0xPC in SYMBOL+0xOFF (MODULE+0xOFFSET)" or with ?? parts. */
static int parse_frame_line(const char *p, size_t len, struct frame *f)
{
	char line[2048];
	char *s, *in, *paren, *plus;

	if (len >= sizeof(line))
		len = sizeof(line) - 1;
	memcpy(line, p, len);
	line[len] = '\0';
	s = line;
	while (*s == ' ')
		s++;
	if (*s != '#')
		return 0;
	in = strstr(s, " in ");
	if (!in)
		return 0;
	f->pc = strtoull(strstr(s, "0x") ? strstr(s, "0x") : s, NULL, 16);
	in += 4;
	paren = strrchr(in, '(');
	if (!paren)
		return 0;
	paren[-1] = '\0';
	plus = strrchr(in, '+');
	if (plus && strncmp(in, "??", 2) != 0)
		*plus = '\0';
	snprintf(f->symbol, sizeof(f->symbol), "%s",
		 strncmp(in, "??", 2) == 0 ? "" : in);
	paren++;
	plus = strrchr(paren, '+');
	if (plus)
		*plus = '\0';
	else if (strrchr(paren, ')'))
		*strrchr(paren, ')') = '\0';
	snprintf(f->module, sizeof(f->module), "%s",
		 strcmp(paren, "??") == 0 ? "" : paren);
	return 1;
}

size_t parse_frames(const char *text, struct frame *frames, size_t max,
		    unsigned long long *omitted, unsigned long long *announced)
{
	const char *p = text ? strstr(text, "\nbacktrace (") : NULL;
	size_t n = 0;

	*omitted = 0;
	*announced = 0;
	if (!p)
		return 0;
	*announced = strtoull(p + 12, NULL, 10);
	p = strchr(p + 1, '\n');
	while (p && p[1] == ' ' && p[2] == ' ') {
		const char *line = p + 1;
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		if (strncmp(line, "  ... ", 6) == 0)
			*omitted = strtoull(line + 6, NULL, 10);
		else if (n < max && parse_frame_line(line, len, &frames[n]))
			n++;
		p = nl;
	}
	return n;
}

int report_register(const char *text, const char *name,
		    unsigned long long *value)
{
	const char *p = text ? strstr(text, "\nregisters:\n") : NULL;
	size_t l = strlen(name);

	if (!p)
		return 0;
	p += 12;
	while (*p == ' ') {
		const char *nl = strchr(p, '\n');
		const char *q = p;
		while (q && q < nl) {
			while (*q == ' ')
				q++;
			if (strncmp(q, name, l) == 0 && q[l] == ' ') {
				q += l;
				while (*q == ' ')
					q++;
				*value = strtoull(q, NULL, 16);
				return 1;
			}
			q = strchr(q, ' ');
			if (q) {
				while (*q == ' ')
					q++;
				q = strchr(q, ' '); /* skip the value */
			}
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return 0;
}

struct json_value *parse_json_report(const char *text)
{
	const char *error = NULL, *p = text;
	struct json_value *j;
	size_t end = 0;

	while (p && *p && *p != '{') {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!p || !*p) {
		CHECK(0, "no JSON report (no line starts with '{')");
		return NULL;
	}
	{
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		j = json_parse_document(p, len, &end, &error);
	}
	CHECK(j, "the JSON report does not parse: %s at byte %zu", error, end);
	return j;
}

/* --- tests ------------------------------------------------------------- */

struct test {
	const char *name;
	int (*fn)(void);
	int line;
};
static struct test tests[128];
static size_t test_count;

/* Called by each TEST's constructor, in an order the toolchain picks
 * (mingw: backwards): run_tests sorts by line. */
void register_test(const char *name, int (*fn)(void), int line)
{
	if (test_count == sizeof(tests) / sizeof(tests[0])) {
		fprintf(stderr, "harness: more than %zu tests\n", test_count);
		exit(99);
	}
	tests[test_count++] = (struct test){name, fn, line};
}

static int by_line(const void *a, const void *b)
{
	return ((const struct test *)a)->line - ((const struct test *)b)->line;
}

int run_tests(int argc, char **argv)
{
	int failed = 0, passed = 0, skipped = 0, rc;
	double start = now();

	if ((rc = harness_setup()) != 0)
		return rc;
	qsort(tests, test_count, sizeof(tests[0]), by_line);
	for (const struct test *c = tests; c < tests + test_count; c++) {
		double t0 = now();
		if (argc > 1 && !strstr(c->name, argv[1]))
			continue;
		test_failed = 0;
		fprintf(stderr, "--- %s\n", c->name);
		rc = c->fn();
		if (test_failed && last.pid)
			show_output(&last);
		if (rc == SKIP && !test_failed) {
			printf("SKIP: %s\n", c->name);
			skipped++;
		} else if (test_failed) {
			printf("FAIL: %s\n", c->name);
			failed++;
		} else {
			printf("PASS: %s (%.2f s)\n", c->name, now() - t0);
			passed++;
		}
		fflush(stdout);
	}
	printf("# %d passed, %d failed, %d skipped, %ld checks in %.1f s\n",
	       passed, failed, skipped, checks_made, now() - start);
	if (failed)
		return 1;
	return passed ? 0 : SKIP;
}
