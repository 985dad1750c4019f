/*
 * demangle.h - C++ names for people: a name mangled by the Itanium C++
 * ABI (gcc, clang), "_ZNK6fl_cxx6WidgetIiE4pokeEv", as c++filt shows it,
 * "fl_cxx::Widget<int>::poke() const".  [fatal] (platform.h).
 */
#ifndef FL_DEMANGLE_H
#define FL_DEMANGLE_H

#include <stddef.h>

/* The longest name demangled: libiberty's own limit (it refuses a name
 * that needs more than DEMANGLE_RECURSION_LIMIT, 2048, components: two a
 * byte).  A longer name stays mangled. */
#define FL_DEMANGLE_INPUT_MAX 1024
/* Room for a demangled name: a longer one is cut and ends in "...". */
#define FL_DEMANGLE_OUTPUT_MAX 1024

enum fl_demangle_kind {
	FL_DEMANGLE_SYMBOL, /* a function's or object's "_Z..." name */
	FL_DEMANGLE_TYPE    /* a type_info's name: "St13runtime_error", "i" */
};

/* [fatal] The demangled form of name into out (cap bytes, always
 * NUL-terminated when cap > 0).  Returns its length; 0 when name is not
 * a mangled name of that kind, or cannot be demangled here: too long, no
 * stack to run the demangler on, the demangler busy on another thread,
 * or a library built without it (--without-libiberty, Windows). */
size_t fl_demangle(const char *name, enum fl_demangle_kind kind, char *out,
		   size_t cap);

#endif
