/*
 * modules.c - a report's modules as libdwfl sessions (see modules.h).
 *
 * Every module gets its own Dwfl session, reported at bias 0: a report's
 * offsets are ELF virtual addresses (pc - bias), so they are looked up
 * as they are, without re-creating the crashed process's address layout,
 * and one module's lookups cannot be confused with another's.  Sessions are
 * cached by path and build-id, so a log with many reports opens each module
 * once.
 *
 * Separate debug files are found by libdwfl's standard lookup (build-id
 * under each debug directory, then .gnu_debuglink beside the module, in its
 * .debug/ and under each debug directory), wrapped so that debuginfod is
 * asked last, by debuginfod.c, where the outcome can be told.
 */
#include "modules.h"

#include <dwarf.h>
#include <elfutils/libdwelf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "split_dwarf.h"

struct modules {
	char **debug_dirs;
	size_t debug_dir_count;
	const struct path_maps *maps;
	struct debug_server *server;
	char *debuginfo_path; /* for libdwfl's standard search */
	Dwfl_Callbacks callbacks;
	struct module_entry *entries;
};

static int find_debuginfo(Dwfl_Module *mod, void **userdata,
			  const char *modname, GElf_Addr base,
			  const char *file_name, const char *debuglink_file,
			  GElf_Word debuglink_crc, char **debuginfo_file_name);

/* libdwfl takes a relative entry of its search path as relative to the
 * module's directory (".debug"), and libdw's split-DWARF lookup as
 * relative to the compilation directory: --debug-dir ./debug means the
 * current directory's, so make it absolute first. */
static int absolute_dirs(struct modules *set, char **dirs, size_t count)
{
	set->debug_dirs = calloc(count + 1, sizeof(*set->debug_dirs));
	char *cwd = NULL;
	for (size_t i = 0; set->debug_dirs && i < count; i++) {
		if (dirs[i][0] == '/') {
			set->debug_dirs[i] = strdup(dirs[i]);
		} else {
			if (!cwd && !(cwd = getcwd(NULL, 0)))
				break;
			if (asprintf(&set->debug_dirs[i], "%s/%s", cwd,
				     dirs[i]) < 0)
				set->debug_dirs[i] = NULL;
		}
		if (!set->debug_dirs[i])
			break;
		set->debug_dir_count++;
	}
	free(cwd);
	return set->debug_dirs && set->debug_dir_count == count ? 0 : -1;
}

struct modules *modules_new(char **debug_dirs, size_t debug_dir_count,
			    const struct path_maps *maps,
			    struct debug_server *server)
{
	struct modules *set = calloc(1, sizeof(*set));
	if (!set)
		return NULL;
	elf_version(EV_CURRENT); /* libelf refuses every call before this */
	if (absolute_dirs(set, debug_dirs, debug_dir_count) < 0) {
		modules_free(set);
		return NULL;
	}
	set->maps = maps;
	set->server = server;
	/* libdwfl's search path: the file's own directory and its .debug
	 * subdirectory, then our roots ("/usr/lib/debug" last), where it
	 * also looks up .build-id/xx/rest.debug.  The leading "-" leaves the
	 * CRC of debug links unchecked: the build-id is checked instead
	 * whenever the module has one. */
	size_t len = 64;
	for (size_t i = 0; i < debug_dir_count; i++)
		len += strlen(set->debug_dirs[i]) + 1;
	set->debuginfo_path = malloc(len);
	if (!set->debuginfo_path) {
		modules_free(set);
		return NULL;
	}
	strcpy(set->debuginfo_path, "-:.debug");
	for (size_t i = 0; i < debug_dir_count; i++) {
		strcat(set->debuginfo_path, ":");
		strcat(set->debuginfo_path, set->debug_dirs[i]);
	}
	strcat(set->debuginfo_path, ":/usr/lib/debug");
	set->callbacks.find_elf = dwfl_build_id_find_elf;
	set->callbacks.find_debuginfo = find_debuginfo;
	set->callbacks.section_address = dwfl_offline_section_address;
	set->callbacks.debuginfo_path = &set->debuginfo_path;
	return set;
}

