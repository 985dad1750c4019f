# examples: demo.c, the program ./demo.sh crashes under the preloaded
# library.  It does not link faultline.
if FL_POSIX
noinst_PROGRAMS += examples/demo
examples_demo_SOURCES = examples/demo.c
endif
