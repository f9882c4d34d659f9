/* libFuzzer target: url_resolve(base, ref) where the input is "base\0ref" (no NUL: base is
 * NULL and the whole input is ref), then url_canonical() of the result and of both halves. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void canon(const char *s)
{
	if (!s)
		return;
	char *c = url_canonical(s);
	if (c) {
		/* the canonical form is a fixed point */
		char *c2 = url_canonical(c);
		free(c2);
	}
	free(c);
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
	canon(r);
	canon(base);
	canon(ref);
	free(r);
	free(buf);
	return 0;
}
