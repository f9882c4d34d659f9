/* The `feedmerge parse` JSON contract: one object per feed, every key always present, null for
 * what the document did not say; except the feed's polling hints (ttl_s, skip_hours,
 * skip_days, update_period_s) and an entry's author_email and link_proxy, written only when the
 * document gives them.
 *
 * Written straight into one growing buffer rather than through json-c's object tree: building
 * the tree, printing it into json-c's printbuf and copying that out took longer than parsing
 * the feed and held three more copies of it (bench/parse: 24 MB feed, 0.35 s and 131 MB peak
 * with json-c). JSON's string escaping is small enough to own: '"', '\\' and the C0 controls;
 * '/' and UTF-8 pass as is (the parsers hand us valid UTF-8). tests/parse checks every output
 * with Python's JSON reader. */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "date.h"
#include "feed_json.h"
#include "util.h"

struct json_out {
	struct buf b;
	FILE *fp; /* when set, b is a fixed window flushed to fp as it fills */
	int failed;
	int pretty;
	int depth;
};

/* The window feed_json_write() fills before each write: large enough that stdio adds nothing,
 * small enough to stay in cache. The whole document is never held (bench/parse: 24 MB feed,
 * 22 MB less peak memory and a strlen of it saved). */
#define JSON_WINDOW 65536

/* True for the bytes a JSON string must escape (RFC 8259 section 7). */
static int json_needs_escape(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\';
}

/* Returns the first byte in [p, end) that needs escaping, or end. Sixteen bytes at a time with
 * SSE2 (every x86-64 has it), else eight with the classic has-zero tricks: this loop is most of
 * the output time, and output took as long as parsing before it. */
static const unsigned char *json_safe_run_end(const unsigned char *p, const unsigned char *end)
{
#ifdef __SSE2__
	const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
	const __m128i below = _mm_set1_epi8(0x20 - 0x80), flip = _mm_set1_epi8((char)0x80);
	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		/* Unsigned v < 0x20 as a signed compare of v ^ 0x80 against 0x20 ^ 0x80. */
		__m128i hit =
		    _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
		                 _mm_cmplt_epi8(_mm_xor_si128(v, flip), below));
		int mask = _mm_movemask_epi8(hit);
		if (mask != 0)
			return p + __builtin_ctz((unsigned)mask);
		p += 16;
	}
#else
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	while (end - p >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		uint64_t quote = w ^ (ones * '"'), bslash = w ^ (ones * '\\');
		/* A byte below 0x20, or a zero byte in w^'"' or w^'\\' (bytes >= 0x80 cannot set
		 * the high bit of w - 0x20 without ~w clearing it). */
		uint64_t hit = ((w - ones * 0x20) & ~w) | ((quote - ones) & ~quote) |
		               ((bslash - ones) & ~bslash);
		if ((hit & highs) != 0)
			break;
		p += 8;
	}
#endif
	while (p < end && !json_needs_escape(*p))
		p++;
	return p;
}

static void out_flush(struct json_out *o)
{
	if (o->b.len > 0 && !o->failed && fwrite(o->b.data, 1, o->b.len, o->fp) != o->b.len)
		o->failed = 1;
	o->b.len = 0;
}

/* out_raw() when the window or buffer is full. */
static void out_raw_slow(struct json_out *o, const char *s, size_t n)
{
	struct buf *b = &o->b;
	if (o->fp != NULL) {
		out_flush(o);
		if (n >= b->size) {
			if (!o->failed && fwrite(s, 1, n, o->fp) != n)
				o->failed = 1;
		} else {
			memcpy(b->data, s, n);
			b->len = n;
		}
		return;
	}
	/* The buffer has no cap (0): appends only fail by aborting in xrealloc. */
	(void)buf_append(b, s, n);
}

/* Appends n bytes. The in-memory string gets its NUL terminator at the end (feed_json_new). */
static inline void out_raw(struct json_out *o, const char *s, size_t n)
{
	struct buf *b = &o->b;
	if (n < b->size - b->len) {
		memcpy(b->data + b->len, s, n);
		b->len += n;
		return;
	}
	out_raw_slow(o, s, n);
}

