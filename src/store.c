/* The SQLite store: the only user of sqlite3.h.
 *
 * Entries are deduplicated by a key (the canonical link, else source + id, else source + a hash
 * of title and summary). Each fetched feed is stored in one transaction; any SQLite error rolls
 * it back, so what was stored before stays intact. Prepared statements are cached in struct
 * store and reused for every entry. The list columns (categories, enclosures) are encoded by
 * store_codec.c. */
#include "autoconf.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "log.h"
#include "store.h"
#include "store_checkpoint.h"
#include "store_int.h"
#include "store_codec.h"
#include "url.h"
#include "util.h"

/* Sources no longer in the config sort after every configured one. */
#define STORE_POSITION_GONE 1000000000
/* How long a statement waits for another process's write lock. */
#define STORE_BUSY_MS 5000

/* Schema migrations, in order: migration i brings user_version from i to i + 1. Later versions
 * append steps; a step never changes once released. */
static const char *const store_migrations[] = {
    /* 1: sources, entries, who carried what. */
    "CREATE TABLE sources ("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE,"
    " url TEXT,"
    " title TEXT,"      /* from the config */
    " feed_title TEXT," /* from the feed */
    " site_link TEXT,"  /* the feed's link to its site */
    " position INTEGER NOT NULL DEFAULT 1000000000,"
    " etag TEXT,"
    " last_modified TEXT,"
    " validators_url TEXT," /* the URL etag and last_modified belong to */
    " last_fetch_at INTEGER,"
    " last_ok_at INTEGER);"
    "CREATE TABLE entries ("
    " id INTEGER PRIMARY KEY,"
    " key TEXT NOT NULL UNIQUE,"
    " atom_id TEXT NOT NULL,"
    " source_id INTEGER NOT NULL REFERENCES sources(id),"
    " guid TEXT,"
    " link TEXT,"
    " title TEXT,"
    " summary TEXT,"
    " content TEXT,"
    " author TEXT,"
    " published INTEGER,"
    " updated INTEGER,"
    " date INTEGER NOT NULL,"
    " first_seen INTEGER NOT NULL,"
    " categories TEXT," /* joined with 0x1f */
    " enclosures TEXT," /* url 0x1f type 0x1f length, records joined with 0x1e */
    " has_source INTEGER NOT NULL DEFAULT 0," /* the entry carried atom:source */
    " src_title TEXT,"
    " src_feed_url TEXT,"
    " src_link TEXT);"
    "CREATE INDEX entries_date ON entries(date DESC, first_seen DESC, id DESC);"
    "CREATE INDEX entries_source ON entries(source_id);"
    "CREATE TABLE entry_sources ("
    " entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,"
    " source_id INTEGER NOT NULL REFERENCES sources(id),"
    " first_seen INTEGER NOT NULL,"
    " PRIMARY KEY (entry_id, source_id)) WITHOUT ROWID;",
    /* 2: when a fetch last changed what is stored for the source: atom:source's updated, so
     * polls that bring nothing new leave the served bytes unchanged. */
    "ALTER TABLE sources ADD COLUMN changed_at INTEGER;",
    /* 3: sources have a life: removed_at (NULL while configured; its rows are pruned after
     * removed_keep) and the poll state that makes the schedule survive a restart. Sources a
     * config no longer listed count as removed from now. */
    "ALTER TABLE sources ADD COLUMN removed_at INTEGER;"
    "ALTER TABLE sources ADD COLUMN last_attempt_at INTEGER;"
    "ALTER TABLE sources ADD COLUMN next_due_at INTEGER;"
    "ALTER TABLE sources ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE sources ADD COLUMN retry_until INTEGER;"
    "ALTER TABLE sources ADD COLUMN last_status INTEGER;"
    "ALTER TABLE sources ADD COLUMN last_error TEXT;"
    "UPDATE sources SET removed_at = CAST(strftime('%s', 'now') AS INTEGER)"
    " WHERE position >= 1000000000;",
    /* 4: the fetcher's state machine: the class of the last error (and whether it earns one
     * early retry), a 410's date, the feed's own polling hints, the last body's hash, a
     * permanent redirect being confirmed and the URL adopted after it, entries seen. */
    "ALTER TABLE sources ADD COLUMN error_class TEXT;"
    "ALTER TABLE sources ADD COLUMN retry_soon INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE sources ADD COLUMN gone_since INTEGER;"
    "ALTER TABLE sources ADD COLUMN hint_s INTEGER;"
    "ALTER TABLE sources ADD COLUMN skip_hours INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE sources ADD COLUMN skip_days INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE sources ADD COLUMN body_hash INTEGER;"
    "ALTER TABLE sources ADD COLUMN redirect_url TEXT;"
    "ALTER TABLE sources ADD COLUMN redirect_polls INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE sources ADD COLUMN adopted_url TEXT;"
    "ALTER TABLE sources ADD COLUMN adopted_at INTEGER;"
    "ALTER TABLE sources ADD COLUMN entries_seen INTEGER;",
    /* 5: settings the stored rows depend on: story_fold, what the link keys were folded by
     * (absent: nothing, as before). */
    "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;",
    /* 6: retention: the keys of pruned entries, so a feed still listing one does not bring it
     * back as new; an index to find the oldest entries. */
    "CREATE TABLE tombstones (key TEXT PRIMARY KEY, pruned_at INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX tombstones_pruned ON tombstones(pruned_at);"
    "CREATE INDEX entries_first_seen ON entries(first_seen);",
    /* 7: what a source's entries are keyed by when its identity is auto: NULL (links), 'id'
     * or 'hash', once its links proved missing or repeated. */
    "ALTER TABLE sources ADD COLUMN identity TEXT;",
    /* 8: a source's priority: a higher one is the primary attribution of a story it carries,
     * whoever carried it first. */
    "ALTER TABLE sources ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;",
    /* 9: what the outputs need besides entries: a source's language (xml:lang, <language>),
     * when the database began (the date of a feed with no entry yet: stable, not 1970), and
     * the sources' state changes for the health feed. */
    "ALTER TABLE sources ADD COLUMN language TEXT;"
    "INSERT OR IGNORE INTO meta(name, value) VALUES('created_at',"
    " coalesce((SELECT min(first_seen) FROM entries), CAST(strftime('%s', 'now') AS INTEGER)));"
    "CREATE TABLE health_events ("
    " id INTEGER PRIMARY KEY,"
    " source TEXT NOT NULL,"
    " at INTEGER NOT NULL,"
    " state TEXT NOT NULL,"
    " detail TEXT);"
    "CREATE INDEX entry_sources_source ON entry_sources(source_id);"
    /* A source's polls per UTC day, for /status: a few weeks of history in a row a day. */
    "CREATE TABLE source_days ("
    " source TEXT NOT NULL,"
    " day INTEGER NOT NULL," /* days since 1970-01-01 (UTC) */
    " polls INTEGER NOT NULL DEFAULT 0,"
    " failures INTEGER NOT NULL DEFAULT 0,"
    " not_modified INTEGER NOT NULL DEFAULT 0,"
    " entries_new INTEGER NOT NULL DEFAULT 0,"
    " fetch_ms_sum INTEGER NOT NULL DEFAULT 0,"
    " fetch_ms_max INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (source, day)) WITHOUT ROWID;"
    /* The author's e-mail address, apart from the name (Atom's <email>). */
    "ALTER TABLE entries ADD COLUMN author_email TEXT;"
    /* Other keys of a story: a feedproxy link and the origLink it stands for are one story,
     * whichever a feed gives. */
    "CREATE TABLE entry_aliases ("
    " key TEXT PRIMARY KEY,"
    " entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE) WITHOUT ROWID;"
    "CREATE INDEX entry_aliases_entry ON entry_aliases(entry_id);",
    /* 10: the link a pruned entry's or an alias's key was made from: a change of
     * same_story_across or tracking_params keys them again from it, as it keys the entries
     * (the key alone has lost the scheme, the "www." and the parameters it folded). */
    "ALTER TABLE tombstones ADD COLUMN link TEXT;"
    "ALTER TABLE entry_aliases ADD COLUMN link TEXT;",
    /* 11: the key index holds a hash of the key (store_key_hash) instead of the key: 20
     * bytes an entry instead of 125, so an ingest finds its leaves in the cache and dirties
     * fewer pages. A UNIQUE column cannot lose its index in place: the table is rebuilt (the
     * twelve steps of SQLite's "ALTER TABLE" page; store_migrate turns foreign keys off
     * around it), with the same ids, so entry_sources and entry_aliases still point right. */
    "CREATE TABLE entries_v11 ("
    " id INTEGER PRIMARY KEY,"
    " key TEXT NOT NULL,"
    " key_hash INTEGER NOT NULL,"
    " atom_id TEXT NOT NULL,"
    " source_id INTEGER NOT NULL REFERENCES sources(id),"
    " guid TEXT,"
    " link TEXT,"
    " title TEXT,"
    " summary TEXT,"
    " content TEXT,"
    " author TEXT,"
    " author_email TEXT,"
    " published INTEGER,"
    " updated INTEGER,"
    " date INTEGER NOT NULL,"
    " first_seen INTEGER NOT NULL,"
    " categories TEXT,"
    " enclosures TEXT,"
    " has_source INTEGER NOT NULL DEFAULT 0,"
    " src_title TEXT,"
    " src_feed_url TEXT,"
    " src_link TEXT);"
    "INSERT INTO entries_v11(id, key, key_hash, atom_id, source_id, guid, link, title, summary,"
    " content, author, author_email, published, updated, date, first_seen, categories,"
    " enclosures, has_source, src_title, src_feed_url, src_link)"
    " SELECT id, key, feedmerge_key_hash(key), atom_id, source_id, guid, link, title, summary,"
    " content, author, author_email, published, updated, date, first_seen, categories,"
    " enclosures, has_source, src_title, src_feed_url, src_link FROM entries ORDER BY id;"
    "DROP TABLE entries;"
    "ALTER TABLE entries_v11 RENAME TO entries;"
    "CREATE INDEX entries_key ON entries(key_hash);"
    "CREATE INDEX entries_date ON entries(date DESC, first_seen DESC, id DESC);"
    "CREATE INDEX entries_source ON entries(source_id);"
    "CREATE INDEX entries_first_seen ON entries(first_seen);",
};
#define STORE_VERSION ((int)(sizeof store_migrations / sizeof store_migrations[0]))
/* The migration that rebuilds entries (from 10 to 11): slow on a large file, logged. */
#define STORE_MIGRATION_REBUILD 10

