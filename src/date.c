/* Dates as feeds write them, to Unix time and back.
 *
 * Two readers: one for ISO 8601 / RFC 3339 ("2024-10-28T09:25:00+07:00") and one for RFC 822
 * and the many things feeds do to it ("Mon, 28 Oct 2024 09:25:00 GMT+7", "Sat, Dec 16 2023
 * 02:02:33 PM", "28/10/2024 10:05"). Both fill a struct civil; civil_to_unix() does the
 * arithmetic (days from civil, no timegm/mktime and no TZ environment games), and a zone given
 * by the source (fixed offset or a TZif file, see date_zone.c) places zone-less times. The rule
 * everywhere: a date we cannot read for certain gives -1, never a guess.
 */
#include "autoconf.h"

#include <limits.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "date.h"
#include "date_int.h"

/* glibc declares strptime only for X/Open; the build defines _DEFAULT_SOURCE, not that. */
extern char *strptime(const char *s, const char *format, struct tm *tm);

#define DATE_MIN_YEAR 1900
#define DATE_MAX_YEAR 9999
#define DATE_MIN_T (-2208988800LL) /* 1900-01-01T00:00:00Z */
#define DATE_MAX_T 253402300799LL  /* 9999-12-31T23:59:59Z */
#define ZONE_MAX_OFFSET_S (18 * 3600)

/* ---- calendar arithmetic ------------------------------------------------------------------ */

/* What a reader found: a calendar date and time, and maybe a UTC offset. */
struct civil {
	int year, mon, day, hour, min, sec;
	int has_zone;
	int32_t off_s; /* seconds east of UTC when has_zone */
};

static int civil_valid(struct civil *c)
{
	if (c->year < DATE_MIN_YEAR || c->year > DATE_MAX_YEAR || c->mon < 1 || c->mon > 12 ||
	    c->day < 1 || c->day > days_in_month(c->year, c->mon))
		return 0;
	if (c->hour == 24 && c->min == 0 && c->sec == 0)
		return 1; /* 24:00:00 is the next day's midnight; the arithmetic carries it */
	if (c->hour < 0 || c->hour > 23 || c->min < 0 || c->min > 59 || c->sec < 0 || c->sec > 60)
		return 0;
	if (c->sec == 60)
		c->sec = 59; /* a leap second: Unix time has no name for it */
	return 1;
}

/* Seconds of the wall-clock time as if it were UTC. */
static int64_t civil_local_s(const struct civil *c)
{
	return days_from_civil(c->year, c->mon, c->day) * 86400 + c->hour * 3600 + c->min * 60 +
	       c->sec;
}

/* ---- zones as dates write them ------------------------------------------------------------ */

/* Reads "hh", "hhmm", "hh:mm", "h" or "hmm" after a sign already consumed; -1 when malformed. */
static int read_offset(const char **pp, int sign, int32_t *off_s)
{
	const char *p = *pp;
	int h = 0, m = 0, s = 0;
	int n = read_num(&p, 4, &h);
	if (n == 0)
		return -1;
	if (n == 4 || n == 3) {
		m = h % 100;
		h /= 100;
	} else if (*p == ':' && is_digit((unsigned char)p[1])) {
		p++;
		if (read_num(&p, 2, &m) != 2)
			return -1;
		if (*p == ':' && is_digit((unsigned char)p[1])) {
			p++;
			if (read_num(&p, 2, &s) != 2 || s > 59)
				return -1;
		}
	}
	if (m > 59)
		return -1;
	int32_t v = h * 3600 + m * 60 + s;
	if (v > ZONE_MAX_OFFSET_S)
		return -1;
	*off_s = sign * v;
	*pp = p;
	return 0;
}

struct zone_name {
	const char *name;
	int16_t off_min;
};

/* RFC 822's names, then abbreviations common enough in feeds to be worth knowing. Ambiguous
 * ones (IST, CST) take the RFC or most common meaning. */
