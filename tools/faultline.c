/*
 * faultline.c - the faultline tool: "run" and "symbolize" (see
 * faultline(1)).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "color.h"
#include "debuginfod.h"
#include "dump.h"
#include "io.h"
#include "path_map.h"
#include "source.h"
#include "tool.h"

static void usage(FILE *out)
{
	fputs("Usage: faultline run [OPTION]... [--] COMMAND [ARG]...\n"
	      "       faultline symbolize [OPTION]... [FILE|-]\n"
	      "       faultline dump [OPTION]... PID\n"
	      "       faultline --help | --version\n"
	      "\n"
	      "run: run COMMAND with libfaultline preloaded; print a "
	      "symbolized\n"
	      "report to stderr for every process of its tree that crashes.\n"
	      "  -o, --output-dir DIR   also keep each report as DIR/PID.txt "
	      "and\n"
	      "                         DIR/PID.json\n"
	      "  -f, --format FMT       text (default) or json, on stderr "
	      "among\n"
	      "                         COMMAND's own output (see --json)\n"
	      "  -n, --no-symbolize     print reports as the process wrote "
	      "them\n"
	      "  -s, --signals LIST     signals to catch, as "
	      "FAULTLINE_SIGNALS\n"
	      "                         (e.g. SEGV,ABRT or all)\n"
	      "  -L, --library PATH     libfaultline.so to preload (default:\n"
	      "                         $FAULTLINE_LIBRARY, then the installed "
	      "one)\n"
	      "  -d, --debug-dir DIR    also look for debug files under DIR\n"
	      "      --json FILE        also write the reports to FILE as "
	      "JSON Lines\n"
	      "                         (e.g. --json /dev/fd/3 3>&1 >&2 | "
	      "jq)\n"
	      "      --dump-dir DIR     keep each crash in "
	      "DIR/TIME-EXE-PID/:\n"
	      "                         report.txt, report.json, "
	      "minidump.dmp\n"
	      "      --keep N           keep the newest N crashes of "
	      "--dump-dir\n"
	      "                         (default: $FAULTLINE_KEEP, else "
	      "all)\n"
	      "      --fail-on-crash    exit 1 when COMMAND exited 0 but a "
	      "process\n"
	      "                         of its tree crashed\n"
	      "      --ci-annotations github|none\n"
	      "                         GitHub error annotations and job "
	      "summary\n"
	      "                         (default: github when "
	      "GITHUB_ACTIONS=true)\n"
	      "      --annotate KEY=VALUE\n"
	      "                         add to FAULTLINE_ANNOTATIONS for the "
	      "tree\n"
	      "      --timeout DURATION when COMMAND has run that long (10, "
	      "2.5s,\n"
	      "                         5m, 1h), dump every thread of every "
	      "process\n"
	      "                         of its tree, then end the tree; exit "
	      "124\n"
	      "      --kill-after DURATION\n"
	      "                         SIGKILL what SIGTERM left of the tree "
	      "after\n"
	      "                         this long (default 5s)\n"
	      "  Exit status: COMMAND's; 128+N when it was killed by signal "
	      "N;\n"
	      "  125 faultline failed, 126 COMMAND not executable, 127 not "
	      "found.\n"
	      "\n"
	      "symbolize: read a text or JSON report, or a log with reports in "
	      "it,\n"
	      "from FILE or standard input; write it with function, file:line "
	      "and\n"
	      "the inlined call chain of every frame.\n"
	      "  -d, --debug-dir DIR    also look for debug files under DIR\n"
	      "                         (DIR/.build-id/xx/yyyy.debug, debug "
	      "links,\n"
	      "                         .dwo and .dwp files); repeatable\n"
	      "  -f, --format FMT       write reports as text or json "
	      "(default:\n"
	      "                         as read)\n"
	      "      --source[=N]       show N lines of source before and "
	      "after\n"
	      "                         each line (default 2)\n"
	      "      --source-prefix OLD=NEW\n"
	      "                         read files recorded under OLD "
	      "(another\n"
	      "                         checkout) under NEW; repeatable\n"
	      "      --debuginfod URLS  fetch missing debug files from these\n"
	      "                         servers (default: $DEBUGINFOD_URLS)\n"
	      "      --no-debuginfod    fetch nothing\n"
	      "      --color[=WHEN]     auto (default: on a terminal, unless\n"
	      "                         NO_COLOR is set), always or never\n"
	      "  Exit status: 0 all symbolized, 1 partial (see messages),\n"
	      "  2 usage or input error, 3 no report in the input.\n"
	      "\n"
	      "dump: every thread of the live process PID (with or without\n"
	      "libfaultline in it), read through ptrace, symbolized; each "
	      "thread\n"
	      "is stopped only while it is read.\n"
	      "  -d, --debug-dir DIR    also look for debug files under DIR\n"
	      "  -f, --format FMT       text (default) or json\n"
	      "  Exit status: 0 dumped, 1 dumped with problems, 2 usage,\n"
	      "  3 no such process, 4 ptrace refused or reading failed.\n",
	      out);
}

struct symbolize_args {
	enum output_format format;
	char **debug_dirs;
	size_t debug_dir_count;
	const char *debuginfod; /* --debuginfod URLS; NULL: $DEBUGINFOD_URLS */
	int no_debuginfod;
	int source_context; /* --source[=N]; -1: none */
	struct path_maps maps;
	enum color_mode color;
	const char *input;
};

