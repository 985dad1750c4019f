# bench: rules come with the area's work.
# --- bench/protect: faultline_protect (issue 5) -----------------------------
# `make bench-protect` prints, from one run of alternating rounds, the
# medians of (a) the no-fault round trip against a plain call and
# sigsetjmp, target <= 50 ns, and (b) fault-and-recover against the
# kernel's own signal round trip, target <= 10 us.
if FL_POSIX
noinst_PROGRAMS += bench/protect
bench_protect_SOURCES = bench/protect.c
bench_protect_LDADD = libfaultline.la

bench-protect: bench/protect$(EXEEXT)
	$(abs_top_builddir)/bench/protect$(EXEEXT)
endif
.PHONY: bench-protect
