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
#include <stdarg.h>
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
#include "url.h"
#include "util.h"

/* Pruning removed sources is housekeeping: once an hour is plenty. */
#define SOURCE_PRUNE_EVERY_S 3600.
/* Retention deletes this many entries per step, a step per loop pass at most every
 * SOURCE_RETENTION_STEP_S: the loop never waits long on it. */
#define SOURCE_RETENTION_BATCH 200
#define SOURCE_RETENTION_STEP_S 0.05

struct source {
	struct source_set *set; /* borrowed: the owner */
	/* Settings, copied from the config; all owned. */
	char *name;
	char *url;
	char *title;
	char *charset;
	char *timezone;
	char *date_format;
	char *user_agent; /* NULL: the global one */
	char *auth_file;
	char *userpwd;  /* from auth_file; never logged */
	char **headers; /* extra request headers */
	size_t nheaders;
	int64_t interval_s;
	int enabled;
	int tls_verify;
	struct date_zone *zone; /* owned; NULL: zone-less dates are UTC */
	/* State. */
	struct store_poll_state state; /* mirrors the store's row */
	int in_flight;
	int health_changed; /* a health event was recorded during this poll */
	int first_round;    /* the next poll is this process's first: seen_at = started_at */
	int64_t seen_at;    /* the round the transfer in flight belongs to */
	struct sched_timer timer;
	size_t taken; /* this apply: matched by the new config */
	/* Added by a reload: due within startup_spread, whatever its stored backoff (a
	 * server's Retry-After deadline still holds). */
	int added;
	size_t n_ok, n_failed, n_new;
	size_t n_not_modified, n_updated;
	int64_t n_bytes;
	size_t poll_new; /* entries the poll being finished added */
	uint64_t duration_buckets[SOURCE_DURATION_NBUCKETS + 1];
	double duration_sum_s;
	size_t max_entries; /* its newest this many entries are kept; 0: all */
	enum store_identity identity;
	int priority;
};

/* A host that answered 429 or 503 with Retry-After, with retry_after_scope = host: none of its
 * sources is asked before until. */
struct host_block {
	char *host; /* owned */
	int64_t until;
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
	/* The global scheduling policy (config keys of the same names). */
	int64_t min_interval_s, max_interval_s, max_backoff_s;
	unsigned confirm_redirects;
	int retry_after_host;
	struct host_block *blocks; /* owned */
	size_t nblocks;
	ev_timer prune_timer;
	ev_timer retention_step; /* a retention pass in progress, a batch at a time */
	unsigned keep_days;
	size_t retention_pruned; /* entries pruned by the pass in progress */
	struct source_counts counts;
	struct buf failed_names; /* `once`: the sources that failed, for the summary */
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
    {"user_agent", offsetof(struct source, user_agent)},
    {"auth_file", offsetof(struct source, auth_file)},
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
	if (strcmp(key, "user_agent") == 0)
		return sc->user_agent;
	if (strcmp(key, "auth_file") == 0)
		return sc->auth_file;
	return sc->date_format;
}

