/* STUB: the listener is being written; start fails cleanly until then. */
#include "autoconf.h"
#include <stdio.h>
#include "http.h"
struct http_server *http_start(struct ev_loop *loop, const char *listen, char *err, size_t errlen)
{
	(void)loop;
	snprintf(err, errlen, "%s: HTTP listener not written yet", listen);
	return NULL;
}
void http_stop(struct http_server *h)
{
	(void)h;
}
unsigned http_port(const struct http_server *h)
{
	(void)h;
	return 0;
}
void http_set_document(struct http_server *h, const char *path, const char *content_type,
                       const char *body, size_t len, int64_t last_modified)
{
	(void)h, (void)path, (void)content_type, (void)body, (void)len, (void)last_modified;
}
