/* parse_xml_feed(): RSS 0.90-2.0, RSS 1.0 (RDF) and Atom 0.3/1.0 with libxml2's SAX2 push
 * parser, fed in 64 KiB chunks. No tree is built: the callbacks keep a stack of element kinds
 * and xml:base values and accumulate text only for the fields we keep (at most 4 MiB each), so
 * memory is the document plus one field plus the entries. Elements are matched by namespace
 * URI, never by prefix; in an Atom feed, unprefixed elements without a namespace count as Atom.
 *
 * Safety: no entity is ever substituted by libxml2 (no XML_PARSE_NOENT), no DTD is loaded, the
 * external entity loader refuses everything, and entity declarations from the internal subset are
 * kept only when they are short, flat text (no nested references), so amplification attacks
 * have nothing to expand. HTML named entities (&nbsp; …) come from our getEntity hook. Depth
 * beyond 256 is ignored.
 *
 * Forgiving reading: before libxml2 sees a chunk, a bare '&' (or one starting an unknown
 * entity) becomes "&amp;" and forbidden C0 controls are dropped, outside CDATA, comments and
 * PIs. Errors do not stop the parse (XML_PARSE_RECOVER); a mismatched end tag closes up to
 * the element it names. A document that ends early keeps the entries completed before it.
 *
 * Decisions:
 * - author: the entry's own (RSS <author>, or its <name> child; else dc:creator; else
 *   itunes:author; atom:author as "name (email)", the name, or the email), else for Atom the
 *   author of its atom:source, else the feed's atom:author (RFC 4287 4.2.1). No fallback to
 *   managingEditor (the editor, not the writer).
 * - link: feedburner:origLink, else RSS <link> or the Atom alternate link (text/html first,
 *   then without type, then other types; atom:link inside RSS counts one step lower), else a
 *   guid that is a permalink (isPermaLink not "false") and an http(s) URL.
 * - source: atom:source, and also RSS <source url="…">title</source> (title, feed_url).
 * - titles: RSS titles are read as HTML (markup stripped, entities decoded once), Atom ones by
 *   their type. Summaries/contents are HTML; their relative href/src/poster/cite URLs are
 *   resolved against the element's xml:base, else the document URL, when one is known.
 * - dates: pubDate / atom:published / Atom 0.3 issued (then created, dc:date) are published;
 *   atom:updated / Atom 0.3 modified / dcterms:modified are updated. Feed: updated, else
 *   lastBuildDate, else its pubDate / dc:date. Language: <language> / dc:language, else the
 *   root's xml:lang. */
#include "autoconf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>

#include "log.h"
#include "parse.h"
#include "parse_int.h"
#include "url.h"
#include "util.h"

#define XML_MAX_DEPTH 256
#define XML_FIELD_MAX_BYTES (4u << 20)
#define XML_CHUNK_BYTES 65536
#define XML_ENT_SLOTS 512
#define XML_DECL_ENT_MAX 64
#define XML_DECL_ENT_MAX_BYTES 1024

enum ns {
	NS_NONE,
	NS_OTHER,
	NS_RSS10,
	NS_RSS090,
	NS_RSS_USERLAND,
	NS_RDF,
	NS_ATOM10,
	NS_ATOM03,
	NS_DC,
	NS_DCTERMS,
	NS_CONTENT,
	NS_XHTML,
	NS_FEEDBURNER,
	NS_ITUNES,
	NS_XML,
};

static const struct {
	const char *uri;
	enum ns ns;
} ns_table[] = {
    {"http://purl.org/rss/1.0/", NS_RSS10},
    {"http://my.netscape.com/rdf/simple/0.9/", NS_RSS090},
    {"http://backend.userland.com/rss2", NS_RSS_USERLAND},
    {"http://blogs.law.harvard.edu/tech/rss", NS_RSS_USERLAND},
    {"http://backend.userland.com/RSS2", NS_RSS_USERLAND},
    {"http://www.w3.org/1999/02/22-rdf-syntax-ns#", NS_RDF},
    {"http://www.w3.org/2005/Atom", NS_ATOM10},
    {"http://purl.org/atom/ns#", NS_ATOM03},
    {"http://purl.org/dc/elements/1.1/", NS_DC},
    {"http://purl.org/dc/terms/", NS_DCTERMS},
    {"http://purl.org/rss/1.0/modules/content/", NS_CONTENT},
    {"http://www.w3.org/1999/xhtml", NS_XHTML},
    {"http://rssnamespace.org/feedburner/ext/1.0", NS_FEEDBURNER},
    {"http://www.itunes.com/dtds/podcast-1.0.dtd", NS_ITUNES},
    {"http://www.w3.org/XML/1998/namespace", NS_XML},
};

/* Element kinds we act on; everything else is EL_OTHER. */
enum el {
	EL_OTHER,
	EL_RSS,
	EL_RDF,
	EL_CHANNEL,
	EL_ITEM,
	EL_FEED,
	EL_ENTRY,
	EL_TITLE,
	EL_LINK,
	EL_DESCRIPTION,
	EL_GUID,
	EL_PUBDATE,
	EL_LASTBUILDDATE,
	EL_AUTHOR,
	EL_CATEGORY,
	EL_ENCLOSURE,
	EL_SOURCE,
	EL_LANGUAGE,
	EL_ID,
	EL_UPDATED,
	EL_PUBLISHED,
	EL_ISSUED,
	EL_MODIFIED,
	EL_CREATED,
	EL_SUMMARY,
	EL_CONTENT,
	EL_NAME,
	EL_EMAIL,
	EL_DC_CREATOR,
	EL_DC_DATE,
	EL_DC_SUBJECT,
	EL_DC_LANGUAGE,
	EL_DC_TITLE,
	EL_DC_MODIFIED,
	EL_CONTENT_ENCODED,
	EL_ORIGLINK,
	EL_ITUNES_AUTHOR,
};

/* Text fields being accumulated; the element's end decides where it goes. */
enum field {
	F_NONE,
	F_TITLE,
	F_LINK,
	F_GUID,
	F_ID,
	F_SUMMARY,
	F_CONTENT,
	F_AUTHOR,
	F_DC_CREATOR,
	F_PUBLISHED,
	F_UPDATED,
	F_DC_DATE,
	F_CATEGORY,
	F_LANGUAGE,
	F_NAME,
	F_EMAIL,
	F_ORIGLINK,
	F_DC_TITLE,
	F_RSS_SOURCE,
	F_ITUNES_AUTHOR,
};

/* How a text construct's content becomes our output. */
enum kind {
	K_PLAIN,  /* plain text as is (whitespace collapsed for titles) */
	K_HTML,   /* HTML as written; child elements (invalid but seen) are serialised */
	K_TEXT,   /* plain text that must become HTML: escaped */
	K_XHTML,  /* inline XHTML: the children of the wrapping div, serialised */
	K_BASE64, /* Atom 0.3 mode="base64" */
	K_SKIP,   /* content with src=, or binary: nothing */
};

/* Who owns the element a field belongs to. */
enum owner { OWN_NONE, OWN_FEED, OWN_ENTRY, OWN_SOURCE };

struct level {
	unsigned char el;
	unsigned char ns;
	const xmlChar *local;  /* borrowed from the parser's dictionary */
	const xmlChar *prefix; /* idem, may be NULL */
	char *base_owned;      /* xml:base set on this element, resolved */
};

struct author_acc {
	char *name;
	char *email;
};

struct xml_state {
	xmlParserCtxtPtr ctxt;
	const struct parse_opts *opts;
	struct feed *feed;
	int family; /* 0 unknown, 1 RSS, 2 Atom */
	int root_seen, root_ended, not_feed, halted;
	char root_err[160];
	int depth;                             /* elements open */
	struct level stack[XML_MAX_DEPTH + 2]; /* stack[1] is the root */
	const char *base[XML_MAX_DEPTH + 2];   /* effective base at each depth (borrowed) */
	enum ns ns_cache_ns[16];
	const xmlChar *ns_cache_uri[16];
	int ns_cache_n;

	/* The entry being read: an index, as the entries array moves. */
	int in_entry;
	int entry_depth;
	size_t entry_index;
	int link_prio;
	int feed_link_prio;
	int source_depth;         /* depth of atom:source inside the entry, 0 if none */
	struct author_acc author; /* the atom:author being read */
	int author_depth;
	enum owner author_owner;
	char *entry_dc_creator;    /* owned, used when the entry has no author */
	char *entry_itunes_author; /* owned, used when it has no dc:creator either */
	char *entry_dc_title;      /* owned, used when the entry has no title */
	char *entry_guid_link;     /* owned, the guid as a fallback link */
	char *source_author;       /* owned, the atom:source's author */
	char *feed_author;         /* owned, the feed's atom:author */
	char *root_lang; /* owned, xml:lang of the root: the language without <language> */
	int64_t feed_pubdate;

	/* The field being captured. */
	enum field field;
	enum owner field_owner;
	enum kind kind;
	int cap_depth;     /* depth of the captured element, 0 when not capturing */
	int xhtml_div;     /* depth of the wrapping xhtml div while inside it, else 0 */
	int xhtml_seen_el; /* an element child was seen under the captured element */
	int guid_not_permalink;
	int published_weak;   /* the entry's published date came from dc:date / created */
	int author_name_seen; /* depth of <name> inside an RSS <author>, -1 once it closed */

	/* Lexical state of sanitise() across chunks. */
	enum { LEX_TEXT, LEX_CDATA, LEX_COMMENT, LEX_PI, LEX_TAG } lex;
	char tag_quote;   /* in LEX_TAG: the quote of the value being copied, or 0 */
	int tag_after_eq; /* in LEX_TAG: '=' seen, the value not started */
	int tag_unquoted; /* in LEX_TAG: inside a value we quote ourselves */
	int has_subset;
	int truncated;
	struct buf text;

