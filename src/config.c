/* The config file: a small INI reader written here (Debian's inih neither reports line numbers
 * nor strips comments after values), then validation into an immutable struct config.
 *
 * Every problem is collected with its line and printed, sorted by line, once the whole file has
 * been read, so the user sees all of them in file order: a [source NAME] without url is only
 * known at the end, yet is reported at its header line. */
#include "autoconf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "config.h"
#include "config_int.h"
#include "date.h"
#include "log.h"
#include "url.h"
#include "util.h"

/* A config file is written by hand: anything this large is a mistake (a log, a database). */
#define CONFIG_MAX_BYTES (4 * 1024 * 1024)

#define DEFAULT_DATABASE "feedmerge.db"
#define DEFAULT_OUTPUT_DIR "public"
#define DEFAULT_LISTEN "127.0.0.1:8080"
#define DEFAULT_INTERVAL_S (15 * 60)
#define DEFAULT_CONCURRENCY 32
#define DEFAULT_TIMEOUT_S 30
#define DEFAULT_MAX_SIZE_BYTES (10 * 1024 * 1024)
#define DEFAULT_USER_AGENT "feedmerge/" PACKAGE_VERSION " (+https://github.com/feedmerge/feedmerge)"
#define DEFAULT_FEED_TITLE "feedmerge"
#define DEFAULT_FEED_SIZE 100
#define DEFAULT_ATTRIBUTION "Nguồn"
#define DEFAULT_STARTUP_SPREAD_S 30
#define DEFAULT_MIN_INTERVAL_S 60
#define DEFAULT_MAX_INTERVAL_S 86400
#define DEFAULT_MAX_BACKOFF_S 86400
#define DEFAULT_PER_HOST 2
#define DEFAULT_CONNECT_TIMEOUT_S 15
#define DEFAULT_MAX_REDIRECTS 10
#define DEFAULT_CONFIRM_REDIRECTS 3
#define MAX_HEADERS 32
#define DEFAULT_KEEP_DAYS 365
#define DEFAULT_SYNCHRONOUS "normal"
#define DEFAULT_REMOVED_KEEP_S (30 * 86400)

#define MSG_DURATION "use a number with an optional unit s, m, h or d"
#define MSG_LISTEN "use IPV4:PORT, [IPV6]:PORT or localhost:PORT"

enum global_key {
	G_DATABASE,
	G_OUTPUT_DIR,
	G_LISTEN,
	G_PUBLIC_URL,
	G_INTERVAL,
	G_CONCURRENCY,
	G_TIMEOUT,
	G_MAX_SIZE,
	G_USER_AGENT,
	G_FEED_TITLE,
	G_FEED_AUTHOR,
	G_FEED_SIZE,
	G_ATTRIBUTION,
	G_STARTUP_SPREAD,
	G_REMOVED_KEEP,
	G_MIN_INTERVAL,
	G_MAX_INTERVAL,
	G_MAX_BACKOFF,
	G_PER_HOST,
	G_CONNECT_TIMEOUT,
	G_MAX_REDIRECTS,
	G_CONFIRM_REDIRECTS,
	G_RETRY_AFTER_SCOPE,
	G_PROXY,
	G_SAME_STORY_ACROSS,
	G_KEEP_DAYS,
	G_SYNCHRONOUS,
	G_ORIGINAL_LABEL,
	G_ALSO_LABEL,
	G_ADMIN_LISTEN,
	G_TRACKING_PARAMS,
	G_INCLUDE,
	G_OPML,
	G_LOG_LEVEL, /* log_level: parsed here, applied by main.c and the daemon's reload */
	G_NKEYS
};

static const char *const global_keys[G_NKEYS] = {
    "database",          "output_dir",        "listen",
    "public_url",        "interval",          "concurrency",
    "timeout",           "max_size",          "user_agent",
    "feed_title",        "feed_author",       "feed_size",
    "attribution",       "startup_spread",    "removed_keep",
    "min_interval",      "max_interval",      "max_backoff",
    "per_host",          "connect_timeout",   "max_redirects",
    "confirm_redirects", "retry_after_scope", "proxy",
    "same_story_across", "keep_days",         "synchronous",
    "original_label",    "also_label",        "admin_listen",
    "tracking_params",   "include",           "opml",
    "log_level",
};

static const char *const source_keys[S_NKEYS] = {
    "url",         "title",       "interval",   "charset",  "timezone",
    "date_format", "enabled",     "user_agent", "headers",  "auth_file",
    "tls_verify",  "max_entries", "identity",   "priority", "group",
};

static void problem_add(struct config_reader *r, size_t file, int line, int warning,
                        const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	if (n < 0)
		n = 0;
	char *msg = xmalloc((size_t)n + 1);
	vsnprintf(msg, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	r->problems = xreallocarray(r->problems, r->nproblems + 1, sizeof *r->problems);
	r->problems[r->nproblems] = (struct problem){file, line, r->nproblems, warning, msg};
	r->nproblems++;
	if (!warning)
		r->nerrors++;
}

void config_problem(struct config_reader *r, size_t file, int line, int warning, const char *fmt,
                    ...)
{
	va_list ap;
	va_start(ap, fmt);
	problem_add(r, file, line, warning, fmt, ap);
	va_end(ap);
}

/* An error in the file being read: the config does not load. */
__attribute__((format(printf, 3, 4))) static void problem(struct config_reader *r, int line,
                                                          const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	problem_add(r, r->cur, line, 0, fmt, ap);
	va_end(ap);
}

/* A warning in the file being read: printed as "PATH:LINE: warning: ...", the config still
 * loads. */
__attribute__((format(printf, 3, 4))) static void warning(struct config_reader *r, int line,
                                                          const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	problem_add(r, r->cur, line, 1, fmt, ap);
	va_end(ap);
}

/* File order (the order files were first read in), then line order. */
static int problem_cmp(const void *a, const void *b)
{
	const struct problem *p = a, *q = b;
	if (p->file != q->file)
		return p->file < q->file ? -1 : 1;
	if (p->line != q->line)
		return p->line < q->line ? -1 : 1;
	return p->seq < q->seq ? -1 : p->seq > q->seq;
}

static int is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f';
}

