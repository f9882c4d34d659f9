/* The core of the outputs: each entry prepared once per render (sanitised, titled, attributed,
 * given a unique id) for every format, and the XML writing helpers the formats share.
 *
 * Every text goes through emit_put_text(), which drops what XML 1.0 forbids (C0 controls but
 * tab, newline and carriage return; U+FFFE, U+FFFF), replaces invalid UTF-8 with U+FFFD and
 * escapes markup, so no input can make a document ill-formed.
 *
 * Nothing a source sends may reach a reader's browser as something that runs: summaries and
 * content go through sanitize_html_dup() before anything else reads them (the title derived
 * from them too), and every link published (entry link, the source's site and feed URL, the
 * attribution line, enclosures, guid isPermaLink) must be an absolute http or https URL
 * without userinfo, else it is left out, never rewritten: a link with user:password@ is a
 * credential leak or a http://bank.example@evil.example/ disguise, and stripping it would
 * publish a link its source never gave. */
#include "autoconf.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "date.h"
#include "emit.h"
#include "emit_int.h"
#include "sanitize.h"
#include "url.h"
#include "util.h"

/* Code points of a title derived from the summary. */
#define EMIT_DERIVED_TITLE_CHARS 80

/* xsd:dateTime (Atom) wants a four-digit year: clamp to 0001-01-01 .. 9999-12-31. */
#define EMIT_TIME_MIN (-62135596800LL)
#define EMIT_TIME_MAX 253402300799LL

/* True when s would print as nothing: NULL, or only whitespace and characters XML forbids
 * (which put_text() drops). Invalid bytes count as text: they print as U+FFFD. */
int emit_blank(const char *s)
{
	if (s == NULL)
		return 1;
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	while (n > 0) {
		uint32_t cp;
		size_t len = utf8_decode(p, n, &cp);
		if (len == 0)
			return 0;
		if (xml_char_ok(cp) && cp != ' ' && cp != '\t' && cp != '\n' && cp != '\r')
			return 0;
		p += len, n -= len;
	}
	return 1;
}

static void put_utf8(struct buf *b, uint32_t cp)
{
	unsigned char out[4];
	size_t n;
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		out[0] = (unsigned char)(0xC0 | (cp >> 6));
		out[1] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		out[0] = (unsigned char)(0xE0 | (cp >> 12));
		out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		out[0] = (unsigned char)(0xF0 | (cp >> 18));
		out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
		out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		out[3] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	buf_append(b, out, n);
}

/* Appends s as XML character data (attr: as an attribute value, quotes escaped too). */
void emit_put_text(struct buf *b, const char *s, int attr)
{
	if (s == NULL)
		return;
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	while (n > 0) {
		uint32_t cp;
		size_t len = utf8_decode(p, n, &cp);
		if (len == 0) {
			put_utf8(b, 0xFFFD);
			p++, n--;
			continue;
		}
		if (cp == '&')
			buf_puts(b, "&amp;");
		else if (cp == '<')
			buf_puts(b, "&lt;");
		else if (cp == '>')
			buf_puts(b, "&gt;");
		else if (cp == '"' && attr)
			buf_puts(b, "&quot;");
		else if (xml_char_ok(cp))
			buf_append(b, p, len);
		p += len, n -= len;
	}
}

void emit_put_elem(struct buf *b, const char *name, const char *text)
{
	buf_printf(b, "<%s>", name);
	emit_put_text(b, text, 0);
	buf_printf(b, "</%s>\n", name);
}

int64_t emit_clamp_time(int64_t t)
{
	if (t < EMIT_TIME_MIN)
		return EMIT_TIME_MIN;
	if (t > EMIT_TIME_MAX)
		return EMIT_TIME_MAX;
	return t;
}

void emit_put_iso(struct buf *b, const char *name, int64_t t)
{
	char iso[DATE_ISO_SIZE];
	date_format_iso(emit_clamp_time(t), iso);
	buf_printf(b, "<%s>%s</%s>\n", name, iso, name);
}

