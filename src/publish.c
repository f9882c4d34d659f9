/* Publishing: the table of outputs. The store's merged view is prepared once per batch of
 * changes (emit_doc: every entry sanitised once), rendered into every format of the table,
 * written to output_dir atomically (a reader never sees half a file) and handed to http.c.
 * The health feed is rendered in the same pass from the store's state changes. */
#include "autoconf.h"

#include <errno.h>
#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "date.h"
#include "emit.h"
#include "gzip.h"
#include "feed.h"
#include "http.h"
#include "log.h"
#include "publish.h"
#include "store.h"
#include "util.h"

/* One output: where it lives (under public_url, output_dir and the listener) and how it is
 * made. The HTML page is the site's front page: index.html on disk, "/" on the listener. */
struct publish_output {
	const char *path;
	const char *http_path;
	const char *content_type; /* as served */
	const char *media_type;   /* as linked */
	const char *title;        /* a subscribe link's name; NULL: not a feed */
	char *(*render)(const struct emit_doc *d, const char *self, size_t *len);
};

static const struct publish_output publish_outputs[] = {
    {"feed.atom", "/feed.atom", "application/atom+xml; charset=utf-8", "application/atom+xml",
     "Atom", emit_atom},
    {"feed.rss", "/feed.rss", "application/rss+xml; charset=utf-8", "application/rss+xml", "RSS",
     emit_rss},
    {"feed.json", "/feed.json", "application/feed+json; charset=utf-8", "application/feed+json",
     "JSON Feed", emit_json},
    {"index.html", "/", "text/html; charset=utf-8", "text/html", NULL, emit_html},
};
#define PUBLISH_NOUTPUTS (sizeof publish_outputs / sizeof publish_outputs[0])
#define PUBLISH_HEALTH_PATH "health.atom"
/* Events in the health feed. */
#define PUBLISH_HEALTH_EVENTS 100
/* Entries of an archive page (RFC 5005): page K holds the entries stored K-th hundred, by
 * entry id, whatever feed_size says, so a page's address never changes its meaning. */
#define PUBLISH_ARCHIVE_PAGE 100
/* The most entries a ?limit= may ask for. */
#define PUBLISH_LIMIT_MAX 1000
/* Dynamic documents (other limits, since, per-source views, archive pages) kept until the
 * next render. */
#define PUBLISH_CACHE_SLOTS 32

/* A dynamic document rendered for a request, kept for the next ones until a render. */
struct publish_cached {
	char *key;  /* owned: the path and the normalised parameters; NULL: free slot */
	char *body; /* owned */
	size_t len;
	char *gzip; /* owned; NULL: none */
	size_t gzip_len;
	const char *content_type; /* static */
	int64_t updated;
	uint64_t generation;
	uint64_t last_used;
};

/* A group of sources and its view of the merged feed. */
struct publish_view {
	char *name;     /* owned */
	char **sources; /* owned */
	size_t nsources;
};

struct publisher {
	struct ev_loop *loop; /* borrowed */
	ev_timer batch;       /* publish_soon's render, PUBLISH_BATCH_S after the first change */
	struct store *store;  /* borrowed */
	struct http_server *http; /* borrowed; NULL without a listener */
	char *output_dir;         /* owned; NULL: no static files */
	char *feed_title;         /* owned */
	char *feed_author;        /* owned */
	char *public_url;         /* owned */
	char *attribution;        /* owned */
	char *original_label;     /* owned; NULL: emit's default */
	char *also_label;         /* owned; NULL: emit's default */
	size_t feed_size;
	struct publish_view *views; /* owned: the groups */
	size_t nviews;
	char **source_names; /* owned: the configured sources (per-source views) */
	size_t nsources;
	int64_t max_entry_id; /* at the last render: which archive pages are complete */
	uint64_t generation;  /* renders so far: older cached documents are stale */
	uint64_t uses;        /* cache lookups, for least-recently-used replacement */
	struct publish_cached cache[PUBLISH_CACHE_SLOTS];
};

