/*
 * minidump.c - the minidump beside a report (FAULTLINE_MINIDUMP): the
 * snapshot the text and JSON renderers see, plus raw memory, laid out as
 * Breakpad's Linux writer lays it out (doc/minidump.md lists the
 * streams; the format reference is Breakpad's minidump_format.h).
 *
 * The file is created before the report is rendered (the report names
 * it) and filled after the report is written: the report comes first,
 * whatever happens to the minidump.
 *
 * [fatal] all of it: open, read, pwrite, getcwd, uname and
 * sched_getaffinity only, and the memory fl_minidump_prepare mapped at
 * install.  Memory of the process goes to the file by pwrite straight
 * from its address: a range that turns out unreadable makes the kernel
 * fail the write (EFAULT), never a fault in the handler, and the
 * descriptor then says what was written.  Sizes are bounded (the
 * FL_MD_* limits), hence the time too.
 */
#include "posix.h"
#include "platform.h"
#include "sink.h"
#include "snapshot.h"
#include "str.h"
#include "utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

/* Bounds (doc/minidump.md). */
#define FL_MD_MAPS_MAX (512 * 1024)	      /* /proc/self/maps kept */
#define FL_MD_PROC_FILE_MAX (64 * 1024)	      /* status, cmdline, auxv */
#define FL_MD_STACK_CRASHED (64 * 1024)	      /* the first thread's stack */
#define FL_MD_STACK_OTHER (32 * 1024)	      /* each other thread's */
#define FL_MD_STACKS_TOTAL (32 * 1024 * 1024) /* all stacks together */
#define FL_MD_RED_ZONE 128		      /* below sp, kept too */
#define FL_MD_AROUND 256		      /* bytes each side of a pointer */
#define FL_MD_POINTER_REGIONS 64
#define FL_MD_MEMORY_MAX (FL_THREADS_LISTED_MAX + 1 + FL_MD_POINTER_REGIONS)

/* --- the format (little-endian, packed to 4 as on Windows) ------------- */

#define MD_SIGNATURE 0x504d444du /* "MDMP" */
#define MD_VERSION 0xa793u
#define MD_OS_LINUX 0x8201u
#define MD_CVINFOELF_SIGNATURE 0x4270454cu /* "BpEL" */

enum md_stream {
	MD_THREAD_LIST = 3,
	MD_MODULE_LIST = 4,
	MD_MEMORY_LIST = 5,
	MD_EXCEPTION = 6,
	MD_SYSTEM_INFO = 7,
	MD_LINUX_PROC_STATUS = 0x47670004,
	MD_LINUX_CMD_LINE = 0x47670006,
	MD_LINUX_AUXV = 0x47670008,
	MD_LINUX_MAPS = 0x47670009,
	MD_CRASHPAD_INFO = 0x43500001,
};
#define MD_STREAMS 10

#define PACKED __attribute__((packed, aligned(4)))

struct md_location {
	uint32_t size, rva;
} PACKED;

struct md_header {
	uint32_t signature, version, stream_count, directory_rva, checksum;
	uint32_t time;
	uint64_t flags;
} PACKED;

struct md_directory {
	uint32_t type;
	struct md_location where;
} PACKED;

struct md_memory {
	uint64_t start;
	struct md_location where;
} PACKED;

struct md_thread {
	uint32_t id, suspend_count, priority_class, priority;
	uint64_t teb;
	struct md_memory stack;
	struct md_location context;
} PACKED;

struct md_module {
	uint64_t base;
	uint32_t size, checksum, time, name_rva;
	uint32_t version_info[13]; /* MDVSFixedFileInfo, unused on Linux */
	struct md_location cv_record, misc_record;
	uint64_t reserved0, reserved1;
} PACKED;

struct md_exception {
	uint32_t thread_id, align0;
	uint32_t code, flags; /* signal number, si_code */
	uint64_t record, address;
	uint32_t parameter_count, align1;
	uint64_t parameters[15];
	struct md_location context;
} PACKED;

struct md_system_info {
	uint16_t processor_architecture, processor_level, processor_revision;
	uint8_t processors, product_type;
	uint32_t major, minor, build, platform_id, csd_version_rva;
	uint16_t suite_mask, reserved;
	uint8_t cpu[24];
} PACKED;

