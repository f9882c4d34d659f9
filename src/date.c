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
#include <stdio.h>
#include <stdlib.h>
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

/* Where a zone name may stand. */
enum zone_where {
	ZONE_ANYWHERE, /* after the time, then anything may follow */
	ZONE_AT_END,   /* only as the date's last word: also a word in some languages */
};

struct zone_name {
	const char *name; /* lowercase */
	int16_t off_min;  /* east of UTC */
	uint8_t where;    /* enum zone_where */
};

/* The one table of zone names, sorted by name (bsearch). Sources:
 * - RFC 822 5.1 / RFC 2822 4.3: UT, GMT, EST/EDT, CST/CDT, MST/MDT, PST/PDT, and the military
 *   letters A-I, K-Z. RFC 2822 4.3 says RFC 822 defined the letters' signs backwards, so they
 *   "SHOULD all be considered equivalent to -0000 unless there is out-of-band information":
 *   -0000 (3.3) is a UTC time whose local zone is unknown, so each letter is +0000 here. Z is
 *   +0000 in both readings. J (the local-time letter, not in either RFC) is not a zone.
 * - North America: Atlantic, Newfoundland, Alaska, Hawaii-Aleutian; ET/CT/MT/PT (standard
 *   time: at most an hour off in summer) only at the end of a date ("et" is French "and").
 * - The abbreviations of the places our sources are: Europe, Asia (ICT: Indochina time,
 *   Vietnam, +07:00), Australia and New Zealand. Ambiguous ones take the RFC's or the most
 *   common meaning (CST: US Central, IST: India, BST: British Summer Time).
 * A zone word not in it makes the date unreadable (date_read_zone's ZONE_UNKNOWN): a guessed UTC
 * would put an entry hours away from where it belongs, first-seen dating does not. */
