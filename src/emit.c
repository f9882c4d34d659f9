/* Pure formatting of the merged feed as Atom 1.0 and RSS 2.0: no I/O, no clock, so the same
 * input always gives the same bytes (and the same ETag).
 *
 * Every text goes through put_text(), which drops what XML 1.0 forbids (C0 controls but tab,
 * newline and carriage return; U+FFFE, U+FFFF), replaces invalid UTF-8 with U+FFFD and
 * escapes markup, so no input can make the document ill-formed.
 *
 * Nothing a source sends may reach a reader's browser as something that runs: summaries and
 * content go through sanitize_html_dup() before anything else reads them (the title derived
 * from them too), and every link published (entry link, the source's site and feed URL in
 * atom:source, RSS <source>, the attribution line, enclosures, guid isPermaLink) must be an
 * absolute http or https URL without userinfo, else it is left out, never rewritten: a link
 * with user:password@ is a credential leak or a http://bank.example@evil.example/ disguise,
 * and stripping it would publish a link its source never gave. */
#include "autoconf.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "date.h"
#include "emit.h"
#include "sanitize.h"
#include "url.h"
#include "util.h"

/* Text of the attribution line's link to the original article. */
#define EMIT_ORIGINAL_LINK_TEXT "Link bài gốc"
/* Code points of a title derived from the summary. */
#define EMIT_DERIVED_TITLE_CHARS 80

/* xsd:dateTime (Atom) wants a four-digit year: clamp to 0001-01-01 .. 9999-12-31. */
#define EMIT_TIME_MIN (-62135596800LL)
#define EMIT_TIME_MAX 253402300799LL

/* True when s would print as nothing: NULL, or only whitespace and characters XML forbids
 * (which put_text() drops). Invalid bytes count as text: they print as U+FFFD. */
static int blank(const char *s)
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
static void put_text(struct buf *b, const char *s, int attr)
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

/* Appends <name>text</name>. */
static void put_elem(struct buf *b, const char *name, const char *text)
{
	buf_printf(b, "<%s>", name);
	put_text(b, text, 0);
	buf_printf(b, "</%s>\n", name);
}

static int64_t clamp_time(int64_t t)
{
	if (t < EMIT_TIME_MIN)
		return EMIT_TIME_MIN;
	if (t > EMIT_TIME_MAX)
		return EMIT_TIME_MAX;
	return t;
}