/* The entry statements share one parameter layout (see bind_entry). */
/* atom_id is stored as '' while it equals link (most entries: their canonical link when
 * first stored), which saves a copy of the link a row. A statement that sets link (?5) writes
 * the old link out first, so the id never changes. The SET expressions all read the row as
 * it was. */
#define ATOM_ID_KEPT "atom_id = iif(atom_id = '' AND link IS NOT ?5, link, atom_id),"
static const char *const store_sql[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_BEGIN_READ] = "BEGIN",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    /* Inside a batch (store_batch_begin), each of the store's transactions is a savepoint. */
    [ST_SAVEPOINT] = "SAVEPOINT step",
    [ST_RELEASE] = "RELEASE step",
    [ST_ROLLBACK_TO] = "ROLLBACK TO step",
    [ST_SOURCE_ENSURE] = "INSERT INTO sources(name, url, position) VALUES(?1, ?2, ?3)"
                         " ON CONFLICT(name) DO NOTHING",
    [ST_SOURCE_GET] = "SELECT id, position, identity, priority FROM sources WHERE name = ?1",
    [ST_SOURCE_IDENTITY] = "UPDATE sources SET identity = ?2 WHERE id = ?1",
    [ST_SOURCE_FETCHED] =
        "UPDATE sources SET changed_at = CASE WHEN changed_at IS NULL OR"
        " feed_title IS NOT coalesce(?2, feed_title) OR"
        " site_link IS NOT coalesce(?3, site_link) OR"
        " language IS NOT coalesce(?8, language) THEN ?7 ELSE changed_at END,"
        " feed_title = coalesce(?2, feed_title), language = coalesce(?8, language),"
        " site_link = coalesce(?3, site_link), etag = ?4, last_modified = ?5,"
        " validators_url = ?6, last_fetch_at = ?7, last_ok_at = ?7 WHERE id = ?1",
    /* A 304 may carry new validators (RFC 9110 15.4.5): they replace the old ones. */
    [ST_SOURCE_NOT_MODIFIED] = "UPDATE sources SET last_fetch_at = ?2, last_ok_at = ?2,"
                               " etag = iif(validators_url IS ?5, coalesce(?3, etag), ?3),"
                               " last_modified = iif(validators_url IS ?5,"
                               " coalesce(?4, last_modified), ?4), validators_url = ?5"
                               " WHERE name = ?1",
    [ST_SOURCE_CHANGED] = "UPDATE sources SET changed_at = ?2 WHERE id = ?1",
    [ST_VALIDATORS_GET] = "SELECT etag, last_modified FROM sources"
                          " WHERE name = ?1 AND validators_url = ?2",
    [ST_SYNC_RESET] = "UPDATE sources SET position = ?1",
    /* A source whose URL changed starts from a clean state: no validators, no backoff, no
     * schedule (the right-hand sides see the row as it was). */
    /* A source whose URL changed starts from a clean state: no validators, no backoff, no
     * schedule, no hints (the right-hand sides see the row as it was). Unless the new URL is
     * the one it had adopted after a permanent redirect: then the operator only caught up. */
    [ST_SYNC_UPSERT] =
        "INSERT INTO sources(name, url, title, position, priority) VALUES(?1, ?2, ?3, ?4, ?5)"
        " ON CONFLICT(name) DO UPDATE SET url = excluded.url, title = excluded.title,"
        " position = excluded.position, priority = excluded.priority, removed_at = NULL,"
        " etag = iif(url IS excluded.url OR adopted_url IS excluded.url, etag, NULL),"
        " last_modified = iif(url IS excluded.url OR adopted_url IS excluded.url, last_modified, "
        "NULL),"
        " validators_url = iif(url IS excluded.url OR adopted_url IS excluded.url, validators_url, "
        "NULL),"
        " last_attempt_at = iif(url IS excluded.url OR adopted_url IS excluded.url, "
        "last_attempt_at, NULL),"
        " next_due_at = iif(url IS excluded.url OR adopted_url IS excluded.url, next_due_at, NULL),"
        " failures = iif(url IS excluded.url OR adopted_url IS excluded.url, failures, 0),"
        " retry_until = iif(url IS excluded.url OR adopted_url IS excluded.url, retry_until, NULL),"
        " last_status = iif(url IS excluded.url OR adopted_url IS excluded.url, last_status, NULL),"
        " last_error = iif(url IS excluded.url OR adopted_url IS excluded.url, last_error, NULL),"
        " last_ok_at = iif(url IS excluded.url OR adopted_url IS excluded.url, last_ok_at, NULL),"
        " last_fetch_at = iif(url IS excluded.url OR adopted_url IS excluded.url, last_fetch_at, "
        "NULL),"
        " feed_title = iif(url IS excluded.url OR adopted_url IS excluded.url, feed_title, NULL),"
        " site_link = iif(url IS excluded.url OR adopted_url IS excluded.url, site_link, NULL),"
        " error_class = iif(url IS excluded.url OR adopted_url IS excluded.url, error_class, NULL),"
        " retry_soon = iif(url IS excluded.url OR adopted_url IS excluded.url, retry_soon, 0),"
        " gone_since = iif(url IS excluded.url OR adopted_url IS excluded.url, gone_since, NULL),"
        " hint_s = iif(url IS excluded.url OR adopted_url IS excluded.url, hint_s, NULL),"
        " skip_hours = iif(url IS excluded.url OR adopted_url IS excluded.url, skip_hours, 0),"
        " skip_days = iif(url IS excluded.url OR adopted_url IS excluded.url, skip_days, 0),"
        " body_hash = iif(url IS excluded.url OR adopted_url IS excluded.url, body_hash, NULL),"
        " redirect_url = iif(url IS excluded.url OR adopted_url IS excluded.url, redirect_url, "
        "NULL),"
        " redirect_polls = iif(url IS excluded.url OR adopted_url IS excluded.url, redirect_polls, "
        "0),"
        " entries_seen = iif(url IS excluded.url OR adopted_url IS excluded.url, entries_seen, "
        "NULL),"
        " adopted_url = iif(url IS excluded.url, adopted_url, NULL),"
        " adopted_at = iif(url IS excluded.url, adopted_at, NULL)",
    [ST_SYNC_MARK_REMOVED] = "UPDATE sources SET removed_at = ?2"
                             " WHERE position = ?1 AND removed_at IS NULL",
    /* Every entry belongs to the remaining source that carried it first (ties: the one listed
     * first). Only a removal or a return can break that: an entry of a removed source that a
     * remaining one also carried goes to that one, and a source listed again takes back what
     * it carried first. */
    [ST_REATTRIBUTE] = "UPDATE entries SET source_id = best.source_id FROM ("
                       " SELECT es.entry_id, es.source_id, row_number() OVER ("
                       " PARTITION BY es.entry_id ORDER BY s.priority DESC, es.first_seen,"
                       " s.position, s.id) AS rank"
                       " FROM entry_sources es JOIN sources s ON s.id = es.source_id"
                       " WHERE s.removed_at IS NULL) AS best"
                       " WHERE best.rank = 1 AND entries.id = best.entry_id"
                       " AND entries.source_id IS NOT best.source_id",
    [ST_PRUNE_ENTRIES] = "DELETE FROM entries WHERE source_id IN"
                         " (SELECT id FROM sources WHERE removed_at <= ?1)",
    [ST_PRUNE_ENTRY_SOURCES] = "DELETE FROM entry_sources WHERE source_id IN"
                               " (SELECT id FROM sources WHERE removed_at <= ?1)",
    [ST_PRUNE_SOURCES] = "DELETE FROM sources WHERE removed_at <= ?1",
    [ST_STATE_GET] = "SELECT last_attempt_at, last_ok_at, next_due_at, retry_until, failures,"
                     " last_status, last_error, error_class, retry_soon, gone_since, hint_s,"
                     " skip_hours, skip_days, body_hash, redirect_url, redirect_polls,"
                     " adopted_url, adopted_at, entries_seen FROM sources WHERE name = ?1",
    [ST_STATE_SET] = "UPDATE sources SET last_attempt_at = ?2,"
                     " last_ok_at = coalesce(?3, last_ok_at), next_due_at = ?4,"
                     " retry_until = ?5, failures = ?6, last_status = ?7, last_error = ?8,"
                     " error_class = ?9, retry_soon = ?10, gone_since = ?11, hint_s = ?12,"
                     " skip_hours = ?13, skip_days = ?14, body_hash = ?15,"
                     " redirect_url = ?16, redirect_polls = ?17, adopted_url = ?18,"
                     " adopted_at = ?19, entries_seen = ?20 WHERE name = ?1",
    /* The last column: whether the text a reader sees (title, summary, content) is the same. */
    [ST_ENTRY_FIND] = "SELECT e.id, e.source_id, e.first_seen, s.position,"
                      " s.removed_at IS NOT NULL,"
                      " e.title IS ?2 AND e.summary IS ?3 AND e.content IS ?4, s.priority"
                      " FROM entries e"
                      " JOIN sources s ON s.id = e.source_id"
                      " WHERE e.key_hash = ?5 AND e.key = ?1",
    [ST_TOMBSTONE_FIND] = "SELECT 1 FROM tombstones WHERE key = ?1",
    /* A remaining source carries an entry whose source was removed: it takes the entry over,
     * with its own version of it, but the entry keeps its date and place. */
    [ST_ENTRY_ADOPT] = "UPDATE entries SET " ATOM_ID_KEPT " source_id = ?3, guid = ?4,"
                       " link = ?5, title = ?6,"
                       " summary = ?7, content = ?8, author = ?9, author_email = ?22,"
                       " updated = iif(?21, ?13, updated),"
                       " categories = ?14, enclosures = ?15, has_source = ?16,"
                       " src_title = ?17, src_feed_url = ?18, src_link = ?19 WHERE id = ?20",
    [ST_ENTRY_INSERT] =
        "INSERT INTO entries(key, atom_id, source_id, guid, link, title, summary,"
        " content, author, published, updated, date, first_seen, categories,"
        " enclosures, has_source, src_title, src_feed_url, src_link, author_email, key_hash)"
        " VALUES(?1, iif(?2 IS ?5, '', ?2), ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
        " ?15, ?16, ?17, ?18, ?19, ?22, ?23)",
    /* A later poll of the attributed source: corrections show, the date never changes. */
    /* Only a change of the text a reader sees (?21) moves `updated`, to the time it was seen:
     * a feed that rewrites its dates on every fetch churns nothing. */
    [ST_ENTRY_REFRESH] = "UPDATE entries SET " ATOM_ID_KEPT " guid = ?4, link = ?5,"
                         " title = ?6, summary = ?7,"
                         " content = ?8, author = ?9, author_email = ?22,"
                         " updated = iif(?21, ?13, updated),"
                         " categories = ?14, enclosures = ?15, has_source = ?16,"
                         " src_title = ?17, src_feed_url = ?18, src_link = ?19 WHERE id = ?20"
                         " AND (?21 OR guid IS NOT ?4 OR link IS NOT ?5 OR author IS NOT ?9 OR"
                         " author_email IS NOT ?22 OR"
                         " categories IS NOT ?14 OR enclosures IS NOT ?15 OR"
                         " has_source IS NOT ?16 OR src_title IS NOT ?17 OR"
                         " src_feed_url IS NOT ?18 OR src_link IS NOT ?19)",
    /* A source that saw the entry earlier (or in the same round, listed first) takes it. */
    [ST_ENTRY_REATTRIBUTE] =
        "UPDATE entries SET " ATOM_ID_KEPT " source_id = ?3, guid = ?4, link = ?5,"
        " title = ?6, summary = ?7, content = ?8, author = ?9,"
        " author_email = ?22, published = ?10, updated = ?11, date = ?12, first_seen = ?13,"
        " categories = ?14, enclosures = ?15, has_source = ?16,"
        " src_title = ?17, src_feed_url = ?18, src_link = ?19"
        " WHERE id = ?20",
    [ST_ENTRY_SOURCE] = "INSERT INTO entry_sources(entry_id, source_id, first_seen)"
                        " VALUES(?1, ?2, ?3) ON CONFLICT(entry_id, source_id) DO UPDATE"
                        " SET first_seen = min(first_seen, excluded.first_seen)",
