/*
 * test-cxx.c - C++ programs (issue 13): names in the backtrace demangled
 * as c++filt shows them, the mangled name kept in JSON, and the exception
 * that ended in std::terminate named in the cause.  The child is
 * crashme-cxx (tests/crash/cxx.cc), preloaded.
 */
#include "harness.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *cxx_child(void)
{
	static char path[1024];

	snprintf(path, sizeof(path), "%s/tests/crash/crashme-cxx", builddir());
	return path;
}

/* 0 when the C++ child was built (a C++ compiler for the host). */
static int no_cxx(void)
{
	if (access(cxx_child(), X_OK) == 0)
		return 0;
	printf("# %s was not built (no C++ compiler for the host)\n",
	       cxx_child());
	return 1;
}

static const struct run *cxx(const char *scenario, int sig, const char *cause)
{
	struct spawn sp = {
		.kind = CHILD_PRELOAD, .path = cxx_child(), .args = {scenario}};

	return crash_spawn(&sp, (unsigned long)sig, NULL, cause);
}

static struct json_value *cxx_json(const char *scenario, int sig)
{
	struct spawn sp = {
		.kind = CHILD_PRELOAD, .path = cxx_child(), .args = {scenario}};
	struct json_value *j = NULL;

	crash_spawn_json(&sp, (unsigned long)sig, &j);
	return j;
}

static const char *str(const struct json_value *j, const char *key)
{
	return json_string(json_get(j, key));
}

/* The first frame of the JSON report whose symbol is name, or NULL. */
static const struct json_value *frame_named(const struct json_value *j,
					    const char *name)
{
	const struct json_value *t = json_at(json_get(j, "threads"), 0);
	const struct json_value *frames = json_get(t, "frames");

	for (size_t i = 0; i < json_count(frames); i++) {
		const char *s = str(json_at(frames, i), "symbol");
		if (s && !strcmp(s, name))
			return json_at(frames, i);
	}
	return NULL;
}

TEST(cxx_names_demangled)
{
	const struct run *r;
	struct frame f[16];
	unsigned long long omitted, announced;
	size_t n;

	if (no_cxx())
		return SKIP;
	r = cxx("widget-poke", SIGSEGV, "null pointer dereference");
	n = parse_frames(r->err, f, 16, &omitted, &announced);
	CHECK(n > 0 &&
		      !strcmp(f[0].symbol, "fl_cxx::Widget<int>::poke() const"),
	      "frame 0 is '%s', not fl_cxx::Widget<int>::poke() const",
	      n ? f[0].symbol : "");
	check_has("report", r->err, " in widget_poke()+0x");
	check_lacks("report", r->err, "_ZNK6fl_cxx6WidgetIiE4pokeEv");
	/* C names stay as they are. */
	check_has("report", r->err, " in main+0x");
	check_has("report", r->err, " in _start+0x");
	return 0;
}

TEST(cxx_json_keeps_mangled)
{
	struct json_value *j;
	const struct json_value *poke, *main_frame;

	if (no_cxx())
		return SKIP;
	j = cxx_json("widget-poke", SIGSEGV);
	poke = frame_named(j, "fl_cxx::Widget<int>::poke() const");
	main_frame = frame_named(j, "main");
	CHECK(poke, "no frame named fl_cxx::Widget<int>::poke() const");
	CHECK(poke && str(poke, "mangled") &&
		      !strcmp(str(poke, "mangled"),
			      "_ZNK6fl_cxx6WidgetIiE4pokeEv"),
	      "its \"mangled\" is not _ZNK6fl_cxx6WidgetIiE4pokeEv");
	CHECK(main_frame && json_get(main_frame, "mangled") &&
		      json_get(main_frame, "mangled")->type == JSON_NULL,
	      "main's \"mangled\" is not null");
	json_free(j);
	return 0;
}