	/* Errors. */
	int nerrors;
	int first_error_line;
	char first_error[200];
	int fatal_line;
	char fatal_error[200];
	int fatal_code;
	char mismatch_end[64]; /* the end tag written when it did not match the open element */

	/* Entities: HTML ones by hash slot, and flat internal declarations. */
	xmlEntityPtr ent_content[XML_ENT_SLOTS]; /* for text: predefined-like */
	xmlEntityPtr ent_attr[XML_ENT_SLOTS];    /* for attribute values: kept as &name; */
	xmlEntityPtr decl[XML_DECL_ENT_MAX];
	xmlEntityPtr decl_attr[XML_DECL_ENT_MAX];
	int ndecl;
};

/* ---- small helpers ------------------------------------------------------------------------ */

static int is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* A new copy of s[0..len) without surrounding white space; NULL when empty. */
static char *trim_dup(const char *s, size_t len)
{
	while (len > 0 && is_ws((unsigned char)s[0])) {
		s++;
		len--;
	}
	while (len > 0 && is_ws((unsigned char)s[len - 1]))
		len--;
	if (len == 0)
		return NULL;
	return xstrndup(s, len);
}

static enum ns ns_of(struct xml_state *st, const xmlChar *uri)
{
	if (uri == NULL)
		return NS_NONE;
	/* URIs come from the parser's dictionary: the same pointer for the same string. */
	for (int i = 0; i < st->ns_cache_n; i++)
		if (st->ns_cache_uri[i] == uri)
			return st->ns_cache_ns[i];
	enum ns ns = NS_OTHER;
	for (size_t i = 0; i < sizeof ns_table / sizeof ns_table[0]; i++)
		if (strcmp((const char *)uri, ns_table[i].uri) == 0) {
			ns = ns_table[i].ns;
			break;
		}
	if (ns == NS_OTHER && strncmp((const char *)uri, "http://purl.org/atom/ns", 23) == 0)
		ns = NS_ATOM03;
	if (st->ns_cache_n < 16) {
		st->ns_cache_uri[st->ns_cache_n] = uri;
		st->ns_cache_ns[st->ns_cache_n] = ns;
		st->ns_cache_n++;
	} else {
		memmove(st->ns_cache_uri + 1, st->ns_cache_uri, 15 * sizeof st->ns_cache_uri[0]);
		memmove(st->ns_cache_ns + 1, st->ns_cache_ns, 15 * sizeof st->ns_cache_ns[0]);
		st->ns_cache_uri[0] = uri;
		st->ns_cache_ns[0] = ns;
	}
	return ns;
}

/* The namespace of an element whose prefix was never declared ("<dc:creator>" without
 * xmlns:dc), from the prefix everybody uses for it. */
static enum ns ns_of_prefix(const char *prefix)
{
	static const struct {
		const char *prefix;
		enum ns ns;
	} known[] = {{"dc", NS_DC},
	             {"dcterms", NS_DCTERMS},
	             {"content", NS_CONTENT},
	             {"atom", NS_ATOM10},
	             {"feedburner", NS_FEEDBURNER},
	             {"itunes", NS_ITUNES},
	             {"rdf", NS_RDF},
	             {"xhtml", NS_XHTML}};
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (strcmp(prefix, known[i].prefix) == 0)
			return known[i].ns;
	return NS_OTHER;
}

static int is_rss_ns(enum ns ns)
{
	return ns == NS_NONE || ns == NS_RSS10 || ns == NS_RSS090 || ns == NS_RSS_USERLAND;
}

static int is_atom_ns(enum ns ns)
{
	return ns == NS_ATOM10 || ns == NS_ATOM03;
}

#define IS(s) (strcmp(name, s) == 0)

/* Classifies an element by namespace and local name. */
static enum el classify(const struct xml_state *st, enum ns ns, const char *name)
{
	switch (ns) {
	case NS_DC:
		if (IS("creator"))
			return EL_DC_CREATOR;
		if (IS("date"))
			return EL_DC_DATE;
		if (IS("subject"))
			return EL_DC_SUBJECT;
		if (IS("language"))
			return EL_DC_LANGUAGE;
		if (IS("title"))
			return EL_DC_TITLE;
		return EL_OTHER;
	case NS_DCTERMS:
		if (IS("modified"))
			return EL_DC_MODIFIED;
		if (IS("issued") || IS("created"))
			return EL_DC_DATE;
		return EL_OTHER;
	case NS_CONTENT:
		return IS("encoded") ? EL_CONTENT_ENCODED : EL_OTHER;
	case NS_FEEDBURNER:
		return IS("origLink") ? EL_ORIGLINK : EL_OTHER;
	case NS_ITUNES:
		return IS("author") ? EL_ITUNES_AUTHOR : EL_OTHER;
	case NS_RDF:
		return IS("RDF") ? EL_RDF : EL_OTHER;
	case NS_OTHER:
	case NS_XHTML:
	case NS_XML:
		return EL_OTHER;
	default:
		break;
	}
	int atom = is_atom_ns(ns) || (st->family == 2 && ns == NS_NONE);
	int rss = is_rss_ns(ns) && st->family != 2;
	switch (name[0]) {
	case 'a':
		if (IS("author"))
			return EL_AUTHOR;
		break;
	case 'c':
		if (rss && IS("channel"))
			return EL_CHANNEL;
		if (IS("category"))
			return EL_CATEGORY;
		if (atom && IS("content"))
			return EL_CONTENT;
		if (atom && IS("created"))
			return EL_CREATED;
		break;
	case 'd':
		if (rss && IS("description"))
			return EL_DESCRIPTION;
		break;
	case 'e':
		if (atom && IS("entry"))
			return EL_ENTRY;
		if (atom && IS("email"))
			return EL_EMAIL;
		if (IS("enclosure"))
			return EL_ENCLOSURE;
		break;
	case 'f':
		if (atom && IS("feed"))
			return EL_FEED;
		break;
	case 'g':
		if (rss && IS("guid"))
			return EL_GUID;
		break;
	case 'i':
		if (rss && IS("item"))
			return EL_ITEM;
		if (atom && IS("id"))
			return EL_ID;
		if (atom && IS("issued"))
			return EL_ISSUED;
		break;
	case 'l':
		if (IS("link"))
			return EL_LINK;
		if (rss && IS("language"))
			return EL_LANGUAGE;
		if (rss && IS("lastBuildDate"))
			return EL_LASTBUILDDATE;
		break;
	case 'm':
		if (atom && IS("modified"))
			return EL_MODIFIED;
		break;
	case 'n':
		if (atom && IS("name"))
			return EL_NAME;
		break;
	case 'p':
		if (rss && IS("pubDate"))
			return EL_PUBDATE;
		if (atom && IS("published"))
			return EL_PUBLISHED;
		break;
	case 'r':
		if (rss && IS("rss"))
			return EL_RSS;
		break;
	case 's':
		if (IS("source"))
			return EL_SOURCE;
		if (atom && IS("summary"))
			return EL_SUMMARY;
		break;
	case 't':
		if (IS("title"))
			return EL_TITLE;
		break;
	case 'u':
		if (atom && IS("updated"))
			return EL_UPDATED;
		break;
	}
	return EL_OTHER;
}

#undef IS

/* Finds an attribute (SAX2 layout: localname, prefix, URI, value, end) by local name in the
 * given namespace (NS_NONE: unprefixed). Returns the value range or NULL. */
static const char *attr_find(struct xml_state *st, const xmlChar **attrs, int nattrs,
                             const char *local, enum ns ns, size_t *len)
{
	for (int i = 0; i < nattrs; i++) {
		const xmlChar **a = attrs + 5 * i;
		if (strcmp((const char *)a[0], local) != 0)
			continue;
		if (ns_of(st, a[2]) != ns)
			continue;
		*len = (size_t)(a[4] - a[3]);
		return (const char *)a[3];
	}
	return NULL;
}

/* Decodes an attribute value: with entity substitution off, libxml2 leaves "&#38;" for "&amp;"
 * and "&name;" for declared or HTML entities in attribute values. */
static char *attr_decode(const char *s, size_t len)
{
	struct buf b;
	buf_init(&b, 0);
	for (size_t i = 0; i < len;) {
		if (s[i] == '&') {
			uint32_t cp;
			size_t n = parse_decode_ref(s + i, len - i, &cp);
			if (n > 0) {
				parse_put_utf8(&b, cp);
				i += n;
				continue;
			}
		}
		size_t j = i + 1;
		while (j < len && s[j] != '&')
			j++;
		buf_append(&b, s + i, j - i);
		i = j;
	}
	return buf_steal(&b, NULL);
}

/* A new decoded, trimmed attribute value, or NULL when absent or empty. */
static char *attr_dup(struct xml_state *st, const xmlChar **attrs, int nattrs, const char *local)
{
	size_t len;
	const char *v = attr_find(st, attrs, nattrs, local, NS_NONE, &len);
	if (v == NULL)
		return NULL;
	char *d = attr_decode(v, len);
	char *t = trim_dup(d, strlen(d));
	free(d);
	return t;
}

static int attr_is(struct xml_state *st, const xmlChar **attrs, int nattrs, const char *local,
                   const char *value)
{
	size_t len;
	const char *v = attr_find(st, attrs, nattrs, local, NS_NONE, &len);
	while (v != NULL && len > 0 && is_ws((unsigned char)*v)) {
		v++;
		len--;
	}
	while (v != NULL && len > 0 && is_ws((unsigned char)v[len - 1]))
		len--;
	return v != NULL && len == strlen(value) && strncasecmp(v, value, len) == 0;
}

