# Windows backend (mingw-w64, x86-64).  libtool builds the DLL
# (libfaultline-0.dll), its import library (libfaultline.dll.a) and the
# static library (libfaultline.a; define FAULTLINE_STATIC when using it).
if FL_WINDOWS
libfaultline_la_SOURCES += \
	lib/windows/win.h \
	lib/windows/veh.c \
	lib/windows/crt.c \
	lib/windows/cxx.c \
	lib/windows/dump.c \
	lib/windows/reporter.c \
	lib/windows/minidump.c \
	lib/windows/capture.c \
	lib/windows/arch_x86_64.c \
	lib/windows/arch_x86_64.h \
	lib/windows/status.c \
	lib/windows/unwind.c \
	lib/windows/modules.c \
	lib/windows/platform.c \
	lib/windows/memmap.c \
	lib/windows/protect.c
# --build-id: a CodeView (RSDS) record, the identity reports print.
# dbghelp is not linked: it is loaded at crash time, if present.
libfaultline_la_LDFLAGS += -Wl,--build-id
endif
