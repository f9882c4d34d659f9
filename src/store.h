/* The SQLite store: sources, entries deduplicated by canonical link, conditional-GET state. */
#ifndef FEEDMERGE_STORE_H
#define FEEDMERGE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "feed.h"

struct store;

/* What a commit did besides adding entries. */
struct store_commit_counts {
	size_t updated;    /* the title, summary or content changed */
	size_t taken_over; /* now credited to this source instead of another remaining one */
};

/* What tells a source's entries apart (its identity key): its links (canonical, folded by
 * same_story_across), its ids, or a hash of title and date. AUTO starts with links and moves to
 * ids, then to the hash, for good, when the feed's links (ids) are missing or repeated in more
 * than a few percent of its items. An entry without what its mode needs falls back to its
 * link, then its id, then a hash of title and summary. */
enum store_identity {
	STORE_IDENTITY_AUTO,
	STORE_IDENTITY_LINK,
	STORE_IDENTITY_ID,
	STORE_IDENTITY_HASH
};

/* Opens (creating or migrating) the database at path. NULL on failure, with a one-line reason
 * naming the path in err. */
struct store *store_open(const char *path, char *err, size_t errlen);
void store_close(struct store *s);
/* What two links of one story may differ in (URL_FOLD_SCHEME, URL_FOLD_WWW). When the stored
 * entries were keyed otherwise, keys them again, merging what is now one story, in one
 * transaction. Returns 0, or -1 after logging (nothing changed). */
int store_set_story_fold(struct store *s, unsigned fold);
/* The query parameters dropped from links (tracking_params: names separated by spaces, '*'
 * ending a prefix; NULL: the default list). Keys the stored entries again, as
 * store_set_story_fold does, when they were keyed by another list. Returns 0, or -1 after
 * logging. */
int store_set_tracking(struct store *s, const char *spec);
/* PRAGMA synchronous: "off", "normal" (the default: WAL survives a crash, a power loss may
 * take the last commits), "full" or "extra". Returns 0, or -1 after logging. */
int store_set_synchronous(struct store *s, const char *level);

/* What store_prune_entries deletes. */
struct store_retention {
	int64_t now;
	int64_t older_than;        /* entries first seen before: FEED_TIME_NONE for none */
	const char *const *names;  /* sources with a max_entries ... */
	const size_t *max_entries; /* ... their newest this many stay (0: all) */
	size_t nlimits;
	int64_t tombstones_before; /* tombstones of prunes before this go: FEED_TIME_NONE: keep */
};
/* Deletes at most batch entries of r in one short transaction (stopping after about 20 ms of
 * deletions, however many), leaving each key as a tombstone
 * (a feed still listing it does not bring it back as new), and gives a few freed pages back
 * to the file system. *more says a batch was full: call again (from the loop, later). Returns
 * 0, or -1 after logging. */
int store_prune_entries(struct store *s, const struct store_retention *r, size_t batch,
                        size_t *pruned, int *more);

/* A configured source as the store records it; the strings are borrowed. */
struct store_source {
	const char *name;
	const char *url;
	const char *title; /* NULL: the feed's own title */
	int priority;      /* higher: the primary attribution of what it carries */
};

/* Records the configured sources, list[i] at position i (ties in attribution go to the lower
 * position). A source whose url changed loses its validators and poll state. A source not in
 * the list is removed as of now: its entries leave the merged feed, except those a remaining
 * source also carried, which go to the remaining carrier that saw them first; its rows stay
 * until store_prune_removed, and listing it again brings them back. Returns 0, or -1 after
 * logging. */
int store_sync_sources(struct store *s, const struct store_source *list, size_t n, int64_t now);
/* Deletes the rows of the sources removed at or before removed_before; *npruned (may be NULL)
 * counts the sources. Returns 0, or -1 after logging. */
int store_prune_removed(struct store *s, int64_t removed_before, size_t *npruned);

