/* The HTML page on merged feeds built by hand: one <article class="story"> per entry with its
 * title link, <time datetime>, source, original link and "also in"; the head (lang, charset,
 * viewport, CSP, feed links); the empty page; determinism; hostile input in every field only
 * ever escaped; and the strict shape check of tests/integration/htmlcheck.py (python3, when
 * installed). */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "emit.h"
#include "feed.h"
#include "util.h"
#include "../tap.h"

static char *tests_srcdir;
static int have_python, have_tidy;

static void source_set(struct merged_source *s, const char *name, const char *title,
                       const char *feed_url, const char *site, const char *lang)
{
	s->name = xstrdup_or_null(name);
	s->title = xstrdup_or_null(title);
	s->feed_url = xstrdup_or_null(feed_url);
	s->site_link = xstrdup_or_null(site);
	s->language = xstrdup_or_null(lang);
	s->updated = FEED_TIME_NONE;
}

static struct merged_entry *entry_push(struct merged *m, const char *atom_id, const char *link,
                                       const char *title, int64_t date, size_t source)
{
	m->entries = xreallocarray(m->entries, m->nentries + 1, sizeof *m->entries);
	struct merged_entry *me = &m->entries[m->nentries++];
	memset(me, 0, sizeof *me);
	me->e.published = FEED_TIME_NONE;
	me->e.updated = FEED_TIME_NONE;
	me->atom_id = xstrdup_or_null(atom_id);
	me->e.link = xstrdup_or_null(link);
	me->e.title = xstrdup_or_null(title);
	me->date = date;
	me->first_seen = date;
	me->source = source;
	me->carriers = xcalloc(1, sizeof *me->carriers);
	me->carriers[0] = (struct merged_carrier){source, date};
	me->ncarriers = 1;
	return me;
}

/* Adds source as a later carrier of me. */
static void carrier_add(struct merged_entry *me, size_t source, int64_t first_seen)
{
	me->carriers = xreallocarray(me->carriers, me->ncarriers + 1, sizeof *me->carriers);
	me->carriers[me->ncarriers++] = (struct merged_carrier){source, first_seen};
}

static const struct emit_link links[] = {
    {"feed.atom", "application/atom+xml", "Atom"},
    {"feed.rss", "application/rss+xml", "RSS"},
    {"feed.json", "application/feed+json", "JSON Feed"},
};

static const struct emit_meta meta = {
    .title = "Tin tổng hợp",
    .author = "Ban biên tập",
    .public_url = "http://news.test/",
    .attribution = "Nguồn",
    .links = links,
    .nlinks = 3,
};

/* Three Vietnamese sources; a story two of them carried; one with a summary and a content,
 * one with content only, one with its own author. */
static void sample(struct merged *m)
{
	memset(m, 0, sizeof *m);
	m->nsources = 3;
	m->sources = xcalloc(3, sizeof *m->sources);
	source_set(&m->sources[0], "baochinhphu", "Báo Chính phủ",
	           "https://baochinhphu.vn/home.rss", "https://baochinhphu.vn/", "vi");
	source_set(&m->sources[1], "vnexpress", "VnExpress",
	           "https://vnexpress.net/rss/the-gioi.rss", "https://vnexpress.net/", "vi");
	source_set(&m->sources[2], "gioitre", "Kênh thông tin giới trẻ",
	           "https://gioitrenews.example/rss/thoi-su.rss", "https://gioitrenews.example/",
	           "vi");

	struct merged_entry *me =
	    entry_push(m, "https://baochinhphu.vn/a", "https://baochinhphu.vn/a", "Chính quyền số",
	               1796279400, 0);
	me->e.summary = xstrdup("<p>Tóm tắt <b>ngắn</b></p>");
	me->e.content = xstrdup("<p>CONTENT-NOT-SHOWN</p>");
	carrier_add(me, 2, 1796279500);

	me = entry_push(m, "https://vnexpress.net/b", "https://vnexpress.net/b", "Thế giới",
	                1796252709, 1);
	me->e.content = xstrdup("<p>Chỉ có nội dung</p><article><h2>inner</h2></article>");

	me = entry_push(m, "https://gioitrenews.example/c", "https://gioitrenews.example/c",
	                "Khoa học", 1796200000, 2);
	me->e.author = xstrdup("Lưu Hương");
	me->e.summary = xstrdup("Một trong những điểm mới");
}

