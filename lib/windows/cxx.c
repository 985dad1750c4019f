/*
 * cxx.c - std::terminate, where a C++ program ends when an exception
 * finds no catch (or leaves a noexcept function, or a destructor during
 * unwinding), and where g++'s pure virtual calls end: __cxa_pure_virtual
 * prints "pure virtual method called" and calls std::terminate.  No
 * exception reaches a filter: the default terminate handler prints the
 * exception and calls abort().
 *
 * faultline's DLL is C and links no C++ runtime; the program's is found
 * loaded: libstdc++-6.dll, mingw-w64 g++'s shared runtime.  A program
 * linked with -static-libstdc++ (or -static) exports none of it, so its
 * terminate handler cannot be reached from here: it ends in abort(), which
 * crt.c reports ("abort() called", the backtrace showing std::terminate).
 *
 * The handler writes the report, then calls the program's own terminate
 * handler (by default libstdc++'s verbose one, which prints the exception
 * and calls abort(), which then ends the process with exit code 3 as it
 * would have: crt.c's SIGABRT handler sees the report already written).
 *
 * The exception's type and what() are read through the Itanium C++ ABI
 * that libstdc++ exports: __cxa_current_exception_type, the type_info's
 * __do_catch (what a catch (std::exception &) does) and the object's
 * virtual what().  The type name is demangled here, without allocating,
 * for the names exceptions usually have (classes, possibly nested or in
 * std::, and built-in types); other names stay mangled.
 */
#include "win.h"

#include "sink.h"
#include "str.h"

typedef void (*terminate_fn)(void);
typedef terminate_fn (*set_terminate_fn)(terminate_fn);
/* std::type_info: a vtable pointer, then the mangled name. */
struct type_info {
	const void *const *vtable;
	const char *name;
};
typedef const struct type_info *(*current_type_fn)(void);
/* std::current_exception returns a std::exception_ptr, a class with a
 * destructor: in memory, through a hidden first argument. */
typedef void **(*current_exception_fn)(void **out);
typedef void (*exception_ptr_dtor_fn)(void **self);
/* type_info's virtual functions: ~type_info (2 slots), __is_pointer_p,
 * __is_function_p, then __do_catch(thrown type, &object, outer). */
#define TYPE_INFO_DO_CATCH 4
typedef _Bool (*do_catch_fn)(const struct type_info *self,
			     const struct type_info *thrown, void **object,
			     unsigned outer);
/* std::exception's: ~exception (2 slots), then what(). */
#define EXCEPTION_WHAT 2
typedef const char *(*what_fn)(const void *self);

static HMODULE cxx;
static set_terminate_fn set_terminate;
static current_type_fn current_type;
static current_exception_fn current_exception;
static exception_ptr_dtor_fn exception_ptr_dtor;
static const struct type_info *std_exception;
static uintptr_t pure_virtual;
static terminate_fn prev_terminate;
static int hooked;
static volatile LONG on;

/* --- type names -------------------------------------------------------- */

static const char *const builtin[26] = {
	['a' - 'a'] = "signed char",
	['b' - 'a'] = "bool",
	['c' - 'a'] = "char",
	['d' - 'a'] = "double",
	['e' - 'a'] = "long double",
	['f' - 'a'] = "float",
	['h' - 'a'] = "unsigned char",
	['i' - 'a'] = "int",
	['j' - 'a'] = "unsigned int",
	['l' - 'a'] = "long",
	['m' - 'a'] = "unsigned long",
	['s' - 'a'] = "short",
	['t' - 'a'] = "unsigned short",
	['v' - 'a'] = "void",
	['w' - 'a'] = "wchar_t",
	['x' - 'a'] = "long long",
	['y' - 'a'] = "unsigned long long",
};

/* <source-name>: a length, then that many characters. */
static const char *source_name(const char *m, struct fl_sink *s)
{
	size_t n = 0;

	if (*m < '1' || *m > '9')
		return NULL;
	while (*m >= '0' && *m <= '9' && n < 4096)
		n = n * 10 + (size_t)(*m++ - '0');
	for (size_t i = 0; i < n; i++)
		if (!m[i])
			return NULL;
	fl_sink_write(s, m, n);
	return m + n;
}

/* A <type> of the subset above; the rest after it, or NULL. */
static const char *type_name(const char *m, struct fl_sink *s)
{
	const char *rest;

	if (*m == 'P' || *m == 'K') { /* pointer to, const */
		rest = type_name(m + 1, s);
		if (rest)
			fl_sink_str(s, *m == 'P' ? "*" : " const");
		return rest;
	}
	if (*m >= 'a' && *m <= 'z' && builtin[*m - 'a']) {
		fl_sink_str(s, builtin[*m - 'a']);
		return m + 1;
	}
	if (m[0] == 'S' && m[1] == 't') {
		fl_sink_str(s, "std::");
		return source_name(m + 2, s);
	}
	if (*m != 'N')
		return source_name(m, s);
	m++;
	for (int first = 1; *m != 'E'; first = 0) {
		if (!first)
			fl_sink_str(s, "::");
		if (m[0] == 'S' && m[1] == 't' && first) {
			fl_sink_str(s, "std");
			m += 2;
			continue;
		}
		m = source_name(m, s);
		if (!m)
			return NULL;
	}
	return m + 1;
}