/* Trims spaces at both ends in place; returns the new start. */
static char *trim(char *s)
{
	while (is_space(*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && is_space(s[n - 1]))
		n--;
	s[n] = '\0';
	return s;
}

/* '#' and ';' start a comment at the start of a line or after a space, so that
 * "url = http://x/#frag" keeps its fragment. */
static void strip_comment(char *s)
{
	for (char *p = s; *p != '\0'; p++) {
		if ((*p == '#' || *p == ';') && (p == s || is_space(p[-1]))) {
			*p = '\0';
			return;
		}
	}
}

/* True when the n bytes at s are well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF). */
static int utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char ch = s[i];
		size_t len;
		unsigned lo = 0x80, hi = 0xBF;
		if (ch < 0x80) {
			i++;
			continue;
		} else if (ch >= 0xC2 && ch <= 0xDF) {
			len = 2;
		} else if (ch >= 0xE0 && ch <= 0xEF) {
			len = 3;
			if (ch == 0xE0)
				lo = 0xA0;
			else if (ch == 0xED)
				hi = 0x9F;
		} else if (ch >= 0xF0 && ch <= 0xF4) {
			len = 4;
			if (ch == 0xF0)
				lo = 0x90;
			else if (ch == 0xF4)
				hi = 0x8F;
		} else {
			return 0;
		}
		if (n - i < len)
			return 0;
		for (size_t k = 1; k < len; k++) {
			unsigned char cc = s[i + k];
			if (cc < (k == 1 ? lo : 0x80) || cc > (k == 1 ? hi : 0xBF))
				return 0;
		}
		i += len;
	}
	return 1;
}

/* True when the n bytes at s hold an ASCII control character other than tab: a lone CR or a
 * NUL in a value would end up in HTTP headers or XML, which forbid them. */
static int has_control(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return 1;
	}
	return 0;
}

static int key_index(const char *const *keys, int nkeys, const char *key)
{
	for (int i = 0; i < nkeys; i++)
		if (strcmp(keys[i], key) == 0)
			return i;
	return -1;
}

/* Parses a whole decimal number in [lo, hi]; -1 when s is anything else. */
static long long parse_ranged(const char *s, long long lo, long long hi)
{
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return -1;
	return v;
}

/* True for an absolute http:// or https:// URL with a host, no spaces and no control
 * characters. Non-ASCII bytes (IRIs) are let through. */
int config_url_ok(const char *s)
{
	size_t skip;
	if (strncasecmp(s, "http://", 7) == 0)
		skip = 7;
	else if (strncasecmp(s, "https://", 8) == 0)
		skip = 8;
	else
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p <= 0x20 || *p == 0x7f)
			return 0;
	const char *auth = s + skip;
	size_t alen = strcspn(auth, "/?#");
	const char *host = auth;
	for (size_t i = 0; i < alen; i++)
		if (auth[i] == '@')
			host = auth + i + 1;
	const char *end = auth + alen;
	const char *port;
	if (*host == '[') {
		const char *close = memchr(host, ']', (size_t)(end - host));
		if (close == NULL || close == host + 1)
			return 0;
		port = close + 1;
	} else {
		const char *colon = memchr(host, ':', (size_t)(end - host));
		port = colon != NULL ? colon : end;
		if (port == host)
			return 0;
	}
	if (port == end)
		return 1;
	return *port == ':' && parse_port_ok(port + 1, (size_t)(end - port - 1));
}

static int source_name_ok(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return 0;
	return 1;
}

char *config_path_resolve(const struct config_reader *r, const char *p)
{
	if (p[0] == '/' || r->dir == NULL)
		return xstrdup(p);
	return xasprintf("%s/%s", r->dir, p);
}

/* Replaces *slot (owned) with a copy of v. */
static void set_str(char **slot, const char *v)
{
	free(*slot);
	*slot = xstrdup(v);
}

static int64_t duration_value(struct config_reader *r, int line, const char *key, const char *v)
{
	int64_t d = parse_duration_s(v);
	if (d < 0)
		problem(r, line, "bad %s '%s': " MSG_DURATION, key, v);
	else if (d == 0)
		problem(r, line, "bad %s '%s': must be more than 0", key, v);
	return d > 0 ? d : -1;
}

/* A duration where 0 means "none" (no spreading, no keeping). */
static int64_t duration_or_zero_value(struct config_reader *r, int line, const char *key,
                                      const char *v)
{
	int64_t d = parse_duration_s(v);
	if (d < 0)
		problem(r, line, "bad %s '%s': " MSG_DURATION, key, v);
	return d;
}

/* yes/no and their usual spellings; -1 for anything else. */
static int bool_value(const char *v)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return 1;
		if (strcasecmp(v, no[i]) == 0)
			return 0;
	}
	return -1;
}

