/*
 * threads.c - every other thread of the process, for a report: list them,
 * stop each one where it stands, walk its stack, let it go.  Runs in the
 * crash handler (and for dumps), so: syscalls and the memory reserved at
 * install only, and every wait is bounded.
 *
 * The way, for each capture (fl_threads_capture):
 *  1. List /proc/self/task with getdents64.  For each thread read
 *     /proc/self/task/TID/status: its name, its state (before we touch
 *     it) and its blocked signals.
 *  2. Ask each thread that is not stopped or traced with
 *     rt_tgsigqueueinfo: the capture signal, SI_QUEUE, and a value holding
 *     FL_CAPTURE_MAGIC and the index of the thread's slot.  The signal is
 *     faultline's only for the duration of the capture (ask_begin ..
 *     ask_end): its action is installed at the first request and the
 *     program's put back afterwards.
 *  3. The asked thread's handler (on_capture_signal) copies the registers
 *     of the context it interrupted into its slot, counts itself in and
 *     parks: a futex wait for the release, bounded (FL_PARK_MAX_MS).
 *  4. The capturer waits for the answers, boundedly (answer_deadline_ms),
 *     dropping threads that exit meanwhile (tgkill 0: ESRCH).  Threads
 *     whose status said they block the signal get a short grace only
 *     (FL_BLOCKED_GRACE_MS: one may be just leaving a handler, or starting
 *     up), so that a thread that blocks every signal costs no wait.  A
 *     thread that did not answer in time stays listed with its name and
 *     state, marked not stopped; its slot is closed (ASKED -> LATE), so
 *     that an answer after that returns at once instead of parking.
 *  5. Each parked thread's stack is walked from its saved registers by
 *     the same unwinder as the crashed thread's (fl_unwind_registers),
 *     at most FL_THREAD_FRAMES frames.  The caller holds the unwinder's
 *     lock for the whole capture: a thread recovering a faultline_protect
 *     fault waits for it, so no parked thread holds it.
 *  6. Release: one futex wake for all, and a bounded wait until they are
 *     on their way out (a dump returns to a program whose threads run as
 *     before).  Then the signal's action goes to SIG_IGN for an instant -
 *     the kernel then discards every request still pending in some thread
 *     (one that blocked signals, or exited) - and the program's own
 *     action comes back.
 *
 * The capture signal is SIGRTMAX - 2 (62 on Linux): a realtime signal,
 * so that requests queue instead of merging, well away from the ones
 * glibc reserves (32, 33) and the ones programs count up from SIGRTMIN;
 * not SIGRTMAX - 1 nor SIGRTMAX: qemu-user (7.2) keeps those for itself
 * and refuses to send them.  A program that uses it too keeps working: outside
 * a capture the signal is all its own; during one, a signal that is not our
 * request (another si_code, sender or value) goes to the program's handler,
 * from ours; if the program left the default action (which terminates), that
 * action comes back and the signal is sent again, so the process dies by it as
 * it would have; if it ignored it, it is dropped.  What a capture changes for
 * such a program: a signal it had pending (blocked) at that instant is
 * discarded by the SIG_IGN flush.
 *
 * Threads are interrupted as by any signal handler: SA_RESTART restarts
 * what the kernel restarts, and the calls it never restarts (poll,
 * nanosleep, epoll_wait, ...) return EINTR, as they may for any signal.
 *
 * Memory (fl_threads_prepare, at install): a record per listed thread
 * (FL_THREADS_LISTED_MAX), and per thread whose stack may be walked (the
 * cap, FAULTLINE_THREADS) a slot of registers and FL_THREAD_FRAMES frame
 * addresses: about 1.1 MiB of address space for the default cap of 1024
 * (3.5 MiB for 4096), mapped MAP_NORESERVE and touched only by a capture,
 * a page per 7 threads or so.
 */
#include "posix.h"
#include "platform.h"
#include "sink.h"
#include "snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define FL_CAPTURE_MAGIC 0x666c7468u /* "flth" */
/* How long the capturer waits for the answers: a second, and 2 ms more
 * per thread asked, at most 3 s (well inside the crash report's 5 s). */
#define FL_ANSWER_BASE_MS 1000
#define FL_ANSWER_PER_THREAD_MS 2
#define FL_ANSWER_MAX_MS 3000
/* How often the capturer looks for asked threads that exited. */
#define FL_ANSWER_SLICE_MS 2
/* How long the capturer waits for threads that seemed to block the
 * signal (/proc's SigBlk): they may be just leaving a handler. */
