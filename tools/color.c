/*
 * color.c - SGR escapes for the text output (see color.h).
 */
#include "color.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int parse_color(const char *arg, enum color_mode *mode)
{
	if (strcmp(arg, "auto") == 0)
		*mode = COLOR_AUTO;
	else if (strcmp(arg, "always") == 0)
		*mode = COLOR_ALWAYS;
	else if (strcmp(arg, "never") == 0)
		*mode = COLOR_NEVER;
	else {
		fprintf(stderr,
			"faultline: unknown colour mode '%s' (auto, always "
			"or never)\n",
			arg);
		return -1;
	}
	return 0;
}

int color_wanted(enum color_mode mode, FILE *out)
{
	if (mode != COLOR_AUTO)
		return mode == COLOR_ALWAYS;
	const char *no_color = getenv("NO_COLOR");
	if (no_color && *no_color)
		return 0;
	const char *term = getenv("TERM");
	if (term && strcmp(term, "dumb") == 0)
		return 0;
	return isatty(fileno(out));
}

void color_start(FILE *out, int on, enum color_role role)
{
	static const char *const sgr[] = {
		[COLOR_FUNCTION] = "\033[1m",	   /* bold */
		[COLOR_PLACE] = "\033[36m",	   /* cyan */
		[COLOR_CRASH_LINE] = "\033[1;31m", /* bold red */
		[COLOR_FRAME_LINE] = "\033[1m",	   /* bold */
		[COLOR_LINE_NUMBER] = "\033[2m",   /* faint */
		[COLOR_NOTE] = "\033[33m",	   /* yellow */
	};
	if (on)
		fputs(sgr[role], out);
}

void color_end(FILE *out, int on)
{
	if (on)
		fputs("\033[0m", out);
}
