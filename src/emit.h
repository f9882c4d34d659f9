/* Pure formatting of the merged feed: no I/O, no clock, so the same input always gives the
 * same bytes (and the same ETag). An emit_doc prepares every entry once (sanitised, titled,
 * attributed); each format then writes the prepared entries. */
#ifndef FEEDMERGE_EMIT_H
#define FEEDMERGE_EMIT_H

#include <stddef.h>
#include <stdint.h>

#include "feed.h"

/* One output the page and the feeds link to (alternates, subscribe links). */
struct emit_link {
	const char *path;  /* relative to public_url: "feed.atom" */
	const char *type;  /* "application/atom+xml" */
	const char *title; /* "Atom" */
};

struct emit_meta {
	const char *title;
	const char *author;
	const char *public_url;        /* ends with '/'; the outputs live at public_url + path */
	const char *attribution;       /* label of the visible attribution line; "" for none */
	const char *original_label;    /* text of the link to the original article; NULL: default */
	const char *also_label;        /* the HTML page's "also in" label; NULL: default */
	const struct emit_link *links; /* the feeds a reader may subscribe to */
	size_t nlinks;
	/* RFC 5005 archives (Atom only), paths under public_url; NULL: none. An archive page
	 * names the feed it archives as current and is marked fh:archive. */
	const char *prev_archive;
	const char *next_archive;
	const char *current;
};

struct emit_doc;

/* Prepares m (borrowed, must outlive the doc) for rendering; meta's strings are borrowed too.
 * emit_doc_free() frees it. */
struct emit_doc *emit_doc_new(const struct merged *m, const struct emit_meta *meta);
void emit_doc_free(struct emit_doc *d);
/* The feed's date: its newest entry, else its sources' newest change, else when the database
 * began; never FEED_TIME_NONE. */
int64_t emit_doc_updated(const struct emit_doc *d);

/* Each returns a new document and its length; self is the output's path under public_url. */
char *emit_atom(const struct emit_doc *d, const char *self, size_t *len);
char *emit_rss(const struct emit_doc *d, const char *self, size_t *len);
char *emit_json(const struct emit_doc *d, const char *self, size_t *len);
char *emit_html(const struct emit_doc *d, const char *self, size_t *len);

/* The health feed: one Atom entry per event (newest first). */
char *emit_health_atom(const struct health_event *ev, size_t n, const struct emit_meta *meta,
                       const char *self, int64_t created_at, size_t *len);

#endif
