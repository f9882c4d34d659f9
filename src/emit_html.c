/* The merged feed as an HTML page (placeholder until written). */
#include "autoconf.h"

#include "emit.h"
#include "emit_int.h"
#include "util.h"

char *emit_html(const struct emit_doc *d, const char *self, size_t *len)
{
	(void)d;
	(void)self;
	struct buf b;
	buf_init(&b, 0);
	buf_puts(&b, "<!DOCTYPE html>\n");
	return buf_steal(&b, len);
}
