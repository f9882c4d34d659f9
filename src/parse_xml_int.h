/* Internal interface between the files of the XML feed parser: parse_xml.c (the driver and
 * SAX handlers), parse_names.c, parse_text.c, parse_fields.c, parse_entities.c and
 * parse_fixup.c. Nothing outside them includes it. */
#ifndef FEEDMERGE_PARSE_XML_INT_H
#define FEEDMERGE_PARSE_XML_INT_H

#include <stdint.h>
#include <stdlib.h>

#include <libxml/parser.h>

#include "feed.h"
#include "parse.h"
#include "url.h"
#include "util.h"

#define XML_MAX_DEPTH 256
#define XML_FIELD_MAX_BYTES (4u << 20)
#define XML_CHUNK_BYTES 65536
#define XML_ENT_SLOTS 512
#define XML_DECL_ENT_MAX 64
#define XML_DECL_ENT_MAX_BYTES 1024
/* Declared entities expand to at most 8 times the document plus 1 MiB: a 1000-byte entity
 * referenced 2M times (6 MB) pushed ~2 GB of text through the callbacks. */
#define XML_ENT_EXPAND_FACTOR 8
#define XML_ENT_EXPAND_SLACK ((size_t)1 << 20)
/* Attributes and namespace declarations kept per start tag: libxml2 2.9 checks each one against
 * all earlier ones (quadratic: 200k attributes took 24 s). */
#define XML_MAX_ATTRS 64
/* Text runs at least this long after a start tag are read directly (parse_direct.c): below it,
 * the extra xmlParseChunk() call costs more than libxml2's own reading of the run. */
#define XML_DIRECT_MIN_TEXT 32

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
	NS_SY, /* the RSS 1.0 Syndication module */
	NS_XML,
	NS_SVG, /* inline XHTML content: SVG, MathML and XLink (issue 13) */
	NS_MATHML,
	NS_XLINK,
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
	EL_TTL,
	EL_SKIPHOURS,
	EL_SKIPDAYS,
	EL_HOUR,
	EL_DAY,
	EL_SY_UPDATEPERIOD,
	EL_SY_UPDATEFREQUENCY,
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
	F_TTL,
	F_SKIP_HOUR,
	F_SKIP_DAY,
	F_SY_PERIOD,
	F_SY_FREQUENCY,
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

/* Stray end tags the repair pass dropped where the bytes it gives libxml2 reach offset at. */
struct fx_pending {
	uint64_t at;
	size_t n;
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
	/* Polling hints: the depth of the feed's <skipHours> or <skipDays> being read (0 when
	 * none), and the first sy:updatePeriod (seconds) and sy:updateFrequency seen: 0 absent,
	 * -1 unreadable. parse_fields_hints_end() turns the two into feed->update_period_s. */
	int skip_depth;
	int64_t sy_period_s;
	int64_t sy_frequency;

	/* The field being captured. */
	enum field field;
	enum owner field_owner;
	enum kind kind;
	int cap_depth;     /* depth of the captured element, 0 when not capturing */
	int xhtml_div;     /* depth of the wrapping xhtml div while inside it, else 0 */
	int xhtml_seen_el; /* an element child was seen under the captured element */
	/* K_XHTML outside the div: the text node being read (libxml2 may hand one over in several
	 * calls), whether it is all white space so far, and where it began in text. */
	int xhtml_node_open, xhtml_node_blank;
	size_t xhtml_node_from;
	int guid_not_permalink;
	int published_weak;   /* the entry's published date came from dc:date / created */
	int author_name_seen; /* depth of <name> inside an RSS <author>, -1 once it closed */
	int base64_markup;    /* K_BASE64: the decoded text is HTML or XHTML (its type) */

