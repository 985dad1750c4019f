/*
 * symbolize.c - DWARF lookups through elfutils' libdwfl (see symbolize.h);
 * finding each module's files is modules.c's part.
 */
#include "frame.h"
#include "symbolize.h"

#include <dlfcn.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debuginfod.h"
#include "modules.h"
#include "plt.h"

struct symbolizer {
	struct modules *modules;
	struct debug_server *server;
	const struct path_maps *maps; /* --source-prefix, or NULL */
};

/* ---------------------------------------------------------------------
 * Demangling
 *
 * The C++ ABI's __cxa_demangle lives in libstdc++, which is present
 * wherever there are C++ programs to demangle.  It is loaded at run time
 * so that the tool stays a C program with no C++ link dependency; without
 * it, names stay mangled (and a note says so once).  libiberty's
 * cplus_demangle would be a static copy of the same code that no longer
 * gets distribution updates.
 * ------------------------------------------------------------------- */

typedef char *(*cxa_demangle_fn)(const char *, char *, size_t *, int *);

static cxa_demangle_fn find_demangler(void)
{
	static int looked;
	static cxa_demangle_fn fn;
	if (looked)
		return fn;
	looked = 1;
	void *handle = dlopen("libstdc++.so.6", RTLD_LAZY | RTLD_LOCAL);
	if (handle)
		*(void **)&fn = dlsym(handle, "__cxa_demangle");
	if (!fn)
		fprintf(stderr, "faultline: libstdc++.so.6 (__cxa_demangle) "
				"is not available: C++ names stay mangled\n");
	return fn;
}

