/* Time zones for dates written without one: struct date_zone, from a fixed offset ("+07:00",
 * "UTC+7"), a TZif file (RFC 8536) read from the system's zoneinfo, with the POSIX TZ rule in
 * its footer for instants after the last transition, or a built-in offset when the system has
 * no zoneinfo. date.c asks date_zone_local_to_utc() where a zone-less wall-clock time falls.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "date.h"
#include "date_int.h"
#include "util.h"

#define TZIF_MAX_BYTES (1024 * 1024)

/* A POSIX TZ rule day: Jn (1-365, no Feb 29), n (0-365) or Mm.w.d. */
struct tz_day {
	char kind; /* 'J', 'N' or 'M' */
	int n, m, w, d;
	int32_t time_s; /* local time of day of the change */
};

/* The footer of a TZif v2+ file, e.g. "EST5EDT,M3.2.0,M11.1.0" or "<+07>-7". */
struct tz_rule {
	int32_t std_off_s; /* east of UTC */
	int has_dst;
	int32_t dst_off_s;
	struct tz_day start, end;
};

struct date_zone {
	int32_t fixed_off_s; /* used when ntypes == 0 */
	size_t ntrans;
	int64_t *trans;     /* owned: transition instants, ascending */
	unsigned char *idx; /* owned: type index per transition */
	size_t ntypes;
	int32_t *utoff_s; /* owned: UTC offset per type */
	int has_rule;
	struct tz_rule rule; /* for instants after the last transition */
};

/* Parses the fixed-offset zone names date_zone_new takes: "UTC", "Z", "+07:00", "+0700", "+7",
 * "UTC+7", "GMT+07:00", "-05:30". 0 on success. */
static int fixed_zone(const char *name, int32_t *off_s)
{
	const char *p = name;
	enum zone_found f = date_read_zone(&p, off_s);
	if (f != ZONE_OK || *skip_space(p) != '\0')
		return -1;
	/* Only UTC names and numeric offsets: "EST" is better served by the IANA file. */
	if (is_alpha((unsigned char)name[0])) {
		size_t n = 0;
		while (is_alpha((unsigned char)name[n]))
			n++;
		if (!((n == 3 &&
		       (strncasecmp(name, "utc", 3) == 0 || strncasecmp(name, "gmt", 3) == 0)) ||
		      (n == 2 && strncasecmp(name, "ut", 2) == 0) ||
		      (n == 1 && lower((unsigned char)name[0]) == 'z')))
			return -1;
	}
	return 0;
}

/* Reads a POSIX TZ offset "[+-]hh[:mm[:ss]]" and returns it in seconds WEST of UTC. */
static int tz_read_posix_time(const char **pp, int32_t *v)
{
	const char *p = *pp;
	int sign = 1;
	if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		p++;
	}
	int h, m = 0, s = 0;
	if (read_num(&p, 3, &h) == 0 || h > 167)
		return -1;
	if (*p == ':') {
		p++;
		if (read_num(&p, 2, &m) == 0 || m > 59)
			return -1;
		if (*p == ':') {
			p++;
			if (read_num(&p, 2, &s) == 0 || s > 59)
				return -1;
		}
	}
	*v = sign * (h * 3600 + m * 60 + s);
	*pp = p;
	return 0;
}

static int tz_read_name(const char **pp)
{
	const char *p = *pp;
	if (*p == '<') {
		const char *e = strchr(p, '>');
		if (e == NULL || e == p + 1)
			return -1;
		*pp = e + 1;
		return 0;
	}
	size_t n = 0;
	while (is_alpha((unsigned char)p[n]))
		n++;
	if (n < 3)
		return -1;
	*pp = p + n;
	return 0;
}

