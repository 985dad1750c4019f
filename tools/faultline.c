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

int parse_format(const char *arg, enum output_format *format)
{
	if (strcmp(arg, "text") == 0)
		*format = OUTPUT_TEXT;
	else if (strcmp(arg, "json") == 0)
		*format = OUTPUT_JSON;
	else
		return -1;
	return 0;
}

int read_file(const char *path, char **data, size_t *size)
{
	FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!in)
		return -1;
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap);
	while (buf) {
		size_t n = fread(buf + len, 1, cap - len, in);
		len += n;
		if (n == 0)
			break;
		if (len == cap) {
			char *grown = realloc(buf, cap * 2);
			if (!grown) {
				free(buf);
				buf = NULL;
				errno = ENOMEM;
				break;
			}
			buf = grown;
			cap *= 2;
		}
	}
	int failed = !buf || ferror(in);
	int saved = errno;
	if (in != stdin)
		fclose(in);
	if (failed) {
		free(buf);
		errno = saved ? saved : EIO;
		return -1;
	}
	*data = buf;
	*size = len;
	return 0;
}

size_t process_log(struct log *log, struct symbolizer *symbolizer,
		   enum output_format format, const char *name, FILE *out)
{
	size_t problems = 0;
	for (size_t i = 0; i < log->report_count; i++) {
		struct report *r = log->reports[i];
		if (symbolizer)
			problems += symbolize_report(symbolizer, r);
		if (r->format == REPORT_TEXT && format == OUTPUT_JSON) {
			r->json = report_to_json(r);
			if (!r->json)
				log_problem(log, r->first_line + 1,
					    "out of memory converting to JSON");
		}
		if (symbolizer)
			report_annotate_json(r);
	}
	for (size_t i = 0; i < log->problem_count; i++) {
		if (log->problems[i].line)
			fprintf(stderr, "faultline: %s:%zu: %s\n", name,
				log->problems[i].line,
				log->problems[i].message);
		else
			fprintf(stderr, "faultline: %s: %s\n", name,
				log->problems[i].message);
	}
	problems += log->problem_count;

	for (size_t i = 0; i < log->line_count; i++) {
		const struct log_line *l = &log->lines[i];
		struct report *r = l->report;
		if (!r) {
			fwrite(l->text, 1, l->len, out);
			putc('\n', out);
		} else if (r->format == REPORT_JSON) {
			if (format == OUTPUT_TEXT) {
				report_write_text(out, r, r->prefix);
			} else {
				fputs(r->prefix, out);
				json_write(out, r->json);
				putc('\n', out);
			}
		} else if (format == OUTPUT_JSON) {
			if (i == r->last_line && r->json) {
				fputs(r->prefix, out);
				json_write(out, r->json);
				putc('\n', out);
			}
		} else {
			fwrite(l->text, 1, l->len, out);
			putc('\n', out);
			if (l->frame)
				frame_write_locations(out, l->frame, r->prefix);
		}
	}
	return problems;
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
				fprintf(stderr,
					"faultline: unknown format '%s' "
					"(text or json)\n",
					optarg);
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
	size_t problems = process_log(&log, symbolizer, format, name, stdout);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "faultline: cannot write the output: %s\n",
			strerror(errno));
		status = EXIT_USAGE;
	} else if (log.report_count == 0) {
		fprintf(stderr, "faultline: %s: no faultline report found\n",
			name);
		status = EXIT_NO_REPORT;
	} else if (problems) {
		status = EXIT_PARTIAL;
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
