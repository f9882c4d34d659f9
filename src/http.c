/* The built-in HTTP listener: the only user of microhttpd.h.
 *
 * libmicrohttpd runs without a thread of its own (MHD_USE_EPOLL, external polling): its epoll
 * descriptor is watched by an ev_io on the daemon's one libev loop, MHD_run() is called when it
 * is readable, and after every run an ev_timer is re-armed from MHD_get_timeout() so idle
 * connections time out and work MHD left pending gets done. bench/README.md has the
 * measurements behind staying on the loop rather than using MHD's own threads.
 *
 * Each document is held as up to two representations (the identity bytes and, when the
 * publisher made one, a gzip copy), each with its own strong ETag (RFC 9110 8.8.3) and its own
 * pair of MHD_Response objects (200/HEAD and 304) built once in http_set_document and queued
 * for every request: a request copies nothing and allocates nothing. MHD counts references to
 * a response, and the bytes belong to a refcounted blob released by the last response using
 * them, so a document replaced while a connection is still sending the old bytes stays valid
 * until that send ends. */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
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
#include "http_fields.h"
#include "log.h"
#include "util.h"

/* Each connection costs a descriptor; 256 leaves room under the usual 1024 soft limit for
 * libcurl's transfers, SQLite and the rest, and is far above what feed readers need (they
 * poll, they do not stream). */
#define HTTP_CONNECTION_LIMIT 256
/* ... and one client address gets at most a quarter of them. Without this, one peer holding
 * 256 idle or slowly trickling connections (slowloris: every byte restarts the idle timeout)
 * starved every other reader, and one opening thousands kept the rest waiting in the kernel's
 * accept queue for as many idle timeouts (tests/integration/hostile-clients.sh). Connections
 * past it are closed at once, so that queue drains. 64 is still far more than a reverse proxy
 * in front needs for requests answered from memory. */
#define HTTP_PER_IP_CONNECTION_LIMIT (HTTP_CONNECTION_LIMIT / 4)
/* Idle keep-alive connections are closed after this: long enough for a reader fetching
 * /feed.atom then /feed.rss, short enough that idle sockets do not hold the limit above. */
#define HTTP_IDLE_TIMEOUT_S 15
/* Per connection, for the request line and header fields (and MHD's bookkeeping); larger
 * requests get 431 (or 414 for a long request line) from MHD itself. */
#define HTTP_MEMORY_LIMIT_BYTES (32 * 1024)
#define HTTP_MAX_AGE_DEFAULT_S 60
#define HTTP_ALLOW "GET, HEAD"
#define HTTP_VARY "Accept-Encoding"

/* A 304 is headers only (RFC 9112 6.3) and should carry no Content-Length. libmicrohttpd
 * 0.9.77 can build a response without a body size (MHD_RF_HEAD_ONLY_RESPONSE). 0.9.75 (Debian
 * 12) adds a Content-Length to every response of known size and has no other way: chunked
 * framing instead would be worse. Of the two values left, the 200's length is what RFC 9110
 * 8.6 allows, but clients that frame a 304 by its Content-Length (wrk's parser, older
 * http_parser users) then wait for a body that never comes, until our idle timeout; 0 is read
 * right by every client and ignored by caches (RFC 9111 3.2 never updates Content-Length from
 * a 304). So 0 here, none with a newer library. */
#if MHD_VERSION >= 0x00097701
#define HTTP_EMPTY_304 1
#else
#define HTTP_EMPTY_304 0
#endif

enum http_rep_kind { HTTP_REP_IDENTITY, HTTP_REP_GZIP, HTTP_NREPS };

/* Bytes shared by the responses that serve them; freed with the last reference (which may be
 * MHD's, after the document was replaced). */
struct http_blob {
	atomic_size_t refs;
	size_t len;
	char data[];
};

/* One representation of a document. */
struct http_rep {
	struct http_blob *blob;  /* a reference; NULL: this representation is not served */
	char etag[32];           /* "<16 hex>" or "<16 hex>-gz", quotes included */
	struct MHD_Response *ok; /* a reference: the 200 (and HEAD) */
	struct MHD_Response *not_modified; /* a reference: the 304 */
};

struct http_doc {
	char *path;                /* owned */
	char *content_type;        /* owned */
	const char *cache_control; /* static; NULL: the server's max-age */
	int64_t last_modified;
	char last_modified_str[DATE_RFC822_SIZE];
	struct http_rep reps[HTTP_NREPS];
};