static int tz_read_day(const char **pp, struct tz_day *d)
{
	const char *p = *pp;
	if (*p == 'M') {
		p++;
		d->kind = 'M';
		if (read_num(&p, 2, &d->m) == 0 || d->m < 1 || d->m > 12 || *p++ != '.' ||
		    read_num(&p, 1, &d->w) == 0 || d->w < 1 || d->w > 5 || *p++ != '.' ||
		    read_num(&p, 1, &d->d) == 0 || d->d > 6)
			return -1;
	} else if (*p == 'J') {
		p++;
		d->kind = 'J';
		if (read_num(&p, 3, &d->n) == 0 || d->n < 1 || d->n > 365)
			return -1;
	} else {
		d->kind = 'N';
		if (read_num(&p, 3, &d->n) == 0 || d->n > 365)
			return -1;
	}
	d->time_s = 7200;
	if (*p == '/') {
		p++;
		if (tz_read_posix_time(&p, &d->time_s) < 0)
			return -1;
	}
	*pp = p;
	return 0;
}

/* Parses a TZif footer; 0 on success. */
static int tz_rule_parse(const char *s, struct tz_rule *r)
{
	const char *p = s;
	int32_t west;
	memset(r, 0, sizeof *r);
	if (tz_read_name(&p) < 0 || tz_read_posix_time(&p, &west) < 0)
		return -1;
	r->std_off_s = -west;
	if (*p == '\0')
		return 0;
	if (tz_read_name(&p) < 0)
		return -1;
	r->has_dst = 1;
	r->dst_off_s = r->std_off_s + 3600;
	if (*p != ',' && *p != '\0') {
		if (tz_read_posix_time(&p, &west) < 0)
			return -1;
		r->dst_off_s = -west;
	}
	if (*p != ',')
		return -1; /* no rule: POSIX leaves it to the implementation; we do not guess */
	p++;
	if (tz_read_day(&p, &r->start) < 0 || *p++ != ',' || tz_read_day(&p, &r->end) < 0 ||
	    *p != '\0')
		return -1;
	return 0;
}

/* Local seconds (as if UTC) of a rule day's change in year y. */
static int64_t tz_day_local_s(const struct tz_day *d, int64_t y)
{
	int64_t day;
	if (d->kind == 'J') {
		day = days_from_civil(y, 1, 1) + d->n - 1;
		if (is_leap(y) && d->n >= 60)
			day++;
	} else if (d->kind == 'N') {
		day = days_from_civil(y, 1, 1) + d->n;
	} else {
		int64_t first = days_from_civil(y, d->m, 1);
		int wd = (int)((first % 7 + 7 + 4) % 7); /* 0 = Sunday; 1970-01-01 was a Thursday */
		int64_t mday = 1 + (d->d - wd + 7) % 7 + (d->w - 1) * 7;
		if (d->w == 5)
			while (mday > days_in_month(y, d->m))
				mday -= 7;
		day = first + mday - 1;
	}
	return day * 86400 + d->time_s;
}

static int32_t tz_rule_offset(const struct tz_rule *r, int64_t utc)
{
	if (!r->has_dst)
		return r->std_off_s;
	int64_t y;
	int m, d;
	civil_from_days(floor_div(utc + r->std_off_s, 86400), &y, &m, &d);
	/* The start is written in standard time, the end in daylight time. */
	int64_t start = tz_day_local_s(&r->start, y) - r->std_off_s;
	int64_t end = tz_day_local_s(&r->end, y) - r->dst_off_s;
	int dst = start < end ? (utc >= start && utc < end) : !(utc >= end && utc < start);
	return dst ? r->dst_off_s : r->std_off_s;
}

/* The UTC offset in force at a UTC instant. */
static int32_t zone_offset_at(const struct date_zone *z, int64_t utc)
{
	if (z->ntypes == 0)
		return z->fixed_off_s;
	if (z->ntrans == 0 || utc < z->trans[0]) {
		/* RFC 8536: before the first transition, type 0; a rule-only zone uses the rule. */
		if (z->ntrans == 0 && z->has_rule)
			return tz_rule_offset(&z->rule, utc);
		return z->utoff_s[0];
	}
	size_t lo = 0, hi = z->ntrans; /* find the last transition <= utc */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (z->trans[mid] <= utc)
			lo = mid;
		else
			hi = mid;
	}
	if (lo == z->ntrans - 1 && z->has_rule)
		return tz_rule_offset(&z->rule, utc);
	return z->utoff_s[z->idx[lo]];
}

