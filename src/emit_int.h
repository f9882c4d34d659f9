/* Shared by the emit*.c files only: the prepared entries and the writing helpers. */
#ifndef FEEDMERGE_EMIT_INT_H
#define FEEDMERGE_EMIT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "emit.h"
#include "util.h"

/* Text of the attribution line's link to the original article, and of the page's list of the
 * other sources that carried a story. */
#define EMIT_ORIGINAL_LABEL "Link bài gốc"
#define EMIT_ALSO_LABEL "Cũng có trên"
/* The attribute that marks the visible attribution line, so that a feedmerge stacked over
 * this one drops it and writes its own (data-* survives other readers' sanitisers or is
 * dropped by them with no harm). */
#define EMIT_ATTRIBUTION_MARK "data-feedmerge=\"attribution\""
/* The namespace of feedmerge's extension elements (fm:carrier), in Atom and RSS alike. */
#define EMIT_NS "urn:feedmerge:1.0"

/* Whom an entry is credited to. All borrowed, any may be NULL; links are public (http or
 * https, no userinfo). */
struct emit_credit {
	const char *title;
	const char *feed_url;
	const char *site;
	const char *lang; /* a well-formed language tag */
	int64_t updated;
	int64_t
	    first_seen; /* when this source first carried the entry; FEED_TIME_NONE if unknown */
};

/* An entry as every output shows it, prepared once per render. */
struct emit_item {
	const struct merged_entry *me; /* borrowed */
	char *id;                      /* owned: absolute, unique in the document */
	const char *link;              /* borrowed: the public link, or NULL */
	char *title;                   /* owned: never empty */
	char *summary;                 /* owned: sanitised, NULL when blank */
	char *content;                 /* owned: sanitised, NULL when blank */
	const char *author;            /* borrowed: its own, else the feed's author */
	const char *author_email;      /* borrowed: its author's address when well-formed */
	struct emit_credit credit;     /* the primary attribution */
	struct emit_credit *also;      /* owned: the other sources that carried it */
	size_t nalso;
	char *attribution; /* owned: the visible attribution line (HTML), or NULL */
	int64_t published; /* FEED_TIME_NONE, else clamped to the entry's date rules */
	int64_t updated;   /* never FEED_TIME_NONE */
	int64_t date;      /* the merged feed's order key */
};

struct emit_doc {
	const struct merged *m; /* borrowed */
	struct emit_meta meta;  /* strings borrowed; never NULL but links */
	struct emit_item *items;
	size_t nitems;
	int64_t updated;      /* see emit_doc_updated */
	const char *lang;     /* the language all entries' sources agree on, else NULL */
	char lang_primary[9]; /* lang when they agree on its primary subtag only */
};

/* True when s would print as nothing (NULL, blanks, characters XML forbids). */
int emit_blank(const char *s);
/* Appends s as XML character data (attr: as an attribute value, quotes escaped too), dropping
 * what XML 1.0 forbids and replacing invalid UTF-8 with U+FFFD. */
void emit_put_text(struct buf *b, const char *s, int attr);
/* Appends <name>text</name> and a newline. */
void emit_put_elem(struct buf *b, const char *name, const char *text);
/* Appends <name>ISO 8601 time</name> and a newline. */
void emit_put_iso(struct buf *b, const char *name, int64_t t);
/* t within the years 0001 to 9999 (xsd:dateTime, RFC 822 writers). */
int64_t emit_clamp_time(int64_t t);
/* Appends <elem rel= href= type=/> (nothing when href is blank). */
void emit_put_link(struct buf *b, const char *elem, const char *rel, const char *href,
                   const char *type);
/* True for a media type the Atom schema accepts. */
int emit_media_type_ok(const char *t);
/* s when it may be published as a link (absolute http or https, no userinfo), else NULL. */
const char *emit_public_link(const char *s);
/* Returns a new string: html, then the visible attribution line on its own line (either may
 * be NULL; "" when both are), cleaned for XML: what ends an entry's content in every format. */
char *emit_with_attribution_dup(const char *html, const char *attribution);
/* Appends <fm:carrier title= href= site= first-seen=/>: another source that carried an
 * entry, in Atom and RSS alike (namespace EMIT_NS). */
void emit_put_carrier(struct buf *b, const struct emit_credit *c);
/* Returns a new string: public_url + path. */
char *emit_url_dup(const struct emit_doc *d, const char *path);
/* The credit of carrier c of an entry. */
struct emit_credit emit_carrier_credit(const struct merged *m, const struct merged_carrier *c);
/* Returns a new string: the plain text of an HTML fragment, at most max code points. */
char *emit_html_text_dup(const char *html, size_t max);

#endif
