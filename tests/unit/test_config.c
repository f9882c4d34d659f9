/* Unit tests of the config reader: values, defaults, path resolution, comments, BOM/CRLF,
 * every error message, and config_global_changes (what a reload reports). Each case writes its text
 * to t.conf in a fresh temporary folder (the working directory while the tests run), so messages
 * read "t.conf:LINE: ...". */
#include "autoconf.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "../tap.h"

#define UA "feedmerge/" PACKAGE_VERSION " (+https://github.com/feedmerge/feedmerge)"

static char tmpdir[PATH_MAX];

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *fp = fopen(path, "wb");
	if (fp == NULL || fwrite(text, 1, len, fp) != len || fclose(fp) != 0) {
		perror(path);
		exit(99);
	}
}

/* Loads path; returns the config (or NULL) and stores what was printed to errs in *errors
 * (caller frees). */
static struct config *load_path(const char *path, char **errors, int *nerrors)
{
	char *text = NULL;
	size_t len = 0;
	FILE *errs = open_memstream(&text, &len);
	if (errs == NULL) {
		perror("open_memstream");
		exit(99);
	}
	*nerrors = -1;
	struct config *c = config_load(path, errs, nerrors);
	fclose(errs);
	*errors = text;
	return c;
}

/* Writes len bytes of text to t.conf and loads it. */
static struct config *load_bytes(const char *text, size_t len, char **errors, int *nerrors)
{
	write_file("t.conf", text, len);
	return load_path("t.conf", errors, nerrors);
}

/* Loads text that must be valid; on failure reports why and returns NULL. */
static struct config *load_ok(const char *text, const char *name)
{
	char *errors;
	int n;
	struct config *c = load_bytes(text, strlen(text), &errors, &n);
	if (!ok(c != NULL && n == 0 && errors[0] == '\0', "%s: loads", name))
		printf("#   errors (%d): %s", n, errors);
	free(errors);
	return c;
}

/* Loads text that must fail with exactly want on errs (want_n messages). */
static void load_bad(const char *text, const char *want, int want_n, const char *name)
{
	char *errors;
	int n;
	struct config *c = load_bytes(text, strlen(text), &errors, &n);
	ok(c == NULL, "%s: refused", name);
	is_str(errors, want, "%s: messages", name);
	is_int(n, want_n, "%s: error count", name);
	config_free(c);
	free(errors);
}

static void test_defaults(void)
{
	struct config *c = load_ok("", "empty file");
	if (c == NULL)
		return;
	is_str(c->path, "t.conf", "path as given");
	is_str(c->database, "feedmerge.db", "default database");
	is_str(c->output_dir, "public", "default output_dir");
	is_str(c->listen, "127.0.0.1:8080", "default listen");
	is_str(c->public_url, "http://127.0.0.1:8080/", "default public_url from listen");
	is_int(c->interval_s, 900, "default interval");
	is_int(c->concurrency, 32, "default concurrency");
	is_int(c->timeout_s, 30, "default timeout");
	is_int(c->max_size_bytes, 10 * 1024 * 1024, "default max_size");
	is_str(c->user_agent, UA, "default user_agent");
	is_str(c->feed_title, "feedmerge", "default feed_title");
	is_str(c->feed_author, "feedmerge", "default feed_author");
	is_int((int64_t)c->feed_size, 100, "default feed_size");
	is_str(c->attribution, "Nguồn", "default attribution");
	is_int((int64_t)c->nsources, 0, "no sources");
	config_free(c);

	c = load_ok("# only a comment\n\n[feedmerge]\n", "empty section");
	if (c != NULL)
		is_str(c->public_url, "http://127.0.0.1:8080/", "empty section: defaults");
	config_free(c);
}

static void test_all_keys(void)
{
	struct config *c = load_ok("[feedmerge]\n"
	                           "database    = /var/lib/feedmerge/fm.db\n"
	                           "output_dir  = out/www\n"
	                           "listen      = [::1]:0\n"
	                           "public_url  = https://news.example.org/feeds\n"
	                           "interval    = 2h\n"
	                           "concurrency = 1024\n"
	                           "timeout     = 45\n"
	                           "max_size    = 512K\n"
	                           "user_agent  = test-agent/1.0 (+http://x/)\n"
	                           "feed_title  = Tin tổng hợp\n"
	                           "feed_author = Ban biên tập\n"
	                           "feed_size   = 10000\n"
	                           "attribution =\n",
	                           "every global key");
	if (c == NULL)
		return;
	is_str(c->database, "/var/lib/feedmerge/fm.db", "absolute database kept");
	is_str(c->output_dir, "out/www", "relative output_dir (config without folder)");
	is_str(c->listen, "[::1]:0", "IPv6 listen, port 0");
	is_str(c->public_url, "https://news.example.org/feeds/", "public_url gains a '/'");
	is_int(c->interval_s, 7200, "interval 2h");
	is_int(c->concurrency, 1024, "concurrency 1024");
	is_int(c->timeout_s, 45, "bare timeout is seconds");
	is_int(c->max_size_bytes, 512 * 1024, "max_size 512K");
	is_str(c->user_agent, "test-agent/1.0 (+http://x/)", "user_agent");
	is_str(c->feed_title, "Tin tổng hợp", "feed_title (UTF-8)");
	is_str(c->feed_author, "Ban biên tập", "feed_author");
	is_int((int64_t)c->feed_size, 10000, "feed_size 10000");
	is_str(c->attribution, "", "empty attribution");
	config_free(c);

	c = load_ok("[feedmerge]\nfeed_title = Mine\nmax_size = 1G\ninterval = 1d\n"
	            "listen = localhost:65535\nfeed_size = 1\nconcurrency = 1\n",
	            "more values");
	if (c != NULL) {
		is_str(c->feed_author, "Mine", "feed_author defaults to feed_title");
		is_int(c->max_size_bytes, 1024LL * 1024 * 1024, "max_size 1G");
		is_int(c->interval_s, 86400, "interval 1d");
		is_str(c->public_url, "http://localhost:65535/",
		       "public_url from localhost listen");
		is_int((int64_t)c->feed_size, 1, "feed_size 1");
		is_int(c->concurrency, 1, "concurrency 1");
	}
	config_free(c);

	c = load_ok("[feedmerge]\nmax_size = 1000\ntimeout = 90s\ninterval = 30m\n", "bare size");
	if (c != NULL) {
		is_int(c->max_size_bytes, 1000, "bare max_size is bytes");
		is_int(c->timeout_s, 90, "timeout 90s");
		is_int(c->interval_s, 1800, "interval 30m");
	}
	config_free(c);

	c = load_ok("[feedmerge]\nlisten =\noutput_dir =\n", "no listener, no output");
	if (c != NULL) {
		ok(c->listen == NULL, "empty listen: no listener");
		ok(c->output_dir == NULL, "empty output_dir: no static files");
		is_str(c->public_url, "http://localhost/",
		       "no listen: public_url http://localhost/");
	}
	config_free(c);

	c = load_ok("[feedmerge]\nlisten =\npublic_url = http://example.org:8080\n",
	            "no listener, public_url");
	if (c != NULL)
		is_str(c->public_url, "http://example.org:8080/", "public_url with port");
	config_free(c);

	c = load_ok("[feedmerge]\npublic_url =\nlisten = 192.0.2.1:80\n", "empty public_url");
	if (c != NULL)
		is_str(c->public_url, "http://192.0.2.1:80/", "empty public_url: the default");
	config_free(c);
}

