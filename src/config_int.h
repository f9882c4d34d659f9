/* The config reader's state, shared by the files of the config module: config.c (lines, keys
 * and values), config_files.c (include and opml: the keys that read other files). Nothing here
 * outlives one config_load call but the struct config it builds. */
#ifndef FEEDMERGE_CONFIG_INT_H
#define FEEDMERGE_CONFIG_INT_H

#include <stddef.h>

#include "config.h"

/* include = ... nests at most this deep (the main file is depth 0). */
#define CONFIG_MAX_DEPTH 8

/* The keys of [source NAME]; the order of config.c's source_keys table. */
enum source_key {
	S_URL,
	S_TITLE,
	S_INTERVAL,
	S_CHARSET,
	S_TIMEZONE,
	S_DATE_FORMAT,
	S_ENABLED,
	S_USER_AGENT,
	S_HEADERS,
	S_AUTH_FILE,
	S_TLS_VERIFY,
	S_MAX_ENTRIES,
	S_IDENTITY,
	S_PRIORITY,
	S_GROUP,
	S_NKEYS
};

/* Where a key was set: a file of c->files and a line in it; line 0: not set. */
struct config_where {
	size_t file;
	int line;
};

struct problem {
	size_t file; /* index in c->files */
	int line;    /* 0: about the whole file */
	size_t seq;
	int warning; /* valid but likely wrong: reported, the config still loads */
	char *msg;   /* owned */
};

/* What the reader knows of each source beyond its struct source_conf. */
struct source_meta {
	size_t file;       /* the file of its [source NAME] header or OPML outline */
	int seen[S_NKEYS]; /* the line of each key in that file, 0 when unset */
	int from_opml;     /* an OPML outline: its name is made up at the end */
	char *opml_name;   /* owned: the sanitised title its name is made from */
};

enum config_section { SEC_NONE, SEC_GLOBAL, SEC_SOURCE, SEC_SKIP };

/* The state of one config_load call. */
struct config_reader {
	struct config *c; /* owned until handed to the caller; c->files[0] is the main file */
	char **realpaths; /* owned: realpath() of each of c->files (NULL when unknown) */
	size_t cur;       /* the file being read, an index in c->files */
	char *dir;        /* owned: the folder of the file being read, NULL for the cwd */
	size_t stack[CONFIG_MAX_DEPTH + 1]; /* the files being read, outermost first */
	size_t depth;                       /* entries in stack - 1 */
	struct problem *problems;
	size_t nproblems;
	size_t nerrors; /* problems that are not warnings */
	enum config_section section;
	int global_line; /* first [feedmerge] header of the file being read, 0 before it */
	struct config_where *global_seen; /* each global key's place, parallel to global_keys */
	struct source_meta *smeta;        /* parallel to c->sources */
	size_t sources_size;
};

/* Records a problem at line of file (an index in c->files); an error unless warning. */
void config_problem(struct config_reader *r, size_t file, int line, int warning, const char *fmt,
                    ...) __attribute__((format(printf, 5, 6)));
/* Adds path to c->files (copied); returns its index. */
size_t config_file_add(struct config_reader *r, const char *path);
/* Reads file (an index in c->files) as a config file at the current position: its sources
 * are added, its global keys set. */
void config_read_file(struct config_reader *r, size_t file);
/* Appends a source named name (copied) from file, line; returns it. */
struct source_conf *config_source_add(struct config_reader *r, const char *name, size_t file,
                                      int line);
/* True for an absolute http:// or https:// URL (the check of a source's url). */
int config_url_ok(const char *s);
/* A new string: p when absolute, else p joined to the folder of the file being read. */
char *config_path_resolve(const struct config_reader *r, const char *p);

/* config_files.c: include = PATTERN and opml = FILE at line of the file being read. */
void config_include(struct config_reader *r, const char *pattern, int line);
void config_opml(struct config_reader *r, const char *path, int line);
/* Names the OPML sources, once every [source NAME] is known. */
void config_opml_finish(struct config_reader *r);
/* Frees what config_files.c keeps in the reader. */
void config_files_free(struct config_reader *r);

#endif