static const struct zone_name zone_names[] = {
    {"a", 0, ZONE_ANYWHERE},       {"acdt", 630, ZONE_ANYWHERE},  {"acst", 570, ZONE_ANYWHERE},
    {"adt", -180, ZONE_ANYWHERE},  {"aedt", 660, ZONE_ANYWHERE},  {"aest", 600, ZONE_ANYWHERE},
    {"akdt", -480, ZONE_ANYWHERE}, {"akst", -540, ZONE_ANYWHERE}, {"ast", -240, ZONE_ANYWHERE},
    {"awst", 480, ZONE_ANYWHERE},  {"b", 0, ZONE_ANYWHERE},       {"bst", 60, ZONE_ANYWHERE},
    {"c", 0, ZONE_ANYWHERE},       {"cat", 120, ZONE_ANYWHERE},   {"cdt", -300, ZONE_ANYWHERE},
    {"cest", 120, ZONE_ANYWHERE},  {"cet", 60, ZONE_ANYWHERE},    {"cst", -360, ZONE_ANYWHERE},
    {"ct", -360, ZONE_AT_END},     {"d", 0, ZONE_ANYWHERE},       {"e", 0, ZONE_ANYWHERE},
    {"eat", 180, ZONE_ANYWHERE},   {"edt", -240, ZONE_ANYWHERE},  {"eest", 180, ZONE_ANYWHERE},
    {"eet", 120, ZONE_ANYWHERE},   {"est", -300, ZONE_ANYWHERE},  {"et", -300, ZONE_AT_END},
    {"f", 0, ZONE_ANYWHERE},       {"g", 0, ZONE_ANYWHERE},       {"gmt", 0, ZONE_ANYWHERE},
    {"h", 0, ZONE_ANYWHERE},       {"hdt", -540, ZONE_ANYWHERE},  {"hkt", 480, ZONE_ANYWHERE},
    {"hst", -600, ZONE_ANYWHERE},  {"i", 0, ZONE_ANYWHERE},       {"ict", 420, ZONE_ANYWHERE},
    {"idt", 180, ZONE_ANYWHERE},   {"ist", 330, ZONE_ANYWHERE},   {"jst", 540, ZONE_ANYWHERE},
    {"k", 0, ZONE_ANYWHERE},       {"kst", 540, ZONE_ANYWHERE},   {"l", 0, ZONE_ANYWHERE},
    {"m", 0, ZONE_ANYWHERE},       {"mdt", -360, ZONE_ANYWHERE},  {"mest", 120, ZONE_ANYWHERE},
    {"met", 60, ZONE_ANYWHERE},    {"msk", 180, ZONE_ANYWHERE},   {"mst", -420, ZONE_ANYWHERE},
    {"mt", -420, ZONE_AT_END},     {"myt", 480, ZONE_ANYWHERE},   {"n", 0, ZONE_ANYWHERE},
    {"ndt", -150, ZONE_ANYWHERE},  {"nst", -210, ZONE_ANYWHERE},  {"nzdt", 780, ZONE_ANYWHERE},
    {"nzst", 720, ZONE_ANYWHERE},  {"o", 0, ZONE_ANYWHERE},       {"p", 0, ZONE_ANYWHERE},
    {"pdt", -420, ZONE_ANYWHERE},  {"pht", 480, ZONE_ANYWHERE},   {"pkt", 300, ZONE_ANYWHERE},
    {"pst", -480, ZONE_ANYWHERE},  {"pt", -480, ZONE_AT_END},     {"q", 0, ZONE_ANYWHERE},
    {"r", 0, ZONE_ANYWHERE},       {"s", 0, ZONE_ANYWHERE},       {"sast", 120, ZONE_ANYWHERE},
    {"sgt", 480, ZONE_ANYWHERE},   {"t", 0, ZONE_ANYWHERE},       {"u", 0, ZONE_ANYWHERE},
    {"ut", 0, ZONE_ANYWHERE},      {"utc", 0, ZONE_ANYWHERE},     {"v", 0, ZONE_ANYWHERE},
    {"w", 0, ZONE_ANYWHERE},       {"wat", 60, ZONE_ANYWHERE},    {"west", 60, ZONE_ANYWHERE},
    {"wet", 0, ZONE_ANYWHERE},     {"wib", 420, ZONE_ANYWHERE},   {"wit", 540, ZONE_ANYWHERE},
    {"wita", 480, ZONE_ANYWHERE},  {"x", 0, ZONE_ANYWHERE},       {"y", 0, ZONE_ANYWHERE},
    {"z", 0, ZONE_ANYWHERE},
};

static int zone_name_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct zone_name *)elem)->name);
}

/* The table's entry for the lowercase word w, or NULL. */
static const struct zone_name *zone_name_find(const char *w)
{
	return bsearch(w, zone_names, sizeof zone_names / sizeof zone_names[0],
	               sizeof zone_names[0], zone_name_cmp);
}

/* Words that may follow a time and say nothing of its zone: "09:25 Uhr", "9:25 h". */
static int is_clock_word(const char *w)
{
	return strcmp(w, "uhr") == 0 || strcmp(w, "hrs") == 0;
}

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
	const struct zone_name *z = zone_name_find(word);
	if (z != NULL && n == 1 && !(*q == '\0' || is_space((unsigned char)*q) || *q == ')'))
		z = NULL; /* a letter glued to something else is no military zone */
	if (z != NULL && z->where == ZONE_AT_END && *skip_space(q) != '\0')
		z = NULL;
	if (z != NULL) {
		*off_s = z->off_min * 60;
		return ZONE_OK;
	}
	return ZONE_UNKNOWN;
}

/* ---- readers ------------------------------------------------------------------------------ */

/* Folds the UTF-8 word w in place for comparison: ASCII and Latin-1 capitals lowercased
 * (Vietnamese "Tháng", Hungarian "Október"), Greek capitals lowercased and its accents (tonos,
 * dialytika) and final sigma dropped ("Οκτωβρίου" -> "οκτωβριου"). Every mapped character
 * keeps its length. */