static void test_sources(void)
{
	struct config *c = load_ok("[source first]\n"
	                           "url = https://baochinhphu.vn/home.rss\n"
	                           "\n"
	                           "[source Second-2_b]\n"
	                           "url      = http://example.org/feed?x=1&y=2\n"
	                           "title    = Báo Chính phủ\n"
	                           "interval = 10m\n"
	                           "charset  = windows-1258\n"
	                           "timezone = Asia/Ho_Chi_Minh\n"
	                           "date_format = %d/%m/%Y %H:%M\n"
	                           "[source third]\n"
	                           "url = HTTPS://[2001:db8::1]:8443/f\n"
	                           "timezone = +07:00\n"
	                           "charset = ISO-8859-1\n"
	                           "[feedmerge]\n"
	                           "interval = 20m\n"
	                           "[source fourth]\n"
	                           "url = http://x.example/\n"
	                           "timezone = UTC+7\n"
	                           "charset = utf-8\n",
	                           "sources");
	if (c == NULL)
		return;
	if (!is_int((int64_t)c->nsources, 4, "four sources")) {
		config_free(c);
		return;
	}
	struct source_conf *s = c->sources;
	is_str(s[0].name, "first", "source 1 name");
	is_str(s[0].url, "https://baochinhphu.vn/home.rss", "source 1 url");
	ok(s[0].title == NULL && s[0].charset == NULL && s[0].timezone == NULL &&
	       s[0].date_format == NULL,
	   "source 1: optional keys NULL");
	is_int(s[0].interval_s, 1200, "source 1: global interval, even when set after it");
	is_int(s[0].line, 1, "source 1 line");
	is_str(s[1].name, "Second-2_b", "source 2 name: letters, digits, '-', '_'");
	is_str(s[1].url, "http://example.org/feed?x=1&y=2", "source 2 url");
	is_str(s[1].title, "Báo Chính phủ", "source 2 title");
	is_int(s[1].interval_s, 600, "source 2 own interval");
	is_str(s[1].charset, "windows-1258", "source 2 charset");
	is_str(s[1].timezone, "Asia/Ho_Chi_Minh", "source 2 timezone (IANA name)");
	is_str(s[1].date_format, "%d/%m/%Y %H:%M", "source 2 date_format");
	is_int(s[1].line, 4, "source 2 line");
	is_str(s[2].name, "third", "source 3 name");
	is_str(s[2].url, "HTTPS://[2001:db8::1]:8443/f", "source 3 url (IPv6)");
	is_str(s[2].timezone, "+07:00", "source 3 timezone (offset)");
	is_str(s[3].name, "fourth", "source 4 in config order");
	is_str(s[3].timezone, "UTC+7", "source 4 timezone (UTC+7)");
	is_int(s[3].line, 17, "source 4 line");
	config_free(c);
}

static void test_paths(void)
{
	const char *text = "[feedmerge]\noutput_dir = www\n";
	char *errors;
	int n;
	char abs[PATH_MAX + 32];

	snprintf(abs, sizeof abs, "%s/t.conf", tmpdir);
	write_file(abs, text, strlen(text));
	struct config *c = load_path(abs, &errors, &n);
	ok(c != NULL && n == 0, "absolute config path loads");
	free(errors);
	if (c != NULL) {
		char want[PATH_MAX + 32];
		snprintf(want, sizeof want, "%s/feedmerge.db", tmpdir);
		is_str(c->database, want, "default database beside an absolute config");
		snprintf(want, sizeof want, "%s/www", tmpdir);
		is_str(c->output_dir, want, "relative output_dir beside an absolute config");
		is_str(c->path, abs, "path kept as given");
	}
	config_free(c);

	if (mkdir("sub", 0700) != 0 && errno != EEXIST)
		perror("mkdir sub");
	text = "[feedmerge]\ndatabase = ../state/x.db\noutput_dir = /srv/www\n";
	write_file("sub/t.conf", text, strlen(text));
	c = load_path("sub/t.conf", &errors, &n);
	ok(c != NULL && n == 0, "relative config path loads");
	free(errors);
	if (c != NULL) {
		is_str(c->database, "sub/../state/x.db", "relative database joined to sub/");
		is_str(c->output_dir, "/srv/www", "absolute output_dir kept");
	}
	config_free(c);
	unlink("sub/t.conf");
	rmdir("sub");
}

static void test_syntax(void)
{
	struct config *c = load_ok("# comment\n"
	                           "; another comment\n"
	                           "   # indented comment\n"
	                           "[feedmerge] # comment after a header\n"
	                           "feed_title = a b # c\n"
	                           "feed_author = x;y ; z\n"
	                           "user_agent=\tno-spaces\t;c\n"
	                           "attribution = a#b\n"
	                           "  [source s1]  \n"
	                           "url = http://x.example/#frag\n"
	                           "title =  Tab\ttitle  \n"
	                           "[ source   s2 ]\n"
	                           "url = http://x.example/a;b\n",
	                           "comments and spacing");
	if (c == NULL)
		return;
	is_str(c->feed_title, "a b", "comment after whitespace stripped, value trimmed");
	is_str(c->feed_author, "x;y", "';' inside a value kept");
	is_str(c->user_agent, "no-spaces", "key=value without spaces, tab comment");
	is_str(c->attribution, "a#b", "'#' inside a value kept");
	if (is_int((int64_t)c->nsources, 2, "two sources")) {
		is_str(c->sources[0].url, "http://x.example/#frag", "URL fragment kept");
		is_str(c->sources[0].title, "Tab\ttitle", "inner whitespace kept");
		is_str(c->sources[1].name, "s2", "spaces inside the brackets");
		is_str(c->sources[1].url, "http://x.example/a;b", "';' in a URL kept");
	}
	config_free(c);

	static const char bom_crlf[] = "\xEF\xBB\xBF[feedmerge]\r\n"
	                               "feed_title = Tiêu đề \r\n"
	                               "\r\n"
	                               "[source a]\r\n"
	                               "url = http://a.example/feed\r\n"
	                               "title = no newline at the end";
	char *errors;
	int n;
	c = load_bytes(bom_crlf, sizeof bom_crlf - 1, &errors, &n);
	ok(c != NULL && n == 0, "BOM + CRLF loads");
	if (c != NULL) {
		is_str(c->feed_title, "Tiêu đề", "CRLF: no '\\r' in the value");
		if (c->nsources == 1) {
			is_str(c->sources[0].url, "http://a.example/feed", "CRLF url");
			is_str(c->sources[0].title, "no newline at the end",
			       "last line without newline");
			is_int(c->sources[0].line, 4, "line numbers count CRLF lines");
		}
	}
	free(errors);
	config_free(c);

	c = load_bytes("\xEF\xBB\xBF", 3, &errors, &n);
	ok(c != NULL && n == 0, "a lone BOM is an empty file");
	free(errors);
	config_free(c);
}