static const struct zone_name zone_names[] = {
    {"ut", 0},      {"utc", 0},     {"gmt", 0},    {"z", 0},      {"est", -300}, {"edt", -240},
    {"cst", -360},  {"cdt", -300},  {"mst", -420}, {"mdt", -360}, {"pst", -480}, {"pdt", -420},
    {"akst", -540}, {"akdt", -480}, {"hst", -600}, {"ast", -240}, {"adt", -180}, {"nst", -210},
    {"ndt", -150},  {"wet", 0},     {"west", 60},  {"bst", 60},   {"cet", 60},   {"cest", 120},
    {"met", 60},    {"mest", 120},  {"eet", 120},  {"eest", 180}, {"msk", 180},  {"ist", 330},
    {"ict", 420},   {"wib", 420},   {"hkt", 480},  {"sgt", 480},  {"awst", 480}, {"jst", 540},
    {"kst", 540},   {"acst", 570},  {"aest", 600}, {"aedt", 660}, {"nzst", 720}, {"nzdt", 780},
};

/* North American zones without the S/D letter, as US sites print them ("4:31 PM ET"):
 * standard time, at most an hour off in summer where reading no zone would be four to eight.
 * Two letters are also words ("et" in French), so only at the end of a date. */
static const struct zone_name zone_names_generic[] = {
    {"et", -300},
    {"ct", -360},
    {"mt", -420},
    {"pt", -480},
};

/* Reads a zone: "+0700", "-07:00", "+07", "GMT", "GMT+7", "UTC-05:30", "PST", military letters,
 * "(GMT+7)". ZONE_OK with the offset; ZONE_UNKNOWN for a word we do not know (consumed);
 * ZONE_NONE when nothing zone-like is there. */
enum zone_found date_read_zone(const char **pp, int32_t *off_s)
{
	const char *p = *pp;
	if (*p == '(') {
		p = skip_space(p + 1);
		enum zone_found f = date_read_zone(&p, off_s);
		if (f == ZONE_NONE)
			return ZONE_NONE;
		*pp = p;
		return f;
	}
	if ((*p == '+' || *p == '-') && is_digit((unsigned char)p[1])) {
		int sign = *p == '-' ? -1 : 1;
		p++;
		if (read_offset(&p, sign, off_s) < 0)
			return ZONE_NONE;
		*pp = p;
		return ZONE_OK;
	}
	if (!is_alpha((unsigned char)*p))
		return ZONE_NONE;
	char word[8];
	size_t n = 0;
	while (is_alpha((unsigned char)p[n])) {
		if (n < sizeof word - 1)
			word[n] = (char)lower((unsigned char)p[n]);
		n++;
	}
	if (n >= sizeof word) {
		*pp = p + n;
		return ZONE_UNKNOWN;
	}
	word[n] = '\0';
	const char *q = p + n;
	if ((strcmp(word, "gmt") == 0 || strcmp(word, "utc") == 0 || strcmp(word, "ut") == 0) &&
	    (*q == '+' || *q == '-') && is_digit((unsigned char)q[1])) {
		/* "GMT+7" as feeds mean it: seven hours east (not POSIX's inverted sign). */
		int sign = *q == '-' ? -1 : 1;
		q++;
		if (read_offset(&q, sign, off_s) < 0)
			return ZONE_NONE;
		*pp = q;
		return ZONE_OK;
	}
	if (strcmp(word, "gmt") == 0 || strcmp(word, "utc") == 0 || strcmp(word, "ut") == 0) {
		/* "GMT +0700": the offset that follows is the zone, not junk. */
		const char *r = skip_space(q);
		if (r != q && (*r == '+' || *r == '-') && is_digit((unsigned char)r[1])) {
			int sign = *r == '-' ? -1 : 1;
			r++;
			if (read_offset(&r, sign, off_s) == 0) {
				*pp = r;
				return ZONE_OK;
			}
		}
	}
	*pp = q;
	for (size_t i = 0; i < sizeof zone_names / sizeof zone_names[0]; i++) {
		if (strcmp(word, zone_names[i].name) == 0) {
			*off_s = zone_names[i].off_min * 60;
			return ZONE_OK;
		}
	}
	for (size_t i = 0; i < sizeof zone_names_generic / sizeof zone_names_generic[0]; i++) {
		if (strcmp(word, zone_names_generic[i].name) == 0 && *skip_space(q) == '\0') {
			*off_s = zone_names_generic[i].off_min * 60;
			return ZONE_OK;
		}
	}
	if (n == 1 && word[0] != 'j' && (*q == '\0' || is_space((unsigned char)*q) || *q == ')')) {
		/* Military letters: RFC 2822 4.3 says their signs were botched in RFC 822 and
		 * they mean -0000, i.e. UTC with no local information. */
		*off_s = 0;
		return ZONE_OK;
	}
	return ZONE_UNKNOWN;
}

