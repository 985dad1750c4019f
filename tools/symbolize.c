/*
 * symbolize.c - DWARF lookups through elfutils' libdwfl (see symbolize.h).
 *
 * Every module gets its own Dwfl session, reported at bias 0: a report's
 * offsets are ELF virtual addresses (pc - bias), so they are looked up
 * as they are, without re-creating the crashed process's address layout,
 * and one module's lookups cannot be confused with another's.  Sessions are
 * cached by path and build-id, so a log with many reports opens each module
 * once.
 */
#include "frame.h"
#include "symbolize.h"

#include <dlfcn.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct module_entry {
	char *path;
	char *build_id; /* as the report gives it, may be NULL */
	Dwfl *dwfl;	/* NULL when the module could not be used */
	Dwfl_Module *module;
	Dwarf_Addr bias; /* where libdwfl put ELF address 0 */
	int has_dwarf;
	struct module_entry *next;
};

struct symbolizer {
	char **debug_dirs;
	size_t debug_dir_count;
	char *debuginfo_path; /* for libdwfl's standard search */
	Dwfl_Callbacks callbacks;
	struct module_entry *modules;
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
 * Modules
 * ------------------------------------------------------------------- */

struct symbolizer *symbolizer_new(char **debug_dirs, size_t debug_dir_count)
{
	struct symbolizer *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	elf_version(EV_CURRENT); /* libelf refuses every call before this */
	s->debug_dirs = debug_dirs;
	s->debug_dir_count = debug_dir_count;
	/* libdwfl's search path: the file's own directory and its .debug
	 * subdirectory, then our roots ("/usr/lib/debug" last), where it
	 * also looks up .build-id/xx/rest.debug. */
	size_t len = 64;
	for (size_t i = 0; i < debug_dir_count; i++)
		len += strlen(debug_dirs[i]) + 1;
	s->debuginfo_path = malloc(len);
	if (!s->debuginfo_path) {
		free(s);
		return NULL;
	}
	strcpy(s->debuginfo_path, "-:.debug");
	for (size_t i = 0; i < debug_dir_count; i++) {
		strcat(s->debuginfo_path, ":");
		strcat(s->debuginfo_path, debug_dirs[i]);
	}
	strcat(s->debuginfo_path, ":/usr/lib/debug");
	s->callbacks.find_elf = dwfl_build_id_find_elf;
	s->callbacks.find_debuginfo = dwfl_standard_find_debuginfo;
	s->callbacks.section_address = dwfl_offline_section_address;
	s->callbacks.debuginfo_path = &s->debuginfo_path;
	return s;
}

void symbolizer_free(struct symbolizer *s)
{
	if (!s)
		return;
	for (struct module_entry *m = s->modules, *next; m; m = next) {
		next = m->next;
		if (m->dwfl)
			dwfl_end(m->dwfl);
		free(m->path);
		free(m->build_id);
		free(m);
	}
	free(s->debuginfo_path);
	free(s);
}

/* The GNU build-id of the ELF file at fd as lower-case hex, or NULL. */
static char *file_build_id(int fd)
{
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf)
		return NULL;
	const void *bits;
	ssize_t n = dwelf_elf_gnu_build_id(elf, &bits);
	char *hex = NULL;
	if (n > 0 && (hex = malloc((size_t)n * 2 + 1))) {
		for (ssize_t i = 0; i < n; i++)
			sprintf(hex + i * 2, "%02x",
				((const unsigned char *)bits)[i]);
	}
	elf_end(elf);
	return hex;
}

/* Opens ROOT/.build-id/xx/rest.debug for build_id; -1 when none. */
static int open_by_build_id(const struct symbolizer *s, const char *build_id,
			    char **found)
{
	size_t n = strlen(build_id);
	if (n < 4)
		return -1;
	for (size_t i = 0; i <= s->debug_dir_count; i++) {
		const char *root = i < s->debug_dir_count ? s->debug_dirs[i]
							  : "/usr/lib/debug";
		char *path = NULL;
		if (asprintf(&path, "%s/.build-id/%.2s/%s.debug", root,
			     build_id, build_id + 2) < 0)
			return -1;
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			*found = path;
			return fd;
		}
		free(path);
	}
	return -1;
}

static int lower_equal(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = (char)(*a >= 'A' && *a <= 'F' ? *a - 'A' + 'a' : *a);
		char y = (char)(*b >= 'A' && *b <= 'F' ? *b - 'A' + 'a' : *b);
		if (x != y)
			return 0;
	}
	return *a == *b;
}

