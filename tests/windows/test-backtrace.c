/*
 * test-backtrace.c - backtrace frame 0 is the exception address; the
 * callers, from the test functions up to main, appear by name; the
 * thread's description is its name.
 */
#include "harness.h"

#include <stdio.h>
#include <string.h>

/* The lines of text, in order, each holding one of the strings. */
static void check_in_order(const char *text, const char *const *parts, size_t n)
{
	const char *p = text;
	size_t i = 0;

	for (; i < n && p; i++) {
		p = strstr(p, parts[i]);
		if (p)
			p += strlen(parts[i]);
	}
	CHECK(p, "\"%s\" missing after \"%s\"", parts[i - 1],
	      i > 1 ? parts[i - 2] : "the start");
}

TEST(frames_name_functions)
{
	const struct run *r = crash_test(CHILD_LINKED, "call-chain",
					 0xC0000005ul, NULL, NULL);
	const char *pc = line_after(r->err, "fault-pc: ");
	char pc_text[64] = "0x?";
	const char *line = strstr(r->err, "\n  #0 ");
	const char *end = line ? strchr(line + 1, '\n') : NULL;
	const char *hit;

	/* crashme prints the address of its faulting instruction first. */
	if (pc) {
		unsigned long long v = 0;
		sscanf(pc, "%llx", &v);
		snprintf(pc_text, sizeof(pc_text), " 0x%016llx in ", v);
	}
	/* The "#0" line (padding after the number is the renderer's). */
	hit = line ? strstr(line, pc_text) : NULL;
	CHECK(hit && (!end || hit < end),
	      "frame #0 is not the faulting instruction %s", pc_text);
	{
		const char *const chain[] = {"  #0 ",
					     pc_text,
					     "fl_test_level3+",
					     "in fl_test_level2+",
					     "in fl_test_level1+",
					     "in main+"};
		check_in_order(r->err, chain, 6);
	}
	check_has("report", r->err, "crashme.exe+0x");
	/* The thread's description (SetThreadDescription) is its name. */
	check_has("report", r->err, "\"fl-main\" (crashed)");
	return 0;
}
