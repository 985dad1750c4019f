/*
 * config.c - options and the FAULTLINE_* environment.
 *
 * Runs at install time (in preload mode: inside the program's start-up),
 * so the rule is: a bad value costs one warning line on stderr and the
 * default, never a failure of the host program.
 */
#include "platform.h"
#include "render.h"
#include "sink.h"

FL_STARTUP_DATA struct fl_config fl_config;

FL_STARTUP_TEXT void fl_config_defaults(struct fl_config *cfg)
{
	fl_memset(cfg, 0, sizeof(*cfg));
	cfg->signals = FAULTLINE_SIGNALS_DEFAULT;
	cfg->output = fl_platform_stderr();
	cfg->output_fd = 2;
	cfg->format = FAULTLINE_FORMAT_TEXT;
	cfg->include = FAULTLINE_INCLUDE_DEFAULT;
	cfg->all_threads = 1;
	cfg->thread_backtraces = FAULTLINE_THREAD_BACKTRACES_DEFAULT;
	cfg->chain = -1;
}

static int upper_eq(const char *a, size_t alen, const char *b)
{
	size_t i = 0;
	for (; i < alen && b[i]; i++) {
		char c = a[i];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c != b[i])
			return 0;
	}
	return i == alen && !b[i];
}

/* Signals faultline may handle: SIGKILL and SIGSTOP cannot be caught. */
static int catchable(int signo)
{
	return signo >= 1 && signo <= 31 && signo != 9 && signo != 19;
}

static int signal_by_name(const char *name, size_t len)
{
	if (len > 3 && upper_eq(name, 3, "SIG")) {
		name += 3;
		len -= 3;
	}
	for (int signo = 1; signo <= 31; signo++) {
		const char *full = fl_signal_name(signo);
		if (full && catchable(signo) && upper_eq(name, len, full + 3))
			return signo;
	}
	return -1;
}

/* "all": every signal whose default action ends the process with a core
 * dump (signal(7), "Core") - the default set, plus SIGQUIT (3), SIGXCPU
 * (24) and SIGXFSZ (25), which a user or a resource limit sends rather
 * than a bug, and so stay out of the default.  The signals that end a
 * process without a core (SIGTERM, SIGHUP, SIGINT, SIGUSR1, ...) are
 * not in it: they are a request to stop, not a crash, and can be named
 * one by one. */
#define FL_SIGNALS_ALL                                                         \
	(FAULTLINE_SIGNALS_DEFAULT | FAULTLINE_SIGNAL_BIT(3) |                 \
	 FAULTLINE_SIGNAL_BIT(24) | FAULTLINE_SIGNAL_BIT(25))

int fl_parse_signal_list(const char *text, uint64_t *set)
{
	uint64_t result = 0;
	const char *p = text;

	if (upper_eq(text, fl_strlen(text), "ALL")) {
		*set = FL_SIGNALS_ALL;
		return 0;
	}
	while (*p) {
		const char *start = p;
		int signo;
		while (*p && *p != ',')
			p++;
		while (start < p && *start == ' ')
			start++;
		signo = signal_by_name(start, (size_t)(p - start));
		if (signo < 0)
			return -1;
		result |= FAULTLINE_SIGNAL_BIT(signo);
		if (*p == ',')
			p++;
	}
	if (!result)
		return -1;
	*set = result;
	return 0;
}

static void warn(const char *var, const char *value, const char *expected,
		 const char *fallback)
{
	struct fl_sink s;

	fl_sink_init(&s, fl_platform_stderr());
	fl_sink_str(&s, "faultline: ignoring ");
	fl_sink_str(&s, var);
	fl_sink_str(&s, "='");
	fl_sink_text_str(&s, value);
	fl_sink_str(&s, "' (expected ");
	fl_sink_str(&s, expected);
	fl_sink_str(&s, "); using ");
	fl_sink_str(&s, fallback);
	fl_sink_char(&s, '\n');
	fl_sink_flush(&s);
}

