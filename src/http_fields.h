/* The request header fields the listener reads itself: libmicrohttpd splits the request into
 * fields, and their values (Accept-Encoding, If-None-Match) are parsed here. Pure functions
 * over one field value each, so tests/fuzz/fuzz_http_fields.c can reach them without a socket.
 */
#ifndef FEEDMERGE_HTTP_FIELDS_H
#define FEEDMERGE_HTTP_FIELDS_H

#include <stddef.h>

/* A qvalue ("1", "0.5", "1.000"), the n bytes at p, in thousandths; -1 if malformed (RFC 9110
 * 12.4.2). */
int http_qvalue(const char *p, size_t n);

/* What the Accept-Encoding fields of a request say: qvalues in thousandths, -1 when the coding
 * is not listed. Start from HTTP_ACCEPT_INIT; a list may span several fields. */
struct http_accept {
	int q_gzip; /* gzip or x-gzip, the highest given */
	int q_identity;
	int q_star;
};
#define HTTP_ACCEPT_INIT                                                                           \
	{                                                                                          \
		-1, -1, -1                                                                         \
	}
/* Reads one Accept-Encoding field value ("gzip, deflate;q=0.5, *;q=0") into a. An element
 * whose qvalue cannot be read says nothing. */
void http_accept_field(struct http_accept *a, const char *value);

/* What the If-None-Match fields of a request say. Start from {0}. */
struct http_inm {
	int star;         /* If-None-Match: * */
	unsigned matched; /* bit k: etags[k] listed */
};
/* Reads one If-None-Match field value: sets bit k of m->matched for each etags[k] (with its
 * quotes; NULL entries skipped, at most 32) that the value lists, compared weakly (W/ ignored,
 * RFC 9110 13.1.2). A malformed list stops there. */
void http_inm_field(struct http_inm *m, const char *value, const char *const *etags, size_t netags);

#endif
