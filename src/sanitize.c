/* An allowlist HTML sanitiser over libxml2's HTML parser.
 *
 * The input is parsed as a fragment (wrapped in a <div>, no implied html/body, no network, the
 * document's own charset hints ignored), and the output is serialised from the tree by this
 * file, never patched from the input text: every element written is on the list below, every
 * attribute is on its element's list (or the global one) and passed its value check, every
 * value is double-quoted with & < > " escaped, every text escaped. Invalid UTF-8 becomes U+FFFD
 * before parsing and what XML 1.0 forbids is dropped, so the result can be embedded in Atom and
 * RSS as is.
 *
 * Where libxml2 and a browser disagree. Debian 12's libxml2 (2.9.14) parses HTML the HTML 4
 * way; browsers use the HTML 5 tree builder, and mutation XSS lives in the gap. What keeps that
 * gap harmless here: (1) nothing is written inside an element whose content a browser reads
 * differently from other elements: the raw-text and RCDATA elements (script, style, iframe,
 * noembed, noframes, noscript, textarea, title), template and the foreign-content roots svg
 * and math (CDATA sections, their own <style> and <script> rules) are all dropped with their
 * content, and xmp, listing and plaintext lose their tags; (2) '<' and '>' are escaped in attribute
 * values too, so no value can close a tag in any parser; (3) the HTML 5 void elements libxml2 does
 * not know (source, track, wbr, embed, keygen) are written void and what libxml2 nested inside them
 * is written after them, as a browser would place it; (4) where unwrapping an unknown element would
 * bring together what parsers pull apart again (<a> in <a>, a block in <p>, <li> in <li>, table
 * parts outside their table), the inner element loses its tag. Re-sanitising the output gives the
 * output again (tests/unit/test_sanitize.c checks that on every case, and
 * tests/fuzz/fuzz_sanitize.c on whatever libFuzzer makes up).
 *
 * The allowlist, compared with feedparser's _HTMLSanitizer (acceptable_elements/attributes)
 * and bluemonday's UGCPolicy:
 * - Kept like both: a, abbr, acronym, b, blockquote, br, caption, cite, code, col, colgroup,
 *   dd, del, dfn, div, dl, dt, em, figure, figcaption, h1-h6, hr, i, img, ins, kbd, li, ol, p,
 *   pre, q, rp, rt, ruby, s, samp, small, span, strike, strong, sub, sup, table, tbody, td,
 *   tfoot, th, thead, time, tr, tt, u, ul, var; article, aside, section, details, summary,
 *   hgroup, mark, bdi, bdo, wbr (bluemonday's, HTML 5 text-level and sectioning elements).
 * - Kept, unlike bluemonday (which drops all embedded content): video and audio, because news
 *   feeds carry them, with src and poster (http, https or relative only), never autoplay,
 *   always with controls; picture and source (src, srcset checked candidate by candidate,
 *   only inside picture, video or audio); feedparser keeps video, audio and source too. Also
 *   header, footer and address (feedparser's), harmless inside an article.
 * - Dropped with their content, though feedparser keeps them: form, input, button, select,
 *   option, textarea, keygen, noscript, canvas: a feed has no business asking a reader for
 *   input (phishing forms), and noscript/canvas content is fallback nobody should see. Also
 *   svg and math, which feedparser keeps in a sanitised subset: its lists are long, browsers
 *   parse foreign content by other rules, and feeds rarely carry either.
 * - Unwrapped (text kept, tag dropped): font, center, big, blink, marquee, map, nav, main,
 *   menu, dir, label, fieldset, legend, meter, progress and anything unknown. Presentational
 *   and page-structure tags are the reader's business; feedparser keeps font and center.
 * - Attributes: lang, dir and title everywhere; per element href and hreflang (a), src,
 *   srcset, sizes, alt, width, height (img), cite (blockquote, q, del, ins), datetime (time,
 *   del, ins), colspan, rowspan, headers, scope, abbr (td, th), span (col, colgroup), start,
 *   reversed, type (ol), value (li), open (details), poster, loop, muted (video, audio).
 *   Numbers, directions, scopes and list types must match their form. No style (feedparser
 *   filters CSS; CSS can overlay a page and fetch URLs, and a merged feed has no style to
 *   keep), no event handlers, no class and no id (bluemonday keeps id, feedparser both): they
 *   only mean something to the source's own stylesheet and scripts, class would let an entry
 *   borrow the host page's CSS to look like its interface, and id/name clobber the DOM of a
 *   page that embeds the feed. No target, no name, no usemap, no xmlns or prefixed names.
 * - URLs (href, src, srcset, poster, cite): read as a browser reads them (surrounding C0
 *   controls and spaces stripped, tabs and line breaks removed anywhere), then only http,
 *   https, mailto (href only, as bluemonday) or relative; anything with a colon before the
 *   first '/', '?' or '#' that is not one of those schemes is dropped, so is any URL naming
 *   javascript:, vbscript: or data: anywhere (in a path or query too), so are URLs with a
 *   character reference libxml2 left undecoded (HTML 5's &Tab; or &colon;, which libxml2 2.9
 *   does not know) and URLs with user:password@. Relative URLs are resolved against the base.
 *   No data: at all (feedparser and bluemonday drop it too).
 * - Links from a source get rel="nofollow" (bluemonday does too): a republishing site should
 *   not lend its ranking to what a source's text links to. Not noopener (no target survives,
 *   and browsers imply it for target=_blank) nor noreferrer (publishers may see the traffic the
 *   merged feed sends them: it is the point of attribution).
 */