/* ---- readers ------------------------------------------------------------------------------ */

/* Month names: English (full names and any prefix of 3+ letters), then abbreviations other
 * languages' feeds print (French, German, Spanish, Italian, Portuguese, Dutch). */
static int month_from_word(const char *w)
{
	static const char *const full[] = {"january",   "february", "march",    "april",
	                                   "may",       "june",     "july",     "august",
	                                   "september", "october",  "november", "december"};
	static const struct {
		const char *name;
		int mon;
	} other[] = {
	    {"janv", 1},
	    {"ene", 1},
	    {"gen", 1},
	    {"f\xc3\xa9vr", 2},
	    {"fevr", 2},
	    {"fev", 2},
	    {"m\xc3\xa4r", 3},
	    {"mrz", 3},
	    {"mrt", 3},
	    {"avr", 4},
	    {"abr", 4},
	    {"mai", 5},
	    {"mag", 5},
	    {"mei", 5},
	    {"juin", 6},
	    {"giu", 6},
	    {"juil", 7},
	    {"lug", 7},
	    {"ao\xc3\xbbt", 8},
	    {"aout", 8},
	    {"ago", 8},
	    {"set", 9},
	    {"sept", 9},
	    {"okt", 10},
	    {"ott", 10},
	    {"out", 10},
	    {"d\xc3\xa9"
	     "c",
	     12},
	    {"dez", 12},
	    {"dic", 12},
	};
	size_t n = strlen(w);
	if (n >= 3)
		for (int i = 0; i < 12; i++)
			if (n <= strlen(full[i]) && strncmp(w, full[i], n) == 0)
				return i + 1;
	for (size_t i = 0; i < sizeof other / sizeof other[0]; i++)
		if (strcmp(w, other[i].name) == 0)
			return other[i].mon;
	return 0;
}

static int is_weekday_word(const char *w)
{
	static const char *const full[] = {"sunday",   "monday", "tuesday", "wednesday",
	                                   "thursday", "friday", "saturday"};
	size_t n = strlen(w);
	if (n < 3)
		return 0;
	for (int i = 0; i < 7; i++)
		if (n <= strlen(full[i]) && strncmp(w, full[i], n) == 0)
			return 1;
	return 0;
}

/* Reads a word (ASCII letters and any non-ASCII bytes), lowercased into w; its length, 0 when
 * there is none or it does not fit. */
static size_t read_word(const char **pp, char *w, size_t wsize)
{
	const char *p = *pp;
	size_t n = 0;
	while (is_alpha((unsigned char)p[n]) || (unsigned char)p[n] >= 0x80) {
		if (n + 1 >= wsize)
			return 0;
		w[n] = (char)lower((unsigned char)p[n]);
		n++;
	}
	w[n] = '\0';
	*pp = p + n;
	return n;
}

static int year_from(int v, int ndigits)
{
	if (ndigits == 2)
		return v < 50 ? 2000 + v : 1900 + v; /* RFC 2822 4.3 */
	if (ndigits == 3)
		return 1900 + v;
	return ndigits == 4 ? v : -1;
}

/* Reads "hh:mm[:ss[.frac]]" (or "hhmm" when hhmm_ok); 0 on success. */
static int read_time(const char **pp, struct civil *c, int hhmm_ok)
{
	const char *p = *pp;
	int h, m, s = 0;
	int n = read_num(&p, 4, &h);
	if (n == 4 && hhmm_ok && !is_digit((unsigned char)*p) && *p != ':') {
		c->hour = h / 100;
		c->min = h % 100;
		c->sec = 0;
		*pp = p;
		return 0;
	}
	if (n < 1 || n > 2 || *p != ':')
		return -1;
	p++;
	if (read_num(&p, 2, &m) != 2)
		return -1;
	if (*p == ':' && is_digit((unsigned char)p[1])) {
		p++;
		if (read_num(&p, 2, &s) != 2)
			return -1;
		if ((*p == '.' || *p == ',') && is_digit((unsigned char)p[1])) {
			p++;
			while (is_digit((unsigned char)*p))
				p++; /* fractions are dropped */
		}
	}
	c->hour = h;
	c->min = m;
	c->sec = s;
	*pp = p;
	return 0;
}

