/*
 * cxx_exception.c - the uncaught C++ exception behind an abort(): its
 * type and, for a std::exception, its what(), for the report's cause.
 *
 * Where: a terminate handler, not the SIGABRT handler.  std::terminate
 * runs our handler in ordinary context, on the thread that threw, with
 * the exception still current; we note what it was and chain to the
 * handler we replaced (libstdc++'s verbose one prints the same and calls
 * abort()).  The SIGABRT handler then only copies what was noted for its
 * own thread.  Doing the work in the signal handler instead would mean
 * calling what() - any code of the program's, which may allocate or
 * take locks - and __cxa_get_globals, whose thread-local data a
 * dlopen()ed libstdc++ may allocate at first use, from a signal
 * handler.  Here both are as safe as in libstdc++'s own handler, which
 * calls what() next; we still run what() under faultline_protect (a
 * what() that faults must not change how the process dies) and copy its
 * string with the probing reader, bounded.
 *
 * From C, through the Itanium C++ ABI that gcc and clang use with
 * libstdc++: the symbols are weak references, resolved only when
 * libstdc++ is in the process (none of them is looked up in the fatal
 * path).  "Is a std::exception" is the question a catch clause asks:
 * __class_type_info::__do_catch of typeid(std::exception) against the
 * thrown type, which also moves the object pointer to its std::exception
 * part.  The thrown object lies right after libstdc++'s exception header
 * (checked: the header names the current exception's type); another
 * runtime's exceptions (libc++abi's class is "CLNGC++") get their type
 * only.
 */
#include "platform.h"
#include "posix.h"
#include "snapshot.h"
#include "str.h"

#include "demangle.h"

#include <stdlib.h>

typedef void (*fl_terminate_handler)(void);

/* std::set_terminate(std::terminate_handler) */
extern fl_terminate_handler _ZSt13set_terminatePFvvE(fl_terminate_handler)
	__attribute__((weak));
/* std::type_info *__cxa_current_exception_type(void) */
extern void *__cxa_current_exception_type(void) __attribute__((weak));
/* __cxa_eh_globals *__cxa_get_globals(void): caughtExceptions first */
extern void **__cxa_get_globals(void) __attribute__((weak));
/* typeid(std::exception) */
extern const char _ZTISt9exception[] __attribute__((weak));
/* bool __cxxabiv1::__class_type_info::__do_catch(const std::type_info *,
 *                                               void **, unsigned) const */
extern _Bool _ZNK10__cxxabiv117__class_type_info10__do_catchEPKSt9type_infoPPvj(
	const void *self, const void *thrown_type, void **thrown_obj,
	unsigned outer) __attribute__((weak));

/* libstdc++'s __cxa_exception on LP64 (x86-64, aarch64: not ARM EHABI):
 * 112 bytes, its _Unwind_Exception (whose first member is the exception
 * class) at 80; the object follows the header. */
#define FL_CXA_HEADER_SIZE 112
#define FL_CXA_UNWIND_AT 80
#define FL_GXX_PRIMARY 0x474e5543432b2b00ULL   /* "GNUCC++\0" */
#define FL_GXX_DEPENDENT 0x474e5543432b2b01ULL /* "GNUCC++\1" */

/* Noted by the terminate handler, read by the SIGABRT handler. */
static struct {
	volatile long tid; /* 0: nothing noted */
	char type[FL_EXCEPTION_TYPE_MAX];
	int has_what;
	char what[FL_EXCEPTION_WHAT_MAX];
} noted;

static fl_terminate_handler previous;
static int installed;

static int read_word(uintptr_t at, uintptr_t *out)
{
	return fl_safe_read(out, at, sizeof(*out));
}

/* A NUL-terminated string of our memory, bounded and probed. */
static void copy_string(char *out, size_t cap, uintptr_t at)
{
	size_t i;

	for (i = 0; i + 1 < cap; i++)
		if (fl_safe_read(&out[i], at + i, 1) != 0 || out[i] == '\0')
			break;
	out[i] = '\0';
}