#include "autoconf.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "sanitize.h"
#include "url.h"
#include "util.h"

enum san_kind {
	SAN_UNWRAP,    /* the tag goes, the children stay (the default) */
	SAN_KEEP,      /* written with its allowed attributes */
	SAN_VOID,      /* written as a void element; children written after it */
	SAN_DROP,      /* dropped with everything inside */
	SAN_DROP_VOID, /* an HTML 5 void element dropped; what libxml2 nested in it stays */
	SAN_SOURCE,    /* source: SAN_VOID inside picture, video or audio, else SAN_DROP_VOID */
};

enum san_attr_kind {
	ATTR_TEXT,     /* any text */
	ATTR_URL,      /* http, https or relative */
	ATTR_HREF,     /* ATTR_URL or mailto */
	ATTR_SRCSET,   /* candidates of ATTR_URL with a width or density descriptor */
	ATTR_INT,      /* digits */
	ATTR_LENGTH,   /* digits, optionally '%' */
	ATTR_DIR,      /* ltr, rtl, auto */
	ATTR_LANG,     /* a language tag */
	ATTR_SCOPE,    /* row, col, rowgroup, colgroup */
	ATTR_OL_TYPE,  /* 1 a A i I */
	ATTR_DATETIME, /* digits, letters and - : + . , space */
	ATTR_TOKENS,   /* space-separated names */
	ATTR_BOOL,     /* present or not: written as name="" */
};

struct san_attr {
	const char *name;
	enum san_attr_kind kind;
};

static const struct san_attr attrs_global[] = {
    {"dir", ATTR_DIR}, {"lang", ATTR_LANG}, {"title", ATTR_TEXT}, {NULL, ATTR_TEXT}};
static const struct san_attr attrs_a[] = {
    {"href", ATTR_HREF}, {"hreflang", ATTR_LANG}, {NULL, ATTR_TEXT}};
static const struct san_attr attrs_img[] = {
    {"src", ATTR_URL},      {"srcset", ATTR_SRCSET}, {"sizes", ATTR_TEXT}, {"alt", ATTR_TEXT},
    {"width", ATTR_LENGTH}, {"height", ATTR_LENGTH}, {NULL, ATTR_TEXT}};
static const struct san_attr attrs_cite[] = {{"cite", ATTR_URL}, {NULL, ATTR_TEXT}};
static const struct san_attr attrs_edit[] = {
    {"cite", ATTR_URL}, {"datetime", ATTR_DATETIME}, {NULL, ATTR_TEXT}};
static const struct san_attr attrs_time[] = {{"datetime", ATTR_DATETIME}, {NULL, ATTR_TEXT}};
static const struct san_attr attrs_td[] = {
    {"colspan", ATTR_INT}, {"rowspan", ATTR_INT}, {"headers", ATTR_TOKENS}, {NULL, ATTR_TEXT}};
static const struct san_attr attrs_th[] = {{"colspan", ATTR_INT},    {"rowspan", ATTR_INT},
                                           {"headers", ATTR_TOKENS}, {"scope", ATTR_SCOPE},
                                           {"abbr", ATTR_TEXT},      {NULL, ATTR_TEXT}};
static const struct san_attr attrs_col[] = {
    {"span", ATTR_INT}, {"width", ATTR_LENGTH}, {NULL, ATTR_TEXT}};
static const struct san_attr attrs_ol[] = {
    {"start", ATTR_INT}, {"reversed", ATTR_BOOL}, {"type", ATTR_OL_TYPE}, {NULL, ATTR_TEXT}};
