/* `feedmerge once` at a terminal: a progress line that updates in place while the round runs,
 * and a table of the sources at the end. Nothing of it when the streams are not TTYs: cron
 * mail and scripts get the plain log lines and the one summary line, as before. */
#ifndef FEEDMERGE_PROGRESS_H
#define FEEDMERGE_PROGRESS_H

#include <stddef.h>
#include <stdio.h>

struct source_set;

/* "once: 3 of 16 sources, 42 new entries, 1 failed" as the status line on stderr (a TTY). */
void progress_update(size_t done, size_t total, size_t new_entries, size_t failed);
/* Removes the status line. */
void progress_end(void);
/* One line per enabled source (name, ok or failed, new entries, the error) on out, when out
 * is a TTY. Returns the number of lines written. */
size_t progress_summary(FILE *out, const struct source_set *set);

#endif
