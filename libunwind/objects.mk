# libunwind/objects.mk - read with libunwind's own src/Makefile (GNU make,
# `make -f Makefile -f objects.mk fl-print-objects`): prints the libtool
# objects of the generic library libunwind-$(arch).la and, recursively, of
# the convenience libraries in its LIBADD (DWARF parser, ELF reader).  The
# local unwinder, libunwind.la, is left out: faultline builds remote-only.

fl_var = $(subst -,_,$(basename $(1)))
fl_objects = $($(call fl_var,$(1))_la_OBJECTS) \
	$(foreach l,$(filter-out libunwind.la,$(filter %.la,$($(call fl_var,$(1))_la_LIBADD))),$(call fl_objects,$(l)))

fl-print-objects:
	@echo $(sort $(call fl_objects,libunwind-$(arch).la))
.PHONY: fl-print-objects
