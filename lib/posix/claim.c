/*
 * claim.c - one crash, one report: which thread of which process writes
 * the report.
 *
 * The first thread to arrive claims the crash with an atomic word; the
 * others wait.  The word holds the claimer's pid as well as its tid
 * because a vfork child shares our memory: a child that crashes between
 * vfork and exec claims the crash in the parent's memory too, and dies.
 * Its claim must not silence the parent's own crash later (before this,
 * the parent's crash waited 5 s and died without a report).  So a claim
 * made by another process counts only while that process still runs (it
 * is reporting into our memory right now: wait for it, bounded); once it
 * is dead it is stale and the crash is claimed again.
 */
#include "posix.h"
#include "platform.h"

#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How long a crash waits for another thread's (or a vfork child's) report
 * before it dies by its own signal. */
#define FL_OTHER_CRASH_WAIT_MS 5000

/* pid << 32 | tid of the claimer; 0: nobody (Linux pids fit in 22
 * bits). */
static volatile uint64_t claim;

static uint64_t claim_word(long pid, long tid)
{
	return (uint64_t)pid << 32 | (uint32_t)tid;
}

static long claim_pid(uint64_t word)
{
	return (long)(word >> 32);
}

/* Whether process pid, which claimed the crash in our memory, is alive:
 * our vfork child (a zombie until it is reaped: waitid with WNOWAIT sees
 * it dead without reaping it, which stays the program's business), or a
 * vfork grandchild, which only kill(2) can ask about. */
static int claimer_alive(long pid)
{
	siginfo_t si;

	si.si_pid = 0;
	if (syscall(SYS_waitid, P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT,
		    NULL) == 0)
		return si.si_pid != pid;
	return kill((pid_t)pid, 0) == 0 || errno != ESRCH;
}

static void sleep_ms(long ms)
{
	struct timespec step = {0, ms * 1000 * 1000};

	nanosleep(&step, NULL);
}

enum fl_claim fl_claim_crash(long tid)
{
	long pid = fl_platform_pid();
	uint64_t mine = claim_word(pid, tid), seen = 0;
	int waited = 0;

	for (;;) {
		if (__atomic_compare_exchange_n(&claim, &seen, mine, 0,
						__ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			return FL_CLAIM_OURS;
		if (seen == mine)
			return FL_CLAIM_SAME_THREAD;
		if (claim_pid(seen) != pid && !claimer_alive(claim_pid(seen)))
			continue; /* stale: claim it over seen */
		if (claim_pid(seen) == pid || waited >= FL_OTHER_CRASH_WAIT_MS)
			break;
		/* A vfork child is reporting into our memory: let it end. */
		sleep_ms(10);
		waited += 10;
		seen = 0;
	}
	/* Another thread of ours reports: give it its time, then die. */
	for (; waited < FL_OTHER_CRASH_WAIT_MS; waited += 10)
		sleep_ms(10);
	return FL_CLAIM_OTHER;
}