/* Crashpad's MinidumpCrashpadInfo (minidump_extensions.h). */
struct md_crashpad_info {
	uint32_t version; /* 1 */
	uint8_t report_id[16], client_id[16];
	struct md_location simple_annotations; /* a string dictionary */
	struct md_location module_list;
	uint32_t reserved;
	uint64_t address_mask;
} PACKED;

_Static_assert(sizeof(struct md_crashpad_info) == 64, "MDRawCrashpadInfo");
_Static_assert(sizeof(struct md_header) == 32, "MDRawHeader");
_Static_assert(sizeof(struct md_directory) == 12, "MDRawDirectory");
_Static_assert(sizeof(struct md_memory) == 16, "MDMemoryDescriptor");
_Static_assert(sizeof(struct md_thread) == 48, "MDRawThread");
_Static_assert(sizeof(struct md_module) == 108, "MDRawModule");
_Static_assert(sizeof(struct md_exception) == 168, "MDRawExceptionStream");
_Static_assert(sizeof(struct md_system_info) == 56, "MDRawSystemInfo");

/* --- memory reserved at install ----------------------------------------- */

static struct {
	char *maps; /* FL_MD_MAPS_MAX + 1 */
	char *scratch;
	struct md_memory *memory; /* FL_MD_MEMORY_MAX descriptors */
} mem;

int fl_minidump_prepare(void)
{
	size_t len = FL_MD_MAPS_MAX + 1 + FL_MD_PROC_FILE_MAX +
		     FL_MD_MEMORY_MAX * sizeof(struct md_memory);
	void *map;

	if (mem.maps)
		return 0;
	map = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (map == MAP_FAILED)
		return -1;
	mem.scratch = (char *)map + FL_MD_MAPS_MAX + 1;
	mem.memory = (struct md_memory *)(mem.scratch + FL_MD_PROC_FILE_MAX);
	__atomic_store_n(&mem.maps, (char *)map, __ATOMIC_RELEASE);
	return 0;
}

/* --- the file ------------------------------------------------------------ */

/* One minidump at a time (reports are): its descriptor and path. */
static int dump_fd = -1;
static char dump_path[FL_OUTPUT_PATH_MAX + 256 + 4096];

/* path, made absolute with the working directory (readers of the report
 * may not share it), into dump_path; 0 or -1 (too long). */
static int absolute_path(const char *path)
{
	size_t n = fl_strlen(path), cwd = 0;

	if (path[0] != '/') {
		if (syscall(SYS_getcwd, mem.scratch, FL_MD_PROC_FILE_MAX) <= 0)
			return -1;
		cwd = fl_strlen(mem.scratch);
		if (cwd + 1 + n + 1 > sizeof(dump_path))
			return -1;
		fl_memcpy(dump_path, mem.scratch, cwd);
		dump_path[cwd++] = '/';
	}
	if (cwd + n + 1 > sizeof(dump_path))
		return -1;
	fl_memcpy(dump_path + cwd, path, n + 1);
	return 0;
}

void fl_platform_minidump_create(struct fl_snapshot *snap, const char *path)
{
	const char *why = "path too long";

	snap->minidump[0] = '\0';
	if (!__atomic_load_n(&mem.maps, __ATOMIC_ACQUIRE)) {
		snap->minidump_error = "no memory reserved";
		return;
	}
	if (absolute_path(path) != 0) {
		snap->minidump_error = why;
		return;
	}
	dump_fd = fl_platform_create_file(dump_path, &why);
	if (dump_fd < 0) {
		snap->minidump_error = why;
		return;
	}
	fl_strlcpy(snap->minidump, dump_path, sizeof(snap->minidump));
}

/* Where the next block goes; blocks are 8-aligned. */
struct writer {
	int fd;
	uint32_t pos;
	int failed;
};

static uint32_t reserve(struct writer *w, size_t len)
{
	uint32_t at = w->pos;

	w->pos = (uint32_t)((w->pos + len + 7) & ~(size_t)7);
	return at;
}

/* Bytes of src written at rva (fewer when src ends in unreadable
 * memory: EFAULT). */