static void out_lit(struct json_out *o, const char *s)
{
	out_raw(o, s, strlen(s));
}

static void out_newline(struct json_out *o)
{
	static const char spaces[] = "                                ";
	if (!o->pretty)
		return;
	out_raw(o, "\n", 1);
	size_t n = (size_t)o->depth * 2;
	while (n > 0) {
		size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
		out_raw(o, spaces, k);
		n -= k;
	}
}

static void out_string(struct json_out *o, const char *s)
{
	if (s == NULL) {
		out_lit(o, "null");
		return;
	}
	out_raw(o, "\"", 1);
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + strlen(s);
	for (;;) {
		const unsigned char *run = p;
		p = json_safe_run_end(p, end);
		out_raw(o, (const char *)run, (size_t)(p - run));
		if (p == end)
			break;
		char esc[8];
		switch (*p) {
		case '"':
			out_raw(o, "\\\"", 2);
			break;
		case '\\':
			out_raw(o, "\\\\", 2);
			break;
		case '\n':
			out_raw(o, "\\n", 2);
			break;
		case '\r':
			out_raw(o, "\\r", 2);
			break;
		case '\t':
			out_raw(o, "\\t", 2);
			break;
		default:
			snprintf(esc, sizeof esc, "\\u%04x", (unsigned)*p);
			out_raw(o, esc, 6);
			break;
		}
		p++;
	}
	out_raw(o, "\"", 1);
}

static void out_date(struct json_out *o, int64_t t)
{
	if (t == FEED_TIME_NONE) {
		out_lit(o, "null");
		return;
	}
	char buf[DATE_ISO_SIZE];
	date_format_iso(t, buf);
	out_string(o, buf);
}

/* Starts member key of the object being written; first is true for its first member. */
static void out_key(struct json_out *o, const char *key, int first)
{
	if (!first)
		out_raw(o, ",", 1);
	out_newline(o);
	out_string(o, key);
	out_raw(o, o->pretty ? ": " : ":", o->pretty ? 2 : 1);
}

static void out_open(struct json_out *o, const char *bracket)
{
	out_lit(o, bracket);
	o->depth++;
}

/* Closes a container; empty is true when nothing was written inside it. */
static void out_close(struct json_out *o, const char *bracket, int empty)
{
	o->depth--;
	if (!empty)
		out_newline(o);
	out_lit(o, bracket);
}

static void out_int(struct json_out *o, int64_t v)
{
	char num[24];
	int n = snprintf(num, sizeof num, "%lld", (long long)v);
	out_raw(o, num, (size_t)n);
}

/* The feed's polling hints, each only when present: ttl_s and update_period_s in seconds,
 * skip_hours as ascending hours, skip_days as day names from Sunday. */
static void out_hints(struct json_out *o, const struct feed *f)
{
	if (f->ttl_s >= 0) {
		out_key(o, "ttl_s", 0);
		out_int(o, f->ttl_s);
	}
	if (f->skip_hours != 0) {
		out_key(o, "skip_hours", 0);
		out_open(o, "[");
		int n = 0;
		for (int h = 0; h < 24; h++) {
			if ((f->skip_hours & (uint32_t)1 << h) == 0)
				continue;
			if (n++ > 0)
				out_raw(o, ",", 1);
			out_newline(o);
			out_int(o, h);
		}
		out_close(o, "]", n == 0);
	}
	if (f->skip_days != 0) {
		out_key(o, "skip_days", 0);
		out_open(o, "[");
		int n = 0;
		for (unsigned d = 0; feed_day_name(d) != NULL; d++) {
			if ((f->skip_days & 1u << d) == 0)
				continue;
			if (n++ > 0)
				out_raw(o, ",", 1);
			out_newline(o);
			out_string(o, feed_day_name(d));
		}
		out_close(o, "]", n == 0);
	}
	if (f->update_period_s >= 0) {
		out_key(o, "update_period_s", 0);
		out_int(o, f->update_period_s);
	}
}