#define FL_BLOCKED_GRACE_MS 20
/* How long a stopped thread waits for its release, at most (the
 * capturer's walk of 4096 stacks takes a fraction of that). */
#define FL_PARK_MAX_MS 10000
/* How long the capturer waits for released threads to leave. */
#define FL_LEAVE_MAX_MS 1000

int fl_threads_signal(void)
{
	return SIGRTMAX - 2;
}

/* --- memory reserved at install ---------------------------------------- */

enum slot_state {
	SLOT_FREE,
	SLOT_ASKED, /* request sent, no answer yet */
	SLOT_SAVED, /* registers saved, the thread is parked */
	SLOT_LATE,  /* closed without an answer: an answer returns at once */
	SLOT_GONE,  /* the thread exited before answering */
};

struct slot {
	int state;   /* enum slot_state, atomic */
	int blocked; /* /proc said it blocks the signal: not waited for */
	unsigned gen;
	long tid;
	size_t record; /* index into the records */
	uint64_t regs[FL_ARCH_UNWIND_NREGS];
};

FL_STARTUP_DATA static struct {
	void *map;
	size_t map_len;
	size_t nslots; /* threads whose stacks can be walked */
	struct slot *slots;
	struct fl_thread *records; /* FL_THREADS_LISTED_MAX */
	uintptr_t *frames;	   /* nslots * FL_THREAD_FRAMES */
} mem;
/* A capture is running, or the memory is being replaced. */
FL_STARTUP_DATA static volatile int busy;

FL_STARTUP_TEXT static size_t round_page(size_t n)
{
	size_t page = fl_page_size();

	return (n + page - 1) / page * page;
}

FL_STARTUP_TEXT int fl_threads_prepare(unsigned backtraces)
{
	size_t records = FL_THREADS_LISTED_MAX * sizeof(struct fl_thread);
	size_t slots = (size_t)backtraces * sizeof(struct slot);
	size_t frames =
		(size_t)backtraces * FL_THREAD_FRAMES * sizeof(uintptr_t);
	size_t len = round_page(records + slots + frames);
	void *map, *old;
	size_t old_len;

	if (mem.map && mem.nslots >= backtraces)
		return 0;
	/* A capture running on another thread keeps the old memory; the
	 * larger cap takes effect at the next install. */
	if (__atomic_exchange_n(&busy, 1, __ATOMIC_ACQUIRE))
		return 0;
	map = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (map == MAP_FAILED) {
		__atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
		return -1;
	}
	old = mem.map;
	old_len = mem.map_len;
	mem.map = map;
	mem.map_len = len;
	mem.records = map;
	mem.slots = (struct slot *)((char *)map + records);
	mem.frames = (uintptr_t *)((char *)map + records + slots);
	mem.nslots = backtraces;
	if (old)
		munmap(old, old_len);
	__atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
	return 0;
}

/* --- the shared state of one capture ----------------------------------- */

static struct {
	int collecting;	  /* requests are answered (not released yet) */
	unsigned gen;	  /* of the capture, in each slot asked */
	int acks;	  /* futex: answers of threads not blocking it */
	int acks_blocked; /* answers of threads that seemed to block it */
	int expected;	  /* acks the capturer waits for; 0 while asking */
	int release;	  /* futex: bumped once to release everyone */
	int left;	  /* futex: released threads on their way out */
	int parked;	  /* threads the capturer released */
} cap;

static long futex(int *word, int op, int val, const struct timespec *timeout)
{
	return syscall(SYS_futex, word, op | FUTEX_PRIVATE_FLAG, val, timeout,
		       NULL, 0);
}

static long long now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct timespec ms_span(long long ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000};

	return ts;
}

/* --- the asked thread --------------------------------------------------- */

static int is_request(const siginfo_t *si)
{
	uint64_t v = (uint64_t)(uintptr_t)si->si_value.sival_ptr;

	return si->si_code == SI_QUEUE && si->si_pid == getpid() &&
	       (uint32_t)(v >> 32) == FL_CAPTURE_MAGIC;
}

/* Wait for the release, boundedly.  r0: the release word as it was
 * before this thread found the capture open; a release after that ends
 * the wait even if it came before the wait began. */
