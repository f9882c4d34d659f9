/* Publishing the merged feed: reads it from the store, renders every output and hands the
 * bytes to the output_dir files (written atomically) and to the HTTP listener. Changes are
 * batched: publish_soon() renders once for every change made within PUBLISH_BATCH_S. */
#ifndef FEEDMERGE_PUBLISH_H
#define FEEDMERGE_PUBLISH_H

#include <stddef.h>

struct ev_loop;
struct store;
struct http_server;
struct publisher;

/* How long changes are gathered before one render. */
#define PUBLISH_BATCH_S 1.0

/* What the outputs look like; the strings are copied. */
struct publish_opts {
	const char *output_dir; /* NULL: no static files */
	const char *feed_title;
	const char *feed_author;    /* NULL: feed_title */
	const char *public_url;     /* ends with '/' */
	const char *attribution;    /* "" for no visible attribution line */
	const char *original_label; /* the link to the original article; NULL: "Link bài gốc" */
	const char *also_label;     /* the page's "also in"; NULL: "Cũng có trên" */
	size_t feed_size;           /* entries in the merged feed */
	/* The configured sources and their groups (NULL: none): each group is a view of the
	 * merged feed at g/GROUP.atom, .rss, .json and .html. */
	const char *const *source_names;
	const char *const *source_groups;
	size_t nsources;
};

/* A publisher on loop over store and http (NULL: no listener), all borrowed. Creates
 * output_dir. NULL after logging when output_dir cannot be made. */
struct publisher *publish_new(struct ev_loop *loop, struct store *store, struct http_server *http,
                              const struct publish_opts *opts);
/* Renders what is still pending (publish_soon) first, then frees. */
void publish_free(struct publisher *p);
/* New options for the next render. A new output_dir is created first; when it cannot be,
 * everything else changes and the old output_dir stays, after logging: returns -1. */
int publish_set_opts(struct publisher *p, const struct publish_opts *opts);
/* Renders and publishes every output now. Returns 0, or -1 after logging. */
int publish_now(struct publisher *p);
/* The store changed: renders within PUBLISH_BATCH_S, once for all the changes made meanwhile.
 * A render that fails is tried again at the next change. */
void publish_soon(struct publisher *p);

/* What a path of the listener asks for, once parsed (publish_parse_path). */
struct publish_request {
	const char *prefix_kind; /* "", "g", "s" or "archive" */
	char name[256];          /* the group or source; the archive page number */
	size_t output;           /* the format: 0 Atom, 1 RSS, 2 JSON Feed, 3 the HTML page */
};
/* Parses a request path ("/", "/feed.rss", "/g/NAME.atom", "/s/NAME.json", "/archive/K.atom")
 * into *rq. Returns 0, or -1 when no view has this path (the name is not checked against the
 * configured groups and sources). Pure: exposed for tests/fuzz/fuzz_http_fields.c. */
int publish_parse_path(const char *path, struct publish_request *rq);

#endif