static void global_set(struct config_reader *r, enum global_key k, const char *v, int line)
{
	struct config *c = r->c;
	const char *key = global_keys[k];
	int empty_ok = k == G_OUTPUT_DIR || k == G_LISTEN || k == G_PUBLIC_URL ||
	               k == G_ATTRIBUTION || k == G_ADMIN_LISTEN;
	if (*v == '\0' && !empty_ok) {
		problem(r, line, "no value for %s", key);
		return;
	}
	int64_t n;
	long long num;
	const char *why;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	switch (k) {
	case G_DATABASE:
		free(c->database);
		c->database = config_path_resolve(r, v);
		break;
	case G_OUTPUT_DIR:
		free(c->output_dir);
		c->output_dir = *v == '\0' ? NULL : config_path_resolve(r, v);
		break;
	case G_LISTEN:
		if (*v != '\0' && (why = parse_listen_addr(v, &addr, &addrlen)) != NULL) {
			problem(r, line, "bad listen '%s': %s", v, why);
			break;
		}
		free(c->listen);
		c->listen = *v == '\0' ? NULL : xstrdup(v);
		break;
	case G_TRACKING_PARAMS: {
		/* Empty: no parameter is dropped. */
		char err[256];
		struct url_tracking *t = url_tracking_new(v, err, sizeof err);
		if (t == NULL) {
			problem(r, line, "tracking_params: %s", err);
			break;
		}
		free(c->tracking_params);
		c->tracking_params = xstrdup(url_tracking_spec(t));
		url_tracking_free(t);
		break;
	}
	case G_ADMIN_LISTEN:
		if (*v != '\0' && (why = parse_listen_addr(v, &addr, &addrlen)) != NULL) {
			problem(r, line, "bad admin_listen '%s': %s", v, why);
			break;
		}
		free(c->admin_listen);
		c->admin_listen = *v == '\0' ? NULL : xstrdup(v);
		break;
	case G_PUBLIC_URL:
		/* Empty means the default, as if the key were absent. */
		if (*v == '\0')
			break;
		if (!config_url_ok(v) || strpbrk(v, "?#") != NULL) {
			problem(r, line,
			        "bad public_url '%s': use an absolute http:// or https:// URL "
			        "without a query or fragment",
			        v);
			break;
		}
		free(c->public_url);
		c->public_url = v[strlen(v) - 1] == '/' ? xstrdup(v) : xasprintf("%s/", v);
		break;
	case G_INTERVAL:
		if ((n = duration_value(r, line, key, v)) > 0)
			c->interval_s = n;
		break;
	case G_TIMEOUT:
		if ((n = duration_value(r, line, key, v)) > 0)
			c->timeout_s = n;
		break;
	case G_CONCURRENCY:
		if ((num = parse_ranged(v, 1, 1024)) < 0)
			problem(r, line, "bad concurrency '%s': use a whole number from 1 to 1024",
			        v);
		else
			c->concurrency = (unsigned)num;
		break;
	case G_MAX_SIZE:
		n = parse_size_bytes(v);
		if (n < 0)
			problem(
			    r, line,
			    "bad max_size '%s': use a number of bytes with an optional unit K, M "
			    "or G",
			    v);
		else if (n == 0)
			problem(r, line, "bad max_size '%s': must be more than 0", v);
		else
			c->max_size_bytes = n;
		break;
	case G_FEED_SIZE:
		if ((num = parse_ranged(v, 1, 10000)) < 0)
			problem(r, line, "bad feed_size '%s': use a whole number from 1 to 10000",
			        v);
		else
			c->feed_size = (size_t)num;
		break;
	case G_USER_AGENT:
		set_str(&c->user_agent, v);
		break;
	case G_FEED_TITLE:
		set_str(&c->feed_title, v);
		break;
	case G_FEED_AUTHOR:
		set_str(&c->feed_author, v);
		break;
	case G_ATTRIBUTION:
		set_str(&c->attribution, v);
		break;
	case G_ORIGINAL_LABEL:
		set_str(&c->original_label, v);
		break;
	case G_ALSO_LABEL:
		set_str(&c->also_label, v);
		break;
	case G_MIN_INTERVAL:
		if ((n = duration_value(r, line, key, v)) > 0)
			c->min_interval_s = n;
		break;
	case G_MAX_INTERVAL:
		if ((n = duration_value(r, line, key, v)) > 0)
			c->max_interval_s = n;
		break;
	case G_MAX_BACKOFF:
		if ((n = duration_value(r, line, key, v)) > 0)
			c->max_backoff_s = n;
		break;
	case G_CONNECT_TIMEOUT:
		if ((n = duration_value(r, line, key, v)) > 0)
			c->connect_timeout_s = n;
		break;
	case G_PER_HOST:
		if ((num = parse_ranged(v, 1, 64)) < 0)
			problem(r, line, "bad per_host '%s': use a whole number from 1 to 64", v);
		else
			c->per_host = (unsigned)num;
		break;
	case G_MAX_REDIRECTS:
		if ((num = parse_ranged(v, 0, 50)) < 0)
			problem(r, line, "bad max_redirects '%s': use a whole number from 0 to 50",
			        v);
		else
			c->max_redirects = (long)num;
		break;
	case G_CONFIRM_REDIRECTS:
		if ((num = parse_ranged(v, 1, 100)) < 0)
			problem(r, line,
			        "bad confirm_redirects '%s': use a whole number from 1 to 100", v);
		else
			c->confirm_redirects = (unsigned)num;
		break;
	case G_RETRY_AFTER_SCOPE:
		if (strcmp(v, "source") == 0)
			c->retry_after_host = 0;
		else if (strcmp(v, "host") == 0)
			c->retry_after_host = 1;
		else
			problem(r, line, "bad retry_after_scope '%s': use source or host", v);
		break;
	case G_PROXY:
		if (strstr(v, "://") == NULL || strpbrk(v, " \t") != NULL)
			problem(r, line,
			        "bad proxy '%s': use a URL such as http://proxy.example:3128", v);
		else
			set_str(&c->proxy, v);
		break;
	case G_KEEP_DAYS:
		if ((num = parse_ranged(v, 0, 100000)) < 0)
			problem(r, line,
			        "bad keep_days '%s': use a whole number of days (0: keep forever)",
			        v);
		else
			c->keep_days = (unsigned)num;
		break;
	case G_SYNCHRONOUS:
		if (strcmp(v, "off") != 0 && strcmp(v, "normal") != 0 && strcmp(v, "full") != 0 &&
		    strcmp(v, "extra") != 0)
			problem(r, line, "bad synchronous '%s': use off, normal, full or extra", v);
		else
			set_str(&c->synchronous, v);
		break;
	case G_LOG_LEVEL:
		if ((num = log_level_parse(v)) < 0)
			problem(r, line, "bad log_level '%s': use debug, info, warning or error",
			        v);
		else
			c->log_level = (int)num;
		break;
	case G_SAME_STORY_ACROSS: {
		/* "scheme www", "scheme", "www" or "none". */
		unsigned fold = 0;
		int bad = 0;
		char *copy = xstrdup(v);
		for (char *w = copy; *w != '\0';) {
			size_t len = strcspn(w, " \t,");
			if (len == 6 && strncmp(w, "scheme", 6) == 0)
				fold |= URL_FOLD_SCHEME;
			else if (len == 3 && strncmp(w, "www", 3) == 0)
				fold |= URL_FOLD_WWW;
			else if (len == 4 && strncmp(w, "both", 4) == 0)
				fold |= URL_FOLD_SCHEME | URL_FOLD_WWW;
			else if (!(len == 4 && strncmp(w, "none", 4) == 0) && len > 0)
				bad = 1;
			w += len;
			w += strspn(w, " \t,");
		}
		free(copy);
		if (bad)
			problem(r, line,
			        "bad same_story_across '%s': use scheme, www, both (scheme www) or "
			        "none",
			        v);
		else
			c->story_fold = fold;
		break;
	}
	case G_STARTUP_SPREAD:
		if ((n = duration_or_zero_value(r, line, key, v)) >= 0)
			c->startup_spread_s = n;
		break;
	case G_REMOVED_KEEP:
		if ((n = duration_or_zero_value(r, line, key, v)) >= 0)
			c->removed_keep_s = n;
		break;
	case G_INCLUDE:
		config_include(r, v, line);
		break;
	case G_OPML:
		config_opml(r, v, line);
		break;
	case G_NKEYS:
		break;
	}
}

