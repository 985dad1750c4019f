/*
 * dump.c - "faultline dump PID": every thread of a live process from
 * outside, whether or not the library is loaded in it (see dump.h).
 *
 * libdwfl does the work: dwfl_linux_proc_attach names the process, and
 * dwfl_thread_getframes attaches to one thread at a time (PTRACE_ATTACH),
 * unwinds it with the CFI of its modules and detaches before the next, so
 * each thread is stopped only while it is read and the others run on.
 * Before that a PTRACE_SEIZE, which stops nothing, asks the kernel whether
 * we may trace it at all, so that a refusal gets its reason (Yama, another
 * tracer, another user) in one line instead of an unwinder error.
 *
 * The report is written in the library's text format: the tool reads it
 * back with the same parser and renders it (symbolized, text or JSON) as
 * any other report.
 */
#include "config.h"

#include "dump.h"

#include <dirent.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io.h"
#include "render.h" /* lib/names.c: the state names of reports */
#include "report.h"

/* As the library's other threads: a bounded walk. */
#define MAX_FRAMES 256

/* libdwfl names the vdso "[vdso: PID]"; reports say "[vdso]". */
static const char *module_name(const char *name)
{
	return name && strncmp(name, "[vdso", 5) == 0 ? "[vdso]" : name;
}

/* A line of /proc/PID/... without its newline, or "" (static buffer). */
static const char *proc_line(pid_t pid, const char *what)
{
	static char line[4096];
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	FILE *f = fopen(path, "re");
	line[0] = '\0';
	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = '\0';
		fclose(f);
	}
	line[strcspn(line, "\n")] = '\0';
	return line;
}

static long status_field(pid_t pid, const char *field)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	long value = -1;
	size_t n = strlen(field);
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, field, n) == 0 && line[n] == ':') {
			value = strtol(line + n + 1, NULL, 10);
			break;
		}
	if (f)
		fclose(f);
	return value;
}

/* The state letter of /proc/PID/task/TID/stat: after the last ')'. */
static char thread_state(pid_t pid, pid_t tid)
{
	char what[64];
	snprintf(what, sizeof(what), "task/%d/stat", (int)tid);
	const char *stat = proc_line(pid, what);
	const char *paren = strrchr(stat, ')');
	return paren && paren[1] == ' ' ? paren[2] : '?';
}

/* The state of every thread before any is stopped (even our check of
 * whether we may trace wakes the first one for an instant). */
struct states {
	pid_t *tids;
	char *letters;
	size_t count;
};

static void read_states(pid_t pid, struct states *st)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	DIR *dir = opendir(path);
	struct dirent *e;
	size_t cap = 0;
	while (dir && (e = readdir(dir))) {
		long tid = strtol(e->d_name, NULL, 10);
		if (tid <= 0)
			continue;
		if (st->count == cap) {
			cap = cap * 2 + 16;
			pid_t *tids = realloc(st->tids, cap * sizeof(*tids));
			if (tids)
				st->tids = tids;
			char *letters = realloc(st->letters, cap);
			if (letters)
				st->letters = letters;
			if (!tids || !letters)
				break;
		}
		st->tids[st->count] = (pid_t)tid;
		st->letters[st->count++] = thread_state(pid, (pid_t)tid);
	}
	if (dir)
		closedir(dir);
}

/* The state read first; a thread born since is read now. */
static const char *state_of(const struct states *st, pid_t pid, pid_t tid)
{
	for (size_t i = 0; i < st->count; i++)
		if (st->tids[i] == tid)
			return fl_thread_state_name(st->letters[i]);
	return fl_thread_state_name(thread_state(pid, tid));
}

/* Why we may not trace pid: one line on stderr, and the exit status. */
static int refused(pid_t pid, int err)
{
	if (err == ESRCH) {
		fprintf(stderr, "faultline: dump: no process %d\n", (int)pid);
		return EXIT_DUMP_NO_PROCESS;
	}
	long tracer = status_field(pid, "TracerPid");
	long uid = status_field(pid, "Uid");
	const char *scope = proc_line(1, "../sys/kernel/yama/ptrace_scope");
	if (tracer > 0)
		fprintf(stderr,
			"faultline: dump: process %d is already traced by "
			"pid %ld (a debugger, strace, another dump)\n",
			(int)pid, tracer);
	else if (uid >= 0 && (uid_t)uid != geteuid() && geteuid() != 0)
		fprintf(stderr,
			"faultline: dump: process %d belongs to uid %ld: "
			"ptrace refused (%s)\n",
			(int)pid, uid, strerror(err));
	else if (*scope && strcmp(scope, "0") != 0)
		fprintf(stderr,
			"faultline: dump: ptrace of process %d refused: "
			"kernel.yama.ptrace_scope is %s (1: only "
			"descendants, 2: CAP_SYS_PTRACE, 3: none); "
			"run as root or set it to 0\n",
			(int)pid, scope);
	else
		fprintf(stderr,
			"faultline: dump: ptrace of process %d refused: %s\n",
			(int)pid, strerror(err));
	return EXIT_DUMP_REFUSED;
}

