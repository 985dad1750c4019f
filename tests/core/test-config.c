/*
 * test-config.c - options from the FAULTLINE_* environment (each variable,
 * valid and invalid: one warning line and the default), signal lists,
 * output path templates and their expansion, and the version.
 */
#include <config.h>

#include "unit.h"
#include "faultline.h"
#include "platform.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct fl_config cfg;
static int disabled;

static void clear_env(void)
{
	unsetenv("FAULTLINE_SIGNALS");
	unsetenv("FAULTLINE_OUTPUT");
	unsetenv("FAULTLINE_FORMAT");
	unsetenv("FAULTLINE_DISABLE");
	unsetenv("FAULTLINE_THREADS");
	unsetenv("FAULTLINE_DUMP_SIGNAL");
	unsetenv("FAULTLINE_TIMEOUT");
	unsetenv("FAULTLINE_MINIDUMP");
}

static void parse(void *unused)
{
	(void)unused;
	fl_config_defaults(&cfg);
	disabled = fl_config_from_env(&cfg);
}

/* Parse the environment with one variable set; returns the warnings. */
static const char *with_env(const char *name, const char *value)
{
	clear_env();
	if (name)
		setenv(name, value, 1);
	return unit_capture_stderr(parse, NULL);
}

static size_t lines(const char *text)
{
	size_t n = 0;
	for (; *text; text++)
		n += *text == '\n';
	return n;
}

/* One line: "faultline: ignoring NAME='VALUE' (expected ...); using D" */
static void assert_one_warning(const char *out, const char *name,
			       const char *value)
{
	char want[512];

	snprintf(want, sizeof(want), "faultline: ignoring %s='%s' (expected ",
		 name, value);
	ck_assert_msg(lines(out) == 1, "expected one warning line: '%s'", out);
	ck_assert_msg(strncmp(out, want, strlen(want)) == 0,
		      "warning '%s' does not start '%s'", out, want);
	ck_assert_msg(strstr(out, "; using "), "no default named: %s", out);
}

START_TEST(defaults)
{
	ck_assert_str_eq(with_env(NULL, NULL), "");
	ck_assert_int_eq(disabled, 0);
	ck_assert_uint_eq(cfg.signals, FAULTLINE_SIGNALS_DEFAULT);
	ck_assert_int_eq(cfg.output, 2);
	ck_assert_str_eq(cfg.output_path, "");
	ck_assert_int_eq(cfg.format, FAULTLINE_FORMAT_TEXT);
	ck_assert_uint_eq(cfg.include, FAULTLINE_INCLUDE_DEFAULT);
}
END_TEST

START_TEST(signals_env)
{
	ck_assert_str_eq(with_env("FAULTLINE_SIGNALS", "SEGV,ABRT"), "");
	ck_assert_uint_eq(cfg.signals,
			  FAULTLINE_SIGNAL_BIT(11) | FAULTLINE_SIGNAL_BIT(6));
	ck_assert_str_eq(with_env("FAULTLINE_SIGNALS", "sigbus, Ill"), "");
	ck_assert_uint_eq(cfg.signals,
			  FAULTLINE_SIGNAL_BIT(7) | FAULTLINE_SIGNAL_BIT(4));
	ck_assert_str_eq(with_env("FAULTLINE_SIGNALS", "all"), "");
	ck_assert_uint_eq(cfg.signals, FAULTLINE_SIGNALS_DEFAULT |
					       FAULTLINE_SIGNAL_BIT(3) |
					       FAULTLINE_SIGNAL_BIT(24) |
					       FAULTLINE_SIGNAL_BIT(25));
	ck_assert_str_eq(with_env("FAULTLINE_SIGNALS", "SIGUSR1"), "");
	ck_assert_uint_eq(cfg.signals, FAULTLINE_SIGNAL_BIT(10));
}
END_TEST

START_TEST(signals_env_invalid)
{
	static const char *const bad[] = {"SEGV,NOPE",	"KILL", "STOP", "",
					  "SEGV,,ABRT", "11",	"SIG"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_one_warning(with_env("FAULTLINE_SIGNALS", bad[i]),
				   "FAULTLINE_SIGNALS", bad[i]);
		ck_assert_uint_eq(cfg.signals, FAULTLINE_SIGNALS_DEFAULT);
	}
}
END_TEST

