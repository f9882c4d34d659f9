/* The daemon's lifecycle for `run` and `once`: set-up and tear-down (mirror images of each
 * other), signals and reload. The daemon owns its config, the loop, the store, the fetcher,
 * the listener, the publisher and the source set; the per-source work is in source.c. Single-
 * threaded on the libev loop. */
#include "autoconf.h"

#include <errno.h>
#include <ev.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "admin.h"
#include "daemon.h"
#include "fetch.h"
#include "http.h"
#include "log.h"
#include "notify.h"
#include "progress.h"
#include "publish.h"
#include "source.h"
#include "store.h"
#include "util.h"

enum { DAEMON_EXIT_OK = 0, DAEMON_EXIT_RUNTIME = 3, DAEMON_EXIT_SOURCES_FAILED = 4 };

struct daemon {
	struct ev_loop *loop;           /* the default loop, destroyed at tear-down */
	struct config *config;          /* owned; replaced by a reload */
	int once;                       /* `once` rather than `run` */
	struct store *store;            /* owned */
	struct fetcher *fetcher;        /* owned */
	struct http_server *http;       /* owned; NULL without listen */
	struct http_server *admin_http; /* owned; NULL without admin_listen */
	struct admin *admin;            /* owned; NULL without a listener */
	struct publisher *pub;          /* owned */
	struct source_set *sources;     /* owned */
	ev_signal sigint, sigterm, sighup;
	int interrupted;         /* `once`: the SIGINT or SIGTERM that stopped the round, else 0 */
	size_t once_total;       /* `once`: the sources polled in the round */
	ev_timer watchdog;       /* `run` under a service manager's watchdog */
	ev_timer commit;         /* commits the store's batch DAEMON_BATCH_S after it began */
	char notify_status[256]; /* the last STATUS= sent */
};

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

static void daemon_fetch_opts(const struct config *c, struct fetch_opts *fo)
{
	*fo = (struct fetch_opts){
	    .concurrency = c->concurrency,
	    .per_host = c->per_host,
	    .timeout_s = c->timeout_s,
	    .connect_timeout_s = c->connect_timeout_s,
	    .max_size_bytes = c->max_size_bytes,
	    .max_redirects = c->max_redirects,
	    .user_agent = c->user_agent,
	    .proxy = c->proxy,
	};
}

static void daemon_publish_opts(const struct config *c, struct publish_opts *po)
{
	*po = (struct publish_opts){
	    .output_dir = c->output_dir,
	    .feed_title = c->feed_title,
	    .feed_author = c->feed_author,
	    .public_url = c->public_url,
	    .attribution = c->attribution,
	    .original_label = c->original_label,
	    .also_label = c->also_label,
	    .feed_size = c->feed_size,
	};
	/* The sources' groups, for the publisher's views; freed by daemon_publish_opts_free. */
	const char **names = xcalloc(c->nsources + 1, sizeof *names);
	const char **groups = xcalloc(c->nsources + 1, sizeof *groups);
	for (size_t i = 0; i < c->nsources; i++) {
		names[i] = c->sources[i].name;
		groups[i] = c->sources[i].group;
	}
	po->source_names = names;
	po->source_groups = groups;
	po->nsources = c->nsources;
}

/* How long a client may keep a document: the shortest poll interval (nothing changes more
 * often than the busiest source is polled), between a minute and an hour. */
static unsigned daemon_cache_max_age(const struct config *c)
{
	int64_t s = c->interval_s;
	for (size_t i = 0; i < c->nsources; i++)
		if (c->sources[i].enabled && c->sources[i].interval_s < s)
			s = c->sources[i].interval_s;
	return (unsigned)(s < 60 ? 60 : s > 3600 ? 3600 : s);
}

static void daemon_publish_opts_free(struct publish_opts *po)
{
	free((void *)po->source_names);
	free((void *)po->source_groups);
}

/* --- the service manager (systemd Type=notify; see notify.h) ------------------------------- */

/* Sends state (such as "READY=1\n", or "") with a STATUS= line of the sources and entries;
 * with an empty state, only when the status changed. */
static void daemon_notify_status(struct daemon *d, const char *state)
{
	if (!notify_enabled() || d->once)
		return;
	size_t n = source_set_size(d->sources) - source_set_paused(d->sources);
	/* After every poll: the store keeps the count (counting a million entries takes 8 ms). */
	int64_t bytes;
	size_t entries = 0;
	store_size(d->store, &bytes, &entries);
	char status[sizeof d->notify_status];
	snprintf(status, sizeof status, "polling %zu source%s, %zu failing, %zu entries stored", n,
	         n == 1 ? "" : "s", source_set_failing(d->sources), entries);
	if (state[0] == '\0' && strcmp(status, d->notify_status) == 0)
		return;
	snprintf(d->notify_status, sizeof d->notify_status, "%s", status);
	if (notify_send("%sSTATUS=%s", state, status) < 0)
		log_debug("NOTIFY_SOCKET: %s", strerror(errno));
}

