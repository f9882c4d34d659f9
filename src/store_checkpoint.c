/* WAL checkpoints on a thread of their own.
 *
 * SQLite's automatic checkpoint runs inside whichever commit pushes the WAL past 1,000 pages:
 * that commit copies the WAL into the database and fdatasyncs both, which made it the slowest
 * commit of a poll (20 to 30 ms against a median of 2) and a quarter of a cold poll's CPU, all
 * of it on the event loop. Here the store's connection only counts the WAL's pages after each
 * commit (sqlite3_wal_hook, which replaces the automatic checkpoint) and wakes a thread that
 * runs PASSIVE checkpoints on a connection of its own: they never block the writer or
 * readers, and the writer starts the WAL over once a checkpoint has caught up with it.
 *
 * Durability is unchanged: commits are made durable by the WAL (synchronous = NORMAL makes
 * the checkpoint, not the commit, fsync), and a checkpoint only copies what the WAL already
 * holds. The thread starts on the first checkpoint needed, so short commands (check, status)
 * never start it; if it cannot start, the commit runs the checkpoint itself, as SQLite would.
 */
#include "autoconf.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>

#include "log.h"
#include "store_checkpoint.h"
#include "util.h"

struct store_checkpointer {
	sqlite3 *writer; /* the store's connection (borrowed): only its hook runs here */
	char *path;      /* owned */
	int threshold;   /* WAL pages that call for a checkpoint */
	int started;     /* the thread runs (0: not yet; -1: could not, checkpoint inline) */
	int no_thread;   /* STORE_CHECKPOINT_NO_THREAD */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;     /* the thread: a checkpoint is wanted */
	pthread_cond_t finished; /* the writer: a checkpoint ended */
	/* Under lock: */
	int requested, stopping, running;
	uint64_t done;      /* checkpoints ended, failed ones too */
	int error;          /* SQLite's code of the thread's last failure, 0 after a success */
	int error_reported; /* error already logged (by the writer's thread) */
	struct store_checkpoint_stats stats;
	int last_log, last_copied; /* the WAL's frames and those copied, at the last checkpoint */
};

static void *checkpoint_main(void *arg)
{
	struct store_checkpointer *c = arg;
	sqlite3 *db = NULL;
	/* Signals are the event loop's business. */
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	int open_rc = sqlite3_open_v2(c->path, &db, SQLITE_OPEN_READWRITE, NULL);
	/* A connection learns that the file is in WAL mode on its first read; before it, a
	 * checkpoint does nothing and says so with -1 pages. */
	if (open_rc == SQLITE_OK)
		open_rc = sqlite3_exec(db, "PRAGMA schema_version", NULL, NULL, NULL);
	pthread_mutex_lock(&c->lock);
	for (;;) {
		while (!c->requested && !c->stopping)
			pthread_cond_wait(&c->wake, &c->lock);
		if (c->stopping)
			break;
		c->requested = 0;
		c->running = 1;
		pthread_mutex_unlock(&c->lock);
		int log_pages = 0, copied = 0;
		double t0 = monotonic_s();
		int rc = open_rc != SQLITE_OK
		             ? open_rc
		             : sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE,
		                                         &log_pages, &copied);
		double dt = monotonic_s() - t0;
		pthread_mutex_lock(&c->lock);
		if (rc == SQLITE_OK || rc == SQLITE_BUSY) {
			/* BUSY: another checkpoint ran (a shell's, a backup's): try again later. */
			c->error = 0;
			c->stats.runs++;
			/* copied counts from the WAL's start: a smaller log is a new WAL. */
			if (copied > 0)
				c->stats.pages +=
				    (uint64_t)(log_pages < c->last_log || copied < c->last_copied
				                   ? copied
				                   : copied - c->last_copied);
			c->last_log = log_pages;
			c->last_copied = copied;
			c->stats.seconds += dt;
			if (dt > c->stats.longest_s)
				c->stats.longest_s = dt;
		} else {
			c->error = rc;
		}
		c->running = 0;
		c->done++;
		pthread_cond_broadcast(&c->finished);
	}
	pthread_mutex_unlock(&c->lock);
	sqlite3_close(db);
	return NULL;
}

