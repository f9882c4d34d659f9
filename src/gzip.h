/* gzip (RFC 1952) compression of a rendered document, done once per render so the listener
 * serves stored bytes; the only user of zlib.h. */
#ifndef FEEDMERGE_GZIP_H
#define FEEDMERGE_GZIP_H

#include <stddef.h>

/* Compresses in[0..len) into a gzip member at level 9; 0 with *out (the caller frees it) and
 * *out_len set, or -1 (zlib refused) with *out NULL. */
int gzip_compress(const char *in, size_t len, char **out, size_t *out_len);

#endif