/* The thrown object of the current exception whose type is type, or 0. */
static uintptr_t thrown_object(uintptr_t type)
{
	uintptr_t header, cls, obj, named;

	if (!__cxa_get_globals ||
	    read_word((uintptr_t)__cxa_get_globals(), &header) != 0 ||
	    !header || read_word(header + FL_CXA_UNWIND_AT, &cls) != 0)
		return 0;
	if (cls == FL_GXX_PRIMARY)
		obj = header + FL_CXA_HEADER_SIZE;
	else if (cls != FL_GXX_DEPENDENT || read_word(header, &obj) != 0)
		return 0; /* a foreign exception */
	if (read_word(obj - FL_CXA_HEADER_SIZE, &named) != 0 || named != type)
		return 0; /* not the layout we know */
	return obj;
}

struct what_call {
	uintptr_t type, obj;
};

/* Under faultline_protect: the std::exception part of the object, and
 * its what() (virtual function 2 of std::exception: after the two
 * destructors). */
static int call_what(void *arg)
{
	struct what_call *c = arg;
	void *obj = (void *)c->obj;
	const char *(*what)(const void *);

	if (!_ZNK10__cxxabiv117__class_type_info10__do_catchEPKSt9type_infoPPvj(
		    _ZTISt9exception, (const void *)c->type, &obj, 1))
		return 0;
	what = (*(const char *(*const **)(const void *))obj)[2];
	copy_string(noted.what, sizeof(noted.what), (uintptr_t)what(obj));
	return 1;
}

static void note_exception(void)
{
	uintptr_t type = (uintptr_t)__cxa_current_exception_type(), name;
	struct what_call c = {type, 0};
	int is_exception = 0;

	if (!type || read_word(type + sizeof(void *), &name) != 0)
		return;
	/* type_info: vtable, then the mangled name; a leading '*' marks a
	 * type local to its object file. */
	copy_string(noted.type, sizeof(noted.type), name);
	if (noted.type[0] == '*')
		copy_string(noted.type, sizeof(noted.type), name + 1);
	c.obj = thrown_object(type);
	noted.has_what = 0;
	if (c.obj && _ZTISt9exception &&
	    _ZNK10__cxxabiv117__class_type_info10__do_catchEPKSt9type_infoPPvj &&
	    faultline_protect(call_what, &c, &is_exception, NULL) ==
		    FAULTLINE_PROTECT_RETURNED)
		noted.has_what = is_exception;
	__atomic_store_n(&noted.tid, fl_thread_id(), __ATOMIC_RELEASE);
}

static void on_terminate(void)
{
	note_exception();
	if (previous)
		previous();
	abort(); /* a terminate handler must not return */
}

FL_STARTUP_TEXT void fl_cxx_exception_install(void)
{
	if (!_ZSt13set_terminatePFvvE || !__cxa_current_exception_type ||
	    __atomic_exchange_n(&installed, 1, __ATOMIC_ACQ_REL))
		return;
	previous = _ZSt13set_terminatePFvvE(on_terminate);
}

void fl_cxx_exception_uninstall(void)
{
	fl_terminate_handler current;

	if (!__atomic_exchange_n(&installed, 0, __ATOMIC_ACQ_REL))
		return;
	/* Give the program's handler back, unless it replaced ours since. */
	current = _ZSt13set_terminatePFvvE(previous);
	if (current != on_terminate)
		_ZSt13set_terminatePFvvE(current);
}

void fl_cxx_exception_take(struct fl_snapshot *snap, long tid)
{
	struct fl_exception *e = &snap->exception;

	e->present = __atomic_load_n(&noted.tid, __ATOMIC_ACQUIRE) == tid;
	if (!e->present)
		return;
	fl_strlcpy(e->mangled, noted.type, sizeof(e->mangled));
	if (fl_demangle(noted.type, FL_DEMANGLE_TYPE, e->type,
			sizeof(e->type)) == 0)
		fl_strlcpy(e->type, noted.type, sizeof(e->type));
	e->has_what = noted.has_what;
	fl_strlcpy(e->what, noted.what, sizeof(e->what));
}
