/*
 * scenarios-cxx.cpp - the scenarios of the table (scenarios.c) that need
 * C++: the Windows C++ child, crashme-cxx.exe, built with mingw-w64 g++
 * and its shared runtime (libstdc++-6.dll).
 */
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <stdexcept>

#include <windows.h>

#include "faultline.h"

extern "C" {
#include "scenarios.h"
}

namespace fltest
{
struct bad_thing : std::exception {
	const char *what() const noexcept override
	{
		return "custom what";
	}
};
} // namespace fltest

static NOINLINE void throw_it(const char *arg)
{
	if (arg[0] == 'c')
		throw fltest::bad_thing();
	if (arg[0] == 'i')
		throw 42;
	throw std::runtime_error("boom from faultline test");
}

/* Constructing a Derived runs Base's constructor first, while the object
 * is still a Base: its call of a pure virtual function goes through the
 * vtable slot meant for __cxa_pure_virtual.  The object is read back
 * through a volatile pointer, or g++ would call Base::run directly.
 *
 * mingw-w64 g++ 12 refers to __cxa_pure_virtual weakly there, and a weak
 * reference in a PE image pulls nothing from a library (libstdc++-6.dll's
 * import library or libstdc++.a alike): the slot stays null, and the call
 * is a call through a null pointer (exit status 0xC0000005).  With
 * -fno-weak it is a strong one, but that also gives the program its own
 * copies of the library's type_info, which catch then no longer matches;
 * so the std::terminate path of a pure virtual call is shown by calling
 * __cxa_pure_virtual as the vtable slot would (cxa_pure_virtual). */
struct Base;
static Base *volatile constructing;

struct Base {
	Base()
	{
		constructing = this;
		start();
	}
	virtual ~Base() = default;
	virtual void run() = 0;
	static NOINLINE void start();
};

NOINLINE void Base::start()
{
	constructing->run();
}

struct Derived : Base {
	void run() override
	{
		std::fprintf(stderr, "Derived::run\n");
	}
};

static void program_terminate(void)
{
	std::fprintf(stderr, "program's terminate handler\n");
	std::fflush(stderr);
	std::abort();
}

extern "C" {

int uncaught_exception(const char *arg)
{
	throw_it(arg);
	return CRASHME_SURVIVED;
}

int pure_virtual_call(const char *arg)
{
	(void)arg;
	Derived d;
	return CRASHME_SURVIVED;
}

/* What a vtable slot filled with a strong reference calls.  Found at run
 * time: g++ declares __cxa_pure_virtual weak itself, so naming it here
 * would leave a null pointer too. */
static NOINLINE void call_pure_virtual_slot(void (*slot)(void))
{
	slot();
}

int cxa_pure_virtual(const char *arg)
{
	HMODULE cxx = GetModuleHandleW(L"libstdc++-6.dll");
	void (*slot)(void) = NULL;

	(void)arg;
	if (cxx)
		slot = reinterpret_cast<void (*)(void)>(
			GetProcAddress(cxx, "__cxa_pure_virtual"));
	if (!slot)
		return CRASHME_SETUP;
	call_pure_virtual_slot(slot);
	return CRASHME_SURVIVED;
}

int terminate_chained(const char *arg)
{
	(void)arg;
	std::set_terminate(program_terminate);
	if (faultline_install(NULL) != 0)
		return CRASHME_SETUP;
	throw_it("std");
	return CRASHME_SURVIVED;
}

int cxx_uninstall(const char *arg)
{
	(void)arg;
	std::set_terminate(program_terminate);
	if (faultline_install(NULL) != 0)
		return CRASHME_SETUP;
	if (std::get_terminate() == program_terminate) {
		std::fprintf(stderr, "installed: the program's terminate "
				     "handler is still in place\n");
		return 1;
	}
	if (faultline_uninstall() != 0)
		return CRASHME_SETUP;
	std::fprintf(stderr, "terminate handler %s\n",
		     std::get_terminate() == program_terminate
			     ? "restored"
			     : "NOT restored");
	std::fflush(stderr);
	throw_it("std");
	return CRASHME_SURVIVED;
}
}
