/*
 * test-demangle.c - fl_demangle (lib/demangle.c) and the work stack it
 * runs on (lib/posix/stack.c): C++ names as c++filt shows them, type
 * names, no malloc, bounded stack for pathological names, exponential
 * output cut short, one user of the stack at a time.  demangle.sh
 * compares it with c++filt on every symbol of libstdc++.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "demangle.h"
#include "no-malloc.h"
#include "platform.h"
#include "posix/posix.h"
#include "unit.h"

static char out[FL_DEMANGLE_OUTPUT_MAX + 1];

static const char *dm(const char *name)
{
	size_t n = fl_demangle(name, FL_DEMANGLE_SYMBOL, out, sizeof(out));

	ck_assert_uint_eq(n, strlen(out));
	return n ? out : NULL;
}

START_TEST(cxx_names)
{
	ck_assert_str_eq(dm("_ZNK6fl_cxx6WidgetIiE4pokeEv"),
			 "fl_cxx::Widget<int>::poke() const");
	ck_assert_str_eq(dm("_ZZ4mainENKUlvE_clEv"),
			 "main::{lambda()#1}::operator()() const");
	ck_assert_str_eq(dm("_Z3foov.cold"), "foo() [clone .cold]");
	/* c++filt spells the standard abbreviations out (DMGL_VERBOSE). */
	ck_assert_str_eq(dm("_ZNSs4sizeEv"),
			 "std::basic_string<char, std::char_traits<char>, "
			 "std::allocator<char> >::size()");
}
END_TEST

START_TEST(other_names_untouched)
{
	ck_assert_ptr_null(dm("main"));
	ck_assert_ptr_null(dm(""));
	ck_assert_ptr_null(dm("_Z"));
	ck_assert_ptr_null(dm("_Zjunk("));
	ck_assert_str_eq(out, "");
	/* A type name is no symbol... */
	ck_assert_ptr_null(dm("St13runtime_error"));
	/* ...but a type_info's name, asked for as one. */
	ck_assert_uint_gt(fl_demangle("St13runtime_error", FL_DEMANGLE_TYPE,
				      out, sizeof(out)),
			  0);
	ck_assert_str_eq(out, "std::runtime_error");
	fl_demangle("i", FL_DEMANGLE_TYPE, out, sizeof(out));
	ck_assert_str_eq(out, "int");
	fl_demangle("N6fl_cxx9DiskErrorE", FL_DEMANGLE_TYPE, out, sizeof(out));
	ck_assert_str_eq(out, "fl_cxx::DiskError");
}
END_TEST

/* A name longer than the room: cut, and it says so. */
START_TEST(cut_to_the_room)
{
	char small[16];

	ck_assert_uint_eq(fl_demangle("_ZNK6fl_cxx6WidgetIiE4pokeEv",
				      FL_DEMANGLE_SYMBOL, small, sizeof(small)),
			  15);
	ck_assert_str_eq(small, "fl_cxx::Widg...");
}
END_TEST

/* ------------------------------------------------------------------------
 * No malloc: the demangler's callback entry point allocates nothing
 * ---------------------------------------------------------------------- */

/* Names that reach the printer's corners: lambdas and unnamed types
 * (sprintf of their numbers), templates, packs, clones, operators. */
static const char *const corpus[] = {
	"_ZNK6fl_cxx6WidgetIiE4pokeEv",
	"_ZZ4mainENKUlvE_clEv",
	"_ZZ4mainENKUlvE0_clEv",
	"_ZN1AUt_3fooEv",
	"_ZNSt6vectorIiSaIiEE9push_backERKi",
	"_ZSt4moveIRSt6vectorIiSaIiEEEONSt16remove_referenceIT_E4typeEOS5_",
	"_Z1fIJidcEEvDpT_",
	"_ZN9__gnu_cxx13new_allocatorIcE8allocateEmPKv.isra.0",
	"_ZplRK1AS1_",
	"_ZNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEC2EPKcRKS3_",
	"_GLOBAL__sub_I_main",
	"_ZTVN10__cxxabiv117__class_type_infoE",
};

START_TEST(no_malloc)
{
	char buf[FL_DEMANGLE_OUTPUT_MAX + 1];
	size_t total = 0;

	/* The work stack's first mapping is outside malloc's reach too, but
	 * map it before, so that this checks the demangler alone. */
	fl_demangle("_Z1fv", FL_DEMANGLE_SYMBOL, buf, sizeof(buf));
	atomic_store(&fl_test_no_malloc, 1);
	for (size_t i = 0; i < sizeof(corpus) / sizeof(corpus[0]); i++)
		total += fl_demangle(corpus[i], FL_DEMANGLE_SYMBOL, buf,
				     sizeof(buf));
	total += fl_demangle("St13runtime_error", FL_DEMANGLE_TYPE, buf,
			     sizeof(buf));
	atomic_store(&fl_test_no_malloc, 0);
	ck_assert_uint_gt(total, 200);
}
END_TEST