/* After a 12-hour time: "AM", "pm", "a.m.", "P.M.". Returns 0 when there is none or it was
 * applied, -1 for an impossible hour. */
static int read_ampm(const char **pp, struct civil *c)
{
	const char *p = skip_space(*pp);
	int a = lower((unsigned char)p[0]);
	if (a != 'a' && a != 'p')
		return 0;
	const char *q = p + 1;
	if (*q == '.')
		q++;
	if (lower((unsigned char)*q) != 'm')
		return 0;
	q++;
	if (*q == '.')
		q++;
	if (is_alpha((unsigned char)*q))
		return 0;
	if (c->hour < 1 || c->hour > 12)
		return -1;
	if (a == 'a')
		c->hour = c->hour == 12 ? 0 : c->hour;
	else
		c->hour = c->hour == 12 ? 12 : c->hour + 12;
	*pp = q;
	return 0;
}

/* What may follow the time: nothing, a zone (then anything: trailing junk is ignored), or an
 * unknown zone word, which RFC 2822 4.3 says to read as -0000, "no information": the time
 * counts as zone-less. Anything else (digits, punctuation, a word glued to the time, a word
 * with digits after it, which may be a time we would drop, a stray AM/PM) makes the date
 * unreadable. */
static int read_tail(const char *p, struct civil *c)
{
	const char *start = p;
	p = skip_space(p);
	if (*p == '\0')
		return 0;
	int spaced = p > start;
	const char *word = p;
	int32_t off;
	switch (date_read_zone(&p, &off)) {
	case ZONE_OK:
		c->has_zone = 1;
		c->off_s = off;
		return 0;
	case ZONE_UNKNOWN:
		if (!spaced || strpbrk(p, "0123456789") != NULL || p - word == 1 ||
		    ((p - word == 2 &&
		      (strncasecmp(word, "am", 2) == 0 || strncasecmp(word, "pm", 2) == 0))))
			return -1;
		return 0;
	case ZONE_NONE:
		break;
	}
	return -1;
}

/* What follows an ISO date: "T09:25[:00[.123]]" (or a space for the T) and a zone. */
static int parse_iso_time(const char *p, struct civil *c)
{
	if (*p == 'T' || *p == 't' ||
	    (is_space((unsigned char)*p) && is_digit((unsigned char)skip_space(p)[0]))) {
		p = skip_space(p + 1);
		if (read_time(&p, c, 0) < 0 || read_ampm(&p, c) < 0)
			return -1;
		if (*p == 'Z' || *p == 'z') {
			c->has_zone = 1;
			c->off_s = 0;
			return 0;
		}
	}
	return read_tail(p, c);
}

/* ISO 8601 / RFC 3339: "2024-10-28", "2024-10-28T09:25", "2024-10-28 09:25:00.123+07:00". */
static int parse_iso(const char *p, struct civil *c)
{
	int y, m, d;
	if (read_num(&p, 4, &y) != 4 || *p != '-')
		return -1;
	p++;
	const char *q = p;
	if (read_num(&q, 3, &d) == 3 && (*q == 'T' || *q == 't' || *skip_space(q) == '\0')) {
		/* ISO 8601's ordinal date "YYYY-DDD": the day of the year. */
		for (m = 1; m < 12 && d > days_in_month(y, m); m++)
			d -= days_in_month(y, m);
		c->year = y;
		c->mon = m;
		c->day = d;
		return parse_iso_time(q, c);
	}
	if (read_num(&p, 2, &m) == 0)
		return -1;
	if (*skip_space(p) == '\0') {
		/* W3C-DTF's "YYYY-MM" (dc:date): the month's first day. */
		c->year = y;
		c->mon = m;
		c->day = 1;
		return 0;
	}
	if (*p != '-')
		return -1;
	p++;
	if (read_num(&p, 2, &d) == 0)
		return -1;
	c->year = y;
	c->mon = m;
	c->day = d;
	return parse_iso_time(p, c);
}

