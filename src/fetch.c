/* Transfers: libcurl's multi_socket interface driven by the caller's libev loop, one thread.
 *
 * libcurl tells us which sockets to watch (fetch_socket_cb -> one ev_io per socket, found again
 * through curl_multi_assign) and when to call it back (fetch_timer_cb -> one ev_timer). libev
 * tells us when a socket is ready or the timer fired, and we hand that to
 * curl_multi_socket_action, then drain curl_multi_info_read. Each transfer is one struct
 * transfer, found from its easy handle with CURLOPT_PRIVATE and freed in one place,
 * transfer_free, called from fetch_finish (done), fetch_cancel or fetch_free (aborted).
 *
 * Politeness: a transfer waits in its host's queue until both a global slot (`concurrency`)
 * and one of its host's slots (`per_host`) are free. Hosts with work and a free slot take
 * turns in a ready list, so a slow host with many sources never holds back the others. Only
 * a running transfer has an easy handle: libcurl's own pending list would already run the
 * queued transfers' timeouts. Connections, TLS sessions and DNS answers are reused through
 * the multi handle's caches.
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
#include "url.h"
#include "util.h"

#define FETCH_ACCEPT                                                                               \
	"Accept: application/atom+xml, application/rss+xml, application/xml;q=0.9, "               \
	"text/xml;q=0.9, */*;q=0.8"
#define FETCH_HEADER_VALUE_MAX 1024
#define FETCH_HOST_BUCKETS 256
/* A server sending less than this many bytes a second for FETCH_LOW_SPEED_TIME_S is dropped
 * (one dripping a byte a second would otherwise hold a slot for the whole timeout). */
#define FETCH_LOW_SPEED_BYTES 100L
#define FETCH_LOW_SPEED_TIME_S 15L

struct host;

struct transfer {
	struct fetcher *f;          /* borrowed: the owner */
	struct host *host;          /* borrowed: the fetcher's */
	CURL *easy;                 /* owned; NULL while queued */
	struct curl_slist *headers; /* owned: Accept, conditional GET and extra headers */
	char *url;                  /* owned */
	char *req_etag;             /* owned; sent as If-None-Match */
	char *req_last_modified;    /* owned; sent as If-Modified-Since */
	char *user_agent;           /* owned; NULL: the fetcher's */
	char *userpwd;              /* owned; NULL: no authentication */
	char **extra_headers;       /* owned */
	size_t nextra_headers;
	int tls_verify;
	void *userdata;  /* borrowed: the caller's */
	struct buf body; /* capped at max_size_bytes */
	int too_big;     /* the write callback refused the body */
	/* The responses of a redirect chain: every one before the last a 301 or 308? */
	long last_code;
	int all_permanent;
	/* Captured from the final response; reset when a new response of a redirect chain
	 * starts. All owned. */
	char *etag;
	char *last_modified;
	char *content_type;
	char *retry_after;
	char *cache_control;
	char *expires;
	char *date;
	char errbuf[CURL_ERROR_SIZE];
	struct transfer *prev, *next; /* in the host's queue (next only), or the running list */
};

/* A host with transfers queued or running. */
struct host {
	char *name;       /* owned */
	unsigned running; /* transfers running now */
	struct transfer *queue_head, *queue_tail;
	size_t nqueued;
	int ready; /* in the ready list */
	struct host *ready_next;
	struct host *hash_next;
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
	CURLSH *share; /* TLS sessions and DNS answers, shared by every transfer */
	ev_timer timer;
	ev_timer pump_timer; /* starts queued transfers from the loop (fetch_pump_later) */
	unsigned concurrency;
	unsigned per_host;
	int64_t timeout_s;
	int64_t connect_timeout_s;
	int64_t max_size_bytes;
	long max_redirects;
	char *user_agent; /* owned */
	char *proxy;      /* owned; NULL: the environment's */
	fetch_done_cb done;
	void *ctx;
	struct host *hosts[FETCH_HOST_BUCKETS]; /* owned */
	struct host *ready_head, *ready_tail;   /* hosts that may start a transfer */
	size_t nqueued;
	/* Added to the multi handle. */
	struct transfer *running;
	size_t nrunning;
	struct sockinfo *sockets;
};