static void daemon_watchdog_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)w;
	(void)revents;
	notify_send("WATCHDOG=1");
}

/* WatchdogSec=: a WATCHDOG=1 from the loop at half the interval, so a stuck loop is killed. */
static void daemon_watchdog_start(struct daemon *d)
{
	uint64_t usec = notify_watchdog_usec();
	if (usec == 0)
		return;
	double every_s = (double)usec / 2e6;
	ev_timer_init(&d->watchdog, daemon_watchdog_cb, every_s, every_s);
	d->watchdog.data = d;
	ev_timer_start(d->loop, &d->watchdog);
	notify_send("WATCHDOG=1");
}

/* Group commit (store_batch_begin): the polls that end while others are in flight share one
 * transaction, committed when no transfer is left or DAEMON_BATCH_S after the first, so a
 * crash loses at most that much (those sources are fetched again: their poll state is in the
 * same transaction). */
#define DAEMON_BATCH_S 0.25

static void daemon_commit(struct daemon *d)
{
	ev_timer_stop(d->loop, &d->commit);
	if (store_batch_commit(d->store) != 0)
		source_set_writes_lost(d->sources);
}

static void daemon_commit_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	daemon_commit(w->data);
}

static void daemon_pruned_cb(void *ctx)
{
	struct daemon *d = ctx;
	publish_soon(d->pub);
}

static void daemon_polled_cb(void *ctx, struct source *src, int changed)
{
	(void)src;
	struct daemon *d = ctx;
	if (store_batch_open(d->store)) {
		if (fetch_pending(d->fetcher) == 0) {
			daemon_commit(d);
		} else if (!ev_is_active(&d->commit)) {
			ev_timer_set(&d->commit, DAEMON_BATCH_S, 0.);
			ev_timer_start(d->loop, &d->commit);
		}
	}
	if (d->once) {
		struct source_counts n;
		source_set_counts(d->sources, &n);
		progress_update(n.ok + n.failed, d->once_total, n.new_entries, n.failed);
		if (fetch_pending(d->fetcher) == 0)
			ev_break(d->loop, EVBREAK_ALL);
		return;
	}
	if (changed)
		publish_soon(d->pub);
	daemon_notify_status(d, "");
}

/* --- reload -------------------------------------------------------------------------------- */

/* Logs each line of text (the config reader's problems) as a warning. */
static void log_lines(const char *text)
{
	while (text != NULL && *text != '\0') {
		size_t n = strcspn(text, "\n");
		log_warnx("%.*s", (int)n, text);
		text += n + (text[n] == '\n');
	}
}

struct reload_log {
	size_t nchanges;
};

static void reload_global_cb(void *ctx, const char *key, const char *old_value,
                             const char *new_value)
{
	struct reload_log *rl = ctx;
	log_info("reload: %s changed: '%s' -> '%s'", key, old_value, new_value);
	rl->nchanges++;
}

/* Keeps *slot (a key that only a restart can change) at the running value. */
static void reload_keep(const char *key, char **slot, const char *running)
{
	if (!str_differs(*slot, running))
		return;
	log_warnx("reload: %s changed to '%s': needs a restart; keeping '%s'", key,
	          *slot != NULL ? *slot : "", running != NULL ? running : "");
	free(*slot);
	*slot = xstrdup_or_null(running);
}

/* Reads the config file again. With any error, logs them all and keeps running on the old
 * config; else applies the new one and logs every difference. */
