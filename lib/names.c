/*
 * names.c - signal and si_code names in faultline's vocabulary.
 *
 * The numbers are Linux's on x86-64 and aarch64, written out here rather
 * than taken from <signal.h> so that the Windows build, which maps
 * NTSTATUS codes onto the same vocabulary, names them identically.
 */
#include "render.h"

static const char *const signal_names[] = {
	[1] = "SIGHUP",	    [2] = "SIGINT",	[3] = "SIGQUIT",
	[4] = "SIGILL",	    [5] = "SIGTRAP",	[6] = "SIGABRT",
	[7] = "SIGBUS",	    [8] = "SIGFPE",	[9] = "SIGKILL",
	[10] = "SIGUSR1",   [11] = "SIGSEGV",	[12] = "SIGUSR2",
	[13] = "SIGPIPE",   [14] = "SIGALRM",	[15] = "SIGTERM",
	[16] = "SIGSTKFLT", [17] = "SIGCHLD",	[18] = "SIGCONT",
	[19] = "SIGSTOP",   [20] = "SIGTSTP",	[21] = "SIGTTIN",
	[22] = "SIGTTOU",   [23] = "SIGURG",	[24] = "SIGXCPU",
	[25] = "SIGXFSZ",   [26] = "SIGVTALRM", [27] = "SIGPROF",
	[28] = "SIGWINCH",  [29] = "SIGIO",	[30] = "SIGPWR",
	[31] = "SIGSYS",
};

const char *fl_signal_name(int signo)
{
	if (signo <= 0 ||
	    signo >= (int)(sizeof(signal_names) / sizeof(signal_names[0])))
		return NULL;
	return signal_names[signo];
}

struct code_name {
	int code;
	const char *name;
};

/* si_code values that any signal can carry (sent, not raised by a fault). */
static const struct code_name generic_codes[] = {
	{0, "SI_USER"},	     {0x80, "SI_KERNEL"}, {-1, "SI_QUEUE"},
	{-2, "SI_TIMER"},    {-3, "SI_MESGQ"},	  {-4, "SI_ASYNCIO"},
	{-5, "SI_SIGIO"},    {-6, "SI_TKILL"},	  {-7, "SI_DETHREAD"},
	{-60, "SI_ASYNCNL"}, {0, NULL},
};

static const struct code_name segv_codes[] = {
	{1, "SEGV_MAPERR"},  {2, "SEGV_ACCERR"},  {3, "SEGV_BNDERR"},
	{4, "SEGV_PKUERR"},  {5, "SEGV_ACCADI"},  {6, "SEGV_ADIDERR"},
	{7, "SEGV_ADIPERR"}, {8, "SEGV_MTEAERR"}, {9, "SEGV_MTESERR"},
	{10, "SEGV_CPERR"},  {0, NULL},
};

static const struct code_name bus_codes[] = {
	{1, "BUS_ADRALN"},    {2, "BUS_ADRERR"},    {3, "BUS_OBJERR"},
	{4, "BUS_MCEERR_AR"}, {5, "BUS_MCEERR_AO"}, {0, NULL},
};

static const struct code_name ill_codes[] = {
	{1, "ILL_ILLOPC"}, {2, "ILL_ILLOPN"}, {3, "ILL_ILLADR"},
	{4, "ILL_ILLTRP"}, {5, "ILL_PRVOPC"}, {6, "ILL_PRVREG"},
	{7, "ILL_COPROC"}, {8, "ILL_BADSTK"}, {9, "ILL_BADIADDR"},
	{0, NULL},
};

static const struct code_name fpe_codes[] = {
	{1, "FPE_INTDIV"},    {2, "FPE_INTOVF"}, {3, "FPE_FLTDIV"},
	{4, "FPE_FLTOVF"},    {5, "FPE_FLTUND"}, {6, "FPE_FLTRES"},
	{7, "FPE_FLTINV"},    {8, "FPE_FLTSUB"}, {14, "FPE_FLTUNK"},
	{15, "FPE_CONDTRAP"}, {0, NULL},
};

static const struct code_name trap_codes[] = {
	{1, "TRAP_BRKPT"},  {2, "TRAP_TRACE"}, {3, "TRAP_BRANCH"},
	{4, "TRAP_HWBKPT"}, {5, "TRAP_UNK"},   {6, "TRAP_PERF"},
	{0, NULL},
};

static const struct code_name sys_codes[] = {
	{1, "SYS_SECCOMP"},
	{0, NULL},
};

static const char *lookup(const struct code_name *t, int code)
{
	for (; t->name; t++)
		if (t->code == code)
			return t->name;
	return NULL;
}

const char *fl_code_name(int signo, int code)
{
	/* Positive codes other than SI_KERNEL belong to the signal. */
	if (code > 0 && code != 0x80) {
		switch (signo) {
		case FAULTLINE_SIGSEGV:
			return lookup(segv_codes, code);
		case FAULTLINE_SIGBUS:
			return lookup(bus_codes, code);
		case FAULTLINE_SIGILL:
			return lookup(ill_codes, code);
		case FAULTLINE_SIGFPE:
			return lookup(fpe_codes, code);
		case FAULTLINE_SIGTRAP:
			return lookup(trap_codes, code);
		case FAULTLINE_SIGSYS:
			return lookup(sys_codes, code);
		default:
			return NULL;
		}
	}
	return lookup(generic_codes, code);
}

const char *fl_access_name(enum faultline_access a)
{
	switch (a) {
	case FAULTLINE_ACCESS_READ:
		return "read";
	case FAULTLINE_ACCESS_WRITE:
		return "write";
	case FAULTLINE_ACCESS_EXECUTE:
		return "execute";
	default:
		return "unknown access";
	}
}

const char *faultline_signal_name(int signo)
{
	return fl_signal_name(signo);
}

/* --- threads (snapshot.h) --- */

const char *fl_thread_state_name(char state)
{
	switch (state) {
	case 'R':
		return "running";
	case 'S':
		return "sleeping";
	case 'D':
		return "disk sleep";
	case 'T':
		return "stopped";
	case 't':
		return "tracing stop";
	case 'Z':
		return "zombie";
	case 'X':
		return "dead";
	case 'I':
		return "idle";
	case 'P':
		return "parked";
	case 'W':
		return "waking";
	default:
		return "unknown";
	}
}

const char *fl_thread_capture_name(const struct fl_thread *t)
{
	switch (t->capture) {
	case FL_THREAD_STOPPED:
		return "stopped";
	case FL_THREAD_NOT_STOPPED:
		return "not stopped";
	default:
		return "over the cap";
	}
}

const char *fl_thread_why_name(const struct fl_thread *t)
{
	if (t->capture != FL_THREAD_NOT_STOPPED)
		return NULL;
	switch (t->why) {
	case FL_WHY_SIGNALS_BLOCKED:
		return "signals blocked";
	case FL_WHY_SUSPENDED:
		return "suspended";
	default:
		return "no answer";
	}
}