static void publish_handle_cb(void *data, const char *path, const struct http_request *req,
                              struct http_reply *reply);

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
 * the write when the file already holds these bytes. name may have one folder ("g/x.atom"),
 * made when missing. Returns 0, or -1 after logging. */
static int write_atomic(const char *dir, const char *name, const char *data, size_t len)
{
	char *path = xasprintf("%s/%s", dir, name);
	const char *slash = strrchr(name, '/');
	char *tmp = slash == NULL ? xasprintf("%s/.%s.XXXXXX", dir, name)
	                          : xasprintf("%s/%.*s/.%s.XXXXXX", dir, (int)(slash - name), name,
	                                      slash + 1);
	if (slash != NULL) {
		char *sub = xasprintf("%s/%.*s", dir, (int)(slash - name), name);
		if (mkdir_p(sub) != 0)
			log_warn("%s", sub);
		free(sub);
	}
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

static void publish_views_free(struct publisher *p)
{
	for (size_t i = 0; i < p->nviews; i++) {
		free(p->views[i].name);
		for (size_t k = 0; k < p->views[i].nsources; k++)
			free(p->views[i].sources[k]);
		free(p->views[i].sources);
	}
	free(p->views);
	p->views = NULL;
	p->nviews = 0;
}

/* One view for each group the sources name, its sources in config order. */
static void publish_views_set(struct publisher *p, const struct publish_opts *o)
{
	publish_views_free(p);
	for (size_t i = 0; i < p->nsources; i++)
		free(p->source_names[i]);
	free(p->source_names);
	p->source_names = xcalloc(o->nsources + 1, sizeof *p->source_names);
	p->nsources = o->nsources;
	for (size_t i = 0; i < o->nsources; i++)
		p->source_names[i] = xstrdup(o->source_names[i]);
	for (size_t i = 0; i < o->nsources; i++) {
		const char *g = o->source_groups != NULL ? o->source_groups[i] : NULL;
		if (g == NULL)
			continue;
		struct publish_view *v = NULL;
		for (size_t k = 0; k < p->nviews; k++)
			if (strcmp(p->views[k].name, g) == 0)
				v = &p->views[k];
		if (v == NULL) {
			p->views = xreallocarray(p->views, p->nviews + 1, sizeof *p->views);
			v = &p->views[p->nviews++];
			memset(v, 0, sizeof *v);
			v->name = xstrdup(g);
		}
		v->sources = xreallocarray(v->sources, v->nsources + 1, sizeof *v->sources);
		v->sources[v->nsources++] = xstrdup(o->source_names[i]);
	}
}

static void publish_opts_copy(struct publisher *p, const struct publish_opts *o)
{
	publish_views_set(p, o);
	free(p->feed_title);
	free(p->feed_author);
	free(p->public_url);
	free(p->attribution);
	free(p->original_label);
	free(p->also_label);
	p->feed_title = xstrdup(o->feed_title != NULL ? o->feed_title : "feedmerge");
	p->feed_author = xstrdup(o->feed_author != NULL ? o->feed_author : p->feed_title);
	p->public_url = xstrdup(o->public_url != NULL ? o->public_url : "http://localhost/");
	p->attribution = xstrdup(o->attribution != NULL ? o->attribution : "");
	p->original_label = xstrdup_or_null(o->original_label);
	p->also_label = xstrdup_or_null(o->also_label);
	p->feed_size = o->feed_size;
}

static void publish_batch_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct publisher *p = w->data;
	if (publish_now(p) != 0)
		log_warnx("publishing the merged feed failed; trying again at the next change");
}

void publish_soon(struct publisher *p)
{
	if (!ev_is_active(&p->batch)) {
		ev_timer_set(&p->batch, PUBLISH_BATCH_S, 0.);
		ev_timer_start(p->loop, &p->batch);
	}
}