/* Checks one "Name: value" request header; NULL when good, else the reason. The value is never
 * quoted back: it may hold a secret. */
static const char *header_problem(const char *v)
{
	/* Headers feedmerge itself sends or that would break the request. */
	static const char *const reserved[] = {
	    "host",          "content-length",    "transfer-encoding", "connection",
	    "if-none-match", "if-modified-since", "accept-encoding",
	};
	const char *colon = strchr(v, ':');
	if (colon == NULL || colon == v)
		return "use Name: value";
	for (const char *p = v; p < colon; p++)
		if (!isalnum((unsigned char)*p) && strchr("!#$%&'*+-.^_`|~", *p) == NULL)
			return "the name must be a token (letters, digits, '-')";
	size_t n = (size_t)(colon - v);
	if (n == 13 && strncasecmp(v, "authorization", 13) == 0)
		return "use auth_file for credentials";
	for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
		if (strlen(reserved[i]) == n && strncasecmp(v, reserved[i], n) == 0)
			return "feedmerge sets this header itself";
	return NULL;
}

/* Reads s->auth_file's "user:password" line into s->userpwd. */
static void read_auth_file(struct config_reader *r, struct source_conf *s, int line)
{
	struct stat st;
	FILE *fp = fopen(s->auth_file, "r");
	if (fp == NULL || fstat(fileno(fp), &st) != 0) {
		problem(r, line, "cannot read auth_file %s: %s", s->auth_file, strerror(errno));
		if (fp != NULL)
			fclose(fp);
		return;
	}
	char buf[1024];
	char *got = fgets(buf, sizeof buf, fp);
	fclose(fp);
	size_t n = got != NULL ? strlen(buf) : 0;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	if (n == 0 || strchr(buf, ':') == NULL || has_control(buf, n)) {
		problem(r, line, "bad auth_file %s: its first line must be user:password",
		        s->auth_file);
		explicit_bzero(buf, sizeof buf);
		return;
	}
	if ((st.st_mode & 077) != 0)
		warning(r, line,
		        "auth_file %s can be read by other users (mode %04o): chmod 600 it",
		        s->auth_file, (unsigned)(st.st_mode & 07777));
	if (s->userpwd != NULL) {
		explicit_bzero(s->userpwd, strlen(s->userpwd));
		free(s->userpwd);
	}
	s->userpwd = xstrdup(buf);
	explicit_bzero(buf, sizeof buf);
}

static void source_set(struct config_reader *r, struct source_conf *s, enum source_key k,
                       const char *v, int line)
{
	const char *key = source_keys[k];
	if (*v == '\0') {
		problem(r, line, "no value for %s in [source %s]", key, s->name);
		return;
	}
	int64_t n;
	switch (k) {
	case S_URL:
		if (!config_url_ok(v))
			problem(r, line, "bad url '%s': use an absolute http:// or https:// URL",
			        v);
		else
			set_str(&s->url, v);
		break;
	case S_TITLE:
		set_str(&s->title, v);
		break;
	case S_INTERVAL:
		if ((n = duration_value(r, line, key, v)) > 0)
			s->interval_s = n;
		break;
	case S_CHARSET: {
		iconv_t cd = iconv_open("UTF-8", v);
		if (cd == (iconv_t)-1) {
			problem(r, line, "unknown charset '%s': iconv cannot convert it to UTF-8",
			        v);
			break;
		}
		iconv_close(cd);
		set_str(&s->charset, v);
		break;
	}
	case S_TIMEZONE: {
		/* The zone is built again by whoever parses the source's dates; here it is only
		 * checked, with a fixed message (date.c's reason is for `parse --timezone`). */
		char err[256] = "";
		struct date_zone *z = date_zone_new(v, err, sizeof err);
		if (z == NULL) {
			problem(
			    r, line,
			    "bad timezone '%s': use an offset such as +07:00 or UTC+7, or a zone "
			    "name such as Asia/Ho_Chi_Minh",
			    v);
			break;
		}
		date_zone_free(z);
		set_str(&s->timezone, v);
		break;
	}
	case S_DATE_FORMAT:
		if (strchr(v, '%') == NULL) {
			problem(r, line,
			        "bad date_format '%s': use a strptime pattern such as %%d/%%m/%%Y "
			        "%%H:%%M",
			        v);
			break;
		}
		set_str(&s->date_format, v);
		break;
	case S_USER_AGENT:
		set_str(&s->user_agent, v);
		break;
	case S_GROUP: {
		/* It names a path (/g/NAME.atom): keep it to what needs no escaping. */
		size_t ok =
		    strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");
		if (v[ok] != '\0' || ok > 64)
			problem(r, line, "bad group '%s': use up to 64 letters, digits, '-' or '_'",
			        v);
		else
			set_str(&s->group, v);
		break;
	}
	case S_PRIORITY: {
		int neg = v[0] == '-';
		long long num = parse_ranged(v + neg, 0, 100);
		if (num < 0)
			problem(r, line, "bad priority '%s': use a whole number from -100 to 100",
			        v);
		else
			s->priority = (int)(neg ? -num : num);
		break;
	}
	case S_IDENTITY: {
		static const char *const modes[] = {"auto", "link", "id", "hash"};
		int found = -1;
		for (int i = 0; i < 4; i++)
			if (strcmp(v, modes[i]) == 0)
				found = i;
		if (found < 0)
			problem(r, line, "bad identity '%s': use auto, link, id or hash", v);
		else
			s->identity = found; /* the order of enum store_identity */
		break;
	}
	case S_MAX_ENTRIES: {
		long long num = parse_ranged(v, 0, 100000000);
		if (num < 0)
			problem(r, line, "bad max_entries '%s': use a whole number (0: no limit)",
			        v);
		else
			s->max_entries = (size_t)num;
		break;
	}
	case S_HEADERS: {
		const char *why = header_problem(v);
		if (why != NULL) {
			const char *colon = strchr(v, ':');
			if (colon == NULL)
				problem(r, line, "bad headers: %s", why);
			else
				problem(r, line, "bad headers '%.*s': %s", (int)(colon - v), v,
				        why);
			break;
		}
		if (s->nheaders >= MAX_HEADERS) {
			problem(r, line, "too many headers in [source %s]: at most %d", s->name,
			        MAX_HEADERS);
			break;
		}
		s->headers = xreallocarray(s->headers, s->nheaders + 1, sizeof *s->headers);
		s->headers[s->nheaders++] = xstrdup(v);
		break;
	}
	case S_AUTH_FILE:
		free(s->auth_file);
		s->auth_file = config_path_resolve(r, v);
		read_auth_file(r, s, line);
		break;
	case S_TLS_VERIFY: {
		int b = bool_value(v);
		if (b < 0) {
			problem(r, line, "bad tls_verify '%s': use yes or no", v);
			break;
		}
		s->tls_verify = b;
		if (!b)
			warning(r, line,
			        "tls_verify = no in [source %s]: its server's certificate is not "
			        "checked",
			        s->name);
		break;
	}
	case S_ENABLED: {
		int b = bool_value(v);
		if (b < 0)
			problem(r, line, "bad enabled '%s': use yes or no", v);
		else
			s->enabled = b;
		break;
	}
	case S_NKEYS:
		break;
	}
}