void emit_put_link(struct buf *b, const char *elem, const char *rel, const char *href,
                   const char *type)
{
	if (emit_blank(href))
		return;
	buf_printf(b, "<%s rel=\"%s\" href=\"", elem, rel);
	emit_put_text(b, href, 1);
	buf_puts(b, "\"");
	if (type != NULL) {
		buf_puts(b, " type=\"");
		emit_put_text(b, type, 1);
		buf_puts(b, "\"");
	}
	buf_puts(b, "/>\n");
}

/* True when s starts with a URI scheme and a colon: an absolute IRI. */
static int is_absolute(const char *s)
{
	if (s == NULL || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return 0;
	for (s++; *s != '\0' && *s != ':'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '+' || *s == '-' || *s == '.'))
			return 0;
	return *s == ':' && s[1] != '\0';
}

const char *emit_public_link(const char *s)
{
	return url_is_http(s) && !url_has_userinfo(s) ? s : NULL;
}

/* True for an id that names a scheme a browser runs or renders inline: such an id is
 * replaced like a relative one, in case a reader takes the id for a link. */
static int is_script_scheme(const char *s)
{
	static const char *const bad[] = {"javascript:", "vbscript:", "data:"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (strncasecmp(s, bad[i], strlen(bad[i])) == 0)
			return 1;
	return 0;
}

/* True for a media type the Atom schema accepts (".+/.+", where '.' matches no line break):
 * something on both sides of a slash, no control characters. */
int emit_media_type_ok(const char *t)
{
	const char *slash = t != NULL ? strchr(t, '/') : NULL;
	if (slash == NULL || slash == t || slash[1] == '\0')
		return 0;
	for (; *t != '\0'; t++)
		if ((unsigned char)*t < 0x20 || *t == 0x7F)
			return 0;
	return 1;
}

/* Decodes the character reference or entity at s ('&'); returns its length and sets *cp, or
 * 0 when it is not one we know. */
static size_t entity_decode(const char *s, uint32_t *cp)
{
	static const struct {
		const char *name;
		uint32_t cp;
	} names[] = {{"amp;", '&'},  {"lt;", '<'},    {"gt;", '>'},
	             {"quot;", '"'}, {"apos;", '\''}, {"nbsp;", ' '}};
	if (s[1] == '#') {
		int hex = s[2] == 'x' || s[2] == 'X';
		const char *p = s + (hex ? 3 : 2);
		uint32_t v = 0;
		size_t digits = 0;
		for (; digits < 8; p++, digits++) {
			int d;
			if (*p >= '0' && *p <= '9')
				d = *p - '0';
			else if (hex && *p >= 'a' && *p <= 'f')
				d = *p - 'a' + 10;
			else if (hex && *p >= 'A' && *p <= 'F')
				d = *p - 'A' + 10;
			else
				break;
			v = v * (hex ? 16u : 10u) + (uint32_t)d;
		}
		if (digits == 0 || *p != ';' || v == 0 || v > 0x10FFFF ||
		    (v >= 0xD800 && v <= 0xDFFF))
			return 0;
		*cp = v;
		return (size_t)(p + 1 - s);
	}
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		size_t n = strlen(names[i].name);
		if (strncmp(s + 1, names[i].name, n) == 0) {
			*cp = names[i].cp;
			return n + 1;
		}
	}
	return 0;
}

/* Returns a new string: the plain text of an HTML fragment (tags dropped, entities decoded,
 * whitespace collapsed), at most max code points, cut at a word when it can be. */