static void test_errors(void)
{
	load_bad("[feedmerge]\nintervall = 5m\n",
	         "t.conf:2: unknown key 'intervall' in [feedmerge]: did you mean 'interval'?\n", 1,
	         "unknown global key");
	load_bad("[feedmerge]\nurl = http://x/\n",
	         "t.conf:2: unknown key 'url' in [feedmerge] (it belongs in a [source NAME])\n", 1,
	         "source key in [feedmerge]");
	load_bad(
	    "[source vnexpress]\nurl = http://x/\nintervall = 5m\nfeed_size = 3\n",
	    "t.conf:3: unknown key 'intervall' in [source vnexpress]: did you mean 'interval'?\n"
	    "t.conf:4: unknown key 'feed_size' in [source vnexpress] (it belongs in "
	    "[feedmerge])\n",
	    2, "unknown source keys");
	load_bad("[feedmerge]\nInterval = 5m\n",
	         "t.conf:2: unknown key 'Interval' in [feedmerge]: did you mean 'interval'?\n", 1,
	         "keys are case-sensitive");
	load_bad("[feeds]\nx = 1\n[Source a]\nurl = http://x/\n[FEEDMERGE]\n",
	         "t.conf:1: unknown section [feeds]: use [feedmerge] or [source NAME]\n"
	         "t.conf:3: unknown section [Source a]: did you mean [source a]?\n"
	         "t.conf:5: unknown section [FEEDMERGE]: did you mean [feedmerge]?\n",
	         3, "unknown sections (their keys not reported)");
	load_bad("[feedmerge]\ninterval = 15x\ntimeout = -1\n",
	         "t.conf:2: bad interval '15x': use a number with an optional unit s, m, h or d\n"
	         "t.conf:3: bad timeout '-1': use a number with an optional unit s, m, h or d\n",
	         2, "bad durations");
	load_bad(
	    "[feedmerge]\ninterval = 0\ntimeout = 0s\n[source a]\nurl = http://x/\ninterval = 0m\n",
	    "t.conf:2: bad interval '0': must be more than 0\n"
	    "t.conf:3: bad timeout '0s': must be more than 0\n"
	    "t.conf:6: bad interval '0m': must be more than 0\n",
	    3, "zero durations");
	load_bad("[feedmerge]\nconcurrency = 0\n[feedmerge]\nconcurrency = 1025\n",
	         "t.conf:2: bad concurrency '0': use a whole number from 1 to 1024\n"
	         "t.conf:3: duplicate section [feedmerge] (first at line 1)\n"
	         "t.conf:4: duplicate key 'concurrency' in [feedmerge] (first at line 2)\n",
	         3, "concurrency 0, duplicate section and key");
	load_bad("[feedmerge]\nconcurrency = 1025\nfeed_size = 0\n",
	         "t.conf:2: bad concurrency '1025': use a whole number from 1 to 1024\n"
	         "t.conf:3: bad feed_size '0': use a whole number from 1 to 10000\n",
	         2, "out of range numbers");
	load_bad("[feedmerge]\nconcurrency = 8 threads\nfeed_size = 10001\n",
	         "t.conf:2: bad concurrency '8 threads': use a whole number from 1 to 1024\n"
	         "t.conf:3: bad feed_size '10001': use a whole number from 1 to 10000\n",
	         2, "non-numbers");
	load_bad("[feedmerge]\nmax_size = 10MB\n",
	         "t.conf:2: bad max_size '10MB': use a number of bytes with an optional unit K, M "
	         "or G\n",
	         1, "bad max_size");
	load_bad("[feedmerge]\nmax_size = 0K\n",
	         "t.conf:2: bad max_size '0K': must be more than 0\n", 1, "zero max_size");

	static const char *const bad_listens[] = {
	    "127.0.0.1",  "1.2.3:80",     "[::1]80", "foo:80",    ":80",
	    "127.0.0.1:", "127.0.0.1:8a", "::1:80",  "[nope]:80", "[]:80",
	};
	for (size_t i = 0; i < sizeof bad_listens / sizeof *bad_listens; i++) {
		char text[128], want[256];
		snprintf(text, sizeof text, "[feedmerge]\nlisten = %s\n", bad_listens[i]);
		snprintf(
		    want, sizeof want,
		    "t.conf:2: bad listen '%s': use IPV4:PORT, [IPV6]:PORT or localhost:PORT\n",
		    bad_listens[i]);
		load_bad(text, want, 1, bad_listens[i]);
	}
	load_bad("[feedmerge]\nlisten = localhost:65536\n",
	         "t.conf:2: bad listen 'localhost:65536': the port must be 0 to 65535\n", 1,
	         "listen port too large");

	static const char *const bad_public[] = {
	    "ftp://x/",      "/feeds/",       "news.example.org", "http://",
	    "http://x/?a=1", "http://x/#top", "http://x y/",
	};
	for (size_t i = 0; i < sizeof bad_public / sizeof *bad_public; i++) {
		char text[128], want[256];
		snprintf(text, sizeof text, "[feedmerge]\npublic_url = %s\n", bad_public[i]);
		snprintf(want, sizeof want,
		         "t.conf:2: bad public_url '%s': use an absolute http:// or https:// URL "
		         "without a query or fragment\n",
		         bad_public[i]);
		load_bad(text, want, 1, bad_public[i]);
	}

	static const char *const bad_urls[] = {
	    "feed.rss",    "//x.example/feed", "file:///etc/passwd", "https:///x",
	    "http://:80/", "http://x:99999/",  "http://[::1/",       "tag:x,2024:feed",
	};
	for (size_t i = 0; i < sizeof bad_urls / sizeof *bad_urls; i++) {
		char text[128], want[256];
		snprintf(text, sizeof text, "[source a]\nurl = %s\n", bad_urls[i]);
		snprintf(want, sizeof want,
		         "t.conf:2: bad url '%s': use an absolute http:// or https:// URL\n",
		         bad_urls[i]);
		load_bad(text, want, 1, bad_urls[i]);
	}

	load_bad("[source a]\nurl = http://x/\ncharset = klingon-8\n",
	         "t.conf:3: unknown charset 'klingon-8': iconv cannot convert it to UTF-8\n", 1,
	         "unknown charset");
	load_bad("[source a]\nurl = http://x/\ntimezone = Mars/Base\n",
	         "t.conf:3: bad timezone 'Mars/Base': use an offset such as +07:00 or UTC+7, or a "
	         "zone name such as Asia/Ho_Chi_Minh\n",
	         1, "unknown timezone");
	load_bad("[source a]\nurl = http://x/\ndate_format = dd/mm/yyyy\n",
	         "t.conf:3: bad date_format 'dd/mm/yyyy': use a strptime pattern such as %d/%m/%Y "
	         "%H:%M\n",
	         1, "date_format without '%'");
	load_bad("[feedmerge]\ndatabase =\nfeed_title = # only a comment\nuser_agent =\n"
	         "feed_author=\ninterval =\n[source a]\nurl =\ntitle =\n",
	         "t.conf:2: no value for database\n"
	         "t.conf:3: no value for feed_title\n"
	         "t.conf:4: no value for user_agent\n"
	         "t.conf:5: no value for feed_author\n"
	         "t.conf:6: no value for interval\n"
	         "t.conf:8: no value for url in [source a]\n"
	         "t.conf:9: no value for title in [source a]\n",
	         7, "empty values");

	load_bad("[source a]\nurl = http://x/\nurl = http://y/\n",
	         "t.conf:3: duplicate key 'url' in [source a] (first at line 2)\n", 1,
	         "duplicate source key");
	load_bad("[source baochinhphu]\nurl = http://x/\n[source other]\nurl = http://y/\n"
	         "[source baochinhphu]\nurl = http://z/\n",
	         "t.conf:5: duplicate source name 'baochinhphu' (first at line 1)\n", 1,
	         "duplicate source name");
	load_bad("[source a]\nurl = http://x/\n[source b]\nurl = http://y/\n[source a]\n",
	         "t.conf:5: duplicate source name 'a' (first at line 1)\n"
	         "t.conf:5: [source a] has no url\n",
	         2, "duplicate source name, without url");
	load_bad("[source a]\ntitle = A\n\n[source b]\nurl = http://y/\n[source c]\n",
	         "t.conf:1: [source a] has no url\n"
	         "t.conf:6: [source c] has no url\n",
	         2, "sources without url, at their header lines");
	load_bad("[source a]\nurl = nope\n",
	         "t.conf:2: bad url 'nope': use an absolute http:// or "
	         "https:// URL\n",
	         1, "a bad url is not also a missing one");
	load_bad("database = x.db\n\n[feedmerge]\n",
	         "t.conf:1: key 'database' outside any section: put it under [feedmerge] or "
	         "[source NAME]\n",
	         1, "key outside any section");
	load_bad("[feedmerge]\njust some words\n= value\n",
	         "t.conf:2: malformed line 'just some words': expected key = value or a [section] "
	         "header\n"
	         "t.conf:3: malformed line '= value': no key before '='\n",
	         2, "malformed lines");
	load_bad("[feedmerge\nfeed_size = x\n[feedmerge] x\n[source]\n[source a b]\n[source é]\n"
	         "[source a/b]\n",
	         "t.conf:1: malformed section header '[feedmerge': no closing ']'\n"
	         "t.conf:3: malformed section header '[feedmerge] x': text after ']'\n"
	         "t.conf:4: missing source name: use [source NAME]\n"
	         "t.conf:5: bad source name 'a b': use letters, digits, '-' and '_'\n"
	         "t.conf:6: bad source name 'é': use letters, digits, '-' and '_'\n"
	         "t.conf:7: bad source name 'a/b': use letters, digits, '-' and '_'\n",
	         6, "malformed headers");
	load_bad("[sourcea]\n", "t.conf:1: unknown section [sourcea]: did you mean [source a]?\n",
	         1, "[sourcea] is not [source a]");

	static const char nul[] = "[feedmerge]\nfeed_title = a\0b\nfeed_size = 5\n";
	char *errors;
	int n;
	struct config *c = load_bytes(nul, sizeof nul - 1, &errors, &n);
	ok(c == NULL, "NUL byte refused");
	is_str(errors, "t.conf:2: malformed line: it contains a control character\n",
	       "NUL byte message");
	free(errors);
	config_free(c);

	load_bad("[feedmerge]\nuser_agent = a\rX-Injected: 1\nfeed_title = a\x1b[1mb\n",
	         "t.conf:2: malformed line: it contains a control character\n"
	         "t.conf:3: malformed line: it contains a control character\n",
	         2, "lone CR and ESC refused");

	static const char latin1[] = "[feedmerge]\nfeed_title = caf\xE9\n\xC0\xAF = 1\n";
	c = load_bytes(latin1, sizeof latin1 - 1, &errors, &n);
	ok(c == NULL, "invalid UTF-8 refused");
	is_str(errors,
	       "t.conf:2: malformed line: it is not valid UTF-8\n"
	       "t.conf:3: malformed line: it is not valid UTF-8\n",
	       "invalid UTF-8 messages (Latin-1, overlong)");
	is_int(n, 2, "invalid UTF-8 count");
	free(errors);
	config_free(c);
}

