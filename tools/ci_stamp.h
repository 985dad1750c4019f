/*
 * ci_stamp.h - the timestamps CI systems put before every line of a job's
 * log, so that a report's lines are recognized whatever time each carries.
 */
#ifndef FL_TOOL_CI_STAMP_H
#define FL_TOOL_CI_STAMP_H

#include <stddef.h>

/* The length of the timestamp that starts the line (with the space after
 * it), or 0:
 *   GitHub Actions  "2026-12-05T21:35:19.1234567Z "
 *   GitLab          "2026-12-05T21:35:19.123456Z 00O " (stream, O or E,
 *                   "+" on a continued line)
 *   Jenkins         "[2026-12-05T21:35:19.123Z] " (the timestamper plugin)
 * The fraction and the zone ("Z", "+01:00") are optional. */
size_t ci_stamp_len(const char *line, size_t len);

#endif