char *emit_html_text_dup(const char *html, size_t max)
{
	struct buf b;
	buf_init(&b, 0);
	size_t chars = 0, last_space = 0;
	int space = 0, cut = 0;
	for (const char *p = html; *p != '\0';) {
		uint32_t cp;
		size_t len;
		int raw = 0;
		if (*p == '<') {
			const char *end = strchr(p, '>');
			p = end != NULL ? end + 1 : p + strlen(p);
			space = 1;
			continue;
		}
		if (*p == '&' && (len = entity_decode(p, &cp)) > 0) {
			p += len;
		} else {
			cp = (unsigned char)*p++;
			raw = cp >= 0x80;
		}
		if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r') {
			space = 1;
			continue;
		}
		/* Bytes of multibyte characters pass through: only lead bytes count. */
		int continuation = raw && (cp & 0xC0) == 0x80;
		if (!continuation && space && b.len > 0) {
			if (chars + 1 >= max) {
				cut = 1;
				break;
			}
			last_space = b.len;
			buf_append(&b, " ", 1);
			chars++;
		}
		space = 0;
		if (!continuation && chars >= max) {
			cut = 1;
			break;
		}
		if (raw) {
			char c = (char)cp;
			buf_append(&b, &c, 1);
			chars += !continuation;
		} else {
			put_utf8(&b, cp);
			chars++;
		}
	}
	if (cut) {
		/* Cut at the last word when it keeps most of the text, never inside a character. */
		size_t keep = b.len;
		if (last_space > b.len / 2)
			keep = last_space;
		while (keep > 0 && ((unsigned char)b.data[keep] & 0xC0) == 0x80)
			keep--;
		b.len = keep;
		b.data[keep] = '\0';
		buf_puts(&b, "…");
	}
	return buf_steal(&b, NULL);
}

/* Returns a new string: html without the attribution lines an upstream feedmerge appended
 * (stacked instances): this instance appends its own, naming the original source, so a
 * story shows one line however many instances it went through. A source faking the mark
 * only hides a paragraph of its own. */
static char *strip_attribution_dup(const char *html)
{
	static const char mark[] = "<p " EMIT_ATTRIBUTION_MARK ">";
	struct buf b;
	buf_init(&b, 0);
	const char *p = html, *m;
	while ((m = strstr(p, mark)) != NULL) {
		const char *end = strstr(m, "</p>");
		buf_append(&b, p, (size_t)(m - p));
		p = end != NULL ? end + 4 : m + strlen(m);
	}
	buf_puts(&b, p);
	return buf_steal(&b, NULL);
}

/* Returns a new string: the sanitised html, or NULL when it is blank. */
static char *safe_html_dup(const char *html, const char *base)
{
	if (emit_blank(html))
		return NULL;
	char *own = strip_attribution_dup(html);
	char *s = sanitize_html_dup(own, base);
	free(own);
	if (emit_blank(s)) {
		free(s);
		return NULL;
	}
	return s;
}

/* True for an address Atom accepts (".+@.+", RFC 4287 3.2.3) with nothing a mail client
 * would read as more than one address or a header: no space, control, comma or bracket. */
static int email_ok(const char *s)
{
	if (s == NULL || strlen(s) > 254)
		return 0;
	const char *at = strchr(s, '@');
	if (at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@') != NULL)
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p <= ' ' || *p == 0x7F || strchr(",;<>()[]\"\\:", *p) != NULL)
			return 0;
	return 1;
}

/* True for a well-formed language tag (RFC 5646's shape, not its registry): a primary subtag
 * of 2 to 8 letters, then subtags of 1 to 8 letters or digits; feeds say "vi", "vi-VN",
 * "en-us", and sometimes "Vietnamese", which is no tag. */
static int lang_ok(const char *s)
{
	if (s == NULL)
		return 0;
	size_t n = 0, total = 0;
	int first = 1;
	for (const char *p = s;; p++, total++) {
		if (*p == '-' || *p == '\0') {
			if (first ? n < 2 : n < 1)
				return 0;
			if (*p == '\0')
				return total <= 35;
			first = 0;
			n = 0;
			continue;
		}
		int alpha = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z');
		int digit = *p >= '0' && *p <= '9';
		if (!(alpha || (digit && !first)) || ++n > 8)
			return 0;
	}
}

