/* Retention: deleting the entries past keep_days or a source's max_entries, in short
 * batches that leave a tombstone for each (a feed still listing it does not bring it back as
 * new), and the rows of sources removed long enough ago. */
#include "autoconf.h"

#include <stdlib.h>

#include "store.h"
#include "store_int.h"
#include "util.h"

/* The longest a retention batch deletes for (then it commits; the next batch goes on). */
#define STORE_PRUNE_BUDGET_S 0.02

/* The ids of at most batch entries to prune: older than r->older_than, or past the newest
 * max_entries of a source. */
static size_t prune_candidates(struct store *s, const struct store_retention *r, size_t batch,
                               int64_t *ids)
{
	size_t n = 0;
	sqlite3_stmt *st = NULL;
	if (r->older_than != FEED_TIME_NONE &&
	    sqlite3_prepare_v2(s->db,
	                       "SELECT id FROM entries WHERE first_seen < ?1 ORDER BY first_seen"
	                       " LIMIT ?2",
	                       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, r->older_than);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)batch);
		while (n < batch && sqlite3_step(st) == SQLITE_ROW)
			ids[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	st = NULL;
	for (size_t i = 0; i < r->nlimits && n < batch; i++) {
		if (r->max_entries[i] == 0)
			continue;
		if (sqlite3_prepare_v2(s->db,
		                       "SELECT e.id FROM entries e JOIN sources s ON s.id ="
		                       " e.source_id WHERE s.name = ?1 ORDER BY e.date DESC,"
		                       " e.first_seen DESC, e.id DESC LIMIT ?3 OFFSET ?2",
		                       -1, &st, NULL) != SQLITE_OK)
			break;
		bind_text(st, 1, r->names[i]);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)r->max_entries[i]);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)(batch - n));
		while (n < batch && sqlite3_step(st) == SQLITE_ROW)
			ids[n++] = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		st = NULL;
	}
	return n;
}

int store_prune_entries(struct store *s, const struct store_retention *r, size_t batch,
                        size_t *pruned, int *more)
{
	*pruned = 0;
	*more = 0;
	if (batch == 0)
		batch = 1;
	int64_t *ids = xcalloc(batch, sizeof *ids);
	sqlite3_stmt *tomb = NULL, *del = NULL, *expire = NULL;
	if (store_exec_stmt(s, ST_BEGIN) == -1)
		goto fail;
	size_t n = prune_candidates(s, r, batch, ids);
	if (sqlite3_prepare_v2(s->db,
	                       "INSERT OR REPLACE INTO tombstones(key, pruned_at, link)"
	                       " SELECT key, ?2, link FROM entries WHERE id = ?1",
	                       -1, &tomb, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "DELETE FROM entries WHERE id = ?1", -1, &del, NULL) !=
	        SQLITE_OK ||
	    /* Expired tombstones a batch at a time too: a year's worth may expire at once. */
	    sqlite3_prepare_v2(s->db,
	                       "DELETE FROM tombstones WHERE key IN (SELECT key FROM tombstones"
	                       " WHERE pruned_at < ?1 ORDER BY pruned_at LIMIT ?2)",
	                       -1, &expire, NULL) != SQLITE_OK)
		goto fail;
	/* Bounded by time as well as by count: at a million entries each deletion reads a
	 * dozen random index pages, and a batch of 200 could hold the event loop for 50 to 90
	 * ms. What is left is the next batch's. */
	double t0 = monotonic_s();
	size_t done = 0, expired = 0;
	while (done < n) {
		sqlite3_reset(tomb);
		sqlite3_bind_int64(tomb, 1, ids[done]);
		sqlite3_bind_int64(tomb, 2, r->now);
		sqlite3_reset(del);
		sqlite3_bind_int64(del, 1, ids[done]);
		if (sqlite3_step(tomb) != SQLITE_DONE || sqlite3_step(del) != SQLITE_DONE)
			goto fail;
		done++;
		if ((done & 15) == 0 && monotonic_s() - t0 > STORE_PRUNE_BUDGET_S)
			break;
	}
	if (r->tombstones_before != FEED_TIME_NONE) {
		sqlite3_bind_int64(expire, 1, r->tombstones_before);
		sqlite3_bind_int64(expire, 2, (sqlite3_int64)batch);
		if (sqlite3_step(expire) != SQLITE_DONE)
			goto fail;
		expired = (size_t)sqlite3_changes(s->db);
	}
	if (store_exec_stmt(s, ST_COMMIT) == -1)
		goto fail;
	/* The freed pages go back to the file system, a few at a time. */
	if (done + expired > 0)
		sqlite3_exec(s->db, "PRAGMA incremental_vacuum(256)", NULL, NULL, NULL);
	store_count_entries(s, -(int64_t)done);
	*pruned = done;
	*more = done < n || n == batch || expired == batch;
	sqlite3_finalize(tomb);
	sqlite3_finalize(del);
	sqlite3_finalize(expire);
	free(ids);
	return 0;
fail:
	store_log_error(s, NULL, "cannot prune entries");
	store_exec_stmt(s, ST_ROLLBACK);
	sqlite3_finalize(tomb);
	sqlite3_finalize(del);
	sqlite3_finalize(expire);
	free(ids);
	return -1;
}

int store_prune_removed(struct store *s, int64_t removed_before, size_t *npruned)
{
	if (npruned != NULL)
		*npruned = 0;
	/* Most passes find nothing to prune: then they read nothing else. */
	sqlite3_stmt *q = NULL;
	int due = 1;
	if (sqlite3_prepare_v2(s->db,
	                       "SELECT EXISTS (SELECT 1 FROM sources WHERE removed_at <= ?1)", -1,
	                       &q, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(q, 1, removed_before);
		if (sqlite3_step(q) == SQLITE_ROW)
			due = sqlite3_column_int(q, 0);
	}
	sqlite3_finalize(q);
	if (!due)
		return 0;
	if (store_exec_stmt(s, ST_BEGIN) == -1 || store_exec_stmt(s, ST_REATTRIBUTE) == -1 ||
	    store_exec_int(s, ST_PRUNE_ENTRIES, removed_before, NULL) == -1 ||
	    store_exec_int(s, ST_PRUNE_ENTRY_SOURCES, removed_before, NULL) == -1 ||
	    store_exec_int(s, ST_PRUNE_SOURCES, removed_before, NULL) == -1)
		goto fail;
	int n = sqlite3_changes(s->db);
	if (store_exec_stmt(s, ST_COMMIT) == -1)
		goto fail;
	store_count_entries(s, STORE_COUNT_UNKNOWN); /* the removed sources' entries went too */
	if (npruned != NULL)
		*npruned = n > 0 ? (size_t)n : 0;
	return 0;
fail:
	store_log_error(s, NULL, "cannot prune removed sources");
	store_exec_stmt(s, ST_ROLLBACK);
	return -1;
}