static const struct san_attr attrs_li[] = {{"value", ATTR_INT}, {NULL, ATTR_TEXT}};
static const struct san_attr attrs_details[] = {{"open", ATTR_BOOL}, {NULL, ATTR_TEXT}};
static const struct san_attr attrs_video[] = {
    {"src", ATTR_URL},   {"poster", ATTR_URL}, {"width", ATTR_LENGTH}, {"height", ATTR_LENGTH},
    {"loop", ATTR_BOOL}, {"muted", ATTR_BOOL}, {NULL, ATTR_TEXT}};
static const struct san_attr attrs_audio[] = {
    {"src", ATTR_URL}, {"loop", ATTR_BOOL}, {"muted", ATTR_BOOL}, {NULL, ATTR_TEXT}};
static const struct san_attr attrs_source[] = {{"src", ATTR_URL},    {"srcset", ATTR_SRCSET},
                                               {"sizes", ATTR_TEXT}, {"media", ATTR_TEXT},
                                               {"type", ATTR_TEXT},  {NULL, ATTR_TEXT}};

struct san_elem {
	const char *name;
	enum san_kind kind;
	const struct san_attr *attrs; /* besides attrs_global; NULL: none */
};

/* Sorted by name (bsearch); an element not listed is unwrapped. */
static const struct san_elem elems[] = {
    {"a", SAN_KEEP, attrs_a},
    {"abbr", SAN_KEEP, NULL},
    {"acronym", SAN_KEEP, NULL},
    {"address", SAN_KEEP, NULL},
    {"applet", SAN_DROP, NULL},
    {"area", SAN_DROP_VOID, NULL},
    {"article", SAN_KEEP, NULL},
    {"aside", SAN_KEEP, NULL},
    {"audio", SAN_KEEP, attrs_audio},
    {"b", SAN_KEEP, NULL},
    {"base", SAN_DROP_VOID, NULL},
    {"basefont", SAN_DROP_VOID, NULL},
    {"bdi", SAN_KEEP, NULL},
    {"bdo", SAN_KEEP, NULL},
    {"bgsound", SAN_DROP_VOID, NULL},
    {"blockquote", SAN_KEEP, attrs_cite},
    {"br", SAN_VOID, NULL},
    {"button", SAN_DROP, NULL},
    {"canvas", SAN_DROP, NULL},
    {"caption", SAN_KEEP, NULL},
    {"cite", SAN_KEEP, NULL},
    {"code", SAN_KEEP, NULL},
    {"col", SAN_VOID, attrs_col},
    {"colgroup", SAN_KEEP, attrs_col},
    {"datalist", SAN_DROP, NULL},
    {"dd", SAN_KEEP, NULL},
    {"del", SAN_KEEP, attrs_edit},
    {"details", SAN_KEEP, attrs_details},
    {"dfn", SAN_KEEP, NULL},
    {"div", SAN_KEEP, NULL},
    {"dl", SAN_KEEP, NULL},
    {"dt", SAN_KEEP, NULL},
    {"em", SAN_KEEP, NULL},
    {"embed", SAN_DROP_VOID, NULL},
    {"figcaption", SAN_KEEP, NULL},
    {"figure", SAN_KEEP, NULL},
    {"footer", SAN_KEEP, NULL},
    {"form", SAN_DROP, NULL},
    {"frame", SAN_DROP_VOID, NULL},
    {"frameset", SAN_DROP, NULL},
    {"h1", SAN_KEEP, NULL},
    {"h2", SAN_KEEP, NULL},
    {"h3", SAN_KEEP, NULL},
    {"h4", SAN_KEEP, NULL},
    {"h5", SAN_KEEP, NULL},
    {"h6", SAN_KEEP, NULL},
    {"head", SAN_DROP, NULL},
    {"header", SAN_KEEP, NULL},
    {"hgroup", SAN_KEEP, NULL},
    {"hr", SAN_VOID, NULL},
    {"i", SAN_KEEP, NULL},
    {"iframe", SAN_DROP, NULL},
    {"img", SAN_VOID, attrs_img},
    {"input", SAN_DROP_VOID, NULL},
    {"ins", SAN_KEEP, attrs_edit},
    {"isindex", SAN_DROP_VOID, NULL},
    {"kbd", SAN_KEEP, NULL},
    {"keygen", SAN_DROP_VOID, NULL},
    {"li", SAN_KEEP, attrs_li},
    {"link", SAN_DROP_VOID, NULL},
    {"mark", SAN_KEEP, NULL},
    {"math", SAN_DROP, NULL},
    {"meta", SAN_DROP_VOID, NULL},
    {"noembed", SAN_DROP, NULL},
    {"noframes", SAN_DROP, NULL},
    {"noscript", SAN_DROP, NULL},
    {"object", SAN_DROP, NULL},
    {"ol", SAN_KEEP, attrs_ol},
    {"optgroup", SAN_DROP, NULL},
    {"option", SAN_DROP, NULL},
    {"p", SAN_KEEP, NULL},
    {"param", SAN_DROP_VOID, NULL},
    {"picture", SAN_KEEP, NULL},
    {"portal", SAN_DROP, NULL},
    {"pre", SAN_KEEP, NULL},
    {"q", SAN_KEEP, attrs_cite},
    {"rp", SAN_KEEP, NULL},
    {"rt", SAN_KEEP, NULL},
    {"ruby", SAN_KEEP, NULL},
    {"s", SAN_KEEP, NULL},
    {"samp", SAN_KEEP, NULL},
    {"script", SAN_DROP, NULL},
    {"section", SAN_KEEP, NULL},
    {"select", SAN_DROP, NULL},
    {"small", SAN_KEEP, NULL},
    {"source", SAN_SOURCE, attrs_source},
    {"span", SAN_KEEP, NULL},
    {"strike", SAN_KEEP, NULL},
    {"strong", SAN_KEEP, NULL},
    {"style", SAN_DROP, NULL},
    {"sub", SAN_KEEP, NULL},
    {"summary", SAN_KEEP, NULL},
    {"sup", SAN_KEEP, NULL},
    {"svg", SAN_DROP, NULL},
    {"table", SAN_KEEP, NULL},
    {"tbody", SAN_KEEP, NULL},
    {"td", SAN_KEEP, attrs_td},
    {"template", SAN_DROP, NULL},
    {"textarea", SAN_DROP, NULL},
    {"tfoot", SAN_KEEP, NULL},
    {"th", SAN_KEEP, attrs_th},
    {"thead", SAN_KEEP, NULL},
    {"time", SAN_KEEP, attrs_time},
    {"title", SAN_DROP, NULL},
    {"tr", SAN_KEEP, NULL},
    {"track", SAN_DROP_VOID, NULL},
    {"tt", SAN_KEEP, NULL},
    {"u", SAN_KEEP, NULL},
    {"ul", SAN_KEEP, NULL},
    {"var", SAN_KEEP, NULL},
    {"video", SAN_KEEP, attrs_video},
    {"wbr", SAN_VOID, NULL},
};