/* Many problems at once: every one is listed, in line order. */
static void test_many_errors(void)
{
	load_bad(
	    "feed_size = 3\n"
	    "[feedmerge]\n"
	    "interval = 15x\n"
	    "listen = 127.0.0.1:99999\n"
	    "bogus = 1\n"
	    "interval = 5m\n"
	    "[source baochinhphu]\n"
	    "title = no url here\n"
	    "[source ok]\n"
	    "url = https://ok.example/\n"
	    "[source baochinhphu]\n"
	    "url = ftp://x/\n"
	    "intervall = 10m\n"
	    "garbage\n"
	    "[other]\n"
	    "ignored = yes\n",
	    "t.conf:1: key 'feed_size' outside any section: put it under [feedmerge] or "
	    "[source NAME]\n"
	    "t.conf:3: bad interval '15x': use a number with an optional unit s, m, h or d\n"
	    "t.conf:4: bad listen '127.0.0.1:99999': the port must be 0 to 65535\n"
	    "t.conf:5: unknown key 'bogus' in [feedmerge]\n"
	    "t.conf:6: duplicate key 'interval' in [feedmerge] (first at line 3)\n"
	    "t.conf:7: [source baochinhphu] has no url\n"
	    "t.conf:11: duplicate source name 'baochinhphu' (first at line 7)\n"
	    "t.conf:12: bad url 'ftp://x/': use an absolute http:// or https:// URL\n"
	    "t.conf:13: unknown key 'intervall' in [source baochinhphu]: did you mean 'interval'?\n"
	    "t.conf:14: malformed line 'garbage': expected key = value or a [section] header\n"
	    "t.conf:15: unknown section [other]: use [feedmerge] or [source NAME]\n",
	    11, "many errors at once");
}

static void test_unreadable(void)
{
	char *errors;
	int n;
	struct config *c = load_path("does-not-exist.conf", &errors, &n);
	ok(c == NULL, "missing file refused");
	is_str(errors, "does-not-exist.conf: cannot read: No such file or directory\n",
	       "missing file message");
	is_int(n, 1, "missing file: one error");
	free(errors);

	if (mkdir("adir.conf", 0700) != 0 && errno != EEXIST)
		perror("mkdir adir.conf");
	c = load_path("adir.conf", &errors, &n);
	ok(c == NULL, "directory refused");
	is_str(errors, "adir.conf: cannot read: Is a directory\n", "directory message");
	free(errors);
	rmdir("adir.conf");

	/* A config is written by hand: megabytes of it are a mistake (a log, a database). */
	size_t big_len = 4 * 1024 * 1024 + 1;
	char *big = malloc(big_len);
	if (big == NULL)
		exit(99);
	memset(big, '#', big_len);
	c = load_bytes(big, big_len, &errors, &n);
	free(big);
	ok(c == NULL, "file over 4 MiB refused");
	is_str(errors, "t.conf: cannot read: larger than 4 MiB\n", "file over 4 MiB message");
	free(errors);

	n = -1;
	c = config_load("does-not-exist.conf", NULL, &n);
	ok(c == NULL && n == 1, "errs may be NULL");
	c = config_load("does-not-exist.conf", NULL, NULL);
	ok(c == NULL, "nerrors may be NULL");
	config_free(NULL);
	ok(1, "config_free(NULL) does nothing");
}

static void test_enabled(void)
{
	struct config *c = load_ok("[source plain]\nurl = http://x.example/\n", "no enabled key");
	if (c != NULL && c->nsources == 1)
		is_int(c->sources[0].enabled, 1, "enabled defaults to yes");
	config_free(c);

	static const struct {
		const char *value;
		int want;
	} spellings[] = {
	    {"yes", 1}, {"no", 0},  {"true", 1}, {"false", 0}, {"on", 1},    {"off", 0}, {"1", 1},
	    {"0", 0},   {"YES", 1}, {"No", 0},   {"True", 1},  {"FALSE", 0}, {"On", 1},  {"OFF", 0},
	};
	for (size_t i = 0; i < sizeof spellings / sizeof spellings[0]; i++) {
		char text[128], name[64];
		snprintf(text, sizeof text, "[source a]\nurl = http://x.example/\nenabled = %s\n",
		         spellings[i].value);
		snprintf(name, sizeof name, "enabled = %s", spellings[i].value);
		c = load_ok(text, name);
		if (c != NULL && c->nsources == 1)
			is_int(c->sources[0].enabled, spellings[i].want, "enabled = %s is %s",
			       spellings[i].value, spellings[i].want ? "yes" : "no");
		config_free(c);
	}

	c = load_ok("[source a]\nurl = http://a.example/\nenabled = no  # paused for now\n"
	            "[source b]\nurl = http://b.example/\n"
	            "[source c]\nenabled = off\nurl = http://c.example/\n",
	            "enabled per source");
	if (c != NULL && c->nsources == 3) {
		is_int(c->sources[0].enabled, 0, "a paused (comment after the value)");
		is_int(c->sources[1].enabled, 1, "b enabled by default");
		is_int(c->sources[2].enabled, 0, "c paused (enabled before url)");
		is_str(c->sources[2].url, "http://c.example/", "a paused source keeps its url");
	}
	config_free(c);

	static const char *const bad[] = {"maybe", "2", "y", "n", "yes please", "disabled", "-1"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char text[128], want[128];
		snprintf(text, sizeof text, "[source a]\nurl = http://x.example/\nenabled = %s\n",
		         bad[i]);
		snprintf(want, sizeof want, "t.conf:3: bad enabled '%s': use yes or no\n", bad[i]);
		load_bad(text, want, 1, bad[i]);
	}
	load_bad("[source a]\nurl = http://x.example/\nenabled =\n",
	         "t.conf:3: no value for enabled in [source a]\n", 1, "empty enabled");
	load_bad("[source a]\nurl = http://x.example/\nenabled = no\nenabled = yes\n",
	         "t.conf:4: duplicate key 'enabled' in [source a] (first at line 3)\n", 1,
	         "duplicate enabled");
	load_bad("[feedmerge]\nenabled = no\n",
	         "t.conf:2: unknown key 'enabled' in [feedmerge] (it belongs in a [source NAME])\n",
	         1, "enabled in [feedmerge]");
	load_bad("[source a]\nenabled = no\n", "t.conf:1: [source a] has no url\n", 1,
	         "a paused source still needs a url");
}

