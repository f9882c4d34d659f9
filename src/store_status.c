/* What /status and `feedmerge status` show: every configured source's state, how many stored
 * entries it carried, and its polls per day; the database's size. Read in one transaction,
 * so the figures agree with each other. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store.h"
#include "store_int.h"
#include "util.h"

/* The size of the file at path, 0 when there is none. */
static int64_t file_bytes(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (int64_t)st.st_size : 0;
}

/* The database's bytes on disk: the file and its WAL. */
static int64_t db_bytes_on_disk(struct store *s)
{
	char *wal = xasprintf("%s-wal", store_path(s));
	int64_t n = file_bytes(store_path(s)) + file_bytes(wal);
	free(wal);
	return n;
}

/* How long the per-source counts stay good: /status asked for again and again (a refresh
 * loop, a hostile client) costs one count a moment, not one a request. */
#define STORE_COUNTS_FRESH_S 2.0

void store_status_cache_free(struct store *s)
{
	for (size_t i = 0; i < s->ncounts; i++)
		free(s->counts[i].name);
	free(s->counts);
	s->counts = NULL;
	s->ncounts = 0;
	s->counts_at = 0;
}

/* PRAGMA data_version, or -1. */
static int64_t data_version(struct store *s)
{
	sqlite3_stmt *st = store_stmt(s, ST_DATA_VERSION);
	int64_t v = st != NULL && sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	if (st != NULL)
		sqlite3_reset(st);
	return v;
}

/* The number of entries, exact: counted once, then kept up to date by the store's writes
 * (store_count_entries), and counted again after another connection's commit (the sqlite3
 * shell deleting rows, another feedmerge). Returns 0, or -1 (the SQLite error is the
 * connection's). */
