/* Pure formatting of the merged feed (Atom 1.0, RSS 2.0) from the store's merged view. */
#ifndef FEEDMERGE_EMIT_H
#define FEEDMERGE_EMIT_H

#include <stddef.h>
#include <stdint.h>

#include "feed.h"

struct emit_meta {
	const char *title;
	const char *author;
	const char *public_url;  /* ends with '/'; the feeds live at public_url + "feed.atom" … */
	const char *attribution; /* label of the visible attribution line; "" for none */
};

/* Each returns a new document and its length. Same input, same bytes. */
char *emit_atom(const struct merged *m, const struct emit_meta *meta, size_t *len);
char *emit_rss(const struct merged *m, const struct emit_meta *meta, size_t *len);
/* The newest entry date (the feed's updated), FEED_TIME_NONE for an empty feed. */
int64_t emit_updated(const struct merged *m);

#endif