/* A removed source's entries leave the merged feed (its rows wait for pruning). */
/* Two plans for one query: the newest entries walk entries_date from the top and stop at
 * the limit ("+e.id" keeps the planner off the rowid range, which would read and sort
 * every row); an archive page reads its range of ids and sorts those few. A view's
 * sources are checked row by row, by entry_sources' key. */
#define LOAD_ENTRIES(ID)                                                                           \
	"SELECT e.id, e.source_id, e.guid, e.link, e.title, e.summary,"                            \
	" e.content, e.author, e.published, e.updated, e.date, e.first_seen,"                      \
	" e.categories, e.enclosures, e.has_source, e.src_title,"                                  \
	" e.src_feed_url, e.src_link, iif(e.atom_id = '', e.link, e.atom_id), e.author_email"      \
	" FROM entries e"                                                                          \
	" JOIN sources s ON s.id = e.source_id WHERE s.removed_at IS NULL"                         \
	" AND e.date >= ?3 AND " ID " BETWEEN ?4 AND ?5"                                           \
	" AND (?2 IS NULL OR EXISTS (SELECT 1"                                                     \
	" FROM entry_sources es JOIN sources v ON v.id = es.source_id"                             \
	" WHERE es.entry_id = e.id AND v.removed_at IS NULL"                                       \
	" AND instr(?2, char(31) || v.name || char(31)) > 0))"                                     \
	" ORDER BY e.date DESC, e.first_seen DESC, e.id DESC LIMIT ?1"
    [ST_LOAD_ENTRIES] = LOAD_ENTRIES("+e.id"),
    [ST_LOAD_ENTRIES_RANGE] = LOAD_ENTRIES("e.id"),
#undef LOAD_ENTRIES
    [ST_LOAD_SOURCES] = "SELECT id, name, url, title, feed_title, site_link,"
                        " removed_at IS NULL, coalesce(changed_at, last_ok_at), language"
                        " FROM sources ORDER BY position, id",
    /* Who else carried an entry, remaining sources only, the way ST_REATTRIBUTE ranks them. */
    [ST_LOAD_CARRIERS] = "SELECT es.source_id, es.first_seen FROM entry_sources es"
                         " JOIN sources s ON s.id = es.source_id"
                         " WHERE es.entry_id = ?1 AND s.removed_at IS NULL"
                         " ORDER BY s.priority DESC, es.first_seen, s.position, s.id",
    [ST_LOAD_CREATED] = "SELECT CAST(value AS INTEGER), (SELECT max(id) FROM entries) FROM meta"
                        " WHERE name = 'created_at'",
    [ST_HEALTH_ADD] = "INSERT INTO health_events(source, at, state, detail) VALUES(?1, ?2, ?3, ?4)",
    /* The health feed shows the newest events; older ones are of no use to anyone. */
    [ST_HEALTH_PRUNE] = "DELETE FROM health_events WHERE id <= (SELECT id FROM health_events"
                        " ORDER BY id DESC LIMIT 1 OFFSET ?1)",
    [ST_DAY_NOTE] =
        "INSERT INTO source_days(source, day, polls, failures, not_modified,"
        " entries_new, fetch_ms_sum, fetch_ms_max) VALUES(?1, ?2, 1, ?3, ?4, ?5, ?6, ?6)"
        " ON CONFLICT(source, day) DO UPDATE SET polls = polls + 1,"
        " failures = failures + excluded.failures,"
        " not_modified = not_modified + excluded.not_modified,"
        " entries_new = entries_new + excluded.entries_new,"
        " fetch_ms_sum = fetch_ms_sum + excluded.fetch_ms_sum,"
        " fetch_ms_max = max(fetch_ms_max, excluded.fetch_ms_max)",
    [ST_DAY_PRUNE] = "DELETE FROM source_days WHERE day < ?1",
    [ST_ALIAS_FIND] = "SELECT e.key FROM entry_aliases a JOIN entries e ON e.id = a.entry_id"
                      " WHERE a.key = ?1",
    [ST_KEY_EXISTS] = "SELECT 1 FROM entries WHERE key_hash = ?2 AND key = ?1",
    [ST_ALIAS_ADD] = "INSERT OR IGNORE INTO entry_aliases(key, entry_id, link) VALUES(?1, ?2, ?3)",
    [ST_ALIAS_ANY] = "SELECT EXISTS (SELECT 1 FROM entry_aliases)",
    [ST_HEALTH_LOAD] = "SELECT id, source, at, state, detail FROM health_events"
                       " ORDER BY id DESC LIMIT ?1",
    /* Moves when another connection commits (not for this one's own writes). */
    [ST_DATA_VERSION] = "PRAGMA data_version",
};

sqlite3_stmt *store_stmt(struct store *s, enum store_stmt which)
{
	if (s->stmt[which] == NULL) {
		if (sqlite3_prepare_v3(s->db, store_sql[which], -1, SQLITE_PREPARE_PERSISTENT,
		                       &s->stmt[which], NULL) != SQLITE_OK)
			return NULL;
	} else {
		sqlite3_reset(s->stmt[which]);
		sqlite3_clear_bindings(s->stmt[which]);
	}
	return s->stmt[which];
}

/* After a failed statement inside a batch: SQLite rolls the whole transaction back on some
 * errors (a full disk, an I/O error), and then the batch is gone. */
static void batch_check(struct store *s)
{
	if (s->batch && sqlite3_get_autocommit(s->db)) {
		s->batch = 0;
		s->batch_lost = 1;
		store_count_entries(s, STORE_COUNT_UNKNOWN);
	}
}

static int store_exec_one(struct store *s, enum store_stmt which);

static void batch_finish(struct store *s);

/* Runs a statement that returns no rows (binding nothing); 0 or -1. Inside a batch the
 * store's transactions (ST_BEGIN, ST_BEGIN_READ, ST_COMMIT, ST_ROLLBACK) are savepoints: a
 * failed fetch still stores nothing, and the others of the batch stay. */
int store_exec_stmt(struct store *s, enum store_stmt which)
{
	if (s->batch) {
		switch (which) {
		case ST_BEGIN:
		case ST_BEGIN_READ:
			s->batch_steps++;
			return store_exec_one(s, ST_SAVEPOINT);
		case ST_COMMIT:
			return store_exec_one(s, ST_RELEASE);
		case ST_ROLLBACK:
			batch_check(s);
			if (!s->batch)
				return 0; /* already rolled back with the whole batch */
			if (store_exec_one(s, ST_ROLLBACK_TO) == -1)
				return -1;
			return store_exec_one(s, ST_RELEASE);
		default:
			break;
		}
	}
	return store_exec_one(s, which);
}