START_TEST(malloc_interposer_trips)
{
	atomic_store(&fl_test_no_malloc, 1);
	free(malloc(16));
}
END_TEST

/* ------------------------------------------------------------------------
 * Pathological names: bounded stack, bounded output, bounded time
 * ---------------------------------------------------------------------- */

static char *repeat(const char *head, const char *unit, size_t len,
		    const char *tail)
{
	static char buf[8192];
	size_t n = strlen(head);

	memcpy(buf, head, n);
	while (n + strlen(unit) + strlen(tail) <= len) {
		memcpy(buf + n, unit, strlen(unit));
		n += strlen(unit);
	}
	strcpy(buf + n, tail);
	return buf;
}

/* The deepest names measured (a parser frame and a printer frame per
 * level, ~450 bytes a byte of name) at the longest length taken: they
 * use less than half the work stack. */
START_TEST(deep_names_fit_the_stack)
{
	static const char *const units[][3] = {
		{"_Z1fP", "P", "i"},	      {"_Z1f", "A1_", "i"},
		{"_Z1fIiEvT_", "T_", ""},     {"_Z1f", "PF", "v"},
		{"_Z1fI1AIiiEE", "S0_", "v"}, {"_Z1f", "PK", "i"},
	};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		fl_demangle(repeat(units[i][0], units[i][1],
				   FL_DEMANGLE_INPUT_MAX, units[i][2]),
			    FL_DEMANGLE_SYMBOL, out, sizeof(out));
	ck_assert_uint_gt(fl_work_stack_touched(), 64 * 1024);
	ck_assert_msg(fl_work_stack_touched() < FL_WORK_STACK / 2,
		      "the demangler used %zu bytes of the %d byte work stack",
		      fl_work_stack_touched(), FL_WORK_STACK);
}
END_TEST

/* 4 KiB of nested pointers: longer than libiberty takes; refused. */
START_TEST(too_long_stays_mangled)
{
	ck_assert_ptr_null(dm(repeat("_Z1fP", "P", 4096, "i")));
	ck_assert_ptr_nonnull(
		dm(repeat("_Z1fP", "P", FL_DEMANGLE_INPUT_MAX, "i")));
}
END_TEST

/* Each substitution doubles the output: 2^30 pieces if printed whole. */
START_TEST(exponential_output_cut_short)
{
	char name[1024] = "_Z1f1aIiiE";
	struct timespec t0, t1;

	for (int k = 1; k <= 30; k++) {
		char sub[16];
		if (k == 1)
			strcpy(sub, "S0_");
		else
			sprintf(sub, "S%c_",
				k - 1 < 10 ? '0' + k - 1 : 'A' + k - 11);
		strcat(name, "S_I");
		strcat(name, sub);
		strcat(name, sub);
		strcat(name, "E");
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_uint_eq(
		fl_demangle(name, FL_DEMANGLE_SYMBOL, out, sizeof(out)),
		FL_DEMANGLE_OUTPUT_MAX);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_msg(strncmp(out, "f(a<int, int>, a<a<int, int>", 28) == 0,
		      "%s", out);
	ck_assert_str_eq(out + FL_DEMANGLE_OUTPUT_MAX - 3, "...");
	ck_assert_int_lt(t1.tv_sec - t0.tv_sec, 10);
	/* The stack is free again, and works. */
	ck_assert_str_eq(dm("_ZNK6fl_cxx6WidgetIiE4pokeEv"),
			 "fl_cxx::Widget<int>::poke() const");
}
END_TEST

/* ------------------------------------------------------------------------
 * One user of the work stack at a time
 * ---------------------------------------------------------------------- */

static size_t nested_result = 99;

static void demangle_from_the_work_stack(void *arg)
{
	(void)arg;
	nested_result = fl_demangle("_ZNK6fl_cxx6WidgetIiE4pokeEv",
				    FL_DEMANGLE_SYMBOL, out, sizeof(out));
}

static void escape_at_once(void *arg)
{
	*(int *)arg = 1;
	fl_platform_work_escape();
}

START_TEST(one_user_at_a_time)
{
	int ran = 0;

	ck_assert_int_eq(fl_platform_run_on_work_stack(
				 demangle_from_the_work_stack, NULL),
			 0);
	ck_assert_uint_eq(nested_result, 0); /* busy: not demangled */
	ck_assert_int_eq(fl_platform_run_on_work_stack(escape_at_once, &ran),
			 1);
	ck_assert_int_eq(ran, 1);
	ck_assert_ptr_nonnull(dm("_ZNK6fl_cxx6WidgetIiE4pokeEv"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("demangle");
	TCase *names =
		UNIT_CASE(s, "names", 0, cxx_names, other_names_untouched,
			  cut_to_the_room, no_malloc);

	tcase_add_test_raise_signal(names, malloc_interposer_trips, SIGABRT);
	UNIT_CASE(s, "pathological", 60, deep_names_fit_the_stack,
		  too_long_stays_mangled, exponential_output_cut_short,
		  one_user_at_a_time);
	return unit_run(s, CK_FORK_GETENV);
}