static void put_iso(struct buf *b, const char *name, int64_t t)
{
	char iso[DATE_ISO_SIZE];
	date_format_iso(clamp_time(t), iso);
	buf_printf(b, "<%s>%s</%s>\n", name, iso, name);
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

/* s when it may be published as a link (an absolute http or https URL without userinfo),
 * else NULL. */
static const char *public_link(const char *s)
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
static int media_type_ok(const char *t)
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
static char *html_text_dup(const char *html, size_t max)
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

/* What of an entry may be published: its summary and content sanitised (NULL when nothing is
 * left), its link when it is public. */
struct safe_entry {
	const char *link; /* borrowed from the entry */
	char *summary;    /* owned */
	char *content;    /* owned */
};

/* Returns a new string: the sanitised html, or NULL when it is blank. */
static char *safe_html_dup(const char *html, const char *base)
{
	if (blank(html))
		return NULL;
	char *s = sanitize_html_dup(html, base);
	if (blank(s)) {
		free(s);
		return NULL;
	}
	return s;
}

/* Relative URLs in an entry's HTML resolve against the document it came in: its source's
 * feed URL (the parser has resolved those with an xml:base already). */
static void safe_entry_init(struct safe_entry *se, const struct merged *m,
                            const struct merged_entry *me)
{
	const char *base =
	    me->source < m->nsources ? public_link(m->sources[me->source].feed_url) : NULL;
	se->link = public_link(me->e.link);
	se->summary = safe_html_dup(me->e.summary, base);
	se->content = safe_html_dup(me->e.content, base);
}

static void safe_entry_clear(struct safe_entry *se)
{
	free(se->summary);
	free(se->content);
}

/* Returns a new string: the entry's title, else one derived from its summary or content, else
 * its link; never empty. */
static char *entry_title_dup(const struct entry *e, const struct safe_entry *se)
{
	if (!blank(e->title))
		return xstrdup(e->title);
	const char *html[] = {se->summary, se->content};
	for (size_t i = 0; i < 2; i++) {
		if (blank(html[i]))
			continue;
		char *t = html_text_dup(html[i], EMIT_DERIVED_TITLE_CHARS);
		if (!blank(t))
			return t;
		free(t);
	}
	if (se->link != NULL)
		return xstrdup(se->link);
	return xstrdup("(untitled)");
}

/* Whom an entry is credited to: the atom:source it carried (stacked aggregators), else the
 * source it came from. All borrowed, any may be NULL. */
struct credit {
	const char *title;
	const char *feed_url;
	const char *site;
	int64_t updated;
};

static const struct merged_source *entry_source(const struct merged *m,
                                                const struct merged_entry *me)
{
	return me->source < m->nsources ? &m->sources[me->source] : NULL;
}

static struct credit entry_credit(const struct merged *m, const struct merged_entry *me)
{
	struct credit c = {NULL, NULL, NULL, FEED_TIME_NONE};
	const struct entry_source *es = me->e.source;
	const char *es_feed = es != NULL ? public_link(es->feed_url) : NULL;
	const char *es_site = es != NULL ? public_link(es->link) : NULL;
	if (es != NULL && (!blank(es->title) || es_site != NULL || es_feed != NULL)) {
		c.feed_url = es_feed;
		c.site = es_site != NULL ? es_site : es_feed;
		c.title = !blank(es->title) ? es->title : c.site;
		c.updated = me->date;
		return c;
	}
	const struct merged_source *src = entry_source(m, me);
	if (src != NULL) {
		c.feed_url = public_link(src->feed_url);
		c.site = public_link(src->site_link) != NULL ? src->site_link : c.feed_url;
		c.title = !blank(src->title) ? src->title : src->name;
		c.updated = src->updated != FEED_TIME_NONE ? src->updated : me->date;
	} else {
		c.updated = me->date;
	}
	return c;
}

static const char *feed_title(const struct emit_meta *meta)
{
	return !blank(meta->title) ? meta->title : "feedmerge";
}

static const char *feed_author(const struct emit_meta *meta)
{
	return !blank(meta->author) ? meta->author : feed_title(meta);
}

static const char *public_url(const struct emit_meta *meta)
{
	return meta->public_url != NULL ? meta->public_url : "";
}

/* The entry's author: its own, else its source's title, else the feed's author. */
static const char *entry_author(const struct merged_entry *me, const struct credit *c,
                                const struct emit_meta *meta)
{
	if (!blank(me->e.author))
		return me->e.author;
	if (!blank(c->title))
		return c->title;
	return feed_author(meta);
}

/* Returns a new string: the visible attribution line (HTML), or NULL when there is none. */
static char *attribution_html_dup(const struct safe_entry *se, const struct credit *c,
                                  const struct emit_meta *meta)
{
	const char *title = !blank(c->title) ? c->title : c->site;
	if (meta->attribution == NULL || meta->attribution[0] == '\0' ||
	    (blank(title) && se->link == NULL))
		return NULL;
	struct buf b;
	buf_init(&b, 0);
	buf_puts(&b, "<p>");
	put_text(&b, meta->attribution, 0);
	buf_puts(&b, ": ");
	if (!blank(c->site)) {
		buf_puts(&b, "<a href=\"");
		put_text(&b, c->site, 1);
		buf_puts(&b, "\">");
		put_text(&b, title, 0);
		buf_puts(&b, "</a>");
	} else if (!blank(title)) {
		put_text(&b, title, 0);
	}
	if (se->link != NULL) {
		if (!blank(title))
			buf_puts(&b, " · ");
		buf_puts(&b, "<a href=\"");
		put_text(&b, se->link, 1);
		buf_puts(&b, "\">" EMIT_ORIGINAL_LINK_TEXT "</a>");
	}
	buf_puts(&b, "</p>");
	return buf_steal(&b, NULL);
}

/* Returns a new string: html followed by the attribution line on its own line. */
static char *with_attribution_dup(const char *html, const char *attribution)
{
	if (attribution == NULL)
		return xml_clean_dup(html != NULL ? html : "");
	if (blank(html))
		return xstrdup(attribution);
	char *clean = xml_clean_dup(html);
	char *out = xasprintf("%s\n%s", clean, attribution);
	free(clean);
	return out;
}

/* The newest entry date (the feed's updated), FEED_TIME_NONE for an empty feed. */
int64_t emit_updated(const struct merged *m)
{
	int64_t newest = FEED_TIME_NONE;
	for (size_t i = 0; i < m->nentries; i++)
		if (m->entries[i].date > newest)
			newest = m->entries[i].date;
	return newest;
}

/* The feed's updated when it has no entry: the newest fetch, else the epoch. */
static int64_t feed_updated(const struct merged *m)
{
	int64_t t = emit_updated(m);
	if (t != FEED_TIME_NONE)
		return t;
	for (size_t i = 0; i < m->nsources; i++)
		if (m->sources[i].updated > t)
			t = m->sources[i].updated;
	return t != FEED_TIME_NONE ? t : 0;
}

/* Returns new strings: each entry's atom:id, absolute and unique in the feed. The store
 * derives them from the dedup keys; this only guards against a broken row. */
static char **entry_ids_new(const struct merged *m)
{
	char **ids = xcalloc(m->nentries ? m->nentries : 1, sizeof *ids);
	for (size_t i = 0; i < m->nentries; i++) {
		const struct merged_entry *me = &m->entries[i];
		char *id = NULL;
		if (is_absolute(me->atom_id) && !is_script_scheme(me->atom_id)) {
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
			if (strcmp(ids[j], id) == 0) {
				char *dup = xasprintf("urn:feedmerge:%016" PRIx64 ":%" PRId64,
				                      hash64(id, strlen(id)), me->first_seen);
				free(id);
				id = dup;
				j = (size_t)-1; /* check the new one from the start */
			}
		}
		ids[i] = id;
	}
	return ids;
}

static void entry_ids_free(char **ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

/* Appends <link rel= href= type=/> (elem: "link", or "atom:link" inside RSS). */
static void atom_link(struct buf *b, const char *elem, const char *rel, const char *href,
                      const char *type)
{
	if (blank(href))
		return;
	buf_printf(b, "<%s rel=\"%s\" href=\"", elem, rel);
	put_text(b, href, 1);
	buf_puts(b, "\"");
	if (type != NULL) {
		buf_puts(b, " type=\"");
		put_text(b, type, 1);
		buf_puts(b, "\"");
	}
	buf_puts(b, "/>\n");
}

static void atom_entry(struct buf *b, const struct merged *m, const struct merged_entry *me,
                       const char *id, const struct emit_meta *meta)
{
	const struct entry *e = &me->e;
	struct credit c = entry_credit(m, me);
	struct safe_entry se;
	safe_entry_init(&se, m, me);
	char *title = entry_title_dup(e, &se);
	char *attribution = attribution_html_dup(&se, &c, meta);

	buf_puts(b, "<entry>\n");
	put_elem(b, "id", id);
	put_elem(b, "title", title);
	atom_link(b, "link", "alternate", se.link, NULL);
	if (e->published != FEED_TIME_NONE)
		put_iso(b, "published", e->published);
	put_iso(b, "updated",
	        e->updated != FEED_TIME_NONE     ? e->updated
	        : e->published != FEED_TIME_NONE ? e->published
	                                         : me->date);
	buf_puts(b, "<author><name>");
	put_text(b, entry_author(me, &c, meta), 0);
	buf_puts(b, "</name></author>\n");
	for (size_t i = 0; i < e->ncategories; i++) {
		if (blank(e->categories[i]))
			continue;
		buf_puts(b, "<category term=\"");
		put_text(b, e->categories[i], 1);
		buf_puts(b, "\"/>\n");
	}
	for (size_t i = 0; i < e->nenclosures; i++) {
		const struct enclosure *enc = &e->enclosures[i];
		if (public_link(enc->url) == NULL)
			continue;
		buf_puts(b, "<link rel=\"enclosure\" href=\"");
		put_text(b, enc->url, 1);
		buf_puts(b, "\"");
		if (media_type_ok(enc->type)) {
			buf_puts(b, " type=\"");
			put_text(b, enc->type, 1);
			buf_puts(b, "\"");
		}
		if (enc->length >= 0)
			buf_printf(b, " length=\"%" PRId64 "\"", enc->length);
		buf_puts(b, "/>\n");
	}

	/* The attribution ends the content, else the summary; an entry without an alternate
	 * link must have content (RFC 4287 4.1.1), so then the summary becomes the content. */
	char *summary = NULL, *content = NULL;
	if (se.content != NULL) {
		content = with_attribution_dup(se.content, attribution);
		if (se.summary != NULL)
			summary = xstrdup(se.summary);
	} else if (se.summary != NULL && se.link != NULL) {
		summary = with_attribution_dup(se.summary, attribution);
	} else if (se.summary != NULL || attribution != NULL || se.link == NULL) {
		content = with_attribution_dup(se.summary, attribution);
	}
	if (summary != NULL) {
		buf_puts(b, "<summary type=\"html\">");
		put_text(b, summary, 0);
		buf_puts(b, "</summary>\n");
	}
	if (content != NULL) {
		buf_puts(b, "<content type=\"html\">");
		put_text(b, content, 0);
		buf_puts(b, "</content>\n");
	}

	buf_puts(b, "<source>\n");
	if (is_absolute(c.feed_url))
		put_elem(b, "id", c.feed_url);
	if (!blank(c.title))
		put_elem(b, "title", c.title);
	put_iso(b, "updated", c.updated);
	atom_link(b, "link", "self", c.feed_url, NULL);
	atom_link(b, "link", "alternate", c.site, NULL);
	buf_puts(b, "</source>\n");
	buf_puts(b, "</entry>\n");
	free(summary);
	free(content);
	safe_entry_clear(&se);
	free(title);
	free(attribution);
}

/* Returns a new Atom 1.0 document and its length in *len. */
char *emit_atom(const struct merged *m, const struct emit_meta *meta, size_t *len)
{
	struct buf b;
	buf_init(&b, 0);
	char **ids = entry_ids_new(m);
	char *self = xasprintf("%sfeed.atom", public_url(meta));

	buf_puts(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	             "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
	put_elem(&b, "id", self);
	put_elem(&b, "title", feed_title(meta));
	put_iso(&b, "updated", feed_updated(m));
	buf_puts(&b, "<author><name>");
	put_text(&b, feed_author(meta), 0);
	buf_puts(&b, "</name></author>\n");
	atom_link(&b, "link", "self", self, "application/atom+xml");
	atom_link(&b, "link", "alternate", public_url(meta), NULL);
	buf_puts(&b, "<generator version=\"" PACKAGE_VERSION "\">feedmerge</generator>\n");
	for (size_t i = 0; i < m->nentries; i++)
		atom_entry(&b, m, &m->entries[i], ids[i], meta);
	buf_puts(&b, "</feed>\n");

	free(self);
	entry_ids_free(ids, m->nentries);
	return buf_steal(&b, len);
}

static void put_rfc822(struct buf *b, const char *name, int64_t t)
{
	char date[DATE_RFC822_SIZE];
	date_format_rfc822(clamp_time(t), date);
	buf_printf(b, "<%s>%s</%s>\n", name, date, name);
}

static void rss_item(struct buf *b, const struct merged *m, const struct merged_entry *me,
                     const char *id, const struct emit_meta *meta)
{
	const struct entry *e = &me->e;
	struct credit c = entry_credit(m, me);
	struct safe_entry se;
	safe_entry_init(&se, m, me);
	char *title = entry_title_dup(e, &se);
	char *attribution = attribution_html_dup(&se, &c, meta);

	buf_puts(b, "<item>\n");
	put_elem(b, "title", title);
	if (se.link != NULL)
		put_elem(b, "link", se.link);
	buf_printf(b, "<guid isPermaLink=\"%s\">", public_link(id) != NULL ? "true" : "false");
	put_text(b, id, 0);
	buf_puts(b, "</guid>\n");
	put_rfc822(b, "pubDate", me->date);
	char *description =
	    with_attribution_dup(se.content != NULL ? se.content : se.summary, attribution);
	if (!blank(description))
		put_elem(b, "description", description);
	free(description);
	put_elem(b, "dc:creator", entry_author(me, &c, meta));
	for (size_t i = 0; i < e->ncategories; i++)
		if (!blank(e->categories[i]))
			put_elem(b, "category", e->categories[i]);
	for (size_t i = 0; i < e->nenclosures; i++) {
		const struct enclosure *enc = &e->enclosures[i];
		if (public_link(enc->url) == NULL)
			continue;
		/* RSS 2.0 allows one enclosure per item, with all three attributes. */
		buf_puts(b, "<enclosure url=\"");
		put_text(b, enc->url, 1);
		buf_printf(b, "\" length=\"%" PRId64 "\" type=\"",
		           enc->length >= 0 ? enc->length : 0);
		put_text(b, media_type_ok(enc->type) ? enc->type : "application/octet-stream", 1);
		buf_puts(b, "\"/>\n");
		break;
	}
	if (!blank(c.feed_url)) {
		buf_puts(b, "<source url=\"");
		put_text(b, c.feed_url, 1);
		buf_puts(b, "\">");
		put_text(b, !blank(c.title) ? c.title : c.feed_url, 0);
		buf_puts(b, "</source>\n");
	}
	buf_puts(b, "</item>\n");
	safe_entry_clear(&se);
	free(title);
	free(attribution);
}

/* Returns a new RSS 2.0 document and its length in *len. */
char *emit_rss(const struct merged *m, const struct emit_meta *meta, size_t *len)
{
	struct buf b;
	buf_init(&b, 0);
	char **ids = entry_ids_new(m);
	char *self = xasprintf("%sfeed.rss", public_url(meta));

	buf_puts(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	             "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\""
	             " xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n<channel>\n");
	put_elem(&b, "title", feed_title(meta));
	put_elem(&b, "link", public_url(meta));
	put_elem(&b, "description", feed_title(meta));
	put_rfc822(&b, "lastBuildDate", feed_updated(m));
	put_elem(&b, "generator", "feedmerge " PACKAGE_VERSION);
	atom_link(&b, "atom:link", "self", self, "application/rss+xml");
	for (size_t i = 0; i < m->nentries; i++)
		rss_item(&b, m, &m->entries[i], ids[i], meta);
	buf_puts(&b, "</channel>\n</rss>\n");

	free(self);
	entry_ids_free(ids, m->nentries);
	return buf_steal(&b, len);
}