/* Under lock, in the writer's commit: waits for a checkpoint that starts after it. The writer
 * restarts the WAL from its beginning only when a checkpoint has copied all of it; a writer
 * that commits back to back (a cold poll of thousands of feeds) outruns checkpoints that run
 * beside it, and the WAL would grow by the size of the whole poll. Waiting at a few times the
 * threshold bounds it, and costs only the frames written since the thread's last checkpoint.
 * Bounded by a second, whatever the thread does. */
static void catch_up(struct store_checkpointer *c)
{
	uint64_t target = c->done + (c->running ? 2 : 1);
	double t0 = monotonic_s();
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += 1;
	while (c->done < target && !c->stopping &&
	       pthread_cond_timedwait(&c->finished, &c->lock, &deadline) != ETIMEDOUT)
		;
	double dt = monotonic_s() - t0;
	c->stats.waits++;
	c->stats.wait_s += dt;
	if (dt > c->stats.longest_wait_s)
		c->stats.longest_wait_s = dt;
}

/* After every commit of the writer: pages is the WAL's size in pages. */
static int checkpoint_hook(void *arg, sqlite3 *db, const char *schema, int pages)
{
	struct store_checkpointer *c = arg;
	if (pages < c->threshold)
		return SQLITE_OK;
	if (c->started == 0) {
		pthread_condattr_t attr;
		pthread_condattr_init(&attr);
		pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
		pthread_mutex_init(&c->lock, NULL);
		pthread_cond_init(&c->wake, NULL);
		pthread_cond_init(&c->finished, &attr);
		pthread_condattr_destroy(&attr);
		c->started =
		    !c->no_thread && pthread_create(&c->thread, NULL, checkpoint_main, c) == 0 ? 1
		                                                                               : -1;
		if (c->started == -1) {
			pthread_cond_destroy(&c->finished);
			pthread_cond_destroy(&c->wake);
			pthread_mutex_destroy(&c->lock);
			log_warnx(
			    "%s: cannot start the checkpoint thread: checkpoints run in commits",
			    c->path);
		}
	}
	if (c->started == -1) {
		sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		return SQLITE_OK;
	}
	pthread_mutex_lock(&c->lock);
	c->requested = 1;
	int error = c->error, report = error != 0 && !c->error_reported;
	c->error_reported = error != 0;
	pthread_cond_signal(&c->wake);
	if (pages >= c->threshold * STORE_CHECKPOINT_CATCH_UP)
		catch_up(c);
	pthread_mutex_unlock(&c->lock);
	if (report)
		log_warnx("%s: WAL checkpoint failed: %s (the WAL grows until one succeeds)",
		          c->path, sqlite3_errstr(error));
	return SQLITE_OK;
}

struct store_checkpointer *store_checkpointer_new(sqlite3 *writer, const char *path, int threshold,
                                                  int flags)
{
	struct store_checkpointer *c = xcalloc(1, sizeof *c);
	c->no_thread = (flags & STORE_CHECKPOINT_NO_THREAD) != 0;
	c->writer = writer;
	c->path = xstrdup(path);
	c->threshold = threshold > 0 ? threshold : STORE_CHECKPOINT_PAGES;
	sqlite3_wal_hook(writer, checkpoint_hook, c);
	return c;
}

void store_checkpointer_stats(struct store_checkpointer *c, struct store_checkpoint_stats *out)
{
	*out = (struct store_checkpoint_stats){0};
	if (c == NULL || c->started != 1)
		return;
	pthread_mutex_lock(&c->lock);
	*out = c->stats;
	pthread_mutex_unlock(&c->lock);
}

void store_checkpointer_free(struct store_checkpointer *c)
{
	if (c == NULL)
		return;
	sqlite3_wal_hook(c->writer, NULL, NULL);
	if (c->started == 1) {
		pthread_mutex_lock(&c->lock);
		c->stopping = 1;
		pthread_cond_signal(&c->wake);
		pthread_mutex_unlock(&c->lock);
		pthread_join(c->thread, NULL);
		pthread_cond_destroy(&c->finished);
		pthread_cond_destroy(&c->wake);
		pthread_mutex_destroy(&c->lock);
	}
	free(c->path);
	free(c);
}