static struct entry *cur_entry(struct xml_state *st)
{
	return st->in_entry ? &st->feed->entries[st->entry_index] : NULL;
}

static const char *cur_base(const struct xml_state *st)
{
	return st->base[st->depth];
}

/* A new absolute URL for ref against the current xml:base / document URL. */
static char *resolve(const struct xml_state *st, const char *ref)
{
	const char *base = cur_base(st);
	if (base == NULL)
		return xstrdup(ref);
	return url_resolve(base, ref);
}

static void set_str(char **dst, char *v)
{
	if (v == NULL)
		return;
	if (*dst == NULL) {
		*dst = v;
		return;
	}
	free(v);
}

/* ---- text accumulation ------------------------------------------------------------------ */

static void text_add(struct xml_state *st, const char *s, size_t len)
{
	if (st->truncated)
		return;
	if (st->text.len + len > XML_FIELD_MAX_BYTES) {
		size_t room = XML_FIELD_MAX_BYTES - st->text.len;
		/* Cut at a character boundary. */
		while (room > 0 && ((unsigned char)s[room] & 0xC0) == 0x80)
			room--;
		len = room;
		st->truncated = 1;
	}
	struct buf *b = &st->text;
	if (b->data != NULL && b->len + len < b->size) {
		/* The common case, without buf_append's checks. */
		memcpy(b->data + b->len, s, len);
		b->len += len;
		b->data[b->len] = '\0';
		return;
	}
	buf_append(b, s, len);
}