static int elem_cmp(const void *key, const void *e)
{
	return strcmp(key, ((const struct san_elem *)e)->name);
}

static const struct san_elem *elem_find(const char *name)
{
	return bsearch(name, elems, sizeof elems / sizeof elems[0], sizeof elems[0], elem_cmp);
}

static int is_c0_or_space(unsigned char c)
{
	return c <= 0x20;
}

static int is_html_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* True when s holds "&name;" or "&#...;": a character reference libxml2 left as it was. */
static int has_char_ref(const char *s)
{
	for (const char *amp = strchr(s, '&'); amp != NULL; amp = strchr(amp + 1, '&')) {
		const char *p = amp + 1;
		if (*p == '#')
			p++;
		const char *name = p;
		while (is_alpha(*p) || is_digit(*p))
			p++;
		if (p > name && *p == ';')
			return 1;
	}
	return 0;
}

/* True when u names a script-capable scheme anywhere ("javascript:", "vbscript:", "data:",
 * any case), not only at its start: a URL that carries one in its path or query is refused
 * too, so no consumer that digs URLs out of URLs (redirectors, "fixers") can find one. */
static int names_bad_scheme(const char *u)
{
	static const char *const bad[] = {"javascript:", "vbscript:", "data:"};
	for (const char *p = u; *p != '\0'; p++)
		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
			if (strncasecmp(p, bad[i], strlen(bad[i])) == 0)
				return 1;
	return 0;
}

/* The scheme check: 1 when the URL u (already stripped) may stay as far as its scheme goes. */
static int scheme_ok(const char *u, int mailto_ok)
{
	size_t n = strcspn(u, ":/?#\\");
	if (u[n] != ':')
		return 1; /* relative: no scheme before the first '/', '?' or '#' */
	return (n == 4 && strncasecmp(u, "http", 4) == 0) ||
	       (n == 5 && strncasecmp(u, "https", 5) == 0) ||
	       (mailto_ok && n == 6 && strncasecmp(u, "mailto", 6) == 0);
}