enum {
	OPT_DEBUGINFOD = 256,
	OPT_NO_DEBUGINFOD,
	OPT_SOURCE,
	OPT_SOURCE_PREFIX,
	OPT_COLOR
};

static int parse_source_context(const char *arg, int *context)
{
	char *end;
	errno = 0;
	long n = arg ? strtol(arg, &end, 10) : 2;
	if (arg && (errno || end == arg || *end || n < 0 || n > 1000)) {
		fprintf(stderr,
			"faultline: --source takes a number of lines from 0 "
			"to 1000, not '%s'\n",
			arg);
		return -1;
	}
	*context = (int)n;
	return 0;
}

/* -1 to go on, or the exit status when there is nothing more to do. */
static int parse_symbolize_args(int argc, char **argv, struct symbolize_args *a)
{
	static const struct option options[] = {
		{"debug-dir", required_argument, NULL, 'd'},
		{"format", required_argument, NULL, 'f'},
		{"debuginfod", required_argument, NULL, OPT_DEBUGINFOD},
		{"no-debuginfod", no_argument, NULL, OPT_NO_DEBUGINFOD},
		{"source", optional_argument, NULL, OPT_SOURCE},
		{"source-prefix", required_argument, NULL, OPT_SOURCE_PREFIX},
		{"color", optional_argument, NULL, OPT_COLOR},
		{"colour", optional_argument, NULL, OPT_COLOR},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	int c;
	while ((c = getopt_long(argc, argv, "+d:f:h", options, NULL)) != -1) {
		int bad = 0;
		switch (c) {
		case 'd':
			a->debug_dirs[a->debug_dir_count++] = optarg;
			break;
		case 'f':
			bad = parse_format(optarg, &a->format) < 0;
			break;
		case OPT_DEBUGINFOD:
			a->debuginfod = optarg;
			a->no_debuginfod = 0;
			break;
		case OPT_NO_DEBUGINFOD:
			a->no_debuginfod = 1;
			break;
		case OPT_SOURCE:
			bad = parse_source_context(optarg, &a->source_context) <
			      0;
			break;
		case OPT_SOURCE_PREFIX:
			bad = path_maps_add(&a->maps, optarg) < 0;
			break;
		case OPT_COLOR:
			/* A bare --color means always, as in ls and grep. */
			bad = parse_color(optarg ? optarg : "always",
					  &a->color) < 0;
			break;
		case 'h':
			usage(stdout);
			return EXIT_SYMBOLIZED;
		default:
			bad = 1;
			fputs("Try 'faultline --help'.\n", stderr);
			break;
		}
		if (bad)
			return EXIT_USAGE;
	}
	if (argc - optind > 1) {
		fputs("faultline: symbolize reads one input (a file or -)\n",
		      stderr);
		return EXIT_USAGE;
	}
	a->input = optind < argc ? argv[optind] : "-";
	return -1;
}

static struct symbolizer *make_symbolizer(struct symbolize_args *a)
{
	struct symbolizer *s =
		symbolizer_new(a->debug_dirs, a->debug_dir_count);
	if (!s)
		return NULL;
	symbolizer_set_path_maps(s, &a->maps);
	if ((a->no_debuginfod || a->debuginfod) &&
	    symbolizer_set_debuginfod(
		    s, a->no_debuginfod ? NULL : a->debuginfod) < 0) {
		symbolizer_free(s);
		return NULL;
	}
	return s;
}

static int symbolize_input(struct symbolize_args *a)
{
	const char *name = strcmp(a->input, "-") == 0 ? "<stdin>" : a->input;
	char *data = NULL;
	size_t size = 0;
	if (read_file(a->input, &data, &size) < 0) {
		fprintf(stderr, "faultline: cannot read %s: %s\n", name,
			strerror(errno));
		return EXIT_USAGE;
	}
	struct log log;
	int status = EXIT_SYMBOLIZED;
	if (log_parse(&log, data, size) < 0) {
		fprintf(stderr, "faultline: %s: out of memory\n", name);
		status = EXIT_PARTIAL;
	}
	struct symbolizer *symbolizer = make_symbolizer(a);
	struct text_style style = {
		color_wanted(a->color, stdout), a->source_context,
		a->source_context >= 0 ? source_cache_new() : NULL};
	if (!symbolizer || (a->source_context >= 0 && !style.sources)) {
		fprintf(stderr, "faultline: out of memory\n");
		status = EXIT_PARTIAL;
	}
	size_t problems = process_log(&log, symbolizer, a->format, name, stdout,
				      stderr, &style);
	source_report_missing(style.sources, stderr);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "faultline: cannot write the output: %s\n",
			strerror(errno));
		status = EXIT_USAGE;
	} else if (problems) {
		/* A report too broken to read counts as a problem, not as
		 * "no report". */
		status = EXIT_PARTIAL;
	} else if (log.report_count == 0) {
		fprintf(stderr, "faultline: %s: no faultline report found\n",
			name);
		status = EXIT_NO_REPORT;
	}
	source_cache_free(style.sources);
	symbolizer_free(symbolizer);
	log_free(&log);
	free(data);
	return status;
}

