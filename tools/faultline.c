/*
 * faultline.c - the faultline tool: "run" and "symbolize" (see
 * faultline(1)).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

static void usage(FILE *out)
{
	fputs("Usage: faultline run [OPTION]... [--] COMMAND [ARG]...\n"
	      "       faultline symbolize [OPTION]... [FILE|-]\n"
	      "       faultline --help | --version\n"
	      "\n"
	      "run: run COMMAND with libfaultline preloaded; print a "
	      "symbolized\n"
	      "report to stderr for every process of its tree that crashes.\n"
	      "  -o, --output-dir DIR   also keep each report as DIR/PID.txt "
	      "and\n"
	      "                         DIR/PID.json\n"
	      "  -f, --format FMT       text (default) or json, on stderr\n"
	      "  -n, --no-symbolize     print reports as the process wrote "
	      "them\n"
	      "  -s, --signals LIST     signals to catch, as "
	      "FAULTLINE_SIGNALS\n"
	      "                         (e.g. SEGV,ABRT or all)\n"
	      "  -L, --library PATH     libfaultline.so to preload (default:\n"
	      "                         $FAULTLINE_LIBRARY, then the installed "
	      "one)\n"
	      "  -d, --debug-dir DIR    also look for debug files under DIR\n"
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
	      "                         (DIR/.build-id/xx/yyyy.debug); "
	      "repeatable\n"
	      "  -f, --format FMT       write reports as text or json "
	      "(default:\n"
	      "                         as read)\n"
	      "  Exit status: 0 all symbolized, 1 partial (see messages),\n"
	      "  2 usage or input error, 3 no report in the input.\n",
	      out);
}

int cmd_symbolize(int argc, char **argv)
{
	static const struct option options[] = {
		{"debug-dir", required_argument, NULL, 'd'},
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	enum output_format format = OUTPUT_AS_INPUT;
	char **debug_dirs = calloc((size_t)argc, sizeof(*debug_dirs));
	size_t debug_dir_count = 0;
	int c;
	if (!debug_dirs)
		return EXIT_USAGE;
	while ((c = getopt_long(argc, argv, "+d:f:h", options, NULL)) != -1) {
		switch (c) {
		case 'd':
			debug_dirs[debug_dir_count++] = optarg;
			break;
		case 'f':
			if (parse_format(optarg, &format) < 0) {
				free(debug_dirs);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			free(debug_dirs);
			return EXIT_SYMBOLIZED;
		default:
			fputs("Try 'faultline --help'.\n", stderr);
			free(debug_dirs);
			return EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		fputs("faultline: symbolize reads one input (a file or -)\n",
		      stderr);
		free(debug_dirs);
		return EXIT_USAGE;
	}
	const char *input = optind < argc ? argv[optind] : "-";
	const char *name = strcmp(input, "-") == 0 ? "<stdin>" : input;
	char *data = NULL;
	size_t size = 0;
	if (read_file(input, &data, &size) < 0) {
		fprintf(stderr, "faultline: cannot read %s: %s\n", name,
			strerror(errno));
		free(debug_dirs);
		return EXIT_USAGE;
	}
	struct log log;
	int status = EXIT_SYMBOLIZED;
	if (log_parse(&log, data, size) < 0) {
		fprintf(stderr, "faultline: %s: out of memory\n", name);
		status = EXIT_PARTIAL;
	}
	struct symbolizer *symbolizer =
		symbolizer_new(debug_dirs, debug_dir_count);
	if (!symbolizer) {
		fprintf(stderr, "faultline: out of memory\n");
		status = EXIT_PARTIAL;
	}
	size_t problems =
		process_log(&log, symbolizer, format, name, stdout, stderr);
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
	symbolizer_free(symbolizer);
	log_free(&log);
	free(data);
	free(debug_dirs);
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
		printf("faultline %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (strcmp(command, "symbolize") == 0)
		return cmd_symbolize(argc - 1, argv + 1);
	if (strcmp(command, "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	fprintf(stderr,
		"faultline: unknown command '%s' (run or symbolize); "
		"try 'faultline --help'\n",
		command);
	return EXIT_USAGE;
}
