/* The config file: an INI dialect read into an immutable struct config. */
#ifndef FEEDMERGE_CONFIG_H
#define FEEDMERGE_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct source_conf {
	char *name;
	char *url;
	char *title;        /* NULL: use the feed's own title */
	int64_t interval_s; /* resolved: the source's own, else the global one */
	char *charset;      /* NULL, or a forced charset */
	char *timezone;     /* NULL, or the zone of zone-less dates */
	char *date_format;  /* NULL, or a strptime pattern tried first */
	int enabled;        /* 0: paused (enabled = no): not polled, its entries stay published */
	char *user_agent;   /* NULL: the global one */
	char **headers;     /* extra request headers, "Name: value" */
	size_t nheaders;
	char *auth_file;    /* NULL, or the file holding "user:password" */
	char *userpwd;      /* read from auth_file at load time; NULL without */
	int tls_verify;     /* 0: tls_verify = no */
	size_t max_entries; /* its newest this many are kept; 0: no limit */
	int identity;       /* enum store_identity: 0 auto, 1 link, 2 id, 3 hash */
	int priority;       /* -100 .. 100: higher is the primary attribution of what it carries */
	char *group;        /* NULL, or the view it belongs to (/g/GROUP.atom) */
	int line;           /* line of the [source NAME] header */
};

/* Where a key was set: file is one of config->files (borrowed), line 0 for a default. */
struct config_pos {
	const char *file;
	int line;
};

struct config {
	char *path;   /* as given to config_load */
	char **files; /* every file read: [0] is path, then included and OPML files */
	size_t nfiles;
	char *database;        /* resolved against the config file's folder */
	char *output_dir;      /* resolved likewise; NULL: no static files */
	char *listen;          /* NULL: no HTTP listener */
	char *admin_listen;    /* NULL: /metrics and /status on the public listener */
	char *tracking_params; /* normalised list; NULL: the default (url.h) */
	char *public_url;      /* always set, ends with '/' */
	int64_t interval_s;
	unsigned concurrency;
	int64_t timeout_s;
	int64_t max_size_bytes;
	char *user_agent;
	char *feed_title;
	char *feed_author;
	size_t feed_size;
	char *attribution;        /* "" means no visible attribution line */
	char *original_label;     /* NULL: emit's default ("Link bài gốc") */
	char *also_label;         /* NULL: emit's default ("Cũng có trên") */
	int64_t startup_spread_s; /* overdue sources' first polls are spread over this */
	int64_t removed_keep_s;   /* a removed source's rows are kept this long */
	int64_t min_interval_s;   /* bounds of the effective poll interval (feed hints included) */
	int64_t max_interval_s;
	int64_t max_backoff_s; /* the longest wait after failures */
	unsigned per_host;     /* transfers at once to one host */
	int64_t connect_timeout_s;
	long max_redirects;
	unsigned confirm_redirects; /* polls a permanent redirect must hold before adoption */
	int retry_after_host;       /* retry_after_scope = host */
	char *proxy;                /* NULL: the environment's */
	unsigned story_fold;        /* same_story_across: URL_FOLD_SCHEME | URL_FOLD_WWW */
	unsigned keep_days;         /* entries older are pruned; 0: kept forever */
	char *synchronous;          /* SQLite's synchronous level */
	int log_level;              /* log_level: a LOG_LEVEL_* of log.h */
	size_t nwarnings;           /* problems reported as warnings */
	struct config_pos database_at, output_dir_at, listen_at; /* for `check --env` */
	struct source_conf *sources;
	size_t nsources;
};

/* Reads and validates path. Every problem is printed to errs as "PATH:LINE: message" (or
 * "PATH: message" when no line applies), warnings as "PATH:LINE: warning: message". Returns
 * the config (free with config_free) when there were no errors (warnings allowed), else NULL;
 * *nerrors counts the errors. */
struct config *config_load(const char *path, FILE *errs, int *nerrors);
void config_free(struct config *c);

/* `check --env`: what `run` needs of the system beyond the config itself. The database's
 * folder exists and is writable; output_dir exists and is writable, or can be created; with
 * listener, listen can be bound (a socket is bound and closed at once). Prints each problem to
 * errs as "FILE:LINE: error: message" at the key's line ("FILE: error: ..." for a default);
 * returns how many there were. */
int config_check_env(const struct config *c, int listener, FILE *errs);

/* The global keys whose values differ between a and b, in the config file's order: calls
 * changed(ctx, key, old, new) with both values as a config would write them. */
void config_global_changes(const struct config *a, const struct config *b,
                           void (*changed)(void *ctx, const char *key, const char *old_value,
                                           const char *new_value),
                           void *ctx);

#endif
