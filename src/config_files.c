/* The config keys that read other files: include = PATTERN (more config files) and opml = FILE
 * (sources from an OPML subscription list).
 *
 * An included file is read where its include line is, as if its text stood there: its
 * [source NAME] sections add sources in that order, and a [feedmerge] section in it may set
 * global keys no file has set before (a key set twice is the usual duplicate error, naming the
 * file and line of the first). Paths are relative to the folder of the file that names them.
 * A pattern that matches nothing is no problem (an empty conf.d is the normal state); a plain
 * path that does not exist is an error.
 *
 * An OPML outline becomes a source at the end, once every [source NAME] is known: a section
 * with the same url replaces the outline (the section is how one feed of a list gets settings
 * of its own), and names made from titles give way to the sections' names. */
#include "autoconf.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config_int.h"
#include "log.h"
#include "opml.h"
#include "util.h"

/* Source names made from titles are cut to this, leaving room for a "-NNN" suffix. */
#define NAME_BASE_MAX 48
/* The limit of the group key. */
#define GROUP_MAX 64

/* --- include ----------------------------------------------------------------------------- */

static int has_glob_magic(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* A new copy of s with glob's special characters escaped. */
static char *glob_escape_dup(const char *s)
{
	char *out = xmalloc(2 * strlen(s) + 1), *o = out;
	for (; *s != '\0'; s++) {
		if (strchr("*?[\\", *s) != NULL)
			*o++ = '\\';
		*o++ = *s;
	}
	*o = '\0';
	return out;
}

/* Reads one file that pattern matched, refusing a cycle. */
static void include_file(struct config_reader *r, const char *path, int line)
{
	struct config *c = r->c;
	char *real = realpath(path, NULL);
	if (real == NULL) {
		config_problem(r, r->cur, line, 0, "include %s: %s", path, strerror(errno));
		return;
	}
	for (size_t d = 0; d <= r->depth; d++) {
		const char *open = r->realpaths[r->stack[d]];
		if (open == NULL || strcmp(open, real) != 0)
			continue;
		struct buf chain;
		buf_init(&chain, 0);
		for (size_t k = d; k <= r->depth; k++)
			buf_printf(&chain, "%s -> ", c->files[r->stack[k]]);
		buf_puts(&chain, path);
		config_problem(r, r->cur, line, 0, "include cycle: %s", chain.data);
		buf_free(&chain);
		free(real);
		return;
	}
	for (size_t i = 0; i < c->nfiles; i++) {
		if (r->realpaths[i] != NULL && strcmp(r->realpaths[i], real) == 0) {
			config_problem(r, r->cur, line, 1, "include %s: already read; skipped",
			               path);
			free(real);
			return;
		}
	}
	free(real);
	if (r->depth + 1 > CONFIG_MAX_DEPTH) {
		config_problem(r, r->cur, line, 0, "include %s: includes nest more than %d deep",
		               path, CONFIG_MAX_DEPTH);
		return;
	}
	size_t file = config_file_add(r, path);
	r->stack[++r->depth] = file;
	config_read_file(r, file);
	r->depth--;
}

void config_include(struct config_reader *r, const char *pattern, int line)
{
	char *full;
	if (pattern[0] == '/' || r->dir == NULL) {
		full = xstrdup(pattern);
	} else {
		char *dir = glob_escape_dup(r->dir);
		full = xasprintf("%s/%s", dir, pattern);
		free(dir);
	}
	glob_t g;
	/* Sorted (glob's default; byte order, as feedmerge never sets a locale). GLOB_MARK ends
	 * folders with '/', so that a pattern matching folders skips them. */
	int rc = glob(full, GLOB_MARK, NULL, &g);
	if (rc == GLOB_NOMATCH && !has_glob_magic(pattern)) {
		char *path = config_path_resolve(r, pattern);
		struct stat st;
		config_problem(r, r->cur, line, 0, "include %s: %s", path,
		               stat(path, &st) != 0 ? strerror(errno) : "cannot read it");
		free(path);
	} else if (rc == GLOB_ABORTED) {
		config_problem(r, r->cur, line, 0, "include %s: cannot read its folder", pattern);
	} else if (rc == GLOB_NOSPACE) {
		fatalx("glob: out of memory");
	} else if (rc == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++) {
			const char *path = g.gl_pathv[i];
			size_t n = strlen(path);
			if (n > 0 && path[n - 1] == '/') {
				if (!has_glob_magic(pattern))
					config_problem(r, r->cur, line, 0,
					               "include %.*s: a folder; use %s/*.conf",
					               (int)(n - 1), path, pattern);
				continue;
			}
			include_file(r, path, line);
		}
	}
	if (rc == 0)
		globfree(&g);
	free(full);
}

