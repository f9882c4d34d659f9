/* The list columns of the entries table: an entry's categories and enclosures, each kept in
 * one TEXT column. Pure: no SQLite here, so the encoding can be tested on its own. */
#ifndef FEEDMERGE_STORE_CODEC_H
#define FEEDMERGE_STORE_CODEC_H

#include "feed.h"

/* Returns a new string joining the categories with 0x1f, or NULL when there are none. */
char *store_codec_categories_join(const struct entry *e);
/* Returns a new string holding the enclosures (url 0x1f type 0x1f length, records joined
 * with 0x1e), or NULL when there are none. */
char *store_codec_enclosures_join(const struct entry *e);
/* Adds to e the categories of a column joined by store_codec_categories_join (NULL: none). */
void store_codec_categories_split(struct entry *e, const char *s);
/* Adds to e the enclosures of a column joined by store_codec_enclosures_join (NULL: none). */
void store_codec_enclosures_split(struct entry *e, const char *s);

#endif