/* Every field a source or the config controls, carrying markup or a script link. */
static void hostile(struct merged *m)
{
	memset(m, 0, sizeof *m);
	m->nsources = 2;
	m->sources = xcalloc(2, sizeof *m->sources);
	source_set(&m->sources[0], "evil", "\"><img src=x onerror=alert(1)>", "javascript:alert(2)",
	           "javascript:alert(3)", "vi");
	source_set(&m->sources[1], "evil2", "<script>alert(4)</script>", "http://e2.test/feed",
	           "http://e2.test/\"><script>alert(5)</script>", "vi");

	struct merged_entry *me = entry_push(m, "http://e.test/0", "javascript:alert(6)",
	                                     "<script>alert(7)</script>Tít", 1796279400, 0);
	me->e.author = xstrdup("<svg onload=alert(8)>");
	me->e.summary = xstrdup("<img src=x onerror=alert(9)><script>alert(10)</script>Tóm tắt"
	                        "<a href=\"javascript:alert(11)\">x</a>");
	carrier_add(me, 1, 1796279400);

	me = entry_push(m, "http://e.test/1", "http://e.test/1?a=\"><script>alert(12)</script>",
	                "T1", 1796200000, 1);
	me->e.content = xstrdup("<iframe src=\"http://e.test/\"></iframe><p onclick=\"alert(13)\">"
	                        "para</p><style>body{}</style>");
	carrier_add(me, 0, 1796200000);
}

static char *html_of(const struct merged *m, const struct emit_meta *mt, size_t *len)
{
	struct emit_doc *d = emit_doc_new(m, mt);
	char *out = emit_html(d, "index.html", len);
	emit_doc_free(d);
	return out;
}

static int contains(const char *s, const char *needle)
{
	return s != NULL && strstr(s, needle) != NULL;
}

