/* Keying the stored stories again when what makes their keys changes: same_story_across
 * (which spellings of a link are one story) and tracking_params (which query parameters a
 * key drops). The entries, their aliases and the tombstones of pruned ones, in one
 * transaction, from the links they were made from. */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store.h"
#include "store_int.h"
#include "url.h"
#include "util.h"

/* Keys every link-keyed entry again by s->story_fold, from its stored link; an entry whose
 * new key another one holds is merged into it (its carriers kept). Inside a transaction. */
static int store_rekey(struct store *s, size_t *nrekeyed, size_t *nmerged)
{
	sqlite3_stmt *sel = NULL, *upd = NULL, *find = NULL, *move = NULL, *del = NULL;
	sqlite3_stmt *older = NULL, *exists = NULL, *aliases = NULL;
	int rc = -1;
	int64_t *ids = NULL, *seen = NULL;
	char **links = NULL, **keys = NULL;
	size_t n = 0, size = 0;
	*nrekeyed = *nmerged = 0;
	if (sqlite3_prepare_v2(
	        s->db,
	        "SELECT id, link, key, first_seen FROM entries WHERE link IS NOT NULL AND"
	        " (key LIKE 'http://%' OR key LIKE 'https://%')",
	        -1, &sel, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db,
	                       "UPDATE entries SET atom_id = iif(atom_id = '' AND ?3 IS NOT NULL"
	                       " AND link IS NOT ?3, link, atom_id), key = ?2, key_hash = ?4,"
	                       " link = coalesce(?3, link) WHERE id = ?1",
	                       -1, &upd, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(
	        s->db, "SELECT id, first_seen FROM entries WHERE key_hash = ?2 AND key = ?1", -1,
	        &find, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db,
	                       "INSERT INTO entry_sources(entry_id, source_id, first_seen)"
	                       " SELECT ?2, source_id, first_seen FROM entry_sources"
	                       " WHERE entry_id = ?1 ON CONFLICT(entry_id, source_id) DO UPDATE"
	                       " SET first_seen = min(first_seen, excluded.first_seen)",
	                       -1, &move, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "DELETE FROM entries WHERE id = ?1", -1, &del, NULL) !=
	        SQLITE_OK ||
	    /* The merged story keeps the earliest sighting and date of the two. */
	    sqlite3_prepare_v2(s->db,
	                       "UPDATE entries SET first_seen = min(entries.first_seen, o.fs),"
	                       " date = min(entries.date, o.d) FROM (SELECT first_seen AS fs,"
	                       " date AS d FROM entries WHERE id = ?1) AS o WHERE entries.id = ?2",
	                       -1, &older, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "SELECT 1 FROM entries WHERE id = ?1", -1, &exists, NULL) !=
	        SQLITE_OK ||
	    /* The merged-away row's other addresses name the story that stays. */
	    sqlite3_prepare_v2(s->db,
	                       "UPDATE OR IGNORE entry_aliases SET entry_id = ?2"
	                       " WHERE entry_id = ?1",
	                       -1, &aliases, NULL) != SQLITE_OK)
		goto out;
	int step;
	while ((step = sqlite3_step(sel)) == SQLITE_ROW) {
		if (n == size) {
			size = size ? 2 * size : 256;
			ids = xreallocarray(ids, size, sizeof *ids);
			links = xreallocarray(links, size, sizeof *links);
			keys = xreallocarray(keys, size, sizeof *keys);
			seen = xreallocarray(seen, size, sizeof *seen);
		}
		ids[n] = sqlite3_column_int64(sel, 0);
		seen[n] = sqlite3_column_int64(sel, 3);
		keys[n] = column_dup(sel, 2);
		links[n++] = column_dup(sel, 1);
	}
	if (step != SQLITE_DONE)
		goto out;
	for (size_t i = 0; i < n; i++) {
		/* A row merged away earlier in this loop is gone: nothing to key. */
		sqlite3_reset(exists);
		sqlite3_bind_int64(exists, 1, ids[i]);
		if (sqlite3_step(exists) != SQLITE_ROW)
			continue;
		char *canon_link = url_canonical_with(links[i], s->tracking);
		char *key = canon_link != NULL ? url_story_key(canon_link, s->story_fold) : NULL;
		if (key == NULL || strcmp(key, keys[i]) == 0) {
			free(key);
			free(canon_link);
			continue;
		}
		sqlite3_reset(upd);
		sqlite3_bind_int64(upd, 1, ids[i]);
		bind_text(upd, 2, key);
		/* The published link follows: normalised by the same rules (its own scheme). */
		bind_text(upd, 3, canon_link);
		int64_t key_hash = store_key_hash(key);
		sqlite3_bind_int64(upd, 4, key_hash);
		sqlite3_reset(find);
		bind_text(find, 1, key);
		sqlite3_bind_int64(find, 2, key_hash);
		int ok = 0;
		step = sqlite3_step(find);
		if (step == SQLITE_DONE) {
			sqlite3_reset(find);
			ok = sqlite3_step(upd) == SQLITE_DONE;
			*nrekeyed += (size_t)ok;
		} else if (step == SQLITE_ROW) {
			/* Another entry has the key: the same story. The row seen first stays (its
			 * link is the first carrier's), the other's carriers move to it. */
			int64_t holder = sqlite3_column_int64(find, 0);
			int64_t holder_seen = sqlite3_column_int64(find, 1);
			int this_first =
			    seen[i] < holder_seen || (seen[i] == holder_seen && ids[i] < holder);
			int64_t from = this_first ? holder : ids[i];
			int64_t into = this_first ? ids[i] : holder;
			sqlite3_reset(find);
			sqlite3_reset(move);
			sqlite3_bind_int64(move, 1, from);
			sqlite3_bind_int64(move, 2, into);
			sqlite3_reset(older);
			sqlite3_bind_int64(older, 1, from);
			sqlite3_bind_int64(older, 2, into);
			sqlite3_reset(del);
			sqlite3_bind_int64(del, 1, from);
			sqlite3_reset(aliases);
			sqlite3_bind_int64(aliases, 1, from);
			sqlite3_bind_int64(aliases, 2, into);
			ok = sqlite3_step(move) == SQLITE_DONE &&
			     sqlite3_step(older) == SQLITE_DONE &&
			     sqlite3_step(aliases) == SQLITE_DONE &&
			     sqlite3_step(del) == SQLITE_DONE;
			if (ok && this_first) {
				sqlite3_reset(upd);
				ok =
				    sqlite3_step(upd) == SQLITE_DONE && sqlite3_changes(s->db) == 1;
			}
			*nmerged += (size_t)ok;
		}
		free(key);
		free(canon_link);
		if (!ok)
			goto out;
	}
	rc = 0;
out:
	for (size_t i = 0; i < n; i++) {
		free(links[i]);
		free(keys[i]);
	}
	free(links);
	free(keys);
	free(seen);
	sqlite3_finalize(older);
	sqlite3_finalize(exists);
	sqlite3_finalize(aliases);
	free(ids);
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	sqlite3_finalize(find);
	sqlite3_finalize(move);
	sqlite3_finalize(del);
	return rc;
}

/* Keys the link-made keys of table (tombstones or entry_aliases: key, link) again, as
 * store_rekey keys the entries: from the link they were made from, else (rows from before
 * schema 10) from the key itself, which can fold further but not back. Two rows that meet
 * are one story: one stays. An alias that became its entry's own key goes. Counts the rows
 * keyed again in *n. Inside a transaction. */
static int store_rekey_table(struct store *s, const char *table, size_t *n)
{
	sqlite3_stmt *sel = NULL, *upd = NULL, *drop = NULL;
	char **keys = NULL, **links = NULL;
	size_t nrows = 0, size = 0;
	int rc = -1, step;
	char *sql_sel = xasprintf("SELECT key, link FROM %s WHERE key LIKE 'http://%%'"
	                          " OR key LIKE 'https://%%'",
	                          table);
	char *sql_upd = xasprintf("UPDATE OR REPLACE %s SET key = ?2, link = coalesce(?3, link)"
	                          " WHERE key = ?1",
	                          table);
	char *sql_drop =
	    xasprintf("DELETE FROM %s WHERE key = ?1 AND %s", table,
	              strcmp(table, "entry_aliases") == 0
	                  ? "EXISTS (SELECT 1 FROM entries e WHERE e.id = entry_id AND e.key = ?2)"
	                  : "0");
	if (sqlite3_prepare_v2(s->db, sql_sel, -1, &sel, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, sql_upd, -1, &upd, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, sql_drop, -1, &drop, NULL) != SQLITE_OK)
		goto out;
	while ((step = sqlite3_step(sel)) == SQLITE_ROW) {
		if (nrows == size) {
			size = size ? 2 * size : 64;
			keys = xreallocarray(keys, size, sizeof *keys);
			links = xreallocarray(links, size, sizeof *links);
		}
		keys[nrows] = column_dup(sel, 0);
		links[nrows++] = column_dup(sel, 1);
	}
	if (step != SQLITE_DONE)
		goto out;
	for (size_t i = 0; i < nrows; i++) {
		char *canon =
		    url_canonical_with(links[i] != NULL ? links[i] : keys[i], s->tracking);
		char *key = canon != NULL ? url_story_key(canon, s->story_fold) : NULL;
		int ok = 1;
		if (key != NULL && strcmp(key, keys[i]) != 0) {
			sqlite3_reset(drop);
			bind_text(drop, 1, keys[i]);
			bind_text(drop, 2, key);
			ok = sqlite3_step(drop) == SQLITE_DONE;
			if (ok && sqlite3_changes(s->db) == 0) {
				sqlite3_reset(upd);
				bind_text(upd, 1, keys[i]);
				bind_text(upd, 2, key);
				bind_text(upd, 3, links[i] != NULL ? canon : NULL);
				ok = sqlite3_step(upd) == SQLITE_DONE;
			}
			(*n)++;
		}
		free(key);
		free(canon);
		if (!ok)
			goto out;
	}
	rc = 0;
out:
	for (size_t i = 0; i < nrows; i++) {
		free(keys[i]);
		free(links[i]);
	}
	free(keys);
	free(links);
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	sqlite3_finalize(drop);
	free(sql_sel);
	free(sql_upd);
	free(sql_drop);
	return rc;
}

/* Sets the meta row name to want, keying every link-keyed entry again in the same
 * transaction when it differs from what the entries were keyed by (have, NULL: as the
 * versions before the row existed, which is dflt). Logs what changed as what. */
static int store_rekey_setting(struct store *s, const char *name, const char *want,
                               const char *dflt, const char *what)
{
	char *have = store_meta_get(s, name);
	int same = strcmp(have != NULL ? have : dflt, want) == 0;
	free(have);
	if (same)
		return 0;
	size_t nrekeyed = 0, nmerged = 0, nother = 0;
	if (store_exec_stmt(s, ST_BEGIN) == -1 || store_rekey(s, &nrekeyed, &nmerged) != 0 ||
	    store_rekey_table(s, "entry_aliases", &nother) != 0 ||
	    store_rekey_table(s, "tombstones", &nother) != 0 ||
	    store_exec_stmt(s, ST_REATTRIBUTE) == -1 || store_meta_set(s, name, want) != 0 ||
	    store_exec_stmt(s, ST_COMMIT) == -1) {
		char *msg = xasprintf("cannot key the stored entries by %s", what);
		store_log_error(s, NULL, msg);
		free(msg);
		store_exec_stmt(s, ST_ROLLBACK);
		return -1;
	}
	store_count_entries(s, -(int64_t)nmerged);
	if (nrekeyed + nmerged + nother > 0)
		log_info("%s: %s changed: %zu entries keyed again, %zu merged into the same story,"
		         " %zu pruned entries and other addresses keyed again",
		         s->path, what, nrekeyed, nmerged, nother);
	return 0;
}

int store_set_story_fold(struct store *s, unsigned fold)
{
	unsigned old = s->story_fold;
	s->story_fold = fold; /* what the rekey keys by */
	char want[16];
	snprintf(want, sizeof want, "%u", fold);
	if (store_rekey_setting(s, "story_fold", want, "0", "same_story_across") != 0) {
		s->story_fold = old; /* the stored keys are still the old ones */
		return -1;
	}
	return 0;
}

int store_set_tracking(struct store *s, const char *spec)
{
	char err[256] = "";
	struct url_tracking *t = url_tracking_new(spec, err, sizeof err);
	if (t == NULL) {
		log_warnx("%s: tracking_params: %s", s->path, err);
		return -1;
	}
	struct url_tracking *old = s->tracking;
	s->tracking = t; /* what the rekey keys by */
	if (store_rekey_setting(s, "tracking", url_tracking_spec(t), url_tracking_default_spec(),
	                        "tracking_params") != 0) {
		s->tracking = old;
		url_tracking_free(t);
		return -1;
	}
	url_tracking_free(old);
	return 0;
}