/* Appends s escaped for HTML text (quote also escaped when in_attr). */
static void text_add_escaped(struct xml_state *st, const char *s, size_t len, int in_attr)
{
	size_t start = 0;
	for (size_t i = 0; i < len; i++) {
		const char *rep = NULL;
		switch (s[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			if (in_attr)
				rep = "&quot;";
			break;
		default:
			break;
		}
		if (rep == NULL)
			continue;
		text_add(st, s + start, i - start);
		text_add(st, rep, strlen(rep));
		start = i + 1;
	}
	text_add(st, s + start, len - start);
}

static int is_void_element(const char *name)
{
	static const char *const v[] = {"br",   "hr",  "img",   "input", "meta",   "link",  "area",
	                                "base", "col", "embed", "param", "source", "track", "wbr"};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		if (strcmp(v[i], name) == 0)
			return 1;
	return 0;
}

static void serialise_name(struct xml_state *st, const xmlChar *local, const xmlChar *prefix,
                           enum ns ns)
{
	if (prefix != NULL && ns != NS_XHTML) {
		text_add(st, (const char *)prefix, strlen((const char *)prefix));
		text_add(st, ":", 1);
	}
	text_add(st, (const char *)local, strlen((const char *)local));
}

static int is_url_attr(const char *name)
{
	return strcasecmp(name, "href") == 0 || strcasecmp(name, "src") == 0 ||
	       strcasecmp(name, "poster") == 0 || strcasecmp(name, "cite") == 0;
}

/* Returns a new copy of the HTML s with the relative URLs of href / src / poster / cite
 * attributes resolved against base (the content element's xml:base, else the document URL). */
static char *html_resolve_urls(const char *s, size_t len, const char *base)
{
	struct buf b;
	size_t i = 0, done = 0;
	buf_init(&b, 0);
	while (i < len) {
		const char *lt = memchr(s + i, '<', len - i);
		if (lt == NULL)
			break;
		i = (size_t)(lt - s) + 1;
		if (i >= len || !((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
			continue;
		while (i < len && s[i] != '>' && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' &&
		       s[i] != '\r' && s[i] != '/')
			i++;
		/* Attributes up to '>'. */
		while (i < len && s[i] != '>') {
			while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' ||
			                   s[i] == '\r' || s[i] == '/'))
				i++;
			size_t ns = i;
			while (i < len && s[i] != '=' && s[i] != '>' && s[i] != ' ' &&
			       s[i] != '\t' && s[i] != '\n' && s[i] != '\r' && s[i] != '/')
				i++;
			size_t nlen = i - ns;
			while (i < len &&
			       (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
				i++;
			if (i >= len || s[i] != '=') {
				if (nlen == 0 && i < len && s[i] != '>')
					i++;
				continue;
			}
			i++;
			while (i < len &&
			       (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
				i++;
			char q = 0;
			if (i < len && (s[i] == '"' || s[i] == '\''))
				q = s[i++];
			size_t vs = i;
			while (i < len && (q ? s[i] != q
			                     : (s[i] != ' ' && s[i] != '>' && s[i] != '\t' &&
			                        s[i] != '\n' && s[i] != '\r')))
				i++;
			size_t vlen = i - vs;
			if (q && i < len)
				i++;
			char name[8];
			if (nlen == 0 || nlen >= sizeof name || vlen == 0)
				continue;
			memcpy(name, s + ns, nlen);
			name[nlen] = '\0';
			if (!is_url_attr(name) || s[vs] == '#')
				continue;
			char *v = xstrndup(s + vs, vlen);
			if (!url_is_absolute(v)) {
				char *abs = url_resolve(base, v);
				if (strcmp(abs, v) != 0) {
					buf_append(&b, s + done, vs - done);
					buf_puts(&b, abs);
					done = vs + vlen;
				}
				free(abs);
			}
			free(v);
		}
	}
	buf_append(&b, s + done, len - done);
	return buf_steal(&b, NULL);
}

static void serialise_start(struct xml_state *st, const xmlChar *local, const xmlChar *prefix,
                            enum ns ns, int nattrs, const xmlChar **attrs)
{
	text_add(st, "<", 1);
	serialise_name(st, local, prefix, ns);
	for (int i = 0; i < nattrs; i++) {
		const xmlChar **a = attrs + 5 * i;
		enum ns ans = ns_of(st, a[2]);
		text_add(st, " ", 1);
		if (ans == NS_XML)
			text_add(st, "xml:", 4);
		serialise_name(st, a[0], ans == NS_XML ? NULL : a[1], ans);
		text_add(st, "=\"", 2);
		char *v = attr_decode((const char *)a[3], (size_t)(a[4] - a[3]));
		if (ans == NS_NONE && is_url_attr((const char *)a[0]) && cur_base(st) != NULL &&
		    v[0] != '\0' && v[0] != '#' && !url_is_absolute(v)) {
			char *abs = url_resolve(cur_base(st), v);
			free(v);
			v = abs;
		}
		text_add_escaped(st, v, strlen(v), 1);
		free(v);
		text_add(st, "\"", 1);
	}
	if (ns == NS_XHTML || ns == NS_NONE) {
		if (is_void_element((const char *)local))
			text_add(st, " /", 2);
	}
	text_add(st, ">", 1);
}

static void serialise_end(struct xml_state *st, const xmlChar *local, const xmlChar *prefix,
                          enum ns ns)
{
	if ((ns == NS_XHTML || ns == NS_NONE) && is_void_element((const char *)local))
		return;
	text_add(st, "</", 2);
	serialise_name(st, local, prefix, ns);
	text_add(st, ">", 1);
}

static void capture(struct xml_state *st, enum field f, enum owner own, enum kind k)
{
	st->field = f;
	st->field_owner = own;
	st->kind = k;
	st->cap_depth = st->depth;
	st->xhtml_div = 0;
	st->xhtml_seen_el = 0;
	st->truncated = 0;
	st->author_name_seen = 0;
	buf_reset(&st->text);
}

/* The kind of an Atom text construct from its type (and Atom 0.3 mode) attributes. */
static enum kind atom_kind(struct xml_state *st, const xmlChar **attrs, int nattrs, int is_content)
{
	size_t tlen = 0, mlen = 0;
	const char *type = attr_find(st, attrs, nattrs, "type", NS_NONE, &tlen);
	const char *mode = attr_find(st, attrs, nattrs, "mode", NS_NONE, &mlen);
	char t[128] = "";
	if (is_content && attr_find(st, attrs, nattrs, "src", NS_NONE, &tlen) != NULL &&
	    !(st->feed->format == FEED_FORMAT_ATOM03))
		return K_SKIP;
	if (type != NULL) {
		type = attr_find(st, attrs, nattrs, "type", NS_NONE, &tlen);
		while (tlen > 0 && is_ws((unsigned char)*type)) {
			type++;
			tlen--;
		}
		if (tlen >= sizeof t)
			tlen = sizeof t - 1;
		for (size_t i = 0; i < tlen; i++)
			t[i] = (char)((type[i] >= 'A' && type[i] <= 'Z') ? type[i] + 32 : type[i]);
		t[tlen] = '\0';
		char *semi = strchr(t, ';');
		if (semi != NULL)
			*semi = '\0';
		for (size_t n = strlen(t); n > 0 && is_ws((unsigned char)t[n - 1]); n--)
			t[n - 1] = '\0';
	}
	if (mode != NULL && mlen == 6 && strncmp(mode, "base64", 6) == 0)
		return K_BASE64;
	int escaped = mode != NULL && mlen == 7 && strncmp(mode, "escaped", 7) == 0;
	if (t[0] == '\0' || strcmp(t, "text") == 0 || strcmp(t, "text/plain") == 0)
		return escaped && st->feed->format == FEED_FORMAT_ATOM03 ? K_HTML : K_TEXT;
	if (strcmp(t, "html") == 0 || strcmp(t, "text/html") == 0)
		return K_HTML;
	if (strcmp(t, "xhtml") == 0 || strcmp(t, "application/xhtml+xml") == 0)
		return escaped ? K_HTML : K_XHTML;
	if (escaped)
		return K_HTML;
	if (strncmp(t, "text/", 5) == 0)
		return K_TEXT;
	size_t n = strlen(t);
	if ((n > 4 && strcmp(t + n - 4, "+xml") == 0) || (n > 4 && strcmp(t + n - 4, "/xml") == 0))
		return K_XHTML;
	return K_SKIP;
}

/* Titles are plain text: type="text" is kept as is (not escaped), html and xhtml are
 * stripped of their markup. */
static enum kind title_kind(enum kind k)
{
	return k == K_TEXT ? K_PLAIN : k;
}

static char *base64_decode(const char *s, size_t len)
{
	struct buf b;
	uint32_t acc = 0;
	int bits = 0;
	buf_init(&b, 0);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		int v;
		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= 'a' && c <= 'z')
			v = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			v = c - '0' + 52;
		else if (c == '+' || c == '-')
			v = 62;
		else if (c == '/' || c == '_')
			v = 63;
		else
			continue;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			char ch = (char)((acc >> bits) & 0xFF);
			buf_append(&b, &ch, 1);
		}
	}
	size_t n;
	char *out = buf_steal(&b, &n);
	/* Decoded bytes must still be UTF-8, without the controls XML forbids. */
	if (parse_utf8_valid_prefix(out, n) != n) {
		free(out);
		return NULL;
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)out[i];
		if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r')
			out[k++] = (char)c;
	}
	out[k] = '\0';
	return out;
}

/* The captured text as the HTML (or NULL) a summary / content field holds. */
static char *html_value(struct xml_state *st)
{
	const char *s = st->text.data ? st->text.data : "";
	size_t len = st->text.len;
	switch (st->kind) {
	case K_SKIP:
		return NULL;
	case K_BASE64: {
		char *d = base64_decode(s, len);
		if (d == NULL)
			return NULL;
		char *t = trim_dup(d, strlen(d));
		free(d);
		return t;
	}
	case K_HTML: {
		const char *base = cur_base(st);
		if (base == NULL || !url_is_absolute(base) || memchr(s, '<', len) == NULL)
			break;
		char *r = html_resolve_urls(s, len, base);
		char *t = trim_dup(r, strlen(r));
		free(r);
		return t;
	}
	case K_PLAIN:
	case K_TEXT:
	case K_XHTML:
		break;
	}
	return trim_dup(s, len);
}

/* ---- entity hooks ----------------------------------------------------------------------- */

static xmlEntityPtr entity_new(const char *name, const char *content, size_t len, int for_attr)
{
	xmlEntityPtr e = xcalloc(1, sizeof *e);
	e->type = XML_ENTITY_DECL;
	e->name = (const xmlChar *)xstrdup(name);
	e->content = (xmlChar *)xstrndup(content, len);
	e->length = (int)len;
	/* In text, a "predefined" entity is handed to the characters callback as is; in an
	 * attribute value an internal one is left as "&name;", which attr_decode() decodes. */
	e->etype = for_attr ? XML_INTERNAL_GENERAL_ENTITY : XML_INTERNAL_PREDEFINED_ENTITY;
	e->checked = 2; /* checked, no '<' */
	return e;
}

static void entity_free(xmlEntityPtr e)
{
	if (e == NULL)
		return;
	free((char *)(uintptr_t)e->name);
	free(e->content);
	/* libxml2 hands a declared entity's raw value to the entity getEntity returns. */
	if (e->orig != NULL)
		xmlFree(e->orig);
	free(e);
}

static int in_attribute(const struct xml_state *st)
{
	return st->ctxt->instate == XML_PARSER_START_TAG ||
	       st->ctxt->instate == XML_PARSER_ATTRIBUTE_VALUE;
}

static xmlEntityPtr get_entity_cb(void *ctx, const xmlChar *name)
{
	struct xml_state *st = ctx;
	int for_attr = in_attribute(st);
	for (int i = 0; i < st->ndecl; i++)
		if (strcmp((const char *)st->decl[i]->name, (const char *)name) == 0)
			return for_attr ? st->decl_attr[i] : st->decl[i];
	const htmlEntityDesc *d = htmlEntityLookup(name);
	if (d == NULL)
		return NULL;
	uint64_t h = hash64(name, strlen((const char *)name));
	size_t slot = (size_t)(h % XML_ENT_SLOTS);
	xmlEntityPtr *tab = for_attr ? st->ent_attr : st->ent_content;
	for (size_t k = 0; k < XML_ENT_SLOTS; k++) {
		size_t s = (slot + k) % XML_ENT_SLOTS;
		if (tab[s] == NULL) {
			struct buf b;
			buf_init(&b, 0);
			parse_put_utf8(&b, d->value);
			tab[s] = entity_new((const char *)name, b.data, b.len, for_attr);
			buf_free(&b);
			return tab[s];
		}
		if (strcmp((const char *)tab[s]->name, (const char *)name) == 0)
			return tab[s];
	}
	return NULL;
}

/* Keeps short, flat internal entity declarations; everything else (external, parameter,
 * nested) is ignored, so nothing can be fetched or amplified. */
static void entity_decl_cb(void *ctx, const xmlChar *name, int type, const xmlChar *publicId,
                           const xmlChar *systemId, xmlChar *content)
{
	struct xml_state *st = ctx;
	(void)publicId;
	(void)systemId;
	if (type != XML_INTERNAL_GENERAL_ENTITY || content == NULL || name == NULL)
		return;
	size_t len = strlen((const char *)content);
	if (len > XML_DECL_ENT_MAX_BYTES || strchr((const char *)content, '&') != NULL ||
	    strchr((const char *)content, '<') != NULL || st->ndecl >= XML_DECL_ENT_MAX)
		return;
	for (int i = 0; i < st->ndecl; i++)
		if (strcmp((const char *)st->decl[i]->name, (const char *)name) == 0)
			return; /* the first declaration wins */
	st->decl[st->ndecl] = entity_new((const char *)name, (const char *)content, len, 0);
	st->decl_attr[st->ndecl] = entity_new((const char *)name, (const char *)content, len, 1);
	st->ndecl++;
}

static void reference_cb(void *ctx, const xmlChar *name)
{
	(void)ctx;
	(void)name;
}

static xmlParserInputPtr resolve_entity_cb(void *ctx, const xmlChar *publicId,
                                           const xmlChar *systemId)
{
	(void)ctx;
	(void)publicId;
	(void)systemId;
	return NULL;
}

static xmlParserInputPtr no_external_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	return NULL;
}

static void error_cb(void *ctx, xmlErrorPtr e)
{
	struct xml_state *st = ctx;
	if (e == NULL || e->level < XML_ERR_ERROR)
		return;
	/* Junk after the root element (a second document, trailing text) changes nothing. */
	if (st->root_ended)
		return;
	st->nerrors++;
	char msg[200];
	snprintf(msg, sizeof msg, "%s", e->message ? e->message : "error");
	size_t n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	if (st->nerrors == 1) {
		st->first_error_line = e->line;
		memcpy(st->first_error, msg, sizeof msg);
	}
	st->fatal_line = e->line;
	st->fatal_code = e->code;
	memcpy(st->fatal_error, msg, sizeof msg);
	if (e->code == XML_ERR_TAG_NAME_MISMATCH && e->str2 != NULL) {
		const char *w = strchr(e->str2, ':');
		snprintf(st->mismatch_end, sizeof st->mismatch_end, "%s", w ? w + 1 : e->str2);
	}
}

/* ---- element handlers ------------------------------------------------------------------- */

static void entry_begin(struct xml_state *st)
{
	struct entry *e = feed_add_entry(st->feed);
	st->entry_index = (size_t)(e - st->feed->entries);
	st->in_entry = 1;
	st->entry_depth = st->depth;
	st->link_prio = 0;
	st->published_weak = 0;
	st->source_depth = 0;
}

static void entry_end(struct xml_state *st)
{
	struct entry *e = cur_entry(st);
	if (e->author == NULL && st->entry_dc_creator != NULL) {
		e->author = st->entry_dc_creator;
		st->entry_dc_creator = NULL;
	}
	if (e->author == NULL && st->entry_itunes_author != NULL) {
		e->author = st->entry_itunes_author;
		st->entry_itunes_author = NULL;
	}
	if (e->author == NULL && st->source_author != NULL) {
		e->author = st->source_author;
		st->source_author = NULL;
	}
	if (e->title == NULL && st->entry_dc_title != NULL) {
		e->title = st->entry_dc_title;
		st->entry_dc_title = NULL;
	}
	if (e->link == NULL && st->entry_guid_link != NULL) {
		e->link = st->entry_guid_link;
		st->entry_guid_link = NULL;
	}
	free(st->entry_dc_creator);
	free(st->entry_itunes_author);
	free(st->entry_dc_title);
	free(st->entry_guid_link);
	free(st->source_author);
	st->entry_dc_creator = st->entry_itunes_author = NULL;
	st->entry_dc_title = st->entry_guid_link = st->source_author = NULL;
	st->in_entry = 0;
}

/* Atom link (also atom:link inside RSS): rel, type, href, length. */
static void atom_link(struct xml_state *st, enum owner own, const xmlChar **attrs, int nattrs,
                      int in_rss)
{
	char *href = attr_dup(st, attrs, nattrs, "href");
	if (href == NULL)
		return;
	char *rel = attr_dup(st, attrs, nattrs, "rel");
	char *type = attr_dup(st, attrs, nattrs, "type");
	const char *r = rel ? rel : "alternate";
	if (strncmp(r, "http://www.iana.org/assignments/relation/", 41) == 0)
		r += 41;
	char *abs = resolve(st, href);
	struct entry *e = cur_entry(st);
	if (own == OWN_SOURCE && e != NULL && e->source != NULL) {
		if (strcmp(r, "self") == 0)
			set_str(&e->source->feed_url, abs);
		else if (strcmp(r, "alternate") == 0)
			set_str(&e->source->link, abs);
		else
			free(abs);
		abs = NULL;
	} else if (strcmp(r, "alternate") == 0) {
		int prio = 4;
		if (type == NULL)
			prio = 4;
		else if (strcasecmp(type, "text/html") == 0 ||
		         strcasecmp(type, "application/xhtml+xml") == 0)
			prio = 5;
		else
			prio = 3;
		if (in_rss)
			prio -= 1;
		int *cur = own == OWN_ENTRY ? &st->link_prio : &st->feed_link_prio;
		char **dst = own == OWN_ENTRY ? &e->link : &st->feed->link;
		if (own == OWN_ENTRY || own == OWN_FEED) {
			if (prio > *cur) {
				free(*dst);
				*dst = abs;
				abs = NULL;
				*cur = prio;
			}
		}
	} else if (strcmp(r, "enclosure") == 0 && own == OWN_ENTRY) {
		int64_t length = -1;
		size_t llen;
		const char *l = attr_find(st, attrs, nattrs, "length", NS_NONE, &llen);
		if (l != NULL) {
			char *ls = attr_decode(l, llen);
			char *t = trim_dup(ls, strlen(ls));
			if (t != NULL && strspn(t, "0123456789") == strlen(t) && strlen(t) < 19)
				length = strtoll(t, NULL, 10);
			free(t);
			free(ls);
		}
		entry_add_enclosure(e, abs, type, length);
	}
	free(abs);
	free(href);
	free(rel);
	free(type);
}

static void rss_enclosure(struct xml_state *st, const xmlChar **attrs, int nattrs)
{
	char *url = attr_dup(st, attrs, nattrs, "url");
	if (url == NULL)
		return;
	char *type = attr_dup(st, attrs, nattrs, "type");
	char *len = attr_dup(st, attrs, nattrs, "length");
	int64_t length = -1;
	if (len != NULL && strspn(len, "0123456789") == strlen(len) && strlen(len) < 19)
		length = strtoll(len, NULL, 10);
	char *abs = resolve(st, url);
	entry_add_enclosure(cur_entry(st), abs, type, length);
	free(abs);
	free(url);
	free(type);
	free(len);
}

/* The root element decides the format. Returns 0 if it is a feed. */
static int root_start(struct xml_state *st, enum ns ns, const char *local, const xmlChar **attrs,
                      int nattrs)
{
	st->root_seen = 1;
	static const char *const html_roots[] = {"html", "head",   "body",     "script", "div",
	                                         "meta", "iframe", "noscript", "table",  "p"};
	for (size_t i = 0; i < sizeof html_roots / sizeof html_roots[0]; i++) {
		if ((ns == NS_NONE || ns == NS_XHTML) && strcasecmp(local, html_roots[i]) == 0) {
			snprintf(st->root_err, sizeof st->root_err,
			         "not a feed: got an HTML document");
			return -1;
		}
	}
	if (strcmp(local, "rss") == 0 && is_rss_ns(ns)) {
		size_t vlen;
		const char *v = attr_find(st, attrs, nattrs, "version", NS_NONE, &vlen);
		while (v != NULL && vlen > 0 && is_ws((unsigned char)*v)) {
			v++;
			vlen--;
		}
		st->feed->format = v != NULL && vlen >= 2 && v[0] == '0' && v[1] == '.'
		                       ? FEED_FORMAT_RSS09X
		                       : FEED_FORMAT_RSS20;
		st->family = 1;
		return 0;
	}
	if (strcmp(local, "RDF") == 0 && ns == NS_RDF) {
		st->feed->format = FEED_FORMAT_RSS10;
		st->family = 1;
		return 0;
	}
	if ((strcmp(local, "feed") == 0 || strcmp(local, "entry") == 0) &&
	    (is_atom_ns(ns) || ns == NS_NONE)) {
		size_t vlen;
		const char *v = attr_find(st, attrs, nattrs, "version", NS_NONE, &vlen);
		st->feed->format = ns == NS_ATOM03 || (ns == NS_NONE && v != NULL && vlen >= 2 &&
		                                       v[0] == '0' && v[1] == '.')
		                       ? FEED_FORMAT_ATOM03
		                       : FEED_FORMAT_ATOM10;
		st->family = 2;
		return 0;
	}
	if (strcmp(local, "channel") == 0 && (ns == NS_RSS10 || ns == NS_NONE)) {
		/* A bare <channel> (RSS without its <rss> wrapper). */
		st->feed->format = ns == NS_RSS10 ? FEED_FORMAT_RSS10 : FEED_FORMAT_RSS20;
		st->family = 1;
		return 0;
	}
	snprintf(st->root_err, sizeof st->root_err, "not a feed: root element <%.100s>", local);
	return -1;
}

static void set_base(struct xml_state *st, const xmlChar **attrs, int nattrs)
{
	size_t len;
	const char *v = attr_find(st, attrs, nattrs, "base", NS_XML, &len);
	st->stack[st->depth].base_owned = NULL;
	st->base[st->depth] = st->base[st->depth - 1];
	if (v == NULL)
		return;
	char *d = attr_decode(v, len);
	char *t = trim_dup(d, strlen(d));
	free(d);
	if (t == NULL)
		return;
	const char *parent = st->base[st->depth - 1];
	char *abs = parent != NULL ? url_resolve(parent, t) : xstrdup(t);
	free(t);
	st->stack[st->depth].base_owned = abs;
	st->base[st->depth] = abs;
}

static void start_cb(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *URI,
                     int nb_namespaces, const xmlChar **namespaces, int nb_attributes,
                     int nb_defaulted, const xmlChar **attrs)
{
	struct xml_state *st = ctx;
	(void)nb_namespaces;
	(void)namespaces;
	(void)nb_defaulted;
	/* Errors before this point have been reported; go on as a forgiving reader would. */
	st->ctxt->wellFormed = 1;
	if (st->halted)
		return;
	if (st->depth >= XML_MAX_DEPTH) {
		st->depth++;
		return;
	}
	st->depth++;
	enum ns ns = ns_of(st, URI);
	if (URI == NULL && prefix != NULL)
		ns = ns_of_prefix((const char *)prefix);
	const char *local = (const char *)localname;
	struct level *lv = &st->stack[st->depth];
	lv->ns = (unsigned char)ns;
	lv->local = localname;
	lv->prefix = prefix;
	set_base(st, attrs, nb_attributes);

	if (st->cap_depth > 0) {
		/* Inside a captured field: markup is content. */
		if (st->kind == K_XHTML && st->depth == st->cap_depth + 1 && !st->xhtml_seen_el &&
		    ns == NS_XHTML && strcmp(local, "div") == 0) {
			st->xhtml_div = st->depth;
		} else if (st->kind == K_XHTML || st->kind == K_HTML) {
			serialise_start(st, localname, prefix, ns, nb_attributes, attrs);
		} else if (st->field == F_AUTHOR && st->depth == st->cap_depth + 1 &&
		           strcmp(local, "name") == 0 && !st->author_name_seen) {
			/* <author><name>N</name><title>T</title></author> in RSS: N. */
			buf_reset(&st->text);
			st->author_name_seen = st->depth;
		}
		st->xhtml_seen_el = 1;
		lv->el = EL_OTHER;
		return;
	}

	if (st->depth == 1) {
		if (root_start(st, ns, local, attrs, nb_attributes) != 0) {
			st->not_feed = 1;
			st->halted = 1;
			xmlStopParser(st->ctxt);
			return;
		}
		size_t llen;
		const char *lang = attr_find(st, attrs, nb_attributes, "lang", NS_XML, &llen);
		if (lang != NULL) {
			char *d = attr_decode(lang, llen);
			set_str(&st->root_lang, trim_dup(d, strlen(d)));
			free(d);
		}
	}
	enum el el = classify(st, ns, local);
	lv->el = (unsigned char)el;
	enum el parent = st->depth > 1 ? (enum el)st->stack[st->depth - 1].el : EL_OTHER;

	if (st->depth == 1) {
		if (el == EL_ENTRY) /* a lone Atom entry document */
			entry_begin(st);
		if (el == EL_CHANNEL && ns == NS_RSS10) {
			char *about = NULL;
			size_t alen;
			const char *a = attr_find(st, attrs, nb_attributes, "about", NS_RDF, &alen);
			if (a != NULL)
				about = attr_decode(a, alen);
			set_str(&st->feed->id, about);
		}
		return;
	}

	/* Who do this element's fields belong to? */
	enum owner own = OWN_NONE;
	if (st->in_entry && st->depth == st->entry_depth + 1)
		own = OWN_ENTRY;
	else if (st->in_entry && st->source_depth > 0 && st->depth == st->source_depth + 1)
		own = OWN_SOURCE;
	else if (!st->in_entry &&
	         (parent == EL_CHANNEL || parent == EL_FEED || (st->depth == 2 && st->family == 2)))
		own = OWN_FEED;
	else if (!st->in_entry && st->depth == 2 && st->family == 1 &&
	         st->stack[1].el == EL_CHANNEL)
		own = OWN_FEED;
	else if (st->in_entry && st->depth == st->entry_depth + 2 && el == EL_CATEGORY &&
	         strcmp((const char *)st->stack[st->depth - 1].local, "categories") == 0)
		own = OWN_ENTRY; /* <categories><category>…</category></categories> */

	/* Items: RSS items are children of channel (2.0) or of rdf:RDF (1.0, 0.90). */
	if (!st->in_entry &&
	    ((el == EL_ITEM && (parent == EL_CHANNEL || parent == EL_RDF || parent == EL_RSS)) ||
	     (el == EL_ENTRY && parent == EL_FEED))) {
		if (ns == NS_RSS090)
			st->feed->format = FEED_FORMAT_RSS09X;
		entry_begin(st);
		if (el == EL_ITEM) {
			size_t alen;
			const char *a = attr_find(st, attrs, nb_attributes, "about", NS_RDF, &alen);
			if (a != NULL)
				cur_entry(st)->id = trim_dup(a, alen);
			if (cur_entry(st)->id != NULL && strchr(cur_entry(st)->id, '&') != NULL) {
				char *d = attr_decode(cur_entry(st)->id, strlen(cur_entry(st)->id));
				free(cur_entry(st)->id);
				cur_entry(st)->id = d;
			}
		}
		return;
	}
	if (el == EL_CHANNEL && ns == NS_RSS090)
		st->feed->format = FEED_FORMAT_RSS09X;
	if (el == EL_CHANNEL && (parent == EL_RDF) && ns == NS_RSS10) {
		size_t alen;
		const char *a = attr_find(st, attrs, nb_attributes, "about", NS_RDF, &alen);
		if (a != NULL)
			set_str(&st->feed->id, attr_decode(a, alen));
	}
	if (own == OWN_NONE) {
		/* Atom author's children. */
		if (st->author_depth > 0 && st->depth == st->author_depth + 1) {
			if (el == EL_NAME)
				capture(st, F_NAME, st->author_owner, K_PLAIN);
			else if (el == EL_EMAIL)
				capture(st, F_EMAIL, st->author_owner, K_PLAIN);
		}
		return;
	}
	int atom = st->family == 2 || is_atom_ns(ns);
	struct entry *e = cur_entry(st);
	switch (el) {
	case EL_TITLE:
		if (atom)
			capture(st, F_TITLE, own,
			        title_kind(atom_kind(st, attrs, nb_attributes, 0)));
		else
			capture(st, F_TITLE, own, K_HTML);
		break;
	case EL_DC_TITLE:
		capture(st, F_DC_TITLE, own, K_HTML);
		break;
	case EL_LINK:
		if (is_atom_ns(ns) || st->family == 2) {
			if (own != OWN_NONE)
				atom_link(st, own, attrs, nb_attributes, st->family == 1);
		} else if (own != OWN_SOURCE) {
			capture(st, F_LINK, own, K_PLAIN);
		}
		break;
	case EL_ORIGLINK:
		if (own == OWN_ENTRY)
			capture(st, F_ORIGLINK, own, K_PLAIN);
		break;
	case EL_GUID:
		if (own == OWN_ENTRY) {
			capture(st, F_GUID, own, K_PLAIN);
			/* isPermaLink: a permalink unless "false". */
			st->guid_not_permalink =
			    attr_is(st, attrs, nb_attributes, "isPermaLink", "false");
		}
		break;
	case EL_ID:
		if (own == OWN_ENTRY || own == OWN_FEED)
			capture(st, F_ID, own, K_PLAIN);
		break;
	case EL_DESCRIPTION:
		if (own == OWN_ENTRY)
			capture(st, F_SUMMARY, own, K_HTML);
		break;
	case EL_SUMMARY:
		if (own == OWN_ENTRY)
			capture(st, F_SUMMARY, own, atom_kind(st, attrs, nb_attributes, 1));
		break;
	case EL_CONTENT:
		if (own == OWN_ENTRY)
			capture(st, F_CONTENT, own, atom_kind(st, attrs, nb_attributes, 1));
		break;
	case EL_CONTENT_ENCODED:
		if (own == OWN_ENTRY)
			capture(st, F_CONTENT, own, K_HTML);
		break;
	case EL_AUTHOR:
		if (is_atom_ns(ns) || st->family == 2) {
			st->author_depth = st->depth;
			st->author_owner = own;
			free(st->author.name);
			free(st->author.email);
			st->author.name = st->author.email = NULL;
		} else if (own == OWN_ENTRY) {
			capture(st, F_AUTHOR, own, K_PLAIN);
		}
		break;
	case EL_ITUNES_AUTHOR:
		if (own == OWN_ENTRY)
			capture(st, F_ITUNES_AUTHOR, own, K_PLAIN);
		break;
	case EL_DC_CREATOR:
		if (own == OWN_ENTRY)
			capture(st, F_DC_CREATOR, own, K_PLAIN);
		break;
	case EL_PUBDATE:
	case EL_PUBLISHED:
	case EL_ISSUED:
		capture(st, F_PUBLISHED, own, K_PLAIN);
		break;
	case EL_CREATED:
	case EL_DC_DATE:
		capture(st, F_DC_DATE, own, K_PLAIN);
		break;
	case EL_UPDATED:
	case EL_MODIFIED:
	case EL_LASTBUILDDATE:
	case EL_DC_MODIFIED:
		capture(st, F_UPDATED, own, K_PLAIN);
		break;
	case EL_CATEGORY:
		if (own == OWN_ENTRY) {
			if (atom && st->family == 2) {
				char *term = attr_dup(st, attrs, nb_attributes, "term");
				if (term != NULL)
					entry_add_category(e, term);
				free(term);
			} else {
				capture(st, F_CATEGORY, own, K_PLAIN);
			}
		}
		break;
	case EL_DC_SUBJECT:
		if (own == OWN_ENTRY)
			capture(st, F_CATEGORY, own, K_PLAIN);
		break;
	case EL_ENCLOSURE:
		if (own == OWN_ENTRY)
			rss_enclosure(st, attrs, nb_attributes);
		break;
	case EL_LANGUAGE:
	case EL_DC_LANGUAGE:
		if (own == OWN_FEED)
			capture(st, F_LANGUAGE, own, K_PLAIN);
		break;
	case EL_SOURCE:
		if (own != OWN_ENTRY || e->source != NULL)
			break;
		e->source = xcalloc(1, sizeof *e->source);
		if (atom && st->family == 2) {
			st->source_depth = st->depth;
		} else {
			char *url = attr_dup(st, attrs, nb_attributes, "url");
			if (url != NULL) {
				e->source->feed_url = resolve(st, url);
				free(url);
			}
			capture(st, F_RSS_SOURCE, own, K_HTML);
		}
		break;
	default:
		break;
	}
}

/* The end of a captured field: store it where it belongs. */
static void field_end(struct xml_state *st)
{
	struct entry *e = cur_entry(st);
	struct feed *f = st->feed;
	const char *s = st->text.data ? st->text.data : "";
	size_t len = st->text.len;
	enum owner own = st->field_owner;
	char *v = NULL;

	switch (st->field) {
	case F_TITLE:
	case F_DC_TITLE:
	case F_RSS_SOURCE:
		if (st->kind == K_SKIP)
			break;
		if (st->kind == K_BASE64) {
			char *d = base64_decode(s, len);
			if (d != NULL)
				v = parse_plain_text(d, strlen(d), 0);
			free(d);
		} else {
			v = parse_plain_text(s, len, st->kind == K_HTML || st->kind == K_XHTML);
		}
		if (st->field == F_RSS_SOURCE) {
			if (e != NULL && e->source != NULL)
				set_str(&e->source->title, v);
			else
				free(v);
		} else if (st->field == F_DC_TITLE) {
			if (own == OWN_ENTRY)
				set_str(&st->entry_dc_title, v);
			else if (own == OWN_FEED)
				set_str(&f->title, v);
			else
				free(v);
		} else if (own == OWN_ENTRY) {
			set_str(&e->title, v);
		} else if (own == OWN_SOURCE) {
			set_str(&e->source->title, v);
		} else {
			set_str(&f->title, v);
		}
		break;
	case F_LINK:
	case F_ORIGLINK: {
		char *t = trim_dup(s, len);
		if (t == NULL)
			break;
		v = resolve(st, t);
		free(t);
		int prio = st->field == F_ORIGLINK ? 6 : 5;
		int *cur = own == OWN_ENTRY ? &st->link_prio : &st->feed_link_prio;
		char **dst = own == OWN_ENTRY ? &e->link : &f->link;
		if (prio > *cur) {
			free(*dst);
			*dst = v;
			*cur = prio;
		} else {
			free(v);
		}
		break;
	}
	case F_GUID:
		v = trim_dup(s, len);
		if (v == NULL)
			break;
		if (!st->guid_not_permalink && url_is_http(v))
			set_str(&st->entry_guid_link, xstrdup(v));
		set_str(&e->id, v);
		break;
	case F_ID:
		v = trim_dup(s, len);
		if (own == OWN_ENTRY)
			set_str(&e->id, v);
		else
			set_str(&f->id, v);
		break;
	case F_SUMMARY:
		v = html_value(st);
		set_str(&e->summary, v);
		break;
	case F_CONTENT:
		v = html_value(st);
		set_str(&e->content, v);
		break;
	case F_AUTHOR:
		v = parse_plain_text(s, len, 0);
		set_str(&e->author, v);
		break;
	case F_DC_CREATOR:
		v = parse_plain_text(s, len, 0);
		set_str(&st->entry_dc_creator, v);
		break;
	case F_ITUNES_AUTHOR:
		v = parse_plain_text(s, len, 0);
		set_str(&st->entry_itunes_author, v);
		break;
	case F_NAME:
		set_str(&st->author.name, parse_plain_text(s, len, 0));
		break;
	case F_EMAIL:
		set_str(&st->author.email, parse_plain_text(s, len, 0));
		break;
	case F_PUBLISHED:
	case F_UPDATED:
	case F_DC_DATE: {
		char *t = trim_dup(s, len);
		int64_t d = parse_date(t, st->opts);
		free(t);
		if (d == FEED_TIME_NONE)
			break;
		if (own == OWN_ENTRY) {
			if (st->field == F_UPDATED) {
				if (e->updated == FEED_TIME_NONE)
					e->updated = d;
			} else if (e->published == FEED_TIME_NONE ||
			           (st->published_weak && st->field == F_PUBLISHED)) {
				/* pubDate / published / issued win over dc:date / created. */
				e->published = d;
				st->published_weak = st->field == F_DC_DATE;
			}
		} else if (own == OWN_FEED) {
			if (st->field == F_UPDATED) {
				if (f->updated == FEED_TIME_NONE)
					f->updated = d;
			} else if (st->feed_pubdate == FEED_TIME_NONE) {
				st->feed_pubdate = d;
			}
		}
		break;
	}
	case F_CATEGORY: {
		char *t = parse_plain_text(s, len, 0);
		if (t != NULL)
			entry_add_category(e, t);
		free(t);
		break;
	}
	case F_LANGUAGE:
		if (own == OWN_FEED)
			set_str(&f->language, trim_dup(s, len));
		break;
	case F_NONE:
		break;
	}
	st->field = F_NONE;
	st->cap_depth = 0;
	st->xhtml_div = 0;
	buf_reset(&st->text);
}

static char *author_string(struct author_acc *a)
{
	char *v = NULL;
	if (a->name != NULL && a->email != NULL)
		v = xasprintf("%s (%s)", a->name, a->email);
	else if (a->name != NULL)
		v = xstrdup(a->name);
	else if (a->email != NULL)
		v = xstrdup(a->email);
	free(a->name);
	free(a->email);
	a->name = a->email = NULL;
	return v;
}

/* Closes the innermost open element. */
static void close_one(struct xml_state *st)
{
	struct level *lv = &st->stack[st->depth];
	if (st->cap_depth > 0) {
		if (st->depth == st->cap_depth) {
			field_end(st);
		} else if (st->depth == st->xhtml_div) {
			st->xhtml_div = 0;
		} else if (st->depth == st->author_name_seen) {
			st->author_name_seen = -1;
		} else if (st->kind == K_XHTML || st->kind == K_HTML) {
			serialise_end(st, lv->local, lv->prefix, (enum ns)lv->ns);
		}
	} else if (st->author_depth == st->depth) {
		char *a = author_string(&st->author);
		struct entry *e = cur_entry(st);
		if (st->author_owner == OWN_ENTRY)
			set_str(&e->author, a);
		else if (st->author_owner == OWN_SOURCE)
			set_str(&st->source_author, a);
		else if (st->author_owner == OWN_FEED)
			set_str(&st->feed_author, a);
		else
			free(a);
		st->author_depth = 0;
	} else if (st->in_entry && st->depth == st->source_depth) {
		st->source_depth = 0;
	} else if (st->in_entry && st->depth == st->entry_depth) {
		entry_end(st);
	}
	if (st->depth == 1)
		st->root_ended = 1;
	free(lv->base_owned);
	lv->base_owned = NULL;
	st->depth--;
}

static void end_cb(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *URI)
{
	struct xml_state *st = ctx;
	(void)URI;
	(void)localname;
	(void)prefix;
	st->ctxt->wellFormed = 1;
	if (st->halted || st->depth == 0)
		return;
	if (st->depth > XML_MAX_DEPTH) {
		st->depth--;
		return;
	}
	if (st->mismatch_end[0] != '\0') {
		/* "<title>a <b>b</title>": libxml2 closes <b> only, and stays one level
		 * deeper than the document from then on. Close up to the element the
		 * end tag names, as a forgiving reader would; an end tag naming no open
		 * element closes one, like libxml2, so the two stacks never cross. */
		int d = st->depth;
		while (d > 0 && strcmp((const char *)st->stack[d].local, st->mismatch_end) != 0)
			d--;
		st->mismatch_end[0] = '\0';
		if (d > 0) {
			while (st->depth >= d)
				close_one(st);
			return;
		}
	}
	close_one(st);
}

static void characters_cb(void *ctx, const xmlChar *ch, int len)
{
	struct xml_state *st = ctx;
	st->ctxt->wellFormed = 1;
	if (st->cap_depth == 0 || len <= 0 || st->author_name_seen < 0)
		return;
	if (st->depth > XML_MAX_DEPTH)
		return;
	switch (st->kind) {
	case K_XHTML:
		/* White space beside the wrapping div is not content. */
		if (st->xhtml_div == 0) {
			int blank = 1;
			for (int i = 0; i < len && blank; i++)
				blank = is_ws(ch[i]);
			if (blank)
				break;
		}
		text_add_escaped(st, (const char *)ch, (size_t)len, 0);
		break;
	case K_TEXT:
		text_add_escaped(st, (const char *)ch, (size_t)len, 0);
		break;
	case K_SKIP:
		break;
	case K_PLAIN:
	case K_HTML:
	case K_BASE64:
		text_add(st, (const char *)ch, (size_t)len);
		break;
	}
}

/* ---- driver ----------------------------------------------------------------------------- */

/* Whether "&..." at s is a reference libxml2 can resolve: numeric, predefined, HTML 4, or
 * declared in the internal subset. Returns 1 yes, 0 no, -1 when more bytes are needed. */
static int known_ref(struct xml_state *st, const char *s, size_t n, int final)
{
	size_t i = 1;
	char name[40];
	size_t k = 0;
	if (n < 2)
		return final ? 0 : -1;
	if (s[1] == '#') {
		int hex = 0;
		i = 2;
		if (i < n && (s[i] == 'x' || s[i] == 'X')) {
			hex = 1;
			i++;
		}
		size_t digits = 0;
		for (; i < n && digits < 10; i++, digits++) {
			unsigned char c = (unsigned char)s[i];
			if (!((c >= '0' && c <= '9') ||
			      (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))))
				break;
		}
		if (i >= n)
			return final ? 0 : -1;
		return digits > 0 && s[i] == ';';
	}
	for (; i < n && k < sizeof name - 1; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == '_'))
			break;
		name[k++] = (char)c;
	}
	if (i >= n && k < sizeof name - 1)
		return final ? 0 : -1;
	if (k == 0 || i >= n || s[i] != ';')
		return 0;
	name[k] = '\0';
	if (strcmp(name, "amp") == 0 || strcmp(name, "lt") == 0 || strcmp(name, "gt") == 0 ||
	    strcmp(name, "quot") == 0 || strcmp(name, "apos") == 0)
		return 1;
	if (htmlEntityLookup((const xmlChar *)name) != NULL)
		return 1;
	for (int d = 0; d < st->ndecl; d++)
		if (strcmp((const char *)st->decl[d]->name, name) == 0)
			return 1;
	/* An internal subset in this chunk may declare it: let libxml2 decide. */
	return st->has_subset;
}

