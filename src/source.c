/* Sources as objects: settings copied from the config, poll state mirrored in the store, one
 * timer each. Everything runs on the daemon's libev loop.
 *
 * Life of a source: made by source_set_apply (at start-up or when a reload adds it), due when
 * its timer fires, polled (one transfer at a time), its result parsed and stored, its state
 * saved and its timer re-armed; freed when a reload removes it (its transfer in flight is
 * aborted first, so no callback can reach freed memory) or when the set is freed. Nothing here
 * points into a struct config: a reload frees the old one. */
#include "autoconf.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "date.h"
#include "feed.h"
#include "fetch.h"
#include "log.h"
#include "parse.h"
#include "sched.h"
#include "source.h"
#include "store.h"
#include "util.h"

/* Pruning removed sources is housekeeping: once an hour is plenty. */
#define SOURCE_PRUNE_EVERY_S 3600.

struct source {
	struct source_set *set; /* borrowed: the owner */
	/* Settings, copied from the config; all owned. */
	char *name;
	char *url;
	char *title;
	char *charset;
	char *timezone;
	char *date_format;
	int64_t interval_s;
	int enabled;
	struct date_zone *zone; /* owned; NULL: zone-less dates are UTC */
	/* State. */
	struct store_poll_state state; /* mirrors the store's row */
	int in_flight;
	int first_round;      /* the next poll is this process's first: seen_at = started_at */
	int64_t poll_started; /* when the transfer in flight was started */
	int64_t seen_at;      /* the round the transfer in flight belongs to */
	struct sched_timer timer;
	size_t taken; /* this apply: matched by the new config */
	/* Added by a reload: due within startup_spread, whatever its stored backoff (a
	 * server's Retry-After deadline still holds). */
	int added;
	size_t n_ok, n_failed, n_new;
};

struct source_set {
	struct source_env env;
	struct source **v; /* owned, in config order */
	size_t n;
	int64_t started_at; /* the first round's start */
	int64_t startup_spread_s;
	int64_t removed_keep_s;
	int applied; /* source_set_apply ran once: later calls are reloads */
	int started; /* `run`: timers armed */
	ev_timer prune_timer;
	struct source_counts counts;
};

/* --- settings ------------------------------------------------------------------------------ */

/* The settings a reload compares, in the config file's order, for "changed: url, title". */
static const struct {
	const char *key;
	size_t offset;
} source_str_keys[] = {
    {"url", offsetof(struct source, url)},
    {"title", offsetof(struct source, title)},
    {"charset", offsetof(struct source, charset)},
    {"timezone", offsetof(struct source, timezone)},
    {"date_format", offsetof(struct source, date_format)},
};

static char **str_slot(struct source *src, size_t i)
{
	return (char **)(void *)((char *)src + source_str_keys[i].offset);
}

static const char *conf_str(const struct source_conf *sc, const char *key)
{
	if (strcmp(key, "url") == 0)
		return sc->url;
	if (strcmp(key, "title") == 0)
		return sc->title;
	if (strcmp(key, "charset") == 0)
		return sc->charset;
	if (strcmp(key, "timezone") == 0)
		return sc->timezone;
	return sc->date_format;
}

static int str_differs(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a != b;
	return strcmp(a, b) != 0;
}

static void source_set_zone(struct source *src)
{
	date_zone_free(src->zone);
	src->zone = NULL;
	if (src->timezone == NULL)
		return;
	char err[256] = "";
	src->zone = date_zone_new(src->timezone, err, sizeof err);
	if (src->zone == NULL)
		log_warnx("source %s: timezone %s: %s; using UTC", src->name, src->timezone, err);
}

/* Copies sc's settings into src; writes the names of the keys that changed into changed
 * (", "-separated) and sets *url_changed. */
static void source_take_settings(struct source *src, const struct source_conf *sc, char *changed,
                                 size_t size, int *url_changed)
{
	changed[0] = '\0';
	*url_changed = 0;
	size_t used = 0;
	int zone_changed = 0;
#define NOTE(k)                                                                                    \
	do {                                                                                       \
		int w_ = snprintf(changed + used, size - used, "%s%s", used ? ", " : "", k);       \
		if (w_ > 0 && (size_t)w_ < size - used)                                            \
			used += (size_t)w_;                                                        \
	} while (0)
	for (size_t i = 0; i < sizeof source_str_keys / sizeof source_str_keys[0]; i++) {
		const char *key = source_str_keys[i].key;
		const char *v = conf_str(sc, key);
		char **slot = str_slot(src, i);
		if (!str_differs(*slot, v))
			continue;
		NOTE(key);
		free(*slot);
		*slot = xstrdup_or_null(v);
		if (i == 0)
			*url_changed = 1;
		if (strcmp(key, "timezone") == 0)
			zone_changed = 1;
	}
	if (src->interval_s != sc->interval_s) {
		NOTE("interval");
		src->interval_s = sc->interval_s;
	}
	if (src->enabled != sc->enabled) {
		NOTE(sc->enabled ? "enabled (resumed)" : "enabled (paused)");
		src->enabled = sc->enabled;
	}
#undef NOTE
	if (zone_changed)
		source_set_zone(src);
}