static void out_source(struct json_out *o, const struct entry_source *s)
{
	if (s == NULL) {
		out_lit(o, "null");
		return;
	}
	out_open(o, "{");
	out_key(o, "title", 1);
	out_string(o, s->title);
	out_key(o, "feed_url", 0);
	out_string(o, s->feed_url);
	out_key(o, "link", 0);
	out_string(o, s->link);
	out_close(o, "}", 0);
}

static void out_entry(struct json_out *o, const struct entry *e)
{
	out_open(o, "{");
	out_key(o, "id", 1);
	out_string(o, e->id);
	out_key(o, "link", 0);
	out_string(o, e->link);
	if (e->link_proxy != NULL) {
		out_key(o, "link_proxy", 0);
		out_string(o, e->link_proxy);
	}
	out_key(o, "title", 0);
	out_string(o, e->title);
	out_key(o, "summary", 0);
	out_string(o, e->summary);
	out_key(o, "content", 0);
	out_string(o, e->content);
	out_key(o, "author", 0);
	out_string(o, e->author);
	if (e->author_email != NULL) {
		out_key(o, "author_email", 0);
		out_string(o, e->author_email);
	}
	out_key(o, "published", 0);
	out_date(o, e->published);
	out_key(o, "updated", 0);
	out_date(o, e->updated);

	out_key(o, "categories", 0);
	out_open(o, "[");
	for (size_t i = 0; i < e->ncategories; i++) {
		if (i > 0)
			out_raw(o, ",", 1);
		out_newline(o);
		out_string(o, e->categories[i] != NULL ? e->categories[i] : "");
	}
	out_close(o, "]", e->ncategories == 0);

	out_key(o, "enclosures", 0);
	out_open(o, "[");
	for (size_t i = 0; i < e->nenclosures; i++) {
		const struct enclosure *en = &e->enclosures[i];
		if (i > 0)
			out_raw(o, ",", 1);
		out_newline(o);
		out_open(o, "{");
		out_key(o, "url", 1);
		out_string(o, en->url != NULL ? en->url : "");
		out_key(o, "type", 0);
		out_string(o, en->type);
		out_key(o, "length", 0);
		if (en->length < 0)
			out_lit(o, "null");
		else
			out_int(o, en->length);
		out_close(o, "}", 0);
	}
	out_close(o, "]", e->nenclosures == 0);

	out_key(o, "source", 0);
	out_source(o, e->source);
	out_close(o, "}", 0);
}

static void out_feed(struct json_out *o, const struct feed *f)
{
	out_open(o, "{");
	out_key(o, "format", 1);
	out_string(o, feed_format_name(f->format));
	out_key(o, "title", 0);
	out_string(o, f->title);
	out_key(o, "link", 0);
	out_string(o, f->link);
	out_key(o, "id", 0);
	out_string(o, f->id);
	out_key(o, "updated", 0);
	out_date(o, f->updated);
	out_key(o, "language", 0);
	out_string(o, f->language);
	out_hints(o, f);
	out_key(o, "entries", 0);
	out_open(o, "[");
	for (size_t i = 0; i < f->nentries; i++) {
		if (i > 0)
			out_raw(o, ",", 1);
		out_newline(o);
		out_entry(o, &f->entries[i]);
	}
	out_close(o, "]", f->nentries == 0);
	out_close(o, "}", 0);
}

/* Returns a new string holding one JSON object for f (pretty-printed when pretty). */
char *feed_json_new(const struct feed *f, int pretty)
{
	struct json_out o = {.pretty = pretty, .depth = 0};
	buf_init(&o.b, 0);
	out_feed(&o, f);
	out_raw(&o, "", 1); /* the terminator */
	return buf_steal(&o.b, NULL);
}

/* Writes the JSON object for f and a newline to fp through a fixed window. Returns 0, or -1 when
 * a write failed (errno says why). */
int feed_json_write(FILE *fp, const struct feed *f, int pretty)
{
	struct json_out o = {.fp = fp, .pretty = pretty, .depth = 0};
	o.b.data = xmalloc(JSON_WINDOW);
	o.b.size = JSON_WINDOW;
	o.b.len = 0;
	out_feed(&o, f);
	out_raw(&o, "\n", 1);
	out_flush(&o);
	free(o.b.data);
	return o.failed ? -1 : 0;
}