static void fold_word(char *w)
{
	unsigned char *p = (unsigned char *)w;
	while (*p != '\0') {
		if (*p < 0x80) {
			*p = (unsigned char)lower(*p);
			p++;
			continue;
		}
		if (p[0] == 0xE1 && (p[1] == 0xBA || p[1] == 0xBB) && (p[2] & 0xC0) == 0x80) {
			/* Vietnamese capitals U+1EA0-U+1EF9 ("THỨ"): even code points, the
			 * lowercase letter follows each. */
			unsigned v = (unsigned)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
			if ((v & 1) == 0)
				p[2] = (unsigned char)(0x80 | ((v + 1) & 0x3F));
			p += 3;
			continue;
		}
		if ((p[0] & 0xE0) != 0xC0 || (p[1] & 0xC0) != 0x80) {
			p++;
			continue;
		}
		unsigned cp = (unsigned)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
		if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
			cp += 0x20; /* Latin-1 capitals */
		else if ((((cp >= 0x100 && cp <= 0x137) || (cp >= 0x14A && cp <= 0x177)) &&
		          (cp & 1) == 0) ||
		         (((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E)) &&
		          (cp & 1) == 1) ||
		         cp == 0x1A0 || cp == 0x1AF)
			cp += 1; /* Latin Extended-A capitals ("NĂM", "Ő"), Vietnamese Ơ and Ư */
		else if (cp >= 0x391 && cp <= 0x3AB)
			cp += 0x20; /* Greek capitals */
		switch (cp) {
		case 0x386:
		case 0x3AC:
			cp = 0x3B1; /* alpha */
			break;
		case 0x388:
		case 0x3AD:
			cp = 0x3B5; /* epsilon */
			break;
		case 0x389:
		case 0x3AE:
			cp = 0x3B7; /* eta */
			break;
		case 0x38A:
		case 0x3AF:
		case 0x3CA:
		case 0x390:
			cp = 0x3B9; /* iota */
			break;
		case 0x38C:
		case 0x3CC:
			cp = 0x3BF; /* omicron */
			break;
		case 0x38E:
		case 0x3CD:
		case 0x3CB:
		case 0x3B0:
			cp = 0x3C5; /* upsilon */
			break;
		case 0x38F:
		case 0x3CE:
			cp = 0x3C9; /* omega */
			break;
		case 0x3C2:
			cp = 0x3C3; /* final sigma */
			break;
		default:
			break;
		}
		p[0] = (unsigned char)(0xC0 | cp >> 6);
		p[1] = (unsigned char)(0x80 | (cp & 0x3F));
		p += 2;
	}
}

