/* Unit tests of gzip.c: what it writes inflates (as a gzip member) back to the input. */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "gzip.h"
#include "util.h"
#include "../tap.h"

/* Inflates a gzip member (windowBits 15 + 16 accepts gzip only); NULL if it is not one. */
static char *gunzip(const char *in, size_t len, size_t *out_len)
{
	z_stream z = {0};
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return NULL;
	struct buf b;
	buf_init(&b, 0);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	char chunk[16384];
	int rc;
	do {
		z.next_out = (Bytef *)chunk;
		z.avail_out = sizeof chunk;
		rc = inflate(&z, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END)
			break;
		buf_append(&b, chunk, sizeof chunk - z.avail_out);
	} while (rc != Z_STREAM_END);
	int whole = rc == Z_STREAM_END && z.avail_in == 0;
	inflateEnd(&z);
	char *out = buf_steal(&b, out_len);
	if (!whole) {
		free(out);
		return NULL;
	}
	return out;
}

static void round_trip(const char *what, const char *in, size_t len)
{
	char *gz = NULL;
	size_t gz_len = 0;
	is_int(gzip_compress(in, len, &gz, &gz_len), 0, "%s: compressed", what);
	ok(gz != NULL && gz_len >= 18 && (unsigned char)gz[0] == 0x1f &&
	       (unsigned char)gz[1] == 0x8b,
	   "%s: a gzip member (magic 1f 8b, %zu bytes)", what, gz_len);
	size_t out_len = 0;
	char *out = gz != NULL ? gunzip(gz, gz_len, &out_len) : NULL;
	ok(out != NULL && out_len == len && (len == 0 || memcmp(out, in, len) == 0),
	   "%s: inflates back to the input", what);
	free(out);
	free(gz);
}

int main(void)
{
	round_trip("empty input", "", 0);
	round_trip("short text", "hello, gzip\n", 12);

	/* A feed-like document: repetitive markup compresses well; level 9 is asked for. */
	struct buf b;
	buf_init(&b, 0);
	for (int i = 0; i < 2000; i++)
		buf_printf(&b, "<entry><id>urn:x:%d</id><title>Tin số %d</title></entry>\n", i, i);
	round_trip("a 100 KB feed", b.data, b.len);
	char *gz = NULL;
	size_t gz_len = 0;
	gzip_compress(b.data, b.len, &gz, &gz_len);
	ok(gz_len < b.len / 5, "and it shrinks (%zu -> %zu bytes)", b.len, gz_len);
	free(gz);
	buf_free(&b);

	/* Incompressible bytes still fit: deflateBound covers the worst case. */
	size_t n = 65536;
	char *noise = xmalloc(n);
	uint64_t x = 88172645463325252ULL;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		noise[i] = (char)(x & 0xff);
	}
	round_trip("incompressible bytes", noise, n);
	free(noise);
	return done_testing();
}