/* What the schedule of a source needs across restarts. Times are Unix seconds or
 * FEED_TIME_NONE. */
struct store_poll_state {
	int64_t last_attempt_at;
	int64_t last_ok_at;
	int64_t next_due_at;
	int64_t retry_until; /* a 429's or 503's Retry-After deadline */
	unsigned failures;   /* consecutive failed polls */
	long last_status;    /* HTTP status of the last response, 0 for none */
	char *last_error;    /* owned; NULL after a success */
	char *error_class;   /* owned; "dns", "connect", "timeout", "http", "blocked", "parse",
	                      * ...; NULL after a success */
	int retry_soon;      /* the last failure earns one early retry (connection level) */
	int64_t gone_since;  /* a 410 Gone stopped polling then */
	int64_t hint_s;      /* the feed's own polling hint (ttl, sy:, max-age); -1: none */
	uint32_t skip_hours; /* RSS skipHours, bit N = hour N (UTC) */
	uint8_t skip_days;   /* RSS skipDays, bit 0 = Sunday */
	int has_body_hash;
	uint64_t body_hash;      /* of the last 200's body */
	char *redirect_url;      /* owned; a permanent redirect's target being confirmed */
	unsigned redirect_polls; /* consecutive polls that gave it */
	char *adopted_url;       /* owned; polled instead of the configured url */
	int64_t adopted_at;
	int64_t entries_seen; /* in the last parsed document; -1: none yet */
};
/* Frees ps's strings and resets it to a clean state (never polled). */
void store_poll_state_clear(struct store_poll_state *ps);
/* Fills *ps (cleared first) with what was stored for source. Returns 0, or -1 after logging. */
int store_get_poll_state(struct store *s, const char *source, struct store_poll_state *ps);
/* store_mark_not_modified and store_set_poll_state in one transaction: what a poll that
 * brought nothing new writes. Returns 0, or -1 after logging (nothing written). */
int store_record_unchanged(struct store *s, const char *source, const char *url, const char *etag,
                           const char *last_modified, int64_t at,
                           const struct store_poll_state *ps);
/* Records ps for source (last_ok_at only when set). Returns 0, or -1 after logging. */
int store_set_poll_state(struct store *s, const char *source, const struct store_poll_state *ps);

/* The validators from the last successful fetch of source at url (new strings or NULL). */
int store_get_validators(struct store *s, const char *source, const char *url, char **etag,
                         char **last_modified);

/* WAL checkpoints, which run on a thread of the store's own (store_checkpoint.c). */
struct store_checkpoint_stats {
	uint64_t runs;    /* checkpoints done */
	uint64_t pages;   /* pages copied into the database */
	double seconds;   /* spent checkpointing, on the thread */
	double longest_s; /* the longest one */
	uint64_t waits;   /* commits that waited for the thread to catch up */
	double wait_s;    /* their time waiting: the event loop's pauses for checkpoints */
	double longest_wait_s;
};
/* The store's checkpoint figures so far (all 0 before the first). */
void store_checkpoints(struct store *s, struct store_checkpoint_stats *out);

/* Group commit. store_batch_begin opens one transaction for the writes that follow (each of
 * the store's own transactions becomes a savepoint in it: a fetched feed is still stored
 * whole or not at all); store_batch_commit commits it. A cold poll of thousands of feeds
 * then writes each page it touches once a batch instead of once a feed. begin returns 1 when
 * a batch is open, 0 when none could be (another process holds the write lock: the writes
 * then go one by one, as without batches). commit returns 0, or -1 when writes since the
 * last call were lost (rolled back, logged): what the caller keeps of them in memory (poll
 * states) is then to be read again. store_close commits an open batch. */
int store_batch_begin(struct store *s);
int store_batch_open(const struct store *s);
int store_batch_commit(struct store *s);