static void free_secret(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static int headers_differ(const struct source *src, const struct source_conf *sc)
{
	if (src->nheaders != sc->nheaders)
		return 1;
	for (size_t i = 0; i < sc->nheaders; i++)
		if (strcmp(src->headers[i], sc->headers[i]) != 0)
			return 1;
	return 0;
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
	if (src->priority != sc->priority) {
		if (src->tls_verify >= 0)
			NOTE("priority");
		src->priority = sc->priority;
	}
	if (src->max_entries != sc->max_entries) {
		if (src->tls_verify >= 0) /* not a new source */
			NOTE("max_entries");
		src->max_entries = sc->max_entries;
	}
	if (src->identity != (enum store_identity)sc->identity) {
		if (src->tls_verify >= 0)
			NOTE("identity");
		src->identity = (enum store_identity)sc->identity;
	}
	if (src->tls_verify != sc->tls_verify) {
		NOTE("tls_verify");
		src->tls_verify = sc->tls_verify;
	}
	if (headers_differ(src, sc)) {
		NOTE("headers");
		for (size_t i = 0; i < src->nheaders; i++)
			free(src->headers[i]);
		free(src->headers);
		src->headers = sc->nheaders ? xcalloc(sc->nheaders, sizeof *src->headers) : NULL;
		for (size_t i = 0; i < sc->nheaders; i++)
			src->headers[i] = xstrdup(sc->headers[i]);
		src->nheaders = sc->nheaders;
	}
	if (str_differs(src->userpwd, sc->userpwd)) {
		/* The file's contents changed: named by its key, never shown. */
		if (strstr(changed, "auth_file") == NULL)
			NOTE("auth_file (its contents)");
		free_secret(src->userpwd);
		src->userpwd = xstrdup_or_null(sc->userpwd);
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
	src->tls_verify = -1;
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
	for (size_t i = 0; i < src->nheaders; i++)
		free(src->headers[i]);
	free(src->headers);
	free_secret(src->userpwd);
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

/* The URL polled: the one adopted after a confirmed permanent redirect, else the configured. */
static const char *source_fetch_url(const struct source *src)
{
	return src->state.adopted_url != NULL ? src->state.adopted_url : src->url;
}

static int64_t source_interval_s(const struct source *src)
{
	const struct source_set *set = src->set;
	return sched_effective_interval_s(src->interval_s, src->state.hint_s, set->min_interval_s,
	                                  set->max_interval_s);
}

static int64_t source_next_due_at(const struct source *src)
{
	const struct store_poll_state *ps = &src->state;
	struct sched_input in = {
	    .name = src->name,
	    .interval_s = source_interval_s(src),
	    .max_backoff_s = src->set->max_backoff_s,
	    .failures = ps->failures,
	    .retry_soon = ps->retry_soon,
	    .last_attempt_at = ps->last_attempt_at,
	    .retry_until = ps->retry_until,
	    .skip_hours = ps->skip_hours,
	    .skip_days = ps->skip_days,
	};
	return sched_next_due_at(&in);
}

/* When src's host is blocked by a Retry-After (retry_after_scope = host): until when, else
 * FEED_TIME_NONE. Expired blocks are forgotten on the way. */
static int64_t source_host_blocked_until(struct source_set *set, const char *host, int64_t now)
{
	int64_t until = FEED_TIME_NONE;
	for (size_t i = 0; i < set->nblocks;) {
		if (set->blocks[i].until <= now) {
			free(set->blocks[i].host);
			set->blocks[i] = set->blocks[--set->nblocks];
			continue;
		}
		if (host != NULL && strcmp(set->blocks[i].host, host) == 0)
			until = set->blocks[i].until;
		i++;
	}
	return until;
}

static void source_host_block(struct source_set *set, const char *host, int64_t until)
{
	for (size_t i = 0; i < set->nblocks; i++)
		if (strcmp(set->blocks[i].host, host) == 0) {
			if (until > set->blocks[i].until)
				set->blocks[i].until = until;
			return;
		}
	set->blocks = xreallocarray(set->blocks, set->nblocks + 1, sizeof *set->blocks);
	set->blocks[set->nblocks++] = (struct host_block){xstrdup(host), until};
}

/* Arms src's timer for due_at (FEED_TIME_NONE or past: at once). */
static void source_arm(struct source *src, int64_t due_at, int64_t now)
{
	double delay = due_at == FEED_TIME_NONE || due_at <= now ? 0. : (double)(due_at - now);
	sched_timer_in(&src->timer, delay);
}

static void source_poll(struct source *src, int64_t seen_at)
{
	struct source_set *set = src->set;
	const char *url = source_fetch_url(src);
	char *etag = NULL, *last_modified = NULL;
	if (store_get_validators(set->env.store, src->name, url, &etag, &last_modified) != 0)
		etag = last_modified = NULL;
	struct fetch_request req = {
	    .url = url,
	    .etag = etag,
	    .last_modified = last_modified,
	    .user_agent = src->user_agent,
	    .headers = (const char *const *)src->headers,
	    .nheaders = src->nheaders,
	    .userpwd = src->userpwd,
	    .tls_verify = src->tls_verify,
	    .userdata = src,
	};
	src->in_flight = 1;
	src->first_round = 0;
	src->seen_at = seen_at;
	/* Last: a transfer that cannot even start is reported from inside fetch_start. */
	fetch_start(set->env.fetcher, &req);
	free(etag);
	free(last_modified);
}

static void source_due_cb(struct sched_timer *t, void *data)
{
	(void)t;
	struct source *src = data;
	struct source_set *set = src->set;
	if (src->in_flight || !src->enabled || src->state.gone_since != FEED_TIME_NONE)
		return;
	int64_t now = (int64_t)time(NULL);
	if (set->nblocks > 0) {
		char *host = url_host_dup(source_fetch_url(src));
		int64_t until = source_host_blocked_until(set, host, now);
		free(host);
		if (until != FEED_TIME_NONE) {
			log_debug("source %s: its host asked to wait until %lld", src->name,
			          (long long)until);
			source_arm(src, until, now);
			return;
		}
	}
	source_poll(src, src->first_round ? set->started_at : now);
}

/* The feed's own polling hint: the longest of its ttl, its sy:updatePeriod and the
 * response's max-age; -1 when none says anything. */
static int64_t feed_hint_s(const struct feed *f, int64_t max_age_s)
{
	int64_t h = max_age_s;
	if (f != NULL && f->ttl_s > h)
		h = f->ttl_s;
	if (f != NULL && f->update_period_s > h)
		h = f->update_period_s;
	return h;
}

/* Parses and stores a fetched document. Returns 1 when the poll counts as ok; 0 when it failed,
 * with the one-line reason in err. Sets *changed when the store took something. */
static int source_take(struct source *src, const struct fetch_result *r, int *changed, char *err,
                       size_t errlen)
{
	struct source_set *set = src->set;
	struct store_poll_state *ps = &src->state;
	*changed = 0;
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
	char *url = url_public_dup(source_fetch_url(src));
	if (warning[0] != '\0')
		log_warnx("source %s: %s: %s (kept %zu entr%s)", src->name, url, warning,
		          f->nentries, f->nentries == 1 ? "y" : "ies");
	free(url);
	size_t added = 0;
	struct store_commit_counts cc;
	int rc = store_commit_fetch(set->env.store, src->name, source_fetch_url(src), f, r->etag,
	                            r->last_modified, src->seen_at, src->identity, &added, &cc);
	size_t n = f->nentries;
	ps->hint_s = feed_hint_s(f, r->max_age_s);
	ps->skip_hours = f->skip_hours;
	ps->skip_days = f->skip_days;
	feed_free(f);
	if (rc != 0) {
		snprintf(err, errlen, "storing %zu entries failed", n);
		set->counts.store_failed = 1;
		return 0;
	}
	ps->entries_seen = (int64_t)n;
	src->n_new += added;
	src->n_updated += cc.updated;
	src->poll_new = added;
	set->counts.new_entries += added;
	*changed = 1;
	char more[96] = "";
	if (cc.updated > 0 && cc.taken_over > 0)
		snprintf(more, sizeof more, ", %zu updated, %zu taken over", cc.updated,
		         cc.taken_over);
	else if (cc.updated > 0)
		snprintf(more, sizeof more, ", %zu updated", cc.updated);
	else if (cc.taken_over > 0)
		snprintf(more, sizeof more, ", %zu taken over", cc.taken_over);
	log_info("source %s: %zu entr%s, %zu new%s", src->name, n, n == 1 ? "y" : "ies", added,
	         more);
	return 1;
}

/* The class of a failed poll, as the status and the database name it. */
static const char *error_class_name(const struct fetch_result *r)
{
	if (r->error == NULL)
		return "parse";
	if (r->status == 410)
		return "gone";
	if (r->bot_wall)
		return "blocked";
	switch (r->error_class) {
	case FETCH_ERR_DNS:
		return "dns";
	case FETCH_ERR_CONNECT:
		return "connect";
	case FETCH_ERR_TIMEOUT:
		return "timeout";
	case FETCH_ERR_TLS:
		return "tls";
	case FETCH_ERR_HTTP:
		return "http";
	case FETCH_ERR_TOO_BIG:
		return "too big";
	case FETCH_ERR_REDIRECT:
		return "redirect";
	case FETCH_OK:
	case FETCH_ERR_OTHER:
		break;
	}
	return "other";
}

const double source_duration_bounds_s[SOURCE_DURATION_NBUCKETS] = {0.1, 0.25, 0.5, 1, 2.5,
                                                                   5,   10,   30,  60};

/* Counts a finished transfer in src's figures for /metrics and its day in the store. */
static void source_count_poll(struct source *src, const struct fetch_result *r, int ok,
                              int unchanged, int64_t now, int store_ok)
{
	size_t b = 0;
	while (b < SOURCE_DURATION_NBUCKETS && r->duration_s > source_duration_bounds_s[b])
		b++;
	src->duration_buckets[b]++;
	src->duration_sum_s += r->duration_s;
	src->n_bytes += r->bytes_received;
	if (ok && unchanged)
		src->n_not_modified++;
	struct store_poll_sample sample = {ok, unchanged, src->poll_new,
	                                   (int64_t)(r->duration_s * 1000.0 + 0.5)};
	src->poll_new = 0;
	if (store_ok)
		store_note_poll(src->set->env.store, src->name, now, &sample);
}

void source_set_writes_lost(struct source_set *set)
{
	set->counts.store_failed = 1;
	for (size_t i = 0; i < set->n; i++)
		store_get_poll_state(set->env.store, set->v[i]->name, &set->v[i]->state);
}

size_t source_set_stats(const struct source_set *set, struct source_stats *out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < set->n && n < max; i++) {
		const struct source *src = set->v[i];
		struct source_stats *st = &out[n++];
		memset(st, 0, sizeof *st);
		st->name = src->name;
		st->enabled = src->enabled;
		st->fetches_ok = src->n_ok;
		st->fetches_not_modified = src->n_not_modified;
		st->fetches_failed = src->n_failed;
		st->entries_new = src->n_new;
		st->entries_updated = src->n_updated;
		st->bytes = src->n_bytes;
		st->last_ok_at = src->state.last_ok_at;
		st->last_status = src->state.last_status;
		st->failures = src->state.failures;
		memcpy(st->duration_buckets, src->duration_buckets, sizeof st->duration_buckets);
		st->duration_sum_s = src->duration_sum_s;
	}
	return n;
}

/* Events kept for the health feed. */
#define SOURCE_HEALTH_KEEP 500

/* Records a change of src's state for the health feed; the next render publishes it. */
static void source_health(struct source *src, int64_t now, const char *state, const char *fmt, ...)
    LOG_PRINTF(4, 5);
static void source_health(struct source *src, int64_t now, const char *state, const char *fmt, ...)
{
	char detail[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	if (store_add_health_event(src->set->env.store, src->name, now, state, detail,
	                           SOURCE_HEALTH_KEEP) == 0)
		src->health_changed = 1;
}

/* Follows a permanent redirect over polls: adopted after confirm_redirects in a row. */
static void source_note_redirect(struct source *src, const struct fetch_result *r, int64_t now)
{
	struct store_poll_state *ps = &src->state;
	if (!r->permanent_redirect || r->effective_url == NULL) {
		free(ps->redirect_url);
		ps->redirect_url = NULL;
		ps->redirect_polls = 0;
		return;
	}
	if (ps->redirect_url != NULL && strcmp(ps->redirect_url, r->effective_url) == 0) {
		ps->redirect_polls++;
	} else {
		free(ps->redirect_url);
		ps->redirect_url = xstrdup(r->effective_url);
		ps->redirect_polls = 1;
	}
	if (ps->redirect_polls < src->set->confirm_redirects)
		return;
	char *from = url_public_dup(source_fetch_url(src));
	char *to = url_public_dup(ps->redirect_url);
	log_warnx("source %s: %s moved permanently to %s (%u polls in a row): polling the new "
	          "url from now on; update the source's url in the config",
	          src->name, from, to, ps->redirect_polls);
	source_health(src, now, "moved", "%s moved permanently to %s", from, to);
	free(from);
	free(to);
	free(ps->adopted_url);
	ps->adopted_url = ps->redirect_url;
	ps->adopted_at = now;
	ps->redirect_url = NULL;
	ps->redirect_polls = 0;
}

/* `once`: remembers a failed source's name for the summary line. */
static void note_failed_name(struct source_set *set, const char *name)
{
	if (!set->env.once)
		return;
	if (set->counts.failed <= 20)
		buf_printf(&set->failed_names, "%s%s", set->failed_names.len ? ", " : "", name);
	else if (set->counts.failed == 21)
		buf_puts(&set->failed_names, ", ...");
}

void source_fetch_done_cb(void *ctx, const struct fetch_result *r)
{
	(void)ctx;
	struct source *src = r->userdata;
	struct source_set *set = src->set;
	struct store_poll_state *ps = &src->state;
	src->in_flight = 0;
	/* This poll's writes join the open batch (the daemon commits it: daemon.c). */
	store_batch_begin(set->env.store);
	int64_t now = (int64_t)time(NULL);
	int ok = 0, changed = 0, unchanged = 0;
	char err[512] = "";
	if (r->error == NULL && r->not_modified) {
		ok = unchanged = 1;
		if (r->max_age_s > ps->hint_s)
			ps->hint_s = r->max_age_s;
		log_debug("source %s: not modified", src->name);
	} else if (r->error == NULL) {
		uint64_t h = hash64_wide(r->body, r->len);
		if (ps->has_body_hash && ps->body_hash == h) {
			/* The server ignored the conditional request; the bytes say the same. */
			ok = unchanged = 1;
			log_debug("source %s: unchanged (the same body as last time)", src->name);
		} else {
			ok = source_take(src, r, &changed, err, sizeof err);
			ps->has_body_hash = ok;
			ps->body_hash = h;
		}
	}

	unsigned prev_failures = ps->failures;
	char *prev_class = ps->error_class;
	long prev_status = ps->last_status;
	ps->error_class = NULL;
	/* The next poll counts from the end of this one: a transfer that waited in its host's
	 * queue, or took long, does not shorten the interval. */
	ps->last_attempt_at = now;
	ps->last_status = r->status;
	free(ps->last_error);
	ps->last_error = NULL;
	if (ok) {
		source_note_redirect(src, r, now);
		if (prev_failures > 0) {
			log_info("source %s: recovered after %u failed poll%s", src->name,
			         prev_failures, prev_failures == 1 ? "" : "s");
			source_health(src, now, "recovered", "recovered after %u failed poll%s",
			              prev_failures, prev_failures == 1 ? "" : "s");
		}
		ps->failures = 0;
		ps->retry_soon = 0;
		ps->last_ok_at = now;
		ps->retry_until = FEED_TIME_NONE;
		src->n_ok++;
		set->counts.ok++;
	} else {
		ps->failures++;
		ps->error_class = xstrdup(error_class_name(r));
		ps->retry_soon = r->error != NULL && r->early_retry_ok && ps->failures == 1;
		ps->retry_until = sched_retry_until(now, r->error != NULL ? r->retry_after_s : 0);
		ps->last_error = xstrdup(r->error != NULL ? r->error : err);
		if (r->bot_wall) {
			free(ps->last_error);
			ps->last_error = xasprintf("blocked (bot protection): %s", r->error);
		}
		if (r->status == 410)
			ps->gone_since = now;
		if (ps->retry_until != FEED_TIME_NONE && set->retry_after_host) {
			char *host = url_host_dup(source_fetch_url(src));
			if (host != NULL)
				source_host_block(set, host, ps->retry_until);
			free(host);
		}
		src->n_failed++;
		set->counts.failed++;
		note_failed_name(set, src->name);
	}
	ps->next_due_at =
	    ps->gone_since != FEED_TIME_NONE ? FEED_TIME_NONE : source_next_due_at(src);

	if (!ok) {
		/* One line when a source starts failing, or fails differently; the same failure
		 * again is only a debug line. */
		int same = prev_failures > 0 && prev_class != NULL &&
		           strcmp(prev_class, ps->error_class) == 0 && prev_status == r->status;
		char retry[96] = "";
		if (ps->gone_since != FEED_TIME_NONE)
			snprintf(
			    retry, sizeof retry,
			    ": gone, polling stopped (change its url, or pause and resume it)");
		else if (!set->env.once) {
			char when[32];
			sched_format_delay(ps->next_due_at - now, when, sizeof when);
			snprintf(retry, sizeof retry, ", retry in %s", when);
		}
		char *url = url_public_dup(r->error != NULL ? r->url : source_fetch_url(src));
		const char *what = ps->last_error;
		if (same)
			log_debug("source %s: %s%s: %s%s (failure %u)", src->name,
			          r->error != NULL ? "fetch " : "", url, what, retry, ps->failures);
		else {
			log_warnx("source %s: %s%s: %s%s", src->name,
			          r->error != NULL ? "fetch " : "", url, what, retry);
			source_health(src, now,
			              ps->gone_since != FEED_TIME_NONE ? "gone"
			              : r->bot_wall                    ? "blocked"
			                                               : "failing",
			              "%s%s: %s%s", r->error != NULL ? "fetch " : "", url, what,
			              retry);
		}
		free(url);
	}
	free(prev_class);

	/* A poll that brought nothing new is one write: its validators and its state together. */
	int stored =
	    (unchanged ? store_record_unchanged(set->env.store, src->name, source_fetch_url(src),
	                                        r->etag, r->last_modified, now, ps)
	               : store_set_poll_state(set->env.store, src->name, ps)) == 0;
	if (!stored)
		set->counts.store_failed = 1;
	/* The day's history after the state, and only when that was written: with the
	 * database locked by another process, one wait for SQLite's busy timeout a poll, not
	 * two. */
	source_count_poll(src, r, ok, unchanged, now, stored);
	if (set->started && src->enabled && ps->gone_since == FEED_TIME_NONE)
		source_arm(src, ps->next_due_at, now);
	set->env.polled(set->env.ctx, src, changed || src->health_changed);
	src->health_changed = 0;
}

/* --- the set ------------------------------------------------------------------------------- */

static void source_prune(struct source_set *set, int64_t now)
{
	size_t n = 0;
	if (store_prune_removed(set->env.store, now - set->removed_keep_s, &n) == 0 && n > 0)
		log_info("pruned %zu source%s removed more than removed_keep ago", n,
		         n == 1 ? "" : "s");
}

/* One batch of the retention pass (keep_days, max_entries); the next from the loop. */
/* One batch of retention; returns whether more remain. */
static int source_retention_batch(struct source_set *set)
{
	int64_t now = (int64_t)time(NULL);
	const char **names = xcalloc(set->n ? set->n : 1, sizeof *names);
	size_t *max = xcalloc(set->n ? set->n : 1, sizeof *max);
	size_t nlimits = 0;
	for (size_t i = 0; i < set->n; i++)
		if (set->v[i]->max_entries > 0) {
			names[nlimits] = set->v[i]->name;
			max[nlimits++] = set->v[i]->max_entries;
		}
	int64_t keep_s = (int64_t)set->keep_days * 86400;
	struct store_retention r = {
	    .now = now,
	    .older_than = set->keep_days > 0 ? now - keep_s : FEED_TIME_NONE,
	    .names = names,
	    .max_entries = max,
	    .nlimits = nlimits,
	    /* A feed that still lists a story a year after it was pruned is rare. */
	    .tombstones_before = set->keep_days > 0 ? now - keep_s : FEED_TIME_NONE,
	};
	size_t pruned = 0;
	int more = 0;
	if (store_prune_entries(set->env.store, &r, SOURCE_RETENTION_BATCH, &pruned, &more) != 0)
		more = 0;
	free(names);
	free(max);
	set->retention_pruned += pruned;
	return more;
}

/* Says what a finished retention pass pruned. */
static void source_retention_done(struct source_set *set)
{
	if (set->retention_pruned > 0) {
		log_info("pruned %zu entr%s (keep_days %u, max_entries)", set->retention_pruned,
		         set->retention_pruned == 1 ? "y" : "ies", set->keep_days);
		if (set->env.pruned != NULL)
			set->env.pruned(set->env.ctx);
	}
	set->retention_pruned = 0;
}

static void source_retention_step_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)revents;
	struct source_set *set = w->data;
	if (source_retention_batch(set)) {
		ev_timer_set(w, SOURCE_RETENTION_STEP_S, 0.);
		ev_timer_start(loop, w);
		return;
	}
	source_retention_done(set);
}

void source_set_retention_now(struct source_set *set)
{
	set->retention_pruned = 0;
	/* Bounded: each batch deletes what it finds, and nothing adds entries meanwhile. */
	for (int i = 0; i < 100000 && source_retention_batch(set); i++)
		;
	source_retention_done(set);
}

/* Starts a retention pass unless one is running. */
static void source_retention_start(struct source_set *set)
{
	if (ev_is_active(&set->retention_step))
		return;
	set->retention_pruned = 0;
	ev_timer_set(&set->retention_step, 0., 0.);
	ev_timer_start(set->env.loop, &set->retention_step);
}

static void source_prune_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct source_set *set = w->data;
	source_prune(set, (int64_t)time(NULL));
	source_retention_start(set);
}

