/* /metrics, named after Prometheus's rules: a feedmerge_ prefix, base units (seconds, bytes),
 * _total on counters, one HELP and TYPE line per family. Totals across sources are counters
 * summed from the per-source ones, so the two always agree; per-source series are what
 * peers do not export (they give totals only). Label values are escaped as the format says
 * (backslash, double quote, line feed). */
#include "autoconf.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "feed.h"
#include "metrics.h"
#include "util.h"

static void family(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Appends {source="NAME"} (or with more labels after), escaped. */
static void label_source(struct buf *b, const char *name, const char *more)
{
	buf_puts(b, "{source=\"");
	for (const char *p = name; *p != '\0'; p++) {
		if (*p == '\\' || *p == '"')
			buf_printf(b, "\\%c", *p);
		else if (*p == '\n')
			buf_puts(b, "\\n");
		else
			buf_append(b, p, 1);
	}
	buf_printf(b, "\"%s}", more != NULL ? more : "");
}

char *metrics_render(const struct source_stats *st, size_t n, const struct metrics_global *g,
                     size_t *len)
{
	struct buf b;
	buf_init(&b, 0);
	size_t ok = 0, nm = 0, failed = 0, new_entries = 0, updated = 0, enabled = 0;
	int64_t bytes = 0;
	uint64_t buckets[SOURCE_DURATION_NBUCKETS + 1] = {0};
	double sum = 0;
	for (size_t i = 0; i < n; i++) {
		ok += st[i].fetches_ok - st[i].fetches_not_modified;
		nm += st[i].fetches_not_modified;
		failed += st[i].fetches_failed;
		new_entries += st[i].entries_new;
		updated += st[i].entries_updated;
		bytes += st[i].bytes;
		enabled += st[i].enabled != 0;
		for (size_t k = 0; k <= SOURCE_DURATION_NBUCKETS; k++)
			buckets[k] += st[i].duration_buckets[k];
		sum += st[i].duration_sum_s;
	}

	family(&b, "feedmerge_sources", "gauge", "Configured sources, by whether they are polled.");
	buf_printf(&b, "feedmerge_sources{state=\"enabled\"} %zu\n", enabled);
	buf_printf(&b, "feedmerge_sources{state=\"paused\"} %zu\n", n - enabled);
	family(&b, "feedmerge_fetches_total", "counter", "Polls finished, by result.");
	buf_printf(&b, "feedmerge_fetches_total{result=\"ok\"} %zu\n", ok);
	buf_printf(&b, "feedmerge_fetches_total{result=\"not_modified\"} %zu\n", nm);
	buf_printf(&b, "feedmerge_fetches_total{result=\"error\"} %zu\n", failed);
	family(&b, "feedmerge_fetch_bytes_total", "counter",
	       "Response body bytes received, before decoding.");
	buf_printf(&b, "feedmerge_fetch_bytes_total %" PRId64 "\n", bytes);
	family(&b, "feedmerge_entries_new_total", "counter", "Entries stored for the first time.");
	buf_printf(&b, "feedmerge_entries_new_total %zu\n", new_entries);
	family(&b, "feedmerge_entries_updated_total", "counter",
	       "Stored entries whose title, summary or content changed.");
	buf_printf(&b, "feedmerge_entries_updated_total %zu\n", updated);
	family(&b, "feedmerge_fetch_duration_seconds", "histogram",
	       "Time a poll's transfer took, redirects included.");
	uint64_t cum = 0;
	for (size_t k = 0; k < SOURCE_DURATION_NBUCKETS; k++) {
		cum += buckets[k];
		buf_printf(&b, "feedmerge_fetch_duration_seconds_bucket{le=\"%g\"} %" PRIu64 "\n",
		           source_duration_bounds_s[k], cum);
	}
	cum += buckets[SOURCE_DURATION_NBUCKETS];
	buf_printf(&b, "feedmerge_fetch_duration_seconds_bucket{le=\"+Inf\"} %" PRIu64 "\n", cum);
	buf_printf(&b, "feedmerge_fetch_duration_seconds_sum %.6f\n", sum);
	buf_printf(&b, "feedmerge_fetch_duration_seconds_count %" PRIu64 "\n", cum);
	family(&b, "feedmerge_database_bytes", "gauge", "Size of the database and its WAL.");
	buf_printf(&b, "feedmerge_database_bytes %" PRId64 "\n", g->db_bytes);
	family(&b, "feedmerge_entries", "gauge", "Entries stored.");
	buf_printf(&b, "feedmerge_entries %zu\n", g->entries);
	family(&b, "feedmerge_database_writable", "gauge",
	       "1 when the last write to the database succeeded.");
	buf_printf(&b, "feedmerge_database_writable %d\n", g->db_writable != 0);
	family(&b, "feedmerge_database_checkpoints_total", "counter",
	       "WAL checkpoints run (off the event loop).");
	buf_printf(&b, "feedmerge_database_checkpoints_total %" PRIu64 "\n", g->checkpoints);
	family(&b, "feedmerge_database_checkpoint_seconds_total", "counter",
	       "Time spent in WAL checkpoints, on their own thread.");
	buf_printf(&b, "feedmerge_database_checkpoint_seconds_total %.6f\n", g->checkpoint_seconds);
	family(&b, "feedmerge_start_time_seconds", "gauge", "When the daemon started.");
	buf_printf(&b, "feedmerge_start_time_seconds %" PRId64 "\n", g->started_at);

	family(&b, "feedmerge_source_last_success_timestamp_seconds", "gauge",
	       "When the source was last polled successfully (absent: never).");
	for (size_t i = 0; i < n; i++) {
		if (st[i].last_ok_at == FEED_TIME_NONE)
			continue;
		buf_puts(&b, "feedmerge_source_last_success_timestamp_seconds");
		label_source(&b, st[i].name, NULL);
		buf_printf(&b, " %" PRId64 "\n", st[i].last_ok_at);
	}
	family(&b, "feedmerge_source_last_http_status", "gauge",
	       "HTTP status of the source's last response (0: none).");
	for (size_t i = 0; i < n; i++) {
		buf_puts(&b, "feedmerge_source_last_http_status");
		label_source(&b, st[i].name, NULL);
		buf_printf(&b, " %ld\n", st[i].last_status);
	}
	family(&b, "feedmerge_source_consecutive_failures", "gauge",
	       "Failed polls of the source in a row.");
	for (size_t i = 0; i < n; i++) {
		buf_puts(&b, "feedmerge_source_consecutive_failures");
		label_source(&b, st[i].name, NULL);
		buf_printf(&b, " %u\n", st[i].failures);
	}
	family(&b, "feedmerge_source_not_modified_ratio", "gauge",
	       "Share of the source's successful polls that brought nothing new (304 or the same "
	       "bytes).");
	for (size_t i = 0; i < n; i++) {
		if (st[i].fetches_ok == 0)
			continue;
		buf_puts(&b, "feedmerge_source_not_modified_ratio");
		label_source(&b, st[i].name, NULL);
		buf_printf(&b, " %.4f\n",
		           (double)st[i].fetches_not_modified / (double)st[i].fetches_ok);
	}
	family(&b, "feedmerge_source_fetches_total", "counter", "The source's polls, by result.");
	for (size_t i = 0; i < n; i++) {
		static const char *const results[] = {"ok", "not_modified", "error"};
		size_t v[] = {st[i].fetches_ok - st[i].fetches_not_modified,
		              st[i].fetches_not_modified, st[i].fetches_failed};
		for (size_t k = 0; k < 3; k++) {
			char more[40];
			snprintf(more, sizeof more, ",result=\"%s\"", results[k]);
			buf_puts(&b, "feedmerge_source_fetches_total");
			label_source(&b, st[i].name, more);
			buf_printf(&b, " %zu\n", v[k]);
		}
	}
	family(&b, "feedmerge_source_entries_new_total", "counter",
	       "Entries the source stored for the first time.");
	for (size_t i = 0; i < n; i++) {
		buf_puts(&b, "feedmerge_source_entries_new_total");
		label_source(&b, st[i].name, NULL);
		buf_printf(&b, " %zu\n", st[i].entries_new);
	}
	return buf_steal(&b, len);
}
