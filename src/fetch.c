/* Transfers: libcurl's multi_socket interface driven by the caller's libev loop, one thread.
 *
 * libcurl tells us which sockets to watch (fetch_socket_cb -> one ev_io per socket, found again
 * through curl_multi_assign) and when to call it back (fetch_timer_cb -> one ev_timer). libev
 * tells us when a socket is ready or the timer fired, and we hand that to
 * curl_multi_socket_action, then drain curl_multi_info_read. Each transfer is one struct
 * transfer, found from its easy handle with CURLOPT_PRIVATE and freed in one place,
 * transfer_free, called from fetch_finish (done) or fetch_free (aborted).
 *
 * CURLMOPT_MAX_TOTAL_CONNECTIONS would only bound connections, not transfers (libcurl keeps
 * the rest pending inside the multi handle, where their timeouts already run), so transfers
 * beyond `concurrency` wait in our own queue and only get an easy handle when a slot frees.
 */
#include "autoconf.h"

#include <curl/curl.h>
#include <errno.h>
#include <ev.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "date.h"
#include "fetch.h"
#include "log.h"
#include "util.h"

#define FETCH_ACCEPT                                                                               \
	"Accept: application/atom+xml, application/rss+xml, application/xml;q=0.9, "               \
	"text/xml;q=0.9, */*;q=0.8"
#define FETCH_MAX_REDIRS 5L
#define FETCH_CONNECT_TIMEOUT_MAX_S 15
#define FETCH_HEADER_VALUE_MAX 1024

struct transfer {
	struct fetcher *f;          /* borrowed: the owner */
	CURL *easy;                 /* owned; NULL while queued */
	struct curl_slist *headers; /* owned: Accept and the conditional GET headers */
	char *url;                  /* owned */
	char *req_etag;             /* owned; sent as If-None-Match */
	char *req_last_modified;    /* owned; sent as If-Modified-Since */
	void *userdata;             /* borrowed: the caller's */
	struct buf body;            /* capped at max_size_bytes */
	int too_big;                /* the write callback refused the body */
	/* Captured from the final response; reset when a new response of a redirect chain
	 * starts. All owned. */
	char *etag;
	char *last_modified;
	char *content_type;
	char *retry_after;
	char errbuf[CURL_ERROR_SIZE];
	struct transfer *prev, *next; /* in the queue, or in the running list */
};

/* One per socket libcurl asked us to watch. */
struct sockinfo {
	ev_io io;
	curl_socket_t fd;
	struct fetcher *f;            /* borrowed */
	struct sockinfo *prev, *next; /* in fetcher.sockets */
};

struct fetcher {
	struct ev_loop *loop; /* borrowed */
	CURLM *multi;
	ev_timer timer;
	ev_timer pump_timer; /* starts queued transfers from the loop (fetch_pump_later) */
	unsigned concurrency;
	int64_t timeout_s;
	int64_t max_size_bytes;
	char *user_agent; /* owned */
	fetch_done_cb done;
	void *ctx;
	/* Waiting for a slot, oldest first. */
	struct transfer *queue_head, *queue_tail;
	size_t nqueued;
	/* Added to the multi handle. */
	struct transfer *running;
	size_t nrunning;
	struct sockinfo *sockets;
};

static void fetch_check_done(struct fetcher *f);
static void fetch_pump(struct fetcher *f);

static void transfer_free(struct transfer *t)
{
	if (t == NULL)
		return;
	if (t->easy != NULL)
		curl_easy_cleanup(t->easy);
	curl_slist_free_all(t->headers);
	free(t->url);
	free(t->req_etag);
	free(t->req_last_modified);
	buf_free(&t->body);
	free(t->etag);
	free(t->last_modified);
	free(t->content_type);
	free(t->retry_after);
	free(t);
}

static void list_push(struct transfer **head, struct transfer *t)
{
	t->prev = NULL;
	t->next = *head;
	if (*head != NULL)
		(*head)->prev = t;
	*head = t;
}

static void list_remove(struct transfer **head, struct transfer *t)
{
	if (t->prev != NULL)
		t->prev->next = t->next;
	else
		*head = t->next;
	if (t->next != NULL)
		t->next->prev = t->prev;
	t->prev = t->next = NULL;
}