struct source_set *source_set_new(const struct source_env *env)
{
	struct source_set *set = xcalloc(1, sizeof *set);
	set->env = *env;
	set->started_at = (int64_t)time(NULL);
	ev_timer_init(&set->prune_timer, source_prune_cb, SOURCE_PRUNE_EVERY_S,
	              SOURCE_PRUNE_EVERY_S);
	set->prune_timer.data = set;
	ev_timer_init(&set->retention_step, source_retention_step_cb, 0., 0.);
	set->retention_step.data = set;
	buf_init(&set->failed_names, 4096);
	return set;
}

void source_set_free(struct source_set *set)
{
	if (set == NULL)
		return;
	ev_timer_stop(set->env.loop, &set->prune_timer);
	ev_timer_stop(set->env.loop, &set->retention_step);
	for (size_t i = 0; i < set->n; i++)
		source_free(set->v[i]);
	free(set->v);
	for (size_t i = 0; i < set->nblocks; i++)
		free(set->blocks[i].host);
	free(set->blocks);
	buf_free(&set->failed_names);
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
	out->failed_names = set->failed_names.data != NULL ? set->failed_names.data : "";
}

size_t source_set_failing(const struct source_set *set)
{
	size_t n = 0;
	for (size_t i = 0; i < set->n; i++)
		n += set->v[i]->enabled && set->v[i]->state.failures > 0;
	return n;
}