static struct emit_credit source_credit(const struct merged_source *src, int64_t fallback)
{
	struct emit_credit c = {NULL, NULL, NULL, NULL, fallback, FEED_TIME_NONE};
	c.feed_url = emit_public_link(src->feed_url);
	c.site = emit_public_link(src->site_link) != NULL ? src->site_link : c.feed_url;
	c.title = !emit_blank(src->title) ? src->title : src->name;
	c.lang = lang_ok(src->language) ? src->language : NULL;
	if (src->updated != FEED_TIME_NONE)
		c.updated = src->updated;
	return c;
}

struct emit_credit emit_carrier_credit(const struct merged *m, const struct merged_carrier *c)
{
	struct emit_credit none = {NULL, NULL, NULL, NULL, FEED_TIME_NONE, FEED_TIME_NONE};
	if (c->source >= m->nsources)
		return none;
	struct emit_credit cr = source_credit(&m->sources[c->source], c->first_seen);
	cr.first_seen = c->first_seen;
	return cr;
}

/* The entry's primary credit: the atom:source it carried (stacked aggregators), else the
 * source it came from. */
static struct emit_credit entry_credit(const struct merged *m, const struct merged_entry *me)
{
	struct emit_credit c = {NULL, NULL, NULL, NULL, me->date, me->first_seen};
	const struct entry_source *es = me->e.source;
	const char *es_feed = es != NULL ? emit_public_link(es->feed_url) : NULL;
	const char *es_site = es != NULL ? emit_public_link(es->link) : NULL;
	const struct merged_source *src = me->source < m->nsources ? &m->sources[me->source] : NULL;
	if (es != NULL && (!emit_blank(es->title) || es_site != NULL || es_feed != NULL)) {
		c.feed_url = es_feed;
		c.site = es_site != NULL ? es_site : es_feed;
		c.title = !emit_blank(es->title) ? es->title : c.site;
		c.lang = src != NULL && lang_ok(src->language) ? src->language : NULL;
		return c;
	}
	if (src != NULL) {
		c = source_credit(src, me->date);
		c.first_seen = me->first_seen;
	}
	return c;
}

/* Returns a new string: the visible attribution line (HTML), or NULL when there is none. */
static char *attribution_html_dup(const struct emit_item *it, const struct emit_meta *meta)
{
	const struct emit_credit *c = &it->credit;
	const char *title = !emit_blank(c->title) ? c->title : c->site;
	if (meta->attribution[0] == '\0' || (emit_blank(title) && it->link == NULL))
		return NULL;
	struct buf b;
	buf_init(&b, 0);
	buf_puts(&b, "<p " EMIT_ATTRIBUTION_MARK ">");
	emit_put_text(&b, meta->attribution, 0);
	buf_puts(&b, ": ");
	if (!emit_blank(c->site)) {
		buf_puts(&b, "<a href=\"");
		emit_put_text(&b, c->site, 1);
		buf_puts(&b, "\">");
		emit_put_text(&b, title, 0);
		buf_puts(&b, "</a>");
	} else if (!emit_blank(title)) {
		emit_put_text(&b, title, 0);
	}
	if (it->link != NULL) {
		if (!emit_blank(title))
			buf_puts(&b, " · ");
		buf_puts(&b, "<a href=\"");
		emit_put_text(&b, it->link, 1);
		buf_puts(&b, "\">");
		emit_put_text(&b, meta->original_label, 0);
		buf_puts(&b, "</a>");
	}
	buf_puts(&b, "</p>");
	return buf_steal(&b, NULL);
}

/* Returns a new string: the entry's title, else one derived from its summary or content, else
 * its link; never empty. */
static char *item_title_dup(const struct emit_item *it)
{
	const struct entry *e = &it->me->e;
	if (!emit_blank(e->title))
		return xstrdup(e->title);
	const char *html[] = {it->summary, it->content};
	for (size_t i = 0; i < 2; i++) {
		if (emit_blank(html[i]))
			continue;
		char *t = emit_html_text_dup(html[i], EMIT_DERIVED_TITLE_CHARS);
		if (!emit_blank(t))
			return t;
		free(t);
	}
	if (it->link != NULL)
		return xstrdup(it->link);
	return xstrdup("(untitled)");
}