struct publisher *publish_new(struct ev_loop *loop, struct store *store, struct http_server *http,
                              const struct publish_opts *opts)
{
	if (opts->output_dir != NULL && mkdir_p(opts->output_dir) != 0) {
		log_warn("output_dir %s", opts->output_dir);
		return NULL;
	}
	struct publisher *p = xcalloc(1, sizeof *p);
	p->loop = loop;
	ev_timer_init(&p->batch, publish_batch_cb, PUBLISH_BATCH_S, 0.);
	p->batch.data = p;
	p->store = store;
	p->http = http;
	if (http != NULL)
		http_add_handler(http, "/", publish_handle_cb, p);
	p->output_dir = xstrdup_or_null(opts->output_dir);
	publish_opts_copy(p, opts);
	return p;
}

void publish_free(struct publisher *p)
{
	if (p == NULL)
		return;
	if (ev_is_active(&p->batch)) {
		ev_timer_stop(p->loop, &p->batch);
		/* Changes stored since the last render reach the static files before exit. */
		publish_now(p);
	}
	free(p->output_dir);
	free(p->feed_title);
	free(p->feed_author);
	free(p->public_url);
	free(p->attribution);
	free(p->original_label);
	free(p->also_label);
	publish_views_free(p);
	for (size_t i = 0; i < p->nsources; i++)
		free(p->source_names[i]);
	free(p->source_names);
	for (size_t i = 0; i < PUBLISH_CACHE_SLOTS; i++) {
		free(p->cache[i].key);
		free(p->cache[i].body);
		free(p->cache[i].gzip);
	}
	if (p->http != NULL)
		http_remove_handlers(p->http, p);
	free(p);
}

int publish_set_opts(struct publisher *p, const struct publish_opts *opts)
{
	int rc = 0;
	publish_opts_copy(p, opts);
	const char *dir = opts->output_dir;
	if (dir == NULL || p->output_dir == NULL || strcmp(dir, p->output_dir) != 0) {
		if (dir != NULL && mkdir_p(dir) != 0) {
			log_warn("output_dir %s; keeping %s", dir,
			         p->output_dir != NULL ? p->output_dir : "none");
			rc = -1;
		} else {
			free(p->output_dir);
			p->output_dir = xstrdup_or_null(dir);
		}
	}
	return rc;
}

/* Hands one rendered output to the static files (with a .gz copy beside it, for nginx's
 * gzip_static or a CDN) and to the listener (which serves the gzip bytes to clients that
 * accept them): compressed here, once per render, never per request. Returns 0 or -1. */
static int publish_put(struct publisher *p, const char *path, const char *http_path,
                       const char *content_type, const char *body, size_t len, int64_t updated)
{
	int rc = 0;
	char *gz = NULL;
	size_t gz_len = 0;
	if (gzip_compress(body, len, &gz, &gz_len) != 0) {
		log_warnx("%s: cannot compress; served uncompressed", path);
		gz = NULL;
	}
	if (p->output_dir != NULL) {
		if (write_atomic(p->output_dir, path, body, len) != 0)
			rc = -1;
		char *gz_path = xasprintf("%s.gz", path);
		/* The .gz follows its file: never an old .gz beside new plain bytes. */
		if (gz != NULL && write_atomic(p->output_dir, gz_path, gz, gz_len) != 0)
			rc = -1;
		free(gz_path);
	}
	if (p->http != NULL)
		http_set_document(p->http, http_path, content_type, body, len, gz, gz_len, updated);
	free(gz);
	return rc;
}

/* The paths of a view's outputs: the merged view's are feed.EXT (its page index.html), a
 * view's are PREFIX + EXT ("g/vn." gives g/vn.atom ... g/vn.html); links gets the feeds. */
static size_t view_paths(const char *prefix, char paths[][256], struct emit_link *links)
{
	size_t nlinks = 0;
	for (size_t i = 0; i < PUBLISH_NOUTPUTS; i++) {
		const struct publish_output *o = &publish_outputs[i];
		if (prefix[0] == '\0')
			snprintf(paths[i], 256, "%s", o->path);
		else
			snprintf(paths[i], 256, "%s%s", prefix, strchr(o->path, '.') + 1);
		if (o->title != NULL)
			links[nlinks++] = (struct emit_link){paths[i], o->media_type, o->title};
	}
	return nlinks;
}

