/*
 * test-json.c - the JSON report on Windows: the same facts as the text
 * report, through the shared renderer, and a strict reader takes it.
 */
#include "harness.h"

#include <string.h>

/* member of j is the string want. */
static void check_member(const struct json_value *j, const char *member,
			 const char *want)
{
	const char *got = json_string(json_get(j, member));

	CHECK(got && strcmp(got, want) == 0, "\"%s\" is '%s', not '%s'", member,
	      got ? got : "(none)", want);
}

TEST(json_null_read)
{
	struct json_value *j;
	const struct json_value *sig;

	crash_test_json(CHILD_LINKED, "null-read", 0xC0000005ul, &j);
	sig = json_get(j, "signal");
	check_member(sig, "exception_code", "0xc0000005");
	check_member(sig, "exception_name", "EXCEPTION_ACCESS_VIOLATION");
	check_member(sig, "access", "read");
	json_free(j);
	return 0;
}

/* Crash annotations (faultline_annotate, FAULTLINE_ANNOTATIONS) in both
 * formats, through the reporter thread. */
TEST(annotations)
{
	struct spawn sp = {.kind = CHILD_LINKED,
			   .args = {"annotate"},
			   .env = {"FAULTLINE_ANNOTATIONS=env=one,b=x\\,y"}};
	const struct run *r = crash_spawn(&sp, 0xC0000005ul, NULL, NULL);
	struct json_value *j;
	const struct json_value *a;

	/* stdout is in text mode: \r\n */
	check_has("stdout", r->out, "replace phase: 0");
	check_has("stdout", r->out, "filled 58");
	check_has("report", r->err,
		  "\nannotations:\n  env=one\n  b=x,y\n  build=1.2.3\n"
		  "  phase=running\n");
	check_has("report", r->err, "\n  after=full\nthread: ");
	crash_spawn_json(&sp, 0xC0000005ul, &j);
	a = json_get(j, "annotations");
	CHECK(a && json_count(a) == 7, "no annotations object of 7 members");
	check_member(a, "b", "x,y");
	check_member(a, "quote", "say \"hi\"\\\n\tend");
	json_free(j);
	return 0;
}