char *demangle(const char *name)
{
	if (!name || strncmp(name, "_Z", 2) != 0)
		return NULL;
	cxa_demangle_fn fn = find_demangler();
	if (!fn)
		return NULL;
	int status = -1;
	char *out = fn(name, NULL, NULL, &status);
	if (status != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* ---------------------------------------------------------------------
 * Lookups
 * ------------------------------------------------------------------- */

/* The DIE that carries DW_AT_name for die: itself, or the one its
 * DW_AT_abstract_origin / DW_AT_specification leads to. */
static int named_die(Dwarf_Die *die, Dwarf_Die *out)
{
	*out = *die;
	for (int depth = 0; depth < 8; depth++) {
		Dwarf_Attribute attr;
		if (dwarf_hasattr(out, DW_AT_name))
			return 0;
		if (!dwarf_attr(out, DW_AT_abstract_origin, &attr) &&
		    !dwarf_attr(out, DW_AT_specification, &attr))
			return -1;
		if (!dwarf_formref_die(&attr, out))
			return -1;
	}
	return -1;
}

static char *die_function_name_depth(Dwarf_Die *die, int depth);

/* "outer::" prefixes for a function known only by its DW_AT_name (lambdas
 * and other functions without a linkage name): its enclosing namespaces,
 * classes and function, as a demangler would show them. */
static void qualify(Dwarf_Die *named, char *buf, size_t size, int depth)
{
	Dwarf_Die *parents = NULL;
	int n = dwarf_getscopes_die(named, &parents);
	buf[0] = '\0';
	for (int i = n - 1; i >= 1; i--) {
		int tag = dwarf_tag(&parents[i]);
		const char *name = dwarf_diename(&parents[i]);
		char *owned = NULL;
		const char *part = NULL;
		switch (tag) {
		case DW_TAG_namespace:
			part = name ? name : "(anonymous namespace)";
			break;
		case DW_TAG_class_type:
		case DW_TAG_structure_type:
		case DW_TAG_union_type:
			part = name ? name : "{lambda}";
			break;
		case DW_TAG_subprogram:
			/* A function is qualified by its own name; what is
			 * outside it is part of that already. */
			if (depth < 4 && (owned = die_function_name_depth(
						  &parents[i], depth + 1))) {
				buf[0] = '\0';
				part = owned;
			}
			break;
		default:
			break;
		}
		if (part) {
			size_t used = strlen(buf);
			snprintf(buf + used, size - used, "%s::", part);
		}
		free(owned);
	}
	free(parents);
}

/* A function's name for people: its demangled linkage name, else its
 * DW_AT_name qualified by what encloses it (both may live in an abstract
 * origin or specification). */
static char *die_function_name_depth(Dwarf_Die *die, int depth)
{
	Dwarf_Attribute attr;
	const char *linkage = NULL;
	if (dwarf_attr_integrate(die, DW_AT_linkage_name, &attr) ||
	    dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr))
		linkage = dwarf_formstring(&attr);
	char *name = demangle(linkage);
	if (name)
		return name;
	if (linkage)
		return strdup(linkage); /* C: the linkage name is the name */
	Dwarf_Die named;
	if (named_die(die, &named) < 0)
		return NULL;
	const char *plain = dwarf_diename(&named);
	if (!plain)
		return NULL;
	char prefix[512];
	qualify(&named, prefix, sizeof(prefix), depth);
	char *full = NULL;
	if (asprintf(&full, "%s%s", prefix, plain) < 0)
		return NULL;
	return full;
}

static char *die_function_name(Dwarf_Die *die)
{
	return die_function_name_depth(die, 0);
}

/* The path of file: a relative one is relative to the compilation
 * directory (DWARF 5, 6.2.4: the line table's directory 0), which libdw
 * 0.188 leaves for its caller to add; then where --source-prefix maps it
 * (shown so, and read so for --source).  malloc'd. */
static char *source_path(const struct symbolizer *s, const char *file,
			 const char *comp_dir)
{
	char *full = NULL;
	if (file[0] != '/' && comp_dir && comp_dir[0] == '/') {
		if (asprintf(&full, "%s/%s", comp_dir, file) < 0)
			full = NULL;
	}
	char *mapped = path_maps_apply(s->maps, full ? full : file);
	if (mapped) {
		free(full);
		return mapped;
	}
	return full ? full : strdup(file);
}

static int add_location(const struct symbolizer *s, struct frame *f,
			char *function, const char *file, int line, int column,
			const char *comp_dir)
{
	struct location *locs =
		realloc(f->locations, (f->location_count + 1) * sizeof(*locs));
	if (!locs) {
		free(function);
		return -1;
	}
	f->locations = locs;
	struct location *loc = &locs[f->location_count++];
	loc->function = function;
	loc->file = file ? source_path(s, file, comp_dir) : NULL;
	loc->line = line;
	loc->column = column;
	return 0;
}

/* The first function scope (out-of-line or inlined) of scopes[from..n),
 * innermost first; 1 when found. */
static int first_function(Dwarf_Die *scopes, int from, int n, Dwarf_Die *out)
{
	for (int i = from; i < n; i++) {
		int tag = dwarf_tag(&scopes[i]);
		if (tag == DW_TAG_subprogram ||
		    tag == DW_TAG_inlined_subroutine) {
			*out = scopes[i];
			return 1;
		}
	}
	return 0;
}

/* The DIE whose scopes hold the code of cu: cu itself, or for a skeleton
 * unit (split DWARF, -gsplit-dwarf) its split unit from the .dwo file,
 * which libdw finds and links to the skeleton.  A skeleton without its
 * split unit (*missing set) has no scopes but its own. */
static Dwarf_Die *unit_die(Dwarf_Die *cu, Dwarf_Die *split, int *missing)
{
	uint8_t unit_type;
	*missing = 0;
	if (!cu ||
	    dwarf_cu_info(cu->cu, NULL, &unit_type, NULL, split, NULL, NULL,
			  NULL) != 0 ||
	    unit_type != DW_UT_skeleton)
		return cu;
	/* libdw zeroes split when it finds no split unit. */
	*missing = split->addr == NULL;
	return *missing ? cu : split;
}

/* The unit holding addr.  libdw (0.188) finds units by address only
 * through .debug_aranges, which clang leaves out unless asked
 * (-gdwarf-aranges): without it, look through each unit's own ranges. */
static Dwarf_Die *unit_at(Dwfl_Module *module, Dwarf_Addr addr,
			  Dwarf_Addr *bias)
{
	Dwarf_Die *unit = dwfl_module_addrdie(module, addr, bias);

	if (unit)
		return unit;
	while ((unit = dwfl_module_nextcu(module, unit, bias)) != NULL)
		if (dwarf_haspc(unit, addr - *bias) == 1)
			return unit;
	return NULL;
}

/* The line of addr in cu, for units found by unit_at's scan (for which
 * dwfl_module_getsrc, also aranges-bound, finds nothing). */
static const char *unit_line(Dwarf_Die *cu, Dwarf_Addr addr, int *line,
			     int *column)
{
	Dwarf_Line *l = cu ? dwarf_getsrc_die(cu, addr) : NULL;

	if (!l)
		return NULL;
	dwarf_lineno(l, line);
	dwarf_linecol(l, column);
	return dwarf_linesrc(l, NULL, NULL);
}

/* Fill f's symbol and locations for ELF address elf_addr of m. */
static void lookup(const struct symbolizer *s, struct module_entry *m,
		   struct frame *f, Dwarf_Addr elf_addr, size_t *problems)
{
	Dwarf_Addr addr = m->bias + elf_addr, bias = 0;
	Dwarf_Die split;
	int no_split;
	Dwarf_Die *unit = unit_at(m->module, addr, &bias);
	Dwarf_Die *cu = unit_die(unit, &split, &no_split);
	/* First, as it may reopen the module (a new session). */
	if (no_split && modules_find_split_units(m, problems)) {
		if (!m->dwfl)
			return;
		addr = m->bias + elf_addr;
		unit = unit_at(m->module, addr, &bias);
		cu = unit_die(unit, &split, &no_split);
	}
	/* A skeleton unit carries it for its split unit. */
	Dwarf_Attribute dir_attr;
	const char *comp_dir =
		unit && dwarf_attr(unit, DW_AT_comp_dir, &dir_attr)
			? dwarf_formstring(&dir_attr)
			: NULL;

	GElf_Off symbol_offset;
	GElf_Sym sym;
	/* The handler's symbol is the same ELF symbol: only look it up (which
	 * sorts the module's whole symbol table) when the report lacks it. */
	const char *symbol = f->symbol;
	if (!symbol)
		symbol = dwfl_module_addrinfo(m->module, addr, &symbol_offset,
					      &sym, NULL, NULL, NULL);
	if (!f->symbol && symbol) {
		/* The handler found no symbol (e.g. only .symtab has it,
		 * and the process could not read it): take ours. */
		f->symbol = strdup(symbol);
		f->symbol_offset = symbol_offset;
	}
	f->demangled = demangle(f->symbol ? f->symbol : symbol);

	const char *file = NULL;
	int line = 0, column = 0;
	Dwfl_Line *dline = dwfl_module_getsrc(m->module, addr);
	if (dline)
		file = dwfl_lineinfo(dline, NULL, &line, &column, NULL, NULL);
	else
		file = unit_line(cu, addr - bias, &line, &column);

	Dwarf_Die *scopes = NULL;
	int nscopes = cu ? dwarf_getscopes(cu, addr - bias, &scopes) : 0;

	/* scopes run from the innermost out.  An inlined_subroutine is a
	 * function body pasted into a caller; its DW_AT_call_file/line say
	 * where in that caller.  dwarf_getscopes continues past it with the
	 * abstract definition's scopes, not the caller's, so each caller is
	 * found with dwarf_getscopes_die on the concrete inlined instance. */
	Dwarf_Files *files = NULL;
	size_t nfiles = 0;
	if (cu)
		dwarf_getsrcfiles(cu, &files, &nfiles);
	Dwarf_Die function;
	int started = first_function(scopes, 0, nscopes, &function);
	if (started && add_location(s, f, die_function_name(&function), file,
				    line, column, comp_dir) < 0)
		started = 0;
	/* Bounded: a corrupt DWARF tree must not loop us forever. */
	for (int depth = 0; started && depth < 256 &&
			    dwarf_tag(&function) == DW_TAG_inlined_subroutine;
	     depth++) {
		Dwarf_Attribute attr;
		Dwarf_Word call_file = 0, call_line = 0, call_column = 0;
		if (dwarf_attr(&function, DW_AT_call_file, &attr))
			dwarf_formudata(&attr, &call_file);
		if (dwarf_attr(&function, DW_AT_call_line, &attr))
			dwarf_formudata(&attr, &call_line);
		if (dwarf_attr(&function, DW_AT_call_column, &attr))
			dwarf_formudata(&attr, &call_column);
		const char *caller_file =
			files && call_file < nfiles
				? dwarf_filesrc(files, call_file, NULL, NULL)
				: NULL;
		Dwarf_Die *outer = NULL;
		int nouter = dwarf_getscopes_die(&function, &outer);
		int found = first_function(outer, 1, nouter, &function);
		free(outer);
		if (add_location(s, f,
				 found ? die_function_name(&function) : NULL,
				 caller_file, (int)call_line, (int)call_column,
				 comp_dir) < 0 ||
		    !found)
			break;
	}
	free(scopes);
	/* No scope, not even the CU's, holds the address (crt1's _start,
	 * PLT stubs): a line found for it belongs to a neighbour; say
	 * nothing rather than something wrong, as addr2line does. */
	/* A skeleton unit has no scopes of its own, but its ranges say
	 * whether the line found is its. */
	int in_skeleton = no_split && dwarf_haspc(cu, addr - bias) == 1;
	if (!started && (nscopes > 0 || in_skeleton) && (file || symbol)) {
		/* Line table without a function scope (e.g. assembly, or
		 * a skeleton unit without its split unit): still worth a
		 * location. */
		char *name = f->demangled ? strdup(f->demangled)
			     : symbol	  ? strdup(symbol)
					  : NULL;
		if (file)
			add_location(s, f, name, file, line, column, comp_dir);
		else
			free(name);
	}
}

static const char *module_build_id(const struct report *r, const char *path)
{
	for (size_t i = 0; i < r->module_count; i++)
		if (r->modules[i].path && strcmp(r->modules[i].path, path) == 0)
			return r->modules[i].build_id;
	return NULL;
}

/* ---------------------------------------------------------------------
 * Frames without a location: PLT stubs and "??", said plainly
 * ------------------------------------------------------------------- */

/* asprintf, NULL on failure (asprintf leaves its result undefined). */
#define SET_TEXT(to, ...)                                                      \
	do {                                                                   \
		if (asprintf(&(to), __VA_ARGS__) < 0)                          \
			(to) = NULL;                                           \
	} while (0)

/* A frame in no module: frame 0 at the fault address was a jump there. */
static void note_no_module(const struct report *r, struct frame *f)
{
	if (f->symbol)
		return;
	if (f->index == 0 && r->has_address && r->address == f->pc)
		SET_TEXT(f->note,
			 "no code at 0x%" PRIx64 ": a jump outside "
			 "every module, e.g. through a bad function "
			 "pointer",
			 f->pc);
	else
		SET_TEXT(f->note,
			 "0x%" PRIx64 " is in no module: a jump to a bad "
			 "address, generated code, or a corrupt stack",
			 f->pc);
}

/* A frame of a readable module that DWARF placed nowhere. */
static void note_unplaced(struct module_entry *m, struct frame *f,
			  Dwarf_Addr elf_addr)
{
	Dwarf_Addr bias;
	char *target = NULL;
	switch (plt_lookup(dwfl_module_getelf(m->module, &bias), elf_addr,
			   &target)) {
	case PLT_STUB: {
		/* The report's symbol is only whatever precedes the PLT. */
		char *name = demangle(target);
		const char *shown = name ? name : target;
		free(f->demangled);
		f->demangled = NULL;
		if (shown)
			SET_TEXT(f->demangled, "%s@plt", shown);
		const char *symbol = f->symbol ? f->symbol : "";
		SET_TEXT(f->note, "%s%s%s%s%s",
			 shown ? "a PLT stub: the jump to "
			       : "in a PLT stub: a jump to "
				 "another module",
			 shown ? shown : "", *symbol ? "; the report's " : "",
			 symbol,
			 *symbol ? " is only the symbol before it" : "");
		free(name);
		free(target);
		return;
	}
	case PLT_HEADER:
		free(f->demangled);
		f->demangled = NULL;
		f->note = strdup("in the PLT header: lazy binding calls the "
				 "dynamic linker from here");
		return;
	case PLT_NONE:
		break;
	}
	if (!f->symbol)
		SET_TEXT(f->note,
			 "no symbol or debug information covers "
			 "%s+0x%" PRIx64 ": stripped?",
			 f->module, f->offset);
}

/* ---------------------------------------------------------------------
 * Reports
 * ------------------------------------------------------------------- */

struct symbolizer *symbolizer_new(char **debug_dirs, size_t debug_dir_count)
{
	struct symbolizer *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	/* libdwfl's own lookup asks the servers of DEBUGINFOD_URLS by
	 * itself, slowly and silently: from now on only ours do (see
	 * debuginfod.c). */
	s->server = debug_server_new(getenv("DEBUGINFOD_URLS"));
	unsetenv("DEBUGINFOD_URLS");
	s->modules = modules_new(debug_dirs, debug_dir_count, NULL, s->server);
	if (!s->modules) {
		symbolizer_free(s);
		return NULL;
	}
	return s;
}

int symbolizer_set_debuginfod(struct symbolizer *s, const char *urls)
{
	debug_server_free(s->server);
	s->server = debug_server_new(urls);
	modules_set_server(s->modules, s->server);
	return urls && *urls && !s->server ? -1 : 0;
}

void symbolizer_set_path_maps(struct symbolizer *s,
			      const struct path_maps *maps)
{
	s->maps = maps;
	modules_set_path_maps(s->modules, maps);
}

void symbolizer_free(struct symbolizer *s)
{
	if (!s)
		return;
	modules_free(s->modules);
	debug_server_free(s->server);
	free(s);
}

size_t symbolize_report(struct symbolizer *s, struct report *r)
{
	size_t problems = 0;
	for (size_t t = 0; t < r->thread_count; t++) {
		for (size_t i = 0; i < r->threads[t].frame_count; i++) {
			struct frame *f = &r->threads[t].frames[i];
			f->symbolized = 1;
			if (!f->module) {
				f->demangled = demangle(f->symbol);
				note_no_module(r, f);
				continue;
			}
			/* A kernel-provided module with no file ([vdso]):
			 * nothing to read, nothing to complain of. */
			if (!f->has_offset || f->module[0] == '[') {
				f->demangled = demangle(f->symbol);
				continue;
			}
			struct module_entry *m = modules_open(
				s->modules, f->module,
				module_build_id(r, f->module), &problems);
			if (!m || !m->dwfl) {
				f->demangled = demangle(f->symbol);
				if (!f->symbol)
					SET_TEXT(f->note,
						 "%s cannot be read "
						 "here: see the message "
						 "above",
						 f->module);
				continue;
			}
			Dwarf_Addr addr = fl_frame_lookup(f->offset, f->index);
			int had_symbol = f->symbol != NULL;
			lookup(s, m, f, addr, &problems);
			/* (A module whose reopening failed has no session.) */
			if (f->location_count == 0 && m->dwfl)
				note_unplaced(m, f, addr);
			/* A "??" of the report that the symbol table here
			 * names: say the name, even with no line for it. */
			if (!had_symbol && f->symbol && !f->demangled &&
			    !f->note && f->location_count == 0)
				f->demangled = strdup(f->symbol);
		}
	}
	return problems;
}