static size_t count(const char *s, const char *needle)
{
	size_t n = 0;
	for (const char *p = s; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* strcasestr() without _GNU_SOURCE: 1 when s contains needle, ASCII case ignored. */
static int icontains(const char *s, const char *needle)
{
	size_t n = strlen(needle);
	for (; *s != '\0'; s++)
		if (strncasecmp(s, needle, n) == 0)
			return 1;
	return 0;
}

/* Returns the n-th <article class="story"> block (new string), or NULL. */
static char *story(const char *doc, int n)
{
	const char *p = doc;
	for (int i = 0; i <= n; i++) {
		p = strstr(i == 0 ? p : p + 1, "<article class=\"story\"");
		if (p == NULL)
			return NULL;
	}
	const char *end = strstr(p, "</article>\n<article class=\"story\"");
	if (end == NULL)
		end = strstr(p, "</article>\n</main>");
	return end != NULL ? xstrndup(p, (size_t)(end - p)) : NULL;
}

/* Why doc has a tag that could run something, or NULL: every '<' outside escaped text starts a
 * tag; no tag may be a script-like element, carry an on* or style attribute, or name a
 * javascript: URL. */
static const char *tags_problem(const char *doc)
{
	static const char *const bad_elems[] = {"script", "iframe", "object", "embed",
	                                        "svg",    "math",   "base",   "form"};
	for (const char *p = strchr(doc, '<'); p != NULL; p = strchr(p + 1, '<')) {
		const char *end = strchr(p, '>');
		if (end == NULL)
			return "a tag never ends";
		char *tag = xstrndup(p + 1, (size_t)(end - p - 1));
		const char *why = NULL;
		for (size_t i = 0; i < sizeof bad_elems / sizeof bad_elems[0]; i++)
			if (strncasecmp(tag, bad_elems[i], strlen(bad_elems[i])) == 0)
				why = "a script-like element";
		for (const char *a = tag; why == NULL && (a = strchr(a, ' ')) != NULL; a++) {
			if (strncasecmp(a + 1, "on", 2) == 0 ||
			    strncasecmp(a + 1, "style=", 6) == 0)
				why = "an on* or style attribute";
			const char *q = strchr(a + 1, '"');
			if (q != NULL && q[-1] == '=' && (q = strchr(q + 1, '"')) != NULL)
				a = q; /* skip the value: spaces inside are no attribute */
		}
		if (why == NULL && icontains(tag, "javascript:"))
			why = "a javascript: URL";
		if (why != NULL)
			printf("#   in <%s>\n", tag);
		free(tag);
		if (why != NULL)
			return why;
	}
	return NULL;
}

/* Runs the shell command cmd with a temp file holding doc as its last argument (output as TAP
 * comments); returns its exit status, or -1. */
static int run_on(const char *doc, size_t len, const char *cmd, const char *what)
{
	char path[] = "/tmp/feedmerge-html-XXXXXX";
	int fd = mkstemp(path);
	if (fd == -1)
		return -1;
	int written = write(fd, doc, len) == (ssize_t)len;
	close(fd);
	char *c = xasprintf("%s '%s'", cmd, path);
	char *sh = xasprintf("bash -c \"set -o pipefail; %s 2>&1 | sed 's/^/# %s: /'\"", c, what);
	int rc = system(sh);
	free(sh);
	free(c);
	unlink(path);
	if (!written || rc == -1 || !WIFEXITED(rc))
		return -1;
	return WEXITSTATUS(rc);
}

/* Runs htmlcheck.py MODE over doc; 1 when it passes. */
static int htmlcheck(const char *doc, size_t len, const char *mode, const char *what)
{
	char *cmd = xasprintf("python3 '%s/integration/htmlcheck.py' %s", tests_srcdir, mode);
	int rc = run_on(doc, len, cmd, what);
	free(cmd);
	return rc == 0;
}

static void test_sample(void)
{
	struct merged m;
	sample(&m);
	size_t len, len2;
	char *h = html_of(&m, &meta, &len), *h2 = html_of(&m, &meta, &len2);
	ok(len == strlen(h), "length matches");
	ok(len == len2 && memcmp(h, h2, len) == 0, "same input, same bytes");
	free(h2);
	if (getenv("TEST_EMIT_DUMP") != NULL) /* for a human to look at */
		fwrite(h, 1, len, stderr);

	static const char start[] =
	    "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n";
	ok(strncmp(h, start, sizeof start - 1) == 0,
	   "doctype, <html lang> from the sources' language, charset first");
	ok(contains(h, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"),
	   "viewport");
	ok(contains(h, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	               "style-src 'unsafe-inline'; img-src https: http: data:; media-src https: "
	               "http:; base-uri 'none'; form-action 'none'\">"),
	   "Content-Security-Policy: nothing runs");
	ok(contains(h, "<title>Tin tổng hợp</title>") && contains(h, "<h1>Tin tổng hợp</h1>"),
	   "title and h1");
	ok(contains(h, "<link rel=\"alternate\" type=\"application/atom+xml\" href=\"feed.atom\" "
	               "title=\"Atom\">\n") &&
	       contains(h,
	                "<link rel=\"alternate\" type=\"application/feed+json\" href=\"feed.json\" "
	                "title=\"JSON Feed\">\n"),
	   "subscribe links in <head>");
	ok(contains(h,
	            "<a rel=\"alternate\" type=\"application/rss+xml\" href=\"feed.rss\">RSS</a>"),
	   "visible subscribe links");
	ok(contains(h, "@media (prefers-color-scheme:dark)") && contains(h, "max-width:42rem"),
	   "inline style: measure and dark mode");
	ok(count(h, "<article class=\"story\"") == 3, "one story per entry");
	ok(!contains(h, "Nothing yet"), "no empty-feed text");
	ok(!icontains(h, "<script"), "no <script>");
	const char *why = tags_problem(h);
	ok(why == NULL, "no tag that runs (%s)", why != NULL ? why : "none");

	char *s = story(h, 0);
	ok(contains(s, "<h2><a href=\"https://baochinhphu.vn/a\" rel=\"nofollow noopener\">"
	               "Chính quyền số</a></h2>"),
	   "story 0: title links to the story");
	ok(contains(s, "<time datetime=\"2026-12-03T06:30:00Z\">2026-12-03 06:30 UTC</time>"),
	   "story 0: <time datetime> and a human UTC date");
	ok(contains(s, "<span class=\"source\">Nguồn: <a href=\"https://baochinhphu.vn/\" "
	               "rel=\"nofollow noopener\">Báo Chính phủ</a></span>"),
	   "story 0: source name linked to its site, after the attribution label");
	ok(contains(s, "<p class=\"original\"><a href=\"https://baochinhphu.vn/a\" "
	               "rel=\"nofollow noopener\">Link bài gốc</a></p>"),
	   "story 0: the original link, default label");
	ok(contains(s, "<p class=\"also\">Cũng có trên: <a href=\"https://gioitrenews.example/\" "
	               "rel=\"nofollow noopener\">Kênh thông tin giới trẻ</a></p>"),
	   "story 0: also in the second carrier, linked to its site");
	ok(contains(s, "<div class=\"summary\"><p>Tóm tắt <b>ngắn</b></p></div>") &&
	       !contains(s, "CONTENT-NOT-SHOWN"),
	   "story 0: the sanitised summary, not the content");
	ok(!contains(s, "lang="), "story 0: no lang of its own (the page's)");
	free(s);

	s = story(h, 1);
	ok(contains(s, "<time datetime=\"2026-12-02T23:05:09Z\">2026-12-02 23:05 UTC</time>"),
	   "story 1: minutes, no seconds; UTC");
	ok(contains(s, "<div class=\"summary\"><p>Chỉ có nội dung</p><article><h2>inner</h2>"
	               "</article></div>"),
	   "story 1: no summary: the content, as is");
	ok(!contains(s, "class=\"also\""), "story 1: one carrier, no also-in line");
	ok(!contains(s, "class=\"author\""), "story 1: no author of its own, none shown");
	free(s);

	s = story(h, 2);
	ok(contains(s, "<span class=\"author\">Lưu Hương</span>"), "story 2: its own author");
	ok(contains(s, "<div class=\"summary\">Một trong những điểm mới</div>"),
	   "story 2: plain-text summary");
	free(s);
	ok(story(h, 3) == NULL, "no fourth story");

	if (have_python) {
		ok(htmlcheck(h, len, "valid", "sample"), "strict HTML5 shape (htmlcheck.py valid)");
		ok(htmlcheck(h, len, "stories --also 'Kênh thông tin giới trẻ' --min 3", "sample"),
		   "htmlcheck.py stories: title link, time, source, original, also-in");
	} else {
		ok(1, "# SKIP python3 not installed");
		ok(1, "# SKIP python3 not installed");
	}

	/* tidy(1) knows HTML5; it warns (1) about what a source may send, errors (2) are ours. */
	if (have_tidy)
		ok(run_on(h, len, "tidy -q -e", "tidy") == 0, "tidy -q -e: no error, no warning");
	else
		ok(1, "# SKIP tidy not installed");

	/* Configured labels, no attribution, a source in another language. */
	struct emit_meta mt = meta;
	mt.original_label = "Read the original";
	mt.also_label = "Also in";
	mt.attribution = "";
	free(m.sources[1].language);
	m.sources[1].language = xstrdup("en-GB");
	free(h);
	h = html_of(&m, &mt, &len);
	ok(contains(h, "<html>\n"), "sources disagree on the language: no <html lang>");
	ok(contains(h, "<article class=\"story\" lang=\"vi\">") &&
	       contains(h, "<article class=\"story\" lang=\"en-GB\">") &&
	       count(h, "lang=\"vi\"") == 2,
	   "then every story says its source's language");
	ok(contains(h, ">Read the original</a>") && contains(h, "<p class=\"also\">Also in: "),
	   "original_label and also_label");
	ok(contains(h, "<span class=\"source\"><a href=\"https://baochinhphu.vn/\""),
	   "attribution = \"\": the source name alone");
	free(h);
	merged_free(&m);
}

static void test_hostile(void)
{
	struct merged m;
	hostile(&m);
	struct emit_meta mt = meta;
	mt.title = "<script>alert(14)</script>";
	mt.attribution = "<b onmouseover=alert(15)>Nguồn</b>";
	mt.original_label = "<i>gốc</i>";
	mt.also_label = "\"><script>alert(16)</script>";
	size_t len;
	char *h = html_of(&m, &mt, &len);
	if (getenv("TEST_EMIT_DUMP") != NULL)
		fwrite(h, 1, len, stderr);
	ok(!icontains(h, "<script"), "hostile: no <script> anywhere");
	const char *why = tags_problem(h);
	ok(why == NULL, "hostile: no tag that runs (%s)", why != NULL ? why : "none");
	ok(!icontains(h, "javascript:"), "hostile: no javascript: at all");
	ok(contains(h, "<title>&lt;script&gt;alert(14)&lt;/script&gt;</title>") &&
	       contains(h, "<h1>&lt;script&gt;alert(14)&lt;/script&gt;</h1>"),
	   "hostile: feed title escaped");
	ok(contains(h, "<h2>&lt;script&gt;alert(7)&lt;/script&gt;Tít</h2>"),
	   "hostile: story title escaped; a javascript: link gives no link");
	ok(contains(h, "&lt;b onmouseover=alert(15)&gt;Nguồn&lt;/b&gt;: "
	               "\"&gt;&lt;img src=x onerror=alert(1)&gt;</span>"),
	   "hostile: attribution label and source title escaped; no site link for javascript:");
	ok(contains(h, "<span class=\"author\">&lt;svg onload=alert(8)&gt;</span>"),
	   "hostile: author escaped");
	ok(contains(h, "<h2><a href=\"http://e.test/1?a=&quot;&gt;&lt;script&gt;alert(12)&lt;/"
	               "script&gt;\" rel=\"nofollow noopener\">T1</a></h2>"),
	   "hostile: quotes and markup in a link escaped in the attribute");
	ok(contains(h, "&lt;i&gt;gốc&lt;/i&gt;</a>"), "hostile: original_label escaped");
	ok(contains(h, "<p class=\"also\">\"&gt;&lt;script&gt;alert(16)&lt;/script&gt;: "
	               "\"&gt;&lt;img src=x onerror=alert(1)&gt;</p>"),
	   "hostile: also_label and the other carrier's title escaped (no javascript: link)");
	ok(contains(h, "<p class=\"also\">\"&gt;&lt;script&gt;alert(16)&lt;/script&gt;: <a "
	               "href=\"http://e2.test/&quot;&gt;&lt;script&gt;alert(5)&lt;/script&gt;\" "
	               "rel=\"nofollow noopener\">&lt;script&gt;alert(4)&lt;/script&gt;</a></p>"),
	   "hostile: a site link with markup escaped in its attribute, its title in the text");
	ok(!contains(h, "alert(9)") && !contains(h, "alert(10)") && !contains(h, "alert(11)"),
	   "hostile: the summary's onerror, <script> and javascript: link are gone (sanitised)");
	ok(!contains(h, "<iframe") && !contains(h, "onclick") && !contains(h, "body{}"),
	   "hostile: the content's iframe, onclick and <style> are gone (sanitised)");
	if (have_python)
		ok(htmlcheck(h, len, "valid", "hostile"), "hostile: strict HTML5 shape");
	else
		ok(1, "# SKIP python3 not installed");
	free(h);
	merged_free(&m);
}

static void test_empty(void)
{
	struct merged m;
	memset(&m, 0, sizeof m);
	m.created_at = 1796279400;
	size_t len;
	char *h = html_of(&m, &meta, &len);
	ok(contains(h, "<main>\n<p class=\"empty\">Nothing yet"),
	   "empty feed: a friendly paragraph");
	ok(!contains(h, "<article"), "empty feed: no story");
	ok(contains(h, "<html>\n"), "empty feed: no language to state");
	ok(contains(h, "href=\"feed.atom\""), "empty feed: still the subscribe links");
	if (have_python)
		ok(htmlcheck(h, len, "valid", "empty"), "empty feed: strict HTML5 shape");
	else
		ok(1, "# SKIP python3 not installed");
	free(h);

	/* No links, no title: the defaults. */
	struct emit_meta bare = {0};
	h = html_of(&m, &bare, &len);
	ok(contains(h, "<title>feedmerge</title>") && !contains(h, "<nav"),
	   "no meta: default title, no feed links");
	free(h);
}

int main(void)
{
	const char *env = getenv("TESTS_SRCDIR");
	tests_srcdir = env != NULL ? xstrdup(env) : xstrdup(SRCDIR "/tests");
	have_python = system("python3 -c '' >/dev/null 2>&1") == 0;
	have_tidy = system("tidy -v >/dev/null 2>&1") == 0;
	test_sample();
	test_hostile();
	test_empty();
	free(tests_srcdir);
	return done_testing();
}