static int store_exec_one(struct store *s, enum store_stmt which)
{
	sqlite3_stmt *st = store_stmt(s, which);
	if (st == NULL)
		return -1;
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

const char *store_failing(const struct store *s)
{
	return s->failing ? s->failing_msg : NULL;
}

sqlite3 *store_db(struct store *s)
{
	return s->db;
}

const char *store_path(const struct store *s)
{
	return s->path;
}

/* Logs the current SQLite error for a source (or a task) once. */
void store_log_error(struct store *s, const char *source, const char *what)
{
	batch_check(s);
	s->failing = 1;
	snprintf(s->failing_msg, sizeof s->failing_msg, "%s: %s", what, sqlite3_errmsg(s->db));
	if (source != NULL)
		log_warnx("%s: source %s: %s: %s", s->path, source, what, sqlite3_errmsg(s->db));
	else
		log_warnx("%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

static int store_migrate(struct store *s, char *err, size_t errlen)
{
	int version = 0;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		snprintf(err, errlen, "%s: cannot open database: %s", s->path,
		         sqlite3_errmsg(s->db));
		sqlite3_finalize(st);
		return -1;
	}
	version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version > STORE_VERSION) {
		snprintf(err, errlen,
		         "%s: database schema version %d is newer than this feedmerge knows (%d)",
		         s->path, version, STORE_VERSION);
		return -1;
	}
	if (version == STORE_VERSION)
		return 0;
	/* A table rebuild (11) drops the old table: with foreign keys on, that would delete every
	 * row that refers to it. The pragma takes only outside a transaction. */
	sqlite3_exec(s->db, "PRAGMA foreign_keys = OFF", NULL, NULL, NULL);
	/* Dropping the old table journals every page it frees, for the statement's sake: about
	 * the database's size, which must go to a temporary file, not to memory. */
	int rebuilds = version > 0 && version <= STORE_MIGRATION_REBUILD;
	if (rebuilds)
		sqlite3_exec(s->db, "PRAGMA temp_store = FILE", NULL, NULL, NULL);
	int ret = 0, rebuilt = 0;
	for (int v = version; v < STORE_VERSION && ret == 0; v++) {
		if (v == STORE_MIGRATION_REBUILD && rebuilds) {
			log_info(
			    "%s: rebuilding the entries table for schema 11 (once; about a minute"
			    " a million entries)",
			    s->path);
			rebuilt = 1;
		}
		char *sql = xasprintf("BEGIN IMMEDIATE; %s PRAGMA user_version = %d; COMMIT;",
		                      store_migrations[v], v + 1);
		char *msg = NULL;
		int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
		free(sql);
		if (rc != SQLITE_OK) {
			snprintf(err, errlen, "%s: cannot migrate database to version %d: %s",
			         s->path, v + 1, msg != NULL ? msg : sqlite3_errmsg(s->db));
			sqlite3_free(msg);
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			ret = -1;
		}
	}
	sqlite3_exec(s->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	if (rebuilds)
		sqlite3_exec(s->db, "PRAGMA temp_store = MEMORY", NULL, NULL, NULL);
	/* The old table's pages are free now: give them back to the file system. */
	if (ret == 0 && rebuilt)
		sqlite3_exec(s->db, "PRAGMA incremental_vacuum", NULL, NULL, NULL);
	return ret;
}

/* feedmerge_key_hash(key): store_key_hash in SQL, for migration 11. */
static void sql_key_hash(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const char *key = (const char *)sqlite3_value_text(argv[0]);
	if (key == NULL)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_int64(ctx, store_key_hash(key));
}

/* Pruned pages go back to the file system a few at a time (store_prune_entries), so the file
 * does not grow without bound. A new database is made so; an older one is converted once,
 * with a VACUUM (which cannot run inside the migrations' transactions). */
static int store_auto_vacuum(struct store *s, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int mode = -1, tables = -1;
	if (sqlite3_prepare_v2(s->db, "PRAGMA auto_vacuum", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		mode = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL) ==
	        SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		tables = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (mode == 2 || mode < 0 || tables < 0)
		return 0;
	if (tables > 0)
		log_info("%s: converting the database to incremental vacuum (once)", s->path);
	char *msg = NULL;
	if (sqlite3_exec(s->db,
	                 tables > 0 ? "PRAGMA auto_vacuum = INCREMENTAL; VACUUM;"
	                            : "PRAGMA auto_vacuum = INCREMENTAL;",
	                 NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot set incremental vacuum: %s", s->path,
		         msg != NULL ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* Opens (creating or migrating) the database at path; NULL with a reason in err. */
struct store *store_open(const char *path, char *err, size_t errlen)
{
	struct store *s = xcalloc(1, sizeof *s);
	s->has_aliases = -1;
	s->path = xstrdup(path);
	int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open database: %s", path,
		         s->db != NULL ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	sqlite3_create_function(s->db, "feedmerge_key_hash", 1,
	                        SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, NULL,
	                        sql_key_hash, NULL, NULL);
	char *msg = NULL;
	/* WAL lets readers (the emitter, sqlite3 shells) run beside the writer. The first
	 * statement that touches the file also tells a non-database file apart. Temporary
	 * files in memory: each savepoint of a batch journals the pages it changes, and written
	 * to a file that doubled the bytes a poll writes (and a hardened unit may have no
	 * writable /var/tmp). A WAL that grew during a burst (up to 16 MB, store_checkpoint.c)
	 * is cut back to 4 MB when it starts over. A page cache of 8 MB (SQLite's default is
	 * 2 MB) holds most of a quarter-second batch's dirty pages and of the key index: with
	 * less, a batch spills pages to the WAL before its commit and writes them again, and an
	 * insert reads its index leaf from the file. 16 MB measured 14% faster still at a million
	 * entries, for 8 MB more of resident memory (bench/README.md). */
	/* auto_vacuum first: it only takes without a VACUUM before the file has a header. */
	if (sqlite3_exec(s->db,
	                 "PRAGMA auto_vacuum = INCREMENTAL;"
	                 " PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;"
	                 " PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY;"
	                 " PRAGMA journal_size_limit = 4194304; PRAGMA cache_size = -8192;",
	                 NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open database: %s", path,
		         msg != NULL ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		goto fail;
	}
	/* Migrations first: a database from a newer feedmerge is refused before anything else. */
	if (store_migrate(s, err, errlen) == -1 || store_auto_vacuum(s, err, errlen) == -1)
		goto fail;
	s->checkpointer = store_checkpointer_new(s->db, path, 0, 0);
	return s;
fail:
	store_close(s);
	return NULL;
}

/* Commits the open batch; on failure the batch is lost (rolled back). */
static void batch_finish(struct store *s)
{
	if (!s->batch)
		return;
	s->batch = 0;
	if (store_exec_one(s, ST_COMMIT) == 0)
		return;
	char *what =
	    xasprintf("cannot commit a batch of %zu writes (lost: their polls are done again)",
	              s->batch_steps);
	store_log_error(s, NULL, what);
	free(what);
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->batch_lost = 1;
	store_count_entries(s, STORE_COUNT_UNKNOWN);
}

int store_batch_begin(struct store *s)
{
	if (s->batch)
		return 1;
	if (!sqlite3_get_autocommit(s->db))
		return 0; /* inside some other transaction: no batch */
	/* Without waiting: while another process holds the write lock, the writes go one by
	 * one, each with the usual wait, as without batches. */
	sqlite3_busy_timeout(s->db, 0);
	int rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	if (rc != SQLITE_OK)
		return 0;
	s->batch = 1;
	s->batch_steps = 0;
	return 1;
}

int store_batch_open(const struct store *s)
{
	return s->batch;
}

int store_batch_commit(struct store *s)
{
	batch_finish(s);
	int lost = s->batch_lost;
	s->batch_lost = 0;
	return lost ? -1 : 0;
}

void store_checkpoints(struct store *s, struct store_checkpoint_stats *out)
{
	store_checkpointer_stats(s->checkpointer, out);
}

void store_close(struct store *s)
{
	if (s == NULL)
		return;
	batch_finish(s);
	store_status_cache_free(s);
	store_checkpointer_free(s->checkpointer);
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	sqlite3_close(s->db);
	url_tracking_free(s->tracking);
	free(s->path);
	free(s);
}

int store_exec_int(struct store *s, enum store_stmt which, int64_t v1, const int64_t *v2)
{
	sqlite3_stmt *st = store_stmt(s, which);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, v1);
	if (v2 != NULL)
		sqlite3_bind_int64(st, 2, *v2);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

char *store_meta_get(struct store *s, const char *name)
{
	sqlite3_stmt *st = NULL;
	char *v = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE name = ?1", -1, &st, NULL) ==
	    SQLITE_OK) {
		bind_text(st, 1, name);
		if (sqlite3_step(st) == SQLITE_ROW)
			v = column_dup(st, 0);
	}
	sqlite3_finalize(st);
	return v;
}

int store_meta_set(struct store *s, const char *name, const char *value)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO meta(name, value) VALUES(?1, ?2)", -1,
	                       &st, NULL) == SQLITE_OK) {
		bind_text(st, 1, name);
		bind_text(st, 2, value);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	}
	sqlite3_finalize(st);
	return rc;
}

int store_set_synchronous(struct store *s, const char *level)
{
	static const char *const levels[] = {"off", "normal", "full", "extra"};
	batch_finish(s); /* the pragma cannot change inside a transaction */
	for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
		if (strcmp(level, levels[i]) != 0)
			continue;
		char *sql = xasprintf("PRAGMA synchronous = %s", levels[i]);
		int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
		free(sql);
		if (rc == SQLITE_OK)
			return 0;
		break;
	}
	store_log_error(s, NULL, "cannot set synchronous");
	return -1;
}

/* Records the configured sources and their order; 0, or -1 after logging. */
/* What attribution depends on, as one string (a new one, or NULL): which sources remain, in
 * which order, with which priority. Ownership is recomputed only when it changed: the query
 * that does it reads every entry (seconds at a million). */
static char *attribution_inputs_dup(struct store *s)
{
	sqlite3_stmt *st = NULL;
	char *v = NULL;
	if (sqlite3_prepare_v2(s->db,
	                       "SELECT group_concat(id || ':' || (removed_at IS NULL) || ':' ||"
	                       " position || ':' || priority, ',') FROM (SELECT * FROM sources"
	                       " ORDER BY id)",
	                       -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = column_dup(st, 0);
	sqlite3_finalize(st);
	return v != NULL ? v : xstrdup("");
}

int store_sync_sources(struct store *s, const struct store_source *list, size_t n, int64_t now)
{
	sqlite3_stmt *st;
	char *before = NULL, *after = NULL;
	if (store_exec_stmt(s, ST_BEGIN) == -1)
		goto fail;
	before = attribution_inputs_dup(s);
	if (store_exec_int(s, ST_SYNC_RESET, STORE_POSITION_GONE, NULL) == -1)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		if ((st = store_stmt(s, ST_SYNC_UPSERT)) == NULL)
			goto fail;
		bind_text(st, 1, list[i].name);
		bind_text(st, 2, list[i].url);
		bind_text(st, 3, list[i].title);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)i);
		sqlite3_bind_int(st, 5, list[i].priority);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto fail;
		sqlite3_reset(st);
	}
	if (store_exec_int(s, ST_SYNC_MARK_REMOVED, STORE_POSITION_GONE, &now) == -1)
		goto fail;
	after = attribution_inputs_dup(s);
	if (strcmp(before, after) != 0 && store_exec_stmt(s, ST_REATTRIBUTE) == -1)
		goto fail;
	if (store_exec_stmt(s, ST_COMMIT) == -1)
		goto fail;
	free(before);
	free(after);
	return 0;
fail:
	store_log_error(s, NULL, "cannot record sources");
	store_exec_stmt(s, ST_ROLLBACK);
	free(before);
	free(after);
	return -1;
}

/* Deletes the rows of sources removed at or before removed_before; 0 or -1 after logging. */
void store_poll_state_clear(struct store_poll_state *ps)
{
	free(ps->last_error);
	free(ps->error_class);
	free(ps->redirect_url);
	free(ps->adopted_url);
	*ps = (struct store_poll_state){
	    .last_attempt_at = FEED_TIME_NONE,
	    .last_ok_at = FEED_TIME_NONE,
	    .next_due_at = FEED_TIME_NONE,
	    .retry_until = FEED_TIME_NONE,
	    .gone_since = FEED_TIME_NONE,
	    .hint_s = -1,
	    .adopted_at = FEED_TIME_NONE,
	    .entries_seen = -1,
	};
}

/* Fills *ps with what was stored for source (a clean state when nothing was). */
int store_get_poll_state(struct store *s, const char *source, struct store_poll_state *ps)
{
	store_poll_state_clear(ps);
	sqlite3_stmt *st = store_stmt(s, ST_STATE_GET);
	if (st == NULL)
		goto fail;
	bind_text(st, 1, source);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		ps->last_attempt_at = column_time(st, 0);
		ps->last_ok_at = column_time(st, 1);
		ps->next_due_at = column_time(st, 2);
		ps->retry_until = column_time(st, 3);
		int64_t failures = sqlite3_column_int64(st, 4);
		ps->failures = failures > 0 && failures < UINT32_MAX ? (unsigned)failures : 0;
		ps->last_status = (long)sqlite3_column_int64(st, 5);
		ps->last_error = column_dup(st, 6);
		ps->error_class = column_dup(st, 7);
		ps->retry_soon = sqlite3_column_int(st, 8) != 0;
		ps->gone_since = column_time(st, 9);
		ps->hint_s =
		    sqlite3_column_type(st, 10) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 10);
		ps->skip_hours = (uint32_t)sqlite3_column_int64(st, 11) & 0xffffffu;
		ps->skip_days = (uint8_t)(sqlite3_column_int(st, 12) & 0x7f);
		ps->has_body_hash = sqlite3_column_type(st, 13) != SQLITE_NULL;
		ps->body_hash = (uint64_t)sqlite3_column_int64(st, 13);
		ps->redirect_url = column_dup(st, 14);
		int64_t polls = sqlite3_column_int64(st, 15);
		ps->redirect_polls = polls > 0 && polls < 1000 ? (unsigned)polls : 0;
		ps->adopted_url = column_dup(st, 16);
		ps->adopted_at = column_time(st, 17);
		ps->entries_seen =
		    sqlite3_column_type(st, 18) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 18);
	} else if (rc != SQLITE_DONE) {
		goto fail;
	}
	sqlite3_reset(st);
	return 0;
