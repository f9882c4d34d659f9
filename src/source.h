/* Sources: one object per configured source, found by name, with its own copy of its settings,
 * its poll state (kept in the store, so it survives a restart) and its timer. A reload
 * reconciles the set with the new config: sources are added, removed, changed or left alone. */
#ifndef FEEDMERGE_SOURCE_H
#define FEEDMERGE_SOURCE_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct ev_loop;
struct fetch_result;
struct fetcher;
struct store;
struct source;
struct source_set;

/* After every poll of src: changed says whether the store took something. */
typedef void (*source_polled_cb)(void *ctx, struct source *src, int changed);

/* What the sources work with: all borrowed, all outliving the set. */
struct source_env {
	struct ev_loop *loop;
	struct store *store;
	struct fetcher *fetcher; /* created with source_fetch_done_cb as its callback */
	source_polled_cb polled;
	void (*pruned)(void *ctx); /* a retention pass deleted entries (may be NULL) */
	void *ctx;
	int once; /* `once`: no timers, no retry times in the log */
};

/* Totals since the set was made. */
struct source_counts {
	size_t ok, failed, new_entries;
	int store_failed;         /* a database error happened on the way */
	const char *failed_names; /* `once`: "a, b, c" (borrowed from the set) */
};

/* The upper bounds (seconds) of the fetch duration histogram's buckets; +Inf follows. */
#define SOURCE_DURATION_NBUCKETS 9
extern const double source_duration_bounds_s[SOURCE_DURATION_NBUCKETS];

/* What /metrics counts, since the set was made (counters) or as of now (gauges). */
struct source_stats {
	const char *name; /* borrowed from the set */
	int enabled;
	size_t fetches_ok, fetches_not_modified, fetches_failed; /* not_modified: of the ok */
	size_t entries_new, entries_updated;
	int64_t bytes;                                           /* body bytes received */
	int64_t last_ok_at;                                      /* FEED_TIME_NONE: never */
	long last_status;                                        /* of the last response, 0: none */
	unsigned failures;                                       /* consecutive */
	uint64_t duration_buckets[SOURCE_DURATION_NBUCKETS + 1]; /* not cumulative; +Inf last */
	double duration_sum_s;
};

struct source_set *source_set_new(const struct source_env *env);
/* Stops every timer, aborts every transfer of the set's sources and frees them. */
void source_set_free(struct source_set *set);

/* Makes the set match c's sources, recorded in the store, at now. The first call creates them
 * all (from their stored state). A later call (a reload) logs one line per change: a source
 * added, removed (its transfer in flight aborted, nothing of it written), changed (the keys
 * named; a new url starts from a clean state) or paused. Timers are re-armed where the
 * schedule changed; other sources and their transfers are left alone. Sources removed more
 * than c->removed_keep_s ago are pruned. Returns the number of changes. */
size_t source_set_apply(struct source_set *set, const struct config *c, int64_t now);
/* `run`: arms every enabled source's timer from its stored state; sources overdue (or never
 * polled) are spread over startup_spread. */
void source_set_start(struct source_set *set, int64_t now);
/* `once`: applies keep_days and max_entries now, in batches, before returning. */
void source_set_retention_now(struct source_set *set);
/* `once`: polls every enabled source now, all as one round. Returns how many. */
size_t source_set_poll_all(struct source_set *set, int64_t now);

struct source *source_find(const struct source_set *set, const char *name);
size_t source_set_size(const struct source_set *set);
size_t source_set_paused(const struct source_set *set);
void source_set_counts(const struct source_set *set, struct source_counts *out);
const char *source_name(const struct source *src);
/* The store lost the writes of recent polls (a failed commit of its batch): each source's
 * poll state is read again from the database, so that nothing assumes they were stored (the
 * unchanged-body check would skip a feed whose entries were lost), and the round counts a
 * store failure. */
void source_set_writes_lost(struct source_set *set);
/* Fills out[0..n) with every configured source's figures, in config order; returns n (at most
 * max). */
size_t source_set_stats(const struct source_set *set, struct source_stats *out, size_t max);

/* Enabled sources whose last poll failed (consecutive failures > 0). Read-only. */
size_t source_set_failing(const struct source_set *set);

/* One source's results since the set was made, for `once`'s summary at a terminal. */
struct source_summary {
	const char *name;       /* borrowed from the set */
	const char *last_error; /* borrowed; NULL after a success */
	int enabled;
	size_t ok, failed, new_entries;
	long last_status; /* HTTP status of the last response, 0 for none */
};
/* Fills *out for the set's i-th source in config order. Returns 0, or -1 past the end. */
int source_set_summary(const struct source_set *set, size_t i, struct source_summary *out);

/* The fetcher's done callback: r->userdata is the source. */
void source_fetch_done_cb(void *ctx, const struct fetch_result *r);

#endif
