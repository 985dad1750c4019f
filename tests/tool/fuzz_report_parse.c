/*
 * fuzz_report_parse.c - libFuzzer target for the faultline tool's report
 * parser and writers: any byte string is a log; parsing it and writing it
 * back, in both formats, must neither crash nor leak.
 *
 * Build and run: make fuzz-report-parse (see tools/local.mk), then
 *   ./fuzz_report_parse -max_total_time=600 CORPUS_DIR tests/tool/corpus
 */
#include <stdint.h>
#include <stdio.h>

#include "tool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	if (!sink)
		sink = fopen("/dev/null", "w");
	if (!sink)
		return 0;
	for (int format = OUTPUT_AS_INPUT; format <= OUTPUT_JSON; format++) {
		struct log log;
		log_parse(&log, (const char *)data, size);
		process_log(&log, NULL, (enum output_format)format, "fuzz",
			    sink, NULL, NULL);
		log_free(&log);
	}
	return 0;
}
