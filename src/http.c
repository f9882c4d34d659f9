/* The built-in HTTP listener: the only user of microhttpd.h.
 *
 * libmicrohttpd runs without a thread of its own (MHD_USE_EPOLL, external polling): its epoll
 * descriptor is watched by an ev_io on the daemon's one libev loop, MHD_run() is called when it
 * is readable, and after every run an ev_timer is re-armed from MHD_get_timeout() so idle
 * connections time out and work MHD left pending gets done. Documents are served from memory
 * with a strong ETag (a hash of the bytes), Last-Modified and 304s (RFC 9110 13.1, 13.2.2). */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <ev.h>
#include <microhttpd.h>

#include "date.h"
#include "feed.h"
#include "http.h"
#include "log.h"
#include "util.h"

#define HTTP_CONNECTION_LIMIT 256
#define HTTP_CONNECTION_TIMEOUT_S 30
#define HTTP_CACHE_CONTROL "max-age=60"
#define HTTP_ALLOW "GET, HEAD"

struct http_doc {
	char *path;         /* owned */
	char *content_type; /* owned */
	char *body;         /* owned */
	size_t len;
	char etag[24]; /* "<16 hex>" with the quotes */
	int64_t last_modified;
	char last_modified_str[DATE_RFC822_SIZE];
};

struct http_server {
	struct ev_loop *loop; /* borrowed */
	struct MHD_Daemon *mhd;
	ev_io io;       /* MHD's epoll descriptor */
	ev_timer timer; /* MHD_get_timeout() */
	struct http_doc *docs;
	size_t ndocs;
	unsigned port;
	/* Inside MHD_start_daemon: MHD's last message and the errno it came with, kept for
	 * http_start's one-line reason instead of being logged. */
	int starting;
	int start_errno;
	char start_msg[512];
};

/* libmicrohttpd's own messages. During start-up they are kept, not logged: a failure is
 * reported once, by http_start's caller, with the address from the config (MHD names the
 * port argument of MHD_start_daemon, which is 0 with MHD_OPTION_SOCK_ADDR). Afterwards they
 * are debug lines: a client resetting its connection is no warning of ours. */
static void http_log_cb(void *cls, const char *fmt, va_list ap)
{
	int saved_errno = errno;
	struct http_server *h = cls;
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	if (h->starting) {
		h->start_errno = saved_errno;
		snprintf(h->start_msg, sizeof h->start_msg, "%s", msg);
	} else {
		log_debug("http: %s", msg);
	}
	errno = saved_errno;
}

/* Runs MHD, then re-arms the timer from MHD_get_timeout(). */
static void http_run(struct http_server *h)
{
	MHD_run(h->mhd);
	MHD_UNSIGNED_LONG_LONG timeout_ms;
	ev_timer_stop(h->loop, &h->timer);
	if (MHD_get_timeout(h->mhd, &timeout_ms) == MHD_YES) {
		ev_timer_set(&h->timer, (double)timeout_ms / 1000.0, 0.);
		ev_timer_start(h->loop, &h->timer);
	}
}

static void http_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	http_run(w->data);
}

static void http_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	http_run(w->data);
}

static struct http_doc *http_doc_find(struct http_server *h, const char *path)
{
	for (size_t i = 0; i < h->ndocs; i++)
		if (strcmp(h->docs[i].path, path) == 0)
			return &h->docs[i];
	return NULL;
}

/* True when an If-None-Match field value matches etag ("*" or any listed tag, compared
 * weakly: W/ ignored, RFC 9110 13.1.2). */
static int http_etag_matches(const char *field, const char *etag)
{
	const char *opaque = etag + 1; /* inside the quotes */
	size_t opaque_len = strlen(etag) - 2;
	const char *p = field;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			return 0;
		if (*p == '*')
			return 1;
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		if (*p != '"')
			return 0; /* malformed: stop */
		const char *end = strchr(p + 1, '"');
		if (end == NULL)
			return 0;
		if ((size_t)(end - p - 1) == opaque_len && memcmp(p + 1, opaque, opaque_len) == 0)
			return 1;
		p = end + 1;
	}
}

/* Collects every If-None-Match field (a list may span several) into one buffer. */
static enum MHD_Result http_inm_cb(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
	(void)kind;
	struct buf *b = cls;
	if (key != NULL && value != NULL && strcasecmp(key, MHD_HTTP_HEADER_IF_NONE_MATCH) == 0) {
		if (b->len > 0)
			buf_puts(b, ", ");
		buf_puts(b, value);
	}
	return MHD_YES;
}

/* True when the request's validators say the client's copy is current. If-None-Match, when
 * present, decides alone; If-Modified-Since only counts without it (RFC 9110 13.2.2). */
