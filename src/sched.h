/* Per-source poll scheduling: due times, jitter, backoff (pure math), and one libev timer per
 * source for `run`.
 *
 * The policy, in seconds:
 * - A source never polled is due at once; sources due together (at start-up, after a reload)
 *   are spread evenly over startup_spread instead of fired in one burst.
 * - After a success the next poll is due interval + jitter later. The jitter is a stable hash
 *   of the source name modulo a tenth of the interval (at most SCHED_JITTER_MAX_S), so fifty
 *   sources configured with the same interval drift apart after the first round and stay
 *   apart, run after run, without any randomness in tests.
 * - After the Nth consecutive failure the next poll is due after a backoff: it starts at
 *   SCHED_BACKOFF_START_S (or the interval when that is shorter) and doubles with every
 *   further failure, capped at max(interval, SCHED_BACKOFF_MAX_S). A transient error costs a
 *   minute; a source that is gone is asked a few times a day at most.
 * - A Retry-After from a 429 or 503 is honoured when it asks for longer than the backoff,
 *   up to SCHED_RETRY_AFTER_MAX_S (a server cannot park a source for a month).
 * - All of this is computed again from the state kept in the database (last attempt, failures,
 *   Retry-After deadline), so a restart keeps every source's schedule.
 * Not yet: spacing between sources on the same host (the fetcher's global concurrency cap is
 * the only bound for now).
 */
#ifndef FEEDMERGE_SCHED_H
#define FEEDMERGE_SCHED_H

#include <ev.h>
#include <stddef.h>
#include <stdint.h>

#define SCHED_JITTER_MAX_S (15 * 60)
#define SCHED_BACKOFF_START_S 60
#define SCHED_BACKOFF_MAX_S (6 * 3600)
#define SCHED_RETRY_AFTER_MAX_S (24 * 3600)

/* The stable jitter of a source: 0 <= jitter <= min(interval / 10, SCHED_JITTER_MAX_S). */
int64_t sched_jitter_s(const char *name, int64_t interval_s);
/* Seconds from a successful poll to the next one: interval + jitter. */
int64_t sched_delay_after_success_s(const char *name, int64_t interval_s);
/* Seconds from the failures-th consecutive failed poll (failures >= 1) to the next one.
 * retry_after_s is the server's Retry-After in seconds, or 0 for none. */
int64_t sched_delay_after_failure_s(int64_t interval_s, unsigned failures, int64_t retry_after_s);
/* "45s", "10m", "1h30m", "2d": a delay for log lines. Writes at most size bytes to buf. */
void sched_format_delay(int64_t s, char *buf, size_t size);

/* When a source is next due, from its stored state: after last_attempt_at by the delay its
 * failures call for, and never before retry_until (FEED_TIME_NONE: none). A source never
 * attempted (last_attempt_at FEED_TIME_NONE) gives FEED_TIME_NONE: due now. */
int64_t sched_next_due_at(const char *name, int64_t interval_s, unsigned failures,
                          int64_t last_attempt_at, int64_t retry_until);
/* The deadline a Retry-After of retry_after_s seconds sets at now (capped at
 * SCHED_RETRY_AFTER_MAX_S), or FEED_TIME_NONE for none. */
int64_t sched_retry_until(int64_t now, int64_t retry_after_s);
/* The i-th of n sources due together is due i * spread_s / n seconds later: a burst of overdue
 * sources (after a restart, a reload) is spread evenly over spread_s, the first at once. */
double sched_spread_delay_s(size_t i, size_t n, int64_t spread_s);

/* One source's due timer on a libev loop; the source embeds it, so there is nothing to find
 * and nothing to free. */
struct ev_loop;
struct sched_timer;
typedef void (*sched_due_cb)(struct sched_timer *t, void *data);

struct sched_timer {
	ev_timer w;
	struct ev_loop *loop; /* borrowed */
	sched_due_cb due;
	void *data;
};

void sched_timer_init(struct sched_timer *t, struct ev_loop *loop, sched_due_cb due, void *data);
/* Makes the timer due in delay_s seconds (0: at the next loop iteration), replacing any
 * earlier due time. */
void sched_timer_in(struct sched_timer *t, double delay_s);
/* Forgets the due time; safe on a stopped timer. */
void sched_timer_stop(struct sched_timer *t);
/* Whether a due time is set. */
int sched_timer_active(const struct sched_timer *t);

#endif
