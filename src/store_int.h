/* Shared by the store*.c files only: the handle's database and the column helpers. */
#ifndef FEEDMERGE_STORE_INT_H
#define FEEDMERGE_STORE_INT_H

#include <sqlite3.h>
#include <stdint.h>

#include "feed.h"
#include "store.h"
#include "util.h"

/* The store's connection (borrowed). */
sqlite3 *store_db(struct store *s);
/* The database file's path (borrowed). */
const char *store_path(const struct store *s);
/* Logs the current SQLite error for a source (NULL: for a task) once. */
void store_log_error(struct store *s, const char *source, const char *what);

static inline int bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

static inline int bind_time(sqlite3_stmt *st, int i, int64_t t)
{
	if (t == FEED_TIME_NONE)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_int64(st, i, t);
}

static inline char *column_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *v = sqlite3_column_text(st, i);
	return v == NULL ? NULL : xstrdup((const char *)v);
}

static inline int64_t column_time(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return FEED_TIME_NONE;
	return sqlite3_column_int64(st, i);
}

#endif
