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

/* An uncaught exception that ends in std::terminate -> abort(): the
 * cause names its type, and what() for a std::exception. */
static void check_exception(const char *scenario, const char *type,
			    const char *what)
{
	char cause[256], line[256];
	const struct run *r;

	snprintf(cause, sizeof(cause), "uncaught C++ exception %s", type);
	r = cxx(scenario, SIGABRT, cause);
	if (what) {
		snprintf(line, sizeof(line), "\nwhat: %s\n", what);
		check_has("report", r->err, line);
	} else {
		check_lacks("report", r->err, "\nwhat: ");
	}
}

TEST(cxx_uncaught_runtime_error)
{
	if (no_cxx())
		return SKIP;
	check_exception("throw-runtime-error", "std::runtime_error",
			"disk on fire");
	check_exception("throw-derived", "fl_cxx::DiskError", "disk on fire");
	check_exception("throw-own-what", "fl_cxx::OwnWhat", "own what");
	/* std::rethrow_exception: a dependent exception of libstdc++ */
	check_exception("rethrow-exception-ptr", "std::out_of_range",
			"index 7 of 3");
	return 0;
}

TEST(cxx_uncaught_int)
{
	if (no_cxx())
		return SKIP;
	check_exception("throw-int", "int", NULL);
	return 0;
}

TEST(cxx_what_that_faults)
{
	const struct run *r;

	/* Our call of what() faults and is recovered, without a report;
	 * then libstdc++'s own terminate handler calls it and dies by
	 * SIGSEGV, as it does without faultline: one report, of that. */
	if (no_cxx())
		return SKIP;
	r = cxx("throw-bad-what", SIGSEGV, "null pointer dereference");
	check_has("report", r->err, " in fl_cxx::BadWhat::what() const+0x");
	return 0;
}

TEST(cxx_abort_without_terminate)
{
	/* caught, then abort(): no uncaught exception, plain abort */
	if (no_cxx())
		return SKIP;
	cxx("abort-in-catch", SIGABRT, "abort() called");
	return 0;
}

TEST(cxx_exception_json)
{
	struct json_value *j;
	const struct json_value *e;

	if (no_cxx())
		return SKIP;
	j = cxx_json("throw-runtime-error", SIGABRT);
	e = json_get(j, "exception");
	CHECK(str(j, "cause") &&
		      !strcmp(str(j, "cause"), "uncaught C++ exception "
					       "std::runtime_error"),
	      "cause is '%s'", str(j, "cause") ? str(j, "cause") : "");
	CHECK(e && str(e, "type") &&
		      !strcmp(str(e, "type"), "std::runtime_error"),
	      "exception.type is not std::runtime_error");
	CHECK(e && str(e, "mangled") &&
		      !strcmp(str(e, "mangled"), "St13runtime_error"),
	      "exception.mangled is not St13runtime_error");
	CHECK(e && str(e, "what") && !strcmp(str(e, "what"), "disk on fire"),
	      "exception.what is not disk on fire");
	json_free(j);
	j = cxx_json("throw-int", SIGABRT);
	e = json_get(j, "exception");
	CHECK(e && str(e, "type") && !strcmp(str(e, "type"), "int") &&
		      json_get(e, "what") &&
		      json_get(e, "what")->type == JSON_NULL,
	      "exception of an int: type int, what null");
	json_free(j);
	return 0;
}