/* --- names from titles ------------------------------------------------------------------- */

/* The ASCII letter under a Latin letter with diacritics (Vietnamese included), 0 for any
 * other code point. */
static char latin_base(uint32_t cp)
{
	static const char latin1[] =
	    "AAAAAAACEEEEIIIIDNOOOOO.OUUUUYTsaaaaaaaceeeeiiiidnooooo.ouuuuyty";
	static const char latin_a[] =
	    "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIiIiJjKkkLlLlL"
	    "lLlLlNnNnNnnNnOoOoOoOoRrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZz"
	    "ZzZzs";
	/* U+1EA0..U+1EF9, the Vietnamese letters, upper and lower case in turn. */
	static const struct {
		uint32_t last;
		char upper;
	} viet[] = {{0x1EB7, 'A'}, {0x1EC7, 'E'}, {0x1ECB, 'I'},
	            {0x1EE3, 'O'}, {0x1EF1, 'U'}, {0x1EF9, 'Y'}};
	if (cp >= 0xC0 && cp <= 0xFF)
		return latin1[cp - 0xC0] != '.' ? latin1[cp - 0xC0] : 0;
	if (cp >= 0x100 && cp <= 0x17F)
		return latin_a[cp - 0x100];
	switch (cp) {
	case 0x1A0:
		return 'O';
	case 0x1A1:
		return 'o';
	case 0x1AF:
		return 'U';
	case 0x1B0:
		return 'u';
	}
	if (cp >= 0x1EA0 && cp <= 0x1EF9)
		for (size_t i = 0; i < sizeof viet / sizeof viet[0]; i++)
			if (cp <= viet[i].last)
				return (char)(viet[i].upper + ((cp & 1) ? 'a' - 'A' : 0));
	return 0;
}

/* A new string of letters, digits, '-' and '_' made from the UTF-8 text s: letters with
 * diacritics lose them, combining marks are dropped, anything else is one '-'; at most max
 * bytes, no '-' at either end; lower case when lower. "" when nothing is left. */
static char *slug_dup(const char *s, int lower, size_t max)
{
	char *out = xmalloc(max + 1);
	size_t n = 0;
	int dash = 0;
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s);
	while (left > 0 && n < max) {
		uint32_t cp;
		size_t len = utf8_decode(p, left, &cp);
		if (len == 0) {
			cp = 0xFFFD;
			len = 1;
		}
		p += len;
		left -= len;
		if (cp >= 0x300 && cp <= 0x36F)
			continue;
		char ch = cp < 0x80 ? (char)cp : latin_base(cp);
		if (ch == 0 || !(isalnum((unsigned char)ch) || ch == '_' || ch == '-')) {
			dash = n > 0;
			continue;
		}
		if (dash && ch != '-' && out[n - 1] != '-') {
			if (n + 1 >= max)
				break;
			out[n++] = '-';
		}
		dash = 0;
		out[n++] = lower ? (char)tolower((unsigned char)ch) : ch;
	}
	while (n > 0 && out[n - 1] == '-')
		n--;
	out[n] = '\0';
	return out;
}

/* The base of an outline's source name: its title, else its url's host; "feed" when neither
 * has a letter or digit. A new string. */
static char *name_base_dup(const char *title, const char *url)
{
	char *base = slug_dup(title != NULL ? title : "", 1, NAME_BASE_MAX);
	if (*base == '\0') {
		free(base);
		const char *host = strstr(url, "://");
		host = host != NULL ? host + 3 : url;
		char *h = xstrndup(host, strcspn(host, "/?#:@"));
		base = slug_dup(h, 1, NAME_BASE_MAX);
		free(h);
	}
	if (*base == '\0') {
		free(base);
		base = xstrdup("feed");
	}
	return base;
}

/* --- opml -------------------------------------------------------------------------------- */

void config_opml(struct config_reader *r, const char *path, int line)
{
	char *full = config_path_resolve(r, path);
	struct opml_feed *feeds;
	size_t n;
	int at;
	char err[512];
	if (opml_read(full, &feeds, &n, &at, err, sizeof err) != 0) {
		if (at == 0) {
			config_problem(r, r->cur, line, 0, "opml %s: %s", full, err);
		} else {
			size_t file = config_file_add(r, full);
			config_problem(r, file, at, 0, "%s", err);
		}
		free(full);
		return;
	}
	size_t file = config_file_add(r, full);
	free(full);
	for (size_t i = 0; i < n; i++) {
		struct opml_feed *f = &feeds[i];
		if (!config_url_ok(f->url)) {
			config_problem(r, file, f->line, 0,
			               "bad xmlUrl '%s': use an absolute http:// or https:// URL",
			               f->url);
			continue;
		}
		char *group = NULL;
		if (f->folder != NULL) {
			group = slug_dup(f->folder, 0, GROUP_MAX);
			if (*group == '\0') {
				config_problem(
				    r, file, f->line, 1,
				    "the folder '%s' has no letter or digit to make a group "
				    "of: its feeds get none",
				    f->folder);
				free(group);
				group = NULL;
			}
		}
		struct source_conf *s = config_source_add(r, NULL, file, f->line);
		struct source_meta *m = &r->smeta[r->c->nsources - 1];
		m->from_opml = 1;
		m->seen[S_URL] = f->line;
		m->opml_name = name_base_dup(f->title, f->url);
		s->url = f->url;
		f->url = NULL;
		s->title = f->title;
		f->title = NULL;
		s->group = group;
	}
	opml_feeds_free(feeds, n);
}

