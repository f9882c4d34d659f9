/* Transfers: libcurl's multi_socket interface driven by the libev loop, in one thread. */
#ifndef FEEDMERGE_FETCH_H
#define FEEDMERGE_FETCH_H

#include <stddef.h>
#include <stdint.h>

struct ev_loop;
struct fetcher;

struct fetch_opts {
	unsigned concurrency;      /* transfers at once, in all */
	unsigned per_host;         /* transfers at once to one host; the rest wait their turn */
	int64_t timeout_s;         /* a whole transfer */
	int64_t connect_timeout_s; /* name lookup and connect */
	int64_t max_size_bytes;    /* largest decoded body */
	long max_redirects;
	const char *user_agent;
	const char *proxy; /* NULL: libcurl's environment variables (http_proxy, ...) */
};

struct fetch_request {
	const char *url;
	const char *etag;           /* NULL, or sent as If-None-Match */
	const char *last_modified;  /* NULL, or sent as If-Modified-Since */
	const char *user_agent;     /* NULL: the fetcher's */
	const char *const *headers; /* extra "Name: value" lines */
	size_t nheaders;
	const char *userpwd; /* NULL, or "user:password" for HTTP authentication */
	int tls_verify;      /* 0: no certificate checks (the operator said so) */
	void *userdata;      /* handed back in the result */
};

/* What kind of failure a transfer met, for the scheduler's backoff and the status. */
enum fetch_error_class {
	FETCH_OK,
	FETCH_ERR_DNS,      /* the name did not resolve */
	FETCH_ERR_CONNECT,  /* refused, reset, unreachable */
	FETCH_ERR_TIMEOUT,  /* name lookup, connect or transfer took too long */
	FETCH_ERR_TLS,      /* handshake or certificate */
	FETCH_ERR_HTTP,     /* a status other than 2xx and 304 */
	FETCH_ERR_TOO_BIG,  /* over max_size */
	FETCH_ERR_REDIRECT, /* too many redirects, a loop, a scheme other than http(s) */
	FETCH_ERR_OTHER
};

/* Everything here is borrowed: valid only during the callback. */
struct fetch_result {
	void *userdata;
	const char *url;
	const char *effective_url; /* after redirects */
	long status;               /* HTTP status, 0 when no response */
	int not_modified;          /* a 304 */
	/* NULL on success (2xx with a complete body, or 304); else one line: "HTTP 503",
	 * "connection refused (…)", "timed out after 30s (…)", "body larger than max_size (10M)".
	 * A failed or cut-off transfer has no body and no validators. */
	const char *error;
	const char *body; /* the decoded body of a 2xx, NUL-terminated; NULL otherwise */
	size_t len;
	const char *content_type;  /* of the final response in a redirect chain, or NULL */
	const char *etag;          /* likewise */
	const char *last_modified; /* likewise */
	int64_t retry_after_s;     /* a 429's or 503's Retry-After in seconds from now, else 0 */
	enum fetch_error_class error_class;
	int early_retry_ok;     /* a connection-level failure (refused, reset, name lookup) */
	int bot_wall;           /* a 403, 429 or 503 whose body is a bot-protection challenge */
	long redirects;         /* hops followed */
	int permanent_redirect; /* redirects > 0 and every hop was a 301 or 308 */
	int64_t max_age_s;      /* Cache-Control max-age (else Expires - Date) of the final
	                         * response, -1 when it says nothing */
	double duration_s;      /* the whole transfer, redirects included; 0 if it never started */
	int64_t bytes_received; /* body bytes as they came over the wire (before decoding) */
};

typedef void (*fetch_done_cb)(void *ctx, const struct fetch_result *r);

/* A fetcher on loop; done is called once for every transfer that completes or fails. */
struct fetcher *fetch_new(struct ev_loop *loop, const struct fetch_opts *opts, fetch_done_cb done,
                          void *ctx);
/* Aborts every transfer still running (without calling done) and frees. */
void fetch_free(struct fetcher *f);
/* Queues a transfer; it starts as soon as a slot is free. The request's strings are copied. */
void fetch_start(struct fetcher *f, const struct fetch_request *req);
/* Aborts every transfer queued or running for userdata; done is not called for them, and
 * nothing of them is kept. Returns how many there were. */
size_t fetch_cancel(struct fetcher *f, const void *userdata);
/* New options for the transfers started from now on; running transfers keep theirs. */
void fetch_set_opts(struct fetcher *f, const struct fetch_opts *opts);
/* Whether a response body is a bot-protection challenge page (Cloudflare, Sucuri, ...). */
int fetch_is_bot_wall(const char *body, size_t len);
/* Seconds a response may be cached from its Cache-Control and Expires/Date header values
 * (each may be NULL); -1 when they say nothing usable. */
int64_t fetch_max_age_s(const char *cache_control, const char *expires, const char *date);
/* Transfers queued or running; inside done, the transfer being reported no longer counts. */
size_t fetch_pending(const struct fetcher *f);

#endif
