/*
 * split_dwarf.h - split DWARF units (-gsplit-dwarf) that libdw does not
 * find by itself: .dwo files moved away from where the build left them,
 * and .dwp packages.
 *
 * libdw looks for a skeleton unit's .dwo file only beside the file that
 * holds the skeleton and under the unit's DW_AT_comp_dir, and elfutils
 * before 0.191 does not read .dwp packages at all.  So the units found
 * elsewhere are staged in a private directory, beside a link (or copy) of
 * the file holding the skeletons: reopened from there, libdw finds them
 * where it looks.  A unit in a .dwp is staged as a .dwo file of its own,
 * cut out of the package by its index (.debug_cu_index).
 */
#ifndef FL_TOOL_SPLIT_DWARF_H
#define FL_TOOL_SPLIT_DWARF_H

#include <elfutils/libdw.h>
#include <stddef.h>

#include "path_map.h"

/* Where to look besides where libdw looks. */
struct split_search {
	char **debug_dirs; /* DIR/DWO_NAME, DIR/BASENAME, DIR/MODULE.dwp */
	size_t debug_dir_count;
	const struct path_maps *maps; /* applied to COMP_DIR/DWO_NAME */
};

struct split_stage {
	char *dir;     /* the private directory, NULL when nothing was staged */
	char *file;    /* the link or copy of the file holding the skeletons */
	size_t staged; /* units staged */
};

/* For the skeleton units of dw (read from file, the module at
 * module_path or its separate debug file) that lack their split unit,
 * find and stage what can be found.  Returns 0 with stage->file set when
 * something was staged; -1 otherwise (nothing missing, nothing found, or a
 * failure, said on stderr). */
int split_dwarf_stage(Dwarf *dw, const char *file, const char *module_path,
		      const struct split_search *where,
		      struct split_stage *stage);

/* Remove the staged files, once libdw has read them
 * (split_dwarf_missing on the reopened module). */
void split_dwarf_unstage(struct split_stage *stage);

/* How many skeleton units of dw lack their split unit (libdw reads every
 * one it can find on the way); *example: the DW_AT_comp_dir/DW_AT_dwo_name
 * of one of them (malloc'd) when example is not NULL. */
size_t split_dwarf_missing(Dwarf *dw, size_t *skeletons, char **example);

#endif