static void fetch_check_done(struct fetcher *f);
static void fetch_pump(struct fetcher *f);
static void fetch_pump_later(struct fetcher *f);

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
	free(t->user_agent);
	if (t->userpwd != NULL) {
		/* A password does not linger in freed memory. */
		explicit_bzero(t->userpwd, strlen(t->userpwd));
		free(t->userpwd);
	}
	for (size_t i = 0; i < t->nextra_headers; i++)
		free(t->extra_headers[i]);
	free(t->extra_headers);
	buf_free(&t->body);
	free(t->etag);
	free(t->last_modified);
	free(t->content_type);
	free(t->retry_after);
	free(t->cache_control);
	free(t->expires);
	free(t->date);
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

/* --- hosts --------------------------------------------------------------------------------- */

static size_t host_bucket(const char *name)
{
	return (size_t)(hash64(name, strlen(name)) % FETCH_HOST_BUCKETS);
}

/* The host record for name, made when missing. */
static struct host *host_get(struct fetcher *f, const char *name)
{
	size_t b = host_bucket(name);
	for (struct host *h = f->hosts[b]; h != NULL; h = h->hash_next)
		if (strcmp(h->name, name) == 0)
			return h;
	struct host *h = xcalloc(1, sizeof *h);
	h->name = xstrdup(name);
	h->hash_next = f->hosts[b];
	f->hosts[b] = h;
	return h;
}

static void host_free(struct fetcher *f, struct host *h)
{
	struct host **link = &f->hosts[host_bucket(h->name)];
	while (*link != h)
		link = &(*link)->hash_next;
	*link = h->hash_next;
	free(h->name);
	free(h);
}

/* After h's counts changed: into the ready list when it may start a transfer; freed when it
 * has nothing left (never while in the ready list: the pump frees it there). */
static void host_update(struct fetcher *f, struct host *h)
{
	if (h->ready)
		return;
	if (h->nqueued > 0 && h->running < f->per_host) {
		h->ready = 1;
		h->ready_next = NULL;
		if (f->ready_tail != NULL)
			f->ready_tail->ready_next = h;
		else
			f->ready_head = h;
		f->ready_tail = h;
	} else if (h->nqueued == 0 && h->running == 0) {
		host_free(f, h);
	}
}

static struct host *ready_pop(struct fetcher *f)
{
	struct host *h = f->ready_head;
	if (h != NULL) {
		f->ready_head = h->ready_next;
		if (f->ready_head == NULL)
			f->ready_tail = NULL;
		h->ready = 0;
		h->ready_next = NULL;
	}
	return h;
}

