/* STUB: replaced by the date module. */
#include "autoconf.h"
#include <stdio.h>
#include <time.h>
#include "date.h"
struct date_zone *date_zone_new(const char *name, char *err, size_t errlen)
{
	(void)name;
	snprintf(err, errlen, "not written yet");
	return NULL;
}
void date_zone_free(struct date_zone *z)
{
	(void)z;
}
int date_parse(const char *s, const struct date_opts *opts, int64_t *out)
{
	(void)s;
	(void)opts;
	(void)out;
	return -1;
}
void date_format_iso(int64_t t, char buf[DATE_ISO_SIZE])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, DATE_ISO_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
void date_format_rfc822(int64_t t, char buf[DATE_RFC822_SIZE])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, DATE_RFC822_SIZE, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}