char *sanitize_url_dup(const char *v, const char *base_url, int mailto_ok)
{
	if (v == NULL)
		return NULL;
	/* As the WHATWG URL parser: leading and trailing C0 controls and spaces stripped, tabs
	 * and line breaks removed anywhere; other controls and spaces inside percent-encoded. */
	size_t n = strlen(v);
	while (n > 0 && is_c0_or_space((unsigned char)*v))
		v++, n--;
	while (n > 0 && is_c0_or_space((unsigned char)v[n - 1]))
		n--;
	static const char hex[] = "0123456789ABCDEF";
	char *u = xmalloc(3 * n + 1), *o = u;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c == '\t' || c == '\n' || c == '\r')
			continue;
		if (c <= 0x20 || c == 0x7F) {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		} else {
			*o++ = (char)c;
		}
	}
	*o = '\0';
	if (u[0] == '\0' || has_char_ref(u) || names_bad_scheme(u) || !scheme_ok(u, mailto_ok) ||
	    url_has_userinfo(u))
		goto refuse;
	if (base_url != NULL && u[0] != '#' && !url_is_absolute(u)) {
		char *abs = url_resolve(base_url, u);
		free(u);
		u = abs;
		/* Once more: a base that is not http(s) gives no license. */
		if (!scheme_ok(u, mailto_ok) || url_has_userinfo(u))
			goto refuse;
	}
	return u;
refuse:
	free(u);
	return NULL;
}

/* Appends s escaped as HTML text (attr: as a double-quoted attribute value), dropping what
 * XML 1.0 forbids and writing U+FFFD for invalid UTF-8. */
static void put_escaped(struct buf *b, const char *s, size_t n, int attr)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t run = 0; /* bytes at p[0..run) to copy as they are */
	while (run < n) {
		unsigned char c = p[run];
		const char *rep = NULL;
		size_t len = 1;
		if (c == '&')
			rep = "&amp;";
		else if (c == '<')
			rep = "&lt;";
		else if (c == '>')
			rep = "&gt;";
		else if (c == '"' && attr)
			rep = "&quot;";
		else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			rep = "";
		else if (c >= 0x80) {
			uint32_t cp;
			len = utf8_decode(p + run, n - run, &cp);
			if (len == 0) {
				rep = "\xEF\xBF\xBD";
				len = 1;
			} else if (!xml_char_ok(cp)) {
				rep = "";
			}
		}
		if (rep == NULL) {
			run += len;
			continue;
		}
		buf_append(b, p, run);
		buf_puts(b, rep);
		p += run + len;
		n -= run + len;
		run = 0;
	}
	buf_append(b, p, run);
}

static int all_chars(const char *v, const char *set, size_t max)
{
	size_t n = strlen(v);
	return n > 0 && n <= max && strspn(v, set) == n;
}

