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

int64_t sched_effective_interval_s(int64_t interval_s, int64_t hint_s, int64_t min_s, int64_t max_s)
{
	int64_t eff = interval_s;
	if (hint_s > eff)
		eff = hint_s < max_s ? hint_s : (max_s > eff ? max_s : eff);
	if (eff < min_s)
		eff = min_s;
	return eff > 0 ? eff : 1;
}

int64_t sched_backoff_s(const char *name, int64_t interval_s, unsigned failures, int retry_soon,
                        int64_t max_backoff_s)
{
	if (interval_s < 1)
		interval_s = 1;
	if (failures < 1)
		failures = 1;
	/* A stable factor in [0.75, 1.25] from the name and the failure count. */
	uint64_t h = hash64_update(HASH64_INIT, name != NULL ? name : "", name ? strlen(name) : 0);
	h = hash64_update(h, &failures, sizeof failures);
	double factor = 0.75 + 0.5 * (double)(h % 1001) / 1000.0;
	if (failures == 1 && retry_soon)
		return (int64_t)((double)SCHED_EARLY_RETRY_S * factor);
	double delay = (double)interval_s;
	for (unsigned i = 1; i < failures && delay < (double)max_backoff_s; i++)
		delay *= 2;
	delay *= factor;
	if (delay > (double)max_backoff_s)
		delay = (double)max_backoff_s;
	if (delay < (double)interval_s)
		delay = (double)interval_s;
	return (int64_t)delay;
}

int64_t sched_skip_to_s(int64_t t, uint32_t skip_hours, uint8_t skip_days)
{
	if ((skip_hours & 0xffffffu) == 0 && (skip_days & 0x7f) == 0)
		return t;
	int64_t u = t;
	/* A week of hours at most; with every hour skipped, give up and keep t. */
	for (int i = 0; i < 7 * 24 + 1; i++) {
		int64_t day = u >= 0 ? u / 86400 : (u - 86399) / 86400;
		int hour = (int)((u - day * 86400) / 3600);
		int wday = (int)((day % 7 + 7 + 4) % 7); /* 1970-01-01 was a Thursday */
		if (!(skip_hours & (1u << hour)) && !(skip_days & (1u << wday)))
			return u;
		u = day * 86400 + (int64_t)(hour + 1) * 3600; /* the next hour's start */
	}
	return t;
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

int64_t sched_next_due_at(const struct sched_input *in)
{
	if (in->last_attempt_at == FEED_TIME_NONE)
		return FEED_TIME_NONE;
	int64_t delay = in->failures == 0 ? sched_delay_after_success_s(in->name, in->interval_s)
	                                  : sched_backoff_s(in->name, in->interval_s, in->failures,
	                                                    in->retry_soon, in->max_backoff_s);
	int64_t due = sched_skip_to_s(in->last_attempt_at + delay, in->skip_hours, in->skip_days);
	if (in->retry_until != FEED_TIME_NONE && in->retry_until > due)
		due = in->retry_until;
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
