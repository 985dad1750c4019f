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
