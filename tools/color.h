/*
 * color.h - colour in the text output of "faultline symbolize": on a
 * terminal by default, never in files and pipes, and never when NO_COLOR
 * asks for none (https://no-color.org) unless --color=always says so.
 */
#ifndef FL_TOOL_COLOR_H
#define FL_TOOL_COLOR_H

#include <stdio.h>

enum color_mode { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

/* What a piece of output is, for its colour. */
enum color_role {
	COLOR_FUNCTION,	   /* a function's name */
	COLOR_PLACE,	   /* FILE:LINE */
	COLOR_CRASH_LINE,  /* the source line frame 0 stopped at */
	COLOR_FRAME_LINE,  /* the source line of another frame */
	COLOR_LINE_NUMBER, /* line numbers of a source excerpt */
	COLOR_NOTE	   /* what the tool says about a frame (PLT, ??) */
};

/* "auto", "always" or "never"; anything else: a message and -1. */
int parse_color(const char *arg, enum color_mode *mode);

/* Whether output to out is coloured in this mode: "auto" colours a
 * terminal, unless NO_COLOR is set and not empty or TERM is "dumb". */
int color_wanted(enum color_mode mode, FILE *out);

/* Start and end a coloured span; nothing when on is 0. */
void color_start(FILE *out, int on, enum color_role role);
void color_end(FILE *out, int on);

#endif