static void item_init(struct emit_item *it, const struct emit_doc *d, const struct merged_entry *me)
{
	const struct merged *m = d->m;
	const struct entry *e = &me->e;
	memset(it, 0, sizeof *it);
	it->me = me;
	/* Relative URLs in an entry's HTML resolve against the document it came in: its
	 * source's feed URL (the parser has resolved those with an xml:base already). */
	const char *base =
	    me->source < m->nsources ? emit_public_link(m->sources[me->source].feed_url) : NULL;
	it->link = emit_public_link(e->link);
	it->summary = safe_html_dup(e->summary, base);
	it->content = safe_html_dup(e->content, base);
	it->title = item_title_dup(it);
	it->author = !emit_blank(e->author) ? e->author : d->meta.author;
	it->author_email = email_ok(e->author_email) ? e->author_email : NULL;
	it->credit = entry_credit(m, me);
	it->also = xcalloc(me->ncarriers ? me->ncarriers : 1, sizeof *it->also);
	for (size_t k = 0; k < me->ncarriers; k++) {
		if (me->carriers[k].source == me->source)
			continue;
		struct emit_credit c = emit_carrier_credit(m, &me->carriers[k]);
		if (!emit_blank(c.title) || c.site != NULL)
			it->also[it->nalso++] = c;
	}
	it->attribution = attribution_html_dup(it, &d->meta);
	it->date = me->date;
	it->published = e->published;
	it->updated = e->updated != FEED_TIME_NONE     ? e->updated
	              : e->published != FEED_TIME_NONE ? e->published
	                                               : me->date;
}

static void item_clear(struct emit_item *it)
{
	free(it->id);
	free(it->title);
	free(it->summary);
	free(it->content);
	free(it->also);
	free(it->attribution);
}

/* Gives each item its id: absolute and unique in the feed. The store derives them from the
 * dedup keys; this only guards against a broken row. */
static void items_set_ids(struct emit_doc *d)
{
	for (size_t i = 0; i < d->nitems; i++) {
		const struct merged_entry *me = d->items[i].me;
		char *id = NULL;
		/* An id is no link, but one with user:password@ would still publish them. */
		if (is_absolute(me->atom_id) && !is_script_scheme(me->atom_id) &&
		    !url_has_userinfo(me->atom_id)) {
			id = xml_clean_dup(me->atom_id);
		} else {
			uint64_t h = HASH64_INIT;
			const char *parts[] = {me->atom_id, me->e.link, me->e.id, me->e.title};
			for (size_t k = 0; k < 4; k++) {
				if (parts[k] != NULL)
					h = hash64_update(h, parts[k], strlen(parts[k]));
				h = hash64_update(h, "\x1f", 1);
			}
			id = xasprintf("urn:feedmerge:%016" PRIx64, h);
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(d->items[j].id, id) == 0) {
				char *dup = xasprintf("urn:feedmerge:%016" PRIx64 ":%" PRId64,
				                      hash64(id, strlen(id)), me->first_seen);
				free(id);
				id = dup;
				j = (size_t)-1; /* check the new one from the start */
			}
		}
		d->items[i].id = id;
	}
}

/* Length of a language tag's primary subtag ("vi" of "vi-VN"). */
static size_t lang_primary_len(const char *l)
{
	return strcspn(l, "-");
}

/* The language every entry's source says, compared without case; when they differ only past
 * the primary subtag ("vi", "vi-VN"), that subtag. NULL when one says none or two disagree. */