fail:
	store_log_error(s, source, "cannot read poll state");
	if (st != NULL)
		sqlite3_reset(st);
	return -1;
}

int store_set_poll_state(struct store *s, const char *source, const struct store_poll_state *ps)
{
	sqlite3_stmt *st = store_stmt(s, ST_STATE_SET);
	if (st == NULL)
		goto fail;
	bind_text(st, 1, source);
	bind_time(st, 2, ps->last_attempt_at);
	bind_time(st, 3, ps->last_ok_at);
	bind_time(st, 4, ps->next_due_at);
	bind_time(st, 5, ps->retry_until);
	sqlite3_bind_int64(st, 6, ps->failures);
	if (ps->last_status > 0)
		sqlite3_bind_int64(st, 7, ps->last_status);
	else
		sqlite3_bind_null(st, 7);
	bind_text(st, 8, ps->last_error);
	bind_text(st, 9, ps->error_class);
	sqlite3_bind_int(st, 10, ps->retry_soon);
	bind_time(st, 11, ps->gone_since);
	if (ps->hint_s >= 0)
		sqlite3_bind_int64(st, 12, ps->hint_s);
	else
		sqlite3_bind_null(st, 12);
	sqlite3_bind_int64(st, 13, ps->skip_hours);
	sqlite3_bind_int(st, 14, ps->skip_days);
	if (ps->has_body_hash)
		sqlite3_bind_int64(st, 15, (sqlite3_int64)ps->body_hash);
	else
		sqlite3_bind_null(st, 15);
	bind_text(st, 16, ps->redirect_url);
	sqlite3_bind_int64(st, 17, ps->redirect_polls);
	bind_text(st, 18, ps->adopted_url);
	bind_time(st, 19, ps->adopted_at);
	if (ps->entries_seen >= 0)
		sqlite3_bind_int64(st, 20, ps->entries_seen);
	else
		sqlite3_bind_null(st, 20);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	sqlite3_reset(st);
	return 0;
fail:
	store_log_error(s, source, "cannot record poll state");
	if (st != NULL)
		sqlite3_reset(st);
	return -1;
}

/* Sets *etag and *last_modified to new strings (or NULL) when they were stored for url. */
int store_get_validators(struct store *s, const char *source, const char *url, char **etag,
                         char **last_modified)
{
	*etag = NULL;
	*last_modified = NULL;
	sqlite3_stmt *st = store_stmt(s, ST_VALIDATORS_GET);
	if (st == NULL)
		goto fail;
	bind_text(st, 1, source);
	bind_text(st, 2, url);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*etag = column_dup(st, 0);
		*last_modified = column_dup(st, 1);
	} else if (rc != SQLITE_DONE) {
		goto fail;
	}
	sqlite3_reset(st);
	return 0;
fail:
	store_log_error(s, source, "cannot read validators");
	if (st != NULL)
		sqlite3_reset(st);
	return -1;
}

/* Records a 304: the source was fetched successfully at at. */
int store_mark_not_modified(struct store *s, const char *source, const char *url, const char *etag,
                            const char *last_modified, int64_t at)
{
	sqlite3_stmt *st = store_stmt(s, ST_SOURCE_NOT_MODIFIED);
	if (st == NULL)
		goto fail;
	bind_text(st, 1, source);
	sqlite3_bind_int64(st, 2, at);
	bind_text(st, 3, etag);
	bind_text(st, 4, last_modified);
	bind_text(st, 5, url);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	sqlite3_reset(st);
	return 0;
fail:
	store_log_error(s, source, "cannot record fetch");
	if (st != NULL)
		sqlite3_reset(st);
	return -1;
}

/* Returns a new string: the dedup key of e carried by source. Sets *is_link when the key is a
 * canonical link. */
/* canon: the entry's canonical link, computed once per commit (NULL: none). */
static char *entry_key(const struct store *s, const char *source, const struct entry *e,
                       enum store_identity mode, const char *canon)
{
	if (mode == STORE_IDENTITY_HASH) {
		/* Title and date: what tells apart the items of a feed whose links and ids do not.
		 */
		uint64_t h = HASH64_INIT;
		if (e->title != NULL)
			h = hash64_update(h, e->title, strlen(e->title));
		int64_t d = e->published != FEED_TIME_NONE ? e->published : e->updated;
		h = hash64_update(h, &d, sizeof d);
		return xasprintf("source:%s:titledate:%016" PRIx64, source, h);
	}
	if (mode == STORE_IDENTITY_ID && e->id != NULL && e->id[0] != '\0')
		return xasprintf("source:%s:id:%s", source, e->id);
	if (canon != NULL)
		return url_story_key(canon, s->story_fold);
	if (e->id != NULL && e->id[0] != '\0')
		return xasprintf("source:%s:id:%s", source, e->id);
	uint64_t h = HASH64_INIT;
	if (e->title != NULL)
		h = hash64_update(h, e->title, strlen(e->title));
	h = hash64_update(h, "\x1f", 1);
	if (e->summary != NULL)
		h = hash64_update(h, e->summary, strlen(e->summary));
	return xasprintf("source:%s:hash:%016" PRIx64, source, h);
}

/* Returns a new string: the entry's atom:id, its canonical link (as first stored: never
 * changed after) or an IRI derived from the key (stable across runs, unique as the key is). */
static char *entry_atom_id(const char *key, const char *canon)
{
	if (canon != NULL)
		return xstrdup(canon);
	return xasprintf("urn:feedmerge:%016" PRIx64, hash64(key, strlen(key)));
}

/* The entry's date: published, else updated, else first seen; never after first seen. */
static int64_t entry_date(const struct entry *e, int64_t first_seen)
{
	int64_t d = e->published != FEED_TIME_NONE ? e->published : e->updated;
	if (d == FEED_TIME_NONE || d > first_seen)
		d = first_seen;
	return d;
}

/* A feed's date, never after the entry was first seen: a date in the future is clamped in the
 * store, so that every output shows the same. */
static void bind_clamped_time(sqlite3_stmt *st, int i, int64_t t, int64_t first_seen)
{
	bind_time(st, i, t != FEED_TIME_NONE && t > first_seen ? first_seen : t);
}

/* Binds the shared entry parameter layout ?1 .. ?21 (?21: the text changed). The strings must
 * outlive the step. */
static void bind_entry(sqlite3_stmt *st, const struct entry *e, const char *key,
                       const char *atom_id, const char *link, int64_t source_id, int64_t first_seen,
                       const char *categories, const char *enclosures, int64_t row_id,
                       int text_changed)
{
	int n = sqlite3_bind_parameter_count(st);
	if (n >= 1)
		bind_text(st, 1, key);
	if (n >= 2)
		bind_text(st, 2, atom_id);
	sqlite3_bind_int64(st, 3, source_id);
	bind_text(st, 4, e->id);
	bind_text(st, 5, link);
	bind_text(st, 6, e->title);
	bind_text(st, 7, e->summary);
	bind_text(st, 8, e->content);
	bind_text(st, 9, e->author);
	bind_clamped_time(st, 10, e->published, first_seen);
	bind_clamped_time(st, 11, e->updated, first_seen);
	sqlite3_bind_int64(st, 12, entry_date(e, first_seen));
	sqlite3_bind_int64(st, 13, first_seen);
	bind_text(st, 14, categories);
	bind_text(st, 15, enclosures);
	sqlite3_bind_int(st, 16, e->source != NULL);
	bind_text(st, 17, e->source != NULL ? e->source->title : NULL);
	bind_text(st, 18, e->source != NULL ? e->source->feed_url : NULL);
	bind_text(st, 19, e->source != NULL ? e->source->link : NULL);
	if (n >= 20)
		sqlite3_bind_int64(st, 20, row_id);
	if (n >= 21)
		sqlite3_bind_int(st, 21, text_changed);
	bind_text(st, 22, e->author_email);
}