/* May we trace pid?  PTRACE_SEIZE stops nothing; but only a stopped
 * tracee can be detached, so it is interrupted for the instant of the
 * detach. */
static int check_traceable(pid_t pid)
{
	if (status_field(pid, "TracerPid") > 0)
		return refused(pid, EPERM);
	if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) < 0)
		return refused(pid, errno);
	int status;
	if (ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) == 0)
		while (waitpid(pid, &status, __WALL) < 0 && errno == EINTR)
			;
	ptrace(PTRACE_DETACH, pid, NULL, NULL);
	return 0;
}

struct walk {
	Dwarf_Addr pcs[MAX_FRAMES];
	int activation[MAX_FRAMES];
	int count;
};

static int on_frame(Dwfl_Frame *state, void *arg)
{
	struct walk *w = arg;
	Dwarf_Addr pc;
	bool activation;
	if (!dwfl_frame_pc(state, &pc, &activation))
		return DWARF_CB_ABORT;
	w->pcs[w->count] = pc;
	w->activation[w->count] = activation;
	return ++w->count < MAX_FRAMES ? DWARF_CB_OK : DWARF_CB_ABORT;
}

static void write_frame(FILE *out, Dwfl *dwfl, int index, Dwarf_Addr pc,
			int activation)
{
	/* A return address belongs to the call before it. */
	Dwarf_Addr lookup = activation ? pc : pc - 1;
	Dwfl_Module *mod = dwfl_addrmodule(dwfl, lookup);
	const char *name = NULL, *path = NULL;
	GElf_Off symoff = 0;
	Dwarf_Addr bias = 0;
	if (mod) {
		path = module_name(dwfl_module_info(mod, NULL, NULL, NULL, NULL,
						    NULL, NULL, NULL));
		GElf_Sym sym;
		name = dwfl_module_addrinfo(mod, lookup, &symoff, &sym, NULL,
					    NULL, NULL);
		if (!dwfl_module_getelf(mod, &bias))
			dwfl_module_info(mod, NULL, &bias, NULL, NULL, NULL,
					 NULL, NULL);
		symoff += lookup != pc; /* the offset of pc itself */
	}
	fprintf(out, "  #%-3d 0x%016" PRIx64 " in ", index, (uint64_t)pc);
	if (name) {
		write_text_escaped(out, name);
		fprintf(out, "+0x%" PRIx64, (uint64_t)symoff);
	} else {
		fputs("??", out);
	}
	if (path) {
		fputs(" (", out);
		write_text_escaped(out, path);
		fprintf(out, "+0x%" PRIx64 ")\n", (uint64_t)(pc - bias));
	} else {
		fputs(" (?\?)\n", out);
	}
}

struct dump {
	Dwfl *dwfl;
	FILE *out;
	pid_t pid;
	int failed; /* threads that could not be unwound */
	struct states states;
};

static int on_thread(Dwfl_Thread *thread, void *arg)
{
	struct dump *d = arg;
	pid_t tid = dwfl_thread_tid(thread);
	char what[64];
	snprintf(what, sizeof(what), "task/%d/comm", (int)tid);
	fprintf(d->out, "thread: tid %d \"", (int)tid);
	write_text_escaped(d->out, proc_line(d->pid, what));
	/* The state before we stop it. */
	fprintf(d->out, "\" (%s)\n", state_of(&d->states, d->pid, tid));
	static struct walk w;
	w.count = 0;
	int rc = dwfl_thread_getframes(thread, on_frame, &w);
	if (rc != 0 && w.count == 0) {
		fprintf(stderr, "faultline: dump: thread %d: %s\n", (int)tid,
			dwfl_errmsg(-1));
		d->failed++;
		return DWARF_CB_OK;
	}
	fprintf(d->out, "backtrace (%d frames%s):\n", w.count,
		w.count == MAX_FRAMES ? ", more not walked" : "");
	for (int i = 0; i < w.count; i++)
		write_frame(d->out, d->dwfl, i, w.pcs[i], w.activation[i]);
	return DWARF_CB_OK;
}

