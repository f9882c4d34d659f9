/* Per-source poll scheduling: due times, jitter, backoff (pure math), and one libev timer per
 * source for `run`.
 *
 * The policy, in seconds:
 * - A source never polled is due at once; sources due together (at start-up, after a reload)
 *   are spread evenly over startup_spread instead of fired in one burst.
 * - The effective interval is the configured one, lengthened by the feed's own hint (RSS ttl,
 *   sy:updatePeriod, Cache-Control max-age or Expires) but never past max_interval, and never
 *   shorter than min_interval: a feed may ask to be polled less often, not more.
 * - After a success the next poll is due interval + jitter later. The jitter is a stable hash
 *   of the source name modulo a tenth of the interval (at most SCHED_JITTER_MAX_S), so fifty
 *   sources configured with the same interval drift apart after the first round and stay
 *   apart, run after run, without any randomness in tests.
 * - After the Nth consecutive failure the next poll is due interval x 2^(N-1) later, with a
 *   stable jitter of up to +-25 % (never below the interval: a failing source is never asked
 *   more often than a healthy one), capped at max_backoff. One exception: the first failure
 *   at the connection level (refused, reset, name lookup) is retried once after about a
 *   minute, as such failures are often a moment's blip.
 * - A Retry-After from a 429 or 503 is a deadline (capped at SCHED_RETRY_AFTER_MAX_S: a server
 *   cannot park a source for a month); nothing is asked before it.
 * - Hours and days a feed lists in skipHours/skipDays (UTC) are skipped.
 * - All of this is computed again from the state kept in the database, so a restart keeps
 *   every source's schedule.
 */
#ifndef FEEDMERGE_SCHED_H
#define FEEDMERGE_SCHED_H

#include <ev.h>
#include <stddef.h>
#include <stdint.h>

#define SCHED_JITTER_MAX_S (15 * 60)
#define SCHED_EARLY_RETRY_S 60
#define SCHED_RETRY_AFTER_MAX_S (24 * 3600)

/* The stable jitter of a source: 0 <= jitter <= min(interval / 10, SCHED_JITTER_MAX_S). */
int64_t sched_jitter_s(const char *name, int64_t interval_s);
/* Seconds from a successful poll to the next one: interval + jitter. */
int64_t sched_delay_after_success_s(const char *name, int64_t interval_s);
/* The interval a source is polled at: interval_s lengthened by the feed's hint_s (-1: none),
 * the hint capped at max_s, the result at least min_s. */
int64_t sched_effective_interval_s(int64_t interval_s, int64_t hint_s, int64_t min_s,
                                   int64_t max_s);
/* Seconds from the failures-th consecutive failed poll (failures >= 1) to the next one, for a
 * source polled every interval_s; retry_soon: the failure was at the connection level. */
int64_t sched_backoff_s(const char *name, int64_t interval_s, unsigned failures, int retry_soon,
                        int64_t max_backoff_s);
/* The first time at or after t (Unix seconds) that is in neither a skipped hour (bit N of
 * skip_hours: hour N, UTC) nor a skipped day (bit 0 of skip_days: Sunday). t itself when
 * nothing is skipped, or when everything is. */
int64_t sched_skip_to_s(int64_t t, uint32_t skip_hours, uint8_t skip_days);
/* "45s", "10m", "1h30m", "2d": a delay for log lines. Writes at most size bytes to buf. */
void sched_format_delay(int64_t s, char *buf, size_t size);

/* What the next due time depends on, all from the stored state. */
struct sched_input {
	const char *name;
	int64_t interval_s; /* effective */
	int64_t max_backoff_s;
	unsigned failures;
	int retry_soon;
	int64_t last_attempt_at; /* FEED_TIME_NONE: never */
	int64_t retry_until;     /* FEED_TIME_NONE: none */
	uint32_t skip_hours;
	uint8_t skip_days;
};

/* When a source is next due: after last_attempt_at by the delay its failures call for, out of
 * its skipped hours and days, and never before retry_until. A source never attempted gives
 * FEED_TIME_NONE: due now. */
int64_t sched_next_due_at(const struct sched_input *in);
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
