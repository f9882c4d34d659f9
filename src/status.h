/* The sources' status (which are sick, since when, what they said): /status as JSON and as an
 * HTML table with a few weeks of history drawn inline, and `feedmerge status` as text. Pure
 * formatting of what store_load_status read. */
#ifndef FEEDMERGE_STATUS_H
#define FEEDMERGE_STATUS_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* Days of history drawn and listed. */
#define STATUS_DAYS 28

/* What state a source is in, in one word: ok, failing, blocked, gone, paused, new. */
const char *status_state(const struct store_source_status *ss, int enabled);

/* Each returns a new document (the caller frees it) and its length. enabled[i] says whether
 * st->sources[i] is polled (NULL: all are). now dates the document. */
char *status_json(const struct store_status *st, const int *enabled, int64_t now, size_t *len);
char *status_html(const struct store_status *st, const int *enabled, int64_t now, size_t *len);
char *status_text(const struct store_status *st, const int *enabled, int64_t now, size_t *len);

#endif
