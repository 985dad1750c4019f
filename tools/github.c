/*
 * github.c - GitHub Actions' workflow commands and job summary, for
 * "faultline run" (docs.github.com, "Workflow commands for GitHub
 * Actions": "::error file={name},line={line},title={title}::{message}";
 * the message escapes % CR LF as %25 %0D %0A, a property's value also
 * : and , as %3A %2C).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "crash_info.h"
#include "github.h"

/* Frames listed in an annotation's message. */
#define ANNOTATION_FRAMES 16

static void write_escaped(FILE *out, const char *s, int property)
{
	for (; *s; s++) {
		switch (*s) {
		case '%':
			fputs("%25", out);
			break;
		case '\r':
			fputs("%0D", out);
			break;
		case '\n':
			fputs("%0A", out);
			break;
		case ':':
			fputs(property ? "%3A" : ":", out);
			break;
		case ',':
			fputs(property ? "%2C" : ",", out);
			break;
		default:
			putc(*s, out);
		}
	}
}

void github_write_data(FILE *out, const char *s)
{
	write_escaped(out, s, 0);
}

void github_write_property(FILE *out, const char *s)
{
	write_escaped(out, s, 1);
}

static const char *signal_of(const struct report *r)
{
	return r->signal_name ? r->signal_name : "unknown signal";
}

/* The crashed thread's frames, "#N function at file:line", each on a
 * line of its own after what is written already. */
static void write_backtrace(FILE *out, const struct report *r)
{
	const struct thread *t = crash_thread(r);
	for (size_t i = 0; t && i < t->frame_count && i < ANNOTATION_FRAMES;
	     i++) {
		putc('\n', out);
		const struct frame *f = &t->frames[i];
		const struct location *l =
			f->location_count ? &f->locations[0] : NULL;
		const char *fn = l && l->function ? l->function
				 : f->demangled	  ? f->demangled
				 : f->symbol	  ? f->symbol
						  : "??";
		fprintf(out, "#%ld %s", f->index, fn);
		if (l && l->file)
			fprintf(out, " at %s:%d", l->file, l->line);
		else if (f->module)
			fprintf(out, " in %s", f->module);
	}
}

/* The crash annotations, "key=value", each on a line of its own. */
static void write_annotations(FILE *out, const struct report *r)
{
	const char *key, *value;
	for (size_t i = 0; crash_annotation(r, i, &key, &value) == 0; i++)
		fprintf(out, "\n%s=%s", key, value);
}

/* The annotation's message, plain, to be escaped whole. */
static char *annotation_message(const struct report *r,
				const struct crash_place *place)
{
	char *text = NULL;
	size_t size = 0;
	FILE *m = open_memstream(&text, &size);
	if (!m)
		return NULL;
	fprintf(m, "%s (pid %ld) crashed: %s", crash_executable_name(r), r->pid,
		signal_of(r));
	if (r->cause)
		fprintf(m, ", %s", r->cause);
	if (place->function)
		fprintf(m, " in %s", place->function);
	write_annotations(m, r);
	write_backtrace(m, r);
	if (fclose(m) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

void github_annotate(FILE *out, const struct report *r, const char *workspace)
{
	struct crash_place place;
	int inside = crash_place_find(r, workspace, &place) == 0;
	char *rel = inside ? path_inside(workspace, place.file) : NULL;
	fputs("::error ", out);
	if (rel) {
		fputs("file=", out);
		github_write_property(out, rel);
		fprintf(out, ",line=%d,", place.line);
	}
	char *title = NULL;
	if (asprintf(&title, "%s in %s", signal_of(r),
		     place.function ? place.function : "??") < 0)
		title = NULL;
	fputs("title=", out);
	github_write_property(out, title ? title : signal_of(r));
	fputs("::", out);
	char *message = annotation_message(r, &place);
	github_write_data(out, message ? message : signal_of(r));
	putc('\n', out);
	free(message);
	free(title);
	free(rel);
}

/* A table cell: no line break, no column separator. */
static void write_cell(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			fputs("\\|", out);
		else if (*s == '\n' || *s == '\r')
			putc(' ', out);
		else if (strchr("\\`*_<>[]", *s))
			fprintf(out, "\\%c", *s);
		else
			putc(*s, out);
	}
}

/* Text inside an HTML element (Markdown is not read there). */
static void write_html(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", out);
		else if (*s == '>')
			fputs("&gt;", out);
		else if (*s == '&')
			fputs("&amp;", out);
		else
			putc(*s, out);
	}
}

/* A code fence longer than any run of backticks in text. */
static size_t fence_length(const char *text)
{
	size_t longest = 0, run = 0;
	for (; *text; text++) {
		run = *text == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	return longest < 3 ? 3 : longest + 1;
}

static void write_details(FILE *out, struct report *r)
{
	char *text = NULL;
	size_t size = 0;
	FILE *m = open_memstream(&text, &size);
	if (!m)
		return;
	report_write_text(m, r, "", NULL);
	if (fclose(m) != 0) {
		free(text);
		return;
	}
	fprintf(out, "<details><summary>pid %ld: ", r->pid);
	write_html(out, crash_executable_name(r));
	fputs(", ", out);
	write_html(out, signal_of(r));
	fputs("</summary>\n\n", out);
	const char *key, *value;
	for (size_t i = 0; crash_annotation(r, i, &key, &value) == 0; i++) {
		fputs("- ", out);
		write_cell(out, key);
		fputs(": ", out);
		write_cell(out, value);
		fputs("\n", out);
	}
	if (crash_annotation(r, 0, &key, &value) == 0)
		fputs("\n", out);
	size_t fence = fence_length(text);
	for (size_t i = 0; i < fence; i++)
		putc('`', out);
	fputs("text\n", out);
	fputs(text, out);
	for (size_t i = 0; i < fence; i++)
		putc('`', out);
	fputs("\n\n</details>\n\n", out);
	free(text);
}

int github_step_summary(const char *path, struct report *const *reports,
			size_t count, const char *workspace)
{
	FILE *out = fopen(path, "ae");
	if (!out) {
		fprintf(stderr, "faultline: cannot append to %s: %m\n", path);
		return -1;
	}
	fprintf(out, "### faultline: %zu process%s crashed\n\n", count,
		count == 1 ? "" : "es");
	fputs("| pid | executable | signal | function | location |\n"
	      "| --- | --- | --- | --- | --- |\n",
	      out);
	for (size_t i = 0; i < count; i++) {
		const struct report *r = reports[i];
		struct crash_place place;
		crash_place_find(r, NULL, &place);
		fprintf(out, "| %ld | ", r->pid);
		write_cell(out, crash_executable_name(r));
		fputs(" | ", out);
		write_cell(out, signal_of(r));
		fputs(" | ", out);
		write_cell(out, place.function ? place.function : "??");
		fputs(" | ", out);
		if (place.file) {
			char *rel = path_inside(workspace, place.file);
			write_cell(out, rel ? rel : place.file);
			fprintf(out, ":%d", place.line);
			free(rel);
		}
		fputs(" |\n", out);
	}
	fputc('\n', out);
	for (size_t i = 0; i < count; i++)
		write_details(out, reports[i]);
	if (fclose(out) != 0) {
		fprintf(stderr, "faultline: cannot write %s: %m\n", path);
		return -1;
	}
	return 0;
}
