/* The SQLite store: sources, entries deduplicated by canonical link, conditional-GET state. */
#ifndef FEEDMERGE_STORE_H
#define FEEDMERGE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "feed.h"

struct store;

/* Opens (creating or migrating) the database at path. NULL on failure, with a one-line reason
 * naming the path in err. */
struct store *store_open(const char *path, char *err, size_t errlen);
void store_close(struct store *s);

/* Records the configured sources (name, url, title, position in the config). Sources no longer
 * configured keep their rows and entries. Returns 0, or -1 after logging. */
int store_sync_sources(struct store *s, const struct config *c);

/* The validators from the last successful fetch of source at url (new strings or NULL). */
int store_get_validators(struct store *s, const char *source, const char *url, char **etag,
                         char **last_modified);

/* Stores one fetched feed in one transaction: upserts its entries, records validators and the
 * fetch time. seen_at is the start of the poll round: entries first seen in the same round by
 * several sources are attributed to the source listed first in the config. *new_entries (may
 * be NULL) counts entries the store had not seen. Returns 0, or -1 after logging (nothing
 * stored). */
int store_commit_fetch(struct store *s, const char *source, const char *url, const struct feed *f,
                       const char *etag, const char *last_modified, int64_t seen_at,
                       size_t *new_entries);

/* Records a successful fetch that returned 304 Not Modified. */
int store_mark_not_modified(struct store *s, const char *source, int64_t at);

/* Fills out with the newest limit entries by date and every configured source. */
int store_load_merged(struct store *s, size_t limit, struct merged *out);

#endif
