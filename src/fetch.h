/* Transfers: libcurl's multi_socket interface driven by the libev loop, in one thread. */
#ifndef FEEDMERGE_FETCH_H
#define FEEDMERGE_FETCH_H

#include <stddef.h>
#include <stdint.h>

struct ev_loop;
struct fetcher;

struct fetch_opts {
	unsigned concurrency; /* transfers at once, in all */
	int64_t timeout_s;
	int64_t max_size_bytes; /* largest decoded body */
	const char *user_agent;
};

struct fetch_request {
	const char *url;
	const char *etag;          /* NULL, or sent as If-None-Match */
	const char *last_modified; /* NULL, or sent as If-Modified-Since */
	void *userdata;            /* handed back in the result */
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
/* Transfers queued or running; inside done, the transfer being reported no longer counts. */
size_t fetch_pending(const struct fetcher *f);

#endif
