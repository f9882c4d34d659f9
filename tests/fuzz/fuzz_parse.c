/* libFuzzer target: parse_feed() on arbitrary bytes, then the `parse` JSON of the result.
 * Build and run: tests/fuzz/build.sh (see tests/fuzz/README.md). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "feed.h"
#include "feed_json.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct parse_opts opts = {.url = "https://example.org/feed.xml"};
	char err[256];
	struct feed *f = parse_feed((const char *)data, size, &opts, err, sizeof err);
	if (f) {
		char *json = feed_json_new(f, 0);
		free(json);
		feed_free(f);
	}
	return 0;
}