/* Stores one fetched feed in one transaction: upserts its entries, records validators and the
 * fetch time. seen_at is the start of the poll round: entries first seen in the same round by
 * several sources are attributed to the source listed first in the config. *new_entries (may
 * be NULL) counts entries the store had not seen, *updated_entries (may be NULL) those whose
 * title, summary or content changed (their `updated` becomes seen_at; other changes, dates
 * rewritten on every fetch among them, update nothing). Dates after seen_at are clamped to it.
 * Returns 0, or -1 after logging (nothing stored). */
int store_commit_fetch(struct store *s, const char *source, const char *url, const struct feed *f,
                       const char *etag, const char *last_modified, int64_t seen_at,
                       enum store_identity identity, size_t *new_entries,
                       struct store_commit_counts *counts);

/* Records a successful fetch of url that brought nothing new (a 304, or the same bytes again)
 * and the validators it carried (NULL: keep those stored for url). */
int store_mark_not_modified(struct store *s, const char *source, const char *url, const char *etag,
                            const char *last_modified, int64_t at);

/* Fills out with the newest limit entries by date and every configured source. */
int store_load_merged(struct store *s, size_t limit, struct merged *out);
/* Which entries store_load_view loads: the newest limit, dated since or later, carried by one
 * of the sources named (none named: all). */
struct store_view {
	size_t limit;
	int64_t since; /* FEED_TIME_NONE: no bound */
	const char *const *sources;
	size_t nsources;
	int64_t id_min, id_max; /* entry ids (insertion order) in this range; id_max 0: no bound */
};
/* store_load_merged for a view of the merged feed (a group's sources, one source). */
int store_load_view(struct store *s, const struct store_view *view, struct merged *out);

/* Records one event and prunes all but the newest keep. Returns 0, or -1 after logging. */
int store_add_health_event(struct store *s, const char *source, int64_t at, const char *state,
                           const char *detail, size_t keep);
/* The newest limit events, newest first: a new array the caller frees with
 * health_events_free.
 * Returns 0, or -1 after logging. */
int store_load_health(struct store *s, size_t limit, struct health_event **out, size_t *n);

/* NULL while the database takes writes; else what went wrong since the last write that
 * worked (every poll writes). */
const char *store_failing(const struct store *s);

/* One poll, for the per-day history /status draws. */
struct store_poll_sample {
	int ok;           /* a success (200 stored, 304, unchanged body) */
	int not_modified; /* a 304 or an unchanged body */
	size_t entries_new;
	int64_t duration_ms;
};
/* Adds a poll of source at `at` to its day (UTC). Returns 0, or -1 after logging. */
int store_note_poll(struct store *s, const char *source, int64_t at,
                    const struct store_poll_sample *ps);

/* A day of a source's polls. */
struct store_day {
	int64_t day; /* days since 1970-01-01 (UTC) */
	unsigned polls, failures, not_modified;
	size_t entries_new;
	int64_t fetch_ms_sum, fetch_ms_max;
};
/* What /status and `feedmerge status` show of one configured source. */
struct store_source_status {
	char *name, *url, *title; /* owned; title: the config's, else the feed's, else NULL */
	struct store_poll_state state;
	size_t entries;         /* entries it carried that are stored */
	struct store_day *days; /* owned, oldest first; only days with polls */
	size_t ndays;
};
struct store_status {
	struct store_source_status *sources; /* owned, in config order */
	size_t nsources;
	size_t entries;   /* entries stored */
	int64_t db_bytes; /* the database file and its WAL */
	int64_t created_at;
};
/* Fills *out with every configured source's state and its days from since_day on. Returns 0,
 * or -1 after logging (*out empty). */
int store_load_status(struct store *s, int64_t since_day, struct store_status *out);
void store_status_free(struct store_status *st);
/* The database's size (file and WAL) and its number of entries (counted once, then kept by
 * the store's writes and counted again after another connection's: /metrics and systemd's
 * STATUS= line ask often). Returns 0, or -1 after logging. */
int store_size(struct store *s, int64_t *db_bytes, size_t *entries);

#endif