struct http_server {
	struct ev_loop *loop; /* borrowed */
	struct MHD_Daemon *mhd;
	ev_io io;       /* MHD's epoll descriptor */
	ev_timer timer; /* MHD_get_timeout() */
	struct http_doc *docs;
	size_t ndocs;
	unsigned port;
	unsigned max_age_s;
	char cache_control[32];        /* "max-age=N" */
	struct http_handler *handlers; /* owned: dynamic documents, by path prefix */
	size_t nhandlers;
	/* Inside MHD_start_daemon: MHD's last message and the errno it came with, kept for
	 * http_start's one-line reason instead of being logged. */
	int starting;
	int start_errno;
	char start_msg[512];
};

/* The request context MHD keeps between the two calls of http_request_cb: its address only
 * says "the headers were seen". */
static char http_seen_headers;

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

static struct http_blob *http_blob_new(const char *data, size_t len)
{
	struct http_blob *b = xmalloc(sizeof *b + len + 1);
	atomic_init(&b->refs, 1);
	b->len = len;
	memcpy(b->data, data, len);
	b->data[len] = '\0';
	return b;
}

static void http_blob_unref(void *cls)
{
	struct http_blob *b = cls;
	if (b != NULL && atomic_fetch_sub(&b->refs, 1) == 1)
		free(b);
}

static void http_add_header(struct MHD_Response *r, const char *name, const char *value)
{
	if (MHD_add_response_header(r, name, value) != MHD_YES)
		fatalx("http: cannot add the %s header", name);
}

/* The fields a 200 and its 304 share (RFC 9110 15.4.5: a 304 repeats ETag, Cache-Control and
 * Vary; Last-Modified helps caches that only keep dates). */
static void http_add_validators(const struct http_server *h, const struct http_doc *d,
                                const struct http_rep *rep, struct MHD_Response *r)
{
	http_add_header(r, MHD_HTTP_HEADER_ETAG, rep->etag);
	http_add_header(r, MHD_HTTP_HEADER_LAST_MODIFIED, d->last_modified_str);
	http_add_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
	                d->cache_control != NULL ? d->cache_control : h->cache_control);
	http_add_header(r, MHD_HTTP_HEADER_VARY, HTTP_VARY);
}

static void http_rep_release(struct http_rep *rep)
{
	if (rep->ok != NULL)
		MHD_destroy_response(rep->ok);
	if (rep->not_modified != NULL)
		MHD_destroy_response(rep->not_modified);
	rep->ok = rep->not_modified = NULL;
}