static void daemon_reload(struct daemon *d)
{
	const char *path = d->config->path;
	daemon_commit(d); /* what was polled before the reload, before the new settings */
	char *errs = NULL;
	size_t errs_len = 0;
	int nerrors = 0;
	FILE *mem = open_memstream(&errs, &errs_len);
	if (mem == NULL)
		fatal("open_memstream");
	struct config *nc = config_load(path, mem, &nerrors);
	fclose(mem);
	log_lines(errs);
	free(errs);
	if (nc == NULL) {
		log_warnx("reload: %s: %d error%s; still running on the old config", path, nerrors,
		          nerrors == 1 ? "" : "s");
		return;
	}
	struct config *old = d->config;
	reload_keep("database", &nc->database, old->database);
	if (str_differs(nc->listen, old->listen)) {
		/* The default public_url follows listen (config.c), which stays as it is. */
		char *derived = nc->listen != NULL ? xasprintf("http://%s/", nc->listen)
		                                   : xstrdup("http://localhost/");
		if (strcmp(nc->public_url, derived) == 0) {
			free(nc->public_url);
			nc->public_url = xstrdup(old->public_url);
		}
		free(derived);
	}
	reload_keep("listen", &nc->listen, old->listen);
	reload_keep("admin_listen", &nc->admin_listen, old->admin_listen);
	if (d->http != NULL)
		http_set_max_age(d->http, daemon_cache_max_age(nc));
	struct publish_opts po;
	daemon_publish_opts(nc, &po);
	int set = publish_set_opts(d->pub, &po);
	daemon_publish_opts_free(&po);
	if (set != 0) {
		/* Logged; the static files stay where they are until a reload can make it. */
		free(nc->output_dir);
		nc->output_dir = xstrdup_or_null(old->output_dir);
	}
	struct reload_log rl = {0};
	config_global_changes(old, nc, reload_global_cb, &rl);
	struct fetch_opts fo;
	daemon_fetch_opts(nc, &fo);
	fetch_set_opts(d->fetcher, &fo);
	if (nc->story_fold != old->story_fold &&
	    store_set_story_fold(d->store, nc->story_fold) != 0)
		nc->story_fold = old->story_fold; /* logged; the stored keys are unchanged */
	if (str_differs(nc->tracking_params, old->tracking_params) &&
	    store_set_tracking(d->store, nc->tracking_params) != 0) {
		free(nc->tracking_params); /* logged; the stored keys are unchanged */
		nc->tracking_params = xstrdup_or_null(old->tracking_params);
	}
	if (strcmp(nc->synchronous, old->synchronous) != 0)
		store_set_synchronous(d->store, nc->synchronous);
	rl.nchanges += source_set_apply(d->sources, nc, now_s());
	log_set_level(nc->log_level); /* -v/-q still move it */
	d->config = nc;
	path = nc->path; /* the old one is freed next */
	config_free(old);
	/* Titles, removed sources: the outputs change even when the store did not, and the
	 * operator who reloaded expects to see it at once. */
	if (publish_now(d->pub) != 0)
		log_warnx(
		    "reload: publishing the merged feed failed; trying again at the next change");
	if (rl.nchanges == 0)
		log_info("reload: %s: no changes", path);
	else
		log_info("reload: %s: applied %zu change%s", path, rl.nchanges,
		         rl.nchanges == 1 ? "" : "s");
}

/* --- signals ------------------------------------------------------------------------------- */

static void daemon_signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)revents;
	struct daemon *d = w->data;
	if (w->signum == SIGHUP) {
		log_info("SIGHUP: reloading %s", d->config->path);
		notify_send("RELOADING=1\nMONOTONIC_USEC=%llu",
		            (unsigned long long)notify_monotonic_usec());
		daemon_reload(d);
		daemon_notify_status(d, "READY=1\n");
		return;
	}
	/* `once` says it in one line after the loop, with what was left undone. */
	if (d->once)
		d->interrupted = w->signum;
	else {
		log_info("%s: stopping", w->signum == SIGINT ? "SIGINT" : "SIGTERM");
		notify_send("STOPPING=1");
	}
	ev_break(loop, EVBREAK_ALL);
}

/* SIGINT and SIGTERM stop the loop; `run` also reloads on SIGHUP. `once` leaves SIGHUP alone,
 * so `nohup feedmerge once` keeps its ignored SIGHUP (a watcher would replace SIG_IGN). */
static void daemon_signals(struct daemon *d)
{
	ev_signal_init(&d->sigint, daemon_signal_cb, SIGINT);
	ev_signal_init(&d->sigterm, daemon_signal_cb, SIGTERM);
	ev_signal_init(&d->sighup, daemon_signal_cb, SIGHUP);
	d->sigint.data = d->sigterm.data = d->sighup.data = d;
	ev_signal_start(d->loop, &d->sigint);
	ev_signal_start(d->loop, &d->sigterm);
	if (!d->once)
		ev_signal_start(d->loop, &d->sighup);
}

/* --- start-up and tear-down ---------------------------------------------------------------- */

