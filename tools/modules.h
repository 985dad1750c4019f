/*
 * modules.h - the modules of reports as libdwfl sessions: each module's
 * file, or when it is gone or was rebuilt a debug file with its build-id
 * (under the debug directories, or from debuginfod), its separate debug
 * file (build-id, .gnu_debuglink, debuginfod) and its split DWARF units
 * (.dwo, .dwp).
 */
#ifndef FL_TOOL_MODULES_H
#define FL_TOOL_MODULES_H

#include <elfutils/libdwfl.h>
#include <stddef.h>

#include "debuginfod.h"
#include "path_map.h"

struct module_entry {
	/* What lookups use; dwfl is NULL when the module cannot be read. */
	Dwfl *dwfl;
	Dwfl_Module *module;
	Dwarf_Addr bias; /* where libdwfl put ELF address 0 */
	int has_dwarf;

	char *path;	/* as the report gives it */
	char *build_id; /* as the report gives it, may be NULL */
	char *file;	/* the file read: path, a mapped path or a debug file */
	char *debug_file;   /* separate debug file libdwfl took, or NULL */
	char *staged_debug; /* while split DWARF is staged beside it */
	enum fetch_status fetched; /* debuginfod's answer, when asked */
	int fetch_asked;
	int split_checked;
	struct modules *owner;
	struct module_entry *next;
};

struct modules;

/* debug_dirs: extra roots searched for DIR/.build-id/xx/rest.debug,
 * debug links and split DWARF before /usr/lib/debug; maps: --source-prefix
 * (module paths and build directories of another machine); server:
 * debuginfod, or NULL.  All borrowed.  NULL when out of memory. */
struct modules *modules_new(char **debug_dirs, size_t debug_dir_count,
			    const struct path_maps *maps,
			    struct debug_server *server);
void modules_free(struct modules *set);
void modules_set_server(struct modules *set, struct debug_server *server);
void modules_set_path_maps(struct modules *set, const struct path_maps *maps);

/* The module at path (build_id: the report's, or NULL), opened once per
 * path and build-id.  Each problem is said once, on stderr, and counted in
 * *problems.  NULL only when out of memory. */
struct module_entry *modules_open(struct modules *set, const char *path,
				  const char *build_id, size_t *problems);

/* Called when a lookup meets a skeleton unit without its split unit:
 * looks for the module's split units where libdw does not (once per
 * module), reopening the module when some are found; says what stays
 * missing.  Returns 1 when the module's session was replaced (by one that
 * reads the split units found; m->dwfl is NULL if that failed). */
int modules_find_split_units(struct module_entry *m, size_t *problems);

#endif