	/* Lexical state of sanitise() across chunks. */
	enum { LEX_TEXT, LEX_CDATA, LEX_COMMENT, LEX_PI, LEX_TAG } lex;
	char tag_quote;      /* in LEX_TAG: the quote of the value being copied, or 0 */
	int tag_after_eq;    /* in LEX_TAG: '=' seen, the value not started */
	int tag_unquoted;    /* in LEX_TAG: inside a value we quote ourselves */
	int tag_nattrs;      /* in LEX_TAG: attributes (and xmlns) of the tag so far */
	int tag_drop;        /* in LEX_TAG: past XML_MAX_ATTRS, the rest of the tag is dropped */
	char tag_drop_quote; /* in tag_drop: the quote of the value being dropped, or 0 */
	/* The repair pass's element stack, as libxml2 will hold it: a hash of each open element's
	 * name as written (ASCII case folded). An end tag naming no open element is dropped:
	 * libxml2 would close the current element with it (issue 13: "</image>" closing the
	 * channel and losing the fields after it). */
	uint32_t fx_stack[XML_MAX_DEPTH + 2];
	int fx_depth;      /* open elements (may pass XML_MAX_DEPTH: then not all named) */
	int fx_in_name;    /* LEX_TAG: still in the element's name */
	uint32_t fx_hash;  /* the name's hash so far */
	char fx_last_out;  /* the last byte the previous chunk wrote */
	size_t fx_dropped; /* stray end tags dropped where libxml2 has read */
	/* Those dropped where libxml2 has not read yet (oldest from fx_pend_head), by where in
	 * its input they were cut: it may stop before them (a fatal error, junk after the root)
	 * and never read there, and a chunk is repaired whole before it reads any of it. */
	struct fx_pending *fx_pend;
	size_t fx_pend_head, fx_pend_n, fx_pend_cap;
	uint64_t fx_out_base; /* where in libxml2's input parse_fixup_chunk()'s out goes */
	uint64_t fed;         /* bytes given to xmlParseChunk() so far */
	uint64_t err_pos;     /* where libxml2 stood in them at its last error */
	int depth_cut;        /* an element nested deeper than XML_MAX_DEPTH was ignored */
	int has_subset;
	int no_direct; /* no direct reads: a DOCTYPE (its entities are libxml2's to expand) */
	/* A run parse_fixup_chunk() stopped before, for the driver to read directly: */
	enum { DIRECT_NONE, DIRECT_TEXT, DIRECT_CDATA } direct;
	size_t direct_len;   /* DIRECT_TEXT: the run's length (it ends before a '<') */
	int direct_declined; /* the driver declined the CDATA section at the current byte */
	int markup_seen;     /* a '<' starting markup was seen */
	int in_decl;         /* in LEX_PI: the XML declaration */
	int after_decl;      /* the declaration ended, no markup since */
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
	size_t ent_expanded;    /* bytes of declared entities handed to the parser so far */
	size_t ent_budget;      /* ... and the most it gets: XML_ENT_EXPAND_FACTOR * size + slack */
	int ent_refused;        /* the budget ran out */
	xmlEntityPtr ent_empty; /* what a refused reference expands to */
};

static inline int is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Narrows *s[0..*len) to its part without surrounding white space. */
static inline void trim_range(const char **s, size_t *len)
{
	while (*len > 0 && is_ws((unsigned char)(*s)[0])) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && is_ws((unsigned char)(*s)[*len - 1]))
		(*len)--;
}

/* A new copy of s[0..len) without surrounding white space; NULL when empty. */
static inline char *trim_dup(const char *s, size_t len)
{
	trim_range(&s, &len);
	if (len == 0)
		return NULL;
	return xstrndup(s, len);
}

static inline int is_rss_ns(enum ns ns)
{
	return ns == NS_NONE || ns == NS_RSS10 || ns == NS_RSS090 || ns == NS_RSS_USERLAND;
}

static inline int is_atom_ns(enum ns ns)
{
	return ns == NS_ATOM10 || ns == NS_ATOM03;
}

static inline struct entry *cur_entry(struct xml_state *st)
{
	return st->in_entry ? &st->feed->entries[st->entry_index] : NULL;
}

static inline const char *cur_base(const struct xml_state *st)
{
	return st->base[st->depth];
}

/* A new absolute URL for ref against the current xml:base / document URL. */
static inline char *resolve(const struct xml_state *st, const char *ref)
{
	const char *base = cur_base(st);
	if (base == NULL)
		return xstrdup(ref);
	return url_resolve(base, ref);
}

static inline void set_str(char **dst, char *v)
{
	if (v == NULL)
		return;
	if (*dst == NULL) {
		*dst = v;
		return;
	}
	free(v);
}

/* parse_names.c */
/* The namespace of a URI from the parser's dictionary (NS_NONE for NULL). */
enum ns parse_names_ns(struct xml_state *st, const xmlChar *uri);
/* The namespace usually bound to an undeclared prefix, else NS_OTHER. */
enum ns parse_names_ns_of_prefix(const char *prefix);
/* Classifies an element by namespace and local name. */
enum el parse_names_classify(const struct xml_state *st, enum ns ns, const char *name);
/* An attribute's raw value range (SAX2 layout), by local name and namespace; NULL if absent. */
const char *parse_names_attr_find(struct xml_state *st, const xmlChar **attrs, int nattrs,
                                  const char *local, enum ns ns, size_t *len);
/* A new copy of an attribute value with its references decoded. */
char *parse_names_attr_decode(const char *s, size_t len);
/* A new decoded, trimmed unprefixed attribute value; NULL when absent or empty. */
char *parse_names_attr_dup(struct xml_state *st, const xmlChar **attrs, int nattrs,
                           const char *local);
/* Whether an unprefixed attribute equals value (trimmed, ASCII case-insensitive). */
int parse_names_attr_is(struct xml_state *st, const xmlChar **attrs, int nattrs, const char *local,
                        const char *value);

