/* The daemon context for `run` and `once`: one loop, one store, one fetcher, one listener and
 * the per-source state. Start-up (daemon_setup) and tear-down (daemon_teardown) are mirror
 * images of each other; everything here is single-threaded on the libev loop. */
#include "autoconf.h"

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "date.h"
#include "emit.h"
#include "fetch.h"
#include "http.h"
#include "log.h"
#include "parse.h"
#include "sched.h"
#include "store.h"
#include "util.h"

enum { DAEMON_EXIT_OK = 0, DAEMON_EXIT_RUNTIME = 3 };

struct daemon;

struct source_state {
	struct daemon *d;               /* borrowed: the owner */
	const struct source_conf *conf; /* borrowed from the config */
	size_t index;                   /* position in the config */
	struct date_zone *zone;         /* owned; NULL: zone-less dates are UTC */
	unsigned failures;              /* consecutive failed polls */
	int64_t seen_at;                /* start of the round this poll belongs to */
	int in_flight;
};

struct daemon {
	struct ev_loop *loop;         /* the default loop, destroyed at tear-down */
	const struct config *c;       /* borrowed */
	int once;                     /* `once` rather than `run` */
	struct store *store;          /* owned */
	struct fetcher *fetcher;      /* owned */
	struct http_server *http;     /* owned; NULL without listen */
	struct sched *sched;          /* owned; `run` only */
	struct source_state *sources; /* owned, one per configured source */
	size_t nsources;
	ev_signal sigint, sigterm, sighup;
	int64_t started_at; /* the first round's start: every source's first seen_at */
	/* `once` bookkeeping. */
	size_t n_ok, n_failed, n_new;
	int publish_failed; /* `run`: the last publish failed, try again after any poll */
	int interrupted;    /* `once`: the SIGINT or SIGTERM that stopped the round, else 0 */
	int exit_code;
};

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

/* --- outputs ---------------------------------------------------------------------------- */

/* mkdir -p: creates path and its missing parents. Returns 0, or -1 with errno set. */
static int mkdir_p(const char *path)
{
	char *p = xstrdup(path);
	int rc = 0;
	for (char *s = p + 1; rc == 0; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char saved = *s;
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST)
			rc = -1;
		*s = saved;
		if (saved == '\0')
			break;
	}
	struct stat st;
	if (rc == 0 && stat(path, &st) != 0)
		rc = -1;
	else if (rc == 0 && !S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		rc = -1;
	}
	free(p);
	return rc;
}

/* True when the file at path holds exactly len bytes equal to data. */
static int file_equals(const char *path, const char *data, size_t len)
{
	FILE *fp = fopen(path, "rb");
	if (fp == NULL)
		return 0;
	int same = 1;
	size_t off = 0;
	char chunk[65536];
	size_t n;
	while (same && (n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
		if (n > len - off || memcmp(chunk, data + off, n) != 0)
			same = 0;
		off += n;
	}
	if (ferror(fp) || off != len)
		same = 0;
	fclose(fp);
	return same;
}

/* Writes data to dir/name atomically: a temp file in the same folder, fsync, rename. Skips
 * the write when the file already holds these bytes. Returns 0, or -1 after logging. */
static int write_atomic(const char *dir, const char *name, const char *data, size_t len)
{
	char *path = xasprintf("%s/%s", dir, name);
	char *tmp = xasprintf("%s/.%s.XXXXXX", dir, name);
	int rc = -1, fd = -1;
	if (file_equals(path, data, len)) {
		rc = 0;
		goto out;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		log_warn("%s", tmp);
		goto out;
	}
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			log_warn("write %s", tmp);
			goto out;
		}
		off += (size_t)n;
	}
	/* mkstemp makes 0600; the outputs are public. */
	if (fchmod(fd, 0644) != 0 || fsync(fd) != 0) {
		log_warn("%s", tmp);
		goto out;
	}
	int cfd = fd;
	fd = -1;
	if (close(cfd) != 0) {
		log_warn("close %s", tmp);
		goto out;
	}
	if (rename(tmp, path) != 0) {
		log_warn("rename %s to %s", tmp, path);
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc != 0)
		unlink(tmp);
	free(tmp);
	free(path);
	return rc;
}

/* Rebuilds the merged feed from the store and publishes it: output_dir files and the
 * listener's documents. Returns 0, or -1 after logging (a database or output error). */
