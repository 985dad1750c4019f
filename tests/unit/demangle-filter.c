/*
 * demangle-filter.c - fl_demangle as a filter, for demangle.sh: each line
 * of stdin is a symbol name; each line of stdout its demangled form, or
 * the name itself when fl_demangle leaves it (as c++filt does).
 */
#include <stdio.h>
#include <string.h>

#include "demangle.h"

int main(void)
{
	static char line[8192], out[FL_DEMANGLE_OUTPUT_MAX + 1];

	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		if (fl_demangle(line, FL_DEMANGLE_SYMBOL, out, sizeof(out)))
			puts(out);
		else
			puts(line);
	}
	return ferror(stdout) ? 1 : 0;
}