/* The UTC instant of a wall-clock time in zone z. In an overlap (the hour repeated when
 * clocks go back) the earlier instant; in a gap (spring forward) the offset from before. */
int64_t date_zone_local_to_utc(const struct date_zone *z, int64_t local)
{
	int32_t before = zone_offset_at(z, local - 86400);
	int32_t after = zone_offset_at(z, local + 86400);
	int64_t a = local - before, b = local - after;
	int a_ok = zone_offset_at(z, a) == before, b_ok = zone_offset_at(z, b) == after;
	if (a_ok && b_ok)
		return a < b ? a : b;
	if (b_ok)
		return b;
	return a;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* Parses TZif data (RFC 8536) into z; 0 on success. Uses the 64-bit section when present. */
static int tzif_parse(const unsigned char *b, size_t len, struct date_zone *z)
{
	if (len < 44 || memcmp(b, "TZif", 4) != 0)
		return -1;
	int version = b[4];
	size_t off = 0;
	int tsize = 4;
	for (int pass = 0; pass < 2; pass++) {
		if (len - off < 44 || memcmp(b + off, "TZif", 4) != 0)
			return -1;
		const unsigned char *h = b + off + 20;
		size_t isutcnt = be32(h), isstdcnt = be32(h + 4), leapcnt = be32(h + 8);
		size_t timecnt = be32(h + 12), typecnt = be32(h + 16), charcnt = be32(h + 20);
		if (timecnt > len || typecnt > 256 || leapcnt > len || charcnt > len ||
		    isutcnt > typecnt || isstdcnt > typecnt)
			return -1;
		size_t body = timecnt * (size_t)tsize + timecnt + typecnt * 6 + charcnt +
		              leapcnt * (size_t)(tsize + 4) + isstdcnt + isutcnt;
		off += 44;
		if (len - off < body)
			return -1;
		if (pass == 0 && version >= '2') {
			off += body; /* skip the 32-bit data for the 64-bit copy that follows */
			tsize = 8;
			continue;
		}
		if (typecnt == 0)
			return -1;
		const unsigned char *t = b + off;
		const unsigned char *ix = t + timecnt * (size_t)tsize;
		const unsigned char *ti = ix + timecnt;
		z->ntrans = timecnt;
		z->ntypes = typecnt;
		z->trans = xreallocarray(NULL, timecnt ? timecnt : 1, sizeof *z->trans);
		z->idx = xmalloc(timecnt ? timecnt : 1);
		z->utoff_s = xreallocarray(NULL, typecnt, sizeof *z->utoff_s);
		for (size_t i = 0; i < timecnt; i++) {
			z->trans[i] = tsize == 8 ? be64(t + 8 * i) : (int32_t)be32(t + 4 * i);
			if (ix[i] >= typecnt || (i > 0 && z->trans[i] <= z->trans[i - 1]))
				return -1;
			z->idx[i] = ix[i];
		}
		for (size_t i = 0; i < typecnt; i++) {
			int32_t u = (int32_t)be32(ti + 6 * i);
			if (u < -25 * 3600 || u > 26 * 3600)
				return -1;
			z->utoff_s[i] = u;
		}
		off += body;
		break;
	}
	if (tsize == 8 && off < len && b[off] == '\n') {
		const char *f = (const char *)b + off + 1;
		const char *e = memchr(f, '\n', len - off - 1);
		if (e != NULL && e > f && (size_t)(e - f) < 128) {
			char footer[128];
			memcpy(footer, f, (size_t)(e - f));
			footer[e - f] = '\0';
			z->has_rule = tz_rule_parse(footer, &z->rule) == 0;
		}
	}
	return 0;
}

/* Reads a whole small file; returns a new buffer or NULL with errno set. */
static unsigned char *read_small_file(const char *path, size_t max, size_t *lenp)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	unsigned char *b = xmalloc(max);
	size_t len = 0;
	for (;;) {
		ssize_t n = read(fd, b + len, max - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == max) {
			errno = EFBIG;
			goto fail;
		}
	}
	close(fd);
	*lenp = len;
	return b;
fail:;
	int saved = errno;
	free(b);
	close(fd);
	errno = saved;
	return NULL;
}