/* --- libcurl callbacks ------------------------------------------------------------------ */

static size_t fetch_write_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct transfer *t = userdata;
	size_t n = size * nmemb;
	if (buf_append(&t->body, ptr, n) != 0) {
		/* Returning less than n makes libcurl abort with CURLE_WRITE_ERROR. */
		t->too_big = 1;
		return 0;
	}
	return n;
}

/* Replaces *slot with a copy of value (trimmed, bounded). */
static void header_capture(char **slot, const char *value, size_t len)
{
	while (len > 0 && (*value == ' ' || *value == '\t')) {
		value++;
		len--;
	}
	while (len > 0 && (value[len - 1] == ' ' || value[len - 1] == '\t' ||
	                   value[len - 1] == '\r' || value[len - 1] == '\n'))
		len--;
	if (len > FETCH_HEADER_VALUE_MAX)
		return;
	free(*slot);
	*slot = len > 0 ? xstrndup(value, len) : NULL;
}

/* Called once per header line of every response, redirects included. */
static size_t fetch_header_cb(char *buffer, size_t size, size_t nitems, void *userdata)
{
	struct transfer *t = userdata;
	size_t n = size * nitems;
	if (n >= 5 && strncmp(buffer, "HTTP/", 5) == 0) {
		/* A new response (after a redirect): only the final one's headers count. */
		free(t->etag);
		free(t->last_modified);
		free(t->content_type);
		free(t->retry_after);
		t->etag = t->last_modified = t->content_type = t->retry_after = NULL;
		return n;
	}
	static const struct {
		const char *name;
		size_t offset;
	} wanted[] = {
	    {"etag", offsetof(struct transfer, etag)},
	    {"last-modified", offsetof(struct transfer, last_modified)},
	    {"content-type", offsetof(struct transfer, content_type)},
	    {"retry-after", offsetof(struct transfer, retry_after)},
	};
	const char *colon = memchr(buffer, ':', n);
	if (colon == NULL)
		return n;
	size_t namelen = (size_t)(colon - buffer);
	for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++) {
		if (strlen(wanted[i].name) == namelen &&
		    strncasecmp(buffer, wanted[i].name, namelen) == 0) {
			char **slot = (char **)(void *)((char *)t + wanted[i].offset);
			header_capture(slot, colon + 1, n - namelen - 1);
			break;
		}
	}
	return n;
}

static void fetch_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	struct sockinfo *si = w->data;
	struct fetcher *f = si->f;
	int action =
	    (revents & EV_READ ? CURL_CSELECT_IN : 0) | (revents & EV_WRITE ? CURL_CSELECT_OUT : 0);
	int running = 0;
	/* si may be freed by fetch_socket_cb during this call: do not touch it after. */
	CURLMcode rc = curl_multi_socket_action(f->multi, si->fd, action, &running);
	if (rc != CURLM_OK)
		log_warnx("fetch: curl_multi_socket_action: %s", curl_multi_strerror(rc));
	fetch_check_done(f);
}

static void fetch_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct fetcher *f = w->data;
	int running = 0;
	CURLMcode rc = curl_multi_socket_action(f->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	if (rc != CURLM_OK)
		log_warnx("fetch: curl_multi_socket_action: %s", curl_multi_strerror(rc));
	fetch_check_done(f);
}

static void sockinfo_free(struct fetcher *f, struct sockinfo *si)
{
	ev_io_stop(f->loop, &si->io);
	if (si->prev != NULL)
		si->prev->next = si->next;
	else
		f->sockets = si->next;
	if (si->next != NULL)
		si->next->prev = si->prev;
	free(si);
}

