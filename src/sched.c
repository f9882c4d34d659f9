/* Per-source poll scheduling: the policy is described in sched.h. */
#include "autoconf.h"

#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* One timer per source; the watcher's data points back to its slot. */
struct sched_slot {
	ev_timer timer;
	struct sched *s; /* borrowed: the owner */
	size_t source;
};

struct sched {
	struct ev_loop *loop; /* borrowed */
	struct sched_slot *slots;
	size_t nslots;
	sched_due_cb due;
	void *ctx;
};

static void sched_due_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct sched_slot *slot = w->data;
	slot->s->due(slot->s->ctx, slot->source);
}

struct sched *sched_new(struct ev_loop *loop, size_t nsources, sched_due_cb due, void *ctx)
{
	struct sched *s = xcalloc(1, sizeof *s);
	s->loop = loop;
	s->due = due;
	s->ctx = ctx;
	s->nslots = nsources;
	s->slots = xcalloc(nsources, sizeof *s->slots);
	for (size_t i = 0; i < nsources; i++) {
		struct sched_slot *slot = &s->slots[i];
		slot->s = s;
		slot->source = i;
		ev_timer_init(&slot->timer, sched_due_timer_cb, 0., 0.);
		slot->timer.data = slot;
	}
	return s;
}

void sched_free(struct sched *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nslots; i++)
		ev_timer_stop(s->loop, &s->slots[i].timer);
	free(s->slots);
	free(s);
}

void sched_in(struct sched *s, size_t source, double delay_s)
{
	if (source >= s->nslots)
		return;
	ev_timer *t = &s->slots[source].timer;
	ev_timer_stop(s->loop, t);
	ev_timer_set(t, delay_s > 0 ? delay_s : 0., 0.);
	ev_timer_start(s->loop, t);
}

void sched_cancel(struct sched *s, size_t source)
{
	if (source < s->nslots)
		ev_timer_stop(s->loop, &s->slots[source].timer);
}