static int http_not_modified(struct MHD_Connection *c, const struct http_doc *d)
{
	struct buf inm;
	buf_init(&inm, 64 * 1024);
	int present =
	    MHD_get_connection_values(c, MHD_HEADER_KIND, http_inm_cb, &inm) >= 0 &&
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH) != NULL;
	if (present) {
		int match = inm.data != NULL && http_etag_matches(inm.data, d->etag);
		buf_free(&inm);
		return match;
	}
	buf_free(&inm);
	const char *ims =
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
	int64_t t;
	if (ims != NULL && date_parse(ims, NULL, &t) == 0)
		return d->last_modified <= t;
	return 0;
}

static enum MHD_Result http_queue(struct MHD_Connection *c, unsigned status, const char *type,
                                  const char *body, size_t len)
{
	struct MHD_Response *r =
	    MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	if (type != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, HTTP_ALLOW);
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result http_serve_doc(struct MHD_Connection *c, const struct http_doc *d)
{
	int not_modified = http_not_modified(c, d);
	struct MHD_Response *r =
	    not_modified
	        ? MHD_create_response_from_buffer(0, (void *)(uintptr_t) "", MHD_RESPMEM_PERSISTENT)
	        : MHD_create_response_from_buffer(d->len, d->body, MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	if (!not_modified)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, d->content_type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, d->etag);
	MHD_add_response_header(r, MHD_HTTP_HEADER_LAST_MODIFIED, d->last_modified_str);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, HTTP_CACHE_CONTROL);
	enum MHD_Result ret =
	    MHD_queue_response(c, not_modified ? MHD_HTTP_NOT_MODIFIED : MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

/* A small page linking the documents served. */
static enum MHD_Result http_serve_index(struct http_server *h, struct MHD_Connection *c)
{
	struct buf b;
	buf_init(&b, 0);
	buf_puts(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>feedmerge</title>"
	             "</head>\n<body>\n<ul>\n");
	for (size_t i = 0; i < h->ndocs; i++) {
		/* Paths are ours ("/feed.atom"), never from the network. */
		buf_printf(&b, "<li><a href=\"%s\">%s</a></li>\n", h->docs[i].path + 1,
		           h->docs[i].path + 1);
	}
	buf_puts(&b, "</ul>\n</body></html>\n");
	size_t len;
	char *page = buf_steal(&b, &len);
	enum MHD_Result ret = http_queue(c, MHD_HTTP_OK, "text/html; charset=utf-8", page, len);
	free(page);
	return ret;
}

static enum MHD_Result http_request_cb(void *cls, struct MHD_Connection *c, const char *url,
                                       const char *method, const char *version,
                                       const char *upload_data, size_t *upload_data_size,
                                       void **req_cls)
{
	(void)version;
	(void)upload_data;
	(void)req_cls;
	struct http_server *h = cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
		/* Answer at once; a request body is left unread and the connection closed. */
		*upload_data_size = 0;
		static const char msg[] = "method not allowed\n";
		return http_queue(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8", msg,
		                  sizeof msg - 1);
	}
	const struct http_doc *d = http_doc_find(h, url);
	if (d != NULL)
		return http_serve_doc(c, d);
	if (strcmp(url, "/healthz") == 0)
		return http_queue(c, MHD_HTTP_OK, "text/plain; charset=utf-8", "ok\n", 3);
	if (strcmp(url, "/") == 0)
		return http_serve_index(h, c);
	static const char msg[] = "not found\n";
	return http_queue(c, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8", msg, sizeof msg - 1);
}

/* Parses "HOST:PORT" into addr; -1 with a reason in err. */
static int http_parse_listen(const char *listen, struct sockaddr_storage *addr, socklen_t *addrlen,
                             char *err, size_t errlen)
{
	const char *colon;
	char host[64];
	memset(addr, 0, sizeof *addr);
	if (listen[0] == '[') {
		const char *close = strchr(listen, ']');
		if (close == NULL || close[1] != ':' ||
		    (size_t)(close - listen - 1) >= sizeof host) {
			snprintf(err, errlen, "%s: expected [IPv6]:PORT", listen);
			return -1;
		}
		memcpy(host, listen + 1, (size_t)(close - listen - 1));
		host[close - listen - 1] = '\0';
		colon = close + 1;
	} else {
		colon = strrchr(listen, ':');
		if (colon == NULL || (size_t)(colon - listen) >= sizeof host) {
			snprintf(err, errlen, "%s: expected HOST:PORT", listen);
			return -1;
		}
		memcpy(host, listen, (size_t)(colon - listen));
		host[colon - listen] = '\0';
	}
	char *end;
	errno = 0;
	unsigned long port = strtoul(colon + 1, &end, 10);
	if (colon[1] < '0' || colon[1] > '9' || *end != '\0' || errno != 0 || port > 65535) {
		snprintf(err, errlen, "%s: bad port", listen);
		return -1;
	}
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof host, "127.0.0.1");
	struct sockaddr_in *sin = (struct sockaddr_in *)addr;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)addr;
	if (listen[0] == '[' && inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		*addrlen = sizeof *sin6;
	} else if (listen[0] != '[' && inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		*addrlen = sizeof *sin;
	} else {
		snprintf(err, errlen, "%s: the host must be an IPv4 literal, [IPv6] or localhost",
		         listen);
		return -1;
	}
	return 0;
}