void modules_free(struct modules *set)
{
	if (!set)
		return;
	for (struct module_entry *m = set->entries, *next; m; m = next) {
		next = m->next;
		if (m->dwfl)
			dwfl_end(m->dwfl);
		free(m->path);
		free(m->build_id);
		free(m->file);
		free(m->debug_file);
		free(m->staged_debug);
		free(m);
	}
	for (size_t i = 0; i < set->debug_dir_count; i++)
		free(set->debug_dirs[i]);
	free(set->debug_dirs);
	free(set->debuginfo_path);
	free(set);
}

void modules_set_server(struct modules *set, struct debug_server *server)
{
	set->server = server;
}

void modules_set_path_maps(struct modules *set, const struct path_maps *maps)
{
	set->maps = maps;
}

static char *hex(const unsigned char *bits, size_t n)
{
	char *text = malloc(n * 2 + 1);
	for (size_t i = 0; text && i < n; i++)
		sprintf(text + i * 2, "%02x", bits[i]);
	return text;
}

/* The GNU build-id of the ELF file at fd as lower-case hex, or NULL. */
static char *file_build_id(int fd)
{
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf)
		return NULL;
	const void *bits;
	ssize_t n = dwelf_elf_gnu_build_id(elf, &bits);
	char *text = n > 0 ? hex(bits, (size_t)n) : NULL;
	elf_end(elf);
	return text;
}

/* open_errno of a file that is no regular file (a FIFO, a device, a
 * directory): refused without reading it. */
#define NOT_REGULAR (-1)

/* Open path for reading if it is a regular file; -1 with errno (or
 * NOT_REGULAR) otherwise.  O_NONBLOCK: opening a FIFO nobody writes
 * would block for good; fstat then refuses it at once. */
