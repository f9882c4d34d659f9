/* libFuzzer target: parse_feed() on arbitrary bytes, then the `parse` JSON of the result; and
 * the same with libxml2 reading all character data (parse_opts.libxml2_only), which must give
 * the same JSON and the same warning: the direct reads (parse_direct.c) may change the speed,
 * never the result. A difference aborts with both results on stderr.
 * Build and run: tests/fuzz/build.sh (see tests/fuzz/README.md). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "feed_json.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The JSON of the parse (NULL when refused); the warning or error in err. */
static char *parse_to_json(const uint8_t *data, size_t size, int libxml2_only, char *err,
                           size_t errlen)
{
	struct parse_opts opts = {.url = "https://example.org/feed.xml",
	                          .libxml2_only = libxml2_only};
	struct feed *f = parse_feed((const char *)data, size, &opts, err, errlen);
	if (f == NULL)
		return NULL;
	char *json = feed_json_new(f, 0);
	feed_free(f);
	return json;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err_d[256], err_p[256];
	char *jd = parse_to_json(data, size, 0, err_d, sizeof err_d);
	char *jp = parse_to_json(data, size, 1, err_p, sizeof err_p);
	int same = strcmp(err_d, err_p) == 0 && ((jd == NULL && jp == NULL) ||
	                                         (jd != NULL && jp != NULL && strcmp(jd, jp) == 0));
	if (!same) {
		fprintf(stderr,
		        "direct reads changed the result\ndirect:  %s\n%s\nlibxml2: %s\n%s\n",
		        err_d, jd ? jd : "(refused)", err_p, jp ? jp : "(refused)");
		abort();
	}
	free(jd);
	free(jp);
	return 0;
}