static int total_refresh(struct store *s)
{
	int64_t version = data_version(s);
	if (s->total_known && version == s->total_version && version != -1)
		return 0;
	sqlite3_stmt *st = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(store_db(s), "SELECT count(*) FROM entries", -1, &st, NULL) ==
	        SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		s->total = sqlite3_column_int64(st, 0);
		s->total_known = 1;
		s->total_version = version;
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

void store_count_entries(struct store *s, int64_t delta)
{
	if (delta == STORE_COUNT_UNKNOWN)
		s->total_known = 0;
	else if (s->total_known)
		s->total += delta;
}

/* Counts the entries each remaining source carried, unless counted a moment ago; in the order
 * of their names (count_of looks them up). Returns 0, or -1 (the SQLite error is the
 * connection's). */
static int counts_refresh(struct store *s)
{
	double now = monotonic_s();
	if (s->counts_at > 0 && now - s->counts_at < STORE_COUNTS_FRESH_S)
		return 0;
	sqlite3_stmt *st = NULL;
	store_status_cache_free(s);
	if (sqlite3_prepare_v2(
	        store_db(s),
	        "SELECT s.name, (SELECT count(*) FROM entry_sources es"
	        " WHERE es.source_id = s.id) FROM sources s WHERE s.removed_at IS NULL"
	        " ORDER BY s.name",
	        -1, &st, NULL) != SQLITE_OK)
		return -1;
	size_t size = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (s->ncounts == size) {
			size = size ? size * 2 : 16;
			s->counts = xreallocarray(s->counts, size, sizeof *s->counts);
		}
		s->counts[s->ncounts].name = column_dup(st, 0);
		s->counts[s->ncounts++].entries = (size_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		store_status_cache_free(s);
		return -1;
	}
	s->counts_at = now;
	return 0;
}

/* Lookups by name, by binary search: /status lists every source (ten thousand of them, and
 * a row a day each), and a scan a lookup made that quadratic. SQLite's BINARY order of
 * names is strcmp's. */
static int count_cmp(const void *key, const void *elem)
{
	const struct store_count *c = elem;
	return strcmp(key, c->name != NULL ? c->name : "");
}

static size_t count_of(const struct store *s, const char *name)
{
	const struct store_count *c =
	    s->ncounts > 0 ? bsearch(name, s->counts, s->ncounts, sizeof *s->counts, count_cmp)
	                   : NULL;
	return c != NULL ? c->entries : 0;
}

static int source_cmp(const void *a, const void *b)
{
	const struct store_source_status *const *x = a, *const *y = b;
	return strcmp((*x)->name, (*y)->name);
}

static int source_name_cmp(const void *key, const void *elem)
{
	const struct store_source_status *const *ss = elem;
	return strcmp(key, (*ss)->name);
}

/* The source of that name among the n of by_name (sorted by source_cmp), or NULL. */
static struct store_source_status *find(struct store_source_status **by_name, size_t n,
                                        const char *name)
{
	if (name == NULL || n == 0)
		return NULL;
	struct store_source_status **ss =
	    bsearch(name, by_name, n, sizeof *by_name, source_name_cmp);
	return ss != NULL ? *ss : NULL;
}

int store_load_status(struct store *s, int64_t since_day, struct store_status *out)
{
	sqlite3 *db = store_db(s);
	sqlite3_stmt *st = NULL;
	struct store_source_status **by_name = NULL;
	memset(out, 0, sizeof *out);
	if (sqlite3_exec(db, "SAVEPOINT status", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;

	if (sqlite3_prepare_v2(
	        db,
	        "SELECT s.name, s.url, coalesce(s.title, s.feed_title)"
	        " FROM sources s WHERE s.removed_at IS NULL ORDER BY s.position, s.id",
	        -1, &st, NULL) != SQLITE_OK)
		goto fail;
	size_t size = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (out->nsources == size) {
			size = size ? size * 2 : 16;
			out->sources = xreallocarray(out->sources, size, sizeof *out->sources);
		}
		struct store_source_status *ss = &out->sources[out->nsources++];
		memset(ss, 0, sizeof *ss);
		store_poll_state_clear(&ss->state);
		ss->name = column_dup(st, 0);
		ss->url = column_dup(st, 1);
		ss->title = column_dup(st, 2);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE || counts_refresh(s) != 0 || total_refresh(s) != 0)
		goto fail;
	for (size_t i = 0; i < out->nsources; i++)
		out->sources[i].entries = count_of(s, out->sources[i].name);
	for (size_t i = 0; i < out->nsources; i++)
		if (store_get_poll_state(s, out->sources[i].name, &out->sources[i].state) != 0)
			goto fail_logged;

	if (sqlite3_prepare_v2(db,
	                       "SELECT source, day, polls, failures, not_modified, entries_new,"
	                       " fetch_ms_sum, fetch_ms_max FROM source_days WHERE day >= ?1"
	                       " ORDER BY source, day",
	                       -1, &st, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(st, 1, since_day);
	by_name = xreallocarray(NULL, out->nsources + 1, sizeof *by_name);
	for (size_t i = 0; i < out->nsources; i++)
		by_name[i] = &out->sources[i];
	qsort(by_name, out->nsources, sizeof *by_name, source_cmp);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_source_status *ss =
		    find(by_name, out->nsources, (const char *)sqlite3_column_text(st, 0));
		if (ss == NULL)
			continue;
		ss->days = xreallocarray(ss->days, ss->ndays + 1, sizeof *ss->days);
		struct store_day *d = &ss->days[ss->ndays++];
		d->day = sqlite3_column_int64(st, 1);
		d->polls = (unsigned)sqlite3_column_int(st, 2);
		d->failures = (unsigned)sqlite3_column_int(st, 3);
		d->not_modified = (unsigned)sqlite3_column_int(st, 4);
		d->entries_new = (size_t)sqlite3_column_int64(st, 5);
		d->fetch_ms_sum = sqlite3_column_int64(st, 6);
		d->fetch_ms_max = sqlite3_column_int64(st, 7);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE)
		goto fail;

	if (sqlite3_prepare_v2(db,
	                       "SELECT CAST(value AS INTEGER) FROM meta WHERE name = 'created_at'",
	                       -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		goto fail;
	out->entries = (size_t)s->total;
	out->created_at = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	sqlite3_exec(db, "RELEASE status", NULL, NULL, NULL);
	free(by_name);
	out->db_bytes = db_bytes_on_disk(s);
	return 0;
fail:
	store_log_error(s, NULL, "cannot read the sources' status");
fail_logged:
	free(by_name);
	sqlite3_finalize(st);
	/* A savepoint: inside the daemon's batch (store_batch_begin) this must not undo it. */
	sqlite3_exec(db, "ROLLBACK TO status; RELEASE status", NULL, NULL, NULL);
	store_status_free(out);
	return -1;
}

void store_status_free(struct store_status *st)
{
	for (size_t i = 0; i < st->nsources; i++) {
		struct store_source_status *ss = &st->sources[i];
		free(ss->name);
		free(ss->url);
		free(ss->title);
		free(ss->days);
		store_poll_state_clear(&ss->state);
	}
	free(st->sources);
	memset(st, 0, sizeof *st);
}

int store_size(struct store *s, int64_t *db_bytes, size_t *entries)
{
	*db_bytes = 0;
	*entries = 0;
	if (total_refresh(s) != 0) {
		store_log_error(s, NULL, "cannot count the entries");
		return -1;
	}
	*entries = (size_t)s->total;
	*db_bytes = db_bytes_on_disk(s);
	return 0;
}
