/* Per-source poll scheduling: due times, jitter, backoff (pure math), and one libev timer per
 * source for `run`.
 *
 * The policy, in seconds:
 * - The first poll of every source is due at start-up.
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
 * Not yet: spacing between sources on the same host (the fetcher's global concurrency cap is
 * the only bound for now).
 */
#ifndef FEEDMERGE_SCHED_H
#define FEEDMERGE_SCHED_H

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

struct ev_loop;
struct sched;

/* Called when source (an index given to the scheduler) is due. */
typedef void (*sched_due_cb)(void *ctx, size_t source);

/* A scheduler for nsources sources on loop; nothing is due until sched_in is called. */
struct sched *sched_new(struct ev_loop *loop, size_t nsources, sched_due_cb due, void *ctx);
/* Stops every timer and frees. */
void sched_free(struct sched *s);
/* Makes source due in delay_s seconds (0: at the next loop iteration), replacing any earlier
 * due time. */
void sched_in(struct sched *s, size_t source, double delay_s);
/* Forgets source's due time. */
void sched_cancel(struct sched *s, size_t source);

#endif