/* Bytes sanitise() looks at: '&', '<' and the C0 controls other than tab, LF and CR. */
static const unsigned char lex_special[256] = {1, 1, 1, 1, 1, 1, 1, 1, 1,         0,        0, 1,
                                               1, 0, 1, 1, 1, 1, 1, 1, 1,         1,        1, 1,
                                               1, 1, 1, 1, 1, 1, 1, 1, ['&'] = 1, ['<'] = 1};

static const char *find3(const char *p, size_t n, const char *pat)
{
	for (size_t i = 0; i + 2 < n; i++) {
		const char *q = memchr(p + i, pat[0], n - i - 2);
		if (q == NULL)
			return NULL;
		i = (size_t)(q - p);
		if (q[1] == pat[1] && q[2] == pat[2])
			return q;
	}
	return NULL;
}

/* Copies up to n bytes of p into out (room for 6 * n bytes) the way a forgiving reader reads
 * them: a bare '&' (not starting a reference we know) becomes "&amp;", the C0 controls XML 1.0
 * forbids are dropped, and in start tags unquoted attribute values get quotes ('<' and '"'
 * inside values are escaped); CDATA sections, comments and processing instructions pass
 * untouched.
 * Returns the bytes of p consumed (a reference or "<![CDATA[" cut by the chunk's end waits for
 * the next chunk) and stores the bytes written in *outlen. */