/* True when the value v of a non-URL attribute has the form its kind asks for. */
static int value_ok(enum san_attr_kind kind, const char *v)
{
	switch (kind) {
	case ATTR_INT:
		return all_chars(v, "0123456789", 9);
	case ATTR_LENGTH: {
		size_t d = strspn(v, "0123456789");
		return d > 0 && d <= 9 && (v[d] == '\0' || (v[d] == '%' && v[d + 1] == '\0'));
	}
	case ATTR_DIR:
		return strcasecmp(v, "ltr") == 0 || strcasecmp(v, "rtl") == 0 ||
		       strcasecmp(v, "auto") == 0;
	case ATTR_LANG:
		return all_chars(
		    v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-", 35);
	case ATTR_SCOPE:
		return strcasecmp(v, "row") == 0 || strcasecmp(v, "col") == 0 ||
		       strcasecmp(v, "rowgroup") == 0 || strcasecmp(v, "colgroup") == 0;
	case ATTR_OL_TYPE:
		return strlen(v) == 1 && strchr("1aAiI", v[0]) != NULL;
	case ATTR_DATETIME:
		return all_chars(v,
		                 "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		                 "-:+., ",
		                 64);
	case ATTR_TOKENS:
		return all_chars(v,
		                 "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		                 "-_:. ",
		                 256);
	case ATTR_TEXT:
	case ATTR_BOOL:
		return 1;
	case ATTR_URL:
	case ATTR_HREF:
	case ATTR_SRCSET:
		break;
	}
	return 0;
}

/* True for a srcset descriptor: a width ("640w") or a pixel density ("1.5x"). */
static int descriptor_ok(const char *d, size_t n)
{
	if (n < 2 || (d[n - 1] != 'w' && d[n - 1] != 'x'))
		return 0;
	size_t digits = 0, dots = 0;
	for (size_t i = 0; i < n - 1; i++) {
		if (is_digit(d[i]))
			digits++;
		else if (d[i] == '.' && d[n - 1] == 'x')
			dots++;
		else
			return 0;
	}
	return digits > 0 && dots <= 1;
}

/* Returns a new string: the srcset value v with only its safe candidates ("URL [descriptor]"
 * separated by commas, HTML 5 4.8.4.2.1), or NULL when none is left. A URL may contain
 * commas but never ends with one. */
static char *srcset_dup(const char *v, const char *base)
{
	struct buf b;
	buf_init(&b, 0);
	size_t i = 0, len = strlen(v);
	while (i < len) {
		while (i < len && (is_html_space(v[i]) || v[i] == ','))
			i++;
		size_t us = i;
		while (i < len && !is_html_space(v[i]))
			i++;
		size_t ue = i;
		while (ue > us && v[ue - 1] == ',')
			ue--;
		size_t ds = i, de = i;
		if (ue == i) { /* no comma ended the URL: a descriptor may follow */
			while (i < len && is_html_space(v[i]))
				i++;
			ds = i;
			while (i < len && v[i] != ',')
				i++;
			de = i;
			while (de > ds && is_html_space(v[de - 1]))
				de--;
		}
		if (ue == us || (de > ds && !descriptor_ok(v + ds, de - ds)))
			continue;
		char *raw = xstrndup(v + us, ue - us);
		char *u = sanitize_url_dup(raw, base, 0);
		free(raw);
		if (u == NULL)
			continue;
		if (b.len > 0)
			buf_puts(&b, ", ");
		buf_puts(&b, u);
		free(u);
		if (de > ds) {
			buf_puts(&b, " ");
			buf_append(&b, v + ds, de - ds);
		}
	}
	if (b.len == 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b, NULL);
}

static const struct san_attr *attr_find(const struct san_attr *list, const char *name)
{
	for (; list != NULL && list->name != NULL; list++)
		if (strcmp(list->name, name) == 0)
			return list;
	return NULL;
}

/* The value of attribute a as one string: borrowed when libxml2 holds it as one text node,
 * else a copy set in *owned. */
static const char *attr_value(xmlAttr *a, xmlChar **owned)
{
	*owned = NULL;
	if (a->children == NULL)
		return "";
	if (a->children->type == XML_TEXT_NODE && a->children->next == NULL &&
	    a->children->content != NULL)
		return (const char *)a->children->content;
	*owned = xmlNodeListGetString(a->doc, a->children, 1);
	return *owned != NULL ? (const char *)*owned : "";
}

/* Appends the start tag of n (void: written as <name ... />) with its allowed attributes. */
static void put_start_tag(struct buf *b, xmlNode *n, const struct san_elem *el, int is_void,
                          const char *base)
{
	buf_printf(b, "<%s", el->name);
	int has_href = 0;
	for (xmlAttr *a = n->properties; a != NULL; a = a->next) {
		if (a->type != XML_ATTRIBUTE_NODE || a->ns != NULL)
			continue;
		const char *name = (const char *)a->name;
		const struct san_attr *rule = attr_find(el->attrs, name);
		if (rule == NULL)
			rule = attr_find(attrs_global, name);
		if (rule == NULL)
			continue;
		xmlChar *owned;
		const char *v = attr_value(a, &owned);
		char *clean = NULL;
		const char *out = NULL;
		if (rule->kind == ATTR_URL || rule->kind == ATTR_HREF)
			out = clean = sanitize_url_dup(v, base, rule->kind == ATTR_HREF);
		else if (rule->kind == ATTR_SRCSET)
			out = clean = srcset_dup(v, base);
		else if (rule->kind == ATTR_BOOL)
			out = "";
		else if (value_ok(rule->kind, v))
			out = v;
		if (out != NULL) {
			buf_printf(b, " %s=\"", rule->name);
			put_escaped(b, out, strlen(out), 1);
			buf_puts(b, "\"");
			if (rule->kind == ATTR_HREF)
				has_href = 1;
		}
		free(clean);
		xmlFree(owned);
	}
	if (has_href)
		buf_puts(b, " rel=\"nofollow\"");
	if (strcmp(el->name, "video") == 0 || strcmp(el->name, "audio") == 0)
		buf_puts(b, " controls=\"\"");
	buf_puts(b, is_void ? " />" : ">");
}

/* True when n has a picture, video or audio ancestor (below the fragment's root). */
static int in_media(const xmlNode *n)
{
	for (n = n->parent; n != NULL && n->type == XML_ELEMENT_NODE; n = n->parent) {
		const char *name = (const char *)n->name;
		if (strcmp(name, "picture") == 0 || strcmp(name, "video") == 0 ||
		    strcmp(name, "audio") == 0)
			return 1;
	}
	return 0;
}

/* What to do with element n, and its entry in the table (NULL when unlisted). */
static enum san_kind classify(const xmlNode *n, const struct san_elem **el)
{
	*el = n->name != NULL ? elem_find((const char *)n->name) : NULL;
	if (*el == NULL || n->ns != NULL)
		return SAN_UNWRAP;
	if ((*el)->kind == SAN_SOURCE)
		return in_media(n) ? SAN_VOID : SAN_DROP_VOID;
	return (*el)->kind;
}

/* Nesting HTML parsers repair. Unwrapping an unknown element can bring together what its
 * parser kept apart (<p><x><div> becomes <p><div>, <a><x><a> becomes <a><a>), and a browser,
 * like libxml2 reading the output again, would close the outer element there: the output
 * would not mean what it says, nor be a fixed point. So an element written inside one of
 * `inside` (its nearest written ancestors, up to the first of `until`) loses its tag. */
struct san_nesting {
	const char *const *elems;
	const char *const *inside;
	const char *const *until;
};

static const char *const nest_a[] = {"a", NULL};
static const char *const nest_none[] = {NULL};
static const char *const nest_p_closers[] = {
    "address", "article",    "aside",  "blockquote", "dd", "details", "div", "dl",
    "dt",      "figcaption", "figure", "footer",     "h1", "h2",      "h3",  "h4",
    "h5",      "h6",         "header", "hgroup",     "hr", "li",      "ol",  "p",
    "pre",     "section",    "table",  "ul",         NULL};
static const char *const nest_p[] = {"p", NULL};
static const char *const nest_p_scope[] = {"caption", "table", "td", "th", NULL};
static const char *const nest_li[] = {"li", NULL};
static const char *const nest_lists[] = {"ol", "ul", NULL};
static const char *const nest_dd_dt[] = {"dd", "dt", NULL};
static const char *const nest_dl[] = {"dl", NULL};
static const char *const nest_headings[] = {"h1", "h2", "h3", "h4", "h5", "h6", NULL};
static const char *const nest_tr[] = {"tr", NULL};
static const char *const nest_table[] = {"table", NULL};
static const char *const nest_cells[] = {"td", "th", NULL};
static const char *const nest_row_or_table[] = {"table", "tr", NULL};
static const char *const nest_sections[] = {"caption", "colgroup", "tbody", "tfoot", "thead", NULL};
static const char *const nest_in_table[] = {"caption", "colgroup", "tbody", "td", "tfoot",
                                            "th",      "thead",    "tr",    NULL};
static const char *const nest_table_parts[] = {"caption", "col", "colgroup", "tbody", "td",
                                               "tfoot",   "th",  "thead",    "tr",    NULL};
static const char *const nest_cell_scope[] = {"caption", "td", "th", NULL};

static const struct san_nesting nestings[] = {
    {nest_a, nest_a, nest_none},
    {nest_p_closers, nest_p, nest_p_scope},
    {nest_li, nest_li, nest_lists},
    {nest_dd_dt, nest_dd_dt, nest_dl},
    {nest_headings, nest_headings, nest_none},
    {nest_tr, nest_tr, nest_table},
    {nest_cells, nest_cells, nest_row_or_table},
    {nest_sections, nest_in_table, nest_table},
};

static int in_list(const char *name, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(name, *list) == 0)
			return 1;
	return 0;
}

