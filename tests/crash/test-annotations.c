/*
 * test-annotations.c - crash annotations (issue 10, section 4):
 * faultline_annotate's rules (replace, remove, limits, a full table),
 * FAULTLINE_ANNOTATIONS good and bad, the text block and the JSON
 * object, pairs never torn while threads write them during the crash,
 * and the user callback's output inside the text report's delimiters.
 */
#include "harness.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The annotations of "annotate" with FAULTLINE_ANNOTATIONS's good
 * entries before them. */
#define ENV_GOOD "FAULTLINE_ANNOTATIONS=env=one,path=C:\\dir\\,x=y"
#define ENV_BAD ENV_GOOD ",novalue,=empty-key"

static const char *const api_results[] = {
	"set build: 0\n",
	"replace phase: 0\n",
	"remove gone: 0\n",
	"remove absent: 0\n",
	"null key: -1 EINVAL\n",
	"empty key: -1 EINVAL\n",
	"key with =: -1 EINVAL\n",
	"key 64: -1 EINVAL\n",
	"value 256: -1 EINVAL\n",
	"key 63 value 255: 0\n",
	"full: -1 ENOSPC\n",
	/* 64 slots less env, path, build, phase, quote and the long key */
	"filled 58\n",
	"after full: 0\n",
};

static char long_key[64], long_value[256];

static void make_long(void)
{
	memset(long_key, 'k', 63);
	memset(long_value, 'v', 255);
}

TEST(annotate_text)
{
	struct spawn sp = {
		.kind = CHILD_LINKED, .args = {"annotate"}, .env = {ENV_BAD}};
	const struct run *r = crash_spawn(&sp, SIGSEGV, NULL, NULL);
	char line[400];

	make_long();
	for (size_t i = 0; i < sizeof(api_results) / sizeof(api_results[0]);
	     i++)
		check_has("stdout", r->out, api_results[i]);
	snprintf(line, sizeof(line), "\n  %s=%s\n", long_key, long_value);
	check_has("report", r->err,
		  "\nannotations:\n  env=one\n  path=C:\\\\dir,x=y\n"
		  "  build=1.2.3\n  phase=running\n"
		  "  quote=say \"hi\"\\\\\\x0a\\x09end\n");
	check_has("report", r->err, line);
	check_has("report", r->err, "\n  after=full\nthread: tid ");
	check_lacks("report", r->err, "gone=");
	check_lacks("report", r->err, "fill");
	check_lacks("report", r->err, "phase=start");
	/* One warning line, naming the variable and the first bad entry. */
	CHECK(count_of(r->err,
		       "faultline: ignoring 2 entries of "
		       "FAULTLINE_ANNOTATIONS, the first 'novalue' (") == 1,
	      "no warning line for the bad entries");
	CHECK(count_of(r->err, "faultline: ") == 1, "more than one warning");
	return 0;
}

static const char *member(const struct json_value *o, const char *key)
{
	return json_string(json_get(o, key));
}

TEST(annotate_json)
{
	struct spawn sp = {
		.kind = CHILD_LINKED, .args = {"annotate"}, .env = {ENV_GOOD}};
	struct json_value *j;
	const struct json_value *a;

	make_long();
	crash_spawn_json(&sp, SIGSEGV, &j);
	a = json_get(j, "annotations");
	CHECK(a && a->type == JSON_OBJECT && json_count(a) == 7,
	      "annotations is not an object of 7 members");
	CHECK(member(a, "env") && !strcmp(member(a, "env"), "one"), "env");
	CHECK(member(a, "path") && !strcmp(member(a, "path"), "C:\\dir,x=y"),
	      "path");
	CHECK(member(a, "phase") && !strcmp(member(a, "phase"), "running"),
	      "phase");
	CHECK(member(a, "quote") &&
		      !strcmp(member(a, "quote"), "say \"hi\"\\\n\tend"),
	      "quote");
	CHECK(member(a, long_key) && !strcmp(member(a, long_key), long_value),
	      "the 63-byte key");
	CHECK(!json_get(a, "gone"), "a removed key");
	json_free(j);
	return 0;
}

/* Every report has the member, an empty object without annotations. */
TEST(annotations_json_empty)
{
	struct json_value *j;
	const struct json_value *a;

	crash_test_json(CHILD_LINKED, "null-read", SIGSEGV, &j);
	a = json_get(j, "annotations");
	CHECK(a && a->type == JSON_OBJECT && json_count(a) == 0,
	      "no empty annotations object");
	json_free(j);
	return 0;
}