START_TEST(threads_env)
{
	ck_assert_str_eq(with_env(NULL, NULL), "");
	ck_assert_int_eq(cfg.all_threads, 1);
	ck_assert_uint_eq(cfg.thread_backtraces,
			  FAULTLINE_THREAD_BACKTRACES_DEFAULT);
	ck_assert_int_eq(cfg.dump_signal, 0);
	ck_assert_uint_eq(cfg.timeout, 0);
	ck_assert_str_eq(with_env("FAULTLINE_THREADS", "crashed"), "");
	ck_assert_int_eq(cfg.all_threads, 0);
	ck_assert_str_eq(with_env("FAULTLINE_THREADS", "all"), "");
	ck_assert_int_eq(cfg.all_threads, 1);
	ck_assert_str_eq(with_env("FAULTLINE_THREADS", "10"), "");
	ck_assert_int_eq(cfg.all_threads, 1);
	ck_assert_uint_eq(cfg.thread_backtraces, 10);
	ck_assert_str_eq(with_env("FAULTLINE_DUMP_SIGNAL", "USR1"), "");
	ck_assert_int_eq(cfg.dump_signal, 10);
	ck_assert_str_eq(with_env("FAULTLINE_DUMP_SIGNAL", "SIGQUIT"), "");
	ck_assert_int_eq(cfg.dump_signal, 3);
	ck_assert_str_eq(with_env("FAULTLINE_DUMP_SIGNAL", ""), "");
	ck_assert_int_eq(cfg.dump_signal, 0);
	ck_assert_str_eq(with_env("FAULTLINE_TIMEOUT", "30"), "");
	ck_assert_uint_eq(cfg.timeout, 30);
}
END_TEST

START_TEST(threads_env_invalid)
{
	static const char *const threads[] = {"some", "4097", "-1", ""};
	/* Crash signals cannot be the dump signal; KILL cannot be caught. */
	static const char *const dump[] = {"SEGV", "KILL", "NOPE", "10"};
	static const char *const timeout[] = {"soon", "-5", "1.5"};

	for (size_t i = 0; i < sizeof(threads) / sizeof(threads[0]); i++) {
		assert_one_warning(with_env("FAULTLINE_THREADS", threads[i]),
				   "FAULTLINE_THREADS", threads[i]);
		ck_assert_int_eq(cfg.all_threads, 1);
		ck_assert_uint_eq(cfg.thread_backtraces,
				  FAULTLINE_THREAD_BACKTRACES_DEFAULT);
	}
	for (size_t i = 0; i < sizeof(dump) / sizeof(dump[0]); i++) {
		assert_one_warning(with_env("FAULTLINE_DUMP_SIGNAL", dump[i]),
				   "FAULTLINE_DUMP_SIGNAL", dump[i]);
		ck_assert_int_eq(cfg.dump_signal, 0);
	}
	for (size_t i = 0; i < sizeof(timeout) / sizeof(timeout[0]); i++) {
		assert_one_warning(with_env("FAULTLINE_TIMEOUT", timeout[i]),
				   "FAULTLINE_TIMEOUT", timeout[i]);
		ck_assert_uint_eq(cfg.timeout, 0);
	}
}
END_TEST

START_TEST(signal_list_parser)
{
	uint64_t set = 0;

	ck_assert_int_eq(fl_parse_signal_list("SEGV", &set), 0);
	ck_assert_uint_eq(set, FAULTLINE_SIGNAL_BIT(11));
	ck_assert_int_eq(fl_parse_signal_list("segv,SIGABRT,Trap,sys", &set),
			 0);
	ck_assert_uint_eq(set, FAULTLINE_SIGNAL_BIT(11) |
				       FAULTLINE_SIGNAL_BIT(6) |
				       FAULTLINE_SIGNAL_BIT(5) |
				       FAULTLINE_SIGNAL_BIT(31));
	set = 42;
	ck_assert_int_eq(fl_parse_signal_list("SEGV,BOGUS", &set), -1);
	ck_assert_uint_eq(set, 42); /* untouched on error */
	ck_assert_int_eq(fl_parse_signal_list("SIGKILL", &set), -1);
	ck_assert_int_eq(fl_parse_signal_list("SEGVX", &set), -1);
	ck_assert_int_eq(fl_parse_signal_list("SEG", &set), -1);
}
END_TEST