static int open_regular(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = NOT_REGULAR;
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

static const char *open_reason(int err)
{
	return err == NOT_REGULAR ? "not a regular file" : strerror(err);
}

/* Opens ROOT/.build-id/xx/rest.debug for build_id; -1 when none. */
static int open_by_build_id(const struct modules *set, const char *build_id,
			    char **found)
{
	size_t n = strlen(build_id);
	if (n < 4)
		return -1;
	for (size_t i = 0; i <= set->debug_dir_count; i++) {
		const char *root = i < set->debug_dir_count ? set->debug_dirs[i]
							    : "/usr/lib/debug";
		char *path = NULL;
		if (asprintf(&path, "%s/.build-id/%.2s/%s.debug", root,
			     build_id, build_id + 2) < 0)
			return -1;
		int fd = open_regular(path);
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

/* debuginfod, asked for the debug file of build_id (hex) on behalf of m. */
static int fetch(struct module_entry *m, const char *build_id, char **path)
{
	if (!m->owner->server)
		return -1;
	m->fetch_asked = 1;
	return debug_server_fetch(m->owner->server, build_id, path,
				  &m->fetched);
}

/* libdwfl's find_debuginfo: the standard lookup, then debuginfod.  It is
 * also called for a DWZ alternate file (.gnu_debugaltlink, given as the
 * debug link, with no CRC), which is fetched by its own build-id. */
static int find_debuginfo(Dwfl_Module *mod, void **userdata,
			  const char *modname, GElf_Addr base,
			  const char *file_name, const char *debuglink_file,
			  GElf_Word debuglink_crc, char **debuginfo_file_name)
{
	struct module_entry *m = *userdata;
	int alt = debuglink_file && debuglink_crc == 0;
	if (m && m->staged_debug && !alt) {
		int fd = open(m->staged_debug, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && (*debuginfo_file_name = strdup(m->staged_debug)))
			return fd;
		if (fd >= 0)
			close(fd);
	}
	int fd = dwfl_standard_find_debuginfo(
		mod, userdata, modname, base, file_name, debuglink_file,
		debuglink_crc, debuginfo_file_name);
	if (fd < 0 && m) {
		const unsigned char *bits = NULL;
		ssize_t n = 0;
		if (alt) {
			/* libdwfl has the debug file's DWARF by now. */
			Dwarf_Addr bias;
			Dwarf *dw = dwfl_module_getdwarf(mod, &bias);
			const char *name;
			const void *id = NULL;
			n = dw ? dwelf_dwarf_gnu_debugaltlink(dw, &name, &id)
			       : 0;
			bits = id;
		} else {
			GElf_Addr vaddr;
			n = dwfl_module_build_id(mod, &bits, &vaddr);
		}
		char *build_id = n > 0 ? hex(bits, (size_t)n) : NULL;
		if (build_id)
			fd = fetch(m, build_id, debuginfo_file_name);
		free(build_id);
	}
	if (fd >= 0 && !alt && m && *debuginfo_file_name) {
		free(m->debug_file);
		m->debug_file = strdup(*debuginfo_file_name);
	}
	return fd;
}

/* Report fd (consumed), read from file, as the module's ELF in a new Dwfl
 * session. */
static int start_session(struct module_entry *m, const char *file, int fd,
			 size_t *problems)
{
	struct modules *set = m->owner;
	m->dwfl = dwfl_begin(&set->callbacks);
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
	/* find_debuginfo learns the module from here. */
	void **userdata;
	dwfl_module_info(m->module, &userdata, NULL, NULL, NULL, NULL, NULL,
			 NULL);
	*userdata = m;
	if (file != m->file) {
		free(m->file);
		m->file = strdup(file);
	}
	/* Reported at base 0, but ask rather than assume how libdwfl
	 * placed it: every lookup adds this bias to the ELF address. */
	if (!dwfl_module_getelf(m->module, &m->bias))
		m->bias = 0;
	Dwarf_Addr dwarf_bias;
	m->has_dwarf = dwfl_module_getdwarf(m->module, &dwarf_bias) != NULL;
	return 0;
}

/* A debug file compressed with dwz shares names and types with a file of
 * their own (.gnu_debugaltlink, found like a debug file): without it,
 * libdw silently finds no names. */
static void check_dwz_file(struct module_entry *m, size_t *problems)
{
	Dwarf_Addr bias;
	Dwarf *dw = dwfl_module_getdwarf(m->module, &bias);
	const char *name;
	const void *id = NULL;
	ssize_t n = dw ? dwelf_dwarf_gnu_debugaltlink(dw, &name, &id) : 0;
	if (n <= 0 || dwarf_getalt(dw))
		return;
	char *text = hex(id, (size_t)n);
	fprintf(stderr,
		"faultline: %s: its debug information needs the dwz file %s "
		"(build-id %s), which was not found%s%s%s: names are "
		"missing\n",
		m->path, name, text ? text : "?",
		m->fetched == FETCH_NOT_FOUND ? ", nor on debuginfod (" : "",
		m->fetched == FETCH_NOT_FOUND
			? debug_server_urls(m->owner->server)
			: "",
		m->fetched == FETCH_NOT_FOUND ? ")" : "");
	free(text);
	(*problems)++;
}

/* The module's file here: its path, or where --source-prefix maps it
 * when that exists (a report from another machine). */
static char *local_path(const struct modules *set, const char *path)
{
	char *mapped = path_maps_apply(set->maps, path);
	if (mapped && access(mapped, F_OK) == 0)
		return mapped;
	free(mapped);
	return strdup(path);
}

/* The module is gone or was rebuilt: a separate debug file with the right
 * build-id has the same addresses, the symbols and the DWARF. */
static void open_debug_file_instead(struct module_entry *m, int open_errno,
				    int mismatch, size_t *problems)
{
	char *debug_file = NULL;
	int fd = open_by_build_id(m->owner, m->build_id, &debug_file);
	if (fd < 0)
		fd = fetch(m, m->build_id, &debug_file);
	if (fd >= 0) {
		start_session(m, debug_file, fd, problems);
		free(debug_file);
		return;
	}
	if (mismatch)
		return; /* said already */
	fprintf(stderr,
		"faultline: cannot open %s: %s, and no debug file with "
		"build-id %s was found%s%s%s\n",
		m->path, open_reason(open_errno), m->build_id,
		m->fetched == FETCH_NOT_FOUND ? ", nor on debuginfod (" : "",
		m->fetched == FETCH_NOT_FOUND
			? debug_server_urls(m->owner->server)
			: "",
		m->fetched == FETCH_NOT_FOUND ? ")" : "");
	(*problems)++;
}

struct module_entry *modules_open(struct modules *set, const char *path,
				  const char *build_id, size_t *problems)
{
	for (struct module_entry *m = set->entries; m; m = m->next)
		if (strcmp(m->path, path) == 0 &&
		    ((!m->build_id && !build_id) ||
		     (m->build_id && build_id &&
		      lower_equal(m->build_id, build_id))))
			return m;

	struct module_entry *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->owner = set;
	m->path = strdup(path);
	m->build_id = build_id ? strdup(build_id) : NULL;
	m->next = set->entries;
	set->entries = m;
	char *file = m->path ? local_path(set, path) : NULL;
	if (!file)
		return m;

	int fd = open_regular(file);
	int open_errno = errno;
	int mismatch = 0;
	if (fd >= 0 && build_id) {
		char *actual = file_build_id(fd);
		if (!actual || !lower_equal(actual, build_id)) {
			fprintf(stderr,
				"faultline: refusing %s: its build-id %s does "
				"not match the report's %s (the file changed "
				"since the crash)\n",
				file, actual ? actual : "(none)", build_id);
			(*problems)++;
			close(fd);
			fd = -1;
			mismatch = 1;
		}
		free(actual);
	}
	if (fd >= 0) {
		start_session(m, file, fd, problems);
	} else if (build_id) {
		open_debug_file_instead(m, open_errno, mismatch, problems);
	} else {
		fprintf(stderr, "faultline: cannot open %s: %s\n", file,
			open_reason(open_errno));
		(*problems)++;
	}
	free(file);
	if (m->dwfl && !m->has_dwarf) {
		const char *id = build_id ? build_id : "";
		fprintf(stderr,
			"faultline: %s has no debug information (stripped, "
			"and no debug file found%s%s%s%s%s): function names "
			"only\n",
			path, *id ? " for build-id " : "", id,
			m->fetched == FETCH_NOT_FOUND ? ", nor on debuginfod ("
						      : "",
			m->fetched == FETCH_NOT_FOUND
				? debug_server_urls(set->server)
				: "",
			m->fetched == FETCH_NOT_FOUND ? ")" : "");
		(*problems)++;
	} else if (m->dwfl) {
		check_dwz_file(m, problems);
	}
	return m;
}

/* End the module's session and start it again from file: 1 when the
 * session was replaced (m->dwfl is NULL if the new one failed), 0 when
 * file cannot be opened and the old one is kept. */
static int restart_session(struct module_entry *m, const char *file,
			   size_t *problems)
{
	int fd = open_regular(file);
	if (fd < 0)
		return 0;
	dwfl_end(m->dwfl);
	m->dwfl = NULL;
	m->module = NULL;
	m->has_dwarf = 0;
	char *keep = strdup(m->file);
	start_session(m, file, fd, problems);
	/* Messages keep naming the file the user knows. */
	if (keep) {
		free(m->file);
		m->file = keep;
	}
	return 1;
}

int modules_find_split_units(struct module_entry *m, size_t *problems)
{
	if (m->split_checked || !m->dwfl)
		return 0;
	m->split_checked = 1;
	Dwarf_Addr bias;
	Dwarf *dw = dwfl_module_getdwarf(m->module, &bias);
	if (!dw)
		return 0;
	const struct modules *set = m->owner;
	struct split_search where = {set->debug_dirs, set->debug_dir_count,
				     set->maps};
	int from_debug_file = m->debug_file != NULL;
	const char *skeletons = from_debug_file ? m->debug_file : m->file;
	struct split_stage stage;
	int reopened = 0;
	if (split_dwarf_stage(dw, skeletons, m->path, &where, &stage) == 0) {
		/* A debug file is handed over again by find_debuginfo; the
		 * module itself is reopened from its staged copy. */
		char *main_file = strdup(m->file);
		if (from_debug_file)
			m->staged_debug = strdup(stage.file);
		reopened = main_file &&
			   restart_session(
				   m, from_debug_file ? main_file : stage.file,
				   problems);
		free(main_file);
		dw = m->dwfl ? dwfl_module_getdwarf(m->module, &bias) : NULL;
	}
	size_t total = 0;
	char *example = NULL;
	/* Reads every split unit now, while the staged files are there. */
	size_t missing = dw ? split_dwarf_missing(dw, &total, &example) : 0;
	split_dwarf_unstage(&stage);
	free(m->staged_debug);
	m->staged_debug = NULL;
	if (missing) {
		fprintf(stderr,
			"faultline: %s: %zu of %zu split DWARF units not "
			"found, e.g. %s (looked there, beside the module, "
			"under each --debug-dir and in a .dwp): no inlined "
			"calls in them\n",
			m->path, missing, total, example ? example : "?");
		(*problems)++;
	}
	free(example);
	return reopened;
}