/* The distance between a and b in edits (insert, delete, replace, swap two neighbours: the
 * optimal string alignment distance), case-insensitively; 99 for strings past 64 bytes. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	if (n > 64 || m > 64)
		return 99;
	size_t d[65][65];
	for (size_t i = 0; i <= n; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= n; i++) {
		for (size_t j = 1; j <= m; j++) {
			int ca = tolower((unsigned char)a[i - 1]),
			    cb = tolower((unsigned char)b[j - 1]);
			size_t best = d[i - 1][j - 1] + (ca != cb);
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[n][m];
}

/* The entry of keys nearest to word, when it is at most 2 edits away and those edits change
 * no more than half of it ("ur" is "url", "id" is not "url"); NULL when none is. */
static const char *key_suggest(const char *const *keys, int nkeys, const char *word)
{
	const char *best = NULL;
	size_t best_d = 3;
	for (int i = 0; i < nkeys; i++) {
		size_t d = edit_distance(word, keys[i]);
		if (d < best_d && 2 * d <= strlen(keys[i])) {
			best = keys[i];
			best_d = d;
		}
	}
	return best;
}

/* "line 7" when file is the file being read, else "conf.d/a.conf:7": where something was
 * first, for a message about a duplicate. A new string. */
static char *where_dup(const struct config_reader *r, size_t file, int line)
{
	if (file == r->cur)
		return xasprintf("line %d", line);
	return xasprintf("%s:%d", r->c->files[file], line);
}

/* An unknown [inner]: with a suggestion when its first word is near a section's name. */
static void unknown_section(struct config_reader *r, const char *inner, int line)
{
	static const char *const sections[] = {"feedmerge", "source"};
	size_t n = strcspn(inner, " \t");
	char *word = xstrndup(inner, n);
	const char *rest = inner + n;
	while (is_space(*rest))
		rest++;
	const char *near = key_suggest(sections, 2, word);
	if (strncmp(inner, "source", 6) == 0 && source_name_ok(inner + 6))
		problem(r, line, "unknown section [%s]: did you mean [source %s]?", inner,
		        inner + 6); /* [sourcea] */
	else if (near == NULL)
		problem(r, line, "unknown section [%s]: use [feedmerge] or [source NAME]", inner);
	else if (strcmp(near, "source") == 0)
		problem(r, line, "unknown section [%s]: did you mean [source %s]?", inner,
		        *rest != '\0' ? rest : "NAME");
	else
		problem(r, line, "unknown section [%s]: did you mean [feedmerge]?", inner);
	free(word);
}

struct source_conf *config_source_add(struct config_reader *r, const char *name, size_t file,
                                      int line)
{
	struct config *c = r->c;
	if (c->nsources == r->sources_size) {
		r->sources_size = r->sources_size ? 2 * r->sources_size : 16;
		c->sources = xreallocarray(c->sources, r->sources_size, sizeof *c->sources);
		r->smeta = xreallocarray(r->smeta, r->sources_size, sizeof *r->smeta);
	}
	c->sources[c->nsources] = (struct source_conf){
	    .name = xstrdup_or_null(name),
	    .interval_s = -1,
	    .enabled = 1,
	    .tls_verify = 1,
	    .line = line,
	};
	r->smeta[c->nsources] = (struct source_meta){.file = file};
	return &c->sources[c->nsources++];
}

static void read_header(struct config_reader *r, char *s, int line)
{
	r->section = SEC_SKIP;
	char *close = strchr(s, ']');
	if (close == NULL) {
		problem(r, line, "malformed section header '%s': no closing ']'", s);
		return;
	}
	if (close[1] != '\0') {
		problem(r, line, "malformed section header '%s': text after ']'", s);
		return;
	}
	*close = '\0';
	char *inner = trim(s + 1);
	if (strcmp(inner, "feedmerge") == 0) {
		if (r->global_line != 0)
			problem(r, line, "duplicate section [feedmerge] (first at line %d)",
			        r->global_line);
		else
			r->global_line = line;
		r->section = SEC_GLOBAL;
		return;
	}
	if (strncmp(inner, "source", 6) != 0 || (inner[6] != '\0' && !is_space(inner[6]))) {
		unknown_section(r, inner, line);
		return;
	}
	const char *name = trim(inner + 6);
	if (*name == '\0') {
		problem(r, line, "missing source name: use [source NAME]");
		return;
	}
	if (!source_name_ok(name)) {
		problem(r, line, "bad source name '%s': use letters, digits, '-' and '_'", name);
		return;
	}
	struct config *c = r->c;
	for (size_t i = 0; i < c->nsources; i++) {
		if (c->sources[i].name != NULL && strcmp(c->sources[i].name, name) == 0) {
			char *first = where_dup(r, r->smeta[i].file, c->sources[i].line);
			problem(r, line, "duplicate source name '%s' (first at %s)", name, first);
			free(first);
			/* Its keys are still checked: they may hold problems of their own. */
			break;
		}
	}
	config_source_add(r, name, r->cur, line);
	r->section = SEC_SOURCE;
}

/* An unknown key in [feedmerge] (source: NULL) or [source NAME]: says where it belongs when it
 * is the other section's, else the nearest key of its own section. */
static void unknown_key(struct config_reader *r, const struct source_conf *source, const char *key,
                        int line)
{
	const char *const *own = source != NULL ? source_keys : global_keys;
	int nown = source != NULL ? S_NKEYS : G_NKEYS;
	const char *const *other = source != NULL ? global_keys : source_keys;
	int nother = source != NULL ? G_NKEYS : S_NKEYS;
	char *section =
	    source != NULL ? xasprintf("[source %s]", source->name) : xstrdup("[feedmerge]");
	const char *near;
	if (key_index(other, nother, key) >= 0)
		problem(r, line, "unknown key '%s' in %s (it belongs in %s)", key, section,
		        source != NULL ? "[feedmerge]" : "a [source NAME]");
	else if ((near = key_suggest(own, nown, key)) != NULL)
		problem(r, line, "unknown key '%s' in %s: did you mean '%s'?", key, section, near);
	else
		problem(r, line, "unknown key '%s' in %s", key, section);
	free(section);
}

