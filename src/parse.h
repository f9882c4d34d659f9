/* Feed documents (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed) to struct feed. */
#ifndef FEEDMERGE_PARSE_H
#define FEEDMERGE_PARSE_H

#include <stddef.h>

#include "date.h"
#include "feed.h"

struct parse_opts {
	const char *url; /* the document's URL: base of relative links; may be NULL */
	const char
	    *content_type;   /* HTTP Content-Type (its charset counts, RFC 7303); may be NULL */
	const char *charset; /* forced charset, overriding everything; may be NULL */
	const struct date_zone *zone; /* zone of zone-less dates; NULL: UTC */
	const char *date_format;      /* strptime pattern tried first; may be NULL */
	int libxml2_only; /* tests: libxml2 reads all character data (no direct reads), which
	                     must give the same result */
};

/* Parses a document. Returns the feed (free with feed_free), or NULL when the input is not a
 * feed, with a one-line reason in err ("not a feed: got an HTML document"). A damaged feed
 * (truncated, broken XML) returns the entries before the damage and a one-line warning in err;
 * err is "" when the document was clean. opts may be NULL. */
struct feed *parse_feed(const char *data, size_t len, const struct parse_opts *opts, char *err,
                        size_t errlen);

#endif
