/*
 * log_output.c - writing logs back, symbolized, in the format asked for;
 * shared by the commands and the fuzz target (reading a whole input is
 * io.c's).
 */
#include <stdlib.h>
#include <string.h>

#include "tool.h"

int parse_format(const char *arg, enum output_format *format)
{
	if (strcmp(arg, "text") == 0)
		*format = OUTPUT_TEXT;
	else if (strcmp(arg, "json") == 0)
		*format = OUTPUT_JSON;
	else {
		fprintf(stderr,
			"faultline: unknown format '%s' (text or json)\n", arg);
		return -1;
	}
	return 0;
}

size_t process_log(struct log *log, struct symbolizer *symbolizer,
		   enum output_format format, const char *name, FILE *out,
		   FILE *messages, const struct text_style *style)
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
	for (size_t i = 0; messages && i < log->problem_count; i++) {
		if (log->problems[i].line)
			fprintf(messages, "faultline: %s:%zu: %s\n", name,
				log->problems[i].line,
				log->problems[i].message);
		else
			fprintf(messages, "faultline: %s: %s\n", name,
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
				report_write_text(out, r, r->prefix, style);
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
				frame_write_locations(out, l->frame, r->prefix,
						      style);
		}
	}
	return problems;
}