/* Month names (folded, see fold_word): English full names and any prefix of 3+ letters, then
 * the names and abbreviations other languages' feeds print: French, German, Spanish, Italian,
 * Portuguese, Dutch, Hungarian (exact), and Greek stems (nominative "Οκτώβριος", genitive
 * "Οκτωβρίου" and abbreviation "Οκτ" alike). */
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
	    {"janu\xc3\xa1r", 1},
	    {"f\xc3\xa9vr", 2},
	    {"fevr", 2},
	    {"fev", 2},
	    {"febru\xc3\xa1r", 2},
	    {"m\xc3\xa4r", 3},
	    {"mrz", 3},
	    {"mrt", 3},
	    {"m\xc3\xa1rc", 3},
	    {"m\xc3\xa1rcius", 3},
	    {"avr", 4},
	    {"abr", 4},
	    {"\xc3\xa1pr", 4},
	    {"\xc3\xa1prilis", 4},
	    {"mai", 5},
	    {"mag", 5},
	    {"mei", 5},
	    {"m\xc3\xa1j", 5},
	    {"m\xc3\xa1jus", 5},
	    {"juin", 6},
	    {"giu", 6},
	    {"j\xc3\xban", 6},
	    {"j\xc3\xbanius", 6},
	    {"juil", 7},
	    {"lug", 7},
	    {"j\xc3\xbal", 7},
	    {"j\xc3\xbalius", 7},
	    {"ao\xc3\xbbt", 8},
	    {"aout", 8},
	    {"ago", 8},
	    {"augusztus", 8},
	    {"set", 9},
	    {"sept", 9},
	    {"szept", 9},
	    {"szeptember", 9},
	    {"okt", 10},
	    {"ott", 10},
	    {"out", 10},
	    {"okt\xc3\xb3"
	     "ber",
	     10},
	    {"d\xc3\xa9"
	     "c",
	     12},
	    {"dez", 12},
	    {"dic", 12},
	};
	/* Greek, folded: ιαν φεβ μαρ απρ μαι ιουν ιουλ αυγ σεπ οκτ νοε δεκ. */
	static const char *const greek[] = {
	    "\xce\xb9\xce\xb1\xce\xbd",         "\xcf\x86\xce\xb5\xce\xb2",
	    "\xce\xbc\xce\xb1\xcf\x81",         "\xce\xb1\xcf\x80\xcf\x81",
	    "\xce\xbc\xce\xb1\xce\xb9",         "\xce\xb9\xce\xbf\xcf\x85\xce\xbd",
	    "\xce\xb9\xce\xbf\xcf\x85\xce\xbb", "\xce\xb1\xcf\x85\xce\xb3",
	    "\xcf\x83\xce\xb5\xcf\x80",         "\xce\xbf\xce\xba\xcf\x84",
	    "\xce\xbd\xce\xbf\xce\xb5",         "\xce\xb4\xce\xb5\xce\xba"};
	size_t n = strlen(w);
	if (n >= 3)
		for (int i = 0; i < 12; i++)
			if (n <= strlen(full[i]) && strncmp(w, full[i], n) == 0)
				return i + 1;
	for (size_t i = 0; i < sizeof other / sizeof other[0]; i++)
		if (strcmp(w, other[i].name) == 0)
			return other[i].mon;
	if ((unsigned char)w[0] == 0xCE || (unsigned char)w[0] == 0xCF)
		for (int i = 0; i < 12; i++)
			if (strncmp(w, greek[i], strlen(greek[i])) == 0)
				return i + 1;
	return 0;
}

/* Weekday words (folded) that may start a date: English (any prefix of 3+ letters), Greek,
 * Hungarian, Vietnamese ("Thứ hai" ... "Chủ nhật": its first word), Korean ("월요일"). What
 * follows up to the first digit is skipped with them ("Thứ hai 28/10/2024"). */