/* True when element name may be written where open[0..n) (outermost first; NULL for depths
 * that wrote no tag) are the elements written around it. */
static int nesting_ok(const char *name, const char *const *open, size_t n)
{
	for (size_t r = 0; r < sizeof nestings / sizeof nestings[0]; r++) {
		if (!in_list(name, nestings[r].elems))
			continue;
		for (size_t i = n; i-- > 0;) {
			if (open[i] == NULL)
				continue;
			if (in_list(open[i], nestings[r].inside))
				return 0;
			if (in_list(open[i], nestings[r].until))
				break;
		}
	}
	/* What libxml2 itself closes when it reads the output again (its HTML 4 table: <p> closes
	 * an open <b>, <table> an open <a>, ...): the check it makes against the innermost open
	 * element, made here against the innermost written one. */
	const char *inner = NULL;
	for (size_t i = n; i-- > 0 && inner == NULL;)
		inner = open[i];
	if (inner != NULL) {
		xmlNode probe;
		memset(&probe, 0, sizeof probe);
		probe.type = XML_ELEMENT_NODE;
		probe.name = (const xmlChar *)name;
		if (htmlAutoCloseTag(NULL, (const xmlChar *)inner, &probe))
			return 0;
	}
	/* A table's parts only directly in a table (not in one of its cells). */
	if (in_list(name, nest_table_parts)) {
		for (size_t i = n; i-- > 0;) {
			if (open[i] == NULL)
				continue;
			if (strcmp(open[i], "table") == 0)
				return 1;
			if (in_list(open[i], nest_cell_scope))
				return 0;
		}
		return 0;
	}
	return 1;
}

