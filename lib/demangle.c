/*
 * demangle.c - C++ names in the crash report, by libiberty's demangler:
 * the one c++filt, addr2line -C and gdb use, so names read the same.
 *
 * Why it may run in the crash handler:
 *  - cplus_demangle_v3_callback allocates nothing.  It parses into arrays
 *    on its stack (variable-length: two components and one substitution
 *    a byte of the name) and hands the result to our callback in pieces.
 *    Its only libc calls are strlen, strcmp, strncmp, memcpy and
 *    sprintf("%d") of small numbers (lambda and unnamed-type indexes),
 *    which formats into a buffer of its own without a lock or malloc.
 *    The unit tests run it with malloc interposed.
 *  - Its stack use grows with the name: about 450 bytes a byte at worst
 *    (nested pointer types, measured with a painted stack and a fuzzer:
 *    a frame of the parser and one of the printer per level), so 450 KiB
 *    for a name of FL_DEMANGLE_INPUT_MAX bytes - far more than the 64 KiB
 *    signal stack.  It runs on a stack of its own
 *    (fl_platform_run_on_work_stack: 1 MiB, pages touched only as deep as
 *    a name needs, a guard page below), and longer names are not given
 *    to it.
 *  - Its output may grow exponentially with the name (each substitution
 *    can repeat all that came before: 190 bytes gave 8.9 MB and took
 *    0.3 s here).  The callback stops it after FL_DEMANGLE_OUTPUT_MAX
 *    bytes by leaving the work stack (fl_platform_work_escape): the
 *    demangler holds nothing (no lock, no memory but that stack), so it
 *    can be abandoned anywhere.
 */
#include "demangle.h"

#include "platform.h"
#include "str.h"

#ifdef FL_HAVE_LIBIBERTY
#include <libiberty/demangle.h>

/* c++filt's choice: parameters, const/volatile, the standard library's
 * abbreviations spelled out (std::basic_string<char, ...>). */
#define FL_DMGL_OPTIONS (DMGL_PARAMS | DMGL_ANSI | DMGL_VERBOSE)

struct job {
	const char *name;
	int options;
	char *out;
	size_t cap, len;
	int cut; /* the output did not fit */
	int ok;	 /* the demangler took the name */
};

static void take(const char *piece, size_t n, void *opaque)
{
	struct job *j = opaque;
	size_t room = j->cap - 1 - j->len;

	if (n > room) {
		fl_memcpy(j->out + j->len, piece, room);
		j->len += room;
		j->cut = 1;
		fl_platform_work_escape(); /* enough: do not print the rest */
	}
	fl_memcpy(j->out + j->len, piece, n);
	j->len += n;
}

static void run(void *arg)
{
	struct job *j = arg;

	j->ok = cplus_demangle_v3_callback(j->name, j->options, take, j);
}

/* A "_Z" name, or GCC's "_GLOBAL_" constructor and destructor names that
 * libiberty also knows; not a C name (and then no stack switch). */
static int looks_mangled(const char *name, enum fl_demangle_kind kind)
{
	static const char global[] = "_GLOBAL_";

	if (kind == FL_DEMANGLE_TYPE)
		return name[0] != '\0';
	if (name[0] == '_' && name[1] == 'Z')
		return 1;
	for (size_t i = 0; i < sizeof(global) - 1; i++)
		if (name[i] != global[i])
			return 0;
	return 1;
}

size_t fl_demangle(const char *name, enum fl_demangle_kind kind, char *out,
		   size_t cap)
{
	static const char ellipsis[] = "...";
	struct job j = {name, FL_DMGL_OPTIONS, out, cap, 0, 0, 0};
	int r;

	if (cap < sizeof(ellipsis) + 1 || !looks_mangled(name, kind) ||
	    fl_strlen(name) > FL_DEMANGLE_INPUT_MAX)
		return 0;
	if (kind == FL_DEMANGLE_TYPE)
		j.options |= DMGL_TYPES;
	r = fl_platform_run_on_work_stack(run, &j);
	if (r < 0 || (r == 0 && !j.ok) || j.len == 0) {
		out[0] = '\0';
		return 0;
	}
	if (j.cut) { /* say so: end in "..." */
		j.len = j.len > cap - sizeof(ellipsis) ? cap - sizeof(ellipsis)
						       : j.len;
		fl_memcpy(out + j.len, ellipsis, sizeof(ellipsis) - 1);
		j.len += sizeof(ellipsis) - 1;
	}
	out[j.len] = '\0';
	return j.len;
}

#else /* !FL_HAVE_LIBIBERTY */

size_t fl_demangle(const char *name, enum fl_demangle_kind kind, char *out,
		   size_t cap)
{
	(void)name;
	(void)kind;
	if (cap)
		out[0] = '\0';
	return 0;
}

#endif
