/* The daemon context: loop, store, fetcher, scheduler and listener, for `run` and `once`. */
#ifndef FEEDMERGE_DAEMON_H
#define FEEDMERGE_DAEMON_H

#include <stddef.h>

#include "config.h"

/* Both take c (the daemon owns its config: a reload replaces it). When the daemon cannot
 * start (the database, output_dir, the listener), they return 3 with the reason in why, which
 * the caller logs as an error; why is "" otherwise.
 *
 * `feedmerge once`: polls every source once, concurrently, stores, writes the outputs and
 * prints the summary line, which names the sources that failed. Returns the exit code: 0 when
 * every source was polled (a 304 counts); 4 when any failed; 3 on a database or output error,
 * or when SIGINT or SIGTERM stopped the round (the transfers are aborted and the outputs left
 * alone). */
int daemon_once(struct config *c, char *why, size_t why_size);
/* `feedmerge run`: polls forever and serves, until SIGINT or SIGTERM. Returns the exit code. */
int daemon_run(struct config *c, char *why, size_t why_size);

#endif