/* Listens on listen ("HOST:PORT"); NULL with a reason in err. */
struct http_server *http_start(struct ev_loop *loop, const char *listen, char *err, size_t errlen)
{
	struct sockaddr_storage addr;
	socklen_t addrlen;
	if (http_parse_listen(listen, &addr, &addrlen, err, errlen) == -1)
		return NULL;
	struct http_server *h = xcalloc(1, sizeof *h);
	h->loop = loop;
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	if (addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	errno = 0;
	h->starting = 1;
	/* The logger comes first so MHD reports everything through it. No address reuse
	 * (SO_REUSEPORT): a second daemon on the same port must fail, not share it. */
	h->mhd = MHD_start_daemon(flags, 0, NULL, NULL, http_request_cb, h,
	                          MHD_OPTION_EXTERNAL_LOGGER, http_log_cb, h, MHD_OPTION_SOCK_ADDR,
	                          (struct sockaddr *)&addr, MHD_OPTION_CONNECTION_LIMIT,
	                          (unsigned)HTTP_CONNECTION_LIMIT, MHD_OPTION_CONNECTION_TIMEOUT,
	                          (unsigned)HTTP_CONNECTION_TIMEOUT_S, MHD_OPTION_END);
	int start_errno = errno;
	h->starting = 0;
	(void)addrlen;
	if (h->mhd == NULL) {
		/* The errno MHD logged with (bind's, say) beats the one left after its
		 * clean-up; its message text is the last resort. */
		const char *reason = "libmicrohttpd refused to start";
		if (h->start_errno != 0)
			reason = strerror(h->start_errno);
		else if (start_errno != 0)
			reason = strerror(start_errno);
		else if (h->start_msg[0] != '\0')
			reason = h->start_msg;
		snprintf(err, errlen, "%s: cannot listen: %s", listen, reason);
		free(h);
		return NULL;
	}
	if (h->start_msg[0] != '\0')
		log_debug("http: %s", h->start_msg);
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	const union MHD_DaemonInfo *port = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_BIND_PORT);
	if (info == NULL || port == NULL) {
		snprintf(err, errlen, "%s: libmicrohttpd gives no epoll descriptor or port",
		         listen);
		MHD_stop_daemon(h->mhd);
		free(h);
		return NULL;
	}
	h->port = port->port;
	ev_io_init(&h->io, http_io_cb, info->epoll_fd, EV_READ);
	h->io.data = h;
	ev_io_start(loop, &h->io);
	ev_timer_init(&h->timer, http_timer_cb, 0., 0.);
	h->timer.data = h;
	http_run(h);
	return h;
}

static void http_doc_clear(struct http_doc *d)
{
	free(d->path);
	free(d->content_type);
	free(d->body);
}

void http_stop(struct http_server *h)
{
	if (h == NULL)
		return;
	ev_io_stop(h->loop, &h->io);
	ev_timer_stop(h->loop, &h->timer);
	MHD_stop_daemon(h->mhd);
	for (size_t i = 0; i < h->ndocs; i++)
		http_doc_clear(&h->docs[i]);
	free(h->docs);
	free(h);
}

unsigned http_port(const struct http_server *h)
{
	return h->port;
}

/* Serves a copy of body at path, replacing what was there. */
void http_set_document(struct http_server *h, const char *path, const char *content_type,
                       const char *body, size_t len, const char *gzip, size_t gzip_len,
                       int64_t last_modified)
{
	(void)gzip;
	(void)gzip_len;
	struct http_doc *d = http_doc_find(h, path);
	char etag[sizeof d->etag];
	snprintf(etag, sizeof etag, "\"%016llx\"", (unsigned long long)hash64(body, len));
	int64_t now = (int64_t)time(NULL);
	/* Never later than the Date header (RFC 9110 8.8.2.1). */
	if (last_modified == FEED_TIME_NONE || last_modified > now)
		last_modified = now;
	if (d != NULL) {
		/* New bytes with an unchanged date would let If-Modified-Since clients keep a
		 * stale copy: move Last-Modified on to now (one-second resolution is HTTP's). */
		if (strcmp(d->etag, etag) != 0 && last_modified <= d->last_modified)
			last_modified = now > d->last_modified ? now : d->last_modified;
		http_doc_clear(d);
	} else {
		h->docs = xreallocarray(h->docs, h->ndocs + 1, sizeof *h->docs);
		d = &h->docs[h->ndocs++];
	}
	d->path = xstrdup(path);
	d->content_type = xstrdup(content_type);
	d->body = xmalloc(len + 1);
	memcpy(d->body, body, len);
	d->body[len] = '\0';
	d->len = len;
	memcpy(d->etag, etag, sizeof etag);
	d->last_modified = last_modified;
	date_format_rfc822(last_modified, d->last_modified_str);
}
