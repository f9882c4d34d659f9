/* Per-source poll scheduling: due times, jitter, backoff. */
#ifndef FEEDMERGE_SCHED_H
#define FEEDMERGE_SCHED_H
#endif