/* The number of complete archive pages when the newest entry id is max_id. */
static int64_t archive_pages(int64_t max_id)
{
	return max_id > 0 ? max_id / PUBLISH_ARCHIVE_PAGE : 0;
}

/* Renders every format of one view (prefix "" for the merged feed, "g/NAME." for a group)
 * and publishes them; the merged feed links its newest archive page. *created_at gets the
 * database's birth. Returns 0, or -1 when something could not be loaded or written. */
static int publish_view(struct publisher *p, const struct store_view *view, const char *prefix,
                        struct emit_meta *meta, int64_t *created_at)
{
	struct merged m;
	memset(&m, 0, sizeof m);
	if (store_load_view(p->store, view, &m) != 0) {
		merged_free(&m);
		return -1;
	}
	*created_at = m.created_at;
	char paths[PUBLISH_NOUTPUTS][256];
	struct emit_link links[PUBLISH_NOUTPUTS];
	meta->links = links;
	meta->nlinks = view_paths(prefix, paths, links);
	char prev[64];
	if (prefix[0] == '\0') {
		p->max_entry_id = m.max_entry_id;
		int64_t pages = archive_pages(m.max_entry_id);
		snprintf(prev, sizeof prev, "archive/%lld.atom", (long long)pages);
		meta->prev_archive = pages > 0 ? prev : NULL;
	}
	struct emit_doc *doc = emit_doc_new(&m, meta);
	int64_t updated = emit_doc_updated(doc);
	int rc = 0;
	for (size_t i = 0; i < PUBLISH_NOUTPUTS; i++) {
		const struct publish_output *o = &publish_outputs[i];
		size_t len = 0;
		/* Only Atom has archives (RFC 5005 is an Atom extension). */
		const char *prev_archive = meta->prev_archive;
		if (o->render != emit_atom)
			meta->prev_archive = NULL;
		char *body = o->render(doc, paths[i], &len);
		meta->prev_archive = prev_archive;
		char *http_path =
		    prefix[0] == '\0' ? xstrdup(o->http_path) : xasprintf("/%s", paths[i]);
		if (publish_put(p, paths[i], http_path, o->content_type, body, len, updated) != 0)
			rc = -1;
		free(http_path);
		free(body);
	}
	emit_doc_free(doc);
	merged_free(&m);
	meta->links = NULL;
	meta->nlinks = 0;
	meta->prev_archive = NULL;
	return rc;
}

/* --- dynamic documents: ?limit= and ?since=, per-source views, archive pages ---------------- */

/* Parses path into *rq (publish.h). */
int publish_parse_path(const char *path, struct publish_request *rq)
{
	memset(rq, 0, sizeof *rq);
	const char *rest = NULL;
	if (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0) {
		rq->prefix_kind = "";
		rq->output = PUBLISH_NOUTPUTS - 1; /* the page */
		return 0;
	}
	if (strncmp(path, "/feed.", 6) == 0) {
		rq->prefix_kind = "";
		rest = path + 1;
	} else if (strncmp(path, "/g/", 3) == 0) {
		rq->prefix_kind = "g";
		rest = path + 3;
	} else if (strncmp(path, "/s/", 3) == 0) {
		rq->prefix_kind = "s";
		rest = path + 3;
	} else if (strncmp(path, "/archive/", 9) == 0) {
		rq->prefix_kind = "archive";
		rest = path + 9;
	} else {
		return -1;
	}
	const char *dot = strrchr(rest, '.');
	if (dot == NULL || dot == rest || (size_t)(dot - rest) >= sizeof rq->name ||
	    strchr(rest, '/') != NULL)
		return -1;
	for (rq->output = 0; rq->output < PUBLISH_NOUTPUTS; rq->output++)
		if (strcmp(strchr(publish_outputs[rq->output].path, '.') + 1, dot + 1) == 0)
			break;
	if (rq->output == PUBLISH_NOUTPUTS)
		return -1;
	memcpy(rq->name, rest, (size_t)(dot - rest));
	rq->name[dot - rest] = '\0';
	if (rq->prefix_kind[0] == '\0')
		return strcmp(rq->name, "feed") == 0 ? 0 : -1;
	return 0;
}