static void park(int r0)
{
	long long deadline = now_ms() + FL_PARK_MAX_MS;

	for (;;) {
		long long left = deadline - now_ms();
		struct timespec ts = ms_span(left > 100 ? 100 : left);

		if (__atomic_load_n(&cap.release, __ATOMIC_SEQ_CST) != r0 ||
		    left <= 0)
			return;
		futex(&cap.release, FUTEX_WAIT, r0, &ts);
	}
}

static void answer(const siginfo_t *si, const ucontext_t *uc)
{
	uint64_t v = (uint64_t)(uintptr_t)si->si_value.sival_ptr;
	size_t idx = (size_t)(uint32_t)v;
	int r0 = __atomic_load_n(&cap.release, __ATOMIC_SEQ_CST);
	int asked = SLOT_ASKED, n, e;
	struct slot *s;

	if (!__atomic_load_n(&cap.collecting, __ATOMIC_SEQ_CST) ||
	    idx >= mem.nslots)
		return; /* a request of a capture that is over */
	s = &mem.slots[idx];
	if (s->tid != fl_thread_id() ||
	    s->gen != __atomic_load_n(&cap.gen, __ATOMIC_ACQUIRE))
		return;
	fl_arch_unwind_regs(s->regs, uc);
	if (!__atomic_compare_exchange_n(&s->state, &asked, SLOT_SAVED, 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return; /* closed: the capturer gave up on us */
	if (s->blocked) {
		__atomic_add_fetch(&cap.acks_blocked, 1, __ATOMIC_SEQ_CST);
	} else {
		n = __atomic_add_fetch(&cap.acks, 1, __ATOMIC_SEQ_CST);
		e = __atomic_load_n(&cap.expected, __ATOMIC_SEQ_CST);
		if (e && n >= e)
			futex(&cap.acks, FUTEX_WAKE, 1, NULL);
	}
	park(r0);
	n = __atomic_add_fetch(&cap.left, 1, __ATOMIC_SEQ_CST);
	if (n >= __atomic_load_n(&cap.parked, __ATOMIC_SEQ_CST))
		futex(&cap.left, FUTEX_WAKE, 1, NULL);
}

/* The program's action for the capture signal, while ours stands in. */
static struct sigaction program_action;
static int action_installed;

static void on_capture_signal(int sig, siginfo_t *si, void *ctx)
{
	int saved_errno = errno;

	if (is_request(si))
		answer(si, ctx);
	else
		fl_signal_forward(&program_action, sig, si, ctx);
	errno = saved_errno;
}

/* --- the capturer ------------------------------------------------------- */

static void ask_begin(void)
{
	struct sigaction sa;

	if (action_installed)
		return;
	fl_memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_capture_signal;
	/* Every signal blocked while a thread is parked here: it stays put,
	 * and a fault in this handler meets a blocked signal, which is
	 * default death - never a loop. */
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
	sigfillset(&sa.sa_mask);
	if (fl_sys_sigaction(fl_threads_signal(), &sa, &program_action) == 0)
		action_installed = 1;
}

static void ask_end(void)
{
	struct sigaction ign, cur;
	int sig = fl_threads_signal();

	if (!action_installed)
		return;
	action_installed = 0;
	/* The program may have set an action of its own meanwhile: keep it. */
	if (fl_sys_sigaction(sig, NULL, &cur) != 0 ||
	    cur.sa_sigaction != on_capture_signal)
		return;
	/* SIG_IGN discards the requests still pending in any thread (the
	 * kernel flushes an ignored signal from every queue), so none can
	 * reach the program's action later. */
	fl_memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	fl_sys_sigaction(sig, &ign, NULL);
	fl_sys_sigaction(sig, &program_action, NULL);
}

static int ask(struct slot *s, size_t idx)
{
	siginfo_t si;
	uint64_t v = ((uint64_t)FL_CAPTURE_MAGIC << 32) | idx;

	fl_memset(&si, 0, sizeof(si));
	si.si_signo = fl_threads_signal();
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_ptr = (void *)(uintptr_t)v;
	return (int)syscall(SYS_rt_tgsigqueueinfo, (long)getpid(), s->tid,
			    si.si_signo, &si);
}

/* What /proc/self/task/TID/status says of a thread. */
struct status {
	char name[32];
	char state;
	int blocks_capture; /* SigBlk has the capture signal */
};

/* The text after "Key:\t" on its line, or NULL. */
static const char *field(const char *text, const char *key)
{
	size_t n = fl_strlen(key);

	for (const char *p = text; *p;) {
		size_t i = 0;

		while (i < n && p[i] == key[i])
			i++;
		if (i == n)
			return p + n;
		while (*p && *p != '\n')
			p++;
		if (*p)
			p++;
	}
	return NULL;
}

/* The kernel escapes \n, \\ and a few others in status's Name. */
static void unescape_name(const char *p, char *out, size_t size)
{
	size_t n = 0;

	while (*p && *p != '\n' && n + 1 < size) {
		char c = *p++;

		if (c == '\\' && *p) {
			switch (*p++) {
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case 'r':
				c = '\r';
				break;
			case 'f':
				c = '\f';
				break;
			case 'v':
				c = '\v';
				break;
			case 'a':
				c = '\a';
				break;
			case 'e':
				c = '\033';
				break;
			default:
				c = p[-1]; /* \\ and \" */
			}
		}
		out[n++] = c;
	}
	out[n] = '\0';
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Bit sig of a SigBlk mask: hex digits, signal 1 in the last one. */
static int mask_has(const char *p, int sig)
{
	const char *end = p;
	int bit = sig - 1, d;

	while (hex_digit(*end) >= 0)
		end++;
	if (end - p <= bit / 4)
		return 0;
	d = hex_digit(end[-1 - bit / 4]);
	return (d >> (bit % 4)) & 1;
}

static char status_buf[2048];

/* 0 and *st, or -1 when the thread is gone. */
static int read_status(int dir, const char *tid, struct status *st)
{
	char path[32];
	const char *v;
	struct fl_sink s;
	long n = 0, r;
	int fd;

	fl_sink_init_memory(&s, path, sizeof(path));
	fl_sink_str(&s, tid);
	fl_sink_str(&s, "/status");
	fd = openat(dir, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (n < (long)sizeof(status_buf) - 1 &&
	       ((r = read(fd, status_buf + n, sizeof(status_buf) - 1 - n)) >
			0 ||
		(r < 0 && errno == EINTR)))
		if (r > 0)
			n += r;
	close(fd);
	if (n <= 0)
		return -1;
	status_buf[n] = '\0';
	st->name[0] = '\0';
	st->state = 0;
	st->blocks_capture = 0;
	if ((v = field(status_buf, "Name:\t")))
		unescape_name(v, st->name, sizeof(st->name));
	if ((v = field(status_buf, "State:\t")))
		st->state = *v;
	if ((v = field(status_buf, "SigBlk:\t")))
		st->blocks_capture = mask_has(v, fl_threads_signal());
	return 0;
}

/* A decimal thread id, or -1 ("." and ".."). */
static long parse_tid(const char *name)
{
	long v = 0;

	if (!*name)
		return -1;
	for (; *name; name++) {
		if (*name < '0' || *name > '9')
			return -1;
		v = v * 10 + (*name - '0');
	}
	return v;
}

/* The state of one capture, as the capturer goes. */
struct capture {
	struct fl_thread_list *list;
	long self;
	size_t backtraces;    /* slots we may use */
	size_t asked;	      /* slots in use */
	size_t asked_blocked; /* of them, threads that seemed to block it */
	int dir;
};

/* Record thread tid (name given by its directory entry). */
static void take_thread(struct capture *c, const char *name, long tid)
{
	struct fl_thread_list *l = c->list;
	struct fl_thread *t;
	struct status st;

	if (l->count >= FL_THREADS_LISTED_MAX) {
		l->not_listed++;
		return;
	}
	if (read_status(c->dir, name, &st) != 0)
		return; /* gone already */
	t = &l->t[l->count];
	fl_memset(t, 0, sizeof(*t));
	t->tid = tid;
	fl_strlcpy(t->name, st.name, sizeof(t->name));
	t->state = st.state;
	t->capture = FL_THREAD_OVER_CAP;
	if (c->asked < c->backtraces) {
		t->capture = FL_THREAD_NOT_STOPPED;
		if (st.state == 'T' || st.state == 't') {
			t->why = FL_WHY_SUSPENDED;
		} else {
			/* One that blocks the signal is asked too (it may be
			 * leaving a handler, or starting up), but not waited
			 * for long. */
			struct slot *s = &mem.slots[c->asked];

			if (st.blocks_capture)
				t->why = FL_WHY_SIGNALS_BLOCKED;
			s->tid = tid;
			s->gen = cap.gen;
			s->record = l->count;
			s->blocked = st.blocks_capture;
			__atomic_store_n(&s->state, SLOT_ASKED,
					 __ATOMIC_RELEASE);
			ask_begin();
			if (ask(s, c->asked) != 0) {
				__atomic_store_n(&s->state, SLOT_FREE,
						 __ATOMIC_RELEASE);
				if (errno == ESRCH)
					return; /* exited meanwhile */
			} else {
				t->capture = FL_THREAD_STOPPED;
				c->asked++;
				c->asked_blocked += (size_t)st.blocks_capture;
			}
		}
	}
	l->count++;
}

static char dents[4096];

static void list_threads(struct capture *c)
{
	int interrupted = 0;

	for (;;) {
		long n = syscall(SYS_getdents64, c->dir, dents, sizeof(dents));

		/* qemu-user fails it with EINTR while a signal we sent
		 * another thread is in flight: the offset did not move. */
		if (n < 0 && errno == EINTR && interrupted++ < 1000)
			continue;
		if (n <= 0)
			return;
		for (long off = 0; off < n;) {
			/* struct linux_dirent64: ino, off, reclen, type, name
			 */
			const char *d = dents + off;
			unsigned short reclen;
			long tid;

			fl_memcpy(&reclen, d + 16, sizeof(reclen));
			if (reclen == 0)
				return;
			tid = parse_tid(d + 19);
			if (tid > 0 && tid != c->self)
				take_thread(c, d + 19, tid);
			off += reclen;
		}
	}
}

/* Close the slots of threads that exited without answering; returns how
 * many were closed now, and in *blocked how many of those seemed to
 * block the signal. */
static int drop_exited(struct capture *c, int *blocked)
{
	int closed = 0;

	for (size_t i = 0; i < c->asked; i++) {
		struct slot *s = &mem.slots[i];
		int asked = SLOT_ASKED;

		if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) !=
			    SLOT_ASKED ||
		    syscall(SYS_tgkill, (long)getpid(), s->tid, 0) == 0 ||
		    errno != ESRCH)
			continue;
		if (__atomic_compare_exchange_n(&s->state, &asked, SLOT_GONE, 0,
						__ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE)) {
			closed++;
			*blocked += s->blocked;
		}
	}
	return closed;
}

static long long answer_deadline_ms(size_t asked)
{
	long long ms =
		FL_ANSWER_BASE_MS + (long long)asked * FL_ANSWER_PER_THREAD_MS;

	return ms < FL_ANSWER_MAX_MS ? ms : FL_ANSWER_MAX_MS;
}

/* The answers of the threads that do not block the signal, boundedly;
 * then a short grace for those that seemed to.  Every slice without an
 * answer, look for threads that exited. */
static void wait_for_answers(struct capture *c, int (*cut)(void))
{
	size_t open = c->asked - c->asked_blocked;
	long long deadline = now_ms() + answer_deadline_ms(c->asked);
	long long grace = 0;
	int gone = 0, gone_blocked = 0, before = -1;

	for (;;) {
		int acks = __atomic_load_n(&cap.acks, __ATOMIC_SEQ_CST);
		int acks_blocked =
			__atomic_load_n(&cap.acks_blocked, __ATOMIC_SEQ_CST);
		long long now = now_ms(), left = deadline - now;
		struct timespec ts;

		if ((size_t)(acks + gone - gone_blocked) >= open && !grace)
			grace = now + FL_BLOCKED_GRACE_MS;
		if ((grace && ((size_t)(acks_blocked + gone_blocked) >=
				       c->asked_blocked ||
			       now >= grace)) ||
		    left <= 0 || (cut && cut()))
			return;
		if (grace && grace - now < left)
			left = grace - now;
		ts = ms_span(left < FL_ANSWER_SLICE_MS ? left
						       : FL_ANSWER_SLICE_MS);
		if (acks + acks_blocked == before)
			gone += drop_exited(c, &gone_blocked);
		before = acks + acks_blocked;
		__atomic_store_n(&cap.expected, (int)open - gone + gone_blocked,
				 __ATOMIC_SEQ_CST);
		futex(&cap.acks, FUTEX_WAIT, acks, &ts);
	}
}

/* The walk of one parked thread, into its record.  A static fault: the
 * unwinder fills a whole struct faultline_fault. */
static struct faultline_fault walked;

static void walk(struct fl_thread *t, size_t slot)
{
	size_t n = fl_unwind_registers(mem.slots[slot].regs, &walked,
				       FL_THREAD_FRAMES + 1);

	t->truncated = n > FL_THREAD_FRAMES;
	if (n > FL_THREAD_FRAMES)
		n = FL_THREAD_FRAMES;
	t->frames = mem.frames + slot * FL_THREAD_FRAMES;
	fl_memcpy(t->frames, walked.frames, n * sizeof(uintptr_t));
	t->frame_count = n;
	t->regs = mem.slots[slot].regs; /* kept until the next capture */
}

/* Close every slot: walk the parked threads, mark the others; returns
 * how many are parked. */
static int close_slots(struct capture *c, int (*cut)(void))
{
	int parked = 0;

	for (size_t i = 0; i < c->asked; i++) {
		struct slot *s = &mem.slots[i];
		struct fl_thread *t = &c->list->t[s->record];
		int asked = SLOT_ASKED;

		if (__atomic_compare_exchange_n(&s->state, &asked, SLOT_LATE, 0,
						__ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE)) {
			t->capture = FL_THREAD_NOT_STOPPED;
			continue; /* why: as take_thread guessed */
		}
		if (asked == SLOT_GONE) {
			t->tid = 0; /* dropped below */
			continue;
		}
		parked++;
		if (cut && cut()) {
			t->capture = FL_THREAD_NOT_STOPPED;
			t->why = FL_WHY_NO_ANSWER;
		} else {
			walk(t, i);
		}
	}
	return parked;
}

/* Let the parked threads go, and wait (boundedly) until they are on
 * their way out of the handler: when a dump returns, the program's
 * threads run as before, and a dump right after finds them so. */
static void release(int parked)
{
	long long deadline = now_ms() + FL_LEAVE_MAX_MS;

	__atomic_store_n(&cap.parked, parked, __ATOMIC_SEQ_CST);
	__atomic_store_n(&cap.collecting, 0, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&cap.release, 1, __ATOMIC_SEQ_CST);
	futex(&cap.release, FUTEX_WAKE, INT_MAX, NULL);
	for (;;) {
		int left = __atomic_load_n(&cap.left, __ATOMIC_SEQ_CST);
		long long wait = deadline - now_ms();
		struct timespec ts = ms_span(wait > 10 ? 10 : wait);

		if (left >= parked || wait <= 0)
			return;
		futex(&cap.left, FUTEX_WAIT, left, &ts);
	}
}

/* Threads that exited during the capture leave the list. */
static void compact(struct fl_thread_list *l)
{
	size_t k = 0;

	for (size_t i = 0; i < l->count; i++)
		if (l->t[i].tid != 0)
			l->t[k++] = l->t[i];
	l->count = k;
}

/* Whether the capturer is the process's only thread: then there is
 * nothing to list, and the listing (open, two getdents64, close, a futex
 * wake) and its dirent page are saved - the common crash of a
 * single-threaded program.  Linux counts a process's threads in the link
 * count of /proc/PID/task (2 + threads: proc_task_getattr), one stat.  A
 * thread that appears after it is one that would have appeared after the
 * listing.  Any count but 3 takes the listing: other threads, or a
 * kernel or emulator that counts otherwise (under qemu-user it is the
 * host's threads, qemu's own among them). */
static int alone(void)
{
	struct stat st;

	return syscall(SYS_newfstatat, AT_FDCWD, "/proc/self/task", &st, 0) ==
		       0 &&
	       st.st_nlink == 3;
}

void fl_threads_capture(struct fl_thread_list *list, long self,
			unsigned backtraces, int (*cut)(void))
{
	struct capture c = {list, self, backtraces, 0, 0, -1};

	list->count = 0;
	list->not_listed = 0;
	list->t = NULL;
	if (__atomic_exchange_n(&busy, 1, __ATOMIC_ACQUIRE))
		return; /* another capture, or install replacing the memory */
	if (!mem.map)
		goto out;
	list->t = mem.records;
	if (c.backtraces > mem.nslots)
		c.backtraces = mem.nslots;
	if (alone())
		goto out;
	c.dir = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c.dir < 0)
		goto out;
	__atomic_add_fetch(&cap.gen, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&cap.acks, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&cap.acks_blocked, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&cap.left, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&cap.parked, INT_MAX, __ATOMIC_SEQ_CST);
	__atomic_store_n(&cap.expected, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&cap.collecting, 1, __ATOMIC_SEQ_CST);
	list_threads(&c);
	close(c.dir);
	__atomic_store_n(&cap.expected, (int)(c.asked - c.asked_blocked),
			 __ATOMIC_SEQ_CST);
	if (c.asked)
		wait_for_answers(&c, cut);
	release(close_slots(&c, cut));
	ask_end();
	compact(list);
out:
	__atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
}
