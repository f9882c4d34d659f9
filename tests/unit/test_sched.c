/* The scheduler's pure math: jitter, delays after success and failure, Retry-After. */
#include "autoconf.h"

#include <ev.h>
#include <stdio.h>
#include <string.h>

#include "feed.h"
#include "sched.h"
#include "../tap.h"

static void test_jitter(void)
{
	/* Stable: the same name gives the same jitter, run after run. */
	is_int(sched_jitter_s("baochinhphu", 900), sched_jitter_s("baochinhphu", 900),
	       "jitter is deterministic");
	/* Bounded by a tenth of the interval. */
	int bounded = 1;
	char name[32];
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof name, "source%d", i);
		int64_t j = sched_jitter_s(name, 900);
		if (j < 0 || j > 90)
			bounded = 0;
	}
	ok(bounded, "jitter within [0, interval/10] for 200 names");
	/* Capped for long intervals. */
	bounded = 1;
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof name, "s%d", i);
		int64_t j = sched_jitter_s(name, 7 * 86400);
		if (j < 0 || j > SCHED_JITTER_MAX_S)
			bounded = 0;
	}
	ok(bounded, "jitter capped at SCHED_JITTER_MAX_S for a weekly source");
	is_int(sched_jitter_s("x", 9), 0, "no jitter for intervals under 10s");
	is_int(sched_jitter_s(NULL, 900), 0, "no jitter without a name");
	/* Spread: 50 sources with one interval do not all land on the same second. */
	int64_t first = sched_jitter_s("feed0", 900);
	int distinct = 0;
	for (int i = 1; i < 50; i++) {
		snprintf(name, sizeof name, "feed%d", i);
		if (sched_jitter_s(name, 900) != first)
			distinct++;
	}
	ok(distinct > 40, "50 sources spread out (%d differ from the first)", distinct);
}

static void test_success(void)
{
	int64_t d = sched_delay_after_success_s("vnexpress", 900);
	ok(d >= 900 && d <= 990, "after success: interval + jitter (%lld)", (long long)d);
	is_int(sched_delay_after_success_s("vnexpress", 900), d, "same delay every time");
	is_int(sched_delay_after_success_s("x", 0), 1, "interval 0 is treated as 1s");
}

static void test_backoff(void)
{
	/* interval x 2^(n-1), within +-25 %, never below the interval, capped at max_backoff. */
	int64_t d1 = sched_backoff_s("src", 900, 1, 0, 86400);
	ok(d1 >= 900 && d1 <= 1125, "1st failure: the interval, up to +25 %% (%lld)",
	   (long long)d1);
	int64_t d3 = sched_backoff_s("src", 900, 3, 0, 86400);
	ok(d3 >= 2700 && d3 <= 4500, "3rd failure: 4 x interval +-25 %% (%lld)", (long long)d3);
	is_int(sched_backoff_s("src", 900, 3, 0, 86400), d3, "the same delay every time");
	is_int(sched_backoff_s("src", 900, 20, 0, 86400), 86400,
	       "20th failure: capped at max_backoff");
	is_int(sched_backoff_s("src", 900, 4000000000u, 0, 86400), 86400,
	       "a huge failure count does not overflow");
	is_int(sched_backoff_s("src", 2 * 86400, 5, 0, 86400), 2 * 86400,
	       "never more often than a healthy source, whatever max_backoff");
	int64_t early = sched_backoff_s("src", 900, 1, 1, 86400);
	ok(early >= 45 && early <= 75,
	   "a connection-level first failure: one retry after ~1m (%lld)", (long long)early);
	int64_t second = sched_backoff_s("src", 900, 2, 1, 86400);
	ok(second >= 1350, "the second connection failure: back to the formula (%lld)",
	   (long long)second);
	/* Jitter spreads sources failing together. */
	char name[32];
	int64_t first = sched_backoff_s("feed0", 900, 4, 0, 86400);
	int distinct = 0;
	for (int i = 1; i < 50; i++) {
		snprintf(name, sizeof name, "feed%d", i);
		if (sched_backoff_s(name, 900, 4, 0, 86400) != first)
			distinct++;
	}
	ok(distinct > 40, "50 failing sources spread out (%d differ)", distinct);
}

static void test_effective_interval(void)
{
	is_int(sched_effective_interval_s(900, -1, 60, 86400), 900, "no hint: the interval");
	is_int(sched_effective_interval_s(900, 3600, 60, 86400), 3600, "a longer ttl lengthens it");
	is_int(sched_effective_interval_s(900, 60, 60, 86400), 900,
	       "a shorter hint does not shorten it");
	is_int(sched_effective_interval_s(900, 30 * 86400, 60, 86400), 86400,
	       "a hint is capped at max_interval");
	is_int(sched_effective_interval_s(10, -1, 60, 86400), 60,
	       "min_interval raises the interval");
	is_int(sched_effective_interval_s(2 * 86400, 3600, 60, 86400), 2 * 86400,
	       "a configured interval past max_interval stays");
}

static void test_skip(void)
{
	/* 2026-12-03 (a Thursday) 10:30 UTC = 1796293800. */
	int64_t t = 1796293800;
	is_int(sched_skip_to_s(t, 0, 0), t, "nothing skipped");
	is_int(sched_skip_to_s(t, 1u << 10, 0), t + 1800, "skipHours 10: at 11:00");
	is_int(sched_skip_to_s(t, (1u << 10) | (1u << 11), 0), t + 5400,
	       "skipHours 10, 11: at 12:00");
	is_int(sched_skip_to_s(t, 0, 1u << 4), t + 13 * 3600 + 1800,
	       "skipDays Thursday: Friday 00:00");
	is_int(sched_skip_to_s(t, 0xffffffu, 0), t, "every hour skipped: ignored");
	is_int(sched_skip_to_s(t, 0, 0x7f), t, "every day skipped: ignored");
}