int source_set_summary(const struct source_set *set, size_t i, struct source_summary *out)
{
	if (i >= set->n)
		return -1;
	const struct source *src = set->v[i];
	*out = (struct source_summary){
	    .name = src->name,
	    .last_error = src->state.last_error,
	    .enabled = src->enabled,
	    .ok = src->n_ok,
	    .failed = src->n_failed,
	    .new_entries = src->n_new,
	    .last_status = src->state.last_status,
	};
	return 0;
}

/* Polling stopped after a 410 Gone: said at start-up, not armed. */
static int source_is_gone(const struct source *src)
{
	return src->state.gone_since != FEED_TIME_NONE;
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
	int policy_changed = set->min_interval_s != c->min_interval_s ||
	                     set->max_interval_s != c->max_interval_s ||
	                     set->max_backoff_s != c->max_backoff_s;
	set->startup_spread_s = c->startup_spread_s;
	set->removed_keep_s = c->removed_keep_s;
	set->min_interval_s = c->min_interval_s;
	set->max_interval_s = c->max_interval_s;
	set->max_backoff_s = c->max_backoff_s;
	set->confirm_redirects = c->confirm_redirects;
	set->retry_after_host = c->retry_after_host;
	set->keep_days = c->keep_days;
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
			} else if (strstr(changed, "charset") || strstr(changed, "timezone") ||
			           strstr(changed, "date_format")) {
				/* The same bytes now parse differently. */
				src->state.has_body_hash = 0;
			}
			if (src->enabled && !was_enabled && source_is_gone(src)) {
				/* Paused and resumed: the operator asks to try a 410 again. */
				log_info("source %s: resumed after HTTP 410 Gone: polling again",
				         src->name);
				src->state.gone_since = FEED_TIME_NONE;
				src->state.failures = 0;
				if (store_set_poll_state(set->env.store, src->name, &src->state) !=
				    0)
					set->counts.store_failed = 1;
			}
			if (!src->enabled) {
				source_abort(src);
				sched_timer_stop(&src->timer);
			} else if (url_changed || !was_enabled || old_interval != src->interval_s ||
			           policy_changed) {
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
		list[i] = (struct store_source){v[i]->name, v[i]->url, v[i]->title, v[i]->priority};
	if (store_sync_sources(set->env.store, list, set->n, now) != 0)
		set->counts.store_failed = 1;
	free(list);
	/* After the sync, which cleared the state of a source whose URL changed. */
	for (size_t i = 0; i < set->n; i++) {
		if (!load[i])
			continue;
		if (store_get_poll_state(set->env.store, v[i]->name, &v[i]->state) != 0)
			set->counts.store_failed = 1;
		if (source_is_gone(v[i]) && v[i]->enabled) {
			char since[DATE_ISO_SIZE];
			date_format_iso(v[i]->state.gone_since, since);
			log_warnx(
			    "source %s: gone since %s (HTTP 410): not polled; change its url, "
			    "or pause and resume it, to poll it again",
			    v[i]->name, since);
		}
	}
	source_prune(set, now);
	/* Gone sources stay unarmed. */
	size_t k = 0;
	for (size_t i = 0; i < nrearm; i++)
		if (!source_is_gone(rearm[i]))
			rearm[k++] = rearm[i];
	nrearm = k;
	if (set->started) {
		source_arm_spread(set, rearm, nrearm, now);
		/* keep_days or max_entries may have changed: apply them now, not in an hour. */
		source_retention_start(set);
	}
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
		if (set->v[i]->enabled && !source_is_gone(set->v[i]))
			v[n++] = set->v[i];
	source_arm_spread(set, v, n, now);
	free(v);
	ev_timer_start(set->env.loop, &set->prune_timer);
	source_retention_start(set);
}

size_t source_set_poll_all(struct source_set *set, int64_t now)
{
	size_t n = 0;
	/* Counted first: a transfer that cannot start is reported (and may end the round)
	 * from inside source_poll. */
	for (size_t i = 0; i < set->n; i++)
		n += set->v[i]->enabled && !source_is_gone(set->v[i]);
	for (size_t i = 0; i < set->n; i++)
		if (set->v[i]->enabled && !source_is_gone(set->v[i]))
			source_poll(set->v[i], now);
	return n;
}