/* Reads one line (NUL-terminated, without its newline). */
static void read_line(struct config_reader *r, char *raw, int line)
{
	strip_comment(raw);
	char *s = trim(raw);
	if (*s == '\0')
		return;
	if (*s == '[') {
		read_header(r, s, line);
		return;
	}
	char *eq = strchr(s, '=');
	if (eq == NULL) {
		problem(r, line, "malformed line '%s': expected key = value or a [section] header",
		        s);
		return;
	}
	if (eq == s) {
		problem(r, line, "malformed line '%s': no key before '='", s);
		return;
	}
	*eq = '\0';
	const char *key = trim(s);
	const char *value = trim(eq + 1);

	struct config *c = r->c;
	int k;
	switch (r->section) {
	case SEC_NONE:
		problem(r, line,
		        "key '%s' outside any section: put it under [feedmerge] or "
		        "[source NAME]",
		        key);
		break;
	case SEC_SKIP:
		/* Under a broken header: that header was reported, its keys would only add noise.
		 */
		break;
	case SEC_GLOBAL:
		k = key_index(global_keys, G_NKEYS, key);
		if (k < 0) {
			unknown_key(r, NULL, key, line);
		} else if (r->global_seen[k].line != 0 && k != G_INCLUDE && k != G_OPML) {
			char *first = where_dup(r, r->global_seen[k].file, r->global_seen[k].line);
			problem(r, line, "duplicate key '%s' in [feedmerge] (first at %s)", key,
			        first);
			free(first);
		} else {
			r->global_seen[k] = (struct config_where){r->cur, line};
			global_set(r, (enum global_key)k, value, line);
		}
		break;
	case SEC_SOURCE: {
		struct source_conf *src = &c->sources[c->nsources - 1];
		int *seen = r->smeta[c->nsources - 1].seen;
		k = key_index(source_keys, S_NKEYS, key);
		if (k < 0) {
			unknown_key(r, src, key, line);
		} else if (seen[k] != 0 && k != S_HEADERS) {
			problem(r, line, "duplicate key '%s' in [source %s] (first at line %d)",
			        key, src->name, seen[k]);
		} else {
			seen[k] = line;
			source_set(r, src, (enum source_key)k, value, line);
		}
		break;
	}
	}
}

/* Splits data (len bytes, NUL-terminated, modified in place) into lines. A UTF-8 BOM is
 * skipped, CRLF is LF, and the last line needs no newline. */
static void read_text(struct config_reader *r, char *data, size_t len)
{
	size_t pos = 0;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		pos = 3;
	int line = 0;
	while (pos < len) {
		char *start = data + pos;
		char *nl = memchr(start, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - start) : len - pos;
		pos += n + (nl != NULL);
		line++;
		if (n > 0 && start[n - 1] == '\r')
			n--;
		start[n] = '\0';
		if (has_control(start, n)) {
			problem(r, line, "malformed line: it contains a control character");
			continue;
		}
		if (!utf8_valid((const unsigned char *)start, n)) {
			problem(r, line, "malformed line: it is not valid UTF-8");
			continue;
		}
		read_line(r, start, line);
	}
}

/* True for 0.0.0.0:PORT and [::]:PORT: every address of the host. */
static int listen_is_wildcard(const char *listen)
{
	return strncmp(listen, "0.0.0.0:", 8) == 0 || strncmp(listen, "[::]:", 5) == 0;
}

/* Fills in the defaults of keys left out, and what depends on other keys. */
static void finish(struct config_reader *r)
{
	struct config *c = r->c;
	const struct config_where *g = r->global_seen;
	config_opml_finish(r);
	if (!g[G_DATABASE].line || c->database == NULL) {
		free(c->database);
		c->database = config_path_resolve(r, DEFAULT_DATABASE);
	}
	if (!g[G_OUTPUT_DIR].line)
		c->output_dir = config_path_resolve(r, DEFAULT_OUTPUT_DIR);
	if (!g[G_LISTEN].line)
		c->listen = xstrdup(DEFAULT_LISTEN);
	if (c->listen != NULL && c->public_url == NULL && listen_is_wildcard(c->listen))
		config_problem(r, g[G_LISTEN].file, g[G_LISTEN].line, 1,
		               "listen = %s takes connections on every address, but without "
		               "public_url the feeds' links and ids say http://%s/: set public_url",
		               c->listen, c->listen);
	if (c->public_url == NULL)
		c->public_url = c->listen != NULL ? xasprintf("http://%s/", c->listen)
		                                  : xstrdup("http://localhost/");
	if (c->user_agent == NULL)
		c->user_agent = xstrdup(DEFAULT_USER_AGENT);
	if (c->feed_title == NULL)
		c->feed_title = xstrdup(DEFAULT_FEED_TITLE);
	if (c->feed_author == NULL)
		c->feed_author = xstrdup(c->feed_title);
	if (c->attribution == NULL)
		c->attribution = xstrdup(DEFAULT_ATTRIBUTION);
	if (c->synchronous == NULL)
		c->synchronous = xstrdup(DEFAULT_SYNCHRONOUS);
	if (!g[G_LOG_LEVEL].line)
		c->log_level = LOG_LEVEL_INFO;
	if (g[G_MIN_INTERVAL].line && g[G_MAX_INTERVAL].line &&
	    c->min_interval_s > c->max_interval_s)
		config_problem(r, g[G_MAX_INTERVAL].file, g[G_MAX_INTERVAL].line, 0,
		               "max_interval is shorter than min_interval");
	if (c->connect_timeout_s > c->timeout_s && g[G_CONNECT_TIMEOUT].line)
		config_problem(r, g[G_CONNECT_TIMEOUT].file, g[G_CONNECT_TIMEOUT].line, 1,
		               "connect_timeout is longer than timeout, which bounds the whole "
		               "transfer");
	if (g[G_INTERVAL].line && c->interval_s < c->min_interval_s)
		config_problem(r, g[G_INTERVAL].file, g[G_INTERVAL].line, 1,
		               "interval is shorter than min_interval (%llds): sources are polled "
		               "every %llds",
		               (long long)c->min_interval_s, (long long)c->min_interval_s);
	for (size_t i = 0; i < c->nsources; i++) {
		struct source_conf *s = &c->sources[i];
		const struct source_meta *m = &r->smeta[i];
		if (s->interval_s < 0)
			s->interval_s = c->interval_s;
		else if (s->interval_s < c->min_interval_s)
			config_problem(
			    r, m->file, m->seen[S_INTERVAL], 1,
			    "the interval of [source %s] is shorter than min_interval (%llds): it "
			    "is polled every %llds",
			    s->name, (long long)c->min_interval_s, (long long)c->min_interval_s);
		if (s->url == NULL && !m->seen[S_URL])
			config_problem(r, m->file, s->line, 0, "[source %s] has no url", s->name);
		int url_line = m->seen[S_URL];
		if (s->url != NULL && url_has_userinfo(s->url))
			config_problem(
			    r, m->file, url_line, 1,
			    "the url of [source %s] carries a user name or password: use "
			    "auth_file (it is never logged or published either way)",
			    s->name);
		for (size_t k = 0; k < i && s->url != NULL; k++)
			if (c->sources[k].url != NULL && strcmp(c->sources[k].url, s->url) == 0) {
				config_problem(r, m->file, url_line, 1,
				               "[source %s] has the same url as [source %s]",
				               s->name, c->sources[k].name);
				break;
			}
	}
}

