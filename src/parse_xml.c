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
 * entity) becomes "&amp;" and the characters XML forbids (C0 controls, U+FFFE) are dropped.
 * Errors do not stop the parse (XML_PARSE_RECOVER); a mismatched end tag closes up to the
 * element it names. A document that ends early keeps the entries completed before it.
 *
 * Speed: libxml2 reads the markup; CDATA sections and long text runs, most of a feed's bytes,
 * go straight to the characters handler when libxml2 is between tags (parse_direct.c), decoded
 * exactly as libxml2 would. That halved `parse`'s time on bench/parse's feed.
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
 *   root's xml:lang.
 * - polling hints, from the channel / feed element's own children only (any format): <ttl>
 *   (minutes, up to a year), <skipHours> (0-23, 24 read as 0), <skipDays> (day names in any
 *   case), sy:updatePeriod / sy:updateFrequency; the first readable value of each counts, and
 *   a bad hour or day is skipped alone (parse_fields.c). */

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
#include "parse_xml_int.h"
#include "url.h"
#include "util.h"

/* Where libxml2 stands in the bytes given to it: in the document's input (a reference being
 * expanded pushes its own on top). */
static uint64_t libxml2_pos(const xmlParserCtxt *c)
{
	const xmlParserInput *in = c->inputNr > 0 ? c->inputTab[0] : NULL;
	if (in == NULL || in->base == NULL || in->cur == NULL || in->cur < in->base)
		return 0;
	return (uint64_t)in->consumed + (uint64_t)(in->cur - in->base);
}

