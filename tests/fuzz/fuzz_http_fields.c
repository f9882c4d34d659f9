/* libFuzzer target: the parts of a request the listener parses itself (libmicrohttpd splits the
 * request into a path and fields; their values are ours). The input, up to its first NUL (as
 * MHD hands values over), is read as an Accept-Encoding field value (http_accept_field), an
 * If-None-Match field value against the two ETags a document has (http_inm_field), a qvalue
 * (http_qvalue) and a request path (publish_parse_path). Aborts when a result is out of its
 * range: a qvalue outside 0-1000 or given for text that is not one, a match bit for no ETag, a
 * path parsed into a name with '/' or an unknown format. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_fields.h"
#include "publish.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *in)
{
	fprintf(stderr, "%s\nin: %s\n", what, in);
	abort();
}

/* True when the n bytes at p are a qvalue by RFC 9110's grammar (0[.ddd] or 1[.000]). */
static int is_qvalue(const char *p, size_t n)
{
	if (n == 0 || n > 5 || (p[0] != '0' && p[0] != '1'))
		return 0;
	if (n == 1)
		return 1;
	if (p[1] != '.')
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < '0' || p[i] > '9' || (p[0] == '1' && p[i] != '0'))
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	size_t n = strlen(s);

	int q = http_qvalue(s, n);
	if (q < -1 || q > 1000 || (q >= 0) != is_qvalue(s, n))
		fail("http_qvalue out of range or wrong about the grammar", s);

	struct http_accept a = HTTP_ACCEPT_INIT;
	http_accept_field(&a, s);
	http_accept_field(&a, s); /* a second field with the same list changes nothing */
	if (a.q_gzip < -1 || a.q_gzip > 1000 || a.q_identity < -1 || a.q_identity > 1000 ||
	    a.q_star < -1 || a.q_star > 1000)
		fail("Accept-Encoding qvalue out of range", s);

	static const char *const etags[] = {"\"0123456789abcdef\"", NULL,
	                                    "\"0123456789abcdef-gz\""};
	struct http_inm m = {0, 0};
	http_inm_field(&m, s, etags, 3);
	if ((m.matched & ~5u) != 0)
		fail("If-None-Match matched an ETag the document does not have", s);
	if ((m.matched & 1u) && strstr(s, etags[0]) == NULL)
		fail("If-None-Match matched an ETag it does not list", s);
	if ((m.matched & 4u) && strstr(s, etags[2]) == NULL)
		fail("If-None-Match matched an ETag it does not list", s);

	struct publish_request rq;
	if (publish_parse_path(s, &rq) == 0) {
		if (rq.output > 3 || strchr(rq.name, '/') != NULL ||
		    strlen(rq.name) >= sizeof rq.name || rq.prefix_kind == NULL ||
		    (strcmp(rq.prefix_kind, "") != 0 && strcmp(rq.prefix_kind, "g") != 0 &&
		     strcmp(rq.prefix_kind, "s") != 0 && strcmp(rq.prefix_kind, "archive") != 0))
			fail("publish_parse_path accepted a path into a bad request", s);
		if (rq.prefix_kind[0] != '\0' && rq.name[0] == '\0')
			fail("publish_parse_path accepted an empty name", s);
	}
	free(s);
	return 0;
}