START_TEST(format_env)
{
	ck_assert_str_eq(with_env("FAULTLINE_FORMAT", "json"), "");
	ck_assert_int_eq(cfg.format, FAULTLINE_FORMAT_JSON);
	ck_assert_str_eq(with_env("FAULTLINE_FORMAT", "text"), "");
	ck_assert_int_eq(cfg.format, FAULTLINE_FORMAT_TEXT);
	assert_one_warning(with_env("FAULTLINE_FORMAT", "JSONX"),
			   "FAULTLINE_FORMAT", "JSONX");
	ck_assert_int_eq(cfg.format, FAULTLINE_FORMAT_TEXT);
}
END_TEST

START_TEST(output_env)
{
	int fd = open("/dev/null", O_WRONLY);
	char v[32];

	ck_assert_str_eq(with_env("FAULTLINE_OUTPUT", "stderr"), "");
	ck_assert_int_eq(cfg.output, 2);
	ck_assert_str_eq(cfg.output_path, "");
	snprintf(v, sizeof(v), "fd:%d", fd);
	ck_assert_str_eq(with_env("FAULTLINE_OUTPUT", v), "");
	ck_assert_int_eq(cfg.output, fd);
	ck_assert_str_eq(with_env("FAULTLINE_OUTPUT", "/tmp/r-%p-%e-%t-%%"),
			 "");
	ck_assert_str_eq(cfg.output_path, "/tmp/r-%p-%e-%t-%%");
	ck_assert_int_eq(cfg.output, 2); /* the fallback */
	close(fd);
}
END_TEST

START_TEST(output_env_invalid)
{
	static const char *const bad[] = {
		"fd:",	    "fd:x",   "fd:-1", "fd:999", "fd:99999999999",
		"/tmp/a%q", "/tmp/a%"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_one_warning(with_env("FAULTLINE_OUTPUT", bad[i]),
				   "FAULTLINE_OUTPUT", bad[i]);
		ck_assert_int_eq(cfg.output, 2);
		ck_assert_str_eq(cfg.output_path, "");
	}
}
END_TEST

START_TEST(minidump_env)
{
	ck_assert_str_eq(with_env(NULL, NULL), "");
	ck_assert_str_eq(cfg.minidump_path, "");
	ck_assert_str_eq(with_env("FAULTLINE_MINIDUMP", ""), "");
	ck_assert_str_eq(cfg.minidump_path, "");
	ck_assert_str_eq(with_env("FAULTLINE_MINIDUMP", "/tmp/m-%p-%n.dmp"),
			 "");
	ck_assert_str_eq(cfg.minidump_path, "/tmp/m-%p-%n.dmp");
	assert_one_warning(with_env("FAULTLINE_MINIDUMP", "/tmp/m%q"),
			   "FAULTLINE_MINIDUMP", "/tmp/m%q");
	ck_assert_str_eq(cfg.minidump_path, "");
}
END_TEST

START_TEST(disable_env)
{
	static const char *const on[] = {"1", "yes", "true", "on"};
	static const char *const off[] = {"0", "no", "false", "off", ""};

	for (size_t i = 0; i < 4; i++) {
		ck_assert_str_eq(with_env("FAULTLINE_DISABLE", on[i]), "");
		ck_assert_int_eq(disabled, 1);
	}
	for (size_t i = 0; i < 5; i++) {
		ck_assert_str_eq(with_env("FAULTLINE_DISABLE", off[i]), "");
		ck_assert_int_eq(disabled, 0);
	}
	assert_one_warning(with_env("FAULTLINE_DISABLE", "maybe"),
			   "FAULTLINE_DISABLE", "maybe");
	ck_assert_int_eq(disabled, 0);
}
END_TEST

