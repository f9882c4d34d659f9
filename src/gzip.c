/* gzip compression for the listener's stored variants.
 *
 * Level 9 and the default memLevel: a document is compressed once per render and then served
 * many times, so CPU spent here is repaid by every response. The output is one gzip member
 * (windowBits 15 + 16), which is what Content-Encoding: gzip means (RFC 9110 8.4.1.3). */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>

#include <zlib.h>

#include "gzip.h"
#include "util.h"

/* Compresses in into a gzip member; the caller frees *out. */
int gzip_compress(const char *in, size_t len, char **out, size_t *out_len)
{
	*out = NULL;
	*out_len = 0;
	/* zlib counts in uInt; our documents are far below 4 GiB, but refuse rather than
	 * truncate. */
	if (len > UINT32_MAX / 2)
		return -1;
	z_stream z = {0};
	if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	/* deflateBound covers the gzip header and trailer, so one deflate call finishes. */
	uLong cap = deflateBound(&z, (uLong)len);
	char *buf = xmalloc(cap);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)buf;
	z.avail_out = (uInt)cap;
	int rc = deflate(&z, Z_FINISH);
	size_t n = (size_t)z.total_out;
	deflateEnd(&z);
	if (rc != Z_STREAM_END) {
		free(buf);
		return -1;
	}
	*out = buf;
	*out_len = n;
	return 0;
}