static void source_due_cb(struct sched_timer *t, void *data);

static struct source *source_new(struct source_set *set, const struct source_conf *sc)
{
	struct source *src = xcalloc(1, sizeof *src);
	src->set = set;
	src->name = xstrdup(sc->name);
	src->interval_s = -1;
	src->enabled = -1;
	src->first_round = 1;
	store_poll_state_clear(&src->state);
	char changed[256];
	int url_changed;
	source_take_settings(src, sc, changed, sizeof changed, &url_changed);
	sched_timer_init(&src->timer, set->env.loop, source_due_cb, src);
	return src;
}

/* Stops src (its timer, its transfer) and frees it. */
static void source_free(struct source *src)
{
	if (src == NULL)
		return;
	sched_timer_stop(&src->timer);
	if (src->in_flight)
		fetch_cancel(src->set->env.fetcher, src);
	for (size_t i = 0; i < sizeof source_str_keys / sizeof source_str_keys[0]; i++)
		free(*str_slot(src, i));
	free(src->name);
	date_zone_free(src->zone);
	store_poll_state_clear(&src->state);
	free(src);
}

const char *source_name(const struct source *src)
{
	return src->name;
}

/* --- polling ------------------------------------------------------------------------------- */

static void source_poll(struct source *src, int64_t seen_at, int64_t now)
{
	struct source_set *set = src->set;
	char *etag = NULL, *last_modified = NULL;
	if (store_get_validators(set->env.store, src->name, src->url, &etag, &last_modified) != 0)
		etag = last_modified = NULL;
	struct fetch_request req = {
	    .url = src->url,
	    .etag = etag,
	    .last_modified = last_modified,
	    .userdata = src,
	};
	src->in_flight = 1;
	src->first_round = 0;
	src->seen_at = seen_at;
	src->poll_started = now;
	log_debug("source %s: fetch %s", src->name, src->url);
	/* Last: a transfer that cannot even start is reported from inside fetch_start. */
	fetch_start(set->env.fetcher, &req);
	free(etag);
	free(last_modified);
}

static void source_due_cb(struct sched_timer *t, void *data)
{
	(void)t;
	struct source *src = data;
	if (src->in_flight || !src->enabled)
		return;
	int64_t now = (int64_t)time(NULL);
	source_poll(src, src->first_round ? src->set->started_at : now, now);
}

/* Arms src's timer for due_at (FEED_TIME_NONE or past: at once). */
static void source_arm(struct source *src, int64_t due_at, int64_t now)
{
	double delay = due_at == FEED_TIME_NONE || due_at <= now ? 0. : (double)(due_at - now);
	sched_timer_in(&src->timer, delay);
}

static int64_t source_next_due_at(const struct source *src)
{
	return sched_next_due_at(src->name, src->interval_s, src->state.failures,
	                         src->state.last_attempt_at, src->state.retry_until);
}

/* Handles a fetched document. Returns 1 when the poll counts as ok; 0 when it failed, with
 * the one-line reason in err. Sets *changed when the store took something. */
static int source_take(struct source *src, const struct fetch_result *r, int *changed, char *err,
                       size_t errlen)
{
	struct source_set *set = src->set;
	*changed = 0;
	if (r->not_modified) {
		if (store_mark_not_modified(set->env.store, src->name, (int64_t)time(NULL)) != 0)
			set->counts.store_failed = 1;
		log_info("source %s: not modified", src->name);
		return 1;
	}
	char warning[512] = "";
	struct parse_opts po = {
	    .url = r->effective_url,
	    .content_type = r->content_type,
	    .charset = src->charset,
	    .zone = src->zone,
	    .date_format = src->date_format,
	};
	struct feed *f = parse_feed(r->body, r->len, &po, warning, sizeof warning);
	if (f == NULL) {
		snprintf(err, errlen, "%s", warning[0] ? warning : "not a feed");
		return 0;
	}
	if (warning[0] != '\0')
		log_warnx("source %s: %s: %s (kept %zu entr%s)", src->name, src->url, warning,
		          f->nentries, f->nentries == 1 ? "y" : "ies");
	size_t added = 0;
	int rc = store_commit_fetch(set->env.store, src->name, src->url, f, r->etag,
	                            r->last_modified, src->seen_at, &added);
	size_t n = f->nentries;
	feed_free(f);
	if (rc != 0) {
		snprintf(err, errlen, "storing %zu entries failed", n);
		set->counts.store_failed = 1;
		return 0;
	}
	src->n_new += added;
	set->counts.new_entries += added;
	*changed = 1;
	log_info("source %s: %zu entr%s, %zu new", src->name, n, n == 1 ? "y" : "ies", added);
	return 1;
}

