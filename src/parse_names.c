/* Namespaces, element kinds and attributes of the XML feed formats, for the SAX
 * handlers in parse_xml.c: namespaces by URI (cached per document), elements by namespace and
 * local name, attribute values as libxml2 leaves them (entity substitution off). */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse_int.h"
#include "parse_xml_int.h"
#include "util.h"

static const struct {
	const char *uri;
	enum ns ns;
} ns_table[] = {
    {"http://purl.org/rss/1.0/", NS_RSS10},
    {"http://my.netscape.com/rdf/simple/0.9/", NS_RSS090},
    {"http://backend.userland.com/rss2", NS_RSS_USERLAND},
    {"http://blogs.law.harvard.edu/tech/rss", NS_RSS_USERLAND},
    {"http://backend.userland.com/RSS2", NS_RSS_USERLAND},
    {"http://purl.org/rss/2.0/", NS_RSS_USERLAND},
    {"http://purl.org/rss/1.0/modules/rss091#", NS_RSS_USERLAND},
    {"http://www.w3.org/1999/02/22-rdf-syntax-ns#", NS_RDF},
    {"http://www.w3.org/2005/Atom", NS_ATOM10},
    {"http://purl.org/atom/ns#", NS_ATOM03},
    {"http://purl.org/dc/elements/1.1/", NS_DC},
    {"http://purl.org/dc/terms/", NS_DCTERMS},
    {"http://purl.org/rss/1.0/modules/content/", NS_CONTENT},
    {"http://www.w3.org/1999/xhtml", NS_XHTML},
    {"http://rssnamespace.org/feedburner/ext/1.0", NS_FEEDBURNER},
    {"http://www.itunes.com/dtds/podcast-1.0.dtd", NS_ITUNES},
    {"http://purl.org/rss/1.0/modules/syndication/", NS_SY},
    {"http://www.w3.org/XML/1998/namespace", NS_XML},
    {"http://www.w3.org/2000/svg", NS_SVG},
    {"http://www.w3.org/1998/Math/MathML", NS_MATHML},
    {"http://www.w3.org/1999/xlink", NS_XLINK},
    /* Names the Atom 0.3 drafts went by in 2003 ("Echo", "Pie", "Necho"); feeds written
     * against those drafts are otherwise plain Atom 0.3. */
    {"http://purl.org/echo/", NS_ATOM03},
    {"http://purl.org/pie/", NS_ATOM03},
    {"http://example.com/necho", NS_ATOM03},
    {"http://example.com/newformat#", NS_ATOM03},
    {"uri/of/echo/namespace#", NS_ATOM03},
};

enum ns parse_names_ns(struct xml_state *st, const xmlChar *uri)
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
	/* UserLand named RSS 2.0 ".../rss", ".../rss2", ".../rss2.1" over the years. */
	if (ns == NS_OTHER &&
	    strncasecmp((const char *)uri, "http://backend.userland.com/rss", 31) == 0)
		ns = NS_RSS_USERLAND;
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
enum ns parse_names_ns_of_prefix(const char *prefix)
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
	             {"sy", NS_SY},
	             {"rdf", NS_RDF},
	             {"xhtml", NS_XHTML}};
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (strcmp(prefix, known[i].prefix) == 0)
			return known[i].ns;
	return NS_OTHER;
}

#define IS(s) (strcmp(name, s) == 0)

/* Classifies an element by namespace and local name. */
enum el parse_names_classify(const struct xml_state *st, enum ns ns, const char *name)
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
		/* The Dublin Core abstract of an item is its summary (beside a description,
		 * the first of the two is kept). */
		if (IS("description"))
			return EL_DESCRIPTION;
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
	case NS_SY:
		if (IS("updatePeriod"))
			return EL_SY_UPDATEPERIOD;
		if (IS("updateFrequency"))
			return EL_SY_UPDATEFREQUENCY;
		return EL_OTHER;
	case NS_RDF:
		return IS("RDF") ? EL_RDF : EL_OTHER;
	case NS_XHTML:
		/* <xhtml:body> in an RSS item is its full content as inline XHTML (the
		 * "XHTML body" convention of RSS 2.0 feeds; parse_text_atom_kind reads it). */
		return IS("body") ? EL_CONTENT : EL_OTHER;
	case NS_OTHER:
	case NS_XML:
	case NS_SVG:
	case NS_MATHML:
	case NS_XLINK:
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
		if (rss && IS("day"))
			return EL_DAY;
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
		/* Radio UserLand's <fullitem>: the item's full HTML, as content:encoded. */
		if (rss && strcasecmp(name, "fullitem") == 0)
			return EL_CONTENT_ENCODED;
		break;
	case 'g':
		if (rss && IS("guid"))
			return EL_GUID;
		break;
	case 'h':
		if (rss && IS("hour"))
			return EL_HOUR;
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
		if (rss && IS("skipHours"))
			return EL_SKIPHOURS;
		if (rss && IS("skipDays"))
			return EL_SKIPDAYS;
		break;
	case 't':
		if (IS("title"))
			return EL_TITLE;
		if (rss && IS("ttl"))
			return EL_TTL;
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
const char *parse_names_attr_find(struct xml_state *st, const xmlChar **attrs, int nattrs,
                                  const char *local, enum ns ns, size_t *len)
{
	for (int i = 0; i < nattrs; i++) {
		const xmlChar **a = attrs + 5 * i;
		if (strcmp((const char *)a[0], local) != 0)
			continue;
		if (parse_names_ns(st, a[2]) != ns)
			continue;
		*len = (size_t)(a[4] - a[3]);
		return (const char *)a[3];
	}
	return NULL;
}

/* Decodes an attribute value: with entity substitution off, libxml2 leaves "&#38;" for "&amp;"
 * and "&name;" for declared or HTML entities in attribute values. */
char *parse_names_attr_decode(const char *s, size_t len)
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
char *parse_names_attr_dup(struct xml_state *st, const xmlChar **attrs, int nattrs,
                           const char *local)
{
	size_t len;
	const char *v = parse_names_attr_find(st, attrs, nattrs, local, NS_NONE, &len);
	if (v == NULL)
		return NULL;
	char *d = parse_names_attr_decode(v, len);
	char *t = trim_dup(d, strlen(d));
	free(d);
	return t;
}

int parse_names_attr_is(struct xml_state *st, const xmlChar **attrs, int nattrs, const char *local,
                        const char *value)
{
	size_t len;
	const char *v = parse_names_attr_find(st, attrs, nattrs, local, NS_NONE, &len);
	while (v != NULL && len > 0 && is_ws((unsigned char)*v)) {
		v++;
		len--;
	}
	while (v != NULL && len > 0 && is_ws((unsigned char)v[len - 1]))
		len--;
	return v != NULL && len == strlen(value) && strncasecmp(v, value, len) == 0;
}