static int on_module(Dwfl_Module *mod, void **user, const char *name,
		     Dwarf_Addr base, void *arg)
{
	(void)user;
	FILE *out = arg;
	const unsigned char *id;
	GElf_Addr vaddr;
	Dwarf_Addr bias = base;
	if (dwfl_module_getelf(mod, &bias) == NULL)
		bias = base;
	fprintf(out, "  0x%016" PRIx64 " ", (uint64_t)base);
	write_text_escaped(out, module_name(name));
	if (bias != base)
		fprintf(out, " bias 0x%016" PRIx64, (uint64_t)bias);
	int n = dwfl_module_build_id(mod, &id, &vaddr);
	if (n > 0) {
		fputs(" build-id ", out);
		for (int i = 0; i < n; i++)
			fprintf(out, "%02x", id[i]);
	}
	fputc('\n', out);
	return DWARF_CB_OK;
}

static const Dwfl_Callbacks callbacks = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
};

static int dump_threads(struct dump *d, const char *requester);

int dump_process(pid_t pid, const char *requester, FILE *out)
{
	if (pid <= 0 || (kill(pid, 0) < 0 && errno == ESRCH))
		return refused(pid, ESRCH);
	struct dump d = {NULL, out, pid, 0, {NULL, NULL, 0}};
	read_states(pid, &d.states);
	int status = check_traceable(pid);
	if (status == 0)
		status = dump_threads(&d, requester);
	free(d.states.tids);
	free(d.states.letters);
	return status;
}

/* The report, once we know we may trace d->pid. */
static int dump_threads(struct dump *d, const char *requester)
{
	pid_t pid = d->pid;
	FILE *out = d->out;
	Dwfl *dwfl = dwfl_begin(&callbacks);
	if (!dwfl) {
		fprintf(stderr, "faultline: dump: %s\n", dwfl_errmsg(-1));
		return EXIT_DUMP_REFUSED;
	}
	int err = dwfl_linux_proc_report(dwfl, pid);
	if (err == 0 && dwfl_report_end(dwfl, NULL, NULL) != 0)
		err = -1;
	if (err == 0)
		err = dwfl_linux_proc_attach(dwfl, pid, false);
	if (err != 0) {
		dwfl_end(dwfl);
		if (err > 0)
			return refused(pid, err);
		fprintf(stderr, "faultline: dump: process %d: %s\n", (int)pid,
			dwfl_errmsg(-1));
		return EXIT_DUMP_REFUSED;
	}
	char exe[4096];
	char what[32];
	snprintf(what, sizeof(what), "/proc/%d/exe", (int)pid);
	ssize_t n = readlink(what, exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';

	fprintf(out, "==== faultline %s crash report ====\n", PACKAGE_VERSION);
	fprintf(out, "cause: dump requested: %s\n", requester);
	fprintf(out, "process: pid %d, executable ", (int)pid);
	write_text_escaped(out, *exe ? exe : "??");
	fputc('\n', out);
	d->dwfl = dwfl;
	if (dwfl_getthreads(dwfl, on_thread, d) != 0 && !d->failed) {
		fprintf(stderr, "faultline: dump: process %d: %s\n", (int)pid,
			dwfl_errmsg(-1));
		d->failed++;
	}
	fputs("modules:\n", out);
	dwfl_getmodules(dwfl, on_module, out, 0);
	fputs("==== end of faultline report ====\n", out);
	dwfl_end(dwfl);
	return d->failed ? EXIT_DUMP_PARTIAL : EXIT_DUMPED;
}

int dump_and_render(pid_t pid, const char *requester,
		    struct symbolizer *symbolizer, enum output_format format,
		    FILE *out)
{
	char *data = NULL;
	size_t size = 0;
	FILE *mem = open_memstream(&data, &size);
	if (!mem)
		return EXIT_DUMP_PARTIAL;
	int status = dump_process(pid, requester, mem);
	if (fclose(mem) != 0 || status > EXIT_DUMP_PARTIAL) {
		free(data);
		return status ? status : EXIT_DUMP_PARTIAL;
	}
	struct log log;
	if (log_parse(&log, data, size) < 0)
		status = EXIT_DUMP_PARTIAL;
	if (process_log(&log, symbolizer, format, "dump", out, stderr, NULL))
		status = EXIT_DUMP_PARTIAL;
	log_free(&log);
	free(data);
	return status;
}
