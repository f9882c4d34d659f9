/* The `feedmerge parse` JSON contract. */
#ifndef FEEDMERGE_FEED_JSON_H
#define FEEDMERGE_FEED_JSON_H

#include "feed.h"

/* Returns a new string holding one JSON object for f (pretty-printed when pretty). */
char *feed_json_new(const struct feed *f, int pretty);

#endif
