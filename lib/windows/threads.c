/*
 * threads.c - every other thread of the process, for a report on
 * Windows: list them, suspend each one, walk its stack from its CONTEXT
 * with the crashed thread's unwinder (unwind.c), resume them all.  Runs
 * on the reporter thread only, while the crashed thread may hold any
 * user-mode lock (heap, loader, CRT), so:
 *
 *  - the list comes from NtQuerySystemInformation(SystemProcessInformation)
 *    into memory of our own (VirtualAlloc: the kernel's allocator, not
 *    the process heap), not from CreateToolhelp32Snapshot, whose
 *    snapshot is allocated on the process heap;
 *  - a thread's name comes from NtQueryInformationThread
 *    (ThreadNameInformation) into a buffer of ours, not from
 *    GetThreadDescription, which allocates its answer on the heap;
 *  - OpenThread, SuspendThread, GetThreadContext, ResumeThread and
 *    CloseHandle are system calls; ntdll's entry points are looked up at
 *    install (GetProcAddress takes the loader lock).
 *
 * All listed threads are suspended first, then walked, then resumed, as
 * on Linux (lib/posix/threads.c): the report is one instant of the
 * process, and a dump returns to a program whose threads run on.  The
 * threads faultline owns (reporter, symbol thread) are left out; so is
 * the report's first thread, described by the caller.
 *
 * The state is the kernel's (SYSTEM_THREAD_INFORMATION.ThreadState,
 * WaitReason) in /proc's letters: R ready or running, S waiting, T
 * suspended, 0 unknown.  Wine fills neither field (every thread reads
 * "initialized"): under Wine the state is unknown.
 */
#include "win.h"

#include "platform.h"
#include "str.h"

#include <winternl.h>

/* NtQuerySystemInformation's answer is every process of the system:
 * start with this much, grow up to the maximum. */
#define FL_QUERY_START (256 * 1024)
#define FL_QUERY_MAX (32 * 1024 * 1024)
#define FL_THREAD_NAME_INFO 38 /* ThreadNameInformation */
#define FL_WAIT_SUSPENDED 5    /* KWAIT_REASON Suspended */
#define FL_WAIT_WR_SUSPENDED 12

typedef NTSTATUS(NTAPI *query_system_fn)(ULONG, PVOID, ULONG, PULONG);
typedef NTSTATUS(NTAPI *query_thread_fn)(HANDLE, ULONG, PVOID, ULONG, PULONG);

static query_system_fn query_system;
static query_thread_fn query_thread;

static struct {
	struct fl_thread *records; /* FL_THREADS_LISTED_MAX */
	HANDLE *handles;	   /* suspended threads, by record */
	uintptr_t *frames;	   /* FAULTLINE_THREAD_BACKTRACES_MAX * 64 */
	void *query;
	size_t query_len;
} mem;

/* The fields of SYSTEM_THREAD_INFORMATION that mingw's winternl.h
 * leaves out (ThreadState, WaitReason) are read through this layout. */
struct thread_info {
	LARGE_INTEGER times[3];
	ULONG wait_time;
	PVOID start;
	CLIENT_ID client;
	LONG priority, base_priority;
	ULONG switches;
	ULONG state;
	ULONG wait_reason;
};

/* mingw's SYSTEM_PROCESS_INFORMATION, whose threads follow it. */
typedef SYSTEM_PROCESS_INFORMATION process_info;