/* CURLMOPT_SOCKETFUNCTION: watch s for what libcurl wants, or stop watching it. */
static int fetch_socket_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	(void)easy;
	struct fetcher *f = userp;
	struct sockinfo *si = socketp;
	if (what == CURL_POLL_REMOVE) {
		if (si != NULL) {
			curl_multi_assign(f->multi, s, NULL);
			sockinfo_free(f, si);
		}
		return 0;
	}
	if (si == NULL) {
		si = xcalloc(1, sizeof *si);
		si->f = f;
		si->fd = s;
		si->next = f->sockets;
		if (f->sockets != NULL)
			f->sockets->prev = si;
		f->sockets = si;
		ev_init(&si->io, fetch_io_cb);
		si->io.data = si;
		curl_multi_assign(f->multi, s, si);
	}
	int events = (what & CURL_POLL_IN ? EV_READ : 0) | (what & CURL_POLL_OUT ? EV_WRITE : 0);
	/* Stop, set, start: ev_io_set marks the fd as changed, which libev needs when
	 * libcurl closed a socket and a new one got the same number. */
	ev_io_stop(f->loop, &si->io);
	ev_io_set(&si->io, s, events);
	ev_io_start(f->loop, &si->io);
	return 0;
}

/* CURLMOPT_TIMERFUNCTION: only re-arms our timer. Calling libcurl from here is forbidden;
 * fetch_timeout_cb does the work on the next loop iteration. */
static int fetch_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	(void)multi;
	struct fetcher *f = userp;
	ev_timer_stop(f->loop, &f->timer);
	if (timeout_ms >= 0) {
		/* Floating point: an integer division would fire sub-second timers at once. */
		ev_timer_set(&f->timer, (double)timeout_ms / 1000.0, 0.);
		ev_timer_start(f->loop, &f->timer);
	}
	return 0;
}

/* --- results ---------------------------------------------------------------------------- */

/* Connecting gets the transfer's timeout, but never more than FETCH_CONNECT_TIMEOUT_MAX_S: a
 * host that does not answer SYNs is down, however slow its feed may be. */
static int64_t fetch_connect_timeout_s(const struct fetcher *f)
{
	return f->timeout_s < FETCH_CONNECT_TIMEOUT_MAX_S ? f->timeout_s
	                                                  : FETCH_CONNECT_TIMEOUT_MAX_S;
}

/* "10M", "512K" or "1000 bytes": the cap as a config would write it. */
static void format_size(int64_t n, char *buf, size_t size)
{
	if (n >= 1024 * 1024 && n % (1024 * 1024) == 0)
		snprintf(buf, size, "%lldM", (long long)(n / (1024 * 1024)));
	else if (n >= 1024 && n % 1024 == 0)
		snprintf(buf, size, "%lldK", (long long)(n / 1024));
	else
		snprintf(buf, size, "%lld bytes", (long long)n);
}

/* Retry-After as seconds from now: delta-seconds or an HTTP date; 0 when absent or unreadable. */
static int64_t parse_retry_after(const char *v)
{
	if (v == NULL)
		return 0;
	char *end;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (end != v && *end == '\0' && errno == 0)
		return n > 0 ? (int64_t)n : 0;
	int64_t at;
	if (date_parse(v, NULL, &at) == 0) {
		int64_t now = (int64_t)time(NULL);
		return at > now ? at - now : 0;
	}
	return 0;
}

