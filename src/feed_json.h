/* The `feedmerge parse` JSON contract. */
#ifndef FEEDMERGE_FEED_JSON_H
#define FEEDMERGE_FEED_JSON_H

#include <stdio.h>

#include "feed.h"

/* Returns a new string holding one JSON object for f (pretty-printed when pretty). */
char *feed_json_new(const struct feed *f, int pretty);

/* Writes the same object and a newline to fp, never holding all of it. Returns 0, or -1 when a
 * write failed (errno says why). */
int feed_json_write(FILE *fp, const struct feed *f, int pretty);

#endif
