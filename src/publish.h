/* Publishing the merged feed: reads it from the store, renders every output and hands the
 * bytes to the output_dir files (written atomically) and to the HTTP listener. */
#ifndef FEEDMERGE_PUBLISH_H
#define FEEDMERGE_PUBLISH_H

#include <stddef.h>

struct store;
struct http_server;
struct publisher;

/* What the outputs look like; the strings are copied. */
struct publish_opts {
	const char *output_dir; /* NULL: no static files */
	const char *feed_title;
	const char *feed_author; /* NULL: feed_title */
	const char *public_url;  /* ends with '/' */
	const char *attribution; /* "" for no visible attribution line */
	size_t feed_size;        /* entries in the merged feed */
};

/* A publisher over store and http (NULL: no listener), both borrowed. Creates output_dir.
 * NULL after logging when output_dir cannot be made. */
struct publisher *publish_new(struct store *store, struct http_server *http,
                              const struct publish_opts *opts);
void publish_free(struct publisher *p);
/* New options for the next render. A new output_dir is created first; when it cannot be,
 * everything else changes and the old output_dir stays, after logging: returns -1. */
int publish_set_opts(struct publisher *p, const struct publish_opts *opts);
/* Renders and publishes every output now. Returns 0, or -1 after logging. */
int publish_now(struct publisher *p);

#endif