/* The dedup key of e's feedproxy link (link_proxy, which its origLink replaced), a new string,
 * or NULL when it has none or the entry is not keyed by its link; *canon: the canonical link
 * it was made from (a new string, when the key is not NULL). */
static char *proxy_key_dup(struct store *s, const struct entry *e, const char *key, char **canon)
{
	*canon = NULL;
	if (e->link_proxy == NULL || strncmp(key, "http", 4) != 0)
		return NULL;
	char *c = url_canonical_with(e->link_proxy, s->tracking);
	char *pk = c != NULL ? url_story_key(c, s->story_fold) : NULL;
	if (pk != NULL && strcmp(pk, key) == 0) {
		free(pk);
		pk = NULL;
	}
	if (pk != NULL)
		*canon = c;
	else
		free(c);
	return pk;
}

/* The key of the stored story that key (no entry holds it) names by another address: an
 * alias row, else the proxy link's key when an entry holds it. A new string, or NULL. */
static char *alias_target_dup(struct store *s, const char *key, const char *proxy_key)
{
	char *target = NULL;
	sqlite3_stmt *st;
	if (s->has_aliases < 0 && (st = store_stmt(s, ST_ALIAS_ANY)) != NULL) {
		s->has_aliases = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
		sqlite3_reset(st);
	}
	if (s->has_aliases > 0 && (st = store_stmt(s, ST_ALIAS_FIND)) != NULL) {
		bind_text(st, 1, key);
		if (sqlite3_step(st) == SQLITE_ROW)
			target = column_dup(st, 0);
		sqlite3_reset(st);
	}
	if (target == NULL && proxy_key != NULL && (st = store_stmt(s, ST_KEY_EXISTS)) != NULL) {
		bind_text(st, 1, proxy_key);
		sqlite3_bind_int64(st, 2, store_key_hash(proxy_key));
		if (sqlite3_step(st) == SQLITE_ROW)
			target = xstrdup(proxy_key);
		sqlite3_reset(st);
	}
	return target;
}

/* Records key (made from link) as another address of entry row_id (nothing when it is
 * already one). */
static int alias_add(struct store *s, const char *key, int64_t row_id, const char *link)
{
	sqlite3_stmt *st = store_stmt(s, ST_ALIAS_ADD);
	if (st == NULL)
		return -1;
	bind_text(st, 1, key);
	sqlite3_bind_int64(st, 2, row_id);
	bind_text(st, 3, link);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	s->has_aliases = 1;
	return 0;
}

/* Stores one entry inside the open transaction: 1 when it was new, 3 when the text a reader
 * sees changed, 2 when only other fields did, 0 when nothing did, -1 on error. */
static int store_entry_upsert(struct store *s, int64_t source_id, int64_t position, int priority,
                              const struct entry *e, const char *key, const char *canon,
                              int64_t seen_at)
{
	int ret = -1;
	char *atom_id = NULL, *categories = NULL, *enclosures = NULL;
	char *proxy_canon;
	char *proxy_key = proxy_key_dup(s, e, key, &proxy_canon), *alias_of = NULL;
	const char *given_key = key;
	int64_t row_id = -1;
	int changed = 0, text_changed = 0, taking_over = 0;
	sqlite3_stmt *st = NULL;
	int rc;
	int64_t key_hash; /* of key, for the lookup and the insert */
	for (;;) {
		if ((st = store_stmt(s, ST_ENTRY_FIND)) == NULL)
			goto out;
		key_hash = store_key_hash(key);
		bind_text(st, 1, key);
		bind_text(st, 2, e->title);
		bind_text(st, 3, e->summary);
		bind_text(st, 4, e->content);
		sqlite3_bind_int64(st, 5, key_hash);
		rc = sqlite3_step(st);
		if (rc != SQLITE_DONE || alias_of != NULL)
			break;
		/* Not stored under its own key: maybe under another address of the story. */
		sqlite3_reset(st);
		if ((alias_of = alias_target_dup(s, key, proxy_key)) == NULL)
			break; /* rc is SQLITE_DONE: a new story */
		key = alias_of;
	}
	enum store_stmt action;
	if (rc == SQLITE_ROW) {
		row_id = sqlite3_column_int64(st, 0);
		int64_t owner = sqlite3_column_int64(st, 1);
		int64_t owner_seen = sqlite3_column_int64(st, 2);
		int64_t owner_position = sqlite3_column_int64(st, 3);
		int owner_priority = sqlite3_column_int(st, 6);
		int owner_removed = sqlite3_column_int(st, 4);
		text_changed = !sqlite3_column_int(st, 5);
		if (owner == source_id)
			action = ST_ENTRY_REFRESH;
		else if (owner_removed)
			action = ST_ENTRY_ADOPT;
		else if (priority > owner_priority) {
			action = ST_ENTRY_ADOPT; /* takes it over, date and place kept */
			taking_over = 1;
		} else if (priority < owner_priority)
			action = ST_COUNT;
		else if (seen_at < owner_seen ||
		         (seen_at == owner_seen && position < owner_position))
			action = ST_ENTRY_REATTRIBUTE;
		else
			action = ST_COUNT; /* another source has it: only record this one */
	} else if (rc == SQLITE_DONE) {
		action = ST_ENTRY_INSERT;
	} else {
		goto out;
	}
	sqlite3_reset(st);
	if (action == ST_ENTRY_INSERT) {
		/* Pruned before: a feed still listing it does not bring it back as new. */
		if ((st = store_stmt(s, ST_TOMBSTONE_FIND)) == NULL)
			goto out;
		bind_text(st, 1, key);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc == SQLITE_ROW) {
			ret = 0;
			st = NULL;
			goto out;
		}
		if (rc != SQLITE_DONE)
			goto out;
	}
	if (action != ST_ENTRY_REFRESH && action != ST_ENTRY_ADOPT)
		text_changed = 0; /* a new entry, or another source's version: not an update */

	if (action != ST_COUNT) {
		atom_id = entry_atom_id(key, canon);
		categories = store_codec_categories_join(e);
		enclosures = store_codec_enclosures_join(e);
		if ((st = store_stmt(s, action)) == NULL)
			goto out;
		/* The published link: the carried one normalised (no tracking parameters, default
		 * port or fragment), with its own scheme and host. */
		bind_entry(st, e, key, atom_id, canon != NULL ? canon : e->link, source_id, seen_at,
		           categories, enclosures, row_id, text_changed);
		if (action == ST_ENTRY_INSERT)
			sqlite3_bind_int64(st, 23, key_hash);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto out;
		if (action == ST_ENTRY_INSERT)
			row_id = sqlite3_last_insert_rowid(s->db);
		else
			changed = sqlite3_changes(s->db) > 0;
		sqlite3_reset(st);
	}

	if ((st = store_stmt(s, ST_ENTRY_SOURCE)) == NULL)
		goto out;
	sqlite3_bind_int64(st, 1, row_id);
	sqlite3_bind_int64(st, 2, source_id);
	sqlite3_bind_int64(st, 3, seen_at);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto out;
	/* Taken over from another remaining source (first in the round, or a higher priority):
	 * said in the log, so that its lines agree with what the database credits. */
	sqlite3_reset(st);
	st = NULL;
	/* The story's other addresses find it from now on, whichever a feed gives. */
	if ((proxy_key != NULL && strcmp(proxy_key, key) != 0 &&
	     alias_add(s, proxy_key, row_id, proxy_canon)) ||
	    (alias_of != NULL && alias_add(s, given_key, row_id, canon)))
		goto out;
	if (action == ST_ENTRY_REATTRIBUTE || (action == ST_ENTRY_ADOPT && taking_over))
		ret = 4;
	else
		ret = action == ST_ENTRY_INSERT ? 1 : !changed ? 0 : text_changed ? 3 : 2;
out:
	if (st != NULL)
		sqlite3_reset(st);
	free(proxy_key);
	free(proxy_canon);
	free(alias_of);
	free(atom_id);
	free(categories);
	free(enclosures);
	return ret;
}

/* A set of the keys already stored from one feed: its first entry with a key wins. */
struct key_set {
	char **keys;
	uint64_t *hashes;
	size_t n;
};

/* Adds key (taking ownership) unless present; returns 1 when added, 0 when it was there. */
static int key_set_add(struct key_set *ks, char *key)
{
	uint64_t h = hash64(key, strlen(key));
	for (size_t i = 0; i < ks->n; i++)
		if (ks->hashes[i] == h && strcmp(ks->keys[i], key) == 0)
			return 0;
	ks->keys = xreallocarray(ks->keys, ks->n + 1, sizeof *ks->keys);
	ks->hashes = xreallocarray(ks->hashes, ks->n + 1, sizeof *ks->hashes);
	ks->keys[ks->n] = key;
	ks->hashes[ks->n++] = h;
	return 1;
}

static void key_set_free(struct key_set *ks)
{
	for (size_t i = 0; i < ks->n; i++)
		free(ks->keys[i]);
	free(ks->keys);
	free(ks->hashes);
}

/* Whether the keys of mode tell f's items apart. Links: fewer than IDENTITY_BAD_PERCENT of them
 * repeated (items without a link fall back to their id one by one; repeats collapse stories).
 * Ids: fewer than that missing or repeated. Never on a single repeat. */