/* One line describing a failed transfer. */
static void describe_error(const struct transfer *t, CURLcode code, char *buf, size_t size)
{
	struct fetcher *f = t->f;
	if (t->too_big) {
		char cap[32];
		format_size(f->max_size_bytes, cap, sizeof cap);
		snprintf(buf, size, "body larger than max_size (%s)", cap);
		return;
	}
	if (code == CURLE_OPERATION_TIMEDOUT) {
		/* No connection yet: the connect timeout fired, not the whole-transfer one. */
		double connect_s = 0;
		curl_easy_getinfo(t->easy, CURLINFO_CONNECT_TIME, &connect_s);
		snprintf(
		    buf, size, "%stimed out after %llds%s%s%s", connect_s > 0 ? "" : "connect ",
		    connect_s > 0 ? (long long)f->timeout_s : (long long)fetch_connect_timeout_s(f),
		    t->errbuf[0] ? " (" : "", t->errbuf, t->errbuf[0] ? ")" : "");
		return;
	}
	long os_errno = 0;
	curl_easy_getinfo(t->easy, CURLINFO_OS_ERRNO, &os_errno);
	const char *what = curl_easy_strerror(code);
	if (code == CURLE_COULDNT_CONNECT && os_errno != 0) {
		/* "connection refused (Failed to connect to 127.0.0.1 port 1 after 0 ms: …)" */
		snprintf(buf, size, "%s (%s)", strerror((int)os_errno), t->errbuf);
		if (buf[0] >= 'A' && buf[0] <= 'Z')
			buf[0] = (char)(buf[0] - 'A' + 'a');
	} else if (t->errbuf[0] != '\0' && strcmp(t->errbuf, what) != 0)
		snprintf(buf, size, "%s (%s)", what, t->errbuf);
	else
		snprintf(buf, size, "%s", what);
	/* One line, whatever libcurl put in errbuf. */
	for (char *p = buf; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

/* A transfer is done: report it, free it, start the next queued one. */
static void fetch_finish(struct fetcher *f, struct transfer *t, CURLcode code)
{
	curl_multi_remove_handle(f->multi, t->easy);
	list_remove(&f->running, t);
	f->nrunning--;

	long status = 0;
	char *effective = NULL;
	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(t->easy, CURLINFO_EFFECTIVE_URL, &effective);

	char err[CURL_ERROR_SIZE + 256] = "";
	struct fetch_result r = {
	    .userdata = t->userdata,
	    .url = t->url,
	    .effective_url = effective != NULL ? effective : t->url,
	    .status = status,
	    .content_type = t->content_type,
	    .etag = t->etag,
	    .last_modified = t->last_modified,
	};
	if (code != CURLE_OK) {
		describe_error(t, code, err, sizeof err);
		r.error = err;
	} else if (status == 304) {
		r.not_modified = 1;
	} else if (status < 200 || status > 299) {
		snprintf(err, sizeof err, "HTTP %ld", status);
		r.error = err;
		if (status == 429 || status == 503)
			r.retry_after_s = parse_retry_after(t->retry_after);
	} else {
		r.body = t->body.data != NULL ? t->body.data : "";
		r.len = t->body.len;
	}
	if (r.error != NULL) {
		/* A failed or cut-off transfer: nothing of it may be used. */
		r.body = NULL;
		r.len = 0;
		r.etag = r.last_modified = NULL;
	}
	f->done(f->ctx, &r);
	transfer_free(t);
}

static void fetch_check_done(struct fetcher *f)
{
	CURLMsg *msg;
	int left = 0;
	while ((msg = curl_multi_info_read(f->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		struct transfer *t = NULL;
		CURLcode code = msg->data.result;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)(void *)&t);
		if (t != NULL)
			fetch_finish(f, t, code);
	}
	fetch_pump(f);
}

/* --- starting transfers ----------------------------------------------------------------- */

#define SETOPT(easy, opt, val)                                                                     \
	do {                                                                                       \
		if (curl_easy_setopt(easy, opt, val) != CURLE_OK)                                  \
			goto fail;                                                                 \
	} while (0)

/* Gives t an easy handle with every option set. Returns 0, or -1 with t->errbuf set. */
static int transfer_setup(struct fetcher *f, struct transfer *t)
{
	CURL *e = curl_easy_init();
	if (e == NULL) {
		snprintf(t->errbuf, sizeof t->errbuf, "curl_easy_init failed");
		return -1;
	}
	t->easy = e;
	t->headers = curl_slist_append(NULL, FETCH_ACCEPT);
	if (t->req_etag != NULL) {
		char *h = xasprintf("If-None-Match: %s", t->req_etag);
		t->headers = curl_slist_append(t->headers, h);
		free(h);
	}
	if (t->req_last_modified != NULL) {
		char *h = xasprintf("If-Modified-Since: %s", t->req_last_modified);
		t->headers = curl_slist_append(t->headers, h);
		free(h);
	}
	if (t->headers == NULL)
		fatalx("out of memory");
	long timeout = (long)f->timeout_s;
	long connect_timeout = (long)fetch_connect_timeout_s(f);

	SETOPT(e, CURLOPT_ERRORBUFFER, t->errbuf);
	SETOPT(e, CURLOPT_URL, t->url);
	SETOPT(e, CURLOPT_PRIVATE, (void *)t);
	SETOPT(e, CURLOPT_NOSIGNAL, 1L);
	SETOPT(e, CURLOPT_WRITEFUNCTION, fetch_write_cb);
	SETOPT(e, CURLOPT_WRITEDATA, (void *)t);
	SETOPT(e, CURLOPT_HEADERFUNCTION, fetch_header_cb);
	SETOPT(e, CURLOPT_HEADERDATA, (void *)t);
	SETOPT(e, CURLOPT_TIMEOUT, timeout);
	SETOPT(e, CURLOPT_CONNECTTIMEOUT, connect_timeout);
	if (f->user_agent != NULL)
		SETOPT(e, CURLOPT_USERAGENT, f->user_agent);
	/* "": every encoding this libcurl decodes; max_size then counts decoded bytes. */
	SETOPT(e, CURLOPT_ACCEPT_ENCODING, "");
	SETOPT(e, CURLOPT_FOLLOWLOCATION, 1L);
	SETOPT(e, CURLOPT_MAXREDIRS, FETCH_MAX_REDIRS);
#if LIBCURL_VERSION_NUM >= 0x075500
	SETOPT(e, CURLOPT_PROTOCOLS_STR, "http,https");
	SETOPT(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	SETOPT(e, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
	SETOPT(e, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	SETOPT(e, CURLOPT_HTTPHEADER, t->headers);
	return 0;
fail:
	snprintf(t->errbuf, sizeof t->errbuf, "setting curl options failed");
	return -1;
}

/* True when url's host is in the special-use ".invalid" domain. RFC 6761 §6.4 asks name
 * resolution libraries to answer such names negatively at once; the system resolver may
 * instead ask the network and wait seconds for the NXDOMAIN. */
static int url_host_is_invalid_tld(const char *url)
{
	CURLU *u = curl_url();
	char *host = NULL;
	int invalid = 0;
	if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		size_t n = strlen(host);
		if (n > 0 && host[n - 1] == '.')
			n--;
		invalid = (n == 7 && strncasecmp(host, "invalid", 7) == 0) ||
		          (n > 8 && strncasecmp(host + n - 8, ".invalid", 8) == 0);
	}
	curl_free(host);
	curl_url_cleanup(u);
	return invalid;
}

/* Starts queued transfers while slots are free. */
static void fetch_pump(struct fetcher *f)
{
	while (f->queue_head != NULL && f->nrunning < f->concurrency) {
		struct transfer *t = f->queue_head;
		f->queue_head = t->next;
		if (f->queue_head == NULL)
			f->queue_tail = NULL;
		t->next = NULL;
		f->nqueued--;

		CURLMcode mrc = CURLM_OK;
		if (url_host_is_invalid_tld(t->url)) {
			snprintf(t->errbuf, sizeof t->errbuf,
			         "could not resolve host (a .invalid name, RFC 6761)");
		} else if (transfer_setup(f, t) == 0 &&
		           (mrc = curl_multi_add_handle(f->multi, t->easy)) == CURLM_OK) {
			list_push(&f->running, t);
			f->nrunning++;
			continue;
		}
		/* Could not even start: report it like any failed transfer. */
		char err[CURL_ERROR_SIZE + 64];
		snprintf(err, sizeof err, "%s",
		         mrc != CURLM_OK ? curl_multi_strerror(mrc) : t->errbuf);
		struct fetch_result r = {
		    .userdata = t->userdata, .url = t->url, .effective_url = t->url, .error = err};
		f->done(f->ctx, &r);
		transfer_free(t);
	}
}

static void fetch_pump_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	fetch_pump(w->data);
}

/* Slots freed or added outside a libcurl callback go to queued transfers on the next loop
 * iteration, not from inside a caller that may be walking its own lists (fetch_pump may
 * report a transfer that cannot start at once). */
static void fetch_pump_later(struct fetcher *f)
{
	if (f->queue_head != NULL && !ev_is_active(&f->pump_timer)) {
		ev_timer_set(&f->pump_timer, 0., 0.);
		ev_timer_start(f->loop, &f->pump_timer);
	}
}

struct fetcher *fetch_new(struct ev_loop *loop, const struct fetch_opts *opts, fetch_done_cb done,
                          void *ctx)
{
	static int curl_ready;
	if (!curl_ready) {
		/* Once per process; never cleaned up: libcurl may still be used by url.c. */
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			fatalx("curl_global_init failed");
		curl_ready = 1;
	}
	struct fetcher *f = xcalloc(1, sizeof *f);
	f->loop = loop;
	f->concurrency = opts->concurrency > 0 ? opts->concurrency : 1;
	f->timeout_s = opts->timeout_s > 0 ? opts->timeout_s : 30;
	f->max_size_bytes = opts->max_size_bytes;
	f->user_agent = xstrdup_or_null(opts->user_agent);
	f->done = done;
	f->ctx = ctx;
	f->multi = curl_multi_init();
	if (f->multi == NULL)
		fatalx("curl_multi_init failed");
	ev_timer_init(&f->timer, fetch_timeout_cb, 0., 0.);
	f->timer.data = f;
	ev_timer_init(&f->pump_timer, fetch_pump_cb, 0., 0.);
	f->pump_timer.data = f;
	curl_multi_setopt(f->multi, CURLMOPT_SOCKETFUNCTION, fetch_socket_cb);
	curl_multi_setopt(f->multi, CURLMOPT_SOCKETDATA, (void *)f);
	curl_multi_setopt(f->multi, CURLMOPT_TIMERFUNCTION, fetch_timer_cb);
	curl_multi_setopt(f->multi, CURLMOPT_TIMERDATA, (void *)f);
	/* Reuse connections to the same host, but never more at once than transfers. */
	curl_multi_setopt(f->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)f->concurrency);
	return f;
}

void fetch_free(struct fetcher *f)
{
	if (f == NULL)
		return;
	while (f->running != NULL) {
		struct transfer *t = f->running;
		curl_multi_remove_handle(f->multi, t->easy);
		list_remove(&f->running, t);
		transfer_free(t);
	}
	while (f->queue_head != NULL) {
		struct transfer *t = f->queue_head;
		f->queue_head = t->next;
		transfer_free(t);
	}
	curl_multi_cleanup(f->multi);
	/* Sockets libcurl never told us to forget. */
	while (f->sockets != NULL)
		sockinfo_free(f, f->sockets);
	ev_timer_stop(f->loop, &f->timer);
	ev_timer_stop(f->loop, &f->pump_timer);
	free(f->user_agent);
	free(f);
}

void fetch_start(struct fetcher *f, const struct fetch_request *req)
{
	struct transfer *t = xcalloc(1, sizeof *t);
	t->f = f;
	t->url = xstrdup(req->url);
	t->req_etag = xstrdup_or_null(req->etag);
	t->req_last_modified = xstrdup_or_null(req->last_modified);
	t->userdata = req->userdata;
	buf_init(&t->body, f->max_size_bytes > 0 ? (size_t)f->max_size_bytes : 0);
	if (f->queue_tail != NULL)
		f->queue_tail->next = t;
	else
		f->queue_head = t;
	f->queue_tail = t;
	f->nqueued++;
	fetch_pump(f);
}

size_t fetch_cancel(struct fetcher *f, const void *userdata)
{
	size_t n = 0;
	for (struct transfer *t = f->running, *next; t != NULL; t = next) {
		next = t->next;
		if (t->userdata != userdata)
			continue;
		curl_multi_remove_handle(f->multi, t->easy);
		list_remove(&f->running, t);
		f->nrunning--;
		transfer_free(t);
		n++;
	}
	struct transfer **link = &f->queue_head, *last = NULL;
	while (*link != NULL) {
		struct transfer *t = *link;
		if (t->userdata == userdata) {
			*link = t->next;
			f->nqueued--;
			transfer_free(t);
			n++;
		} else {
			last = t;
			link = &t->next;
		}
	}
	f->queue_tail = last;
	if (n > 0)
		fetch_pump_later(f);
	return n;
}

void fetch_set_opts(struct fetcher *f, const struct fetch_opts *opts)
{
	f->concurrency = opts->concurrency > 0 ? opts->concurrency : 1;
	f->timeout_s = opts->timeout_s > 0 ? opts->timeout_s : 30;
	f->max_size_bytes = opts->max_size_bytes;
	free(f->user_agent);
	f->user_agent = xstrdup_or_null(opts->user_agent);
	curl_multi_setopt(f->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)f->concurrency);
	fetch_pump_later(f);
}

size_t fetch_pending(const struct fetcher *f)
{
	return f->nqueued + f->nrunning;
}