/* "127.0.0.1:8080" -> "127.0.0.1", "[::1]:0" -> "[::1]" (a new string). */
static char *listen_host(const char *listen)
{
	const char *colon = strrchr(listen, ':');
	if (colon == NULL || (strchr(listen, ']') != NULL && colon < strchr(listen, ']')))
		return xstrdup(listen);
	return xstrndup(listen, (size_t)(colon - listen));
}

/* The operator's endpoints: on admin_listen's own listener when it is set (the public one
 * keeps /healthz for load balancers), else on the public listener. */
static int daemon_admin_start(struct daemon *d, const struct config *c, char *why, size_t why_size)
{
	if (d->once || (d->http == NULL && (c->admin_listen == NULL || c->admin_listen[0] == '\0')))
		return 0;
	d->admin = admin_new(d->store, d->sources, now_s());
	if (c->admin_listen != NULL && c->admin_listen[0] != '\0') {
		char err[512] = "";
		d->admin_http = http_start(d->loop, c->admin_listen, err, sizeof err);
		if (d->admin_http == NULL) {
			snprintf(why, why_size, "admin_listen: %s", err[0] ? err : c->admin_listen);
			return -1;
		}
		char *host = listen_host(c->admin_listen);
		log_info("admin endpoints on http://%s:%u/status", host, http_port(d->admin_http));
		free(host);
		admin_attach(d->admin, d->admin_http, 0);
		if (d->http != NULL)
			admin_attach(d->admin, d->http, 1);
	} else {
		admin_attach(d->admin, d->http, 0);
	}
	return 0;
}

/* Everything, in order: loop, store, listener (`run`), publisher, fetcher, sources, signals.
 * Takes c. Returns 0, or the exit code with the reason in why (the caller logs it as an
 * error); daemon_teardown undoes whatever was done either way. */
static int daemon_setup(struct daemon *d, struct config *c, int once, char *why, size_t why_size)
{
	memset(d, 0, sizeof *d);
	d->config = c;
	d->once = once;
	if (why_size > 0)
		why[0] = '\0';
	/* CURLOPT_NOSIGNAL also stops libcurl from ignoring SIGPIPE around its TLS writes, and
	 * a reader hanging up mid-response must not kill the daemon either. */
	signal(SIGPIPE, SIG_IGN);
	d->loop = ev_default_loop(EVFLAG_AUTO);
	if (d->loop == NULL) {
		snprintf(why, why_size, "cannot initialise the event loop (bad LIBEV_FLAGS?)");
		return DAEMON_EXIT_RUNTIME;
	}
	ev_timer_init(&d->commit, daemon_commit_cb, DAEMON_BATCH_S, 0.);
	d->commit.data = d;
	char err[512] = "";
	d->store = store_open(c->database, err, sizeof err);
	if (d->store == NULL) {
		snprintf(why, why_size, "%s", err[0] ? err : c->database);
		return DAEMON_EXIT_RUNTIME;
	}
	if (store_set_story_fold(d->store, c->story_fold) != 0 ||
	    store_set_tracking(d->store, c->tracking_params) != 0 ||
	    store_set_synchronous(d->store, c->synchronous) != 0) {
		snprintf(why, why_size,
		         "%s: cannot apply same_story_across, tracking_params or synchronous",
		         c->database);
		return DAEMON_EXIT_RUNTIME;
	}
	if (!once && c->listen != NULL && c->listen[0] != '\0') {
		d->http = http_start(d->loop, c->listen, err, sizeof err);
		if (d->http == NULL) {
			snprintf(why, why_size, "listen: %s", err[0] ? err : c->listen);
			return DAEMON_EXIT_RUNTIME;
		}
		http_set_max_age(d->http, daemon_cache_max_age(c));
		char *host = listen_host(c->listen);
		log_info("listening on http://%s:%u/", host, http_port(d->http));
		free(host);
	}
	struct publish_opts po;
	daemon_publish_opts(c, &po);
	d->pub = publish_new(d->loop, d->store, d->http, &po);
	daemon_publish_opts_free(&po);
	if (d->pub == NULL) {
		snprintf(why, why_size, "output_dir %s: cannot create it", c->output_dir);
		return DAEMON_EXIT_RUNTIME;
	}
	struct fetch_opts fo;
	daemon_fetch_opts(c, &fo);
	d->fetcher = fetch_new(d->loop, &fo, source_fetch_done_cb, NULL);
	struct source_env env = {
	    .loop = d->loop,
	    .store = d->store,
	    .fetcher = d->fetcher,
	    .polled = daemon_polled_cb,
	    .pruned = daemon_pruned_cb,
	    .ctx = d,
	    .once = once,
	};
	d->sources = source_set_new(&env);
	source_set_apply(d->sources, c, now_s());
	if (daemon_admin_start(d, c, why, why_size) != 0)
		return DAEMON_EXIT_RUNTIME;
	struct source_counts n;
	source_set_counts(d->sources, &n);
	if (n.store_failed) {
		snprintf(why, why_size, "%s: cannot store the sources", c->database);
		return DAEMON_EXIT_RUNTIME;
	}
	daemon_signals(d);
	return 0;
}