static int daemon_publish(struct daemon *d)
{
	const struct config *c = d->c;
	struct merged m;
	memset(&m, 0, sizeof m);
	if (store_load_merged(d->store, c->feed_size, &m) != 0) {
		merged_free(&m);
		return -1;
	}
	struct emit_meta meta = {
	    .title = c->feed_title,
	    .author = c->feed_author != NULL ? c->feed_author : c->feed_title,
	    .public_url = c->public_url,
	    .attribution = c->attribution != NULL ? c->attribution : "",
	};
	size_t atom_len = 0, rss_len = 0;
	char *atom = emit_atom(&m, &meta, &atom_len);
	char *rss = emit_rss(&m, &meta, &rss_len);
	int64_t updated = emit_updated(&m);
	merged_free(&m);

	int rc = 0;
	if (c->output_dir != NULL) {
		if (write_atomic(c->output_dir, "feed.atom", atom, atom_len) != 0)
			rc = -1;
		if (write_atomic(c->output_dir, "feed.rss", rss, rss_len) != 0)
			rc = -1;
	}
	if (d->http != NULL) {
		http_set_document(d->http, "/feed.atom", "application/atom+xml; charset=utf-8",
		                  atom, atom_len, updated);
		http_set_document(d->http, "/feed.rss", "application/rss+xml; charset=utf-8", rss,
		                  rss_len, updated);
	}
	free(atom);
	free(rss);
	return rc;
}

/* --- one poll --------------------------------------------------------------------------- */

static void daemon_poll(struct daemon *d, struct source_state *src)
{
	char *etag = NULL, *last_modified = NULL;
	if (store_get_validators(d->store, src->conf->name, src->conf->url, &etag,
	                         &last_modified) != 0) {
		etag = last_modified = NULL;
	}
	struct fetch_request req = {
	    .url = src->conf->url,
	    .etag = etag,
	    .last_modified = last_modified,
	    .userdata = src,
	};
	src->in_flight = 1;
	log_debug("source %s: fetch %s", src->conf->name, src->conf->url);
	fetch_start(d->fetcher, &req);
	free(etag);
	free(last_modified);
}

/* Handles a fetched document. Returns 1 when the poll counts as ok; 0 when it failed, with
 * the one-line reason in err (logged by the caller). Sets *changed when the store took
 * something. */
static int daemon_take(struct daemon *d, struct source_state *src, const struct fetch_result *r,
                       int *changed, char *err, size_t errlen)
{
	const struct source_conf *sc = src->conf;
	*changed = 0;
	if (r->not_modified) {
		if (store_mark_not_modified(d->store, sc->name, now_s()) != 0)
			d->exit_code = DAEMON_EXIT_RUNTIME;
		log_info("source %s: not modified", sc->name);
		return 1;
	}
	char warning[512] = "";
	struct parse_opts po = {
	    .url = r->effective_url,
	    .content_type = r->content_type,
	    .charset = sc->charset,
	    .zone = src->zone,
	    .date_format = sc->date_format,
	};
	struct feed *f = parse_feed(r->body, r->len, &po, warning, sizeof warning);
	if (f == NULL) {
		snprintf(err, errlen, "%s", warning[0] ? warning : "not a feed");
		return 0;
	}
	if (warning[0] != '\0')
		log_warnx("source %s: %s: %s (kept %zu entr%s)", sc->name, sc->url, warning,
		          f->nentries, f->nentries == 1 ? "y" : "ies");
	size_t added = 0;
	int rc = store_commit_fetch(d->store, sc->name, sc->url, f, r->etag, r->last_modified,
	                            src->seen_at, &added);
	size_t n = f->nentries;
	feed_free(f);
	if (rc != 0) {
		snprintf(err, errlen, "storing %zu entries failed", n);
		d->exit_code = DAEMON_EXIT_RUNTIME;
		return 0;
	}
	d->n_new += added;
	*changed = 1;
	log_info("source %s: %zu entr%s, %zu new", sc->name, n, n == 1 ? "y" : "ies", added);
	return 1;
}

