/* WAL checkpoints off the writer's thread (store_checkpoint.c says why). */
#ifndef FEEDMERGE_STORE_CHECKPOINT_H
#define FEEDMERGE_STORE_CHECKPOINT_H

#include <sqlite3.h>
#include <stdint.h>

#include "store.h" /* struct store_checkpoint_stats */

/* SQLite's own default: a WAL of about 4 MB calls for a checkpoint. */
#define STORE_CHECKPOINT_PAGES 1000
/* At this many times that, a commit waits for the thread to catch up (a bound on the WAL). */
#define STORE_CHECKPOINT_CATCH_UP 4

struct store_checkpointer;

/* flags of store_checkpointer_new: behave as when the thread cannot start (checkpoints run
 * in the commits that call for them). For tests of that path. */
#define STORE_CHECKPOINT_NO_THREAD 1

/* Takes over writer's WAL hook (SQLite's automatic checkpoint) for the database at path;
 * threshold: WAL pages (0 for STORE_CHECKPOINT_PAGES); flags: 0 or STORE_CHECKPOINT_*. Free
 * it before closing writer. */
struct store_checkpointer *store_checkpointer_new(sqlite3 *writer, const char *path, int threshold,
                                                  int flags);
/* Stops the thread (after the checkpoint it runs, if any) and gives the hook back. */
void store_checkpointer_free(struct store_checkpointer *c);
/* The figures so far (all 0 before the thread started). */
void store_checkpointer_stats(struct store_checkpointer *c, struct store_checkpoint_stats *out);

#endif