/* Report fd (consumed) as the module's ELF in a new Dwfl session. */
static int start_session(struct symbolizer *s, struct module_entry *m,
			 const char *file, int fd, size_t *problems)
{
	m->dwfl = dwfl_begin(&s->callbacks);
	if (!m->dwfl) {
		close(fd);
		return -1;
	}
	dwfl_report_begin(m->dwfl);
	m->module = dwfl_report_elf(m->dwfl, m->path, file, fd, 0, false);
	dwfl_report_end(m->dwfl, NULL, NULL);
	if (!m->module) {
		fprintf(stderr, "faultline: %s: cannot read as ELF: %s\n", file,
			dwfl_errmsg(-1));
		(*problems)++;
		dwfl_end(m->dwfl);
		m->dwfl = NULL;
		return -1;
	}
	/* Reported at base 0, but ask rather than assume how libdwfl
	 * placed it: every lookup adds this bias to the ELF address. */
	if (!dwfl_module_getelf(m->module, &m->bias))
		m->bias = 0;
	Dwarf_Addr dwarf_bias;
	m->has_dwarf = dwfl_module_getdwarf(m->module, &dwarf_bias) != NULL;
	return 0;
}

static struct module_entry *open_module(struct symbolizer *s, const char *path,
					const char *build_id, size_t *problems)
{
	for (struct module_entry *m = s->modules; m; m = m->next)
		if (strcmp(m->path, path) == 0 &&
		    ((!m->build_id && !build_id) ||
		     (m->build_id && build_id &&
		      lower_equal(m->build_id, build_id))))
			return m;

	struct module_entry *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->path = strdup(path);
	m->build_id = build_id ? strdup(build_id) : NULL;
	m->next = s->modules;
	s->modules = m;
	if (!m->path)
		return m;

	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int open_errno = errno;
	const char *why = NULL;
	if (fd >= 0 && build_id) {
		char *actual = file_build_id(fd);
		if (!actual || !lower_equal(actual, build_id)) {
			fprintf(stderr,
				"faultline: refusing %s: its build-id %s does "
				"not match the report's %s (the file changed "
				"since the crash)\n",
				path, actual ? actual : "(none)", build_id);
			(*problems)++;
			close(fd);
			fd = -1;
			why = "mismatch";
		}
		free(actual);
	}
	if (fd >= 0) {
		start_session(s, m, path, fd, problems);
	} else if (build_id) {
		/* The binary is gone or was rebuilt: a separate debug file
		 * with the right build-id has the same addresses, the
		 * symbols and the DWARF. */
		char *debug_file = NULL;
		fd = open_by_build_id(s, build_id, &debug_file);
		if (fd >= 0) {
			start_session(s, m, debug_file, fd, problems);
			free(debug_file);
		} else if (!why) {
			fprintf(stderr,
				"faultline: cannot open %s: %s, and no debug "
				"file with build-id %s was found\n",
				path, strerror(open_errno), build_id);
			(*problems)++;
		}
	} else {
		fprintf(stderr, "faultline: cannot open %s: %s\n", path,
			strerror(open_errno));
		(*problems)++;
	}
	if (m->dwfl && !m->has_dwarf) {
		fprintf(stderr,
			"faultline: %s has no debug information (stripped, "
			"and no debug file found%s%s): function names only\n",
			path, build_id ? " for build-id " : "",
			build_id ? build_id : "");
		(*problems)++;
	}
	return m;
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

static int add_location(struct frame *f, char *function, const char *file,
			int line, int column)
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
	loc->file = file ? strdup(file) : NULL;
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

static void lookup(struct module_entry *m, struct frame *f, Dwarf_Addr addr)
{
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

	Dwarf_Addr bias = 0;
	Dwarf_Die *cu = dwfl_module_addrdie(m->module, addr, &bias);
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
	if (started && add_location(f, die_function_name(&function), file, line,
				    column) < 0)
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
		if (add_location(f, found ? die_function_name(&function) : NULL,
				 caller_file, (int)call_line,
				 (int)call_column) < 0 ||
		    !found)
			break;
	}
	free(scopes);
	/* No scope, not even the CU's, holds the address (crt1's _start,
	 * PLT stubs): a line found for it belongs to a neighbour; say
	 * nothing rather than something wrong, as addr2line does. */
	if (!started && nscopes > 0 && (file || symbol)) {
		/* Line table without a function scope (e.g. assembly):
		 * still worth a location. */
		char *name = f->demangled ? strdup(f->demangled)
			     : symbol	  ? strdup(symbol)
					  : NULL;
		if (file)
			add_location(f, name, file, line, column);
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

size_t symbolize_report(struct symbolizer *s, struct report *r)
{
	size_t problems = 0;
	for (size_t t = 0; t < r->thread_count; t++) {
		for (size_t i = 0; i < r->threads[t].frame_count; i++) {
			struct frame *f = &r->threads[t].frames[i];
			f->symbolized = 1;
			/* No module, or a kernel-provided one with no file
			 * ([vdso]): nothing to read, nothing to complain of. */
			if (!f->module || !f->has_offset ||
			    f->module[0] == '[') {
				f->demangled = demangle(f->symbol);
				continue;
			}
			struct module_entry *m = open_module(
				s, f->module, module_build_id(r, f->module),
				&problems);
			if (!m || !m->dwfl) {
				f->demangled = demangle(f->symbol);
				continue;
			}
			Dwarf_Addr addr = fl_frame_lookup(f->offset, f->index);
			lookup(m, f, m->bias + addr);
		}
	}
	return problems;
}