void fl_win_threads_prepare(void)
{
	HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
	size_t records = FL_THREADS_LISTED_MAX * sizeof(struct fl_thread),
	       handles = FL_THREADS_LISTED_MAX * sizeof(HANDLE),
	       frames = (size_t)FAULTLINE_THREAD_BACKTRACES_MAX *
			FL_THREAD_FRAMES * sizeof(uintptr_t);
	char *m;

	if (mem.records || !ntdll)
		return;
	query_system = (query_system_fn)(void (*)(void))GetProcAddress(
		ntdll, "NtQuerySystemInformation");
	query_thread = (query_thread_fn)(void (*)(void))GetProcAddress(
		ntdll, "NtQueryInformationThread");
	/* Committed, never touched until a report: no memory used. */
	m = VirtualAlloc(NULL, records + handles + frames,
			 MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
	if (!m)
		return;
	mem.records = (struct fl_thread *)m;
	mem.handles = (HANDLE *)(m + records);
	mem.frames = (uintptr_t *)(m + records + handles);
}

/* [fatal] This process's entry of the system's process list, or NULL. */
static const process_info *list_process(void)
{
	uintptr_t me = GetCurrentProcessId();

	for (;;) {
		ULONG need = 0;
		NTSTATUS st;

		if (!mem.query) {
			mem.query_len = FL_QUERY_START;
			mem.query = VirtualAlloc(NULL, mem.query_len,
						 MEM_RESERVE | MEM_COMMIT,
						 PAGE_READWRITE);
			if (!mem.query)
				return NULL;
		}
		st = query_system(5 /* SystemProcessInformation */, mem.query,
				  (ULONG)mem.query_len, &need);
		if (st == 0)
			break;
		/* STATUS_INFO_LENGTH_MISMATCH: more processes than room. */
		VirtualFree(mem.query, 0, MEM_RELEASE);
		mem.query = NULL;
		if (mem.query_len * 2 > FL_QUERY_MAX)
			return NULL;
		mem.query_len *= 2;
		if (need > mem.query_len && need < FL_QUERY_MAX)
			mem.query_len = need + 64 * 1024;
		mem.query =
			VirtualAlloc(NULL, mem.query_len,
				     MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
		if (!mem.query)
			return NULL;
	}
	for (const char *p = mem.query;;) {
		const process_info *pi = (const void *)p;

		if ((uintptr_t)pi->UniqueProcessId == me)
			return pi;
		if (!pi->NextEntryOffset)
			return NULL;
		p += pi->NextEntryOffset;
	}
}

static char state_letter(const struct thread_info *t)
{
	switch (t->state) {
	case 1: /* Ready */
	case 2: /* Running */
	case 3: /* Standby */
	case 7: /* DeferredReady */
		return 'R';
	case 5: /* Waiting */
		return t->wait_reason == FL_WAIT_SUSPENDED ||
				       t->wait_reason == FL_WAIT_WR_SUSPENDED
			       ? 'T'
			       : 'S';
	default: /* Initialized (all of them, under Wine), Terminated */
		return 0;
	}
}

void fl_win_thread_name(HANDLE h, char *name, size_t cap)
{
	union {
		UNICODE_STRING s;
		WCHAR room[128];
	} buf;
	ULONG len = 0;

	name[0] = 0;
	if (!query_thread ||
	    query_thread(h, FL_THREAD_NAME_INFO, &buf, sizeof(buf), &len) != 0)
		return;
	if (buf.s.Buffer && buf.s.Length)
		fl_win_utf16_to_utf8(buf.s.Buffer, buf.s.Length / sizeof(WCHAR),
				     name, cap);
}

/* [fatal] The end of the thread's stack (its TEB's NT_TIB.StackBase), or
 * the top of the user address space when unknown. */
static uintptr_t stack_base(HANDLE h)
{
	struct { /* THREAD_BASIC_INFORMATION, not in mingw's headers */
		NTSTATUS exit_status;
		PVOID teb;
		CLIENT_ID client;
		ULONG_PTR affinity;
		LONG priority, base_priority;
	} tbi;
	uintptr_t base = 0;

	if (!query_thread ||
	    query_thread(h, 0 /* ThreadBasicInformation */, &tbi, sizeof(tbi),
			 NULL) != 0 ||
	    fl_win_safe_read(&base, (uintptr_t)tbi.teb + 8, sizeof(base)) !=
		    0 ||
	    !base)
		return FL_WIN_USER_TOP;
	return base;
}

int fl_win_thread_walk(HANDLE h, struct faultline_fault *f, size_t limit)
{
	static CONTEXT ctx; /* reporter thread only */

	fl_memset(&ctx, 0, sizeof(ctx));
	ctx.ContextFlags = CONTEXT_FULL;
	if (!GetThreadContext(h, &ctx))
		return -1;
	fl_arch_fill(f, &ctx);
	f->pc = ctx.Rip;
	f->sp = ctx.Rsp;
	fl_win_unwind_limit(&ctx, stack_base(h), limit, f);
	return 0;
}

/* [fatal] Walk record t's thread (suspended, handle h) into its frames. */
static void walk(struct fl_thread *t, HANDLE h, struct faultline_fault *f)
{
	size_t n;

	if (fl_win_thread_walk(h, f, FL_THREAD_FRAMES + 1) != 0) {
		t->capture = FL_THREAD_NOT_STOPPED;
		t->frame_count = 0;
		return;
	}
	n = f->frame_count;
	t->truncated = n > FL_THREAD_FRAMES;
	if (n > FL_THREAD_FRAMES)
		n = FL_THREAD_FRAMES;
	fl_memcpy(t->frames, f->frames, n * sizeof(uintptr_t));
	t->frame_count = n;
}

static int left_out(DWORD tid, const DWORD *skip, size_t nskip)
{
	for (size_t i = 0; i < nskip; i++)
		if (skip[i] == tid)
			return 1;
	return tid == GetCurrentThreadId();
}

void fl_win_threads_capture(struct fl_thread_list *l, const DWORD *skip,
			    size_t nskip, unsigned cap)
{
	static struct faultline_fault scratch; /* reporter thread only */
	const process_info *pi;
	const struct thread_info *ti;
	size_t walked = 0;

	l->count = l->not_listed = 0;
	l->t = mem.records;
	if (!mem.records || !query_system || !(pi = list_process()))
		return;
	ti = (const struct thread_info *)((const char *)pi +
					  sizeof(process_info));
	for (ULONG i = 0; i < pi->NumberOfThreads; i++) {
		DWORD tid = (DWORD)(uintptr_t)ti[i].client.UniqueThread;
		struct fl_thread *t;
		HANDLE h;

		if (left_out(tid, skip, nskip))
			continue;
		if (l->count == FL_THREADS_LISTED_MAX) {
			l->not_listed++;
			continue;
		}
		t = &mem.records[l->count];
		fl_memset(t, 0, sizeof(*t));
		t->tid = (long)tid;
		t->state = state_letter(&ti[i]);
		t->capture = FL_THREAD_OVER_CAP;
		mem.handles[l->count] = NULL;
		h = OpenThread(THREAD_SUSPEND_RESUME | THREAD_GET_CONTEXT |
				       THREAD_QUERY_INFORMATION,
			       FALSE, tid);
		if (!h)
			continue; /* it exited meanwhile */
		fl_win_thread_name(h, t->name, sizeof(t->name));
		l->count++;
		if (walked >= cap) {
			CloseHandle(h);
			continue;
		}
		t->frames = mem.frames + walked * FL_THREAD_FRAMES;
		walked++;
		if (SuspendThread(h) == (DWORD)-1) {
			t->capture = FL_THREAD_NOT_STOPPED;
			CloseHandle(h);
			continue;
		}
		t->capture = FL_THREAD_STOPPED;
		mem.handles[l->count - 1] = h;
	}
	for (size_t i = 0; i < l->count; i++)
		if (mem.handles[i])
			walk(&mem.records[i], mem.handles[i], &scratch);
	for (size_t i = 0; i < l->count; i++) {
		if (!mem.handles[i])
			continue;
		ResumeThread(mem.handles[i]);
		CloseHandle(mem.handles[i]);
		mem.handles[i] = NULL;
	}
}