/* parse_text.c */
/* Appends to the captured text (at most XML_FIELD_MAX_BYTES, cut at a character). */
void parse_text_add(struct xml_state *st, const char *s, size_t len);
/* Appends s escaped for HTML text (quote also escaped when in_attr). */
void parse_text_add_escaped(struct xml_state *st, const char *s, size_t len, int in_attr);
/* Appends a start / end tag of a child element of captured HTML or XHTML. */
void parse_text_serialise_start(struct xml_state *st, const xmlChar *local, const xmlChar *prefix,
                                enum ns ns, int nattrs, const xmlChar **attrs);
void parse_text_serialise_end(struct xml_state *st, const xmlChar *local, const xmlChar *prefix,
                              enum ns ns);
/* Starts capturing the text of the current element as field f. */
void parse_text_capture(struct xml_state *st, enum field f, enum owner own, enum kind k);
/* The kind of an Atom text construct from its type (and Atom 0.3 mode) attributes. */
enum kind parse_text_atom_kind(struct xml_state *st, const xmlChar **attrs, int nattrs,
                               int is_content);
/* The kind a title of kind k is read as (titles are plain text). */
enum kind parse_text_title_kind(enum kind k);
/* A new string from base64 s, NULL when it is not valid UTF-8. */
char *parse_text_base64_decode(const char *s, size_t len);
/* A new string: the captured text as a summary / content holds it, or NULL. */
char *parse_text_html_value(struct xml_state *st);

/* parse_entities.c: SAX hooks (the entities returned stay owned by st). */
xmlEntityPtr parse_entities_get_cb(void *ctx, const xmlChar *name);
void parse_entities_decl_cb(void *ctx, const xmlChar *name, int type, const xmlChar *publicId,
                            const xmlChar *systemId, xmlChar *content);
void parse_entities_reference_cb(void *ctx, const xmlChar *name);
xmlParserInputPtr parse_entities_resolve_cb(void *ctx, const xmlChar *publicId,
                                            const xmlChar *systemId);
xmlParserInputPtr parse_entities_no_external_loader(const char *url, const char *id,
                                                    xmlParserCtxtPtr ctxt);
/* Whether "&..." at s is a reference libxml2 can resolve: 1, 0, -1 when more bytes are needed. */
int parse_entities_known_ref(struct xml_state *st, const char *s, size_t n, int final);
/* Frees the entities handed to libxml2 during the document. */
void parse_entities_free(struct xml_state *st);

/* parse_fixup.c */
/* Repairs up to n bytes of p into out (room for 6 * n); returns the bytes of p consumed. Stops
 * early, with st->direct set, before a run the driver may read directly. */
size_t parse_fixup_chunk(struct xml_state *st, const char *p, size_t n, int final, char *out,
                         size_t *outlen);
/* libxml2 has read up to offset pos of its input: the stray end tags dropped up to there count.
 * stopped: it reads nothing more, and those dropped past pos never will. */
void parse_fixup_settle(struct xml_state *st, uint64_t pos, int stopped);

/* parse_direct.c */
/* Reads the text run of st->direct_len bytes at p straight into the handlers (decoded into
 * scratch, room for the run); returns the bytes consumed, 0 when libxml2 must read it. */
size_t parse_direct_text(struct xml_state *st, const char *p, char *scratch);
/* The "]]>" ending the CDATA section at p ("<![CDATA[...", avail bytes there), with its LFs in
 * *lines; NULL when it goes on past them or holds a character the repair pass drops (then
 * libxml2 reads it). */
const char *parse_direct_cdata_end(const char *p, size_t avail, size_t *lines);
/* Reads the CDATA section at p, ending at end, straight into the handlers; returns the bytes
 * consumed, 0 when libxml2 must read it. */
size_t parse_direct_cdata(struct xml_state *st, const char *p, const char *end, size_t lines);

/* parse_xml.c: the character data handler parse_direct.c feeds. */
void parse_xml_characters_cb(void *ctx, const xmlChar *ch, int len);

/* parse_fields.c */
/* Starts / ends an entry (an end applies the fallbacks: dc:creator, guid link, ...). */
void parse_fields_entry_begin(struct xml_state *st);
void parse_fields_entry_end(struct xml_state *st);
/* An Atom link (also atom:link inside RSS): rel, type, href, length. */
void parse_fields_atom_link(struct xml_state *st, enum owner own, const xmlChar **attrs, int nattrs,
                            int in_rss);
/* An RSS <enclosure>. */
void parse_fields_rss_enclosure(struct xml_state *st, const xmlChar **attrs, int nattrs);
/* The end of a captured field: stores it where it belongs. */
void parse_fields_end(struct xml_state *st);
/* A new "name (email)" string from a (emptied), or NULL. */
char *parse_fields_author_string(struct author_acc *a);
/* At the end of the document: the update period from sy:updatePeriod / sy:updateFrequency. */
void parse_fields_hints_end(struct xml_state *st);

#endif