static struct transfer *host_dequeue(struct fetcher *f, struct host *h)
{
	struct transfer *t = h->queue_head;
	if (t != NULL) {
		h->queue_head = t->next;
		if (h->queue_head == NULL)
			h->queue_tail = NULL;
		t->next = NULL;
		h->nqueued--;
		f->nqueued--;
	}
	return t;
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

/* "HTTP/1.1 301 Moved" -> 301; 0 when unreadable. */
static long status_code(const char *line, size_t n)
{
	const char *sp = memchr(line, ' ', n);
	long code = 0;
	if (sp == NULL)
		return 0;
	for (const char *p = sp + 1; p < line + n && *p >= '0' && *p <= '9' && code < 1000; p++)
		code = code * 10 + (*p - '0');
	return code;
}

/* Called once per header line of every response, redirects included. */
static size_t fetch_header_cb(char *buffer, size_t size, size_t nitems, void *userdata)
{
	struct transfer *t = userdata;
	size_t n = size * nitems;
	if (n >= 5 && strncmp(buffer, "HTTP/", 5) == 0) {
		/* A new response: the one before it was a redirect libcurl follows. Only the
		 * final response's headers count. */
		if (t->last_code != 0 && t->last_code != 301 && t->last_code != 308)
			t->all_permanent = 0;
		t->last_code = status_code(buffer, n);
		char **slots[] = {&t->etag,        &t->last_modified, &t->content_type,
		                  &t->retry_after, &t->cache_control, &t->expires,
		                  &t->date};
		for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++) {
			free(*slots[i]);
			*slots[i] = NULL;
		}
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
	    {"cache-control", offsetof(struct transfer, cache_control)},
	    {"expires", offsetof(struct transfer, expires)},
	    {"date", offsetof(struct transfer, date)},
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

int64_t fetch_max_age_s(const char *cache_control, const char *expires, const char *date)
{
	if (cache_control != NULL) {
		/* Directives are comma-separated tokens, in any order: no-store and no-cache win
		 * over max-age, which wins over Expires (RFC 9111 5.2.2, 5.3). */
		const char *p = cache_control;
		int64_t max_age = -1;
		while (*p != '\0') {
			while (*p == ' ' || *p == '\t' || *p == ',')
				p++;
			size_t n = strcspn(p, ",");
			if (n >= 8 && (strncasecmp(p, "no-store", 8) == 0 ||
			               strncasecmp(p, "no-cache", 8) == 0))
				return 0;
			if (n > 8 && strncasecmp(p, "max-age=", 8) == 0 && max_age < 0) {
				const char *v = p + 8 + (p[8] == '"');
				long long sec = 0;
				int digits = 0;
				while (*v >= '0' && *v <= '9' && sec < 100000000LL) {
					sec = sec * 10 + (*v++ - '0');
					digits = 1;
				}
				if (digits)
					max_age = (int64_t)sec;
			}
			p += n;
		}
		if (max_age >= 0)
			return max_age;
	}
	if (expires != NULL) {
		int64_t exp_at, date_at;
		if (date_parse(expires, NULL, &exp_at) != 0)
			return 0; /* "0", "-1": already expired (RFC 9111 5.3) */
		if (date == NULL || date_parse(date, NULL, &date_at) != 0)
			date_at = (int64_t)time(NULL);
		return exp_at > date_at ? exp_at - date_at : 0;
	}
	return -1;
}

int fetch_is_bot_wall(const char *body, size_t len)
{
	/* What the common bot-protection services put in their challenge pages. */
	static const char *const markers[] = {
	    "cf-browser-verification",
	    "cf_chl_",
	    "challenge-platform",
	    "Just a moment...",
	    "Attention Required! | Cloudflare",
	    "DDoS-Guard",
	    "ddos-guard.net",
	    "Checking your browser before accessing",
	    "_Incapsula_Resource",
	    "Incapsula incident",
	    "sucuri_cloudproxy",
	    "Sucuri WebSite Firewall",
	    "/cdn-cgi/challenge",
	    "Please enable JavaScript and cookies to continue",
	    "g-recaptcha",
	    "hcaptcha.com",
	};
	if (body == NULL)
		return 0;
	size_t n = len < 65536 ? len : 65536;
	for (size_t i = 0; i < sizeof markers / sizeof markers[0]; i++) {
		size_t m = strlen(markers[i]);
		for (size_t k = 0; k + m <= n; k++)
			if (strncasecmp(body + k, markers[i], m) == 0)
				return 1;
	}
	return 0;
}

/* One line describing a failed transfer, and its class. */
static enum fetch_error_class describe_error(const struct transfer *t, CURLcode code, char *buf,
                                             size_t size, int *early_retry_ok)
{
	struct fetcher *f = t->f;
	*early_retry_ok = 0;
	if (t->too_big) {
		char cap[32];
		format_size(f->max_size_bytes, cap, sizeof cap);
		snprintf(buf, size, "body larger than max_size (%s)", cap);
		return FETCH_ERR_TOO_BIG;
	}
	enum fetch_error_class cls = FETCH_ERR_OTHER;
	if (code == CURLE_OPERATION_TIMEDOUT) {
		/* Which step: nothing sent yet and no connection means the name lookup or the
		 * connect took all of connect_timeout; a too-slow body has its own words. */
		curl_off_t pretransfer = 0, connect = 0, lookup = 0;
		curl_easy_getinfo(t->easy, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
		curl_easy_getinfo(t->easy, CURLINFO_CONNECT_TIME_T, &connect);
		curl_easy_getinfo(t->easy, CURLINFO_NAMELOOKUP_TIME_T, &lookup);
		if (strstr(t->errbuf, "too slow") != NULL)
			snprintf(buf, size, "too slow: under %ld bytes/s for %lds",
			         FETCH_LOW_SPEED_BYTES, FETCH_LOW_SPEED_TIME_S);
		else if (pretransfer > 0)
			snprintf(buf, size, "timed out after %llds", (long long)f->timeout_s);
		else if (connect > 0 || lookup > 0)
			snprintf(buf, size, "connect timed out after %llds",
			         (long long)f->connect_timeout_s);
		else {
			snprintf(buf, size, "name lookup timed out after %llds",
			         (long long)f->connect_timeout_s);
			*early_retry_ok = 1;
		}
		return FETCH_ERR_TIMEOUT;
	}
	switch (code) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		cls = FETCH_ERR_DNS;
		*early_retry_ok = 1;
		break;
	case CURLE_COULDNT_CONNECT:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		cls = FETCH_ERR_CONNECT;
		*early_retry_ok = 1;
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
		cls = FETCH_ERR_TLS;
		break;
	case CURLE_TOO_MANY_REDIRECTS:
	case CURLE_UNSUPPORTED_PROTOCOL:
		cls = FETCH_ERR_REDIRECT;
		break;
	default:
		break;
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
	return cls;
}

/* A running transfer leaves its host, which may start another. */
static void transfer_unrun(struct fetcher *f, struct transfer *t)
{
	curl_multi_remove_handle(f->multi, t->easy);
	list_remove(&f->running, t);
	f->nrunning--;
	t->host->running--;
	host_update(f, t->host);
}

/* A transfer is done: report it, free it, start the next queued one. */
static void fetch_finish(struct fetcher *f, struct transfer *t, CURLcode code)
{
	transfer_unrun(f, t);
	long status = 0, redirects = 0;
	char *effective = NULL;
	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(t->easy, CURLINFO_EFFECTIVE_URL, &effective);
	curl_easy_getinfo(t->easy, CURLINFO_REDIRECT_COUNT, &redirects);
	curl_off_t total_us = 0, received = 0;
	curl_easy_getinfo(t->easy, CURLINFO_TOTAL_TIME_T, &total_us);
	curl_easy_getinfo(t->easy, CURLINFO_SIZE_DOWNLOAD_T, &received);

	char err[CURL_ERROR_SIZE + 256] = "";
	struct fetch_result r = {
	    .userdata = t->userdata,
	    .url = t->url,
	    .effective_url = effective != NULL ? effective : t->url,
	    .status = status,
	    .content_type = t->content_type,
	    .etag = t->etag,
	    .last_modified = t->last_modified,
	    .redirects = redirects,
	    .permanent_redirect = redirects > 0 && t->all_permanent,
	    .max_age_s = fetch_max_age_s(t->cache_control, t->expires, t->date),
	    .duration_s = (double)total_us / 1e6,
	    .bytes_received = (int64_t)received,
	};
	if (code != CURLE_OK) {
		r.error_class = describe_error(t, code, err, sizeof err, &r.early_retry_ok);
		r.error = err;
	} else if (status == 304) {
		r.not_modified = 1;
	} else if (status < 200 || status > 299) {
		snprintf(err, sizeof err, "HTTP %ld", status);
		r.error = err;
		r.error_class = FETCH_ERR_HTTP;
		if (status == 429 || status == 503)
			r.retry_after_s = parse_retry_after(t->retry_after);
		if (status == 403 || status == 429 || status == 503)
			r.bot_wall = fetch_is_bot_wall(t->body.data, t->body.len);
	} else {
		r.body = t->body.data != NULL ? t->body.data : "";
		r.len = t->body.len;
	}
	if (r.error != NULL) {
		/* A failed or cut-off transfer: nothing of it may be used. */
		r.body = NULL;
		r.len = 0;
		r.etag = r.last_modified = NULL;
		r.permanent_redirect = 0;
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
	t->all_permanent = 1;
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
	for (size_t i = 0; i < t->nextra_headers && t->headers != NULL; i++)
		t->headers = curl_slist_append(t->headers, t->extra_headers[i]);
	if (t->headers == NULL)
		fatalx("out of memory");
	const char *ua = t->user_agent != NULL ? t->user_agent : f->user_agent;

	SETOPT(e, CURLOPT_ERRORBUFFER, t->errbuf);
	SETOPT(e, CURLOPT_URL, t->url);
	SETOPT(e, CURLOPT_PRIVATE, (void *)t);
	SETOPT(e, CURLOPT_NOSIGNAL, 1L);
	SETOPT(e, CURLOPT_WRITEFUNCTION, fetch_write_cb);
	SETOPT(e, CURLOPT_WRITEDATA, (void *)t);
	SETOPT(e, CURLOPT_HEADERFUNCTION, fetch_header_cb);
	SETOPT(e, CURLOPT_HEADERDATA, (void *)t);
	SETOPT(e, CURLOPT_TIMEOUT, (long)f->timeout_s);
	SETOPT(e, CURLOPT_CONNECTTIMEOUT, (long)f->connect_timeout_s);
	SETOPT(e, CURLOPT_LOW_SPEED_LIMIT, FETCH_LOW_SPEED_BYTES);
	SETOPT(e, CURLOPT_LOW_SPEED_TIME, FETCH_LOW_SPEED_TIME_S);
#if LIBCURL_VERSION_NUM >= 0x075700
	/* A name lookup that outlives connect_timeout: libcurl's threaded resolver would join
	 * its thread when the transfer ends, stopping the whole loop until getaddrinfo gives up
	 * (10 s with the usual resolv.conf). This lets the thread finish on its own instead. */
	SETOPT(e, CURLOPT_QUICK_EXIT, 1L);
#endif
	if (ua != NULL)
		SETOPT(e, CURLOPT_USERAGENT, ua);
	/* "": every encoding this libcurl decodes; max_size then counts decoded bytes. */
	SETOPT(e, CURLOPT_ACCEPT_ENCODING, "");
	SETOPT(e, CURLOPT_FOLLOWLOCATION, 1L);
	SETOPT(e, CURLOPT_MAXREDIRS, f->max_redirects);
	/* A cookie set along a redirect chain goes back along it (some sites set one and
	 * redirect to themselves); nothing is kept after the transfer. */
	SETOPT(e, CURLOPT_COOKIEFILE, "");
#if LIBCURL_VERSION_NUM >= 0x075500
	SETOPT(e, CURLOPT_PROTOCOLS_STR, "http,https");
	SETOPT(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	SETOPT(e, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
	SETOPT(e, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	SETOPT(e, CURLOPT_HTTPHEADER, t->headers);
	if (t->userpwd != NULL) {
		/* libcurl sends it to the first host only, never to one a redirect leads to. */
		SETOPT(e, CURLOPT_USERPWD, t->userpwd);
		SETOPT(e, CURLOPT_HTTPAUTH, (long)(CURLAUTH_BASIC | CURLAUTH_DIGEST));
	}
	if (!t->tls_verify) {
		SETOPT(e, CURLOPT_SSL_VERIFYPEER, 0L);
		SETOPT(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (f->proxy != NULL)
		SETOPT(e, CURLOPT_PROXY, f->proxy);
	if (f->share != NULL)
		SETOPT(e, CURLOPT_SHARE, f->share);
	return 0;
fail:
	snprintf(t->errbuf, sizeof t->errbuf, "setting curl options failed");
	return -1;
}

/* True when url's host is in the special-use ".invalid" domain. RFC 6761 §6.4 asks name
 * resolution libraries to answer such names negatively at once; the system resolver may
 * instead ask the network and wait seconds for the NXDOMAIN. */
static int host_is_invalid_tld(const char *host)
{
	size_t n = host != NULL ? strlen(host) : 0;
	if (n > 0 && host[n - 1] == '.')
		n--;
	return (n == 7 && strncasecmp(host, "invalid", 7) == 0) ||
	       (n > 8 && strncasecmp(host + n - 8, ".invalid", 8) == 0);
}

/* Starts queued transfers while a global slot is free, hosts taking turns. */
static void fetch_pump(struct fetcher *f)
{
	while (f->nrunning < f->concurrency) {
		struct host *h = ready_pop(f);
		if (h == NULL)
			break;
		struct transfer *t = h->running < f->per_host ? host_dequeue(f, h) : NULL;
		if (t == NULL) {
			host_update(f, h);
			continue;
		}
		CURLMcode mrc = CURLM_OK;
		int invalid = host_is_invalid_tld(h->name);
		if (invalid) {
			snprintf(t->errbuf, sizeof t->errbuf,
			         "could not resolve host (a .invalid name, RFC 6761)");
		} else if (transfer_setup(f, t) == 0 &&
		           (mrc = curl_multi_add_handle(f->multi, t->easy)) == CURLM_OK) {
			list_push(&f->running, t);
			f->nrunning++;
			h->running++;
			host_update(f, h);
			continue;
		}
		/* Could not even start: report it like any failed transfer. */
		host_update(f, h); /* may free h */
		char err[CURL_ERROR_SIZE + 64];
		snprintf(err, sizeof err, "%s",
		         mrc != CURLM_OK ? curl_multi_strerror(mrc) : t->errbuf);
		struct fetch_result r = {.userdata = t->userdata,
		                         .url = t->url,
		                         .effective_url = t->url,
		                         .error = err,
		                         .error_class = invalid ? FETCH_ERR_DNS : FETCH_ERR_OTHER,
		                         .max_age_s = -1};
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
	if (f->ready_head != NULL && !ev_is_active(&f->pump_timer)) {
		ev_timer_set(&f->pump_timer, 0., 0.);
		ev_timer_start(f->loop, &f->pump_timer);
	}
}

static void fetch_opts_copy(struct fetcher *f, const struct fetch_opts *opts)
{
	f->concurrency = opts->concurrency > 0 ? opts->concurrency : 1;
	f->per_host = opts->per_host > 0 ? opts->per_host : 2;
	f->timeout_s = opts->timeout_s > 0 ? opts->timeout_s : 30;
	f->connect_timeout_s = opts->connect_timeout_s > 0 ? opts->connect_timeout_s : 15;
	if (f->connect_timeout_s > f->timeout_s)
		f->connect_timeout_s = f->timeout_s;
	f->max_size_bytes = opts->max_size_bytes;
	f->max_redirects = opts->max_redirects >= 0 ? opts->max_redirects : 10;
	free(f->user_agent);
	f->user_agent = xstrdup_or_null(opts->user_agent);
	free(f->proxy);
	f->proxy = opts->proxy != NULL && opts->proxy[0] != '\0' ? xstrdup(opts->proxy) : NULL;
	curl_multi_setopt(f->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)f->concurrency);
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
	f->done = done;
	f->ctx = ctx;
	f->multi = curl_multi_init();
	if (f->multi == NULL)
		fatalx("curl_multi_init failed");
	fetch_opts_copy(f, opts);
	/* Each transfer has an easy handle of its own, and before libcurl 8.12 the multi handle
	 * kept no TLS sessions between them: a share does (one thread: no locks needed). */
	f->share = curl_share_init();
	if (f->share != NULL &&
	    (curl_share_setopt(f->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) !=
	         CURLSHE_OK ||
	     curl_share_setopt(f->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) != CURLSHE_OK)) {
		curl_share_cleanup(f->share);
		f->share = NULL;
	}
	ev_timer_init(&f->timer, fetch_timeout_cb, 0., 0.);
	f->timer.data = f;
	ev_timer_init(&f->pump_timer, fetch_pump_cb, 0., 0.);
	f->pump_timer.data = f;
	curl_multi_setopt(f->multi, CURLMOPT_SOCKETFUNCTION, fetch_socket_cb);
	curl_multi_setopt(f->multi, CURLMOPT_SOCKETDATA, (void *)f);
	curl_multi_setopt(f->multi, CURLMOPT_TIMERFUNCTION, fetch_timer_cb);
	curl_multi_setopt(f->multi, CURLMOPT_TIMERDATA, (void *)f);
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
	for (size_t b = 0; b < FETCH_HOST_BUCKETS; b++) {
		while (f->hosts[b] != NULL) {
			struct host *h = f->hosts[b];
			struct transfer *t;
			while ((t = host_dequeue(f, h)) != NULL)
				transfer_free(t);
			f->hosts[b] = h->hash_next;
			free(h->name);
			free(h);
		}
	}
	curl_multi_cleanup(f->multi);
	if (f->share != NULL)
		curl_share_cleanup(f->share);
	/* Sockets libcurl never told us to forget. */
	while (f->sockets != NULL)
		sockinfo_free(f, f->sockets);
	ev_timer_stop(f->loop, &f->timer);
	ev_timer_stop(f->loop, &f->pump_timer);
	free(f->user_agent);
	free(f->proxy);
	free(f);
}

void fetch_start(struct fetcher *f, const struct fetch_request *req)
{
	struct transfer *t = xcalloc(1, sizeof *t);
	t->f = f;
	t->url = xstrdup(req->url);
	t->req_etag = xstrdup_or_null(req->etag);
	t->req_last_modified = xstrdup_or_null(req->last_modified);
	t->user_agent = xstrdup_or_null(req->user_agent);
	t->userpwd = xstrdup_or_null(req->userpwd);
	t->tls_verify = req->tls_verify;
	if (req->nheaders > 0) {
		t->extra_headers = xcalloc(req->nheaders, sizeof *t->extra_headers);
		for (size_t i = 0; i < req->nheaders; i++)
			t->extra_headers[i] = xstrdup(req->headers[i]);
		t->nextra_headers = req->nheaders;
	}
	t->userdata = req->userdata;
	buf_init(&t->body, f->max_size_bytes > 0 ? (size_t)f->max_size_bytes : 0);
	char *host = url_host_dup(t->url);
	t->host = host_get(f, host != NULL ? host : "");
	free(host);
	struct host *h = t->host;
	if (h->queue_tail != NULL)
		h->queue_tail->next = t;
	else
		h->queue_head = t;
	h->queue_tail = t;
	h->nqueued++;
	f->nqueued++;
	host_update(f, h);
	fetch_pump(f);
}

size_t fetch_cancel(struct fetcher *f, const void *userdata)
{
	size_t n = 0;
	for (struct transfer *t = f->running, *next; t != NULL; t = next) {
		next = t->next;
		if (t->userdata != userdata)
			continue;
		transfer_unrun(f, t);
		transfer_free(t);
		n++;
	}
	for (size_t b = 0; b < FETCH_HOST_BUCKETS; b++) {
		for (struct host *h = f->hosts[b], *hnext; h != NULL; h = hnext) {
			hnext = h->hash_next;
			struct transfer **link = &h->queue_head, *last = NULL;
			size_t removed = 0;
			while (*link != NULL) {
				struct transfer *t = *link;
				if (t->userdata == userdata) {
					*link = t->next;
					transfer_free(t);
					removed++;
				} else {
					last = t;
					link = &t->next;
				}
			}
			if (removed == 0)
				continue;
			h->queue_tail = last;
			h->nqueued -= removed;
			f->nqueued -= removed;
			n += removed;
			host_update(f, h); /* may free h: hnext was read first */
		}
	}
	if (n > 0)
		fetch_pump_later(f);
	return n;
}

void fetch_set_opts(struct fetcher *f, const struct fetch_opts *opts)
{
	fetch_opts_copy(f, opts);
	/* A larger per_host may let queued hosts start: give every host a look. */
	for (size_t b = 0; b < FETCH_HOST_BUCKETS; b++)
		for (struct host *h = f->hosts[b], *hnext; h != NULL; h = hnext) {
			hnext = h->hash_next;
			host_update(f, h);
		}
	fetch_pump_later(f);
}

size_t fetch_pending(const struct fetcher *f)
{
	return f->nqueued + f->nrunning;
}
