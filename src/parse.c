/* STUB: replaced by the parser. */
#include "autoconf.h"
#include <stdio.h>
#include "parse.h"
struct feed *parse_feed(const char *data, size_t len, const struct parse_opts *opts, char *err,
                        size_t errlen)
{
	(void)data;
	(void)len;
	(void)opts;
	snprintf(err, errlen, "parser not written yet");
	return NULL;
}