static size_t sanitise(struct xml_state *st, const char *p, size_t n, int final, char *out,
                       size_t *outlen)
{
	size_t i = 0, o = 0;
	while (i < n) {
		if (st->lex == LEX_TAG) {
			/* Inside a start tag: quote unquoted attribute values, escape '<' and
			 * stray quotes in values, and bare '&' as in text. */
			unsigned char c = (unsigned char)p[i];
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
				i++;
				continue;
			}
			if (c == '&') {
				int k = known_ref(st, p + i, n - i, final);
				if (k < 0)
					break;
				if (k) {
					out[o++] = '&';
				} else {
					memcpy(out + o, "&amp;", 5);
					o += 5;
				}
				i++;
				continue;
			}
			if (st->tag_quote) {
				if (c == st->tag_quote)
					st->tag_quote = 0;
				if (c == '<') {
					memcpy(out + o, "&lt;", 4);
					o += 4;
				} else {
					out[o++] = (char)c;
				}
				i++;
				continue;
			}
			int is_space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
			if (st->tag_unquoted) {
				if (c == '/' && i + 1 >= n && !final)
					break;
				if (is_space || c == '>' ||
				    (c == '/' && i + 1 < n && p[i + 1] == '>')) {
					out[o++] = '"';
					st->tag_unquoted = 0;
					continue; /* the byte is read again outside the value */
				}
				if (c == '"') {
					memcpy(out + o, "&quot;", 6);
					o += 6;
				} else if (c == '<') {
					memcpy(out + o, "&lt;", 4);
					o += 4;
				} else {
					out[o++] = (char)c;
				}
				i++;
				continue;
			}
			if (c == '>' || c == '<') {
				if (c == '>')
					out[o++] = '>';
				st->lex = LEX_TEXT;
				st->tag_after_eq = 0;
				if (c == '>')
					i++;
				continue;
			}
			if (c == '"' || c == '\'') {
				st->tag_quote = (char)c;
				st->tag_after_eq = 0;
			} else if (c == '=') {
				st->tag_after_eq = 1;
			} else if (!is_space && st->tag_after_eq) {
				out[o++] = '"';
				st->tag_unquoted = 1;
				st->tag_after_eq = 0;
				continue;
			}
			out[o++] = (char)c;
			i++;
			continue;
		}
		if (st->lex != LEX_TEXT) {
			size_t take = 0;
			if (st->lex == LEX_PI) {
				for (size_t j = i; j + 1 < n; j++)
					if (p[j] == '?' && p[j + 1] == '>') {
						take = j + 2 - i;
						break;
					}
			} else {
				const char *end =
				    find3(p + i, n - i, st->lex == LEX_CDATA ? "]]>" : "-->");
				if (end != NULL)
					take = (size_t)(end - (p + i)) + 3;
			}
			if (take == 0) {
				/* Keep two bytes back: the terminator may straddle chunks. */
				take = final ? n - i : n - i > 2 ? n - i - 2 : 0;
				memcpy(out + o, p + i, take);
				o += take;
				i += take;
				if (!final)
					break;
				continue;
			}
			memcpy(out + o, p + i, take);
			o += take;
			i += take;
			st->lex = LEX_TEXT;
			continue;
		}
		/* A run of ordinary bytes. */
		size_t j = i;
		while (j < n && !lex_special[(unsigned char)p[j]])
			j++;
		memcpy(out + o, p + i, j - i);
		o += j - i;
		i = j;
		if (i >= n)
			break;
		unsigned char c = (unsigned char)p[i];
		if (c == '<') {
			size_t avail = n - i;
			if (avail < 9 && !final)
				break;
			if (avail >= 9 && memcmp(p + i, "<![CDATA[", 9) == 0) {
				memcpy(out + o, p + i, 9);
				o += 9;
				i += 9;
				st->lex = LEX_CDATA;
			} else if (avail >= 4 && memcmp(p + i, "<!--", 4) == 0) {
				memcpy(out + o, p + i, 4);
				o += 4;
				i += 4;
				st->lex = LEX_COMMENT;
			} else if (avail < 2 ||
			           !(isalpha((unsigned char)p[i + 1]) || p[i + 1] == '_' ||
			             p[i + 1] == ':' || p[i + 1] == '/' || p[i + 1] == '!' ||
			             p[i + 1] == '?' || (unsigned char)p[i + 1] >= 0x80)) {
				/* "1 < 2": a '<' that cannot start markup is text. */
				memcpy(out + o, "&lt;", 4);
				o += 4;
				i++;
			} else if (p[i + 1] == '?') {
				memcpy(out + o, p + i, 2);
				o += 2;
				i += 2;
				st->lex = LEX_PI;
			} else {
				if (avail >= 9 && memcmp(p + i, "<!DOCTYPE", 9) == 0)
					st->has_subset =
					    memchr(p + i, '[', avail < 4096 ? avail : 4096) != NULL;
				out[o++] = '<';
				i++;
				if (i < n && (isalpha((unsigned char)p[i]) || p[i] == '_')) {
					st->lex = LEX_TAG;
					st->tag_quote = 0;
					st->tag_after_eq = 0;
					st->tag_unquoted = 0;
				}
			}
		} else if (c == '&') {
			int k = known_ref(st, p + i, n - i, final);
			if (k < 0)
				break;
			if (k) {
				out[o++] = '&';
			} else {
				memcpy(out + o, "&amp;", 5);
				o += 5;
			}
			i++;
		} else {
			i++; /* a forbidden control character */
		}
	}
	*outlen = o;
	return i;
}