static int zone_name_ok(const char *name)
{
	if (name[0] == '\0' || name[0] == '/' || strstr(name, "..") != NULL || strlen(name) > 200)
		return 0;
	for (const char *p = name; *p; p++)
		if (!is_alpha((unsigned char)*p) && !is_digit((unsigned char)*p) &&
		    strchr("/_+-", *p) == NULL)
			return 0;
	return 1;
}

/* Offsets (minutes east) of zones without daylight saving time since 1980, for when the
 * system has no zoneinfo. Earlier dates there may be off by their old offsets. */
static int fallback_zone(const char *name, int32_t *off_s)
{
	static const struct {
		const char *name;
		int16_t off_min;
	} zones[] = {
	    {"Etc/UTC", 0},          {"Etc/GMT", 0},          {"Asia/Ho_Chi_Minh", 420},
	    {"Asia/Saigon", 420},    {"Asia/Bangkok", 420},   {"Asia/Phnom_Penh", 420},
	    {"Asia/Vientiane", 420}, {"Asia/Jakarta", 420},   {"Asia/Shanghai", 480},
	    {"Asia/Hong_Kong", 480}, {"Asia/Singapore", 480}, {"Asia/Kuala_Lumpur", 480},
	    {"Asia/Manila", 480},    {"Asia/Taipei", 480},    {"Asia/Tokyo", 540},
	    {"Asia/Seoul", 540},     {"Asia/Kolkata", 330},   {"Asia/Calcutta", 330},
	};
	for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
		if (strcmp(name, zones[i].name) == 0) {
			*off_s = zones[i].off_min * 60;
			return 0;
		}
	}
	return -1;
}

struct date_zone *date_zone_new(const char *name, char *err, size_t errlen)
{
	struct date_zone *z = xcalloc(1, sizeof *z);
	if (name == NULL)
		name = "";
	if (fixed_zone(name, &z->fixed_off_s) == 0)
		return z;
	if (!zone_name_ok(name)) {
		snprintf(err, errlen, "unknown time zone '%s'", name);
		goto fail;
	}
	const char *dir = getenv("TZDIR");
	if (dir == NULL || dir[0] == '\0')
		dir = "/usr/share/zoneinfo";
	char *path = xasprintf("%s/%s", dir, name);
	size_t len = 0;
	unsigned char *data = read_small_file(path, TZIF_MAX_BYTES, &len);
	free(path);
	if (data == NULL) {
		/* Minimal systems (Debian's container images) ship without tzdata: the zones
		 * without daylight saving time that our users name most still work. */
		if (errno == ENOENT && fallback_zone(name, &z->fixed_off_s) == 0)
			return z;
		snprintf(err, errlen, "unknown time zone '%s'", name);
		goto fail;
	}
	int rc = tzif_parse(data, len, z);
	free(data);
	if (rc < 0) {
		snprintf(err, errlen, "unknown time zone '%s': not a valid zoneinfo file", name);
		goto fail;
	}
	return z;
fail:
	date_zone_free(z);
	return NULL;
}

void date_zone_free(struct date_zone *z)
{
	if (z == NULL)
		return;
	free(z->trans);
	free(z->idx);
	free(z->utoff_s);
	free(z);
}
