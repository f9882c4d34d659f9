/* Publishing: the store's merged view rendered by emit.c, written to output_dir atomically
 * (a reader never sees half a file) and served by http.c. */
#include "autoconf.h"

#include <errno.h>
#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emit.h"
#include "feed.h"
#include "http.h"
#include "log.h"
#include "publish.h"
#include "store.h"
#include "util.h"

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
	size_t feed_size;
};

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

static void publish_opts_copy(struct publisher *p, const struct publish_opts *o)
{
	free(p->feed_title);
	free(p->feed_author);
	free(p->public_url);
	free(p->attribution);
	p->feed_title = xstrdup(o->feed_title != NULL ? o->feed_title : "feedmerge");
	p->feed_author = xstrdup(o->feed_author != NULL ? o->feed_author : p->feed_title);
	p->public_url = xstrdup(o->public_url != NULL ? o->public_url : "http://localhost/");
	p->attribution = xstrdup(o->attribution != NULL ? o->attribution : "");
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

int publish_now(struct publisher *p)
{
	struct merged m;
	memset(&m, 0, sizeof m);
	if (store_load_merged(p->store, p->feed_size, &m) != 0) {
		merged_free(&m);
		return -1;
	}
	struct emit_meta meta = {
	    .title = p->feed_title,
	    .author = p->feed_author,
	    .public_url = p->public_url,
	    .attribution = p->attribution,
	};
	size_t atom_len = 0, rss_len = 0;
	char *atom = emit_atom(&m, &meta, &atom_len);
	char *rss = emit_rss(&m, &meta, &rss_len);
	int64_t updated = emit_updated(&m);
	merged_free(&m);

	int rc = 0;
	if (p->output_dir != NULL) {
		if (write_atomic(p->output_dir, "feed.atom", atom, atom_len) != 0)
			rc = -1;
		if (write_atomic(p->output_dir, "feed.rss", rss, rss_len) != 0)
			rc = -1;
	}
	if (p->http != NULL) {
		http_set_document(p->http, "/feed.atom", "application/atom+xml; charset=utf-8",
		                  atom, atom_len, NULL, 0, updated);
		http_set_document(p->http, "/feed.rss", "application/rss+xml; charset=utf-8", rss,
		                  rss_len, NULL, 0, updated);
	}
	free(atom);
	free(rss);
	return rc;
}