static void state_free(struct xml_state *st)
{
	for (int i = 0; i <= st->depth && i < XML_MAX_DEPTH + 2; i++) {
		free(st->stack[i].base_owned);
		st->stack[i].base_owned = NULL;
	}
	for (size_t i = 0; i < XML_ENT_SLOTS; i++) {
		entity_free(st->ent_content[i]);
		entity_free(st->ent_attr[i]);
	}
	for (int i = 0; i < st->ndecl; i++) {
		entity_free(st->decl[i]);
		entity_free(st->decl_attr[i]);
	}
	free(st->author.name);
	free(st->author.email);
	free(st->entry_dc_creator);
	free(st->entry_itunes_author);
	free(st->entry_dc_title);
	free(st->entry_guid_link);
	free(st->source_author);
	free(st->feed_author);
	free(st->root_lang);
	buf_free(&st->text);
}

/* Same contract as parse_feed(); data is UTF-8 starting at its first '<'. */
struct feed *parse_xml_feed(const char *data, size_t len, const struct parse_opts *opts, char *err,
                            size_t errlen)
{
	static int loader_set;
	if (!loader_set) {
		/* Global to libxml2: nothing outside the document is ever read. */
		xmlSetExternalEntityLoader(no_external_loader);
		loader_set = 1;
	}
	if (errlen > 0)
		err[0] = '\0';

	struct xml_state *st = xcalloc(1, sizeof *st);
	st->opts = opts;
	st->feed = feed_new();
	st->feed_pubdate = FEED_TIME_NONE;
	st->base[0] = opts != NULL ? opts->url : NULL;
	buf_init(&st->text, 0);

	xmlSAXHandler sax;
	memset(&sax, 0, sizeof sax);
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = start_cb;
	sax.endElementNs = end_cb;
	sax.characters = characters_cb;
	sax.ignorableWhitespace = characters_cb;
	sax.cdataBlock = characters_cb;
	sax.getEntity = get_entity_cb;
	sax.entityDecl = entity_decl_cb;
	sax.reference = reference_cb;
	sax.resolveEntity = resolve_entity_cb;
	sax.serror = error_cb;

	st->ctxt = xmlCreatePushParserCtxt(&sax, st, NULL, 0, NULL);
	if (st->ctxt == NULL)
		fatalx("xmlCreatePushParserCtxt failed");
	xmlCtxtUseOptions(st->ctxt, XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_IGNORE_ENC |
	                                XML_PARSE_NOCDATA | XML_PARSE_COMPACT);
	/* xmlCtxtUseOptions must not turn entity substitution or DTD loading on. */
	st->ctxt->replaceEntities = 0;
	st->ctxt->loadsubset = 0;
	st->ctxt->validate = 0;
	st->ctxt->sax->cdataBlock = characters_cb;

	char *scratch = xmalloc(6 * XML_CHUNK_BYTES + 16);
	size_t off = 0;
	while (!st->halted && st->ctxt->instate != XML_PARSER_EOF) {
		size_t n = len - off < XML_CHUNK_BYTES ? len - off : XML_CHUNK_BYTES;
		int last = off + n >= len;
		size_t outlen;
		size_t used = sanitise(st, data + off, n, last, scratch, &outlen);
		off += used;
		last = last && off >= len;
		xmlParseChunk(st->ctxt, scratch, (int)outlen, last);
		if (last)
			break;
	}
	free(scratch);

	struct feed *f = st->feed;
	if (st->not_feed) {
		snprintf(err, errlen, "%s", st->root_err);
		feed_free(f);
		f = NULL;
	} else if (!st->root_seen) {
		if (st->nerrors > 0 && st->fatal_code != XML_ERR_DOCUMENT_END)
			snprintf(err, errlen, "not a feed: line %d: %s", st->first_error_line,
			         st->first_error);
		else
			snprintf(err, errlen, "not a feed: no root element");
		feed_free(f);
		f = NULL;
	} else {
		if (st->in_entry) {
			/* The entry the document broke in is incomplete: drop it. */
			st->in_entry = 0;
			entry_clear(&f->entries[f->nentries - 1]);
			f->nentries--;
		}
		if (!st->root_ended)
			snprintf(err, errlen, "document truncated or broken at line %d: %s",
			         st->fatal_line > 0 ? st->fatal_line
			                            : xmlSAX2GetLineNumber(st->ctxt),
			         st->nerrors == 0 || st->fatal_code == XML_ERR_DOCUMENT_END
			             ? "premature end of data"
			             : st->fatal_error);
		else if (st->nerrors > 0)
			snprintf(err, errlen, "recovered from %d XML error%s, first at line %d: %s",
			         st->nerrors, st->nerrors == 1 ? "" : "s", st->first_error_line,
			         st->first_error);
		if (f->updated == FEED_TIME_NONE)
			f->updated = st->feed_pubdate;
		if (f->language == NULL && st->root_lang != NULL) {
			f->language = st->root_lang;
			st->root_lang = NULL;
		}
		/* RFC 4287 4.2.1: entries without an author inherit the feed's. */
		if (st->feed_author != NULL && st->family == 2)
			for (size_t i = 0; i < f->nentries; i++)
				if (f->entries[i].author == NULL)
					f->entries[i].author = xstrdup(st->feed_author);
	}
	/* libxml2 keeps entity declarations in a stand-in document in SAX mode. */
	if (st->ctxt->myDoc != NULL)
		xmlFreeDoc(st->ctxt->myDoc);
	xmlFreeParserCtxt(st->ctxt);
	state_free(st);
	free(st);
	return f;
}
