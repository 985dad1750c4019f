# POSIX backend (Linux).  Architecture files hold register names and the
# decoding of the CPU's fault information.
if FL_POSIX
libfaultline_la_SOURCES += \
	lib/posix/altstack.c \
	lib/posix/capture.c \
	lib/posix/claim.c \
	lib/posix/context.c \
	lib/posix/cxx_exception.c \
	lib/posix/debugfile.c \
	lib/posix/dump.c \
	lib/posix/elf.c \
	lib/posix/handler.c \
	lib/posix/memmap.c \
	lib/posix/memory.c \
	lib/posix/minidump.c \
	lib/posix/modules.c \
	lib/posix/output.c \
	lib/posix/platform.c \
	lib/posix/populate.c \
	lib/posix/posix.h \
	lib/posix/preload.c \
	lib/posix/protect.c \
	lib/posix/requests.c \
	lib/posix/signals.c \
	lib/posix/stack.c \
	lib/posix/sigchain.c \
	lib/posix/symbols.c \
	lib/posix/threads.c \
	lib/posix/timeout.c \
	lib/posix/unwind.c
if FL_ARCH_X86_64
libfaultline_la_SOURCES += lib/posix/arch_x86_64.c lib/posix/arch_x86_64.h \
	lib/posix/minidump_x86_64.c
endif
if FL_ARCH_AARCH64
libfaultline_la_SOURCES += lib/posix/arch_aarch64.c lib/posix/arch_aarch64.h \
	lib/posix/minidump_aarch64.c
endif
libfaultline_la_CFLAGS += $(LIBUNWIND_CFLAGS)
libfaultline_la_LIBADD += $(FL_UNWIND_LIBS)
# -z now: no lazy binding (it may allocate) inside the handler.
# -z nodelete: a handler in an unloaded DSO would point at unmapped code.
libfaultline_la_LDFLAGS += -Wl,-z,now -Wl,-z,nodelete
# Without the C runtime's start files (crti, crtbeginS, crtendS, crtn):
# what they add to a shared library is for C++ and transactional memory
# (weak _ITM_* and __gmon_start__ references, __cxa_finalize at unload,
# which nodelete rules out) and cost every process we are preloaded into
# two page faults (_fini's page of code and the .bss page of crtstuff's
# "completed" flag, both at exit) and four symbol lookups that fail.
# The constructor runs from .init_array all the same; unwind.c defines
# the one symbol they provided that we use (__dso_handle).
libfaultline_la_LDFLAGS += -Wc,-nostartfiles
if FL_UNWIND_PRIVATE
# libunwind built in (libunwind/local.mk): its symbols stay inside the
# DSO even if a release marks one for export, and what faultline never
# calls (the fast-trace cache with its TLS, the /proc/self/maps reader)
# is left out of it.
libfaultline_la_LDFLAGS += -Wl,--exclude-libs,ALL -Wl,--gc-sections
endif
endif
