/* The operator's documents, as pure formatting: Prometheus label escaping and cumulative
 * buckets, a source's state in one word, and hostile text (a server's error message, a
 * source name) escaped in the HTML and cleaned in the text table. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "metrics.h"
#include "status.h"
#include "store.h"
#include "util.h"
#include "../tap.h"

static int contains(const char *s, const char *sub)
{
	return s != NULL && strstr(s, sub) != NULL;
}

static void test_metrics(void)
{
	struct source_stats st[2];
	memset(st, 0, sizeof st);
	st[0].name = "plain";
	st[0].enabled = 1;
	st[0].fetches_ok = 4;
	st[0].fetches_not_modified = 1;
	st[0].fetches_failed = 2;
	st[0].last_ok_at = 1700000000;
	st[0].last_status = 304;
	st[0].duration_buckets[0] = 3;
	st[0].duration_buckets[SOURCE_DURATION_NBUCKETS] = 1;
	st[0].duration_sum_s = 70.5;
	st[1].name = "we\"ird\\na\nme";
	st[1].last_ok_at = FEED_TIME_NONE;
	st[1].fetches_failed = 1;
	st[1].duration_buckets[2] = 1;
	struct metrics_global g = {1234, 56, 1690000000, 1, 7, 0.25};
	size_t len;
	char *m = metrics_render(st, 2, &g, &len);
	ok(len == strlen(m), "metrics: length");
	ok(contains(m, "feedmerge_fetches_total{result=\"ok\"} 3\n") &&
	       contains(m, "feedmerge_fetches_total{result=\"not_modified\"} 1\n") &&
	       contains(m, "feedmerge_fetches_total{result=\"error\"} 3\n"),
	   "totals by result, 304s apart from the other successes");
	ok(contains(m, "{source=\"we\\\"ird\\\\na\\nme\"}"), "label value escaped: \\\" \\\\ \\n");
	ok(contains(m, "feedmerge_fetch_duration_seconds_bucket{le=\"0.1\"} 3\n") &&
	       contains(m, "feedmerge_fetch_duration_seconds_bucket{le=\"0.5\"} 4\n") &&
	       contains(m, "feedmerge_fetch_duration_seconds_bucket{le=\"+Inf\"} 5\n") &&
	       contains(m, "feedmerge_fetch_duration_seconds_count 5\n"),
	   "histogram buckets cumulative across sources, +Inf = count");
	ok(!contains(m, "last_success_timestamp_seconds{source=\"we"),
	   "no last success for a source never polled successfully");
	ok(contains(m, "feedmerge_source_not_modified_ratio{source=\"plain\"} 0.2500\n"),
	   "304 ratio of the successful polls");
	ok(contains(m, "# TYPE feedmerge_source_fetches_total counter\n"), "TYPE lines");
	ok(contains(m, "feedmerge_database_checkpoints_total 7\n") &&
	       contains(m, "feedmerge_database_checkpoint_seconds_total 0.250000\n"),
	   "the checkpoint thread's count and time");
	free(m);
}

static void test_status(void)
{
	struct store_source_status s[3];
	memset(s, 0, sizeof s);
	for (int i = 0; i < 3; i++)
		store_poll_state_clear(&s[i].state);
	static char n0[] = "ok-one", u0[] = "https://user:pw@ok.test/feed", n1[] = "<b>bad</b>";
	static char e1[] = "HTTP 500: <script>alert(1)</script>\nline two", n2[] = "gone";
	s[0].name = n0;
	s[0].url = u0;
	s[0].state.last_ok_at = 1000;
	s[0].state.next_due_at = 1600;
	struct store_day days[] = {{.day = 0, .polls = 2, .entries_new = 5, .fetch_ms_sum = 300}};
	s[0].days = days;
	s[0].ndays = 1;
	s[1].name = n1;
	s[1].state.failures = 3;
	s[1].state.last_status = 500;
	s[1].state.last_error = e1;
	s[2].name = n2;
	s[2].state.gone_since = 900;
	s[2].state.failures = 1;
	struct store_status st = {s, 3, 42, 4096, 0};
	int enabled[] = {1, 1, 1};
	is_str(status_state(&s[0], 1), "ok", "state: ok");
	is_str(status_state(&s[1], 1), "failing", "state: failing");
	is_str(status_state(&s[2], 1), "gone", "state: gone");
	is_str(status_state(&s[0], 0), "paused", "state: paused");
	size_t len;
	char *html = status_html(&st, enabled, 1200, &len);
	ok(!contains(html, "<script") && contains(html, "&lt;script&gt;") &&
	       contains(html, "&lt;b&gt;bad&lt;/b&gt;"),
	   "HTML: the error and the name escaped");
	ok(!contains(html, "user:pw"), "HTML: no credentials in the URL shown");
	ok(contains(html, "<svg") && contains(html, "</svg>"), "HTML: inline SVG history");
	free(html);
	char *text = status_text(&st, enabled, 1200, &len);
	ok(contains(text, "failing") && !contains(text, "\nline two") &&
	       contains(text, "3 sources, 42 entries"),
	   "text: one line per source, no line break from an error");
	ok(contains(text, "200s ago") || contains(text, "3m ago"), "text: age of the last success");
	ok(contains(text, "in 400s") || contains(text, "in 6m"), "text: next poll");
	free(text);
	char *json = status_json(&st, NULL, 1200, &len);
	ok(contains(json, "\"state\": \"gone\"") && contains(json, "\"entries_new\": 5") &&
	       contains(json, "\"fetch_ms_avg\": 150") && !contains(json, "user:pw"),
	   "JSON: states, days, averages, no credentials");
	free(json);
}

int main(void)
{
	test_metrics();
	test_status();
	return done_testing();
}
