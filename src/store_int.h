/* Shared by the store*.c files only: the handle's database and the column helpers. */
#ifndef FEEDMERGE_STORE_INT_H
#define FEEDMERGE_STORE_INT_H

#include <sqlite3.h>
#include <stdint.h>
#include <string.h>

#include "feed.h"
#include "store.h"
#include "util.h"

enum store_stmt {
	ST_BEGIN,
	ST_BEGIN_READ,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_SAVEPOINT,
	ST_RELEASE,
	ST_ROLLBACK_TO,
	ST_SOURCE_ENSURE,
	ST_SOURCE_GET,
	ST_SOURCE_IDENTITY,
	ST_SOURCE_FETCHED,
	ST_SOURCE_NOT_MODIFIED,
	ST_SOURCE_CHANGED,
	ST_VALIDATORS_GET,
	ST_SYNC_RESET,
	ST_SYNC_UPSERT,
	ST_SYNC_MARK_REMOVED,
	ST_REATTRIBUTE,
	ST_PRUNE_ENTRIES,
	ST_PRUNE_ENTRY_SOURCES,
	ST_PRUNE_SOURCES,
	ST_STATE_GET,
	ST_STATE_SET,
	ST_ENTRY_FIND,
	ST_TOMBSTONE_FIND,
	ST_ENTRY_ADOPT,
	ST_ENTRY_INSERT,
	ST_ENTRY_REFRESH,
	ST_ENTRY_REATTRIBUTE,
	ST_ENTRY_SOURCE,
	ST_LOAD_ENTRIES,
	ST_LOAD_ENTRIES_RANGE,
	ST_LOAD_SOURCES,
	ST_LOAD_CARRIERS,
	ST_LOAD_CREATED,
	ST_HEALTH_ADD,
	ST_HEALTH_PRUNE,
	ST_HEALTH_LOAD,
	ST_DATA_VERSION,
	ST_DAY_NOTE,
	ST_ALIAS_FIND,
	ST_KEY_EXISTS,
	ST_ALIAS_ADD,
	ST_ALIAS_ANY,
	ST_DAY_PRUNE,
	ST_COUNT
};

struct store {
	sqlite3 *db;
	char *path;                    /* owned */
	sqlite3_stmt *stmt[ST_COUNT];  /* owned; prepared on first use */
	unsigned story_fold;           /* URL_FOLD_*: what links of one story may differ in */
	struct url_tracking *tracking; /* owned; NULL: the default tracking_params */
	int has_aliases;               /* entry_aliases holds rows; -1: not looked yet */
	struct store_checkpointer *checkpointer; /* owned */
	/* Whether the database takes writes: an error since the last write that worked makes
	 * /healthz say 503 (the message kept for it). */
	int failing;
	char failing_msg[256];
	/* Group commit: a transaction open across the writes of many polls (store_batch_begin),
	 * and whether one was lost (rolled back) since the daemon last asked. */
	int batch;
	int batch_lost;
	size_t batch_steps; /* the store's transactions inside it */
	/* store_status.c: what each source carried, as last counted (a pass over every entry:
	 * 50 ms at a million), kept STORE_COUNTS_FRESH_S; and the number of entries, counted
	 * once (8 ms at a million) and then kept by the writes (store_count_entries). */
	struct store_count *counts; /* owned */
	size_t ncounts;
	double counts_at; /* monotonic_s(); 0: never counted */
	int64_t total;
	int total_known;
	int64_t total_version; /* PRAGMA data_version when total was counted */
};

struct store_count {
	char *name; /* owned */
	size_t entries;
};
/* Frees what store_status.c keeps in s. */
void store_status_cache_free(struct store *s);
/* After a write that stored delta more entries (fewer when negative), or
 * STORE_COUNT_UNKNOWN when the number is not known (it is counted again when asked). */
#define STORE_COUNT_UNKNOWN INT64_MIN
void store_count_entries(struct store *s, int64_t delta);

/* Prepares (once) and returns a cached statement, reset and unbound; NULL on error. */
sqlite3_stmt *store_stmt(struct store *s, enum store_stmt which);
/* Runs a statement that returns no rows (binding nothing); 0 or -1. Inside a batch the
 * store's transactions (ST_BEGIN, ST_BEGIN_READ, ST_COMMIT, ST_ROLLBACK) are savepoints. */
int store_exec_stmt(struct store *s, enum store_stmt which);
/* Runs a statement binding one integer as ?1, and ?2 when given; 0 or -1. */
int store_exec_int(struct store *s, enum store_stmt which, int64_t v1, const int64_t *v2);
/* The value of setting name in meta, a new string or NULL; and setting it (0 or -1). */
char *store_meta_get(struct store *s, const char *name);
int store_meta_set(struct store *s, const char *name, const char *value);

/* The store's connection (borrowed). */
sqlite3 *store_db(struct store *s);
/* The database file's path (borrowed). */
const char *store_path(const struct store *s);
/* Logs the current SQLite error for a source (NULL: for a task) once. */
void store_log_error(struct store *s, const char *source, const char *what);

/* What the entries' key index holds (schema 11): a 64-bit hash of the key, a sixth of the
 * bytes of the key itself, so that far more of the index stays in the page cache. Not unique
 * (two keys may share a hash): a lookup compares the key as well, and the one writer looks a
 * key up before it inserts one. Stored, so it never changes (util.c's hash64 is FNV-1a). */
static inline int64_t store_key_hash(const char *key)
{
	return (int64_t)hash64(key, strlen(key));
}

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