/* The mirror image of daemon_setup: signals, sources (aborting their transfers), fetcher,
 * publisher, listener, store, loop, config. Safe on a half-built daemon. */
static void daemon_teardown(struct daemon *d)
{
	if (d->loop != NULL) {
		ev_timer_stop(d->loop, &d->watchdog);
		ev_timer_stop(d->loop, &d->commit);
		ev_signal_stop(d->loop, &d->sighup);
		ev_signal_stop(d->loop, &d->sigterm);
		ev_signal_stop(d->loop, &d->sigint);
	}
	admin_detach(d->admin, d->http);
	admin_detach(d->admin, d->admin_http);
	admin_free(d->admin);
	if (d->admin_http != NULL)
		http_stop(d->admin_http);
	source_set_free(d->sources);
	fetch_free(d->fetcher);
	publish_free(d->pub);
	if (d->http != NULL)
		http_stop(d->http);
	if (d->store != NULL)
		store_close(d->store);
	if (d->loop != NULL)
		ev_loop_destroy(d->loop);
	config_free(d->config);
	memset(d, 0, sizeof *d);
}

int daemon_once(struct config *c, char *why, size_t why_size)
{
	struct daemon d;
	int rc = daemon_setup(&d, c, 1, why, why_size);
	if (rc != 0)
		goto out;
	/* One round: every source sees the same round start, so ties between sources that
	 * carry the same link go to the one listed first. */
	d.once_total = source_set_poll_all(d.sources, now_s());
	progress_update(0, d.once_total, 0, 0);
	if (fetch_pending(d.fetcher) > 0)
		ev_run(d.loop, 0);
	daemon_commit(&d);
	progress_end();
	struct source_counts n;
	source_set_counts(d.sources, &n);
	rc = n.store_failed ? DAEMON_EXIT_RUNTIME
	     : n.failed > 0 ? DAEMON_EXIT_SOURCES_FAILED
	                    : DAEMON_EXIT_OK;
	if (d.interrupted != 0) {
		/* What was stored stays stored (one transaction per feed); the outputs keep
		 * their last complete version, and the next round publishes. Teardown aborts
		 * the transfers and closes the store. A signal during the publish below is
		 * noted but never acted on: by then the round is complete. */
		size_t stopped = fetch_pending(d.fetcher);
		log_warnx("once: interrupted by %s: %zu transfer%s stopped, outputs not written",
		          d.interrupted == SIGINT ? "SIGINT" : "SIGTERM", stopped,
		          stopped == 1 ? "" : "s");
		rc = DAEMON_EXIT_RUNTIME;
	} else {
		/* A cron-driven `once` is the only round: retention runs here too. */
		source_set_retention_now(d.sources);
		if (publish_now(d.pub) != 0)
			rc = DAEMON_EXIT_RUNTIME;
	}
	progress_summary(stdout, d.sources);
	if (n.failed > 0)
		printf("once: %zu ok, %zu failed (%s), %zu new entries\n", n.ok, n.failed,
		       n.failed_names, n.new_entries);
	else
		printf("once: %zu ok, 0 failed, %zu new entries\n", n.ok, n.new_entries);
	if (fflush(stdout) != 0)
		rc = DAEMON_EXIT_RUNTIME;
out:
	daemon_teardown(&d);
	return rc;
}

int daemon_run(struct config *c, char *why, size_t why_size)
{
	struct daemon d;
	int rc = daemon_setup(&d, c, 0, why, why_size);
	if (rc != 0)
		goto out;
	/* Serve what the store already has before the first poll answers. */
	if (publish_now(d.pub) != 0)
		log_warnx("publishing the stored feed failed");
	source_set_start(d.sources, now_s());
	size_t n = source_set_size(d.sources), paused = source_set_paused(d.sources);
	log_info("polling %zu source%s%s", n - paused, n - paused == 1 ? "" : "s",
	         paused > 0 ? " (others paused)" : "");
	daemon_watchdog_start(&d);
	daemon_notify_status(&d, "READY=1\n");
	ev_run(d.loop, 0);
	rc = DAEMON_EXIT_OK;
out:
	daemon_teardown(&d);
	return rc;
}