static void daemon_fetch_done_cb(void *ctx, const struct fetch_result *r)
{
	struct daemon *d = ctx;
	struct source_state *src = r->userdata;
	const struct source_conf *sc = src->conf;
	src->in_flight = 0;
	int ok = 0, changed = 0;
	char err[512] = "";
	if (r->error == NULL)
		ok = daemon_take(d, src, r, &changed, err, sizeof err);

	/* One line per failed poll: "fetch URL" when the transfer failed, just "URL" when
	 * what came back could not be used. */
	char retry[64] = "";
	int64_t delay = 0;
	if (!d->once && ok) {
		src->failures = 0;
		delay = sched_delay_after_success_s(sc->name, sc->interval_s);
	} else if (!d->once) {
		src->failures++;
		delay = sched_delay_after_failure_s(sc->interval_s, src->failures,
		                                    r->error != NULL ? r->retry_after_s : 0);
		char when[32];
		sched_format_delay(delay, when, sizeof when);
		snprintf(retry, sizeof retry, ", retry in %s", when);
	}
	if (r->error != NULL)
		log_warnx("source %s: fetch %s: %s%s", sc->name, r->url, r->error, retry);
	else if (!ok)
		log_warnx("source %s: %s: %s%s", sc->name, sc->url, err, retry);

	if (d->once) {
		if (ok)
			d->n_ok++;
		else
			d->n_failed++;
		if (fetch_pending(d->fetcher) == 0)
			ev_break(d->loop, EVBREAK_ALL);
		return;
	}
	if (changed || d->publish_failed) {
		d->publish_failed = daemon_publish(d) != 0;
		if (d->publish_failed)
			log_warnx(
			    "publishing the merged feed failed; retrying after the next poll");
	}
	sched_in(d->sched, src->index, (double)delay);
}

static void daemon_due_cb(void *ctx, size_t index)
{
	struct daemon *d = ctx;
	struct source_state *src = &d->sources[index];
	if (src->in_flight)
		return;
	src->seen_at = now_s();
	daemon_poll(d, src);
}

/* --- signals ---------------------------------------------------------------------------- */

static void daemon_signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)revents;
	struct daemon *d = w->data;
	if (w->signum == SIGHUP) {
		log_info("SIGHUP: reload not supported yet; restart to apply a new config");
		return;
	}
	/* `once` says it in one line after the loop, with what was left undone. */
	if (d->once)
		d->interrupted = w->signum;
	else
		log_info("%s: stopping", w->signum == SIGINT ? "SIGINT" : "SIGTERM");
	ev_break(loop, EVBREAK_ALL);
}

/* --- start-up and tear-down ------------------------------------------------------------- */

/* Everything but the listener, scheduler and signals. Returns 0, or the exit code after
 * logging; daemon_teardown undoes whatever was done either way. */
static int daemon_setup(struct daemon *d, const struct config *c, int once)
{
	memset(d, 0, sizeof *d);
	d->c = c;
	d->once = once;
	d->started_at = now_s();
	/* CURLOPT_NOSIGNAL also stops libcurl from ignoring SIGPIPE around its TLS writes, and
	 * a reader hanging up mid-response must not kill the daemon either. */
	signal(SIGPIPE, SIG_IGN);
	d->loop = ev_default_loop(EVFLAG_AUTO);
	if (d->loop == NULL) {
		log_warnx("cannot initialise the event loop (bad LIBEV_FLAGS?)");
		return DAEMON_EXIT_RUNTIME;
	}

	char err[512] = "";
	d->store = store_open(c->database, err, sizeof err);
	if (d->store == NULL) {
		log_warnx("%s", err[0] ? err : c->database);
		return DAEMON_EXIT_RUNTIME;
	}
	if (store_sync_sources(d->store, c) != 0)
		return DAEMON_EXIT_RUNTIME;
	if (c->output_dir != NULL && mkdir_p(c->output_dir) != 0) {
		log_warn("output_dir %s", c->output_dir);
		return DAEMON_EXIT_RUNTIME;
	}

	d->nsources = c->nsources;
	d->sources = xcalloc(c->nsources, sizeof *d->sources);
	for (size_t i = 0; i < c->nsources; i++) {
		struct source_state *src = &d->sources[i];
		src->d = d;
		src->conf = &c->sources[i];
		src->index = i;
		src->seen_at = d->started_at;
		if (src->conf->timezone != NULL) {
			src->zone = date_zone_new(src->conf->timezone, err, sizeof err);
			if (src->zone == NULL)
				log_warnx("source %s: timezone %s: %s; using UTC", src->conf->name,
				          src->conf->timezone, err);
		}
	}

	struct fetch_opts fo = {
	    .concurrency = c->concurrency,
	    .timeout_s = c->timeout_s,
	    .max_size_bytes = c->max_size_bytes,
	    .user_agent = c->user_agent,
	};
	d->fetcher = fetch_new(d->loop, &fo, daemon_fetch_done_cb, d);
	return 0;
}