/* (Re)builds the two responses of each representation of d from its blobs. */
static void http_doc_build(const struct http_server *h, struct http_doc *d)
{
	for (int k = 0; k < HTTP_NREPS; k++) {
		struct http_rep *rep = &d->reps[k];
		http_rep_release(rep);
		if (rep->blob == NULL)
			continue;
		atomic_fetch_add(&rep->blob->refs, 1);
		rep->ok = MHD_create_response_from_buffer_with_free_callback_cls(
		    rep->blob->len, rep->blob->data, http_blob_unref, rep->blob);
		if (rep->ok == NULL)
			fatalx("http: cannot create a response for %s", d->path);
		http_add_header(rep->ok, MHD_HTTP_HEADER_CONTENT_TYPE, d->content_type);
		if (k == HTTP_REP_GZIP)
			http_add_header(rep->ok, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
		http_add_validators(h, d, rep, rep->ok);
#if HTTP_EMPTY_304
		rep->not_modified = MHD_create_response_empty(MHD_RF_HEAD_ONLY_RESPONSE);
#else
		rep->not_modified = MHD_create_response_from_buffer(0, (void *)(uintptr_t) "",
		                                                    MHD_RESPMEM_PERSISTENT);
#endif
		if (rep->not_modified == NULL)
			fatalx("http: cannot create a response for %s", d->path);
		http_add_validators(h, d, rep, rep->not_modified);
	}
}

static void http_doc_clear(struct http_doc *d)
{
	for (int k = 0; k < HTTP_NREPS; k++) {
		http_rep_release(&d->reps[k]);
		http_blob_unref(d->reps[k].blob);
		d->reps[k].blob = NULL;
	}
	free(d->path);
	free(d->content_type);
}

static struct http_doc *http_doc_find(struct http_server *h, const char *path)
{
	for (size_t i = 0; i < h->ndocs; i++)
		if (strcmp(h->docs[i].path, path) == 0)
			return &h->docs[i];
	return NULL;
}

/* What a request's header fields say about one document. */
struct http_conditions {
	const struct http_doc *d;
	int inm_present;       /* some If-None-Match field */
	struct http_inm inm;   /* bit k of inm.matched: reps[k]'s ETag listed */
	const char *ims;       /* If-Modified-Since, or NULL */
	int ae_present;        /* some Accept-Encoding field */
	struct http_accept ae; /* qvalues in thousandths; -1: not listed */
};

/* Collects the fields that choose the response; a list may span several fields. */
static enum MHD_Result http_header_cb(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
	(void)kind;
	struct http_conditions *c = cls;
	if (key == NULL || value == NULL)
		return MHD_YES;
	if (strcasecmp(key, MHD_HTTP_HEADER_IF_NONE_MATCH) == 0) {
		c->inm_present = 1;
		const char *etags[HTTP_NREPS];
		for (int k = 0; k < HTTP_NREPS; k++)
			etags[k] = c->d->reps[k].blob != NULL ? c->d->reps[k].etag : NULL;
		http_inm_field(&c->inm, value, etags, HTTP_NREPS);
	} else if (strcasecmp(key, MHD_HTTP_HEADER_IF_MODIFIED_SINCE) == 0) {
		if (c->ims == NULL)
			c->ims = value;
	} else if (strcasecmp(key, MHD_HTTP_HEADER_ACCEPT_ENCODING) == 0) {
		c->ae_present = 1;
		http_accept_field(&c->ae, value);
	}
	return MHD_YES;
}

/* The representation to send: gzip when the document has one and Accept-Encoding gives it a
 * nonzero qvalue ("*" covers codings not listed), unless identity is listed with a higher
 * one (RFC 9110 12.5.3). Without the field, identity: a client that says nothing may not
 * decode anything. */
static enum http_rep_kind http_choose(const struct http_conditions *c)
{
	if (c->d->reps[HTTP_REP_GZIP].blob == NULL || !c->ae_present)
		return HTTP_REP_IDENTITY;
	int q_gzip = c->ae.q_gzip >= 0 ? c->ae.q_gzip : c->ae.q_star >= 0 ? c->ae.q_star : 0;
	return q_gzip > 0 && q_gzip >= c->ae.q_identity ? HTTP_REP_GZIP : HTTP_REP_IDENTITY;
}

static enum MHD_Result http_serve_doc(struct MHD_Connection *conn, const struct http_doc *d)
{
	struct http_conditions c = {.d = d, .ae = HTTP_ACCEPT_INIT};
	MHD_get_connection_values(conn, MHD_HEADER_KIND, http_header_cb, &c);
	enum http_rep_kind k = http_choose(&c);
	int not_modified = 0;
	if (c.inm_present) {
		/* If-None-Match decides alone (RFC 9110 13.2.2). A client may hold either
		 * representation: the 304 names the one its validator matched, so a cache
		 * freshens what it has. */
		if (c.inm.star || (c.inm.matched & (1u << k))) {
			not_modified = 1;
		} else if (c.inm.matched != 0) {
			not_modified = 1;
			k = (c.inm.matched & (1u << HTTP_REP_GZIP)) ? HTTP_REP_GZIP
			                                            : HTTP_REP_IDENTITY;
		}
	} else if (c.ims != NULL) {
		int64_t t;
		if (date_parse(c.ims, NULL, &t) == 0 && d->last_modified <= t)
			not_modified = 1;
	}
	const struct http_rep *rep = &d->reps[k];
	return not_modified ? MHD_queue_response(conn, MHD_HTTP_NOT_MODIFIED, rep->not_modified)
	                    : MHD_queue_response(conn, MHD_HTTP_OK, rep->ok);
}

/* Small generated replies (errors, /healthz, the index): copied per request, as they are
 * neither large nor frequent. */
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

struct http_request {
	struct MHD_Connection *c;
};

/* Who renders the paths under a prefix ("/metrics": that path; "/": every path). */
struct http_handler {
	char *prefix; /* owned */
	http_handler_cb cb;
	void *data;
};

const char *http_request_arg(const struct http_request *r, const char *name)
{
	return MHD_lookup_connection_value(r->c, MHD_GET_ARGUMENT_KIND, name);
}

int http_request_has_query(const struct http_request *r)
{
	return MHD_get_connection_values(r->c, MHD_GET_ARGUMENT_KIND, NULL, NULL) > 0;
}

void http_add_handler(struct http_server *h, const char *prefix, http_handler_cb cb, void *data)
{
	h->handlers = xreallocarray(h->handlers, h->nhandlers + 1, sizeof *h->handlers);
	h->handlers[h->nhandlers++] = (struct http_handler){xstrdup(prefix), cb, data};
}

void http_remove_handlers(struct http_server *h, void *data)
{
	size_t k = 0;
	for (size_t i = 0; i < h->nhandlers; i++) {
		if (h->handlers[i].data == data)
			free(h->handlers[i].prefix);
		else
			h->handlers[k++] = h->handlers[i];
	}
	h->nhandlers = k;
}

/* The handler of path: the longest prefix that is the path itself, or ends with '/' and
 * starts it; NULL when none. */
static const struct http_handler *http_handler_find(const struct http_server *h, const char *path)
{
	const struct http_handler *best = NULL;
	size_t best_len = 0;
	for (size_t i = 0; i < h->nhandlers; i++) {
		const char *p = h->handlers[i].prefix;
		size_t n = strlen(p);
		int match =
		    strcmp(p, path) == 0 || (n > 0 && p[n - 1] == '/' && strncmp(p, path, n) == 0);
		if (match && (best == NULL || n > best_len)) {
			best = &h->handlers[i];
			best_len = n;
		}
	}
	return best;
}

/* Asks the handler for path. A 200 is served like a stored document (validators, 304s,
 * gzip), through a document made for this one request; anything else as a short text.
 * Returns MHD_NO with *answered 0 when the handler does not know the path (404). */
static enum MHD_Result http_serve_dynamic(struct http_server *h, struct MHD_Connection *c,
                                          const struct http_handler *hd, const char *path,
                                          int *answered)
{
	struct http_request req = {c};
	struct http_reply reply = {404, NULL, NULL, 0, NULL, 0, FEED_TIME_NONE, NULL};
	hd->cb(hd->data, path, &req, &reply);
	*answered = reply.status != MHD_HTTP_NOT_FOUND;
	if (!*answered)
		return MHD_NO;
	if (reply.status != MHD_HTTP_OK)
		return http_queue(c, reply.status, reply.content_type, reply.body, reply.len);
	struct http_doc d;
	memset(&d, 0, sizeof d);
	d.path = xstrdup(path);
	d.content_type = xstrdup(reply.content_type);
	d.cache_control = reply.cache_control;
	int64_t now = (int64_t)time(NULL);
	d.last_modified = reply.last_modified == FEED_TIME_NONE || reply.last_modified > now
	                      ? now
	                      : reply.last_modified;
	date_format_rfc822(d.last_modified, d.last_modified_str);
	d.reps[HTTP_REP_IDENTITY].blob = http_blob_new(reply.body, reply.len);
	snprintf(d.reps[HTTP_REP_IDENTITY].etag, sizeof d.reps[0].etag, "\"%016llx\"",
	         (unsigned long long)hash64(reply.body, reply.len));
	if (reply.gzip != NULL) {
		d.reps[HTTP_REP_GZIP].blob = http_blob_new(reply.gzip, reply.gzip_len);
		snprintf(d.reps[HTTP_REP_GZIP].etag, sizeof d.reps[0].etag, "\"%016llx-gz\"",
		         (unsigned long long)hash64(reply.gzip, reply.gzip_len));
	}
	http_doc_build(h, &d);
	enum MHD_Result ret = http_serve_doc(c, &d);
	http_doc_clear(&d); /* MHD keeps its references while it sends */
	return ret;
}

/* MHD calls this at least twice per request: once the header fields are in, then (after any
 * body) once more, when the request is complete. A response queued in the first call makes
 * MHD stop reading the connection and close it ("Connection: close" on every response was
 * that), so GET and HEAD are answered in the last call, which keeps the connection alive. */
static enum MHD_Result http_request_cb(void *cls, struct MHD_Connection *c, const char *url,
                                       const char *method, const char *version,
                                       const char *upload_data, size_t *upload_data_size,
                                       void **req_cls)
{
	(void)version;
	(void)upload_data;
	struct http_server *h = cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
		/* Answered at once, on purpose: the request body is left unread and the
		 * connection closed. */
		*upload_data_size = 0;
		static const char msg[] = "method not allowed\n";
		return http_queue(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8", msg,
		                  sizeof msg - 1);
	}
	if (*req_cls == NULL) {
		*req_cls = &http_seen_headers;
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		*upload_data_size = 0; /* a GET with a body: ignored */
		return MHD_YES;
	}
	/* url is the path alone: MHD has taken off any query. A stored document is the
	 * answer without one; with one (?limit=, ?since=) the handler renders it. */
	struct http_request req = {c};
	const struct http_doc *d = http_doc_find(h, url);
	const struct http_handler *hd = http_handler_find(h, url);
	if (d != NULL && (hd == NULL || !http_request_has_query(&req)))
		return http_serve_doc(c, d);
	if (hd != NULL) {
		int answered;
		enum MHD_Result ret = http_serve_dynamic(h, c, hd, url, &answered);
		if (answered)
			return ret;
	}
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
	const char *why = parse_listen_addr(listen, addr, addrlen);
	if (why == NULL)
		return 0;
	snprintf(err, errlen, "%s: %s", listen, why);
	return -1;
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
	h->max_age_s = HTTP_MAX_AGE_DEFAULT_S;
	snprintf(h->cache_control, sizeof h->cache_control, "max-age=%u", h->max_age_s);
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	if (addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	errno = 0;
	h->starting = 1;
	/* The logger comes first so MHD reports everything through it. No address reuse
	 * (SO_REUSEPORT): a second daemon on the same port must fail, not share it. */
	h->mhd = MHD_start_daemon(
	    flags, 0, NULL, NULL, http_request_cb, h, MHD_OPTION_EXTERNAL_LOGGER, http_log_cb, h,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned)HTTP_CONNECTION_LIMIT, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    (unsigned)HTTP_PER_IP_CONNECTION_LIMIT, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned)HTTP_IDLE_TIMEOUT_S, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)HTTP_MEMORY_LIMIT_BYTES, MHD_OPTION_END);
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