/* Reads all of path into a NUL-terminated buffer; NULL after reporting a problem. */
static char *read_file(struct config_reader *r, const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (fp == NULL) {
		problem(r, 0, "cannot read: %s", strerror(errno));
		return NULL;
	}
	struct buf b;
	buf_init(&b, CONFIG_MAX_BYTES);
	char chunk[8192];
	size_t n;
	int too_big = 0;
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
		if (buf_append(&b, chunk, n) < 0) {
			too_big = 1;
			break;
		}
	}
	int err = ferror(fp) ? errno : 0;
	fclose(fp);
	if (too_big || err != 0) {
		if (too_big)
			problem(r, 0, "cannot read: larger than %d MiB", CONFIG_MAX_BYTES >> 20);
		else
			problem(r, 0, "cannot read: %s", strerror(err));
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b, len);
}

size_t config_file_add(struct config_reader *r, const char *path)
{
	struct config *c = r->c;
	c->files = xreallocarray(c->files, c->nfiles + 1, sizeof *c->files);
	r->realpaths = xreallocarray(r->realpaths, c->nfiles + 1, sizeof *r->realpaths);
	c->files[c->nfiles] = xstrdup(path);
	r->realpaths[c->nfiles] = realpath(path, NULL);
	return c->nfiles++;
}

/* Reads file as a config file; -1 when it could not be read (reported). The reader's notion
 * of the file being read is restored afterwards. */
static int read_config_file(struct config_reader *r, size_t file)
{
	size_t cur = r->cur;
	char *dir = r->dir;
	enum config_section section = r->section;
	int global_line = r->global_line;
	const char *path = r->c->files[file];
	const char *slash = strrchr(path, '/');
	r->cur = file;
	/* "" for "/x.conf": joins to "/". */
	r->dir = slash != NULL ? xstrndup(path, (size_t)(slash - path)) : NULL;
	r->section = SEC_NONE;
	r->global_line = 0;
	size_t len = 0;
	char *data = read_file(r, path, &len);
	if (data != NULL)
		read_text(r, data, len);
	free(data);
	free(r->dir);
	r->cur = cur;
	r->dir = dir;
	r->section = section;
	r->global_line = global_line;
	return data != NULL ? 0 : -1;
}

void config_read_file(struct config_reader *r, size_t file)
{
	(void)read_config_file(r, file);
}

/* Where global key k was set, for `check --env`; file NULL and line 0 for a default. */
static struct config_pos global_pos(const struct config_reader *r, enum global_key k)
{
	const struct config_where *w = &r->global_seen[k];
	if (w->line == 0)
		return (struct config_pos){r->c->files[0], 0};
	return (struct config_pos){r->c->files[w->file], w->line};
}

/* Reads and checks path; the caller owns the config it returns (see config.h). */
struct config *config_load(const char *path, FILE *errs, int *nerrors)
{
	struct config_reader r = {0};
	struct config *c = xcalloc(1, sizeof *c);
	r.c = c;
	c->path = xstrdup(path);
	c->interval_s = DEFAULT_INTERVAL_S;
	c->concurrency = DEFAULT_CONCURRENCY;
	c->timeout_s = DEFAULT_TIMEOUT_S;
	c->max_size_bytes = DEFAULT_MAX_SIZE_BYTES;
	c->feed_size = DEFAULT_FEED_SIZE;
	c->startup_spread_s = DEFAULT_STARTUP_SPREAD_S;
	c->removed_keep_s = DEFAULT_REMOVED_KEEP_S;
	c->min_interval_s = DEFAULT_MIN_INTERVAL_S;
	c->max_interval_s = DEFAULT_MAX_INTERVAL_S;
	c->max_backoff_s = DEFAULT_MAX_BACKOFF_S;
	c->per_host = DEFAULT_PER_HOST;
	c->connect_timeout_s = DEFAULT_CONNECT_TIMEOUT_S;
	c->max_redirects = DEFAULT_MAX_REDIRECTS;
	c->confirm_redirects = DEFAULT_CONFIRM_REDIRECTS;
	c->story_fold = URL_FOLD_SCHEME | URL_FOLD_WWW;
	c->keep_days = DEFAULT_KEEP_DAYS;
	r.global_seen = xcalloc(G_NKEYS, sizeof *r.global_seen);

	size_t main_file = config_file_add(&r, path);
	r.stack[0] = main_file;
	if (read_config_file(&r, main_file) == 0) {
		/* The defaults resolve against the main file's folder. */
		const char *slash = strrchr(path, '/');
		r.dir = slash != NULL ? xstrndup(path, (size_t)(slash - path)) : NULL;
		finish(&r);
		c->database_at = global_pos(&r, G_DATABASE);
		c->output_dir_at = global_pos(&r, G_OUTPUT_DIR);
		c->listen_at = global_pos(&r, G_LISTEN);
	}