/* 0 and *out for a plain decimal number that fits in an int, else -1. */
static int parse_uint(const char *p, int *out)
{
	long v = 0;
	if (!*p)
		return -1;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
		if (v > 0x7fffffff)
			return -1;
	}
	*out = (int)v;
	return 0;
}

int fl_check_path_template(const char *tmpl)
{
	size_t len = fl_strlen(tmpl);

	if (len == 0 || len >= FL_OUTPUT_PATH_MAX)
		return -1;
	for (const char *p = tmpl; *p; p++) {
		if (*p != '%')
			continue;
		p++;
		if (*p != 'p' && *p != 'e' && *p != 't' && *p != 'n' &&
		    *p != '%')
			return -1;
	}
	return 0;
}

static void env_output(struct fl_config *cfg, const char *v)
{
	static const char expected[] =
		"stderr, fd:N, or a path template with %p %e %t %n %%";
	int fd;

	if (fl_streq(v, "stderr"))
		return;
	if (v[0] == 'f' && v[1] == 'd' && v[2] == ':') {
		fl_handle_t h;
		if (parse_uint(v + 3, &fd) == 0 &&
		    (h = fl_platform_handle_from_fd(fd)) != FL_NO_HANDLE) {
			cfg->output = h;
			cfg->output_fd = fd;
			return;
		}
		warn("FAULTLINE_OUTPUT", v, "fd:N with N an open descriptor",
		     "stderr");
		return;
	}
	if (fl_check_path_template(v) != 0) {
		warn("FAULTLINE_OUTPUT", v, expected, "stderr");
		return;
	}
	fl_strlcpy(cfg->output_path, v, sizeof(cfg->output_path));
}

static void env_minidump(struct fl_config *cfg, const char *v)
{
	if (fl_check_path_template(v) != 0) {
		warn("FAULTLINE_MINIDUMP", v,
		     "a path template with %p %e %t %n %%", "no minidump");
		return;
	}
	fl_strlcpy(cfg->minidump_path, v, sizeof(cfg->minidump_path));
}

/* The variables install reads, with its code (FL_STARTUP_RODATA). */
FL_STARTUP_RODATA static const char var_disable[] = "FAULTLINE_DISABLE";
FL_STARTUP_RODATA static const char var_chain[] = "FAULTLINE_CHAIN";
FL_STARTUP_RODATA static const char var_signals[] = "FAULTLINE_SIGNALS";
FL_STARTUP_RODATA static const char var_format[] = "FAULTLINE_FORMAT";
FL_STARTUP_RODATA static const char var_output[] = "FAULTLINE_OUTPUT";
FL_STARTUP_RODATA static const char var_minidump[] = "FAULTLINE_MINIDUMP";
FL_STARTUP_RODATA static const char var_threads[] = "FAULTLINE_THREADS";
FL_STARTUP_RODATA static const char var_dump_signal[] = "FAULTLINE_DUMP_SIGNAL";
FL_STARTUP_RODATA static const char var_timeout[] = "FAULTLINE_TIMEOUT";

/* 0 and *out for a boolean word (1/0, yes/no, true/false, on/off; empty
 * is false), -1 for anything else. */
static int truth(const char *v, int *out)
{
	static const char *const words[][2] = {
		{"1", "0"}, {"yes", "no"}, {"true", "false"}, {"on", "off"}};

	*out = 0;
	if (!*v)
		return 0;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		for (int j = 0; j < 2; j++) {
			if (fl_streq(v, words[i][j])) {
				*out = j == 0;
				return 0;
			}
		}
	}
	return -1;
}

FL_STARTUP_TEXT int fl_env_disabled(void)
{
	const char *v = fl_platform_getenv(var_disable);
	int disabled = 0;

	if (!v)
		return 0;
	if (truth(v, &disabled) != 0) {
		warn("FAULTLINE_DISABLE", v, "1 or 0", "0 (enabled)");
		return 0;
	}
	return disabled;
}

#ifdef _WIN32
/* Windows has one dump signal: Ctrl-Break. */
int fl_check_dump_signal(int signo, uint64_t crash_set)
{
	(void)crash_set;
	return signo == FAULTLINE_SIGBREAK ? 0 : -1;
}

