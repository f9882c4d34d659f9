/* Internal interface between date.c (the readers and writers) and date_zone.c (struct
 * date_zone: fixed offsets, TZif files and their footer rules). The lexing and calendar helpers
 * both files use are small and were static in date.c: they stay static, inline here, so each
 * file compiles them as date.c did before the split. */
#ifndef FEEDMERGE_DATE_INT_H
#define FEEDMERGE_DATE_INT_H

#include <stdint.h>

#include "date.h"

/* ---- lexing ------------------------------------------------------------------------------- */

static inline int lower(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch + ('a' - 'A') : ch;
}

static inline int is_digit(int ch)
{
	return ch >= '0' && ch <= '9';
}

static inline int is_alpha(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static inline int is_space(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

static inline const char *skip_space(const char *p)
{
	while (is_space((unsigned char)*p))
		p++;
	return p;
}

/* Reads up to max digits; returns how many were read (0: none), value in *v. */
static inline int read_num(const char **pp, int max, int *v)
{
	const char *p = *pp;
	int n = 0, x = 0;
	*v = 0;
	while (n < max && is_digit((unsigned char)p[n])) {
		x = x * 10 + (p[n] - '0');
		n++;
	}
	if (n == max && is_digit((unsigned char)p[n]))
		return 0; /* longer than any field we know */
	*pp = p + n;
	*v = x;
	return n;
}

/* ---- calendar arithmetic ------------------------------------------------------------------ */

static inline int is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static inline int days_in_month(int64_t y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static inline int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t mp = (m + 9) % 12;
	int64_t doy = (153 * mp + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The inverse of days_from_civil. */
static inline void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static inline int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* ---- between the readers and the zones ---------------------------------------------------- */

enum zone_found { ZONE_NONE = -1, ZONE_UNKNOWN = 0, ZONE_OK = 1 };

/* Reads a zone as dates write it ("+0700", "GMT+7", "PST", "(GMT+7)", ...) at *pp (date.c);
 * date_zone.c reads fixed-offset zone names with it. */
enum zone_found date_read_zone(const char **pp, int32_t *off_s);

/* The UTC instant of a wall-clock time (local seconds as if UTC) in zone z (date_zone.c). */
int64_t date_zone_local_to_utc(const struct date_zone *z, int64_t local);

#endif