void source_fetch_done_cb(void *ctx, const struct fetch_result *r)
{
	(void)ctx;
	struct source *src = r->userdata;
	struct source_set *set = src->set;
	src->in_flight = 0;
	int ok = 0, changed = 0;
	char err[512] = "";
	if (r->error == NULL)
		ok = source_take(src, r, &changed, err, sizeof err);

	int64_t now = (int64_t)time(NULL);
	struct store_poll_state *ps = &src->state;
	ps->last_attempt_at = src->poll_started;
	ps->last_status = r->status;
	free(ps->last_error);
	ps->last_error = NULL;
	if (ok) {
		ps->failures = 0;
		ps->last_ok_at = now;
		ps->retry_until = FEED_TIME_NONE;
		src->n_ok++;
		set->counts.ok++;
	} else {
		ps->failures++;
		ps->retry_until = sched_retry_until(now, r->error != NULL ? r->retry_after_s : 0);
		ps->last_error = xstrdup(r->error != NULL ? r->error : err);
		src->n_failed++;
		set->counts.failed++;
	}
	ps->next_due_at = source_next_due_at(src);

	/* One line per failed poll: "fetch URL" when the transfer failed, just "URL" when what
	 * came back could not be used. */
	char retry[64] = "";
	if (!ok && !set->env.once) {
		char when[32];
		sched_format_delay(ps->next_due_at - now, when, sizeof when);
		snprintf(retry, sizeof retry, ", retry in %s", when);
	}
	if (r->error != NULL)
		log_warnx("source %s: fetch %s: %s%s", src->name, r->url, r->error, retry);
	else if (!ok)
		log_warnx("source %s: %s: %s%s", src->name, src->url, err, retry);

	if (store_set_poll_state(set->env.store, src->name, ps) != 0)
		set->counts.store_failed = 1;
	if (set->started && src->enabled)
		source_arm(src, ps->next_due_at, now);
	set->env.polled(set->env.ctx, src, changed);
}

/* --- the set ------------------------------------------------------------------------------- */

static void source_prune(struct source_set *set, int64_t now)
{
	size_t n = 0;
	if (store_prune_removed(set->env.store, now - set->removed_keep_s, &n) == 0 && n > 0)
		log_info("pruned %zu source%s removed more than removed_keep ago", n,
		         n == 1 ? "" : "s");
}

static void source_prune_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct source_set *set = w->data;
	source_prune(set, (int64_t)time(NULL));
}

struct source_set *source_set_new(const struct source_env *env)
{
	struct source_set *set = xcalloc(1, sizeof *set);
	set->env = *env;
	set->started_at = (int64_t)time(NULL);
	ev_timer_init(&set->prune_timer, source_prune_cb, SOURCE_PRUNE_EVERY_S,
	              SOURCE_PRUNE_EVERY_S);
	set->prune_timer.data = set;
	return set;
}

void source_set_free(struct source_set *set)
{
	if (set == NULL)
		return;
	ev_timer_stop(set->env.loop, &set->prune_timer);
	for (size_t i = 0; i < set->n; i++)
		source_free(set->v[i]);
	free(set->v);
	free(set);
}

struct source *source_find(const struct source_set *set, const char *name)
{
	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->v[i]->name, name) == 0)
			return set->v[i];
	return NULL;
}

size_t source_set_size(const struct source_set *set)
{
	return set->n;
}

size_t source_set_paused(const struct source_set *set)
{
	size_t n = 0;
	for (size_t i = 0; i < set->n; i++)
		n += !set->v[i]->enabled;
	return n;
}

void source_set_counts(const struct source_set *set, struct source_counts *out)
{
	*out = set->counts;
}

/* Arms the timers of the sources in v[0..n): those due later at their time, those overdue
 * (or never polled) spread over startup_spread in config order. */
static int64_t source_start_due_at(struct source *src)
{
	if (!src->added)
		return source_next_due_at(src);
	src->added = 0;
	return src->state.retry_until;
}

static void source_arm_spread(struct source_set *set, struct source **v, size_t n, int64_t now)
{
	size_t noverdue = 0, i_overdue = 0;
	int64_t *due_at = xcalloc(n ? n : 1, sizeof *due_at);
	for (size_t i = 0; i < n; i++) {
		due_at[i] = source_start_due_at(v[i]);
		noverdue += due_at[i] == FEED_TIME_NONE || due_at[i] <= now;
	}
	for (size_t i = 0; i < n; i++) {
		struct source *src = v[i];
		int64_t due = due_at[i];
		if (due == FEED_TIME_NONE || due <= now)
			sched_timer_in(&src->timer, sched_spread_delay_s(i_overdue++, noverdue,
			                                                 set->startup_spread_s));
		else
			source_arm(src, due, now);
	}
	free(due_at);
}