static int is_weekday_word(const char *w)
{
	static const char *const full[] = {"sunday",   "monday", "tuesday", "wednesday",
	                                   "thursday", "friday", "saturday"};
	static const char *const other[] = {
	    /* Greek: κυριακη δευτερα τριτη τεταρτη πεμπτη παρασκευη σαββατο and their first
	     * three letters */
	    "\xce\xba\xcf\x85\xcf\x81\xce\xb9\xce\xb1\xce\xba\xce\xb7",
	    "\xce\xb4\xce\xb5\xcf\x85\xcf\x84\xce\xb5\xcf\x81\xce\xb1",
	    "\xcf\x84\xcf\x81\xce\xb9\xcf\x84\xce\xb7",
	    "\xcf\x84\xce\xb5\xcf\x84\xce\xb1\xcf\x81\xcf\x84\xce\xb7",
	    "\xcf\x80\xce\xb5\xce\xbc\xcf\x80\xcf\x84\xce\xb7",
	    "\xcf\x80\xce\xb1\xcf\x81\xce\xb1\xcf\x83\xce\xba\xce\xb5\xcf\x85\xce\xb7",
	    "\xcf\x83\xce\xb1\xce\xb2\xce\xb2\xce\xb1\xcf\x84\xce\xbf",
	    "\xce\xba\xcf\x85\xcf\x81",
	    "\xce\xb4\xce\xb5\xcf\x85",
	    "\xcf\x84\xcf\x81\xce\xb9",
	    "\xcf\x84\xce\xb5\xcf\x84",
	    "\xcf\x80\xce\xb5\xce\xbc",
	    "\xcf\x80\xce\xb1\xcf\x81",
	    "\xcf\x83\xce\xb1\xce\xb2",
	    /* Hungarian: hétfő kedd szerda csütörtök péntek szombat vasárnap */
	    "h\xc3\xa9tf\xc5\x91",
	    "kedd",
	    "szerda",
	    "cs\xc3\xbct\xc3\xb6rt\xc3\xb6k",
	    "p\xc3\xa9ntek",
	    "szombat",
	    "vas\xc3\xa1rnap",
	    /* Vietnamese: thứ (hai ... bảy), chủ (nhật), and "ngày" (day) */
	    "th\xe1\xbb\xa9",
	    "ch\xe1\xbb\xa7",
	    "ng\xc3\xa0y",
	    /* Korean: 월요일 화요일 수요일 목요일 금요일 토요일 일요일 */
	    "\xec\x9b\x94\xec\x9a\x94\xec\x9d\xbc",
	    "\xed\x99\x94\xec\x9a\x94\xec\x9d\xbc",
	    "\xec\x88\x98\xec\x9a\x94\xec\x9d\xbc",
	    "\xeb\xaa\xa9\xec\x9a\x94\xec\x9d\xbc",
	    "\xea\xb8\x88\xec\x9a\x94\xec\x9d\xbc",
	    "\xed\x86\xa0\xec\x9a\x94\xec\x9d\xbc",
	    "\xec\x9d\xbc\xec\x9a\x94\xec\x9d\xbc",
	};
	size_t n = strlen(w);
	if (n >= 3)
		for (int i = 0; i < 7; i++)
			if (n <= strlen(full[i]) && strncmp(w, full[i], n) == 0)
				return 1;
	for (size_t i = 0; i < sizeof other / sizeof other[0]; i++)
		if (strcmp(w, other[i]) == 0)
			return 1;
	return 0;
}

/* Reads a word (ASCII letters and any non-ASCII bytes), folded into w (fold_word); its length,
 * 0 when there is none or it does not fit. */
static size_t read_word(const char **pp, char *w, size_t wsize)
{
	const char *p = *pp;
	size_t n = 0;
	while (is_alpha((unsigned char)p[n]) || (unsigned char)p[n] >= 0x80) {
		if (n + 1 >= wsize)
			return 0;
		w[n] = p[n];
		n++;
	}
	w[n] = '\0';
	fold_word(w);
	*pp = p + n;
	return n;
}

/* Vietnamese words of a date (folded): tháng (month), năm (year), ngày (day), lúc (at). */
#define VI_THANG "th\xc3\xa1ng"
#define VI_NAM "n\xc4\x83m"
#define VI_NGAY "ng\xc3\xa0y"
#define VI_LUC                                                                                     \
	"l\xc3\xba"                                                                                \
	"c"

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
	/* Vietnamese SA / CH (sáng, chiều); Greek π.μ. / μ.μ. */
	static const struct {
		const char *word;
		int pm;
	} others[] = {{"sa", 0},
	              {"ch", 1},
	              {"\xcf\x80.\xce\xbc.", 0},
	              {"\xce\xbc.\xce\xbc.", 1},
	              {"\xcf\x80\xce\xbc", 0},
	              {"\xce\xbc\xce\xbc", 1}};
	const char *p = skip_space(*pp);
	int a = lower((unsigned char)p[0]);
	const char *q = p + 1;
	int pm = -1;
	for (size_t i = 0; i < sizeof others / sizeof others[0] && pm < 0; i++) {
		size_t n = strlen(others[i].word);
		if (strncasecmp(p, others[i].word, n) == 0 && !is_alpha((unsigned char)p[n]) &&
		    (unsigned char)p[n] < 0x80) {
			pm = others[i].pm;
			q = p + n;
		}
	}
	if (pm < 0) {
		if (a != 'a' && a != 'p')
			return 0;
		if (*q == '.')
			q++;
		if (lower((unsigned char)*q) != 'm')
			return 0;
		q++;
		if (*q == '.')
			q++;
		if (is_alpha((unsigned char)*q))
			return 0;
		pm = a == 'p';
	}
	if (c->hour < 1 || c->hour > 12)
		return -1;
	if (!pm)
		c->hour = c->hour == 12 ? 0 : c->hour;
	else
		c->hour = c->hour == 12 ? 12 : c->hour + 12;
	*pp = q;
	return 0;
}

