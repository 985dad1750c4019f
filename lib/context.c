/*
 * context.c - the calendar time of a report, without the C library:
 * gmtime and strftime may take locks (the time zone's) that the crashed
 * code holds.
 */
#include "sink.h"
#include "snapshot.h"

/* Howard Hinnant's days_from_civil inverse, for any day count: eras of
 * 400 years (146,097 days) starting on March 1st, so that the leap day
 * ends a year. */
void fl_civil_from_days(long long days, long long *y, int *m, int *d)
{
	long long z = days + 719468;
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	long long doe = z - era * 146097; /* [0, 146096] */
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100); /* [0, 365] */
	long long mp = (5 * doy + 2) / 153;			 /* [0, 11] */

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static void put_digits(struct fl_sink *s, long long v, int digits)
{
	char buf[8];
	int i;

	for (i = digits - 1; i >= 0; i--) {
		buf[i] = (char)('0' + v % 10);
		v /= 10;
	}
	fl_sink_write(s, buf, (size_t)digits);
}

void fl_sink_utc_time(struct fl_sink *s, long long unix_s, int ms)
{
	long long days = unix_s / 86400, secs = unix_s % 86400, y;
	int m, d;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	fl_civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		fl_sink_dec(s, y);
	} else {
		put_digits(s, y, 4);
	}
	fl_sink_char(s, '-');
	put_digits(s, m, 2);
	fl_sink_char(s, '-');
	put_digits(s, d, 2);
	fl_sink_char(s, 'T');
	put_digits(s, secs / 3600, 2);
	fl_sink_char(s, ':');
	put_digits(s, secs / 60 % 60, 2);
	fl_sink_char(s, ':');
	put_digits(s, secs % 60, 2);
	fl_sink_char(s, '.');
	put_digits(s, ms, 3);
	fl_sink_char(s, 'Z');
}
