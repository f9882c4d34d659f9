/* libFuzzer target: url_resolve(base, ref) where the input is "base\0ref" (no NUL: base is
 * NULL and the whole input is ref), then, for the result and both halves: url_canonical()
 * (aborts unless its result is a fixed point), the story keys of the canonical link
 * (url_story_key: fold 0 must give the link back; every fold keeps it a URL of the same
 * kind), url_public_dup() (aborts when an http(s) URL keeps its user:password@ there: that is
 * what the daemon logs and publishes), url_host_dup() and the predicates. An http(s) URL's
 * canonical form must also be what libcurl's URL API alone gives (url_canonical_reference):
 * plain links take a path of their own. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *in, const char *out)
{
	fprintf(stderr, "%s\nin:  %s\nout: %s\n", what, in, out ? out : "(null)");
	abort();
}

static void story_keys(const char *canonical)
{
	for (unsigned fold = 0; fold <= (URL_FOLD_SCHEME | URL_FOLD_WWW); fold++) {
		char *k = url_story_key(canonical, fold);
		if (k == NULL)
			fail("url_story_key gave NULL", canonical, NULL);
		if (fold == 0 && strcmp(k, canonical) != 0)
			fail("url_story_key without folding changed the link", canonical, k);
		if (url_is_http(canonical) != url_is_http(k))
			fail("url_story_key changed the kind of URL", canonical, k);
		if ((fold & URL_FOLD_SCHEME) && url_is_http(k) && strncmp(k, "http://", 7) != 0)
			fail("url_story_key did not fold the scheme", canonical, k);
		free(k);
	}
}

static void check(const char *s)
{
	if (s == NULL)
		return;
	char *c = url_canonical(s);
	/* The fast path for plain links must give what libcurl's URL API gives. */
	if (url_is_http(s)) {
		char *ref = url_canonical_reference(s, NULL);
		if ((c == NULL) != (ref == NULL) || (c != NULL && strcmp(c, ref) != 0)) {
			fprintf(stderr, "the plain-link path differs from libcurl's\nin:  %s\n", s);
			fail("", c, ref);
		}
		free(ref);
	}
	if (c != NULL) {
		char *c2 = url_canonical(c);
		if (c2 == NULL || strcmp(c, c2) != 0) {
			fprintf(stderr, "canonical form is not a fixed point\nin:     %s\n", s);
			fail("", c, c2);
		}
		free(c2);
		story_keys(c);
	}
	free(c);
	char *pub = url_public_dup(s);
	char *host = url_host_dup(s);
	if (pub == NULL)
		fail("url_public_dup gave NULL", s, NULL);
	/* libcurl reads it (it has a host), so the credentials must have gone */
	if (url_is_http(s) && host != NULL && url_has_userinfo(pub))
		fail("url_public_dup kept the credentials", s, pub);
	free(host);
	free(pub);
	(void)url_is_absolute(s);
	(void)url_is_http(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	const char *base = NULL, *ref = buf;
	char *nul = memchr(buf, '\0', size);
	if (nul) {
		base = buf;
		ref = nul + 1;
	}
	char *r = url_resolve(base, ref);
	if (r == NULL)
		fail("url_resolve gave NULL", ref, NULL);
	check(r);
	check(base);
	check(ref);
	free(r);
	free(buf);
	return 0;
}