/* ISO 8601 basic format: "20241028T092500Z", "20241028T0925+0700". 0 when it is one. */
static int parse_iso_basic(const char *p, struct civil *c)
{
	int n = 0;
	while (is_digit((unsigned char)p[n]))
		n++;
	if (n != 8 || (p[8] != 'T' && p[8] != 't'))
		return -1;
	int v[6] = {0};
	for (int i = 0; i < 8; i++)
		v[i < 4 ? 0 : i < 6 ? 1 : 2] = v[i < 4 ? 0 : i < 6 ? 1 : 2] * 10 + (p[i] - '0');
	p += 9;
	for (n = 0; is_digit((unsigned char)p[n]);)
		n++;
	if (n != 4 && n != 6)
		return -1;
	for (int i = 0; i < n; i++)
		v[3 + i / 2] = v[3 + i / 2] * 10 + (p[i] - '0');
	p += n;
	if ((*p == '.' || *p == ',') && is_digit((unsigned char)p[1]))
		for (p++; is_digit((unsigned char)*p);)
			p++;
	c->year = v[0];
	c->mon = v[1];
	c->day = v[2];
	c->hour = v[3];
	c->min = v[4];
	c->sec = v[5];
	if (*p == 'Z' || *p == 'z') {
		c->has_zone = 1;
		return 0;
	}
	return read_tail(p, c);
}

/* Numeric dates: "2020/1/10", "28/10/2024", "10/28/2024", "28.10.2024", "28-10-2024". Day
 * first unless that is impossible: the sites that write these mostly put the day first. */
static int read_numeric_date(const char **pp, struct civil *c)
{
	const char *p = *pp;
	int a, b, y;
	int na = read_num(&p, 4, &a);
	char sep = *p;
	if (na == 0 || (sep != '/' && sep != '.' && sep != '-'))
		return -1;
	p++;
	if (read_num(&p, 2, &b) == 0 || *p != sep)
		return -1;
	p++;
	if (na == 4) {
		if (read_num(&p, 2, &y) == 0)
			return -1;
		c->year = a;
		c->mon = b;
		c->day = y;
	} else {
		if (na > 2 || read_num(&p, 4, &y) != 4)
			return -1;
		c->year = y;
		if (a <= 12 && b > 12) {
			c->mon = a;
			c->day = b;
		} else {
			c->day = a;
			c->mon = b;
		}
	}
	*pp = p;
	return 0;
}

/* Skips an English ordinal suffix after a day: 1st, 2nd, 3rd, 4th. */
static const char *skip_ordinal(const char *p)
{
	char w[4];
	const char *q = p;
	if (read_word(&q, w, sizeof w) == 2 && (strcmp(w, "st") == 0 || strcmp(w, "nd") == 0 ||
	                                        strcmp(w, "rd") == 0 || strcmp(w, "th") == 0))
		return q;
	return p;
}