/* Forgets src's transfer in flight (its result would belong to the old settings). */
static void source_abort(struct source *src)
{
	if (src->in_flight) {
		fetch_cancel(src->set->env.fetcher, src);
		src->in_flight = 0;
	}
}

size_t source_set_apply(struct source_set *set, const struct config *c, int64_t now)
{
	int first = !set->applied;
	set->applied = 1;
	size_t nchanges = 0;
	set->startup_spread_s = c->startup_spread_s;
	set->removed_keep_s = c->removed_keep_s;
	struct source **v = xcalloc(c->nsources ? c->nsources : 1, sizeof *v);
	/* Sources whose schedule must be worked out again, and which need their stored state. */
	struct source **rearm = xcalloc(c->nsources ? c->nsources : 1, sizeof *rearm);
	int *load = xcalloc(c->nsources ? c->nsources : 1, sizeof *load);
	size_t nrearm = 0;
	for (size_t i = 0; i < set->n; i++)
		set->v[i]->taken = 0;

	for (size_t i = 0; i < c->nsources; i++) {
		const struct source_conf *sc = &c->sources[i];
		struct source *src = source_find(set, sc->name);
		if (src == NULL) {
			src = source_new(set, sc);
			load[i] = 1;
			if (!first) {
				log_info("reload: source %s added", src->name);
				src->added = 1;
				nchanges++;
			}
			if (src->enabled)
				rearm[nrearm++] = src;
			else
				log_info("source %s: paused (enabled = no)", src->name);
		} else {
			char changed[256];
			int url_changed;
			int64_t old_interval = src->interval_s;
			int was_enabled = src->enabled;
			source_take_settings(src, sc, changed, sizeof changed, &url_changed);
			if (changed[0] != '\0') {
				log_info("reload: source %s changed: %s", src->name, changed);
				nchanges++;
			}
			if (url_changed) {
				/* A new URL is a new feed: no validators, no backoff. */
				source_abort(src);
				store_poll_state_clear(&src->state);
				load[i] = 1;
			}
			if (!src->enabled) {
				source_abort(src);
				sched_timer_stop(&src->timer);
			} else if (url_changed || !was_enabled || old_interval != src->interval_s) {
				if (!src->in_flight)
					rearm[nrearm++] = src;
			}
		}
		src->taken = 1;
		v[i] = src;
	}
	for (size_t i = 0; i < set->n; i++) {
		struct source *src = set->v[i];
		if (src->taken)
			continue;
		log_info("reload: source %s removed%s", src->name,
		         src->in_flight ? "; its transfer in flight aborted" : "");
		nchanges++;
		source_free(src);
	}
	free(set->v);
	set->v = v;
	set->n = c->nsources;

	struct store_source *list = xcalloc(set->n ? set->n : 1, sizeof *list);
	for (size_t i = 0; i < set->n; i++)
		list[i] = (struct store_source){v[i]->name, v[i]->url, v[i]->title};
	if (store_sync_sources(set->env.store, list, set->n, now) != 0)
		set->counts.store_failed = 1;
	free(list);
	/* After the sync, which cleared the state of a source whose URL changed. */
	for (size_t i = 0; i < set->n; i++)
		if (load[i] && store_get_poll_state(set->env.store, v[i]->name, &v[i]->state) != 0)
			set->counts.store_failed = 1;
	source_prune(set, now);
	if (set->started)
		source_arm_spread(set, rearm, nrearm, now);
	free(rearm);
	free(load);
	return nchanges;
}

void source_set_start(struct source_set *set, int64_t now)
{
	set->started = 1;
	struct source **v = xcalloc(set->n ? set->n : 1, sizeof *v);
	size_t n = 0;
	for (size_t i = 0; i < set->n; i++)
		if (set->v[i]->enabled)
			v[n++] = set->v[i];
	source_arm_spread(set, v, n, now);
	free(v);
	ev_timer_start(set->env.loop, &set->prune_timer);
}

size_t source_set_poll_all(struct source_set *set, int64_t now)
{
	size_t n = 0;
	/* Counted first: a transfer that cannot start is reported (and may end the round)
	 * from inside source_poll. */
	for (size_t i = 0; i < set->n; i++)
		n += set->v[i]->enabled != 0;
	for (size_t i = 0; i < set->n; i++)
		if (set->v[i]->enabled)
			source_poll(set->v[i], now, now);
	return n;
}
