/*
 * floor.c - the least a crash report can cost, for bench (b): a preloaded
 * DSO whose handler, on an alternate stack, writes as many bytes as
 * faultline's report of bench/deep (ready-made, no unwinding, no
 * symbols) and lets the fault kill the process.  `make bench` prints this
 * against no handler beside (b): preloading a DSO, the kernel's second
 * signal delivery and the write are what no crash handler avoids.
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

/* faultline's text report of bench/deep: 6.9-7.3 KB. */
#define FL_FLOOR_REPORT 7000

static const char report[FL_FLOOR_REPORT] = {[0 ... FL_FLOOR_REPORT - 1] = 'x'};
static char stack[64 * 1024];

static void on_fault(int sig)
{
	size_t off = 0;

	while (off < sizeof(report)) {
		ssize_t n = write(2, report + off, sizeof(report) - off);

		if (n <= 0)
			break;
		off += (size_t)n;
	}
	/* Returning runs the faulting instruction again: death by sig. */
	signal(sig, SIG_DFL);
}

__attribute__((constructor)) static void install(void)
{
	stack_t ss;
	struct sigaction sa;

	memset(&ss, 0, sizeof(ss));
	ss.ss_sp = stack;
	ss.ss_size = sizeof(stack);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fault;
	sa.sa_flags = SA_ONSTACK;
	if (sigaltstack(&ss, NULL) == 0)
		sigaction(SIGSEGV, &sa, NULL);
}