/* The mirror image of daemon_setup + daemon_run's start-up: scheduler, listener, signals,
 * fetcher (aborting transfers in flight), zones, store, loop. Safe on a half-built daemon. */
static void daemon_teardown(struct daemon *d)
{
	sched_free(d->sched);
	if (d->http != NULL)
		http_stop(d->http);
	if (d->loop != NULL) {
		ev_signal_stop(d->loop, &d->sighup);
		ev_signal_stop(d->loop, &d->sigterm);
		ev_signal_stop(d->loop, &d->sigint);
	}
	fetch_free(d->fetcher);
	for (size_t i = 0; i < d->nsources; i++)
		date_zone_free(d->sources[i].zone);
	free(d->sources);
	if (d->store != NULL)
		store_close(d->store);
	if (d->loop != NULL)
		ev_loop_destroy(d->loop);
	memset(d, 0, sizeof *d);
}

/* SIGINT and SIGTERM stop the loop; `run` also notes SIGHUP. `once` leaves SIGHUP alone, so
 * `nohup feedmerge once` keeps its ignored SIGHUP (a watcher would replace SIG_IGN). */
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

int daemon_once(const struct config *c)
{
	struct daemon d;
	int rc = daemon_setup(&d, c, 1);
	if (rc != 0)
		goto out;
	daemon_signals(&d);
	/* One round: every source sees the same round start, so ties between sources that
	 * carry the same link go to the one listed first. */
	for (size_t i = 0; i < d.nsources; i++)
		daemon_poll(&d, &d.sources[i]);
	if (fetch_pending(d.fetcher) > 0)
		ev_run(d.loop, 0);
	if (d.interrupted != 0) {
		/* What was stored stays stored (one transaction per feed); the outputs keep
		 * their last complete version, and the next round publishes. Teardown aborts
		 * the transfers and closes the store. A signal during the publish below is
		 * noted but never acted on: by then the round is complete. */
		size_t stopped = fetch_pending(d.fetcher);
		log_warnx("once: interrupted by %s: %zu transfer%s stopped, outputs not written",
		          d.interrupted == SIGINT ? "SIGINT" : "SIGTERM", stopped,
		          stopped == 1 ? "" : "s");
		d.exit_code = DAEMON_EXIT_RUNTIME;
	} else if (daemon_publish(&d) != 0) {
		d.exit_code = DAEMON_EXIT_RUNTIME;
	}
	rc = d.exit_code;
	printf("once: %zu ok, %zu failed, %zu new entries\n", d.n_ok, d.n_failed, d.n_new);
	if (fflush(stdout) != 0)
		rc = DAEMON_EXIT_RUNTIME;
out:
	daemon_teardown(&d);
	return rc;
}

/* "127.0.0.1:8080" -> "127.0.0.1", "[::1]:0" -> "[::1]" (a new string). */
static char *listen_host(const char *listen)
{
	const char *colon = strrchr(listen, ':');
	if (colon == NULL || (strchr(listen, ']') != NULL && colon < strchr(listen, ']')))
		return xstrdup(listen);
	return xstrndup(listen, (size_t)(colon - listen));
}

int daemon_run(const struct config *c)
{
	struct daemon d;
	int rc = daemon_setup(&d, c, 0);
	if (rc != 0)
		goto out;
	daemon_signals(&d);
	if (c->listen != NULL && c->listen[0] != '\0') {
		char err[512] = "";
		d.http = http_start(d.loop, c->listen, err, sizeof err);
		if (d.http == NULL) {
			log_warnx("listen: %s", err[0] ? err : c->listen);
			rc = DAEMON_EXIT_RUNTIME;
			goto out;
		}
		char *host = listen_host(c->listen);
		log_info("listening on http://%s:%u/", host, http_port(d.http));
		free(host);
	}
	/* Serve what the store already has before the first poll answers. */
	if (daemon_publish(&d) != 0)
		log_warnx("publishing the stored feed failed");
	d.sched = sched_new(d.loop, d.nsources, daemon_due_cb, &d);
	/* The first round: every source at once (the fetcher's concurrency bounds it), all
	 * with the daemon's start as seen_at so ties go to the source listed first. */
	for (size_t i = 0; i < d.nsources; i++)
		daemon_poll(&d, &d.sources[i]);
	log_info("polling %zu source%s", d.nsources, d.nsources == 1 ? "" : "s");
	ev_run(d.loop, 0);
	rc = DAEMON_EXIT_OK;
out:
	daemon_teardown(&d);
	return rc;
}