#define IDENTITY_BAD_PERCENT 5
static int identity_holds(const struct store *s, const struct feed *f, char *const *canon,
                          enum store_identity mode)
{
	struct key_set ks = {0};
	size_t bad = 0;
	for (size_t i = 0; i < f->nentries; i++) {
		const struct entry *e = &f->entries[i];
		char *key = NULL;
		if (mode == STORE_IDENTITY_ID)
			key = e->id != NULL && e->id[0] != '\0' ? xstrdup(e->id) : NULL;
		else if (canon[i] != NULL)
			key = url_story_key(canon[i], s->story_fold);
		if (key == NULL) {
			bad += mode == STORE_IDENTITY_ID;
			continue;
		}
		if (!key_set_add(&ks, key)) {
			free(key);
			bad++;
		}
	}
	key_set_free(&ks);
	return bad < 2 || bad * 100 <= f->nentries * IDENTITY_BAD_PERCENT;
}

/* identity = auto: the mode f's items call for, from mode (links first, then ids, then a hash
 * of title and date), said once in the log when it changes. */
static enum store_identity identity_check(const struct store *s, const char *source,
                                          const struct feed *f, char *const *canon,
                                          enum store_identity mode)
{
	if (f->nentries < 2 || identity_holds(s, f, canon, mode))
		return mode;
	enum store_identity next = STORE_IDENTITY_HASH;
	if (mode == STORE_IDENTITY_LINK && identity_holds(s, f, canon, STORE_IDENTITY_ID))
		next = STORE_IDENTITY_ID;
	log_warnx("source %s: its %s repeat (or are missing) in more than %d%% of its %zu items: "
	          "keyed by %s from now on (identity = auto)",
	          source, mode == STORE_IDENTITY_LINK ? "links" : "ids", IDENTITY_BAD_PERCENT,
	          f->nentries, next == STORE_IDENTITY_ID ? "their ids" : "title and date");
	return next;
}

/* Stores one fetched feed in one transaction; 0, or -1 after logging with nothing stored. */
int store_commit_fetch(struct store *s, const char *source, const char *url, const struct feed *f,
                       const char *etag, const char *last_modified, int64_t seen_at,
                       enum store_identity identity, size_t *new_entries,
                       struct store_commit_counts *counts)
{
	size_t added = 0, updated = 0, taken = 0;
	int changed = 0;
	struct key_set seen = {0};
	sqlite3_stmt *st;
	if (new_entries != NULL)
		*new_entries = 0;
	if (counts != NULL)
		*counts = (struct store_commit_counts){0};
	if (store_exec_stmt(s, ST_BEGIN) == -1)
		goto fail;

	/* A source the config sync has not recorded still gets a row (sorted last). */
	if ((st = store_stmt(s, ST_SOURCE_ENSURE)) == NULL)
		goto fail;
	bind_text(st, 1, source);
	bind_text(st, 2, url);
	sqlite3_bind_int(st, 3, STORE_POSITION_GONE);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	if ((st = store_stmt(s, ST_SOURCE_GET)) == NULL)
		goto fail;
	bind_text(st, 1, source);
	if (sqlite3_step(st) != SQLITE_ROW)
		goto fail;
	int64_t source_id = sqlite3_column_int64(st, 0);
	int64_t position = sqlite3_column_int64(st, 1);
	const char *stored_identity = (const char *)sqlite3_column_text(st, 2);
	int priority = sqlite3_column_int(st, 3);
	enum store_identity mode = identity;
	if (identity == STORE_IDENTITY_AUTO)
		mode = stored_identity == NULL                ? STORE_IDENTITY_LINK
		       : strcmp(stored_identity, "id") == 0   ? STORE_IDENTITY_ID
		       : strcmp(stored_identity, "hash") == 0 ? STORE_IDENTITY_HASH
		                                              : STORE_IDENTITY_LINK;
	sqlite3_reset(st);

	if ((st = store_stmt(s, ST_SOURCE_FETCHED)) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, source_id);
	bind_text(st, 2, f->title);
	bind_text(st, 3, f->link);
	bind_text(st, 4, etag);
	bind_text(st, 5, last_modified);
	bind_text(st, 6, url);
	sqlite3_bind_int64(st, 7, seen_at);
	bind_text(st, 8, f->language);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	sqlite3_reset(st);

	/* Keys first, in document order: a feed's first entry with a key wins. Then stored
	 * last to first, so that entries of one poll without dates, dated alike when first
	 * seen, keep the document's order (the first item is the newest) without invented
	 * times: the later row sorts first among equal dates. */
	size_t *kept = xcalloc(f->nentries ? f->nentries : 1, sizeof *kept);
	char **kept_canon = xcalloc(f->nentries ? f->nentries : 1, sizeof *kept_canon);
	size_t nkept = 0;
	int failed = 0;
	/* Each link made canonical once (libcurl's URL API is most of a commit's CPU), for the
	 * identity check and the keys alike. */
	char **canon = xcalloc(f->nentries ? f->nentries : 1, sizeof *canon);
	for (size_t i = 0; i < f->nentries; i++) {
		const char *link = f->entries[i].link;
		if (link != NULL && link[0] != '\0')
			canon[i] = url_canonical_with(link, s->tracking);
	}
	if (identity == STORE_IDENTITY_AUTO && mode != STORE_IDENTITY_HASH) {
		enum store_identity next = identity_check(s, source, f, canon, mode);
		if (next != mode) {
			if ((st = store_stmt(s, ST_SOURCE_IDENTITY)) == NULL) {
				failed = 1;
			} else {
				sqlite3_bind_int64(st, 1, source_id);
				bind_text(st, 2, next == STORE_IDENTITY_ID ? "id" : "hash");
				failed = sqlite3_step(st) != SQLITE_DONE;
				sqlite3_reset(st);
			}
			mode = next;
		}
	}
	for (size_t i = 0; i < f->nentries; i++) {
		char *key = entry_key(s, source, &f->entries[i], mode, canon[i]);
		if (!key_set_add(&seen, key)) {
			free(key);
			continue;
		}
		kept_canon[nkept] = canon[i];
		canon[i] = NULL; /* now kept_canon's */
		kept[nkept++] = i;
	}
	for (size_t k = nkept; k-- > 0 && !failed;) {
		int r = store_entry_upsert(s, source_id, position, priority, &f->entries[kept[k]],
		                           seen.keys[k], kept_canon[k], seen_at);
		failed = r == -1;
		added += r == 1;
		updated += r == 3;
		taken += r == 4;
		changed |= r > 0;
	}
	for (size_t k = 0; k < nkept; k++)
		free(kept_canon[k]);
	for (size_t i = 0; i < f->nentries; i++)
		free(canon[i]); /* the duplicates' */
	free(canon);
	free(kept);
	free(kept_canon);
	if (failed)
		goto fail;
	if (changed) {
		if ((st = store_stmt(s, ST_SOURCE_CHANGED)) == NULL)
			goto fail;
		sqlite3_bind_int64(st, 1, source_id);
		sqlite3_bind_int64(st, 2, seen_at);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto fail;
	}
	if (store_exec_stmt(s, ST_COMMIT) == -1)
		goto fail;
	store_count_entries(s, (int64_t)added);
	key_set_free(&seen);
	if (new_entries != NULL)
		*new_entries = added;
	if (counts != NULL) {
		counts->updated = updated;
		counts->taken_over = taken;
	}
	return 0;
fail:
	store_log_error(s, source, "cannot store fetched feed");
	store_exec_stmt(s, ST_ROLLBACK);
	key_set_free(&seen);
	return -1;
}

/* Fills one merged entry from a ST_LOAD_ENTRIES row. */
static void load_entry(sqlite3_stmt *st, struct merged_entry *me)
{
	struct entry *e = &me->e;
	memset(me, 0, sizeof *me);
	e->id = column_dup(st, 2);
	e->link = column_dup(st, 3);
	e->title = column_dup(st, 4);
	e->summary = column_dup(st, 5);
	e->content = column_dup(st, 6);
	e->author = column_dup(st, 7);
	e->published = column_time(st, 8);
	e->updated = column_time(st, 9);
	me->date = sqlite3_column_int64(st, 10);
	me->first_seen = sqlite3_column_int64(st, 11);
	store_codec_categories_split(e, (const char *)sqlite3_column_text(st, 12));
	store_codec_enclosures_split(e, (const char *)sqlite3_column_text(st, 13));
	if (sqlite3_column_int(st, 14)) {
		e->source = xcalloc(1, sizeof *e->source);
		e->source->title = column_dup(st, 15);
		e->source->feed_url = column_dup(st, 16);
		e->source->link = column_dup(st, 17);
	}
	me->atom_id = column_dup(st, 18);
	e->author_email = column_dup(st, 19);
}

static int is_empty(const char *s)
{
	return s == NULL || s[0] == '\0';
}

static void merged_source_clear(struct merged_source *ms)
{
	free(ms->name);
	free(ms->title);
	free(ms->feed_url);
	free(ms->site_link);
	free(ms->language);
}

/* The position of id in ids[0..n), n when absent. */
static size_t id_index(const int64_t *ids, size_t n, int64_t id)
{
	for (size_t j = 0; j < n; j++)
		if (ids[j] == id)
			return j;
	return n;
}

/* Fills out with the newest entries the view asks for, their carriers, and every configured
 * source (plus any source an entry refers to); the caller frees it with merged_free. */