/* Writes the sanitised form of the nodes from first on (and their siblings) to b. Iterative:
 * the tree's depth is the input's to choose. close[d] is the element whose end tag is due
 * when the walk leaves depth d, NULL when none. */
static void walk(struct buf *b, xmlNode *first, const xmlNode *wrapper, const char *base)
{
	const char *close[SANITIZE_MAX_DEPTH];
	size_t depth = 0;
	xmlNode *n = first;
	while (n != NULL) {
		int descend = 0;
		const char *end_tag = NULL;
		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			if (n->content != NULL)
				put_escaped(b, (const char *)n->content,
				            strlen((const char *)n->content), 0);
		} else if (n->type == XML_ELEMENT_NODE) {
			const struct san_elem *el = NULL;
			enum san_kind kind = n == wrapper ? SAN_UNWRAP : classify(n, &el);
			if (depth >= SANITIZE_MAX_DEPTH && kind != SAN_DROP)
				kind = SAN_UNWRAP;
			if ((kind == SAN_KEEP || kind == SAN_VOID) &&
			    !nesting_ok(el->name, close, depth))
				kind = SAN_UNWRAP;
			if (kind == SAN_KEEP || kind == SAN_VOID)
				put_start_tag(b, n, el, kind == SAN_VOID, base);
			if (kind == SAN_KEEP)
				end_tag = el->name;
			descend = kind != SAN_DROP && n->children != NULL;
			if (!descend && end_tag != NULL)
				buf_printf(b, "</%s>", end_tag);
		}
		/* Comments, PIs, DTDs, entity nodes: nothing. */
		if (descend) {
			if (depth < SANITIZE_MAX_DEPTH)
				close[depth] = end_tag;
			depth++;
			n = n->children;
			continue;
		}
		while (n != NULL && n->next == NULL && depth > 0) {
			n = n->parent;
			depth--;
			if (depth < SANITIZE_MAX_DEPTH && close[depth] != NULL)
				buf_printf(b, "</%s>", close[depth]);
		}
		if (n != NULL)
			n = n->next;
	}
}

char *sanitize_html_dup(const char *html, const char *base_url)
{
	if (html == NULL)
		return NULL;
	/* libxml2 switches to Latin-1 at the first invalid UTF-8 byte: repair them first. */
	char *clean = xml_clean_dup(html);
	char *doc_text = xasprintf("<div>%s</div>", clean);
	free(clean);
	size_t len = strlen(doc_text);
	struct buf b;
	buf_init(&b, 0);
	if (len > INT_MAX) {
		free(doc_text);
		return buf_steal(&b, NULL);
	}
	htmlDocPtr doc =
	    htmlReadMemory(doc_text, (int)len, NULL, "UTF-8",
	                   HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
	                       HTML_PARSE_NOWARNING | HTML_PARSE_NOIMPLIED | HTML_PARSE_NODEFDTD |
	                       HTML_PARSE_IGNORE_ENC | HTML_PARSE_COMPACT);
	free(doc_text);
	if (doc != NULL) {
		/* The first element is the <div> added above: its children are the fragment.
		 * Whatever libxml2 placed after it (after a stray </div>) is the fragment too. */
		xmlNode *wrapper = doc->children;
		while (wrapper != NULL && wrapper->type != XML_ELEMENT_NODE)
			wrapper = wrapper->next;
		walk(&b, doc->children, wrapper, base_url);
		xmlFreeDoc(doc);
	}
	return buf_steal(&b, NULL);
}