static int dump_signal_by_name(const char *v)
{
	size_t len = fl_strlen(v);

	return upper_eq(v, len, "BREAK") || upper_eq(v, len, "SIGBREAK")
		       ? FAULTLINE_SIGBREAK
		       : -1;
}
#define FL_DUMP_SIGNALS "BREAK (Ctrl-Break)"
#else
int fl_check_dump_signal(int signo, uint64_t crash_set)
{
	if (!catchable(signo) || (crash_set & FAULTLINE_SIGNAL_BIT(signo)))
		return -1;
	return 0;
}

static int dump_signal_by_name(const char *v)
{
	return signal_by_name(v, fl_strlen(v));
}
#define FL_DUMP_SIGNALS                                                        \
	"a signal name such as QUIT or USR1, not one of FAULTLINE_SIGNALS"
#endif

static void env_threads(struct fl_config *cfg, const char *v)
{
	int n;

	if (fl_streq(v, "all")) {
		cfg->all_threads = 1;
	} else if (fl_streq(v, "crashed")) {
		cfg->all_threads = 0;
	} else if (parse_uint(v, &n) == 0 &&
		   n <= FAULTLINE_THREAD_BACKTRACES_MAX) {
		cfg->all_threads = 1;
		cfg->thread_backtraces = (unsigned)n;
	} else {
		warn("FAULTLINE_THREADS", v,
		     "all, crashed, or a number of backtraces up to 4096",
		     "all");
	}
}

static void env_dump_signal(struct fl_config *cfg, const char *v)
{
	int signo = dump_signal_by_name(v);

	if (signo < 0 || fl_check_dump_signal(signo, cfg->signals) != 0) {
		warn("FAULTLINE_DUMP_SIGNAL", v, FL_DUMP_SIGNALS,
		     "no dump signal");
		return;
	}
	cfg->dump_signal = signo;
}

static void env_timeout(struct fl_config *cfg, const char *v)
{
	int seconds;

	if (parse_uint(v, &seconds) != 0) {
		warn("FAULTLINE_TIMEOUT", v, "a number of seconds",
		     "no watchdog");
		return;
	}
	cfg->timeout = (unsigned)seconds;
}

FL_STARTUP_TEXT int fl_env_chain(void)
{
	const char *v = fl_platform_getenv(var_chain);
	int on = 0;

	if (!v)
		return -1;
	if (truth(v, &on) != 0) {
		warn("FAULTLINE_CHAIN", v, "1 or 0",
		     "unset (on when preloaded, off when linked)");
		return -1;
	}
	return on;
}

FL_STARTUP_TEXT int fl_config_from_env(struct fl_config *cfg)
{
	const char *v;

	if (fl_env_disabled())
		return 1;
	v = fl_platform_getenv(var_signals);
	if (v && fl_parse_signal_list(v, &cfg->signals) != 0)
		warn("FAULTLINE_SIGNALS", v,
		     "a comma list such as SEGV,ABRT, or all",
		     "SEGV,BUS,ILL,FPE,ABRT,TRAP,SYS");
	v = fl_platform_getenv(var_format);
	if (v) {
		if (fl_streq(v, "json"))
			cfg->format = FAULTLINE_FORMAT_JSON;
		else if (fl_streq(v, "text"))
			cfg->format = FAULTLINE_FORMAT_TEXT;
		else
			warn("FAULTLINE_FORMAT", v, "text or json", "text");
	}
	v = fl_platform_getenv(var_output);
	if (v)
		env_output(cfg, v);
	v = fl_platform_getenv(var_minidump);
	if (v && v[0]) /* set but empty: none, as unset */
		env_minidump(cfg, v);
	v = fl_platform_getenv(var_threads);
	if (v)
		env_threads(cfg, v);
	v = fl_platform_getenv(var_dump_signal);
	if (v && v[0]) /* set but empty: off, as unset */
		env_dump_signal(cfg, v);
	v = fl_platform_getenv(var_timeout);
	if (v && v[0])
		env_timeout(cfg, v);
	return 0;
}
