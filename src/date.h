/* Dates as feeds write them (RFC 822 and its abuses, ISO 8601 / RFC 3339) to Unix time, and back.
 */
#ifndef FEEDMERGE_DATE_H
#define FEEDMERGE_DATE_H

#include <stddef.h>
#include <stdint.h>

/* A time zone for dates written without one: a fixed offset ("+07:00", "UTC+7") or an IANA
 * name read from the system's zoneinfo ("Asia/Ho_Chi_Minh"). */
struct date_zone;

/* Returns a new zone (free with date_zone_free), or NULL with a one-line reason in err.
 * IANA names are read from $TZDIR or /usr/share/zoneinfo; without tzdata, a few zones without
 * daylight saving time (Asia/Ho_Chi_Minh, ...) fall back to their fixed offsets. */
struct date_zone *date_zone_new(const char *name, char *err, size_t errlen);
void date_zone_free(struct date_zone *z);

struct date_opts {
	const struct date_zone *zone; /* NULL: zone-less times are UTC */
	const char *format;           /* NULL, or a strptime pattern tried first */
};

/* Parses s; on success stores Unix seconds in *out and returns 0; -1 when unreadable. opts
 * may be NULL. Reads RFC 822/1123/2822 and its abuses (any-case or foreign weekdays, month
 * first with AM/PM, dd/mm/yyyy, two-digit years per RFC 2822, named, military and "GMT+7"
 * zones meaning UTC+7), ISO 8601 / RFC 3339 (fractions dropped). A time without a zone, or
 * with an unknown zone word (RFC 2822's -0000), is in opts->zone, else UTC. opts->format is
 * tried first; when it does not match the whole string, the readers above run. */
int date_parse(const char *s, const struct date_opts *opts, int64_t *out);

#define DATE_ISO_SIZE 21
/* "YYYY-MM-DDTHH:MM:SSZ"; instants outside years 0001-9999 are clamped to them. */
void date_format_iso(int64_t t, char buf[DATE_ISO_SIZE]);
#define DATE_RFC822_SIZE 32
/* "Sun, 06 Nov 1994 08:49:37 GMT": RSS pubDate and HTTP dates alike. */
void date_format_rfc822(int64_t t, char buf[DATE_RFC822_SIZE]);

#endif