static size_t write_at(struct writer *w, uint32_t rva, const void *src,
		       size_t len)
{
	size_t done = 0;

	while (done < len) {
		long n = pwrite(w->fd, (const char *)src + done, len - done,
				(off_t)rva + (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (errno != EFAULT)
				w->failed = 1;
			break;
		}
		done += (size_t)n;
	}
	return done;
}

/* A block appended; its location. */
static struct md_location append(struct writer *w, const void *src, size_t len)
{
	uint32_t rva = reserve(w, len);
	struct md_location l = {(uint32_t)write_at(w, rva, src, len), rva};

	return l;
}

/* An MDString: the length in bytes, then UTF-16 and a terminating 0.
 * Bytes that are not UTF-8 become U+FFFD. */
static uint32_t append_string(struct writer *w, const char *s)
{
	uint16_t *out = (uint16_t *)mem.scratch;
	size_t max = FL_MD_PROC_FILE_MAX / 2 - 4, n = 2; /* after the length */
	const unsigned char *p = (const unsigned char *)s;
	uint32_t bytes;

	while (*p && n + 2 < max) {
		size_t len = fl_utf8_len(p, 4);
		uint32_t c = 0xfffd;

		if (len == 1)
			c = p[0];
		else if (len == 2)
			c = (p[0] & 0x1fu) << 6 | (p[1] & 0x3fu);
		else if (len == 3)
			c = (p[0] & 0x0fu) << 12 | (p[1] & 0x3fu) << 6 |
			    (p[2] & 0x3fu);
		else if (len == 4)
			c = (p[0] & 0x07u) << 18 | (p[1] & 0x3fu) << 12 |
			    (p[2] & 0x3fu) << 6 | (p[3] & 0x3fu);
		p += len ? len : 1;
		if (c >= 0x10000) {
			c -= 0x10000;
			out[n++] = (uint16_t)(0xd800 | c >> 10);
			out[n++] = (uint16_t)(0xdc00 | (c & 0x3ff));
		} else {
			out[n++] = (uint16_t)c;
		}
	}
	bytes = (uint32_t)((n - 2) * 2);
	fl_memcpy(out, &bytes, sizeof(bytes));
	out[n++] = 0;
	return append(w, out, n * 2).rva;
}

/* --- the memory map ------------------------------------------------------ */

/* The file at path (/proc/self/maps and kin, read to its end) into buf,
 * cut at cap; its length, 0 when unreadable. */
static size_t read_file(const char *path, char *buf, size_t cap)
{
	long n = fl_read_small_file(path, buf, cap, 0);

	return n > 0 ? (size_t)n : 0;
}

static size_t maps_len;

static void parse_dec(const char *p, const char *end, uintptr_t *v)
{
	*v = 0;
	for (; p < end && *p >= '0' && *p <= '9'; p++)
		*v = *v * 10 + (uintptr_t)(*p - '0');
}

static const char *parse_hex(const char *p, const char *end, uintptr_t *v)
{
	*v = 0;
	for (; p < end; p++) {
		int d = *p >= '0' && *p <= '9'	 ? *p - '0'
			: *p >= 'a' && *p <= 'f' ? *p - 'a' + 10
						 : -1;
		if (d < 0)
			break;
		*v = *v << 4 | (uintptr_t)d;
	}
	return p;
}

static int starts(const char *p, const char *end, const char *lit)
{
	for (; *lit; lit++, p++)
		if (p >= end || *p != *lit)
			return 0;
	return 1;
}

/* The mapping holding addr: [*lo, *hi), and whether its memory may be
 * copied (readable, not a device nor [vvar]).  0, or -1 none. */
static int find_mapping(uintptr_t addr, uintptr_t *lo, uintptr_t *hi,
			int *copyable)
{
	const char *p = mem.maps, *end = mem.maps + maps_len;

	while (p < end) {
		const char *eol = p, *q;
		uintptr_t a, b;

		while (eol < end && *eol != '\n')
			eol++;
		q = parse_hex(p, eol, &a);
		if (q < eol && *q == '-') {
			q = parse_hex(q + 1, eol, &b);
			if (a <= addr && addr < b && q + 2 < eol) {
				const char *path = q;
				int fields = 0;

				/* perms offset dev inode, then the path */
				while (path < eol && fields < 5) {
					while (path < eol && *path == ' ')
						path++;
					if (++fields == 5)
						break;
					while (path < eol && *path != ' ')
						path++;
				}
				*lo = a;
				*hi = b;
				*copyable = q[1] == 'r' &&
					    !starts(path, eol, "/dev/") &&
					    !starts(path, eol, "[vvar]");
				return 0;
			}
		}
		p = eol + 1;
	}
	return -1;
}

/* --- memory ranges -------------------------------------------------------- */

struct ranges {
	struct md_memory *d;
	size_t count;
	size_t stack_bytes;
	/* The environment's strings (top of the main thread's stack): never
	 * copied, they may hold credentials. */
	uintptr_t env_lo, env_hi;
};

extern char **environ;

/* Where the environment's strings start on the main thread's stack: the
 * lowest of the strings environ points at there (the program may have
 * replaced some; those live elsewhere).  0 when none is found (environ
 * cleared).  Read through fl_mem_read: the array may be changing. */
#define FL_MD_ENVIRON_MAX 4096
static uintptr_t environment_start(uintptr_t *stack_end)
{
	uintptr_t env = (uintptr_t)environ, low = 0, lo, hi;
	int copyable;

	for (size_t i = 0; env && i < FL_MD_ENVIRON_MAX; i++) {
		uintptr_t p;

		if (fl_mem_read(&p, env + i * sizeof(p), sizeof(p)) != 0 || !p)
			break;
		if (p < low || !low)
			low = p;
	}
	/* The strings and everything above them to the stack's top: the
	 * arguments (in LinuxCmdLine anyway), the auxiliary vector's
	 * strings. */
	if (!low || find_mapping(low, &lo, &hi, &copyable) != 0)
		return 0;
	*stack_end = hi;
	return low;
}

static void find_environment_in_stat(struct ranges *r);

/* The environment's strings: from environ (above); where environ was
 * cleared, env_start and env_end of /proc/self/stat (fields 50 and 51,
 * counted past the command name, which may hold spaces and parentheses;
 * under qemu-user they are the emulator's). */
static void find_environment(struct ranges *r)
{
	r->env_lo = environment_start(&r->env_hi);
	if (r->env_lo)
		return;
	find_environment_in_stat(r);
}

static void find_environment_in_stat(struct ranges *r)
{
	size_t n = read_file("/proc/self/stat", mem.scratch,
			     FL_MD_PROC_FILE_MAX - 1);
	const char *p = NULL, *end = mem.scratch + n;
	int field = 2;

	r->env_lo = r->env_hi = 0;
	for (const char *q = mem.scratch; q < end; q++)
		if (*q == ')')
			p = q + 1;
	for (; p && p < end && field < 51; p++) {
		if (*p != ' ')
			continue;
		field++;
		if (field == 50)
			parse_dec(p + 1, end, &r->env_lo);
		else if (field == 51)
			parse_dec(p + 1, end, &r->env_hi);
	}
	if (r->env_hi <= r->env_lo)
		r->env_lo = r->env_hi = 0;
}

/* [*lo, *hi) without the environment (its part below it, or above). */
static void leave_out_environment(const struct ranges *r, uintptr_t *lo,
				  uintptr_t *hi)
{
	if (*lo >= r->env_hi || *hi <= r->env_lo)
		return;
	if (*lo < r->env_lo)
		*hi = r->env_lo;
	else
		*lo = *hi = r->env_hi > *hi ? *hi : r->env_hi;
}

static int overlaps(const struct ranges *r, uintptr_t lo, uintptr_t hi)
{
	for (size_t i = 0; i < r->count; i++) {
		uintptr_t a = r->d[i].start, b = a + r->d[i].where.size;

		if (lo < b && a < hi)
			return 1;
	}
	return 0;
}

/* [lo, hi) of our memory into the file and the memory list; its
 * descriptor (size 0 when nothing could be copied). */
static struct md_memory add_range(struct writer *w, struct ranges *r,
				  uintptr_t lo, uintptr_t hi)
{
	struct md_memory d = {lo, {0, 0}};

	leave_out_environment(r, &lo, &hi);
	d.start = lo;
	if (hi <= lo)
		return d;
	d.where = append(w, (const void *)lo, hi - lo);
	if (d.where.size && r->count < FL_MD_MEMORY_MAX)
		r->d[r->count++] = d;
	return d;
}

/* A thread's stack: from just below sp (the red zone) up, at most cap
 * bytes, within sp's mapping. */
static struct md_memory add_stack(struct writer *w, struct ranges *r,
				  uintptr_t sp, size_t cap)
{
	uintptr_t lo, hi, start;
	int copyable;
	struct md_memory none = {sp, {0, 0}};

	if (r->stack_bytes >= FL_MD_STACKS_TOTAL ||
	    find_mapping(sp, &lo, &hi, &copyable) != 0 || !copyable)
		return none;
	start = (sp - FL_MD_RED_ZONE) & ~(uintptr_t)15;
	if (start < lo || start > sp)
		start = lo;
	if (hi - start > cap)
		hi = start + cap;
	if (overlaps(r, start, hi))
		return none;
	none = add_range(w, r, start, hi);
	r->stack_bytes += none.where.size;
	return none;
}

/* FL_MD_AROUND bytes each side of addr, when it points into memory that
 * may be copied and not kept yet. */
static void add_around(struct writer *w, struct ranges *r, uintptr_t addr)
{
	uintptr_t lo, hi, a, b;
	int copyable;

	if (addr < 4096 || find_mapping(addr, &lo, &hi, &copyable) != 0 ||
	    !copyable)
		return;
	a = addr - lo > FL_MD_AROUND ? addr - FL_MD_AROUND : lo;
	b = hi - addr > FL_MD_AROUND ? addr + FL_MD_AROUND : hi;
	if (!overlaps(r, a, b))
		add_range(w, r, a, b);
}

/* --- streams ---------------------------------------------------------------
 */

struct streams {
	struct md_directory dir[MD_STREAMS];
	unsigned count;
};

static void stream(struct streams *s, uint32_t type, struct md_location l)
{
	if (s->count < MD_STREAMS && l.size)
		s->dir[s->count++] = (struct md_directory){type, l};
}

static struct md_location context_of(struct writer *w, const uint64_t *regs)
{
	unsigned char ctx[FL_MINIDUMP_CONTEXT_MAX];

	fl_memset(ctx, 0, sizeof(ctx));
	return append(w, ctx, fl_minidump_context(regs, ctx));
}

/* The thread list: the report's first thread, then every other thread
 * that was stopped (those not stopped have no registers).  *first: the
 * first thread's context, for the exception stream. */
static struct md_location put_threads(struct writer *w, struct ranges *r,
				      const struct fl_snapshot *snap,
				      struct md_location *first)
{
	const struct fl_thread_list *l = &snap->threads;
	uint32_t count = 1, rva;

	for (size_t i = 0; i < l->count; i++)
		count += l->t[i].regs != NULL;
	rva = reserve(w, 4 + (size_t)count * sizeof(struct md_thread));
	write_at(w, rva, &count, 4);
	for (size_t i = 0, k = 0; k < count; i++) {
		struct md_thread t;
		const uint64_t *regs = i ? l->t[i - 1].regs : snap->regs;

		if (!regs)
			continue;
		fl_memset(&t, 0, sizeof(t));
		t.id = (uint32_t)(i ? l->t[i - 1].tid : snap->fault.tid);
		t.context = context_of(w, regs);
		t.stack =
			add_stack(w, r, regs[FL_ARCH_UNWIND_SP],
				  i ? FL_MD_STACK_OTHER : FL_MD_STACK_CRASHED);
		if (!i)
			*first = t.context;
		write_at(w, rva + 4 + (uint32_t)(k * sizeof(t)), &t, sizeof(t));
		k++;
	}
	return (struct md_location){
		4 + count * (uint32_t)sizeof(struct md_thread), rva};
}

/* Breakpad's: the signal as the exception code, si_code as its flags.  A
 * dump names its thread too (lldb wants a thread with a stop reason):
 * with the dump signal, SIGABRT for the watchdog (which ends in it), 0
 * for faultline_dump. */
static struct md_location put_exception(struct writer *w,
					const struct fl_snapshot *snap,
					struct md_location context)
{
	const struct faultline_fault *f = &snap->fault;
	struct md_exception e;

	fl_memset(&e, 0, sizeof(e));
	e.thread_id = (uint32_t)f->tid;
	e.code = (uint32_t)f->signo;
	if (!f->signo && f->cause == FAULTLINE_CAUSE_WATCHDOG)
		e.code = SIGABRT;
	e.flags = (uint32_t)f->code;
	e.address = f->has_sender ? f->pc : f->address;
	e.context = context;
	return append(w, &e, sizeof(e));
}

/* Memory around the fault address and what the first thread's
 * registers point at. */
static void put_pointed_memory(struct writer *w, struct ranges *r,
			       const struct fl_snapshot *snap)
{
	size_t before = r->count;

	if (!snap->fault.has_sender)
		add_around(w, r, snap->fault.address);
	for (int i = 0; i < FL_ARCH_UNWIND_NREGS &&
			r->count - before < FL_MD_POINTER_REGIONS;
	     i++)
		add_around(w, r, snap->regs[i]);
}

static struct md_location put_memory_list(struct writer *w,
					  const struct ranges *r)
{
	uint32_t count = (uint32_t)r->count,
		 rva = reserve(w, 4 + r->count * sizeof(struct md_memory));

	write_at(w, rva, &count, 4);
	write_at(w, rva + 4, r->d, r->count * sizeof(struct md_memory));
	return (struct md_location){
		4 + count * (uint32_t)sizeof(struct md_memory), rva};
}

/* Each module with its path and, when it has one, its build-id as
 * Breakpad's CodeView record for ELF ("BpEL" and the id's bytes), which
 * symbol servers match (minidump_stackwalk: the first 16 bytes as a
 * GUID, age 0). */
static struct md_location put_modules(struct writer *w,
				      const struct fl_module_table *t)
{
	uint32_t count = t ? (uint32_t)t->count : 0,
		 rva = reserve(w, 4 + (size_t)count * sizeof(struct md_module));

	write_at(w, rva, &count, 4);
	for (uint32_t i = 0; i < count; i++) {
		const struct fl_module *m = &t->modules[i];
		struct md_module md;

		fl_memset(&md, 0, sizeof(md));
		md.base = m->base;
		md.size = (uint32_t)(m->end > m->base ? m->end - m->base : 0);
		md.name_rva = append_string(w, m->path);
		if (m->build_id_len) {
			unsigned char cv[4 + FL_BUILD_ID_MAX];
			uint32_t sig = MD_CVINFOELF_SIGNATURE;

			fl_memcpy(cv, &sig, 4);
			fl_memcpy(cv + 4, m->build_id, m->build_id_len);
			md.cv_record = append(w, cv, 4 + m->build_id_len);
		}
		write_at(w, rva + 4 + i * (uint32_t)sizeof(md), &md,
			 sizeof(md));
	}
	return (struct md_location){
		4 + count * (uint32_t)sizeof(struct md_module), rva};
}

static unsigned number_at(const char **p)
{
	unsigned v = 0;

	while (**p >= '0' && **p <= '9')
		v = v * 10 + (unsigned)(*(*p)++ - '0');
	if (**p == '.')
		(*p)++;
	return v;
}

/* The CPU and the kernel: major.minor.build from uname's release, and
 * Breakpad's CSD version, "Linux RELEASE VERSION MACHINE" (no host
 * name). */
static struct md_location put_system_info(struct writer *w)
{
	static struct utsname u;
	static char csd[sizeof(u) + 8];
	struct md_system_info si;
	struct fl_sink s;
	unsigned long cpus[16];
	long n;
	unsigned count = 0;
	const char *p;

	fl_memset(&si, 0, sizeof(si));
	si.processor_architecture = fl_minidump_cpu;
	si.platform_id = MD_OS_LINUX;
	n = syscall(SYS_sched_getaffinity, 0, sizeof(cpus), cpus);
	for (long i = 0; i < n / (long)sizeof(cpus[0]); i++)
		count += (unsigned)__builtin_popcountl(cpus[i]);
	si.processors = (uint8_t)(count > 255 ? 255 : count ? count : 1);
	if (syscall(SYS_uname, &u) == 0) {
		p = u.release;
		si.major = number_at(&p);
		si.minor = number_at(&p);
		si.build = number_at(&p);
		fl_sink_init_memory(&s, csd, sizeof(csd));
		fl_sink_str(&s, u.sysname);
		fl_sink_char(&s, ' ');
		fl_sink_str(&s, u.release);
		fl_sink_char(&s, ' ');
		fl_sink_str(&s, u.version);
		fl_sink_char(&s, ' ');
		fl_sink_str(&s, u.machine);
		fl_sink_char(&s, '\0');
		si.csd_version_rva = append_string(w, csd);
	}
	return append(w, &si, sizeof(si));
}

/* A MinidumpUTF8String: its length, its bytes and a NUL. */
static uint32_t append_utf8(struct writer *w, const char *s)
{
	uint32_t len = (uint32_t)fl_strlen(s), rva = reserve(w, 4 + len + 1);

	write_at(w, rva, &len, 4);
	write_at(w, rva + 4, s, len + 1);
	return rva;
}

/* The crash annotations as Crashpad writes a process's own: the
 * simple_annotations dictionary of its info stream (no per-module
 * annotations), which Crashpad-aware readers show.  None: no stream. */
static struct md_location put_crashpad_info(struct writer *w,
					    const struct fl_snapshot *snap)
{
	uint32_t entries[2 * FL_ANNOTATIONS_MAX + 1];
	uint32_t n = (uint32_t)snap->annotation_count;
	struct md_crashpad_info info;

	if (!n)
		return (struct md_location){0, 0};
	entries[0] = n;
	for (uint32_t i = 0; i < n; i++) {
		entries[1 + 2 * i] = append_utf8(w, snap->annotations[i].key);
		entries[2 + 2 * i] = append_utf8(w, snap->annotations[i].value);
	}
	fl_memset(&info, 0, sizeof(info));
	info.version = 1;
	info.simple_annotations = append(w, entries, 4 + 8 * (size_t)n);
	return append(w, &info, sizeof(info));
}

static struct md_location put_proc_file(struct writer *w, const char *path)
{
	return append(w, mem.scratch,
		      read_file(path, mem.scratch, FL_MD_PROC_FILE_MAX));
}

/* --- the whole file ----------------------------------------------------- */

static void write_minidump(int fd, const struct fl_snapshot *snap)
{
	struct writer w = {fd, 0, 0};
	struct ranges r = {mem.memory, 0, 0, 0, 0};
	struct streams s = {.count = 0};
	struct md_location first = {0, 0}, l;
	struct md_header h;
	uint32_t dir;

	reserve(&w, sizeof(h));
	dir = reserve(&w, sizeof(s.dir));
	maps_len = read_file("/proc/self/maps", mem.maps, FL_MD_MAPS_MAX);
	mem.maps[maps_len] = '\0';
	find_environment(&r);
	stream(&s, MD_THREAD_LIST, put_threads(&w, &r, snap, &first));
	stream(&s, MD_EXCEPTION, put_exception(&w, snap, first));
	put_pointed_memory(&w, &r, snap);
	stream(&s, MD_MEMORY_LIST, put_memory_list(&w, &r));
	stream(&s, MD_MODULE_LIST, put_modules(&w, snap->modules));
	stream(&s, MD_SYSTEM_INFO, put_system_info(&w));
	l = append(&w, mem.maps, maps_len);
	stream(&s, MD_LINUX_MAPS, l);
	stream(&s, MD_LINUX_PROC_STATUS,
	       put_proc_file(&w, "/proc/self/status"));
	stream(&s, MD_LINUX_CMD_LINE, put_proc_file(&w, "/proc/self/cmdline"));
	stream(&s, MD_LINUX_AUXV, put_proc_file(&w, "/proc/self/auxv"));
	stream(&s, MD_CRASHPAD_INFO, put_crashpad_info(&w, snap));
	write_at(&w, dir, s.dir, s.count * sizeof(s.dir[0]));
	fl_memset(&h, 0, sizeof(h));
	h.signature = MD_SIGNATURE;
	h.version = MD_VERSION;
	h.stream_count = s.count;
	h.directory_rva = dir;
	h.time = (uint32_t)snap->context.time_s;
	write_at(&w, 0, &h, sizeof(h));
}

void fl_platform_minidump_write(struct fl_snapshot *snap)
{
	if (dump_fd < 0)
		return;
	if (snap->has_regs)
		write_minidump(dump_fd, snap);
	close(dump_fd);
	dump_fd = -1;
}