static void reply_text(struct http_reply *reply, unsigned status, const char *msg)
{
	reply->status = status;
	reply->content_type = "text/plain; charset=utf-8";
	reply->body = msg;
	reply->len = strlen(msg);
}

/* The cache slot for key: the one holding it (current or stale), else the least recently
 * used. */
static struct publish_cached *publish_cache_slot(struct publisher *p, const char *key)
{
	struct publish_cached *lru = &p->cache[0];
	for (size_t i = 0; i < PUBLISH_CACHE_SLOTS; i++) {
		struct publish_cached *c = &p->cache[i];
		if (c->key != NULL && strcmp(c->key, key) == 0)
			return c;
		if (c->key == NULL || c->last_used < lru->last_used)
			lru = c;
	}
	return lru;
}

static void publish_handle_cb(void *data, const char *path, const struct http_request *req,
                              struct http_reply *reply)
{
	static const char not_found[] = "not found\n";
	struct publisher *p = data;
	struct publish_request rq;
	if (publish_parse_path(path, &rq) != 0) {
		reply_text(reply, 404, not_found);
		return;
	}
	int archive = strcmp(rq.prefix_kind, "archive") == 0;
	size_t limit = archive ? PUBLISH_ARCHIVE_PAGE : p->feed_size;
	int64_t since = FEED_TIME_NONE;
	const char *v = http_request_arg(req, "limit");
	if (v != NULL && !archive) {
		char *end;
		errno = 0;
		unsigned long long n = strtoull(v, &end, 10);
		if (v[0] < '0' || v[0] > '9' || *end != '\0' || errno != 0 || n == 0 ||
		    n > PUBLISH_LIMIT_MAX) {
			reply_text(reply, 400, "bad limit: use a whole number from 1 to 1000\n");
			return;
		}
		limit = (size_t)n;
	}
	v = http_request_arg(req, "since");
	if (v != NULL && !archive && date_parse(v, NULL, &since) != 0) {
		reply_text(reply, 400, "bad since: use an RFC 3339 date (2026-12-03T08:00:00Z)\n");
		return;
	}

	const char *one[1];
	struct store_view view = {limit, since, NULL, 0, 0, 0};
	char prefix[300] = "";
	if (archive) {
		char *end;
		errno = 0;
		long long k = strtoll(rq.name, &end, 10);
		if (rq.output != 0 || rq.name[0] < '1' || rq.name[0] > '9' || *end != '\0' ||
		    errno != 0 || k > archive_pages(p->max_entry_id)) {
			reply_text(reply, 404, not_found);
			return;
		}
		view.id_min = (k - 1) * PUBLISH_ARCHIVE_PAGE + 1;
		view.id_max = k * PUBLISH_ARCHIVE_PAGE;
		snprintf(prefix, sizeof prefix, "archive/%s.", rq.name);
	} else if (rq.prefix_kind[0] == 'g') {
		const struct publish_view *g = NULL;
		for (size_t i = 0; i < p->nviews; i++)
			if (strcmp(p->views[i].name, rq.name) == 0)
				g = &p->views[i];
		if (g == NULL) {
			reply_text(reply, 404, not_found);
			return;
		}
		view.sources = (const char *const *)g->sources;
		view.nsources = g->nsources;
		snprintf(prefix, sizeof prefix, "g/%s.", rq.name);
	} else if (rq.prefix_kind[0] == 's') {
		size_t i = 0;
		while (i < p->nsources && strcmp(p->source_names[i], rq.name) != 0)
			i++;
		if (i == p->nsources) {
			reply_text(reply, 404, not_found);
			return;
		}
		one[0] = p->source_names[i];
		view.sources = one;
		view.nsources = 1;
		snprintf(prefix, sizeof prefix, "s/%s.", rq.name);
	}