/* The type's name as C++ writes it, or as mangled when it is not of the
 * subset. */
static void put_type(struct fl_sink *s, const char *mangled, char *scratch,
		     size_t cap)
{
	struct fl_sink t;
	const char *end;

	if (*mangled == '*') /* a type local to a translation unit */
		mangled++;
	fl_sink_init_memory(&t, scratch, cap);
	end = type_name(mangled, &t);
	fl_sink_str(s, end && !*end && !t.dropped ? scratch : mangled);
}

/* --- the exception ----------------------------------------------------- */

/* what() of the exception being handled, if it is a std::exception,
 * copied into out (the object goes when the exception_ptr does). */
static int exception_what(const struct type_info *thrown, char *out, size_t cap)
{
	void *ptr = NULL, *object;
	do_catch_fn do_catch;
	int found = 0;

	if (!current_exception || !exception_ptr_dtor || !std_exception)
		return 0;
	current_exception(&ptr);
	object = ptr;
	do_catch = (do_catch_fn)std_exception->vtable[TYPE_INFO_DO_CATCH];
	if (object && do_catch(std_exception, thrown, &object, 1)) {
		const void *const *vtable = *(const void *const **)object;
		const char *what = ((what_fn)vtable[EXCEPTION_WHAT])(object);

		if (what) {
			fl_strlcpy(out, what, cap);
			found = 1;
		}
	}
	if (ptr)
		exception_ptr_dtor(&ptr);
	return found;
}

/* The cause of this std::terminate: its text into text when it is an
 * exception. */
static enum faultline_cause terminate_cause(char *text, size_t cap)
{
	const struct type_info *thrown = current_type ? current_type() : NULL;
	static char type[128], what[160];
	struct fl_sink s;

	if (!thrown)
		return pure_virtual && fl_win_called_from(pure_virtual, 8)
			       ? FAULTLINE_CAUSE_PURE_VIRTUAL_CALL
			       : FAULTLINE_CAUSE_TERMINATE;
	fl_sink_init_memory(&s, text, cap);
	fl_sink_str(&s, "uncaught C++ exception ");
	put_type(&s, thrown->name, type, sizeof(type));
	if (exception_what(thrown, what, sizeof(what))) {
		fl_sink_str(&s, ": ");
		fl_sink_str(&s, what);
	}
	return FAULTLINE_CAUSE_UNCAUGHT_EXCEPTION;
}

static void on_terminate(void)
{
	static char text[sizeof(((struct faultline_fault *)0)->cause_text)];
	static volatile LONG busy;

	/* One thread at a time writes the text; a second one to terminate
	 * is a second crash, which hand-over ends. */
	if (on && !fl_win_reported_here() &&
	    InterlockedExchange(&busy, 1) == 0) {
		struct fl_win_why why = {FAULTLINE_CAUSE_TERMINATE,
					 "C++ std::terminate()", NULL};
		EXCEPTION_RECORD rec;
		CONTEXT ctx;

		text[0] = '\0';
		why.cause = terminate_cause(text, sizeof(text));
		why.text = text;
		fl_memset(&rec, 0, sizeof(rec));
		fl_win_context_in(&ctx, cxx, 8);
		rec.ExceptionAddress = (PVOID)ctx.Rip;
		fl_win_report_why(&rec, &ctx, 3, 0, &why);
	}
	if (prev_terminate)
		prev_terminate();
	/* std::terminate calls abort() if a handler returns. */
}

/* --- install ----------------------------------------------------------- */

static void (*lookup(const char *name))(void)
{
	return (void (*)(void))GetProcAddress(cxx, name);
}

void fl_win_cxx_hook(int want)
{
	if (want && !hooked) {
		HMODULE m = GetModuleHandleW(L"libstdc++-6.dll");

		if (!m)
			return;
		cxx = m;
		set_terminate =
			(set_terminate_fn)lookup("_ZSt13set_terminatePFvvE");
		current_type =
			(current_type_fn)lookup("__cxa_current_exception_type");
		current_exception = (current_exception_fn)lookup(
			"_ZSt17current_exceptionv");
		exception_ptr_dtor = (exception_ptr_dtor_fn)lookup(
			"_ZNSt15__exception_ptr13exception_ptrD1Ev");
		std_exception = (const struct type_info *)(uintptr_t)lookup(
			"_ZTISt9exception");
		pure_virtual = (uintptr_t)lookup("__cxa_pure_virtual");
		if (!set_terminate)
			return;
		prev_terminate = set_terminate(on_terminate);
		hooked = 1;
	} else if (!want && hooked) {
		terminate_fn cur = set_terminate(prev_terminate);

		if (cur != on_terminate)
			set_terminate(cur);
		hooked = 0;
	}
	InterlockedExchange(&on, want);
}
