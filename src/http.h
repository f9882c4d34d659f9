/* The built-in HTTP listener (libmicrohttpd driven by the libev loop): serves in-memory documents
 * with strong ETags, Last-Modified, 304s and a stored gzip variant. */
#ifndef FEEDMERGE_HTTP_H
#define FEEDMERGE_HTTP_H

#include <stddef.h>
#include <stdint.h>

struct ev_loop;
struct http_server;

/* Listens on "HOST:PORT" ("127.0.0.1:8080", "[::1]:8080", "localhost:0"); port 0 picks a free
 * port. NULL on failure with a one-line reason in err. */
struct http_server *http_start(struct ev_loop *loop, const char *listen, char *err, size_t errlen);
/* Closes the listener and every connection; frees h. NULL does nothing. */
void http_stop(struct http_server *h);
/* The port actually bound. */
unsigned http_port(const struct http_server *h);
/* Serves body (copied) at path, and gzip (copied; NULL: compressed by nobody, served plain)
 * as its Content-Encoding: gzip variant, replacing what was there. */
void http_set_document(struct http_server *h, const char *path, const char *content_type,
                       const char *body, size_t len, const char *gzip, size_t gzip_len,
                       int64_t last_modified);
/* Cache-Control max-age for documents (seconds; the daemon passes its shortest poll interval). */
void http_set_max_age(struct http_server *h, unsigned max_age_s);

/* A request for a dynamic document (any path but a stored document asked for without a query
 * string): the handler fills the reply. */
struct http_request;
/* The value of query parameter name, NULL when absent; valid during the handler. */
const char *http_request_arg(const struct http_request *r, const char *name);
/* True when the request carries a query string. */
int http_request_has_query(const struct http_request *r);

struct http_reply {
	unsigned status;          /* 200, 400, 404 */
	const char *content_type; /* borrowed, static or valid until the next call */
	const char *body;         /* borrowed: valid until the handler is called again */
	size_t len;
	const char *gzip; /* borrowed, NULL: none */
	size_t gzip_len;
	int64_t last_modified;     /* FEED_TIME_NONE: now */
	const char *cache_control; /* NULL: the documents' max-age; "no-store" for live data */
};
typedef void (*http_handler_cb)(void *data, const char *path, const struct http_request *req,
                                struct http_reply *reply);
/* Routes the paths under prefix ("/metrics" that path alone; "/g/" every path it starts;
 * "/" all) to cb; the longest prefix wins, and a 404 from it falls through to the built-in
 * /healthz and index. */
void http_add_handler(struct http_server *h, const char *prefix, http_handler_cb cb, void *data);
/* Removes every handler registered with data. */
void http_remove_handlers(struct http_server *h, void *data);

#endif
