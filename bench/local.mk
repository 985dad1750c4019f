# --- bench: start-up and crash-to-death (issue 2, section 9) -----------------
# `make bench` runs two A/B benchmarks, each in one run of alternating rounds
# (bench/run.c), and prints medians, their ratio and PASS/FAIL:
#  (a) a tiny program started with LD_PRELOAD=libfaultline.so against the
#      same with an empty preloaded DSO; target <= 1.05.
#  (b) a program crashing 64 frames deep, faultline preloaded writing its
#      full text report to a pipe the driver drains, against the same
#      program with no handler (no preload); target <= 1.25.  Then (b)'s
#      floor, no target: a preloaded handler that only writes as many
#      bytes (bench/floor.c) against no handler.
# bench/callgrind.sh gives both comparisons, and one recovered fault, as
# instruction, syscall and page-fault counts.
# The programs are built by `make all` so that they never rot.
if FL_POSIX
noinst_PROGRAMS += bench/run bench/tiny bench/deep
bench_run_SOURCES = bench/run.c
bench_tiny_SOURCES = bench/tiny.c
bench_deep_SOURCES = bench/deep.c
# -rpath: libtool builds a shared object only for an installable library.
noinst_LTLIBRARIES += bench/libblank.la bench/libfloor.la
bench_libblank_la_SOURCES = bench/blank.c
bench_libblank_la_LDFLAGS = -module -avoid-version -shared \
	-rpath $(abs_builddir)/bench
# (b)'s floor: a handler that only writes a report-sized buffer.
bench_libfloor_la_SOURCES = bench/floor.c
bench_libfloor_la_LDFLAGS = -module -avoid-version -shared \
	-rpath $(abs_builddir)/bench
EXTRA_DIST += bench/callgrind.sh

FL_BENCH_ROUNDS = 200
FL_BENCH_WARMUP = 20
FL_BENCH_LIB = $(abs_top_builddir)/.libs/libfaultline.so
FL_BENCH_BLANK = $(abs_top_builddir)/bench/.libs/libblank.so
FL_BENCH_FLOOR = $(abs_top_builddir)/bench/.libs/libfloor.so
FL_BENCH_RUN = $(abs_top_builddir)/bench/run$(EXEEXT) \
	-n $(FL_BENCH_ROUNDS) -w $(FL_BENCH_WARMUP)

bench: libfaultline.la bench/libblank.la bench/libfloor.la bench/run$(EXEEXT) \
		bench/tiny$(EXEEXT) bench/deep$(EXEEXT)
	@test -e $(FL_BENCH_LIB) || { \
		echo 'bench: $(FL_BENCH_LIB) is missing (configure --enable-shared)'; \
		exit 1; }; \
	rc=0; \
	$(FL_BENCH_RUN) -l '(a) start-up' -t 1.05 -Q \
		-A 'LD_PRELOAD=faultline' -a LD_PRELOAD=$(FL_BENCH_LIB) \
		-B 'LD_PRELOAD=empty DSO' -b LD_PRELOAD=$(FL_BENCH_BLANK) \
		-- $(abs_top_builddir)/bench/tiny$(EXEEXT) || rc=1; \
	$(FL_BENCH_RUN) -l '(b) crash 64 frames deep' -t 1.25 -s 11 -R \
		-A 'faultline, full report' -a LD_PRELOAD=$(FL_BENCH_LIB) \
		-B 'no handler' \
		-- $(abs_top_builddir)/bench/deep$(EXEEXT) || rc=1; \
	$(FL_BENCH_RUN) -l '(b) floor: the least a report can cost' -s 11 -R \
		-A 'preloaded handler writing 7 KB' \
		-a LD_PRELOAD=$(FL_BENCH_FLOOR) -B 'no handler' \
		-- $(abs_top_builddir)/bench/deep$(EXEEXT) || rc=1; \
	exit $$rc

bench-callgrind: libfaultline.la bench/libblank.la bench/tiny$(EXEEXT) \
		bench/deep$(EXEEXT) bench/protect$(EXEEXT)
	$(SHELL) $(abs_top_srcdir)/bench/callgrind.sh $(abs_top_builddir)
endif
.PHONY: bench bench-callgrind
# --- end bench ----------------------------------------------------------------

# faultline symbolize: a 64-frame report, cold (bench/symbolize.sh).
if FL_POSIX
if HAVE_LIBDW
bench-symbolize: faultline
	$(SHELL) $(srcdir)/bench/symbolize.sh $(abs_builddir)/faultline