int store_load_view(struct store *s, const struct store_view *view, struct merged *out)
{
	int64_t *entry_source_ids = NULL, *entry_ids = NULL, *ids = NULL;
	int64_t **carrier_ids = NULL; /* per entry: the carriers' source ids */
	int *keep = NULL;
	size_t nall = 0, nkeep = 0;
	struct merged_source *all = NULL;
	sqlite3_stmt *st = NULL;
	memset(out, 0, sizeof *out);
	if (store_exec_stmt(s, ST_BEGIN_READ) == -1)
		goto fail;

	if ((st = store_stmt(s, view->id_min > 0 || view->id_max > 0 ? ST_LOAD_ENTRIES_RANGE
	                                                             : ST_LOAD_ENTRIES)) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, view->limit > INT64_MAX ? INT64_MAX : (sqlite3_int64)view->limit);
	if (view->nsources > 0) {
		/* The names as one string, each between 0x1f marks (config names hold no
		 * control characters): one prepared statement for any set of sources. */
		struct buf names;
		buf_init(&names, 0);
		buf_puts(&names, "\x1f");
		for (size_t i = 0; i < view->nsources; i++) {
			buf_puts(&names, view->sources[i]);
			buf_puts(&names, "\x1f");
		}
		sqlite3_bind_text(st, 2, names.data, (int)names.len, SQLITE_TRANSIENT);
		buf_free(&names);
	}
	sqlite3_bind_int64(st, 3, view->since != FEED_TIME_NONE ? view->since : INT64_MIN);
	sqlite3_bind_int64(st, 4, view->id_min);
	sqlite3_bind_int64(st, 5, view->id_max > 0 ? view->id_max : INT64_MAX);
	int rc;
	size_t size = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (out->nentries == size) {
			size = size ? size * 2 : 64;
			out->entries = xreallocarray(out->entries, size, sizeof *out->entries);
			entry_source_ids = xreallocarray(entry_source_ids, size, sizeof(int64_t));
			entry_ids = xreallocarray(entry_ids, size, sizeof(int64_t));
		}
		entry_ids[out->nentries] = sqlite3_column_int64(st, 0);
		entry_source_ids[out->nentries] = sqlite3_column_int64(st, 1);
		load_entry(st, &out->entries[out->nentries++]);
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_reset(st);

	carrier_ids = xcalloc(out->nentries ? out->nentries : 1, sizeof *carrier_ids);
	for (size_t i = 0; i < out->nentries; i++) {
		struct merged_entry *me = &out->entries[i];
		if ((st = store_stmt(s, ST_LOAD_CARRIERS)) == NULL)
			goto fail;
		sqlite3_bind_int64(st, 1, entry_ids[i]);
		size_t csize = 0;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			if (me->ncarriers == csize) {
				csize = csize ? csize * 2 : 4;
				me->carriers =
				    xreallocarray(me->carriers, csize, sizeof *me->carriers);
				carrier_ids[i] =
				    xreallocarray(carrier_ids[i], csize, sizeof(int64_t));
			}
			carrier_ids[i][me->ncarriers] = sqlite3_column_int64(st, 0);
			me->carriers[me->ncarriers++].first_seen = sqlite3_column_int64(st, 1);
		}
		if (rc != SQLITE_DONE)
			goto fail;
		sqlite3_reset(st);
	}

	if ((st = store_stmt(s, ST_LOAD_CREATED)) == NULL)
		goto fail;
	if (sqlite3_step(st) == SQLITE_ROW) {
		out->created_at = sqlite3_column_int64(st, 0);
		out->max_entry_id = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);

	if ((st = store_stmt(s, ST_LOAD_SOURCES)) == NULL)
		goto fail;
	size = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (nall == size) {
			size = size ? size * 2 : 16;
			all = xreallocarray(all, size, sizeof *all);
			ids = xreallocarray(ids, size, sizeof *ids);
			keep = xreallocarray(keep, size, sizeof *keep);
		}
		struct merged_source *ms = &all[nall];
		ids[nall] = sqlite3_column_int64(st, 0);
		keep[nall] = sqlite3_column_int(st, 6);
		ms->name = column_dup(st, 1);
		ms->feed_url = column_dup(st, 2);
		const char *title = (const char *)sqlite3_column_text(st, 3);
		if (is_empty(title))
			title = (const char *)sqlite3_column_text(st, 4);
		ms->title = xstrdup(!is_empty(title) ? title : ms->name);
		const char *site = (const char *)sqlite3_column_text(st, 5);
		ms->site_link = xstrdup_or_null(!is_empty(site) ? site : ms->feed_url);
		ms->updated = column_time(st, 7);
		const char *lang = (const char *)sqlite3_column_text(st, 8);
		ms->language = is_empty(lang) ? NULL : xstrdup(lang);
		nall++;
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_reset(st);
	st = NULL;
	store_exec_stmt(s, ST_COMMIT);

	/* Keep the configured sources and those the loaded entries refer to, in order. */
	for (size_t i = 0; i < out->nentries; i++) {
		size_t j = id_index(ids, nall, entry_source_ids[i]);
		if (j < nall)
			keep[j] = 1;
	}
	out->sources = xcalloc(nall ? nall : 1, sizeof *out->sources);
	for (size_t j = 0; j < nall; j++) {
		if (keep[j]) {
			out->sources[nkeep] = all[j];
			ids[nkeep++] = ids[j];
		} else {
			merged_source_clear(&all[j]);
		}
	}
	out->nsources = nkeep;
	for (size_t i = 0; i < out->nentries; i++) {
		struct merged_entry *me = &out->entries[i];
		me->source = id_index(ids, nkeep, entry_source_ids[i]);
		/* The primary first, then the other remaining carriers in rank order. */
		size_t n = 0;
		struct merged_carrier *c = xcalloc(me->ncarriers + 1, sizeof *c);
		if (me->source < nkeep) {
			c[n].source = me->source;
			c[n++].first_seen = me->first_seen;
			for (size_t k = 0; k < me->ncarriers; k++)
				if (carrier_ids[i][k] == entry_source_ids[i])
					c[0].first_seen = me->carriers[k].first_seen;
		}
		for (size_t k = 0; k < me->ncarriers; k++) {
			size_t j = id_index(ids, nkeep, carrier_ids[i][k]);
			if (j < nkeep && j != me->source) {
				c[n].source = j;
				c[n++].first_seen = me->carriers[k].first_seen;
			}
		}
		free(me->carriers);
		me->carriers = c;
		me->ncarriers = n;
	}
	for (size_t i = 0; i < out->nentries; i++)
		free(carrier_ids[i]);
	free(carrier_ids);
	free(all);
	free(ids);
	free(keep);
	free(entry_source_ids);
	free(entry_ids);
	return 0;
fail:
	store_log_error(s, NULL, "cannot load entries");
	if (st != NULL)
		sqlite3_reset(st);
	store_exec_stmt(s, ST_ROLLBACK);
	for (size_t j = 0; j < nall; j++)
		merged_source_clear(&all[j]);
	if (carrier_ids != NULL)
		for (size_t i = 0; i < out->nentries; i++)
			free(carrier_ids[i]);
	free(carrier_ids);
	free(all);
	free(ids);
	free(keep);
	free(entry_source_ids);
	free(entry_ids);
	merged_free(out);
	return -1;
}

int store_load_merged(struct store *s, size_t limit, struct merged *out)
{
	struct store_view all = {limit, FEED_TIME_NONE, NULL, 0, 0, 0};
	return store_load_view(s, &all, out);
}

/* Days of history kept in source_days. */
#define STORE_DAYS_KEPT 56

int store_note_poll(struct store *s, const char *source, int64_t at,
                    const struct store_poll_sample *ps)
{
	int64_t day = at / 86400;
	sqlite3_stmt *st = store_stmt(s, ST_DAY_NOTE);
	if (st == NULL)
		goto fail;
	bind_text(st, 1, source);
	sqlite3_bind_int64(st, 2, day);
	sqlite3_bind_int(st, 3, !ps->ok);
	sqlite3_bind_int(st, 4, ps->not_modified);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)ps->entries_new);
	sqlite3_bind_int64(st, 6, ps->duration_ms);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	sqlite3_reset(st);
	/* The first poll of a day drops the days that fell out of the window. */
	s->failing = 0; /* a write worked */
	if (sqlite3_changes(s->db) == 1 && (st = store_stmt(s, ST_DAY_PRUNE)) != NULL) {
		sqlite3_bind_int64(st, 1, day - STORE_DAYS_KEPT);
		sqlite3_step(st);
		sqlite3_reset(st);
	}
	return 0;
fail:
	if (st != NULL)
		sqlite3_reset(st);
	store_log_error(s, source, "cannot record the poll's history");
	return -1;
}

/* Records a change of a source's state for the health feed, keeping the newest keep events. */
int store_add_health_event(struct store *s, const char *source, int64_t at, const char *state,
                           const char *detail, size_t keep)
{
	sqlite3_stmt *st = store_stmt(s, ST_HEALTH_ADD);
	if (st == NULL)
		goto fail;
	bind_text(st, 1, source);
	sqlite3_bind_int64(st, 2, at);
	bind_text(st, 3, state);
	bind_text(st, 4, detail);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	sqlite3_reset(st);
	if ((st = store_stmt(s, ST_HEALTH_PRUNE)) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, keep > INT64_MAX ? INT64_MAX : (sqlite3_int64)keep);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	sqlite3_reset(st);
	return 0;
fail:
	if (st != NULL)
		sqlite3_reset(st);
	store_log_error(s, source, "cannot record a health event");
	return -1;
}

/* The newest limit health events, newest first, into *out (health_events_free frees them). */
int store_load_health(struct store *s, size_t limit, struct health_event **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st = store_stmt(s, ST_HEALTH_LOAD);
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, limit > INT64_MAX ? INT64_MAX : (sqlite3_int64)limit);
	size_t size = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == size) {
			size = size ? size * 2 : 16;
			*out = xreallocarray(*out, size, sizeof **out);
		}
		struct health_event *ev = &(*out)[(*n)++];
		ev->id = sqlite3_column_int64(st, 0);
		ev->source = column_dup(st, 1);
		ev->at = sqlite3_column_int64(st, 2);
		ev->state = column_dup(st, 3);
		ev->detail = column_dup(st, 4);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		goto fail;
	return 0;
fail:
	store_log_error(s, NULL, "cannot load health events");
	health_events_free(*out, *n);
	*out = NULL;
	*n = 0;
	return -1;
}

int store_record_unchanged(struct store *s, const char *source, const char *url, const char *etag,
                           const char *last_modified, int64_t at, const struct store_poll_state *ps)
{
	if (store_exec_stmt(s, ST_BEGIN) == -1) {
		store_log_error(s, source, "cannot record fetch");
		return -1;
	}
	if (store_mark_not_modified(s, source, url, etag, last_modified, at) != 0 ||
	    store_set_poll_state(s, source, ps) != 0) {
		store_exec_stmt(s, ST_ROLLBACK); /* each logged its error */
		return -1;
	}
	if (store_exec_stmt(s, ST_COMMIT) == -1) {
		store_log_error(s, source, "cannot record fetch");
		store_exec_stmt(s, ST_ROLLBACK);
		return -1;
	}
	return 0;
}