static const char *doc_lang(struct emit_doc *d)
{
	const char *lang = NULL;
	int primary_only = 0;
	for (size_t i = 0; i < d->nitems; i++) {
		const char *l = d->items[i].credit.lang;
		if (l == NULL)
			return NULL;
		if (lang == NULL || strcasecmp(l, lang) == 0) {
			lang = l;
			continue;
		}
		size_t n = lang_primary_len(lang);
		if (lang_primary_len(l) != n || strncasecmp(l, lang, n) != 0)
			return NULL;
		primary_only = 1;
	}
	if (primary_only) {
		size_t n = lang_primary_len(lang);
		memcpy(d->lang_primary, lang, n);
		d->lang_primary[n] = '\0';
		return d->lang_primary;
	}
	return lang;
}

struct emit_doc *emit_doc_new(const struct merged *m, const struct emit_meta *meta)
{
	struct emit_doc *d = xcalloc(1, sizeof *d);
	d->m = m;
	d->meta = *meta;
	if (emit_blank(d->meta.title))
		d->meta.title = "feedmerge";
	if (emit_blank(d->meta.author))
		d->meta.author = d->meta.title;
	if (d->meta.public_url == NULL)
		d->meta.public_url = "";
	if (d->meta.attribution == NULL)
		d->meta.attribution = "";
	if (emit_blank(d->meta.original_label))
		d->meta.original_label = EMIT_ORIGINAL_LABEL;
	if (emit_blank(d->meta.also_label))
		d->meta.also_label = EMIT_ALSO_LABEL;
	d->items = xcalloc(m->nentries ? m->nentries : 1, sizeof *d->items);
	d->nitems = m->nentries;
	for (size_t i = 0; i < m->nentries; i++)
		item_init(&d->items[i], d, &m->entries[i]);
	items_set_ids(d);
	d->lang = doc_lang(d);

	/* The feed is as new as its newest entry; without one, as its sources' last change;
	 * without that, as the database: never 1970, and the same on every render. */
	int64_t t = FEED_TIME_NONE;
	for (size_t i = 0; i < d->nitems; i++)
		if (d->items[i].date > t)
			t = d->items[i].date;
	if (t == FEED_TIME_NONE)
		for (size_t i = 0; i < m->nsources; i++)
			if (m->sources[i].updated > t)
				t = m->sources[i].updated;
	if (t == FEED_TIME_NONE)
		t = m->created_at;
	d->updated = t;
	return d;
}

void emit_doc_free(struct emit_doc *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->nitems; i++)
		item_clear(&d->items[i]);
	free(d->items);
	free(d);
}

int64_t emit_doc_updated(const struct emit_doc *d)
{
	return d->updated;
}

void emit_put_carrier(struct buf *b, const struct emit_credit *c)
{
	buf_puts(b, "<fm:carrier");
	if (!emit_blank(c->title)) {
		buf_puts(b, " title=\"");
		emit_put_text(b, c->title, 1);
		buf_puts(b, "\"");
	}
	if (c->feed_url != NULL) {
		buf_puts(b, " href=\"");
		emit_put_text(b, c->feed_url, 1);
		buf_puts(b, "\"");
	}
	if (c->site != NULL) {
		buf_puts(b, " site=\"");
		emit_put_text(b, c->site, 1);
		buf_puts(b, "\"");
	}
	if (c->first_seen != FEED_TIME_NONE) {
		char iso[DATE_ISO_SIZE];
		date_format_iso(emit_clamp_time(c->first_seen), iso);
		buf_printf(b, " first-seen=\"%s\"", iso);
	}
	buf_puts(b, "/>\n");
}

char *emit_with_attribution_dup(const char *html, const char *attribution)
{
	if (attribution == NULL)
		return xml_clean_dup(html != NULL ? html : "");
	if (emit_blank(html))
		return xstrdup(attribution);
	char *clean = xml_clean_dup(html);
	char *out = xasprintf("%s\n%s", clean, attribution);
	free(clean);
	return out;
}

char *emit_url_dup(const struct emit_doc *d, const char *path)
{
	return xasprintf("%s%s", d->meta.public_url, path);
}