/* A set of names: open addressing over hash64, for names made unique among thousands. */
struct name_set {
	const char **slots; /* borrowed */
	size_t size;        /* a power of two, more than twice the count */
};

static size_t name_set_find(const struct name_set *set, const char *name)
{
	size_t i = (size_t)hash64(name, strlen(name)) & (set->size - 1);
	while (set->slots[i] != NULL && strcmp(set->slots[i], name) != 0)
		i = (i + 1) & (set->size - 1);
	return i;
}

/* Frees source i of c (an OPML one that another source replaces) and closes the gap. */
static void source_drop(struct config_reader *r, size_t i)
{
	struct config *c = r->c;
	struct source_conf *s = &c->sources[i];
	free(s->name);
	free(s->url);
	free(s->title);
	free(s->group);
	free(r->smeta[i].opml_name);
	memmove(&c->sources[i], &c->sources[i + 1], (c->nsources - i - 1) * sizeof *c->sources);
	memmove(&r->smeta[i], &r->smeta[i + 1], (c->nsources - i - 1) * sizeof *r->smeta);
	c->nsources--;
}

/* Where source k was set: "[source NAME] (FILE:LINE)" or "line N of this list". A new string. */
static char *source_where_dup(const struct config_reader *r, size_t k, size_t file)
{
	const struct source_conf *s = &r->c->sources[k];
	const struct source_meta *m = &r->smeta[k];
	if (m->from_opml)
		return m->file == file
		           ? xasprintf("the outline at line %d", s->line)
		           : xasprintf("the outline at %s:%d", r->c->files[m->file], s->line);
	return xasprintf("[source %s] (%s:%d)", s->name, r->c->files[m->file], s->line);
}

void config_opml_finish(struct config_reader *r)
{
	struct config *c = r->c;
	size_t nopml = 0;
	for (size_t i = 0; i < c->nsources; i++)
		nopml += r->smeta[i].from_opml != 0;
	if (nopml == 0)
		return;
	/* An outline whose url a section or an earlier outline has is dropped. */
	for (size_t i = 0; i < c->nsources;) {
		struct source_meta *m = &r->smeta[i];
		size_t other = c->nsources;
		for (size_t k = 0; k < c->nsources && other == c->nsources; k++)
			if (k != i && c->sources[k].url != NULL &&
			    strcmp(c->sources[k].url, c->sources[i].url) == 0 &&
			    (!r->smeta[k].from_opml || k < i))
				other = k;
		if (!m->from_opml || other == c->nsources) {
			i++;
			continue;
		}
		char *where = source_where_dup(r, other, m->file);
		config_problem(r, m->file, c->sources[i].line, 1,
		               "the xmlUrl %s is also %s: this outline is skipped",
		               c->sources[i].url, where);
		free(where);
		source_drop(r, i);
	}
	/* Names: the sections' names first, then each outline's, made unique with -2, -3... */
	struct name_set set = {.size = 16};
	while (set.size <= 2 * c->nsources)
		set.size *= 2;
	set.slots = xcalloc(set.size, sizeof *set.slots);
	for (size_t i = 0; i < c->nsources; i++)
		if (!r->smeta[i].from_opml)
			set.slots[name_set_find(&set, c->sources[i].name)] = c->sources[i].name;
	for (size_t i = 0; i < c->nsources; i++) {
		struct source_meta *m = &r->smeta[i];
		if (!m->from_opml)
			continue;
		char *name = xstrdup(m->opml_name);
		for (unsigned k = 2; set.slots[name_set_find(&set, name)] != NULL; k++) {
			free(name);
			name = xasprintf("%s-%u", m->opml_name, k);
		}
		c->sources[i].name = name;
		set.slots[name_set_find(&set, name)] = name;
	}
	free(set.slots);
}

void config_files_free(struct config_reader *r)
{
	for (size_t i = 0; i < r->c->nsources; i++) {
		free(r->smeta[i].opml_name);
		r->smeta[i].opml_name = NULL;
	}
}
