// cxx.cc - crashme-cxx, the crash tests' C++ child (tests/crash/test-cxx):
// C++ names in the backtrace, and uncaught exceptions.  Plain: the harness
// preloads faultline.  `crashme-cxx SCENARIO`; without one, the list.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <stdexcept>

// Frames as written: no clone (".isra"), no frame folded into its caller.
#if defined(__clang__)
#define FL_FRAME __attribute__((noinline))
#else
#define FL_FRAME __attribute__((noipa))
#endif
// A call that is not the last thing its caller does keeps the caller's
// frame (no tail call).
#define KEEP_FRAME() __asm__ volatile("" ::: "memory")

namespace fl_cxx
{

template <typename T> struct Widget {
	T *part;
	// Reads through a null part: frame 0 is
	// fl_cxx::Widget<int>::poke() const.
	FL_FRAME T poke() const
	{
		return *part;
	}
};

// std::runtime_error's what(), from libstdc++.
struct DiskError : std::runtime_error {
	explicit DiskError(const char *what) : std::runtime_error(what)
	{
	}
};

// A what() of the program's own: called by the terminate handler (not
// the signal handler), as libstdc++'s own handler calls it.
struct OwnWhat : std::exception {
	const char *what() const noexcept override
	{
		return "own what";
	}
};

// A what() that faults: the process must still die by SIGABRT.
struct BadWhat : std::exception {
	const char *what() const noexcept override
	{
		return *bad;
	}
	static const char *const *volatile bad;
};
const char *const *volatile BadWhat::bad = nullptr;

} // namespace fl_cxx

static fl_cxx::Widget<int> *volatile the_widget;

FL_FRAME static int widget_poke()
{
	static fl_cxx::Widget<int> widget{nullptr};
	the_widget = &widget;
	int v = the_widget->poke();
	KEEP_FRAME();
	return v;
}

template <typename E> FL_FRAME static void throw_it(E e)
{
	throw e;
}

FL_FRAME static int abort_in_catch()
{
	try {
		throw_it(std::runtime_error("caught, then abort"));
	} catch (const std::exception &) {
		std::abort();
	}
	return 0;
}

FL_FRAME static int run(const char *s)
{
	if (!std::strcmp(s, "widget-poke"))
		return widget_poke();
	if (!std::strcmp(s, "throw-runtime-error"))
		throw_it(std::runtime_error("disk on fire"));
	if (!std::strcmp(s, "throw-int"))
		throw_it(42);
	if (!std::strcmp(s, "throw-derived"))
		throw_it(fl_cxx::DiskError("disk on fire"));
	if (!std::strcmp(s, "throw-own-what"))
		throw_it(fl_cxx::OwnWhat());
	if (!std::strcmp(s, "abort-in-catch"))
		return abort_in_catch();
	if (!std::strcmp(s, "throw-bad-what"))
		throw_it(fl_cxx::BadWhat());
	if (!std::strcmp(s, "rethrow-exception-ptr"))
		std::rethrow_exception(std::make_exception_ptr(
			std::out_of_range("index 7 of 3")));
	std::fprintf(stderr,
		     "usage: crashme-cxx widget-poke|throw-runtime-error"
		     "|throw-int|throw-derived|throw-own-what"
		     "|abort-in-catch|throw-bad-what|rethrow-exception-ptr\n");
	return 2;
}

int main(int argc, char **argv)
{
	int r = run(argc > 1 ? argv[1] : "");
	KEEP_FRAME();
	return r;
}