/* Stops MHD (closing its connections, which drops their response references), then the
 * documents. */
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
	for (size_t i = 0; i < h->nhandlers; i++)
		free(h->handlers[i].prefix);
	free(h->handlers);
	free(h);
}

/* The port bound, useful when the config said 0. */
unsigned http_port(const struct http_server *h)
{
	return h->port;
}

/* Cache-Control max-age for every document, those already served included. */
void http_set_max_age(struct http_server *h, unsigned max_age_s)
{
	if (h->max_age_s == max_age_s)
		return;
	h->max_age_s = max_age_s;
	snprintf(h->cache_control, sizeof h->cache_control, "max-age=%u", max_age_s);
	for (size_t i = 0; i < h->ndocs; i++)
		http_doc_build(h, &h->docs[i]);
}

/* Serves copies of body and gzip at path, replacing what was there. */
void http_set_document(struct http_server *h, const char *path, const char *content_type,
                       const char *body, size_t len, const char *gzip, size_t gzip_len,
                       int64_t last_modified)
{
	struct http_doc *d = http_doc_find(h, path);
	char etag[sizeof d->reps[0].etag];
	snprintf(etag, sizeof etag, "\"%016llx\"", (unsigned long long)hash64(body, len));
	int64_t now = (int64_t)time(NULL);
	/* Never later than the Date header (RFC 9110 8.8.2.1). */
	if (last_modified == FEED_TIME_NONE || last_modified > now)
		last_modified = now;
	if (d != NULL) {
		/* New bytes with an unchanged date would let If-Modified-Since clients keep a
		 * stale copy: move Last-Modified on to now (one-second resolution is HTTP's). */
		if (strcmp(d->reps[HTTP_REP_IDENTITY].etag, etag) != 0 &&
		    last_modified <= d->last_modified)
			last_modified = now > d->last_modified ? now : d->last_modified;
		/* Connections sending the old bytes keep their references. */
		http_doc_clear(d);
	} else {
		h->docs = xreallocarray(h->docs, h->ndocs + 1, sizeof *h->docs);
		d = &h->docs[h->ndocs++];
	}
	memset(d, 0, sizeof *d);
	d->path = xstrdup(path);
	d->content_type = xstrdup(content_type);
	d->last_modified = last_modified;
	date_format_rfc822(last_modified, d->last_modified_str);
	struct http_rep *plain = &d->reps[HTTP_REP_IDENTITY];
	plain->blob = http_blob_new(body, len);
	memcpy(plain->etag, etag, sizeof etag);
	if (gzip != NULL) {
		/* The gzip bytes are a representation of their own: their own strong ETag. */
		struct http_rep *gz = &d->reps[HTTP_REP_GZIP];
		gz->blob = http_blob_new(gzip, gzip_len);
		snprintf(gz->etag, sizeof gz->etag, "\"%016llx-gz\"",
		         (unsigned long long)hash64(gzip, gzip_len));
	}
	http_doc_build(h, d);
}