	if (r.nproblems > 1)
		qsort(r.problems, r.nproblems, sizeof *r.problems, problem_cmp);
	for (size_t i = 0; i < r.nproblems && errs != NULL; i++) {
		const struct problem *p = &r.problems[i];
		const char *kind = p->warning ? "warning: " : "";
		if (p->line > 0)
			fprintf(errs, "%s:%d: %s%s\n", c->files[p->file], p->line, kind, p->msg);
		else
			fprintf(errs, "%s: %s%s\n", c->files[p->file], kind, p->msg);
	}
	if (errs != NULL)
		fflush(errs);
	for (size_t i = 0; i < r.nproblems; i++)
		free(r.problems[i].msg);
	if (nerrors != NULL)
		*nerrors = r.nerrors > (size_t)INT_MAX ? INT_MAX : (int)r.nerrors;
	c->nwarnings = r.nproblems - r.nerrors;
	config_files_free(&r);
	for (size_t i = 0; i < c->nfiles; i++)
		free(r.realpaths[i]);
	free(r.realpaths);
	free(r.problems);
	free(r.smeta);
	free(r.global_seen);
	free(r.dir);
	if (r.nerrors > 0) {
		config_free(c);
		c = NULL;
	}
	return c;
}

/* Frees c and everything it owns; NULL does nothing. */
void config_free(struct config *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nsources; i++) {
		struct source_conf *s = &c->sources[i];
		free(s->name);
		free(s->url);
		free(s->title);
		free(s->charset);
		free(s->timezone);
		free(s->date_format);
		free(s->user_agent);
		free(s->group);
		for (size_t k = 0; k < s->nheaders; k++)
			free(s->headers[k]);
		free(s->headers);
		free(s->auth_file);
		if (s->userpwd != NULL) {
			explicit_bzero(s->userpwd, strlen(s->userpwd));
			free(s->userpwd);
		}
	}
	free(c->sources);
	for (size_t i = 0; i < c->nfiles; i++)
		free(c->files[i]);
	free(c->files);
	free(c->path);
	free(c->database);
	free(c->output_dir);
	free(c->listen);
	free(c->admin_listen);
	free(c->tracking_params);
	free(c->public_url);
	free(c->user_agent);
	free(c->feed_title);
	free(c->feed_author);
	free(c->attribution);
	free(c->original_label);
	free(c->also_label);
	free(c->proxy);
	free(c->synchronous);
	free(c);
}

/* "30d", "15m", "90s": a duration as a config would write it. */
static char *duration_dup(int64_t s)
{
	static const struct {
		int64_t scale;
		char unit;
	} units[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}};
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (s != 0 && s % units[i].scale == 0)
			return xasprintf("%lld%c", (long long)(s / units[i].scale), units[i].unit);
	return xasprintf("%llds", (long long)s);
}

/* A new string: global key k's value in c, as a config would write it ("" for none). */
static char *global_value_dup(const struct config *c, enum global_key k)
{
	const char *v = NULL;
	switch (k) {
	case G_DATABASE:
		v = c->database;
		break;
	case G_OUTPUT_DIR:
		v = c->output_dir;
		break;
	case G_ADMIN_LISTEN:
		v = c->admin_listen;
		break;
	case G_TRACKING_PARAMS:
		v = c->tracking_params != NULL ? c->tracking_params : url_tracking_default_spec();
		break;
	case G_LISTEN:
		v = c->listen;
		break;
	case G_PUBLIC_URL:
		v = c->public_url;
		break;
	case G_INTERVAL:
		return duration_dup(c->interval_s);
	case G_CONCURRENCY:
		return xasprintf("%u", c->concurrency);
	case G_TIMEOUT:
		return duration_dup(c->timeout_s);
	case G_MAX_SIZE:
		return xasprintf("%lld", (long long)c->max_size_bytes);
	case G_USER_AGENT:
		v = c->user_agent;
		break;
	case G_FEED_TITLE:
		v = c->feed_title;
		break;
	case G_FEED_AUTHOR:
		v = c->feed_author;
		break;
	case G_FEED_SIZE:
		return xasprintf("%zu", c->feed_size);
	case G_ATTRIBUTION:
		v = c->attribution;
		break;
	case G_ORIGINAL_LABEL:
		v = c->original_label;
		break;
	case G_ALSO_LABEL:
		v = c->also_label;
		break;
	case G_STARTUP_SPREAD:
		return duration_dup(c->startup_spread_s);
	case G_REMOVED_KEEP:
		return duration_dup(c->removed_keep_s);
	case G_MIN_INTERVAL:
		return duration_dup(c->min_interval_s);
	case G_MAX_INTERVAL:
		return duration_dup(c->max_interval_s);
	case G_MAX_BACKOFF:
		return duration_dup(c->max_backoff_s);
	case G_PER_HOST:
		return xasprintf("%u", c->per_host);
	case G_CONNECT_TIMEOUT:
		return duration_dup(c->connect_timeout_s);
	case G_MAX_REDIRECTS:
		return xasprintf("%ld", c->max_redirects);
	case G_CONFIRM_REDIRECTS:
		return xasprintf("%u", c->confirm_redirects);
	case G_RETRY_AFTER_SCOPE:
		return xstrdup(c->retry_after_host ? "host" : "source");
	case G_KEEP_DAYS:
		return xasprintf("%u", c->keep_days);
	case G_SYNCHRONOUS:
		v = c->synchronous;
		break;
	case G_SAME_STORY_ACROSS: {
		unsigned f = c->story_fold;
		return xstrdup((f & URL_FOLD_SCHEME) && (f & URL_FOLD_WWW) ? "scheme www"
		               : (f & URL_FOLD_SCHEME)                     ? "scheme"
		               : (f & URL_FOLD_WWW)                        ? "www"
		                                                           : "none");
	}
	case G_LOG_LEVEL:
		return xstrdup(log_level_name(c->log_level));
	case G_PROXY:
		/* Said in reload log lines: never its password. */
		return c->proxy != NULL ? url_public_dup(c->proxy) : xstrdup("");
	case G_INCLUDE:
	case G_OPML:
		/* What they bring in is told apart source by source. */
		break;
	case G_NKEYS:
		break;
	}
	return xstrdup(v != NULL ? v : "");
}

void config_global_changes(const struct config *a, const struct config *b,
                           void (*changed)(void *ctx, const char *key, const char *old_value,
                                           const char *new_value),
                           void *ctx)
{
	for (int k = 0; k < G_NKEYS; k++) {
		char *va = global_value_dup(a, (enum global_key)k);
		char *vb = global_value_dup(b, (enum global_key)k);
		if (strcmp(va, vb) != 0)
			changed(ctx, global_keys[k], va, vb);
		free(va);
		free(vb);
	}
}