/* The date and time of an RFC 822-like string, after any weekday. */
static int rfc822_body(const char *p, struct civil *c)
{
	char w[32];
	const char *q;
	int v, n;
	if (is_digit((unsigned char)*p)) {
		q = p;
		n = read_num(&q, 4, &v);
		if (*q == '/' || *q == '.' || (*q == '-' && is_digit((unsigned char)q[1]))) {
			if (read_numeric_date(&p, c) < 0)
				return -1;
		} else {
			/* "28 Oct 2024", "28-Oct-2024", "28. Oktober 2024" */
			if (n == 0 || n > 2)
				return -1;
			c->day = v;
			p = skip_ordinal(q);
			if (*p == '.')
				p++;
			while (*p == ' ' || *p == '-' || *p == '\t')
				p++;
			if (read_word(&p, w, sizeof w) == 0 || (c->mon = month_from_word(w)) == 0)
				return -1;
			if (*p == '.')
				p++;
			while (*p == ' ' || *p == '-' || *p == '\t' || *p == ',')
				p++;
			n = read_num(&p, 4, &v);
			if ((c->year = year_from(v, n)) < 0)
				return -1;
		}
	} else {
		/* Month first: "Dec 16 2023", "December 16, 2023", asctime's "Nov  6 08:49:37
		 * 1994". */
		if (read_word(&p, w, sizeof w) == 0 || (c->mon = month_from_word(w)) == 0)
			return -1;
		if (*p == '.')
			p++;
		p = skip_space(p);
		if ((n = read_num(&p, 2, &v)) == 0)
			return -1;
		c->day = v;
		p = skip_space(skip_ordinal(p));
		if (*p == ',')
			p = skip_space(p + 1);
		q = p;
		int t;
		if (read_num(&q, 2, &t) > 0 && *q == ':') {
			if (read_time(&p, c, 0) < 0 || read_ampm(&p, c) < 0)
				return -1;
			p = skip_space(p);
			int32_t off;
			q = p;
			if (date_read_zone(&q, &off) == ZONE_OK) {
				c->has_zone = 1;
				c->off_s = off;
				p = skip_space(q);
			}
			n = read_num(&p, 4, &v);
			if (n != 4)
				return -1;
			c->year = v;
			return c->has_zone ? 0 : read_tail(p, c);
		}
		n = read_num(&p, 4, &v);
		if (n != 4)
			return -1;
		c->year = v;
	}

	/* The time, after spaces, a comma, " - ", " | ", "T" or "at". */
	const char *after_date = p;
	p = skip_space(p);
	if (*p == ',' || ((*p == '-' || *p == '|') && is_space((unsigned char)p[1])))
		p = skip_space(p + 1);
	if ((*p == 'T' || *p == 't') && is_digit((unsigned char)p[1]))
		p++;
	else if (lower((unsigned char)p[0]) == 'a' && lower((unsigned char)p[1]) == 't' &&
	         is_space((unsigned char)p[2]))
		p = skip_space(p + 2);
	if (is_digit((unsigned char)*p)) {
		if (read_time(&p, c, p > after_date) < 0 || read_ampm(&p, c) < 0)
			return -1;
	}
	q = skip_space(p);
	if (*q == ',')
		p = q + 1;
	return read_tail(p, c);
}

/* RFC 822 and what feeds make of it. A leading weekday in any case ("Mon,", "monday") is
 * skipped, and so is any digit-less word list before a comma ("Seg,", "mer,", "Thứ Hai,"):
 * the rest is tried with it skipped, then without, since "mar" is March and Tuesday. */
static int parse_rfc822(const char *p, struct civil *c)
{
	char w[32];
	const char *q = p;
	if (read_word(&q, w, sizeof w) > 0 && is_weekday_word(w)) {
		if (*q == '.')
			q++;
		q = skip_space(q);
		if (*q == ',')
			q++;
		return rfc822_body(skip_space(q), c);
	}
	const char *comma = strchr(p, ',');
	if (comma != NULL && comma != p) {
		int digits = 0;
		for (q = p; q < comma; q++)
			if (is_digit((unsigned char)*q))
				digits = 1;
		if (!digits && rfc822_body(skip_space(comma + 1), c) == 0)
			return 0;
		memset(c, 0, sizeof *c);
	}
	return rfc822_body(p, c);
}

/* The pattern the source configured, tried first. */
static int parse_format(const char *s, const char *fmt, struct civil *c)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	tm.tm_mday = 1;
	tm.tm_year = INT_MIN;
	tm.tm_gmtoff = LONG_MIN; /* glibc's %z sets it: how we learn a zone was read */
	const char *end = strptime(s, fmt, &tm);
	if (end == NULL || *skip_space(end) != '\0' || tm.tm_year == INT_MIN)
		return -1;
	if (tm.tm_year > DATE_MAX_YEAR - 1900 || tm.tm_year < DATE_MIN_YEAR - 1900)
		return -1;
	c->year = tm.tm_year + 1900;
	c->mon = tm.tm_mon + 1;
	c->day = tm.tm_mday;
	c->hour = tm.tm_hour;
	c->min = tm.tm_min;
	c->sec = tm.tm_sec;
	if (tm.tm_gmtoff != LONG_MIN) {
		if (tm.tm_gmtoff > ZONE_MAX_OFFSET_S || tm.tm_gmtoff < -ZONE_MAX_OFFSET_S)
			return -1;
		c->has_zone = 1;
		c->off_s = (int32_t)tm.tm_gmtoff;
	}
	return 0;
}

