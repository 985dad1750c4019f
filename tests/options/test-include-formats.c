/*
 * test-include-formats.c - the report of a real crash for every
 * combination of the include options (registers, modules, memory map) in
 * both formats: a JSON report parses with the strict reader and has
 * exactly the members asked for; a text report has exactly the sections
 * asked for.  The same tests on POSIX and under Wine (scenario
 * include-options of the linked crashme).
 */
#include "faultline.h"
#include "harness.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#ifdef _WIN32
#define ACCESS_VIOLATION 0xC0000005ul
#else
#define ACCESS_VIOLATION SIGSEGV
#endif

#define ALL_INCLUDES                                                           \
	(FAULTLINE_INCLUDE_REGISTERS | FAULTLINE_INCLUDE_MODULES |             \
	 FAULTLINE_INCLUDE_MEMORY_MAP)

/* The linked crashme, installed with these options (faultline_install's
 * options, which the FAULTLINE_* environment does not change). */
static struct spawn include_child(const char *format, unsigned include)
{
	static char arg[32];
	struct spawn sp = {.kind = CHILD_LINKED,
			   .args = {"include-options", arg}};

	snprintf(arg, sizeof(arg), "%s:%u", format, include);
	return sp;
}

static int asked(unsigned include, unsigned what)
{
	return (include & what) != 0;
}

/* The line after the heading line is an entry ("  ..."). */
static int section(const char *text, const char *heading)
{
	char line[64];
	const char *p;

	snprintf(line, sizeof(line), "\n%s\n", heading);
	p = strstr(text, line);
	if (!p)
		return 0;
	p += strlen(line);
	return p[0] == ' ' && p[1] == ' ';
}

TEST(text_sections_as_included)
{
	for (unsigned include = 0; include <= ALL_INCLUDES; include++) {
		struct spawn sp = include_child("text", include);
		const struct run *r =
			crash_spawn(&sp, ACCESS_VIOLATION, NULL, NULL);

		CHECK(asked(include, FAULTLINE_INCLUDE_REGISTERS) ==
			      section(r->err, "registers:"),
		      "include 0x%x: registers iff asked for", include);
		CHECK(asked(include, FAULTLINE_INCLUDE_MODULES) ==
			      section(r->err, "modules:"),
		      "include 0x%x: modules iff asked for", include);
		CHECK(asked(include, FAULTLINE_INCLUDE_MEMORY_MAP) ==
			      section(r->err, "memory map:"),
		      "include 0x%x: memory map iff asked for, with entries",
		      include);
	}
	return 0;
}

/* A non-empty array of strings. */
static int string_array(const struct json_value *a)
{
	if (!a || a->type != JSON_ARRAY || json_count(a) == 0)
		return 0;
	for (size_t i = 0; i < json_count(a); i++)
		if (json_at(a, i)->type != JSON_STRING)
			return 0;
	return 1;
}

TEST(json_members_as_included)
{
	for (unsigned include = 0; include <= ALL_INCLUDES; include++) {
		struct spawn sp = include_child("json", include);
		struct json_value *j;
		const struct json_value *regs, *mods, *map;

		crash_spawn_json(&sp, ACCESS_VIOLATION, &j);
		if (!j)
			continue;
		regs = json_get(j, "registers");
		mods = json_get(j, "modules");
		map = json_get(j, "memory_map");
		CHECK(asked(include, FAULTLINE_INCLUDE_REGISTERS)
			      ? regs && regs->type == JSON_OBJECT &&
					json_count(regs) > 0
			      : regs == NULL,
		      "include 0x%x: registers iff asked for", include);
		CHECK(asked(include, FAULTLINE_INCLUDE_MODULES)
			      ? mods && mods->type == JSON_ARRAY &&
					json_count(mods) > 0
			      : mods == NULL,
		      "include 0x%x: modules iff asked for", include);
		CHECK(asked(include, FAULTLINE_INCLUDE_MEMORY_MAP)
			      ? string_array(map)
			      : map == NULL,
		      "include 0x%x: memory map iff asked for, a list of "
		      "regions",
		      include);
		json_free(j);
	}
	return 0;
}
