/* Glue between the listener and what the operator asks: the figures come from the sources
 * (counters since start) and the store (state, history, sizes); metrics.c and status.c format
 * them. Rendered per request, with Cache-Control: no-store: they are live, small, and asked
 * for every few seconds at most. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "feed.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "source.h"
#include "status.h"
#include "store.h"
#include "util.h"

struct admin {
	struct store *store;        /* borrowed */
	struct source_set *sources; /* borrowed */
	int64_t started_at;
	char *body; /* owned: the last reply's bytes, valid until the next request */
	char msg[320];
};

struct admin *admin_new(struct store *store, struct source_set *sources, int64_t started_at)
{
	struct admin *a = xcalloc(1, sizeof *a);
	a->store = store;
	a->sources = sources;
	a->started_at = started_at;
	return a;
}

void admin_free(struct admin *a)
{
	if (a == NULL)
		return;
	free(a->body);
	free(a);
}

static void reply_body(struct admin *a, struct http_reply *reply, unsigned status, const char *type,
                       char *body, size_t len)
{
	free(a->body);
	a->body = body;
	reply->status = status;
	reply->content_type = type;
	reply->body = body;
	reply->len = len;
	reply->cache_control = "no-store";
}

/* The figures of every source, as configured, and whether each is polled. */
static struct source_stats *admin_stats(struct admin *a, size_t *n)
{
	size_t max = source_set_size(a->sources);
	struct source_stats *st = xcalloc(max ? max : 1, sizeof *st);
	*n = source_set_stats(a->sources, st, max);
	return st;
}

static void admin_healthz(struct admin *a, struct http_reply *reply)
{
	const char *why = store_failing(a->store);
	if (why == NULL) {
		reply_body(a, reply, 200, "text/plain; charset=utf-8", xstrdup("ok\n"), 3);
		return;
	}
	char *body = xasprintf("database not writable: %s\n", why);
	reply_body(a, reply, 503, "text/plain; charset=utf-8", body, strlen(body));
}

static void admin_metrics(struct admin *a, struct http_reply *reply)
{
	size_t n;
	struct source_stats *st = admin_stats(a, &n);
	struct metrics_global g = {.started_at = a->started_at,
	                           .db_writable = store_failing(a->store) == NULL};
	store_size(a->store, &g.db_bytes, &g.entries);
	struct store_checkpoint_stats cs;
	store_checkpoints(a->store, &cs);
	g.checkpoints = cs.runs;
	g.checkpoint_seconds = cs.seconds;
	size_t len;
	char *body = metrics_render(st, n, &g, &len);
	free(st);
	reply_body(a, reply, 200, "text/plain; version=0.0.4; charset=utf-8", body, len);
}

static void admin_status(struct admin *a, struct http_reply *reply, int json)
{
	int64_t now = (int64_t)time(NULL);
	struct store_status ss;
	if (store_load_status(a->store, now / 86400 - STATUS_DAYS + 1, &ss) != 0) {
		reply_body(a, reply, 503, "text/plain; charset=utf-8",
		           xstrdup("the database cannot be read\n"), 28);
		return;
	}
	/* Which are polled: the set knows (the database does not keep `enabled`). */
	size_t n;
	struct source_stats *st = admin_stats(a, &n);
	int *enabled = xcalloc(ss.nsources ? ss.nsources : 1, sizeof *enabled);
	for (size_t i = 0; i < ss.nsources; i++) {
		enabled[i] = 1;
		for (size_t k = 0; k < n; k++)
			if (strcmp(st[k].name, ss.sources[i].name) == 0)
				enabled[i] = st[k].enabled;
	}
	size_t len;
	char *body =
	    json ? status_json(&ss, enabled, now, &len) : status_html(&ss, enabled, now, &len);
	reply_body(a, reply, 200,
	           json ? "application/json; charset=utf-8" : "text/html; charset=utf-8", body,
	           len);
	free(enabled);
	free(st);
	store_status_free(&ss);
}

static void admin_handle_cb(void *data, const char *path, const struct http_request *req,
                            struct http_reply *reply)
{
	(void)req;
	struct admin *a = data;
	if (strcmp(path, "/healthz") == 0)
		admin_healthz(a, reply);
	else if (strcmp(path, "/metrics") == 0)
		admin_metrics(a, reply);
	else if (strcmp(path, "/status") == 0)
		admin_status(a, reply, 0);
	else if (strcmp(path, "/status.json") == 0)
		admin_status(a, reply, 1);
}

void admin_attach(struct admin *a, struct http_server *h, int health_only)
{
	http_add_handler(h, "/healthz", admin_handle_cb, a);
	if (health_only)
		return;
	http_add_handler(h, "/metrics", admin_handle_cb, a);
	http_add_handler(h, "/status", admin_handle_cb, a);
	http_add_handler(h, "/status.json", admin_handle_cb, a);
}

void admin_detach(struct admin *a, struct http_server *h)
{
	if (h != NULL)
		http_remove_handlers(h, a);
}
