/* The list columns of the entries table (see store_codec.h): categories and enclosures encoded
 * into one TEXT column each, and decoded back when the merged feed is loaded. */
#include "autoconf.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "store_codec.h"
#include "util.h"

/* Separators of the list columns (categories, enclosures); both are characters XML 1.0 forbids,
 * so no text we serve can contain them. */
#define SEP_FIELD '\x1f'
#define SEP_RECORD '\x1e'

/* Appends s to b with the list separators replaced by spaces. */
static void buf_put_field(struct buf *b, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		char c = (*s == SEP_FIELD || *s == SEP_RECORD) ? ' ' : *s;
		buf_append(b, &c, 1);
	}
}

/* Returns a new string joining the categories, or NULL when there are none. */
char *store_codec_categories_join(const struct entry *e)
{
	if (e->ncategories == 0)
		return NULL;
	struct buf b;
	buf_init(&b, 0);
	for (size_t i = 0; i < e->ncategories; i++) {
		if (i > 0)
			buf_append(&b, "\x1f", 1);
		buf_put_field(&b, e->categories[i]);
	}
	return buf_steal(&b, NULL);
}

/* Returns a new string holding the enclosures, or NULL when there are none. */
char *store_codec_enclosures_join(const struct entry *e)
{
	if (e->nenclosures == 0)
		return NULL;
	struct buf b;
	buf_init(&b, 0);
	for (size_t i = 0; i < e->nenclosures; i++) {
		const struct enclosure *enc = &e->enclosures[i];
		if (i > 0)
			buf_append(&b, "\x1e", 1);
		buf_put_field(&b, enc->url);
		buf_append(&b, "\x1f", 1);
		buf_put_field(&b, enc->type);
		buf_printf(&b, "\x1f%" PRId64, enc->length);
	}
	return buf_steal(&b, NULL);
}

/* Adds to e the categories of a column made by store_codec_categories_join. */
void store_codec_categories_split(struct entry *e, const char *s)
{
	if (s == NULL)
		return;
	for (;;) {
		const char *end = strchr(s, SEP_FIELD);
		size_t n = end != NULL ? (size_t)(end - s) : strlen(s);
		char *term = xstrndup(s, n);
		entry_add_category(e, term);
		free(term);
		if (end == NULL)
			break;
		s = end + 1;
	}
}

/* Adds to e the enclosures of a column made by store_codec_enclosures_join; a record
 * without its three fields is skipped. */
void store_codec_enclosures_split(struct entry *e, const char *s)
{
	if (s == NULL)
		return;
	for (;;) {
		const char *end = strchr(s, SEP_RECORD);
		size_t n = end != NULL ? (size_t)(end - s) : strlen(s);
		char *rec = xstrndup(s, n);
		char *type = strchr(rec, SEP_FIELD);
		char *len = type != NULL ? strchr(type + 1, SEP_FIELD) : NULL;
		if (type != NULL && len != NULL) {
			*type++ = '\0';
			*len++ = '\0';
			entry_add_enclosure(e, rec, *type != '\0' ? type : NULL,
			                    strtoll(len, NULL, 10));
		}
		free(rec);
		if (end == NULL)
			break;
		s = end + 1;
	}
}