static void test_durations_or_zero(void)
{
	struct config *c = load_ok("", "startup_spread and removed_keep defaults");
	if (c != NULL) {
		is_int(c->startup_spread_s, 30, "default startup_spread 30s");
		is_int(c->removed_keep_s, 2592000, "default removed_keep 30d");
	}
	config_free(c);

	c = load_ok("[feedmerge]\nstartup_spread = 0\nremoved_keep = 0s\n", "zero durations");
	if (c != NULL) {
		is_int(c->startup_spread_s, 0, "startup_spread 0: no spreading");
		is_int(c->removed_keep_s, 0, "removed_keep 0s: no keeping");
	}
	config_free(c);

	c = load_ok("[feedmerge]\nstartup_spread = 5m\nremoved_keep = 7d\n",
	            "durations with units");
	if (c != NULL) {
		is_int(c->startup_spread_s, 300, "startup_spread 5m");
		is_int(c->removed_keep_s, 7 * 86400, "removed_keep 7d");
	}
	config_free(c);

	c = load_ok("[feedmerge]\nstartup_spread = 90\nremoved_keep = 12h\n",
	            "bare seconds, hours");
	if (c != NULL) {
		is_int(c->startup_spread_s, 90, "bare startup_spread is seconds");
		is_int(c->removed_keep_s, 12 * 3600, "removed_keep 12h");
	}
	config_free(c);

	load_bad("[feedmerge]\nstartup_spread = soon\nremoved_keep = 1w\n",
	         "t.conf:2: bad startup_spread 'soon': use a number with an optional unit s, m, h "
	         "or d\n"
	         "t.conf:3: bad removed_keep '1w': use a number with an optional unit s, m, h or "
	         "d\n",
	         2, "bad startup_spread and removed_keep");
	load_bad("[feedmerge]\nstartup_spread = -1\nremoved_keep = -30d\n",
	         "t.conf:2: bad startup_spread '-1': use a number with an optional unit s, m, h or "
	         "d\n"
	         "t.conf:3: bad removed_keep '-30d': use a number with an optional unit s, m, h or "
	         "d\n",
	         2, "negative startup_spread and removed_keep");
	load_bad("[feedmerge]\nstartup_spread =\nremoved_keep =\n",
	         "t.conf:2: no value for startup_spread\n"
	         "t.conf:3: no value for removed_keep\n",
	         2, "empty startup_spread and removed_keep");
	load_bad("[source a]\nurl = http://x.example/\nremoved_keep = 1d\n",
	         "t.conf:3: unknown key 'removed_keep' in [source a] (it belongs in [feedmerge])\n",
	         1, "removed_keep in a source");
}

/* Collects config_global_changes' calls as "key: old -> new" lines. */
struct changes {
	char text[2048];
	int n;
};

static void on_change(void *ctx, const char *key, const char *old_value, const char *new_value)
{
	struct changes *ch = ctx;
	size_t len = strlen(ch->text);
	snprintf(ch->text + len, sizeof ch->text - len, "%s: %s -> %s\n", key, old_value,
	         new_value);
	ch->n++;
}

/* The changes from config text a to config text b, in *ch. */
static void changes_between(const char *a, const char *b, struct changes *ch, const char *name)
{
	memset(ch, 0, sizeof *ch);
	struct config *ca = load_ok(a, name);
	struct config *cb = load_ok(b, name);
	if (ca != NULL && cb != NULL)
		config_global_changes(ca, cb, on_change, ch);
	config_free(ca);
	config_free(cb);
}

/* Loads text that must load with warnings only: want is everything printed (the warnings). */
static struct config *load_warn(const char *text, const char *want, size_t want_n, const char *name)
{
	char *errors;
	int n;
	struct config *c = load_bytes(text, strlen(text), &errors, &n);
	ok(c != NULL && n == 0, "%s: loads (0 errors, got %d)", name, n);
	is_str(errors, want, "%s: the warning", name);
	if (c != NULL)
		is_int((int64_t)c->nwarnings, (int64_t)want_n, "%s: counted as warnings", name);
	free(errors);
	return c;
}