START_TEST(warning_escapes_value)
{
	const char *out = with_env("FAULTLINE_FORMAT", "a\nb\x1b[31m");

	ck_assert_msg(lines(out) == 1,
		      "a newline in the value split the "
		      "warning: '%s'",
		      out);
	ck_assert_ptr_null(strchr(out, '\x1b'));
}
END_TEST

START_TEST(path_template_check)
{
	char longer[FL_OUTPUT_PATH_MAX + 10];

	ck_assert_int_eq(fl_check_path_template("/tmp/x"), 0);
	ck_assert_int_eq(fl_check_path_template("/tmp/%p.%e.%t.%%"), 0);
	ck_assert_int_eq(fl_check_path_template("/tmp/dump-%p-%n"), 0);
	ck_assert_int_eq(fl_check_path_template(""), -1);
	ck_assert_int_eq(fl_check_path_template("/tmp/%d"), -1);
	ck_assert_int_eq(fl_check_path_template("/tmp/%"), -1);
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	ck_assert_int_eq(fl_check_path_template(longer), -1);
}
END_TEST

START_TEST(path_expansion)
{
	char out[256], want[256];
	long long t0 = (long long)time(NULL), t;

	ck_assert_int_eq(fl_expand_path("/r/%e-%p-%%-x", "/usr/bin/prog", out,
					sizeof(out)),
			 0);
	snprintf(want, sizeof(want), "/r/prog-%ld-%%-x", (long)getpid());
	ck_assert_str_eq(out, want);
	ck_assert_int_eq(fl_expand_path("%e", "", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "unknown");
	ck_assert_int_eq(fl_expand_path("t%t", "/x", out, sizeof(out)), 0);
	t = atoll(out + 1);
	ck_assert_msg(t >= t0 && t <= (long long)time(NULL) + 1, "%%t is %s",
		      out);
	ck_assert_int_eq(
		fl_expand_path("/a/very/long/%e", "/bin/name", out, 12), -1);
	ck_assert_int_eq(
		fl_expand_path_n("/d/%n-%n", "/x", 42, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/d/42-42");
	ck_assert_int_eq(fl_expand_path("/d/%n", "/x", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/d/0");
}
END_TEST

START_TEST(version_matches_macros)
{
	char want[32];

	snprintf(want, sizeof(want), "%d.%d.%d", FAULTLINE_VERSION_MAJOR,
		 FAULTLINE_VERSION_MINOR, FAULTLINE_VERSION_PATCH);
	ck_assert_str_eq(faultline_version(), want);
	ck_assert_str_eq(faultline_version(), FAULTLINE_VERSION_STRING);
	ck_assert_str_eq(faultline_version(), PACKAGE_VERSION);
	ck_assert_int_eq(FAULTLINE_VERSION_NUMBER,
			 FAULTLINE_VERSION_MAJOR * 65536 +
				 FAULTLINE_VERSION_MINOR * 256 +
				 FAULTLINE_VERSION_PATCH);
}
END_TEST

START_TEST(options_init_defaults)
{
	struct faultline_options o;

	memset(&o, 0x5a, sizeof(o));
	faultline_options_init(&o);
	ck_assert_uint_eq(o.size, sizeof(o));
	ck_assert_uint_eq(o.signals, FAULTLINE_SIGNALS_DEFAULT);
	ck_assert_int_eq(o.output_fd, 2);
	ck_assert_ptr_null(o.output_path);
	ck_assert_int_eq(o.format, FAULTLINE_FORMAT_TEXT);
	ck_assert_uint_eq(o.include, FAULTLINE_INCLUDE_DEFAULT);
	ck_assert_uint_eq(o.altstack_size, 0);
	ck_assert_ptr_null(o.callback);
	ck_assert_ptr_null(o.minidump);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("config");

	UNIT_CASE(suite, "environment", 0, defaults, signals_env,
		  signals_env_invalid, signal_list_parser, format_env,
		  output_env, output_env_invalid, minidump_env, disable_env,
		  warning_escapes_value, threads_env, threads_env_invalid);
	UNIT_CASE(suite, "paths", 0, path_template_check, path_expansion);
	UNIT_CASE(suite, "api", 0, version_matches_macros,
		  options_init_defaults);
	return unit_run(suite, CK_FORK_GETENV);
}