endif
endif
EXTRA_DIST += bench/symbolize.sh
# --- bench/protect: faultline_protect (issue 5) -----------------------------
# `make bench-protect` prints, from one run of alternating rounds, the
# medians of (a) the no-fault round trip against a plain call and
# sigsetjmp, target <= 50 ns, and (b) fault-and-recover with the full
# snapshot against the kernel's own signal round trip measured in the same
# run (a handler that only skips the faulting load), target <= 2x that
# floor, and (c) a recovered overflow of the 8 MiB main stack with the
# snapshot against the same without one, target <= 2x (issue 13).
# bench/callgrind.sh counts one recovery (bench/protect -r).
if FL_POSIX
noinst_PROGRAMS += bench/protect
bench_protect_SOURCES = bench/protect.c
bench_protect_LDADD = libfaultline.la
# A real program, not libtool's wrapper script: valgrind, strace and perf
# (bench/callgrind.sh) must see it, not a shell.
bench_protect_LDFLAGS = -no-install

bench-protect: bench/protect$(EXEEXT)
	$(abs_top_builddir)/bench/protect$(EXEEXT)
endif
.PHONY: bench-protect

# --- bench: every thread (issue 9) -------------------------------------------
# `make bench-threads`: (c) a crash with 8 other threads, each 32 frames deep,
# FAULTLINE_THREADS=all (every thread's backtrace) against the single-thread
# report of the same crash (FAULTLINE_THREADS=crashed), both preloaded, in
# alternating rounds; target <= 2.0.  (d) faultline_dump with 8, 64 and 1,000
# threads (bench/dump.c).  (e) start-up with the library preloaded, default
# (every thread: the reservation at install) against FAULTLINE_THREADS=crashed
# (none); target <= 1.05.
# `make bench-cold`: a report's cost the first time in a process and again
# (bench/cold.c): what a crash report pays for touching everything first.
if FL_POSIX
noinst_PROGRAMS += bench/cold
bench_cold_SOURCES = bench/cold.c bench/parked.c bench/parked.h
bench_cold_LDADD = libfaultline.la -lpthread
bench_cold_LDFLAGS = -no-install

bench-cold: libfaultline.la bench/cold$(EXEEXT)
	$(abs_top_builddir)/bench/cold$(EXEEXT)
endif
.PHONY: bench-cold

if FL_POSIX
noinst_PROGRAMS += bench/threads bench/dump
bench_threads_SOURCES = bench/threads.c bench/parked.c bench/parked.h
bench_threads_LDADD = -lpthread
bench_dump_SOURCES = bench/dump.c bench/parked.c bench/parked.h
bench_dump_LDADD = libfaultline.la -lpthread
bench_dump_LDFLAGS = -no-install

bench-threads: libfaultline.la bench/run$(EXEEXT) bench/threads$(EXEEXT) \
		bench/dump$(EXEEXT) bench/tiny$(EXEEXT)
	@rc=0; \
	$(FL_BENCH_RUN) -l '(c) crash, 8 threads x 32 frames' -t 2.0 -s 11 \
		-A 'every thread' -a LD_PRELOAD=$(FL_BENCH_LIB) \
		-a FAULTLINE_THREADS=all \
		-B 'crashed thread only' -b LD_PRELOAD=$(FL_BENCH_LIB) \
		-b FAULTLINE_THREADS=crashed \
		-- $(abs_top_builddir)/bench/threads$(EXEEXT) 8 || rc=1; \
	$(abs_top_builddir)/bench/dump$(EXEEXT) || rc=1; \
	$(FL_BENCH_RUN) -l '(e) start-up' -t 1.05 -Q \
		-A 'every thread (default)' -a LD_PRELOAD=$(FL_BENCH_LIB) \
		-B 'FAULTLINE_THREADS=crashed' -b LD_PRELOAD=$(FL_BENCH_LIB) \
		-b FAULTLINE_THREADS=crashed \
		-- $(abs_top_builddir)/bench/tiny$(EXEEXT) || rc=1; \
	exit $$rc
endif
.PHONY: bench-threads
# `make bench-minidump`: (f) a crash with 8 other threads, a minidump
# written too against the report alone, target <= 1.5; (g) the
# minidump's size for 1, 8 and 64 threads (bench/minidump.sh).
if FL_POSIX
bench-minidump: libfaultline.la bench/run$(EXEEXT) bench/threads$(EXEEXT)
	$(SHELL) $(abs_top_srcdir)/bench/minidump.sh $(abs_top_builddir)
endif
EXTRA_DIST += bench/minidump.sh
.PHONY: bench-minidump