/* The fetcher's keys: defaults, every value, bad values, and the warnings. */
static void test_fetch_keys(void)
{
	struct config *c = load_ok("[source a]\nurl = http://a.example/\n", "fetch defaults");
	if (c != NULL) {
		is_int(c->min_interval_s, 60, "default min_interval 60s");
		is_int(c->max_interval_s, 86400, "default max_interval 1d");
		is_int(c->max_backoff_s, 86400, "default max_backoff 1d");
		is_int(c->per_host, 2, "default per_host 2");
		is_int(c->connect_timeout_s, 15, "default connect_timeout 15s");
		is_int(c->max_redirects, 10, "default max_redirects 10");
		is_int(c->confirm_redirects, 3, "default confirm_redirects 3");
		is_int(c->retry_after_host, 0, "default retry_after_scope source");
		ok(c->proxy == NULL, "default proxy: none (the environment's)");
		is_int((int64_t)c->nwarnings, 0, "no warnings");
		is_int(c->sources[0].tls_verify, 1, "default tls_verify yes");
		is_int((int64_t)c->sources[0].nheaders, 0, "no extra headers");
		ok(c->sources[0].user_agent == NULL, "no per-source user_agent");
		ok(c->sources[0].auth_file == NULL && c->sources[0].userpwd == NULL,
		   "no auth_file");
	}
	config_free(c);

	c = load_ok("[feedmerge]\nmin_interval = 30s\nmax_interval = 2d\nmax_backoff = 6h\n"
	            "per_host = 64\nconnect_timeout = 5\nmax_redirects = 0\n"
	            "confirm_redirects = 100\nretry_after_scope = host\n"
	            "proxy = http://proxy.example:3128\n"
	            "[source a]\nurl = http://a.example/\nuser_agent = Special/1.0 (+x)\n"
	            "headers = X-Api-Key: abc 123\nheaders = Accept-Language: vi, en;q=0.5\n"
	            "tls_verify = yes\n",
	            "fetch keys set");
	if (c != NULL) {
		is_int(c->min_interval_s, 30, "min_interval = 30s");
		is_int(c->max_interval_s, 2 * 86400, "max_interval = 2d");
		is_int(c->max_backoff_s, 6 * 3600, "max_backoff = 6h");
		is_int(c->per_host, 64, "per_host = 64 (the most)");
		is_int(c->connect_timeout_s, 5, "connect_timeout = 5");
		is_int(c->max_redirects, 0, "max_redirects = 0 (the least)");
		is_int(c->confirm_redirects, 100, "confirm_redirects = 100 (the most)");
		is_int(c->retry_after_host, 1, "retry_after_scope = host");
		is_str(c->proxy, "http://proxy.example:3128", "proxy");
		const struct source_conf *s = &c->sources[0];
		is_str(s->user_agent, "Special/1.0 (+x)", "per-source user_agent");
		if (is_int((int64_t)s->nheaders, 2, "headers is repeatable: two")) {
			is_str(s->headers[0], "X-Api-Key: abc 123", "first header, in order");
			is_str(s->headers[1], "Accept-Language: vi, en;q=0.5", "second header");
		}
		is_int(s->tls_verify, 1, "tls_verify = yes");
	}
	config_free(c);

	c = load_ok("[feedmerge]\nretry_after_scope = source\n[source a]\nurl = http://a/\n",
	            "retry_after_scope = source");
	if (c != NULL)
		is_int(c->retry_after_host, 0, "retry_after_scope = source");
	config_free(c);

	load_bad("[feedmerge]\nper_host = 0\n",
	         "t.conf:2: bad per_host '0': use a whole number from 1 to 64\n", 1,
	         "per_host = 0");
	load_bad("[feedmerge]\nper_host = 65\n",
	         "t.conf:2: bad per_host '65': use a whole number from 1 to 64\n", 1,
	         "per_host = 65");
	load_bad("[feedmerge]\nmax_redirects = 51\n",
	         "t.conf:2: bad max_redirects '51': use a whole number from 0 to 50\n", 1,
	         "max_redirects = 51");
	load_bad("[feedmerge]\nmax_redirects = -1\n",
	         "t.conf:2: bad max_redirects '-1': use a whole number from 0 to 50\n", 1,
	         "max_redirects = -1");
	load_bad("[feedmerge]\nconfirm_redirects = 0\n",
	         "t.conf:2: bad confirm_redirects '0': use a whole number from 1 to 100\n", 1,
	         "confirm_redirects = 0");
	load_bad("[feedmerge]\nretry_after_scope = domain\n",
	         "t.conf:2: bad retry_after_scope 'domain': use source or host\n", 1,
	         "retry_after_scope = domain");
	load_bad("[feedmerge]\nproxy = proxy.example:3128\n",
	         "t.conf:2: bad proxy 'proxy.example:3128': use a URL such as "
	         "http://proxy.example:3128\n",
	         1, "proxy without a scheme");
	load_bad("[feedmerge]\nmin_interval = 0\n",
	         "t.conf:2: bad min_interval '0': must be more than 0\n", 1, "min_interval = 0");
	load_bad("[feedmerge]\nmin_interval = 2h\nmax_interval = 1h\n",
	         "t.conf:3: max_interval is shorter than min_interval\n", 1,
	         "max_interval < min_interval");
	load_bad("[source a]\nurl = http://a/\ntls_verify = maybe\n",
	         "t.conf:3: bad tls_verify 'maybe': use yes or no\n", 1, "tls_verify = maybe");
	load_bad("[source a]\nurl = http://a/\nheaders = NoColon\n",
	         "t.conf:3: bad headers: use Name: value\n", 1, "headers without a colon");
	load_bad("[source a]\nurl = http://a/\nheaders = Bad Name: x\n",
	         "t.conf:3: bad headers 'Bad Name': the name must be a token (letters, digits, "
	         "'-')\n",
	         1, "headers with a space in the name");
	load_bad("[source a]\nurl = http://a/\nheaders = Authorization: Basic eA==\n",
	         "t.conf:3: bad headers 'Authorization': use auth_file for credentials\n", 1,
	         "headers = Authorization");
	load_bad("[source a]\nurl = http://a/\nheaders = if-none-match: x\n",
	         "t.conf:3: bad headers 'if-none-match': feedmerge sets this header itself\n", 1,
	         "reserved header names are case-insensitive");
	load_bad("[source a]\nurl = http://a/\nauth_file = no-such-file\n",
	         "t.conf:3: cannot read auth_file no-such-file: No such file or directory\n", 1,
	         "auth_file missing");
	write_file("auth-bad", "just-a-user\n", 12);
	chmod("auth-bad", 0600);
	load_bad("[source a]\nurl = http://a/\nauth_file = auth-bad\n",
	         "t.conf:3: bad auth_file auth-bad: its first line must be user:password\n", 1,
	         "auth_file without a colon");
	unlink("auth-bad");

	/* auth_file: mode 600 is quiet; readable by others loads with a warning. */
	write_file("auth", "feeduser:s3cr3t-pw\nignored\n", 27);
	chmod("auth", 0600);
	c = load_ok("[source a]\nurl = http://a/\nauth_file = auth\n", "auth_file mode 600");
	if (c != NULL) {
		is_str(c->sources[0].userpwd, "feeduser:s3cr3t-pw", "auth_file: its first line");
		is_str(c->sources[0].auth_file, "auth", "auth_file: the path, beside the config");
	}
	config_free(c);
	chmod("auth", 0644);
	c = load_warn("[source a]\nurl = http://a/\nauth_file = auth\n",
	              "t.conf:3: warning: auth_file auth can be read by other users (mode 0644): "
	              "chmod 600 it\n",
	              1, "auth_file mode 644");
	if (c != NULL)
		is_str(c->sources[0].userpwd, "feeduser:s3cr3t-pw", "mode 644: still read");
	config_free(c);
	chmod("auth", 0640);
	c = load_warn("[source a]\nurl = http://a/\nauth_file = auth\n",
	              "t.conf:3: warning: auth_file auth can be read by other users (mode 0640): "
	              "chmod 600 it\n",
	              1, "auth_file mode 640 (group)");
	config_free(c);
	unlink("auth");

	c = load_warn(
	    "[source a]\nurl = http://feeduser:s3cr3t-pw@a.example/feed\n",
	    "t.conf:2: warning: the url of [source a] carries a user name or password: use "
	    "auth_file (it is never logged or published either way)\n",
	    1, "credentials in the url");
	if (c != NULL)
		is_str(c->sources[0].url, "http://feeduser:s3cr3t-pw@a.example/feed",
		       "credentials in the url: the url kept as given");
	config_free(c);
	c = load_warn("[source a]\nurl = https://a.example/\ntls_verify = no\n",
	              "t.conf:3: warning: tls_verify = no in [source a]: its server's certificate "
	              "is not checked\n",
	              1, "tls_verify = no");
	if (c != NULL)
		is_int(c->sources[0].tls_verify, 0, "tls_verify = no: 0");
	config_free(c);
	c = load_warn(
	    "[source a]\nurl = http://a.example/rss\n[source b]\nurl = http://a.example/rss\n",
	    "t.conf:4: warning: [source b] has the same url as [source a]\n", 1,
	    "the same url in two sources");
	if (c != NULL)
		is_int((int64_t)c->nsources, 2, "the same url: both sources kept");
	config_free(c);
	c = load_warn("[feedmerge]\ntimeout = 10s\nconnect_timeout = 20s\n",
	              "t.conf:3: warning: connect_timeout is longer than timeout, which bounds the "
	              "whole transfer\n",
	              1, "connect_timeout > timeout");
	config_free(c);
	c = load_warn(
	    "[source a]\nurl = http://u:p@a.example/\ntls_verify = no\n"
	    "[source b]\nurl = http://u:p@a.example/\n",
	    "t.conf:2: warning: the url of [source a] carries a user name or password: use "
	    "auth_file (it is never logged or published either way)\n"
	    "t.conf:3: warning: tls_verify = no in [source a]: its server's certificate "
	    "is not checked\n"
	    "t.conf:5: warning: the url of [source b] carries a user name or password: use "
	    "auth_file (it is never logged or published either way)\n"
	    "t.conf:5: warning: [source b] has the same url as [source a]\n",
	    4, "four warnings, in line order");
	config_free(c);

	/* A warning does not hide an error: the config is refused, the warning still printed. */
	char *errors;
	int n;
	const char *text = "[source a]\nurl = https://a.example/\ntls_verify = no\nper_host = 3\n";
	c = load_bytes(text, strlen(text), &errors, &n);
	ok(c == NULL, "warning + error: refused");
	is_int(n, 1, "warning + error: one error");
	is_str(
	    errors,
	    "t.conf:3: warning: tls_verify = no in [source a]: its server's certificate is not "
	    "checked\nt.conf:4: unknown key 'per_host' in [source a] (it belongs in [feedmerge])\n",
	    "warning + error: both printed");
	config_free(c);
	free(errors);
}

static void test_global_changes(void)
{
	struct changes ch;
	const char *base = "[feedmerge]\ninterval = 15m\nfeed_title = News\nfeed_author = Desk\n"
	                   "[source a]\nurl = http://a.example/\n";
	changes_between(base, base, &ch, "same config twice");
	is_int(ch.n, 0, "no change: no callback");
	changes_between("", "", &ch, "empty config twice");
	is_int(ch.n, 0, "defaults twice: no callback");
	changes_between(base,
	                "[feedmerge]\ninterval = 15m\nfeed_title = News\nfeed_author = Desk\n"
	                "[source a]\nurl = http://a.example/other\ntitle = A\ninterval = 1h\n"
	                "enabled = no\n[source b]\nurl = http://b.example/\n",
	                &ch, "only sources changed");
	is_int(ch.n, 0, "source changes are not global changes");
	changes_between("[feedmerge]\ninterval = 15m\n", "[feedmerge]\ninterval = 900\n", &ch,
	                "same value, other spelling");
	is_int(ch.n, 0, "15m and 900 are the same interval");

	/* Written in another order than the key table's: reported in the table's. */
	changes_between(
	    base,
	    "[feedmerge]\nstartup_spread = 0\nfeed_title = Tin tức\nfeed_author = Desk\n"
	    "interval = 20m\n[source a]\nurl = http://a.example/\n",
	    &ch, "three keys changed");
	is_int(ch.n, 3, "three changes, one callback each");
	is_str(ch.text,
	       "interval: 15m -> 20m\n"
	       "feed_title: News -> Tin tức\n"
	       "startup_spread: 30s -> 0s\n",
	       "interval, feed_title, startup_spread: formatted old and new, table order");

	/* feed_author follows feed_title when not set: it changes with it. */
	changes_between("[feedmerge]\nfeed_title = A\n", "[feedmerge]\nfeed_title = B\n", &ch,
	                "feed_title with a derived feed_author");
	is_str(ch.text, "feed_title: A -> B\nfeed_author: A -> B\n",
	       "a derived feed_author changes with feed_title");

	changes_between("",
	                "[feedmerge]\nremoved_keep = 0\ntimeout = 90\ninterval = 90m\n"
	                "concurrency = 4\nmax_size = 1K\nlisten =\nstartup_spread = 1h\n"
	                "feed_size = 20\nattribution =\n",
	                &ch, "formats");
	is_str(ch.text,
	       "listen: 127.0.0.1:8080 -> \n"
	       "public_url: http://127.0.0.1:8080/ -> http://localhost/\n"
	       "interval: 15m -> 90m\n"
	       "concurrency: 32 -> 4\n"
	       "timeout: 30s -> 90s\n"
	       "max_size: 10485760 -> 1024\n"
	       "feed_size: 100 -> 20\n"
	       "attribution: Nguồn -> \n"
	       "startup_spread: 30s -> 1h\n"
	       "removed_keep: 30d -> 0s\n",
	       "every kind of value formatted as a config writes it");
	changes_between("[feedmerge]\nremoved_keep = 2d\nstartup_spread = 1d\n",
	                "[feedmerge]\nremoved_keep = 36h\nstartup_spread = 86400\n", &ch,
	                "days and hours");
	is_str(ch.text, "removed_keep: 2d -> 36h\n", "2d -> 36h; 1d and 86400 are the same");
}