	char *key = xasprintf("%s%s?%zu&%lld", prefix, publish_outputs[rq.output].path, limit,
	                      (long long)since);
	struct publish_cached *c = publish_cache_slot(p, key);
	c->last_used = ++p->uses;
	if (c->key == NULL || strcmp(c->key, key) != 0 || c->generation != p->generation) {
		struct merged m;
		memset(&m, 0, sizeof m);
		if (store_load_view(p->store, &view, &m) != 0) {
			merged_free(&m);
			free(key);
			reply_text(reply, 503, "the store cannot be read; try again later\n");
			return;
		}
		char paths[PUBLISH_NOUTPUTS][256];
		struct emit_link links[PUBLISH_NOUTPUTS];
		char *title = rq.prefix_kind[0] == '\0'
		                  ? xstrdup(p->feed_title)
		                  : xasprintf("%s: %s", p->feed_title, rq.name);
		char prev[64], next[64];
		struct emit_meta meta = {
		    .title = title,
		    .author = p->feed_author,
		    .public_url = p->public_url,
		    .attribution = p->attribution,
		    .original_label = p->original_label,
		    .also_label = p->also_label,
		    .links = links,
		    .nlinks = view_paths(prefix, paths, links),
		};
		if (archive) {
			int64_t k = view.id_max / PUBLISH_ARCHIVE_PAGE;
			snprintf(prev, sizeof prev, "archive/%lld.atom", (long long)(k - 1));
			snprintf(next, sizeof next, "archive/%lld.atom", (long long)(k + 1));
			meta.current = "feed.atom";
			meta.prev_archive = k > 1 ? prev : NULL;
			meta.next_archive = k < archive_pages(p->max_entry_id) ? next : NULL;
		}
		struct emit_doc *doc = emit_doc_new(&m, &meta);
		free(c->key);
		free(c->body);
		free(c->gzip);
		c->key = key;
		key = NULL;
		c->body = publish_outputs[rq.output].render(doc, paths[rq.output], &c->len);
		if (gzip_compress(c->body, c->len, &c->gzip, &c->gzip_len) != 0)
			c->gzip = NULL;
		c->content_type = publish_outputs[rq.output].content_type;
		c->updated = emit_doc_updated(doc);
		c->generation = p->generation;
		emit_doc_free(doc);
		merged_free(&m);
		free(title);
	}
	free(key);
	reply->status = 200;
	reply->content_type = c->content_type;
	reply->body = c->body;
	reply->len = c->len;
	reply->gzip = c->gzip;
	reply->gzip_len = c->gzip_len;
	reply->last_modified = c->updated;
}

int publish_now(struct publisher *p)
{
	p->generation++;
	struct emit_meta meta = {
	    .title = p->feed_title,
	    .author = p->feed_author,
	    .public_url = p->public_url,
	    .attribution = p->attribution,
	    .original_label = p->original_label,
	    .also_label = p->also_label,
	};
	int64_t created_at = 0;
	struct store_view all = {p->feed_size, FEED_TIME_NONE, NULL, 0, 0, 0};
	if (publish_view(p, &all, "", &meta, &created_at) != 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < p->nviews; i++) {
		const struct publish_view *v = &p->views[i];
		struct store_view group = {p->feed_size,
		                           FEED_TIME_NONE,
		                           (const char *const *)v->sources,
		                           v->nsources,
		                           0,
		                           0};
		char *prefix = xasprintf("g/%s.", v->name);
		char *title = xasprintf("%s: %s", p->feed_title, v->name);
		struct emit_meta gmeta = meta;
		gmeta.title = title;
		if (publish_view(p, &group, prefix, &gmeta, &created_at) != 0)
			rc = -1;
		free(title);
		free(prefix);
	}

	struct health_event *ev = NULL;
	size_t nev = 0;
	if (store_load_health(p->store, PUBLISH_HEALTH_EVENTS, &ev, &nev) != 0)
		return -1;
	size_t len = 0;
	char *health = emit_health_atom(ev, nev, &meta, PUBLISH_HEALTH_PATH, created_at, &len);
	if (publish_put(p, PUBLISH_HEALTH_PATH, "/" PUBLISH_HEALTH_PATH,
	                "application/atom+xml; charset=utf-8", health, len,
	                nev > 0 ? ev[0].at : created_at) != 0)
		rc = -1;
	free(health);
	health_events_free(ev, nev);
	return rc;
}