static void test_format(void)
{
	char buf[32];
	sched_format_delay(45, buf, sizeof buf);
	is_str(buf, "45s", "45s");
	sched_format_delay(600, buf, sizeof buf);
	is_str(buf, "10m", "10m");
	sched_format_delay(90, buf, sizeof buf);
	is_str(buf, "1m30s", "1m30s");
	sched_format_delay(5400, buf, sizeof buf);
	is_str(buf, "1h30m", "1h30m");
	sched_format_delay(6 * 3600, buf, sizeof buf);
	is_str(buf, "6h", "6h");
	sched_format_delay(2 * 86400 + 3600, buf, sizeof buf);
	is_str(buf, "2d1h", "2d1h");
	sched_format_delay(-3, buf, sizeof buf);
	is_str(buf, "0s", "negative is 0s");
}

/* The state kept in the database gives the same schedule after a restart. */
static void test_next_due(void)
{
	struct sched_input in = {.name = "a",
	                         .interval_s = 900,
	                         .max_backoff_s = 86400,
	                         .last_attempt_at = FEED_TIME_NONE,
	                         .retry_until = FEED_TIME_NONE};
	is_int(sched_next_due_at(&in), FEED_TIME_NONE, "never attempted: due now");
	in.last_attempt_at = 10000;
	is_int(sched_next_due_at(&in), 10000 + sched_delay_after_success_s("a", 900),
	       "after a success: interval + jitter");
	in.failures = 3;
	is_int(sched_next_due_at(&in), 10000 + sched_backoff_s("a", 900, 3, 0, 86400),
	       "after 3 failures: the backoff");
	in.failures = 1;
	in.retry_until = 10000 + 5000;
	is_int(sched_next_due_at(&in), 15000, "a Retry-After deadline later than the backoff wins");
	in.retry_until = 10001;
	is_int(sched_next_due_at(&in), 10000 + sched_backoff_s("a", 900, 1, 0, 86400),
	       "an earlier Retry-After deadline does not shorten the backoff");
	is_int(sched_retry_until(5000, 0), FEED_TIME_NONE, "no Retry-After: no deadline");
	is_int(sched_retry_until(5000, 600), 5600, "Retry-After: 600 -> now + 600");
	is_int(sched_retry_until(5000, 90 * 86400), 5000 + SCHED_RETRY_AFTER_MAX_S,
	       "a Retry-After of 90 days is capped");
}

static void test_spread(void)
{
	ok(sched_spread_delay_s(0, 10, 30) == 0., "the first of a burst goes at once");
	ok(sched_spread_delay_s(5, 10, 30) == 15., "the sixth of ten over 30s: at 15s");
	ok(sched_spread_delay_s(9, 10, 30) < 30., "the last is due before the spread ends");
	ok(sched_spread_delay_s(3, 10, 0) == 0., "no spread: all at once");
	ok(sched_spread_delay_s(0, 0, 30) == 0., "an empty burst: no delay");
}

/* The timer glue: due callbacks in due order, re-arming replaces, stop forgets. */
struct due_log {
	size_t order[8];
	size_t n;
};

struct test_source {
	struct sched_timer timer;
	struct due_log *log;
	size_t index;
};

static void due_cb(struct sched_timer *t, void *data)
{
	struct test_source *src = data;
	(void)t;
	if (src->log->n < sizeof src->log->order / sizeof src->log->order[0])
		src->log->order[src->log->n++] = src->index;
}

static void test_timers(void)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct due_log log = {0};
	struct test_source src[4];
	for (size_t i = 0; i < 4; i++) {
		src[i] = (struct test_source){.log = &log, .index = i};
		sched_timer_init(&src[i].timer, loop, due_cb, &src[i]);
	}
	sched_timer_in(&src[0].timer, 0.03);
	sched_timer_in(&src[1].timer, 0.0);
	sched_timer_in(&src[2].timer, 0.01);
	sched_timer_in(&src[3].timer, 0.02);
	sched_timer_stop(&src[3].timer);
	ok(!sched_timer_active(&src[3].timer) && sched_timer_active(&src[2].timer),
	   "a stopped timer is inactive, the others active");
	sched_timer_in(&src[2].timer, 0.02); /* replaces the earlier due time */
	ev_run(loop, 0);                     /* returns when no timer is left */
	is_int((int64_t)log.n, 3, "three sources came due (one stopped)");
	ok(log.n == 3 && log.order[0] == 1 && log.order[1] == 2 && log.order[2] == 0,
	   "in due order: 1, 2, 0");
	sched_timer_in(&src[0].timer, 10.0);
	sched_timer_stop(&src[0].timer);
	sched_timer_stop(&src[0].timer); /* twice is harmless */
	ok(ev_run(loop, EVRUN_NOWAIT) == 0, "stopped timers leave no active watcher");
	ev_loop_destroy(loop);
}

int main(void)
{
	test_jitter();
	test_success();
	test_backoff();
	test_effective_interval();
	test_skip();
	test_format();
	test_next_due();
	test_spread();
	test_timers();
	return done_testing();
}