static int civil_to_unix(struct civil *c, const struct date_opts *opts, int64_t *out)
{
	if (!civil_valid(c))
		return -1;
	int64_t local = civil_local_s(c), t;
	if (c->has_zone)
		t = local - c->off_s;
	else if (opts != NULL && opts->zone != NULL)
		t = date_zone_local_to_utc(opts->zone, local);
	else
		t = local;
	/* The years are the instant's too, not only the wall clock's: "1 Jan 1900 00:00 +0700"
	 * is 1899-12-31T17:00:00Z, whose ISO form no reader here would take back (found by
	 * tests/fuzz/fuzz_date.c). */
	if (t < DATE_MIN_T || t > DATE_MAX_T)
		return -1;
	*out = t;
	return 0;
}

int date_parse(const char *s, const struct date_opts *opts, int64_t *out)
{
	struct civil c;
	if (s == NULL)
		return -1;
	s = skip_space(s);
	if (*s == '\0')
		return -1;
	if (opts != NULL && opts->format != NULL && opts->format[0] != '\0') {
		memset(&c, 0, sizeof c);
		if (parse_format(s, opts->format, &c) == 0 && civil_to_unix(&c, opts, out) == 0)
			return 0;
	}
	memset(&c, 0, sizeof c);
	const char *p = s;
	int y;
	if (parse_iso_basic(s, &c) == 0)
		return civil_to_unix(&c, opts, out);
	memset(&c, 0, sizeof c);
	if (read_num(&p, 4, &y) == 4 && *p == '-') {
		if (parse_iso(s, &c) == 0)
			return civil_to_unix(&c, opts, out);
		return -1;
	}
	if (p == s + 4 && *skip_space(p) == '\0') {
		/* W3C-DTF's "YYYY": the year's first day. */
		c.year = y;
		c.mon = 1;
		c.day = 1;
		return civil_to_unix(&c, opts, out);
	}
	memset(&c, 0, sizeof c);
	if (parse_rfc822(s, &c) == 0)
		return civil_to_unix(&c, opts, out);
	return -1;
}

/* ---- writers ------------------------------------------------------------------------------ */

#define DATE_FMT_MIN (-62135596800LL) /* 0001-01-01T00:00:00Z */
#define DATE_FMT_MAX 253402300799LL   /* 9999-12-31T23:59:59Z */

struct broken {
	int year, mon, day, hour, min, sec, wday;
};

static void date_break(int64_t t, struct broken *b)
{
	if (t < DATE_FMT_MIN)
		t = DATE_FMT_MIN;
	if (t > DATE_FMT_MAX)
		t = DATE_FMT_MAX;
	int64_t days = floor_div(t, 86400);
	int64_t secs = t - days * 86400;
	int64_t y;
	civil_from_days(days, &y, &b->mon, &b->day);
	b->year = (int)y;
	b->hour = (int)(secs / 3600);
	b->min = (int)(secs / 60 % 60);
	b->sec = (int)(secs % 60);
	b->wday = (int)((days % 7 + 7 + 4) % 7);
}

static char *put_num(char *p, int v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

static char *put_str(char *p, const char *s)
{
	size_t n = strlen(s);
	memcpy(p, s, n);
	return p + n;
}

void date_format_iso(int64_t t, char buf[DATE_ISO_SIZE])
{
	struct broken b;
	date_break(t, &b);
	char *p = buf;
	p = put_num(p, b.year, 4);
	*p++ = '-';
	p = put_num(p, b.mon, 2);
	*p++ = '-';
	p = put_num(p, b.day, 2);
	*p++ = 'T';
	p = put_num(p, b.hour, 2);
	*p++ = ':';
	p = put_num(p, b.min, 2);
	*p++ = ':';
	p = put_num(p, b.sec, 2);
	*p++ = 'Z';
	*p = '\0';
}

void date_format_rfc822(int64_t t, char buf[DATE_RFC822_SIZE])
{
	static const char *const wdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct broken b;
	date_break(t, &b);
	char *p = buf;
	p = put_str(p, wdays[b.wday]);
	p = put_str(p, ", ");
	p = put_num(p, b.day, 2);
	*p++ = ' ';
	p = put_str(p, months[b.mon - 1]);
	*p++ = ' ';
	p = put_num(p, b.year, 4);
	*p++ = ' ';
	p = put_num(p, b.hour, 2);
	*p++ = ':';
	p = put_num(p, b.min, 2);
	*p++ = ':';
	p = put_num(p, b.sec, 2);
	p = put_str(p, " GMT");
	*p = '\0';
}
