/* The built-in HTTP listener (libmicrohttpd driven by the libev loop): serves in-memory documents
 * with strong ETags, Last-Modified, 304s and a stored gzip variant. */
#ifndef FEEDMERGE_HTTP_H
#define FEEDMERGE_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "gzip.h" /* http_gzip(), for callers making the gzip variant */

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

#endif