/* Preload mode: the variable alone. */
TEST(annotations_env_preload)
{
	struct spawn sp = {
		.kind = CHILD_PRELOAD,
		.args = {"null-read"},
		.env = {"FAULTLINE_ANNOTATIONS=a=1,,b=x\\,y=z\\\\,"}};
	const struct run *r = crash_spawn(&sp, SIGSEGV, NULL, NULL);

	check_has("report", r->err, "\nannotations:\n  a=1\n  b=x,y=z\\\\\n");
	check_lacks("stderr", r->err, "faultline: ignoring");
	return 0;
}

/* Too long, empty key, no '=', too many: one warning, the program runs
 * on. */
TEST(annotations_env_bad)
{
	char env[40000];
	size_t n = (size_t)snprintf(env, sizeof(env),
				    "FAULTLINE_ANNOTATIONS=good=1,");
	struct spawn sp = {
		.kind = CHILD_PRELOAD, .args = {"null-read"}, .env = {env}};
	const struct run *r;

	make_long();
	n += (size_t)snprintf(env + n, sizeof(env) - n, "k%s=1,", long_key);
	n += (size_t)snprintf(env + n, sizeof(env) - n, "v=%sv,", long_value);
	for (int i = 0; i < 70; i++)
		n += (size_t)snprintf(env + n, sizeof(env) - n, "n%d=x,", i);
	r = crash_spawn(&sp, SIGSEGV, NULL, NULL);
	check_has("report", r->err, "\nannotations:\n  good=1\n  n0=x\n");
	check_has("report", r->err, "\n  n62=x\nthread: ");
	check_lacks("report", r->err, "n63=");
	/* the long key, the long value, n63 to n69 */
	check_has("stderr", r->err,
		  "faultline: ignoring 9 entries of FAULTLINE_ANNOTATIONS, "
		  "the first 'kkkk");
	CHECK(count_of(r->err, "faultline: ignoring") == 1,
	      "not one warning line");
	return 0;
}

/* A value of thread tN: one letter, 40 + 7 * (letter - 'a') times. */
static int value_whole(const char *v, size_t len)
{
	if (len < 40 || v[0] < 'a' || v[0] > 'z' ||
	    len != 40 + 7 * (size_t)(v[0] - 'a'))
		return 0;
	for (size_t i = 1; i < len; i++)
		if (v[i] != v[0])
			return 0;
	return 1;
}

/* Four threads write their annotations while the main thread crashes:
 * the report shows each pair whole, or (being written) not at all. */
TEST(annotations_never_torn)
{
	size_t seen = 0;

	for (int run = 0; run < 8; run++) {
		const struct run *r = crash_test(
			CHILD_LINKED, "annotate-threads", SIGSEGV, NULL, NULL);
		const char *p = strstr(r->err, "\nannotations:\n  main=yes\n");

		CHECK(p, "no annotations block starting with main=yes");
		if (!p)
			return 0;
		p = strchr(p + 1, '\n') + 1;
		p = strchr(p, '\n') + 1;
		while (strncmp(p, "  ", 2) == 0) {
			const char *eq = strchr(p, '=');
			const char *end = strchr(p, '\n');
			if (strncmp(p, "  toggle=on\n", 12) != 0) {
				CHECK(p[2] == 't' && p[3] >= '0' &&
					      p[3] <= '3' && eq == p + 4 &&
					      value_whole(
						      eq + 1,
						      (size_t)(end - eq - 1)),
				      "torn annotation: %.*s", (int)(end - p),
				      p);
				seen++;
			}
			p = end + 1;
		}
	}
	CHECK(seen >= 8, "only %zu thread annotations in 8 reports", seen);
	return 0;
}

TEST(annotations_threads_json)
{
	struct json_value *j;

	crash_test_json(CHILD_LINKED, "annotate-threads", SIGSEGV, &j);
	CHECK(j && json_get(j, "annotations"), "no annotations");
	json_free(j);
	return 0;
}

/* The callback's lines are part of the text report: before its end. */
TEST(callback_inside_report)
{
	struct spawn sp = {.kind = CHILD_LINKED, .args = {"callback-write"}};
	const struct run *r = crash_spawn(&sp, SIGSEGV, NULL, NULL);

	check_has("report", r->err,
		  "\ncallback: first line\ncallback: second line\n"
		  "==== end of faultline report ====\n");
	return 0;
}

/* In JSON the callback's output follows the report's line. */
TEST(callback_after_json)
{
	struct spawn sp = {.kind = CHILD_LINKED,
			   .args = {"callback-write", "json"}};
	const struct run *r = spawn(&sp);
	const char *brace = strstr(r->err, "}\ncallback: first line\n");

	check_died(r, SIGSEGV);
	CHECK(brace, "the callback's lines do not follow the JSON report");
	return 0;
}
