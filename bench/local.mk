# bench: rules come with the area's work.

# faultline symbolize: a 64-frame report, cold (bench/symbolize.sh).
if FL_POSIX
if HAVE_LIBDW
bench-symbolize: faultline
	$(SHELL) $(srcdir)/bench/symbolize.sh $(abs_builddir)/faultline
endif
endif
EXTRA_DIST += bench/symbolize.sh