static void error_cb(void *ctx, xmlErrorPtr e)
{
	struct xml_state *st = ctx;
	/* Before a halt libxml2 reports why; the halt then forgets where it stood. */
	if (st->ctxt != NULL)
		st->err_pos = libxml2_pos(st->ctxt);
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

/* What the reader repaired without libxml2 reporting it, added to the warning in err: stray
 * end tags dropped, elements nested past XML_MAX_DEPTH ignored (with their text). */
static void add_repair_warnings(const struct xml_state *st, char *err, size_t errlen)
{
	char more[160] = "";
	if (st->fx_dropped > 0)
		snprintf(more, sizeof more, "dropped %zu stray end tag%s", st->fx_dropped,
		         st->fx_dropped == 1 ? "" : "s");
	if (st->depth_cut)
		snprintf(more + strlen(more), sizeof more - strlen(more),
		         "%snesting deeper than %d levels cut", more[0] != '\0' ? "; " : "",
		         XML_MAX_DEPTH);
	if (more[0] == '\0' || errlen == 0)
		return;
	size_t n = strlen(err);
	snprintf(err + n, errlen - n, "%s%s", n > 0 ? "; " : "", more);
}

/* ---- element handlers ------------------------------------------------------------------- */

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
		const char *v = parse_names_attr_find(st, attrs, nattrs, "version", NS_NONE, &vlen);
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
		const char *v = parse_names_attr_find(st, attrs, nattrs, "version", NS_NONE, &vlen);
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
	const char *v = parse_names_attr_find(st, attrs, nattrs, "base", NS_XML, &len);
	st->stack[st->depth].base_owned = NULL;
	st->base[st->depth] = st->base[st->depth - 1];
	if (v == NULL)
		return;
	char *d = parse_names_attr_decode(v, len);
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

static void xhtml_node_end(struct xml_state *st);

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
	xhtml_node_end(st);
	if (st->depth >= XML_MAX_DEPTH) {
		st->depth_cut = 1;
		st->depth++;
		return;
	}
	st->depth++;
	enum ns ns = parse_names_ns(st, URI);
	if (URI == NULL && prefix != NULL)
		ns = parse_names_ns_of_prefix((const char *)prefix);
	const char *local = (const char *)localname;
	struct level *lv = &st->stack[st->depth];
	lv->ns = (unsigned char)ns;
	lv->local = localname;
	lv->prefix = prefix;
	set_base(st, attrs, nb_attributes);

	if (st->cap_depth > 0) {
		/* Inside a captured field: markup is content. */
		/* Only Atom 1.0 (3.1.1.3) wraps inline XHTML in a div that is not content; in
		 * Atom 0.3 mode="xml" and in <xhtml:body> the div is the author's. */
		if (st->kind == K_XHTML && st->depth == st->cap_depth + 1 && !st->xhtml_seen_el &&
		    ns == NS_XHTML && strcmp(local, "div") == 0 &&
		    (st->stack[st->cap_depth].ns == NS_ATOM10 ||
		     (st->stack[st->cap_depth].ns == NS_NONE &&
		      st->feed->format == FEED_FORMAT_ATOM10))) {
			st->xhtml_div = st->depth;
		} else if (st->kind == K_XHTML || st->kind == K_HTML) {
			parse_text_serialise_start(st, localname, prefix, ns, nb_attributes, attrs);
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
		const char *lang =
		    parse_names_attr_find(st, attrs, nb_attributes, "lang", NS_XML, &llen);
		if (lang != NULL) {
			char *d = parse_names_attr_decode(lang, llen);
			set_str(&st->root_lang, trim_dup(d, strlen(d)));
			free(d);
		}
	}
	enum el el = parse_names_classify(st, ns, local);
	lv->el = (unsigned char)el;
	enum el parent = st->depth > 1 ? (enum el)st->stack[st->depth - 1].el : EL_OTHER;

	if (st->depth == 1) {
		if (el == EL_ENTRY) /* a lone Atom entry document */
			parse_fields_entry_begin(st);
		if (el == EL_CHANNEL && ns == NS_RSS10) {
			char *about = NULL;
			size_t alen;
			const char *a =
			    parse_names_attr_find(st, attrs, nb_attributes, "about", NS_RDF, &alen);
			if (a != NULL)
				about = parse_names_attr_decode(a, alen);
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
		parse_fields_entry_begin(st);
		if (el == EL_ITEM) {
			size_t alen;
			const char *a =
			    parse_names_attr_find(st, attrs, nb_attributes, "about", NS_RDF, &alen);
			if (a != NULL)
				cur_entry(st)->id = trim_dup(a, alen);
			if (cur_entry(st)->id != NULL && strchr(cur_entry(st)->id, '&') != NULL) {
				char *d = parse_names_attr_decode(cur_entry(st)->id,
				                                  strlen(cur_entry(st)->id));
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
		const char *a =
		    parse_names_attr_find(st, attrs, nb_attributes, "about", NS_RDF, &alen);
		if (a != NULL)
			set_str(&st->feed->id, parse_names_attr_decode(a, alen));
	}
	if (own == OWN_NONE) {
		/* Atom author's children. */
		if (st->author_depth > 0 && st->depth == st->author_depth + 1) {
			if (el == EL_NAME)
				parse_text_capture(st, F_NAME, st->author_owner, K_PLAIN);
			else if (el == EL_EMAIL)
				parse_text_capture(st, F_EMAIL, st->author_owner, K_PLAIN);
		} else if (st->skip_depth > 0 && st->depth == st->skip_depth + 1) {
			/* The feed's <skipHours><hour> / <skipDays><day>. */
			if (el == EL_HOUR && parent == EL_SKIPHOURS)
				parse_text_capture(st, F_SKIP_HOUR, OWN_FEED, K_PLAIN);
			else if (el == EL_DAY && parent == EL_SKIPDAYS)
				parse_text_capture(st, F_SKIP_DAY, OWN_FEED, K_PLAIN);
		}
		return;
	}
	int atom = st->family == 2 || is_atom_ns(ns);
	struct entry *e = cur_entry(st);
	switch (el) {
	case EL_TITLE:
		if (atom)
			parse_text_capture(st, F_TITLE, own,
			                   parse_text_title_kind(
			                       parse_text_atom_kind(st, attrs, nb_attributes, 0)));
		else
			parse_text_capture(st, F_TITLE, own, K_HTML);
		break;
	case EL_DC_TITLE:
		parse_text_capture(st, F_DC_TITLE, own, K_HTML);
		break;
	case EL_LINK:
		if (is_atom_ns(ns) || st->family == 2) {
			if (own != OWN_NONE)
				parse_fields_atom_link(st, own, attrs, nb_attributes,
				                       st->family == 1);
		} else if (own != OWN_SOURCE) {
			parse_text_capture(st, F_LINK, own, K_PLAIN);
		}
		break;
	case EL_ORIGLINK:
		if (own == OWN_ENTRY)
			parse_text_capture(st, F_ORIGLINK, own, K_PLAIN);
		break;
	case EL_GUID:
		if (own == OWN_ENTRY) {
			parse_text_capture(st, F_GUID, own, K_PLAIN);
			/* isPermaLink: a permalink unless "false". */
			st->guid_not_permalink =
			    parse_names_attr_is(st, attrs, nb_attributes, "isPermaLink", "false");
		}
		break;
	case EL_ID:
		if (own == OWN_ENTRY || own == OWN_FEED)
			parse_text_capture(st, F_ID, own, K_PLAIN);
		break;
	case EL_DESCRIPTION:
		if (own == OWN_ENTRY)
			parse_text_capture(st, F_SUMMARY, own, K_HTML);
		break;
	case EL_SUMMARY:
		if (own == OWN_ENTRY)
			parse_text_capture(st, F_SUMMARY, own,
			                   parse_text_atom_kind(st, attrs, nb_attributes, 1));
		break;
	case EL_CONTENT:
		if (own == OWN_ENTRY)
			parse_text_capture(st, F_CONTENT, own,
			                   parse_text_atom_kind(st, attrs, nb_attributes, 1));
		break;
	case EL_CONTENT_ENCODED:
		if (own == OWN_ENTRY)
			parse_text_capture(st, F_CONTENT, own, K_HTML);
		break;
	case EL_AUTHOR:
		if (is_atom_ns(ns) || st->family == 2) {
			st->author_depth = st->depth;
			st->author_owner = own;
			free(st->author.name);
			free(st->author.email);
			st->author.name = st->author.email = NULL;
		} else if (own == OWN_ENTRY) {
			parse_text_capture(st, F_AUTHOR, own, K_PLAIN);
		}
		break;
	case EL_ITUNES_AUTHOR:
		if (own == OWN_ENTRY)
			parse_text_capture(st, F_ITUNES_AUTHOR, own, K_PLAIN);
		break;
	case EL_DC_CREATOR:
		if (own == OWN_ENTRY)
			parse_text_capture(st, F_DC_CREATOR, own, K_PLAIN);
		break;
	case EL_PUBDATE:
	case EL_PUBLISHED:
	case EL_ISSUED:
		parse_text_capture(st, F_PUBLISHED, own, K_PLAIN);
		break;
	case EL_CREATED:
	case EL_DC_DATE:
		parse_text_capture(st, F_DC_DATE, own, K_PLAIN);
		break;
	case EL_UPDATED:
	case EL_MODIFIED:
	case EL_LASTBUILDDATE:
	case EL_DC_MODIFIED:
		parse_text_capture(st, F_UPDATED, own, K_PLAIN);
		break;
	case EL_CATEGORY:
		if (own == OWN_ENTRY) {
			if (atom && st->family == 2) {
				char *term = parse_names_attr_dup(st, attrs, nb_attributes, "term");
				if (term != NULL)
					entry_add_category(e, term);
				free(term);
			} else {
				parse_text_capture(st, F_CATEGORY, own, K_PLAIN);
			}
		}
		break;
	case EL_DC_SUBJECT:
		if (own == OWN_ENTRY)
			parse_text_capture(st, F_CATEGORY, own, K_PLAIN);
		break;
	case EL_ENCLOSURE:
		if (own == OWN_ENTRY)
			parse_fields_rss_enclosure(st, attrs, nb_attributes);
		break;
	case EL_LANGUAGE:
	case EL_DC_LANGUAGE:
		if (own == OWN_FEED)
			parse_text_capture(st, F_LANGUAGE, own, K_PLAIN);
		break;
	/* Polling hints count at feed level only. */
	case EL_TTL:
		if (own == OWN_FEED)
			parse_text_capture(st, F_TTL, own, K_PLAIN);
		break;
	case EL_SKIPHOURS:
	case EL_SKIPDAYS:
		if (own == OWN_FEED)
			st->skip_depth = st->depth;
		break;
	case EL_SY_UPDATEPERIOD:
		if (own == OWN_FEED)
			parse_text_capture(st, F_SY_PERIOD, own, K_PLAIN);
		break;
	case EL_SY_UPDATEFREQUENCY:
		if (own == OWN_FEED)
			parse_text_capture(st, F_SY_FREQUENCY, own, K_PLAIN);
		break;
	case EL_SOURCE:
		if (own != OWN_ENTRY || e->source != NULL)
			break;
		e->source = xcalloc(1, sizeof *e->source);
		if (atom && st->family == 2) {
			st->source_depth = st->depth;
		} else {
			char *url = parse_names_attr_dup(st, attrs, nb_attributes, "url");
			if (url != NULL) {
				e->source->feed_url = resolve(st, url);
				free(url);
			}
			parse_text_capture(st, F_RSS_SOURCE, own, K_HTML);
		}
		break;
	default:
		break;
	}
}

/* At a tag: the text node before it has ended; in XHTML content outside the div, one of
 * white space only is dropped. */
static void xhtml_node_end(struct xml_state *st)
{
	if (st->xhtml_node_open && st->xhtml_node_blank && st->cap_depth > 0 &&
	    st->kind == K_XHTML && st->xhtml_node_from <= st->text.len) {
		st->text.len = st->xhtml_node_from;
		if (st->text.data != NULL)
			st->text.data[st->text.len] = '\0';
	}
	st->xhtml_node_open = 0;
}

/* Closes the innermost open element. */
static void close_one(struct xml_state *st)
{
	xhtml_node_end(st);
	struct level *lv = &st->stack[st->depth];
	if (st->cap_depth > 0) {
		if (st->depth == st->cap_depth) {
			parse_fields_end(st);
		} else if (st->depth == st->xhtml_div) {
			st->xhtml_div = 0;
		} else if (st->depth == st->author_name_seen) {
			st->author_name_seen = -1;
		} else if (st->kind == K_XHTML || st->kind == K_HTML) {
			parse_text_serialise_end(st, lv->local, lv->prefix, (enum ns)lv->ns);
		}
	} else if (st->author_depth == st->depth) {
		char *a = parse_fields_author_string(&st->author);
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
	} else if (st->depth == st->skip_depth) {
		st->skip_depth = 0;
	} else if (st->in_entry && st->depth == st->source_depth) {
		st->source_depth = 0;
	} else if (st->in_entry && st->depth == st->entry_depth) {
		parse_fields_entry_end(st);
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

void parse_xml_characters_cb(void *ctx, const xmlChar *ch, int len)
{
	struct xml_state *st = ctx;
	st->ctxt->wellFormed = 1;
	if (st->cap_depth == 0 || len <= 0 || st->author_name_seen < 0)
		return;
	if (st->depth > XML_MAX_DEPTH)
		return;
	switch (st->kind) {
	case K_XHTML:
		/* White space beside the wrapping div is not content: a text node of nothing
		 * else is dropped when it ends (xhtml_node_end), however many calls brought it. */
		if (st->xhtml_div == 0) {
			if (!st->xhtml_node_open) {
				st->xhtml_node_open = 1;
				st->xhtml_node_blank = 1;
				st->xhtml_node_from = st->text.len;
			}
			for (int i = 0; i < len && st->xhtml_node_blank; i++)
				st->xhtml_node_blank = is_ws(ch[i]);
		}
		parse_text_add_escaped(st, (const char *)ch, (size_t)len, 0);
		break;
	case K_TEXT:
		parse_text_add_escaped(st, (const char *)ch, (size_t)len, 0);
		break;
	case K_SKIP:
		break;
	case K_PLAIN:
	case K_HTML:
	case K_BASE64:
		parse_text_add(st, (const char *)ch, (size_t)len);
		break;
	}
}

/* ---- driver ----------------------------------------------------------------------------- */

static void state_free(struct xml_state *st)
{
	for (int i = 0; i <= st->depth && i < XML_MAX_DEPTH + 2; i++) {
		free(st->stack[i].base_owned);
		st->stack[i].base_owned = NULL;
	}
	parse_entities_free(st);
	free(st->fx_pend);
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
static struct feed *xml_run(const char *data, size_t len, const struct parse_reader *r,
                            const struct parse_opts *opts, char *err, size_t errlen);

struct feed *parse_xml_feed(const char *data, size_t len, const struct parse_opts *opts, char *err,
                            size_t errlen)
{
	return xml_run(data, len, NULL, opts, err, errlen);
}

/* Same contract as parse_feed(); r yields UTF-8 starting at its first '<'. */
struct feed *parse_xml_feed_read(const struct parse_reader *r, const struct parse_opts *opts,
                                 char *err, size_t errlen)
{
	return xml_run(NULL, r->len, r, opts, err, errlen);
}

static int parser_running(const struct xml_state *st)
{
	return !st->halted && st->ctxt->instate != XML_PARSER_EOF;
}

/* Hands out[0..n) to libxml2, then counts the stray end tags dropped up to where it has read.
 * Halted (disableSAX: recovery is on, so only a halt sets it), it read up to its last error
 * and reads no more. */
static void parse_chunk(struct xml_state *st, const char *out, size_t n, int terminate)
{
	xmlParseChunk(st->ctxt, out, (int)n, terminate);
	st->fed += n;
	if (st->ctxt->disableSAX)
		parse_fixup_settle(st, st->err_pos, 1);
	else
		parse_fixup_settle(st, libxml2_pos(st->ctxt), terminate);
}

/* Runs the repair pass and libxml2 over p[0..n), and reads the runs the repair pass stops
 * before directly (parse_direct.c) where libxml2 allows it. A direct read may look at, and
 * consume, bytes up to p[avail); final says nothing follows p[avail). Returns the bytes
 * consumed: fewer than n when the rest waits for more input. */
static size_t xml_feed(struct xml_state *st, const char *p, size_t n, size_t avail, int final,
                       char *scratch)
{
	size_t i = 0;
	while (i < n && parser_running(st)) {
		size_t outlen = 0, cdata_lines = 0;
		const char *cdata_end = NULL;
		for (;;) {
			size_t o;
			st->direct = DIRECT_NONE;
			st->fx_out_base = st->fed + outlen;
			i += parse_fixup_chunk(st, p + i, n - i, final && n >= avail,
			                       scratch + outlen, &o);
			outlen += o;
			if (st->direct != DIRECT_CDATA ||
			    (cdata_end = parse_direct_cdata_end(p + i, avail - i, &cdata_lines)) !=
			        NULL)
				break;
			/* A section libxml2 reads goes to it in the same call as what precedes
			 * it: one more xmlParseChunk() in its middle would change how much of it
			 * libxml2 has read when the document ends there. */
			st->direct_declined = 1;
		}
		parse_chunk(st, scratch, outlen, 0);
		if (st->direct == DIRECT_NONE || !parser_running(st))
			break; /* all read, or the rest waits for more input */
		if (st->direct == DIRECT_TEXT)
			i += parse_direct_text(st, p + i, scratch);
		else
			i += parse_direct_cdata(st, p + i, cdata_end, cdata_lines);
		st->direct = DIRECT_NONE;
	}
	return i;
}

/* The document is data[0..len) when r is NULL, else what r reads (len its input's size). */
static struct feed *xml_run(const char *data, size_t len, const struct parse_reader *r,
                            const struct parse_opts *opts, char *err, size_t errlen)
{
	static int loader_set;
	if (!loader_set) {
		/* Global to libxml2: nothing outside the document is ever read. */
		xmlSetExternalEntityLoader(parse_entities_no_external_loader);
		loader_set = 1;
	}
	if (errlen > 0)
		err[0] = '\0';

	struct xml_state *st = xcalloc(1, sizeof *st);
	st->opts = opts;
	st->feed = feed_new();
	st->feed_pubdate = FEED_TIME_NONE;
	st->base[0] = opts != NULL ? opts->url : NULL;
	st->no_direct = opts != NULL && opts->libxml2_only;
	st->ent_budget = len > (SIZE_MAX - XML_ENT_EXPAND_SLACK) / XML_ENT_EXPAND_FACTOR
	                     ? SIZE_MAX
	                     : XML_ENT_EXPAND_FACTOR * len + XML_ENT_EXPAND_SLACK;
	buf_init(&st->text, 0);

	xmlSAXHandler sax;
	memset(&sax, 0, sizeof sax);
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = start_cb;
	sax.endElementNs = end_cb;
	sax.characters = parse_xml_characters_cb;
	sax.ignorableWhitespace = parse_xml_characters_cb;
	sax.cdataBlock = parse_xml_characters_cb;
	sax.getEntity = parse_entities_get_cb;
	sax.entityDecl = parse_entities_decl_cb;
	sax.reference = parse_entities_reference_cb;
	sax.resolveEntity = parse_entities_resolve_cb;
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
	st->ctxt->sax->cdataBlock = parse_xml_characters_cb;

	char *scratch = xmalloc(6 * XML_CHUNK_BYTES + 16);
	if (r == NULL) {
		size_t off = 0;
		while (off < len && parser_running(st)) {
			size_t n = len - off < XML_CHUNK_BYTES ? len - off : XML_CHUNK_BYTES;
			size_t used = xml_feed(st, data + off, n, len - off, 1, scratch);
			if (used == 0)
				break;
			off += used;
		}
	} else {
		/* From a reader: a window of two chunks, refilled to at least one chunk before
		 * each step; what is not consumed (a reference cut by the end) moves to the
		 * front. */
		char *win = xmalloc(2 * XML_CHUNK_BYTES);
		size_t have = 0;
		int eof = 0;
		while (parser_running(st)) {
			while (!eof && have < XML_CHUNK_BYTES) {
				size_t got =
				    r->read(r->ctx, win + have, 2 * XML_CHUNK_BYTES - have);
				eof = got == 0;
				have += got;
			}
			if (have == 0)
				break;
			size_t n = have < XML_CHUNK_BYTES ? have : XML_CHUNK_BYTES;
			size_t used = xml_feed(st, win, n, have, eof, scratch);
			if (used == 0 && eof)
				break;
			memmove(win, win + used, have - used);
			have -= used;
		}
		free(win);
	}
	if (parser_running(st)) {
		/* A CDATA section libxml2 still has open at the end (the repair pass closes the
		 * ones it sees; recovery from broken markup can open others) is closed too:
		 * libxml2 hands an open section over 300 bytes per call, so how much of it it
		 * had read, and the line it reports, would depend on how the bytes were fed. */
		if (st->ctxt->instate == XML_PARSER_CDATA_SECTION)
			parse_chunk(st, "]]>", 3, 0);
		/* checkIndex is where libxml2's last failed look-ahead (for the "?>" of a PI, the
		 * "]]>" of a CDATA section) stopped, for the next chunk to resume it. At the end
		 * libxml2 2.9 parses what it was waiting for without a look-ahead ("<?" without a
		 * target goes as two bytes), so the next one starts at the stale index, past the
		 * "]]>" of a section that follows, and the document looks cut there. Whether it
		 * does depends on whether libxml2 shrank its buffer (which resets the index) after
		 * 4 KiB, so on how many bytes it was given: the direct reads give it fewer. A
		 * restart from where libxml2 stands costs one rescan of the tail. */
		st->ctxt->checkIndex = 0;
		parse_chunk(st, NULL, 0, 1);
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
		add_repair_warnings(st, err, errlen);
		if (f->updated == FEED_TIME_NONE)
			f->updated = st->feed_pubdate;
		parse_fields_hints_end(st);
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
