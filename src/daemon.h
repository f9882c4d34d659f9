/* The daemon context: loop, store, fetcher, scheduler and listener, for `run` and `once`. */
#ifndef FEEDMERGE_DAEMON_H
#define FEEDMERGE_DAEMON_H

#include "config.h"

/* Both take c (the daemon owns its config: a reload replaces it).
 *
 * `feedmerge once`: polls every source once, concurrently, stores, writes the outputs and
 * prints the summary line, which names the sources that failed. Returns the exit code: 0 when
 * every source was polled (a 304 counts); 4 when any failed; 3 on a database or output error,
 * or when SIGINT or SIGTERM stopped the round (the transfers are aborted and the outputs left
 * alone). */
int daemon_once(struct config *c);
/* `feedmerge run`: polls forever and serves, until SIGINT or SIGTERM. Returns the exit code. */
int daemon_run(struct config *c);

#endif