int cmd_symbolize(int argc, char **argv)
{
	struct symbolize_args a = {.format = OUTPUT_AS_INPUT,
				   .source_context = -1,
				   .color = COLOR_AUTO};
	a.debug_dirs = calloc((size_t)argc, sizeof(*a.debug_dirs));
	if (!a.debug_dirs)
		return EXIT_USAGE;
	int status = parse_symbolize_args(argc, argv, &a);
	if (status < 0)
		status = symbolize_input(&a);
	path_maps_free(&a.maps);
	free(a.debug_dirs);
	return status;
}

static int dump_and_symbolize(struct symbolize_args *a, pid_t pid)
{
	char requester[64];
	snprintf(requester, sizeof(requester), "faultline dump from pid %d",
		 (int)getpid());
	struct symbolizer *symbolizer = make_symbolizer(a);
	int status =
		dump_and_render(pid, requester, symbolizer, a->format, stdout);
	if (!symbolizer && status == EXIT_DUMPED)
		status = EXIT_DUMP_PARTIAL;
	if (fflush(stdout) != 0 && status == EXIT_DUMPED)
		status = EXIT_DUMP_PARTIAL;
	symbolizer_free(symbolizer);
	return status;
}

/* "faultline dump PID": the report dump.c writes, read back and
 * rendered as symbolize renders one. */
int cmd_dump(int argc, char **argv)
{
	static const struct option options[] = {
		{"debug-dir", required_argument, NULL, 'd'},
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	struct symbolize_args a = {.format = OUTPUT_TEXT, .source_context = -1};
	a.debug_dirs = calloc((size_t)argc, sizeof(*a.debug_dirs));
	if (!a.debug_dirs)
		return EXIT_DUMP_USAGE;
	int c, status = -1;
	while (status < 0 &&
	       (c = getopt_long(argc, argv, "+d:f:h", options, NULL)) != -1) {
		if (c == 'd')
			a.debug_dirs[a.debug_dir_count++] = optarg;
		else if (c == 'f' && parse_format(optarg, &a.format) == 0)
			continue;
		else if (c == 'h') {
			usage(stdout);
			status = EXIT_DUMPED;
		} else
			status = EXIT_DUMP_USAGE;
	}
	char *end = NULL;
	long pid = optind + 1 == argc ? strtol(argv[optind], &end, 10) : 0;
	if (status < 0 && (!end || *end || end == argv[optind] || pid <= 0 ||
			   pid > INT32_MAX)) {
		fputs("faultline: dump takes one process id: faultline dump "
		      "[OPTION]... PID\n",
		      stderr);
		status = EXIT_DUMP_USAGE;
	}
	if (status < 0)
		status = dump_and_symbolize(&a, (pid_t)pid);
	free(a.debug_dirs);
	return status;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *command = argv[1];
	if (strcmp(command, "--help") == 0 || strcmp(command, "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(command, "--version") == 0) {
		printf("faultline %s\n%s\n", PACKAGE_VERSION,
		       debuginfod_support());
		return 0;
	}
	if (strcmp(command, "symbolize") == 0)
		return cmd_symbolize(argc - 1, argv + 1);
	if (strcmp(command, "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(command, "dump") == 0)
		return cmd_dump(argc - 1, argv + 1);
	fprintf(stderr,
		"faultline: unknown command '%s' (run, symbolize or dump); "
		"try 'faultline --help'\n",
		command);
	return EXIT_USAGE;
}
