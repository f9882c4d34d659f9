/* /metrics in the Prometheus text exposition format (version 0.0.4), from the figures the
 * sources keep: pure formatting. */
#ifndef FEEDMERGE_METRICS_H
#define FEEDMERGE_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "source.h"

/* Figures about the whole daemon. */
struct metrics_global {
	int64_t db_bytes;          /* the database and its WAL */
	size_t entries;            /* stored */
	int64_t started_at;        /* Unix seconds */
	int db_writable;           /* the last write succeeded */
	uint64_t checkpoints;      /* WAL checkpoints run by the checkpoint thread */
	double checkpoint_seconds; /* their time, on that thread */
};

/* Returns a new document (the caller frees it) and its length. */
char *metrics_render(const struct source_stats *st, size_t n, const struct metrics_global *g,
                     size_t *len);

#endif
