/* Per-source poll scheduling: the policy is described in sched.h. */
#include "autoconf.h"

#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "sched.h"
#include "util.h"

int64_t sched_jitter_s(const char *name, int64_t interval_s)
{
	int64_t span = interval_s / 10;
	if (span > SCHED_JITTER_MAX_S)
		span = SCHED_JITTER_MAX_S;
	if (span <= 0 || name == NULL)
		return 0;
	uint64_t h = hash64(name, strlen(name));
	return (int64_t)(h % (uint64_t)(span + 1));
}

int64_t sched_delay_after_success_s(const char *name, int64_t interval_s)
{
	if (interval_s < 1)
		interval_s = 1;
	return interval_s + sched_jitter_s(name, interval_s);
}

int64_t sched_delay_after_failure_s(int64_t interval_s, unsigned failures, int64_t retry_after_s)
{
	if (interval_s < 1)
		interval_s = 1;
	int64_t cap = interval_s > SCHED_BACKOFF_MAX_S ? interval_s : SCHED_BACKOFF_MAX_S;
	int64_t delay = interval_s < SCHED_BACKOFF_START_S ? interval_s : SCHED_BACKOFF_START_S;
	/* Doubling stops at the cap, long before int64_t could overflow. */
	for (unsigned i = 1; i < failures && delay < cap; i++)
		delay *= 2;
	if (delay > cap)
		delay = cap;
	if (retry_after_s > delay) {
		delay = retry_after_s < SCHED_RETRY_AFTER_MAX_S ? retry_after_s
		                                                : SCHED_RETRY_AFTER_MAX_S;
		if (delay < 1)
			delay = 1;
	}
	return delay;
}

void sched_format_delay(int64_t s, char *buf, size_t size)
{
	if (s < 0)
		s = 0;
	int64_t d = s / 86400, h = s % 86400 / 3600, m = s % 3600 / 60, sec = s % 60;
	if (s < 60)
		snprintf(buf, size, "%llds", (long long)sec);
	else if (s < 3600)
		snprintf(buf, size, sec ? "%lldm%llds" : "%lldm", (long long)m, (long long)sec);
	else if (s < 86400)
		snprintf(buf, size, m ? "%lldh%lldm" : "%lldh", (long long)h, (long long)m);
	else
		snprintf(buf, size, h ? "%lldd%lldh" : "%lldd", (long long)d, (long long)h);
}

int64_t sched_next_due_at(const char *name, int64_t interval_s, unsigned failures,
                          int64_t last_attempt_at, int64_t retry_until)
{
	if (last_attempt_at == FEED_TIME_NONE)
		return FEED_TIME_NONE;
	int64_t delay = failures == 0 ? sched_delay_after_success_s(name, interval_s)
	                              : sched_delay_after_failure_s(interval_s, failures, 0);
	int64_t due = last_attempt_at + delay;
	if (retry_until != FEED_TIME_NONE && retry_until > due)
		due = retry_until;
	return due;
}

int64_t sched_retry_until(int64_t now, int64_t retry_after_s)
{
	if (retry_after_s <= 0)
		return FEED_TIME_NONE;
	return now +
	       (retry_after_s < SCHED_RETRY_AFTER_MAX_S ? retry_after_s : SCHED_RETRY_AFTER_MAX_S);
}

double sched_spread_delay_s(size_t i, size_t n, int64_t spread_s)
{
	if (n == 0 || spread_s <= 0 || i >= n)
		return 0.;
	return (double)spread_s * (double)i / (double)n;
}

static void sched_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct sched_timer *t = (struct sched_timer *)(void *)w;
	t->due(t, t->data);
}

void sched_timer_init(struct sched_timer *t, struct ev_loop *loop, sched_due_cb due, void *data)
{
	ev_timer_init(&t->w, sched_timer_cb, 0., 0.);
	t->loop = loop;
	t->due = due;
	t->data = data;
}

void sched_timer_in(struct sched_timer *t, double delay_s)
{
	ev_timer_stop(t->loop, &t->w);
	ev_timer_set(&t->w, delay_s > 0 ? delay_s : 0., 0.);
	ev_timer_start(t->loop, &t->w);
}

void sched_timer_stop(struct sched_timer *t)
{
	ev_timer_stop(t->loop, &t->w);
}

int sched_timer_active(const struct sched_timer *t)
{
	return ev_is_active(&t->w);
}