/* Writes text to path (NUL-terminated). */
static void put(const char *path, const char *text)
{
	write_file(path, text, strlen(text));
}

/* Loads path, which must fail with exactly want (want_n errors). */
static void path_bad(const char *path, const char *want, int want_n, const char *name)
{
	char *errors;
	int n;
	struct config *c = load_path(path, &errors, &n);
	ok(c == NULL, "%s: refused", name);
	is_str(errors, want, "%s: messages", name);
	is_int(n, want_n, "%s: error count", name);
	config_free(c);
	free(errors);
}

/* Loads path, which must load with exactly want on errs (warnings, or ""). */
static struct config *path_ok(const char *path, const char *want, const char *name)
{
	char *errors;
	int n;
	struct config *c = load_path(path, &errors, &n);
	ok(c != NULL && n == 0, "%s: loads", name);
	is_str(errors, want, "%s: messages", name);
	free(errors);
	return c;
}

static void test_suggestions(void)
{
	load_bad("[feedmerge]\nconcurency = 4\nmax_sise = 1M\nkeepdays = 3\nqqq = 1\n",
	         "t.conf:2: unknown key 'concurency' in [feedmerge]: did you mean 'concurrency'?\n"
	         "t.conf:3: unknown key 'max_sise' in [feedmerge]: did you mean 'max_size'?\n"
	         "t.conf:4: unknown key 'keepdays' in [feedmerge]: did you mean 'keep_days'?\n"
	         "t.conf:5: unknown key 'qqq' in [feedmerge]\n",
	         4, "global keys: nearest suggested");
	/* Swapped neighbours are one edit; "id" is too short to be a misspelt "url". */
	load_bad("[source a]\nurl = http://a.example/\ntitle = A\nitnerval = 1h\nid = 3\n"
	         "inclde = x\n",
	         "t.conf:4: unknown key 'itnerval' in [source a]: did you mean 'interval'?\n"
	         "t.conf:5: unknown key 'id' in [source a]\n"
	         "t.conf:6: unknown key 'inclde' in [source a]\n",
	         3, "source keys: transposition, nothing for a short word");
	load_bad("[feedmerge]\ninclde = x\nopm = y.opml\n",
	         "t.conf:2: unknown key 'inclde' in [feedmerge]: did you mean 'include'?\n"
	         "t.conf:3: unknown key 'opm' in [feedmerge]: did you mean 'opml'?\n",
	         2, "include and opml are in the table");
	load_bad("[surce a]\n[feedmrge]\n[Feedmerge]\n[news]\n",
	         "t.conf:1: unknown section [surce a]: did you mean [source a]?\n"
	         "t.conf:2: unknown section [feedmrge]: did you mean [feedmerge]?\n"
	         "t.conf:3: unknown section [Feedmerge]: did you mean [feedmerge]?\n"
	         "t.conf:4: unknown section [news]: use [feedmerge] or [source NAME]\n",
	         4, "section names");
}