/* What may follow the time: nothing, a zone (then anything: trailing junk is ignored), or a
 * word that says nothing of the zone ("Uhr", the military J for local time): the time counts
 * as zone-less. An unknown zone word makes the date unreadable: RFC 2822 4.3 would read it as
 * -0000 (UTC), which for "ICT"-like names we do not know is hours off, and silently so; an
 * unknown date is dated when first seen instead. Anything else (digits, punctuation, a word
 * glued to the time, a stray AM/PM) makes the date unreadable too. */
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
	case ZONE_UNKNOWN: {
		char w[8];
		size_t n = (size_t)(p - word);
		if (!spaced || n >= sizeof w || *skip_space(p) != '\0')
			return -1;
		for (size_t i = 0; i < n; i++)
			w[i] = (char)lower((unsigned char)word[i]);
		w[n] = '\0';
		return is_clock_word(w) || strcmp(w, "j") == 0 ? 0 : -1;
	}
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
	q = p;
	if (read_word(&q, w, sizeof w) > 0 && strcmp(w, VI_NGAY) == 0)
		p = skip_space(q); /* Vietnamese "ngày 28 tháng 10": "day 28 of month 10" */
	if (is_digit((unsigned char)*p)) {
		q = p;
		n = read_num(&q, 4, &v);
		if (*q == '/' || *q == '.' || (*q == '-' && is_digit((unsigned char)q[1]))) {
			char sep = *q;
			if (read_numeric_date(&p, c) < 0)
				return -1;
			if (sep == '.' && *p == '.')
				p++; /* Hungarian and Korean "2024.10.28." */
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
			if (read_word(&p, w, sizeof w) == 0)
				return -1;
			if (strcmp(w, VI_THANG) == 0) {
				/* Vietnamese "28 tháng 10 năm 2024": month 10, year 2024. */
				p = skip_space(p);
				if (read_num(&p, 2, &c->mon) == 0)
					return -1;
				p = skip_space(p);
				if (*p == ',')
					p = skip_space(p + 1);
				q = p;
				if (read_word(&q, w, sizeof w) > 0 && strcmp(w, VI_NAM) == 0)
					p = skip_space(q);
			} else if ((c->mon = month_from_word(w)) == 0) {
				return -1;
			}
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
	else if (strncasecmp(p, VI_LUC, strlen(VI_LUC)) == 0)
		p = skip_space(p + strlen(VI_LUC)); /* Vietnamese "lúc": at */
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
		if (rfc822_body(skip_space(q), c) == 0)
			return 0;
		/* Weekdays of more than one word ("Thứ hai 28/10/2024", "Chủ nhật, 27 tháng
		 * 10"): the words up to the first digit. */
		while (*q != '\0' && !is_digit((unsigned char)*q) &&
		       (is_alpha((unsigned char)*q) || (unsigned char)*q >= 0x80 || *q == ',' ||
		        *q == '.' || is_space((unsigned char)*q)))
			q++;
		if (!is_digit((unsigned char)*q))
			return -1;
		memset(c, 0, sizeof *c);
		return rfc822_body(q, c);
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

/* Reads exactly n digits (more may follow) into *v; 0 when they are not there. */
static int read_fixed(const char **pp, int n, int *v)
{
	int x = 0;
	for (int i = 0; i < n; i++) {
		if (!is_digit((unsigned char)(*pp)[i]))
			return 0;
		x = x * 10 + ((*pp)[i] - '0');
	}
	*pp += n;
	*v = x;
	return n;
}

/* ISO 8601 week dates: "2024-W44-1", "2024W441", "2024-W44" (its Monday), with a time as
 * after a calendar date. Week 1 is the one with the year's first Thursday (ISO 8601 2.2.10). */
static int parse_iso_week(const char *p, struct civil *c)
{
	int y, w, d = 1;
	if (read_num(&p, 4, &y) != 4)
		return -1;
	int ext = *p == '-';
	if (ext)
		p++;
	if (*p != 'W' && *p != 'w')
		return -1;
	p++;
	if (read_fixed(&p, 2, &w) != 2 || w < 1 || w > 53)
		return -1;
	if ((ext && *p == '-') || (!ext && is_digit((unsigned char)*p))) {
		if (ext)
			p++;
		if (!is_digit((unsigned char)*p) || is_digit((unsigned char)p[1]))
			return -1;
		d = *p++ - '0';
		if (d < 1 || d > 7)
			return -1;
	}
	if (y < DATE_MIN_YEAR || y > DATE_MAX_YEAR)
		return -1;
	int64_t jan4 = days_from_civil(y, 1, 4);
	int jan4_wd = (int)((jan4 % 7 + 7 + 3) % 7) + 1; /* 1 Monday ... 7 Sunday */
	int64_t day = jan4 - (jan4_wd - 1) + (int64_t)(w - 1) * 7 + (d - 1);
	/* Week 53 exists only in years whose last week holds a Thursday of theirs. */
	int64_t thursday = day - (d - 1) + 3, ty;
	int tm, td;
	civil_from_days(thursday, &ty, &tm, &td);
	if (ty != y)
		return -1;
	int64_t yy;
	civil_from_days(day, &yy, &c->mon, &c->day);
	c->year = (int)yy;
	return parse_iso_time(p, c);
}

/* ISO 8601:1988's two-digit years (the century left to agreement: here RFC 2822 4.3's rule,
 * 00-49 2000s, 50-99 1900s): "24-10-28", "241028", "241028T0925Z", and "-2410" / "-24-10" (a
 * month: its first day). Rewritten with four digits for the readers above. */
static int parse_iso_yy(const char *s, struct civil *c)
{
	char buf[64];
	size_t n = strlen(s);
	const char *p = s;
	int v;
	if (n + 2 >= sizeof buf)
		return -1;
	if (s[0] == '-' && (p = s + 1, read_fixed(&p, 2, &v)) == 2) {
		/* "-YYMM", "-YY-MM" */
		if (*p == '-')
			p++;
		int m;
		if (read_fixed(&p, 2, &m) != 2 || *skip_space(p) != '\0')
			return -1;
		c->year = year_from(v, 2);
		c->mon = m;
		c->day = 1;
		return 0;
	}
	int digits = 0;
	while (is_digit((unsigned char)s[digits]))
		digits++;
	if (digits < 2)
		return -1;
	int yyyy = year_from((s[0] - '0') * 10 + (s[1] - '0'), 2);
	snprintf(buf, sizeof buf, "%02d%s", yyyy / 100, s);
	if (digits == 2 && s[2] == '-' && is_digit((unsigned char)s[3]) &&
	    is_digit((unsigned char)s[4]) && s[5] == '-' && is_digit((unsigned char)s[6]) &&
	    is_digit((unsigned char)s[7]) && !is_digit((unsigned char)s[8]))
		return parse_iso(buf, c);
	if (digits == 6 && (s[6] == 'T' || s[6] == 't'))
		return parse_iso_basic(buf, c);
	if (digits == 6 && *skip_space(s + 6) == '\0') {
		c->year = yyyy;
		c->mon = (s[2] - '0') * 10 + (s[3] - '0');
		c->day = (s[4] - '0') * 10 + (s[5] - '0');
		return 0;
	}
	return -1;
}

/* Matches the UTF-8 word at *pp against w; advances past it and any space when it is there. */
static int skip_utf8_word(const char **pp, const char *w)
{
	size_t n = strlen(w);
	if (strncmp(*pp, w, n) != 0)
		return 0;
	*pp = skip_space(*pp + n);
	return 1;
}

/* Korean: "2024년 10월 28일 (월) 오후 9:25", "2024년 10월 28일 월요일 09:25:00 +0900". */
static int parse_korean(const char *p, struct civil *c)
{
	static const char year[] = "\xeb\x85\x84", month[] = "\xec\x9b\x94", day[] = "\xec\x9d\xbc";
	static const char am[] = "\xec\x98\xa4\xec\xa0\x84", pm[] = "\xec\x98\xa4\xed\x9b\x84";
	if (read_num(&p, 4, &c->year) != 4 || !skip_utf8_word(&p, year))
		return -1;
	if (read_num(&p, 2, &c->mon) == 0 || !skip_utf8_word(&p, month))
		return -1;
	if (read_num(&p, 2, &c->day) == 0 || !skip_utf8_word(&p, day))
		return -1;
	/* A weekday: "(월)" or "월요일". */
	if (*p == '(') {
		const char *e = strchr(p, ')');
		if (e == NULL || e - p > 12)
			return -1;
		p = skip_space(e + 1);
	} else if ((unsigned char)*p >= 0x80 && strncmp(p, am, 6) != 0 && strncmp(p, pm, 6) != 0) {
		char w[32];
		if (read_word(&p, w, sizeof w) == 0 || !is_weekday_word(w))
			return -1;
		p = skip_space(p);
	}
	int half = skip_utf8_word(&p, am) ? 1 : skip_utf8_word(&p, pm) ? 2 : 0;
	if (*p == '\0')
		return half ? -1 : 0;
	if (read_time(&p, c, 0) < 0)
		return -1;
	if (half) {
		if (c->hour < 1 || c->hour > 12)
			return -1;
		c->hour = half == 1 ? c->hour % 12 : c->hour % 12 + 12;
	}
	return read_tail(p, c);
}

/* Hungarian, year first: "2024. október 28. 09:25", "2024. okt. 28., hétfő 09:25". */
static int parse_hungarian(const char *p, struct civil *c)
{
	char w[32];
	if (read_num(&p, 4, &c->year) != 4 || *p != '.')
		return -1;
	p = skip_space(p + 1);
	if (read_word(&p, w, sizeof w) == 0 || (c->mon = month_from_word(w)) == 0)
		return -1;
	if (*p == '.')
		p++;
	p = skip_space(p);
	if (read_num(&p, 2, &c->day) == 0)
		return -1;
	if (*p == '.')
		p++;
	p = skip_space(p);
	if (*p == ',')
		p = skip_space(p + 1);
	const char *q = p;
	if (read_word(&q, w, sizeof w) > 0 && is_weekday_word(w))
		p = skip_space(q);
	if (is_digit((unsigned char)*p) && (read_time(&p, c, 0) < 0 || read_ampm(&p, c) < 0))
		return -1;
	return read_tail(p, c);
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
	if (read_num(&p, 4, &y) == 4 &&
	    (*p == 'W' || *p == 'w' || (*p == '-' && (p[1] == 'W' || p[1] == 'w'))))
		return parse_iso_week(s, &c) == 0 ? civil_to_unix(&c, opts, out) : -1;
	if (p == s + 4 && *p == '.' && is_space((unsigned char)p[1]))
		return parse_hungarian(s, &c) == 0 ? civil_to_unix(&c, opts, out) : -1;
	if (p == s + 4 && (unsigned char)*p == 0xEB)
		return parse_korean(s, &c) == 0 ? civil_to_unix(&c, opts, out) : -1;
	size_t ndigits = strspn(s, "0123456789");
	if ((ndigits == 2 && s[2] == '-') || ndigits == 6 || s[0] == '-') {
		memset(&c, 0, sizeof c);
		if (parse_iso_yy(s, &c) == 0)
			return civil_to_unix(&c, opts, out);
		if (s[0] == '-')
			return -1;
	}
	memset(&c, 0, sizeof c);
	p = s;
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