static void test_wildcard_listen(void)
{
	char *errors;
	int n;
	const char *cases[][2] = {
	    {"0.0.0.0:8080", "t.conf:2: warning: listen = 0.0.0.0:8080 takes connections on every "
	                     "address, but without public_url the feeds' links and ids say "
	                     "http://0.0.0.0:8080/: set public_url\n"},
	    {"[::]:80", "t.conf:2: warning: listen = [::]:80 takes connections on every address, "
	                "but without public_url the feeds' links and ids say http://[::]:80/: set "
	                "public_url\n"},
	    {"127.0.0.1:8080", ""},
	    {"[::1]:8080", ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char text[128];
		snprintf(text, sizeof text, "[feedmerge]\nlisten = %s\n", cases[i][0]);
		struct config *c = load_bytes(text, strlen(text), &errors, &n);
		ok(c != NULL && n == 0, "listen %s: loads", cases[i][0]);
		is_str(errors, cases[i][1], "listen %s: warning or none", cases[i][0]);
		config_free(c);
		free(errors);
	}
	const char *with_url =
	    "[feedmerge]\nlisten = 0.0.0.0:8080\npublic_url = https://news.example.org/\n";
	struct config *c = load_bytes(with_url, strlen(with_url), &errors, &n);
	is_str(errors, "", "wildcard listen with public_url: no warning");
	config_free(c);
	free(errors);
}

static void test_include(void)
{
	if (mkdir("inc", 0700) != 0 || mkdir("inc/conf.d", 0700) != 0 || mkdir("inc/empty.d", 0700))
		exit(99);
	put("inc/main.conf",
	    "[feedmerge]\ninterval = 20m\ninclude = conf.d/*.conf\n"
	    "include = empty.d/*.conf\n\n[source last]\nurl = https://l.example/\n");
	put("inc/conf.d/b.conf", "[source b]\nurl = https://b.example/\nauth_file = b.auth\n");
	put("inc/conf.d/a.conf", "[feedmerge]\ndatabase = state/a.db\nfeed_title = A\n[source "
	                         "a]\nurl = https://a.example/\n");
	put("inc/conf.d/b.auth", "u:p\n");
	chmod("inc/conf.d/b.auth", 0600);
	if (mkdir("inc/conf.d/sub.conf", 0700) != 0) /* a folder the pattern matches: skipped */
		exit(99);
	struct config *c = path_ok("inc/main.conf", "", "include");
	if (c != NULL) {
		is_int((int64_t)c->nsources, 3, "include: 3 sources");
		if (c->nsources == 3) {
			is_str(c->sources[0].name, "a",
			       "include: sorted, read at the include line");
			is_str(c->sources[1].name, "b", "include: then b");
			is_str(c->sources[2].name, "last",
			       "include: then the rest of the main file");
			is_str(c->sources[1].auth_file, "inc/conf.d/b.auth",
			       "include: paths relative to the included file");
		}
		is_str(c->feed_title, "A", "include: a global key from an included file");
		is_str(c->database, "inc/conf.d/state/a.db", "include: database beside its file");
		is_str(c->database_at.file, "inc/conf.d/a.conf", "include: database_at file");
		is_int(c->database_at.line, 2, "include: database_at line");
		is_int(c->listen_at.line, 0, "include: listen_at of a default is line 0");
		is_int((int64_t)c->nfiles, 3, "include: three files read");
	}
	config_free(c);

	put("inc/dup.conf", "[feedmerge]\ninclude = conf.d/a.conf\nfeed_title = B\n");
	path_bad("inc/dup.conf",
	         "inc/dup.conf:3: duplicate key 'feed_title' in [feedmerge] (first at "
	         "inc/conf.d/a.conf:3)\n",
	         1, "include: a global key set twice across files");

	put("inc/missing.conf", "[feedmerge]\ninclude = nothere.conf\ninclude = none/*.conf\n");
	path_bad("inc/missing.conf",
	         "inc/missing.conf:2: include inc/nothere.conf: No such file or directory\n", 1,
	         "include: a missing plain path is an error, an empty pattern is not");

	put("inc/twice.conf", "[feedmerge]\ninclude = conf.d/a.conf\ninclude = conf.d/?.conf\n");
	c = path_ok("inc/twice.conf",
	            "inc/twice.conf:3: warning: include inc/conf.d/a.conf: already read; skipped\n",
	            "include: a file read twice");
	if (c != NULL)
		is_int((int64_t)c->nsources, 2, "include: a.conf's source once");
	config_free(c);

	put("inc/self.conf", "[feedmerge]\ninclude = self.conf\n");
	path_bad("inc/self.conf",
	         "inc/self.conf:2: include cycle: inc/self.conf -> inc/self.conf\n", 1,
	         "include: a file including itself");

	put("inc/in-source.conf", "[source a]\nurl = https://a.example/\ninclude = x.conf\n");
	path_bad("inc/in-source.conf",
	         "inc/in-source.conf:3: unknown key 'include' in [source a] (it belongs in "
	         "[feedmerge])\n",
	         1, "include: only in [feedmerge]");

	/* 9 deep: main -> d1 -> ... -> d8 is allowed, d8 -> d9 is not. */
	put("inc/deep0.conf", "[feedmerge]\ninclude = deep1.conf\n");
	for (int i = 1; i <= 9; i++) {
		char path[64], text[64];
		snprintf(path, sizeof path, "inc/deep%d.conf", i);
		snprintf(text, sizeof text, "[feedmerge]\ninclude = deep%d.conf\n", i + 1);
		put(path, i == 9 ? "[source deep]\nurl = https://d.example/\n" : text);
	}
	path_bad("inc/deep0.conf",
	         "inc/deep8.conf:2: include inc/deep9.conf: includes nest more than 8 deep\n", 1,
	         "include: nesting past 8");
	put("inc/deep1.conf", "[feedmerge]\ninclude = deep3.conf\n");
	c = path_ok("inc/deep0.conf", "", "include: 8 deep is fine");
	config_free(c);
}

static void test_opml(void)
{
	if (mkdir("op", 0700) != 0)
		exit(99);
	put("op/list.opml",
	    "<?xml version=\"1.0\"?>\n<opml version=\"2.0\"><head><title>t</title></head><body>\n"
	    "<outline text=\"Thời sự &amp; Chính trị\">\n"
	    "  <outline text=\"x\" title=\"Báo Điện tử Chính phủ\" "
	    "xmlUrl=\"https://bcp.example/\"/>\n"
	    "  <outline text=\"Đời sống\" xmlUrl=\"https://ds.example/\"/>\n"
	    "</outline>\n"
	    "<outline text=\"Main\" xmlUrl=\"https://main-outline.example/\"/>\n"
	    "<outline text=\"Main\" xmlUrl=\"https://main-outline2.example/\"/>\n"
	    "<outline text=\"  \" xmlUrl=\"https://www.no-title.example:8443/feed\"/>\n"
	    "<outline text=\"Dup\" xmlUrl=\"https://section.example/\"/>\n"
	    "</body></opml>\n");
	put("op/t.conf", "[feedmerge]\nopml = list.opml\n[source main]\nurl = https://m.example/\n"
	                 "[source dup]\nurl = https://section.example/\n");
	struct config *c = path_ok(
	    "op/t.conf",
	    "op/list.opml:10: warning: the xmlUrl https://section.example/ is also [source dup] "
	    "(op/t.conf:5): this outline is skipped\n",
	    "opml");
	if (c != NULL && c->nsources == 7) {
		const char *names[] = {"bao-dien-tu-chinh-phu", "doi-song", "main-2", "main-3",
		                       "www-no-title-example",  "main",     "dup"};
		for (int i = 0; i < 7; i++)
			is_str(c->sources[i].name, names[i], "opml: source %d's name", i);
		is_str(c->sources[0].title, "Báo Điện tử Chính phủ", "opml: title over text");
		is_str(c->sources[1].title, "Đời sống", "opml: else text");
		is_str(c->sources[4].title, NULL, "opml: no title: the feed's own");
		is_str(c->sources[0].group, "Thoi-su-Chinh-tri", "opml: folder -> group");
		is_str(c->sources[2].group, NULL, "opml: top level: no group");
		is_int(c->sources[0].interval_s, 15 * 60, "opml: the global interval");
	} else {
		ok(0, "opml: 7 sources (got %zu)", c != NULL ? c->nsources : 0);
	}
	config_free(c);

	put("op/bad.opml", "<opml version=\"2.0\"><body>\n<outline xmlUrl=\"javascript:x\"/>\n"
	                   "</body></opml>\n");
	put("op/bad.conf", "[feedmerge]\nopml = bad.opml\nopml = nope.opml\n");
	path_bad("op/bad.conf",
	         "op/bad.conf:3: opml op/nope.opml: cannot read: No such file or directory\n"
	         "op/bad.opml:2: bad xmlUrl 'javascript:x': use an absolute http:// or https:// "
	         "URL\n",
	         2, "opml: errors at their lines");
}

static void test_check_env(void)
{
	if (mkdir("env", 0700) != 0 || mkdir("env/db", 0700) != 0)
		exit(99);
	put("env/blocker", "");
	put("env/ok.conf", "[feedmerge]\ndatabase = db/x.db\noutput_dir = out/a/b\nlisten = "
	                   "127.0.0.1:0\n");
	struct config *c = path_ok("env/ok.conf", "", "env: ok config");
	char *text = NULL;
	size_t len = 0;
	FILE *errs = open_memstream(&text, &len);
	if (c != NULL && errs != NULL) {
		is_int(config_check_env(c, 1, errs), 0, "env: a creatable output_dir, a free port");
		fclose(errs);
		is_str(text, "", "env: nothing said");
	}
	free(text);
	config_free(c);

	put("env/bad.conf", "[feedmerge]\n# comment\ndatabase = nodir/x.db\noutput_dir = "
	                    "blocker/out\nlisten = 127.0.0.1:0\n");
	c = path_ok("env/bad.conf", "", "env: bad config loads");
	text = NULL;
	errs = open_memstream(&text, &len);
	if (c != NULL && errs != NULL) {
		is_int(config_check_env(c, 1, errs), 2, "env: two problems");
		fclose(errs);
		is_str(
		    text,
		    "env/bad.conf:3: error: database env/nodir/x.db: its folder env/nodir does not "
		    "exist (feedmerge does not create it)\n"
		    "env/bad.conf:4: error: output_dir env/blocker/out cannot be created: "
		    "env/blocker is not a folder\n",
		    "env: each at its key's line");
	}
	free(text);
	config_free(c);

	put("env/default.conf", "[source a]\nurl = https://a.example/\n");
	put("env/public", "");
	c = path_ok("env/default.conf", "", "env: defaults");
	text = NULL;
	errs = open_memstream(&text, &len);
	if (c != NULL && errs != NULL) {
		is_int(config_check_env(c, 0, errs), 1, "env: the default output_dir is a file");
		fclose(errs);
		is_str(text, "env/default.conf: error: output_dir env/public is not a folder\n",
		       "env: a default has no line");
	}
	free(text);
	config_free(c);
}

int main(void)
{
	const char *base = getenv("TMPDIR");
	if (base == NULL || base[0] == '\0')
		base = "/tmp";
	snprintf(tmpdir, sizeof tmpdir, "%s/test_config.XXXXXX", base);
	if (mkdtemp(tmpdir) == NULL || chdir(tmpdir) != 0) {
		perror(tmpdir);
		return 99;
	}

	test_defaults();
	test_all_keys();
	test_sources();
	test_paths();
	test_syntax();
	test_errors();
	test_many_errors();
	test_unreadable();
	test_enabled();
	test_durations_or_zero();
	test_global_changes();
	test_fetch_keys();
	test_suggestions();
	test_wildcard_listen();
	test_include();
	test_opml();
	test_check_env();

	unlink("t.conf");
	if (system("rm -rf inc op env") != 0)
		printf("# could not remove the test folders\n");
	if (chdir("/") != 0 || rmdir(tmpdir) != 0)
		printf("# could not remove %s: %s\n", tmpdir, strerror(errno));
	return done_testing();
}
