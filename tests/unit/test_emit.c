/* The emitter on a merged feed built by hand: ids, fallbacks, attribution, escaping, forbidden
 * characters, determinism, and validity against RFC 4287's RELAX NG schema (xmllint, when
 * installed; tests/data/atom.rng); the JSON Feed read back with yajl's tree parser. */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <yajl/yajl_tree.h>

#include "date.h"
#include "emit.h"
#include "feed.h"
#include "url.h"
#include "util.h"
#include "../tap.h"

static char *tests_srcdir;
static int have_xmllint;

static void source_set(struct merged_source *s, const char *name, const char *title,
                       const char *feed_url, const char *site, int64_t updated)
{
	s->name = xstrdup_or_null(name);
	s->title = xstrdup_or_null(title);
	s->feed_url = xstrdup_or_null(feed_url);
	s->site_link = xstrdup_or_null(site);
	s->updated = updated;
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
	return me;
}

/* The merged feed most checks use. */
static void sample(struct merged *m)
{
	memset(m, 0, sizeof *m);
	m->nsources = 2;
	m->sources = xcalloc(2, sizeof *m->sources);
	source_set(&m->sources[0], "zero", "Source <Zero> & Co", "http://s0.test/feed?a=1&b=2",
	           "http://s0.test/", 1700000500);
	source_set(&m->sources[1], "one", "S1", "http://s1.test/rss", "http://s1.test/",
	           FEED_TIME_NONE);

	/* 0: everything, and markup in title and link. */
	struct merged_entry *me = entry_push(
	    m, "http://s0.test/a?x=1&y=2", "http://s0.test/a?x=1&y=2", "A & B <c>", 1700000400, 0);
	me->e.published = 1700000400;
	me->e.updated = 1700000450;
	me->e.author = xstrdup("Alice");
	me->e.content = xstrdup("<p>Hello</p>");
	me->e.summary = xstrdup("Sum");
	entry_add_category(&me->e, "World & Asia");
	entry_add_enclosure(&me->e, "http://s0.test/a.mp3", "audio/mpeg", 42);
	entry_add_enclosure(&me->e, "http://s0.test/a.bin", "bogus", -1);

	/* 1: no title (derived from a long summary), no author (the source's title). */
	me = entry_push(m, "http://s1.test/b", "http://s1.test/b", NULL, 1700000300, 1);
	me->e.summary = xstrdup("<p>First &amp; foremost:\n  <b>the</b> rains came early this year "
	                        "and the rivers rose over the old stone bridges of the town</p>");

	/* 2: nothing but a link. */
	me = entry_push(m, "http://s1.test/only-link", "http://s1.test/only-link", "  ", 1700000200,
	                1);

	/* 3: no link, forbidden characters, invalid UTF-8, no source it can name. */
	me = entry_push(m, "urn:feedmerge:0123456789abcdef", NULL,
	                "Bad\x01\x02Title\xEF\xBF\xBE and \xFF byte\x1F", 1700000100, 99);
	me->e.summary = xstrdup("tab\there \x0B vt");

	/* 4: carried an atom:source from another aggregator. */
	me = entry_push(m, "http://origin.test/story", "http://origin.test/story", "Stacked",
	                1700000000, 0);
	me->e.source = xcalloc(1, sizeof *me->e.source);
	me->e.source->title = xstrdup("Origin Daily");
	me->e.source->feed_url = xstrdup("http://origin.test/feed");
	me->e.source->link = xstrdup("http://origin.test/");

	/* 5b: a title and an author of nothing XML allows. */
	me = entry_push(m, "http://s1.test/ctl", "http://s1.test/ctl", "\x01\x02 \x1F", 1699999500,
	                1);
	me->e.author = xstrdup("\x0B");
	me->e.summary = xstrdup("Real text");

	/* 5: a broken id (not absolute), a duplicate of entry 0's id after it. */
	entry_push(m, "gioitre-7233", "http://s0.test/c", "Relative id", 1699999000, 0);
	entry_push(m, "http://s0.test/a?x=1&y=2", "http://s0.test/d", "Duplicate id", 1699998000,
	           0);
}

/* Each render prepares its own emit_doc, as publish.c does once per batch. */
static char *atom_of(const struct merged *m, const struct emit_meta *mt, size_t *len)
{
	struct emit_doc *d = emit_doc_new(m, mt);
	char *out = emit_atom(d, "feed.atom", len);
	emit_doc_free(d);
	return out;
}

static char *rss_of(const struct merged *m, const struct emit_meta *mt, size_t *len)
{
	struct emit_doc *d = emit_doc_new(m, mt);
	char *out = emit_rss(d, "feed.rss", len);
	emit_doc_free(d);
	return out;
}

static char *json_of(const struct merged *m, const struct emit_meta *mt, size_t *len)
{
	struct emit_doc *d = emit_doc_new(m, mt);
	char *out = emit_json(d, "feed.json", len);
	emit_doc_free(d);
	return out;
}

static int64_t updated_of(const struct merged *m)
{
	struct emit_meta mt = {0};
	struct emit_doc *d = emit_doc_new(m, &mt);
	int64_t t = emit_doc_updated(d);
	emit_doc_free(d);
	return t;
}

static const struct emit_meta meta = {
    .title = "Tin tổng hợp",
    .author = "Ban biên tập",
    .public_url = "http://news.test/",
    .attribution = "Nguồn",
};

/* Returns the text of the n-th <entry> block (new string), or NULL. */
static char *entry_block(const char *doc, const char *open, const char *close, int n)
{
	const char *p = doc;
	for (int i = 0; i <= n; i++) {
		p = strstr(p, open);
		if (p == NULL)
			return NULL;
		if (i < n)
			p += strlen(open);
	}
	const char *end = strstr(p, close);
	return end != NULL ? xstrndup(p, (size_t)(end - p)) : NULL;
}

/* Returns the text of the first <tag>…</tag> in s (new string), or NULL. */
static char *elem(const char *s, const char *tag)
{
	char *open = xasprintf("<%s>", tag), *close = xasprintf("</%s>", tag);
	char *out = NULL;
	const char *p = s != NULL ? strstr(s, open) : NULL;
	if (p != NULL) {
		p += strlen(open);
		const char *end = strstr(p, close);
		if (end != NULL)
			out = xstrndup(p, (size_t)(end - p));
	}
	free(open);
	free(close);
	return out;
}

static int contains(const char *s, const char *needle)
{
	return s != NULL && strstr(s, needle) != NULL;
}

static int valid_xml_chars(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < len; i++) {
		if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
			return 0;
		if (p[i] == 0xFF || p[i] == 0xFE)
			return 0;
		if (i + 2 < len && p[i] == 0xEF && p[i + 1] == 0xBF && (p[i + 2] & 0xFE) == 0xBE)
			return 0;
	}
	return 1;
}

/* Validates doc with xmllint (against the Atom schema when rng); 1 when it passes. */
static int xmllint_ok(const char *doc, size_t len, int rng, const char *what)
{
	char path[] = "/tmp/feedmerge-emit-XXXXXX";
	int fd = mkstemp(path);
	if (fd == -1)
		return 0;
	int written = write(fd, doc, len) == (ssize_t)len;
	close(fd);
	char *cmd = rng ? xasprintf("xmllint --noout --relaxng '%s/data/atom.rng' '%s' 2>&1 | "
	                            "sed -e 's/^/# %s: /'",
	                            tests_srcdir, path, what)
	                : xasprintf("xmllint --noout '%s' 2>&1 | sed -e 's/^/# %s: /'", path, what);
	char *full = xasprintf("set -o pipefail 2>/dev/null; %s", cmd);
	char *sh = xasprintf("bash -c \"%s\"", full);
	int rc = system(sh);
	free(sh);
	free(full);
	free(cmd);
	unlink(path);
	return written && rc == 0;
}

/* A feed whose sources and entries carry what must never run in a reader's browser. */
static void hostile_sample(struct merged *m)
{
	memset(m, 0, sizeof *m);
	m->nsources = 2;
	m->sources = xcalloc(2, sizeof *m->sources);
	source_set(&m->sources[0], "evil", "Evil", "http://evil.test/feed", "javascript:alert(1)",
	           1700000500);
	source_set(&m->sources[1], "cred", "Cred", "http://u:p@cred.test/feed",
	           "http://user:pw@cred.test/", 1700000500);

	/* 0: a javascript: link, hostile summary, content and enclosure. */
	struct merged_entry *me =
	    entry_push(m, "http://evil.test/0", "javascript:alert(1)", "Hostile", 1700000400, 0);
	me->e.summary = xstrdup("<img src=x onerror=alert(2)><script>alert(3)</script>Tóm tắt");
	me->e.content = xstrdup("<a href=\"JaVaScRiPt:alert(4)\">x</a><iframe "
	                        "src=\"http://e.test/\"></iframe><p onclick=\"alert(5)\">para</p>"
	                        "<img src=\"/rel.png\">");
	entry_add_enclosure(&me->e, "javascript:alert(6)", "audio/mpeg", 1);

	/* 1: a link with credentials; a carried atom:source with nothing publishable; its
	 * source's links carry credentials too. */
	me = entry_push(m, "http://cred.test/1", "http://user:pass@cred.test/a", "Cred entry",
	                1700000300, 1);
	me->e.summary = xstrdup("<a href=\"http://ok.test/\">fine</a>");
	me->e.source = xcalloc(1, sizeof *me->e.source);
	me->e.source->link = xstrdup("vbscript:msgbox(1)");
	me->e.source->feed_url = xstrdup("data:text/html,<script>alert(7)</script>");

	/* 2: a javascript: id, no title: the title comes from the sanitised summary. */
	me = entry_push(m, "javascript:alert(8)", "http://ok.test/2", NULL, 1700000200, 0);
	me->e.summary = xstrdup("<script>alert(9)</script><b>Bold</b> words");

	/* 3: content that sanitises to nothing. */
	me = entry_push(m, "http://ok.test/3", "http://ok.test/3", "Empty", 1700000100, 0);
	me->e.content = xstrdup("<script>alert(10)</script><style>x</style>");
}

static int url_public(const char *v)
{
	return url_is_http(v) && !url_has_userinfo(v);
}

/* Why the HTML fragment html (a summary, content or description) is unsafe, or NULL. */
static const char *html_problem(const char *html)
{
	static const char *const bad_elems[] = {"script", "style", "iframe", "object", "embed",
	                                        "svg",    "math",  "form",   "meta",   "base"};
	char *text = xasprintf("<r>%s</r>", html);
	xmlDocPtr doc = xmlReadMemory(text, (int)strlen(text), NULL, "UTF-8",
	                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	free(text);
	if (doc == NULL)
		return "HTML not well-formed";
	const char *why = NULL;
	xmlNode *n = xmlDocGetRootElement(doc);
	while (n != NULL && why == NULL) {
		if (n->type == XML_ELEMENT_NODE) {
			for (size_t i = 0; i < sizeof bad_elems / sizeof bad_elems[0]; i++)
				if (strcmp((const char *)n->name, bad_elems[i]) == 0)
					why = "a forbidden element in HTML";
			for (xmlAttr *a = n->properties; a != NULL && why == NULL; a = a->next) {
				xmlChar *v = xmlNodeGetContent((xmlNode *)a);
				const char *vs = v != NULL ? (const char *)v : "";
				if (strncmp((const char *)a->name, "on", 2) == 0 ||
				    strcmp((const char *)a->name, "style") == 0)
					why = "an event handler or style in HTML";
				else if ((strcmp((const char *)a->name, "href") == 0 ||
				          strcmp((const char *)a->name, "src") == 0) &&
				         !url_public(vs))
					why = "a URL in HTML that is not public http(s)";
				xmlFree(v);
			}
		}
		/* Depth first, without recursion. */
		if (n->children != NULL) {
			n = n->children;
			continue;
		}
		while (n != NULL && n->next == NULL)
			n = n->parent;
		if (n != NULL)
			n = n->next;
	}
	xmlFreeDoc(doc);
	return why;
}

/* Why the element n of a feed document or any element below it is unsafe, or NULL. */
static const char *feed_node_problem(xmlNode *n)
{
	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		const char *name = (const char *)n->name;
		const char *why = NULL;
		for (xmlAttr *a = n->properties; a != NULL && why == NULL; a = a->next) {
			if (strcmp((const char *)a->name, "href") != 0 &&
			    strcmp((const char *)a->name, "url") != 0)
				continue;
			xmlChar *v = xmlNodeGetContent((xmlNode *)a);
			if (!url_public(v != NULL ? (const char *)v : ""))
				why = "a link that is not public http(s)";
			xmlFree(v);
		}
		xmlChar *text = xmlNodeGetContent(n);
		const char *ts = text != NULL ? (const char *)text : "";
		int html = strcmp(name, "summary") == 0 || strcmp(name, "content") == 0 ||
		           (strcmp(name, "description") == 0 &&
		            strcmp((const char *)n->parent->name, "item") == 0);
		if (why == NULL && strcmp(name, "link") == 0 && n->properties == NULL &&
		    !url_public(ts))
			why = "an RSS link that is not public http(s)";
		if (why == NULL && html)
			why = html_problem(ts);
		if (why == NULL && (html || strcmp(name, "title") == 0) &&
		    strstr(ts, "alert(") != NULL)
			why = "script text survived";
		xmlFree(text);
		if (why == NULL)
			why = feed_node_problem(n->children);
		if (why != NULL)
			return why;
	}
	return NULL;
}

/* Why the feed document is unsafe, or NULL: every href= and url= and every RSS <link> must be
 * public http(s); every summary, content and item description safe HTML. */
static const char *feed_problem(const char *doc_text, size_t len)
{
	xmlDocPtr doc = xmlReadMemory(doc_text, (int)len, NULL, "UTF-8",
	                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL)
		return "feed not well-formed";
	const char *why = feed_node_problem(xmlDocGetRootElement(doc));
	xmlFreeDoc(doc);
	return why;
}

static void test_hostile(void)
{
	struct merged m;
	hostile_sample(&m);
	size_t len;
	const char *why;
	char *s, *atom = atom_of(&m, &meta, &len);
	if (getenv("TEST_EMIT_DUMP") != NULL)
		fwrite(atom, 1, len, stderr);
	why = feed_problem(atom, len);
	ok(why == NULL, "hostile atom: every link public http(s), all HTML safe%s%s",
	   why ? ": " : "", why ? why : "");
	ok(!contains(atom, "javascript") && !contains(atom, "vbscript") &&
	       !contains(atom, "data:") && !contains(atom, "onerror") &&
	       !contains(atom, "onclick") && !contains(atom, "iframe") &&
	       !contains(atom, "script") && !contains(atom, "alert("),
	   "hostile atom: no trace of a script anywhere");
	ok(!contains(atom, "@cred.test"), "hostile atom: no credentials anywhere");
	if (have_xmllint)
		ok(xmllint_ok(atom, len, 1, "hostile"), "hostile atom: valid Atom");
	else
		ok(1, "# SKIP xmllint not installed");

	char *e0 = entry_block(atom, "<entry>", "</entry>", 0);
	const char *src0 = e0 != NULL ? strstr(e0, "<source>") : NULL;
	const char *alt0 = e0 != NULL ? strstr(e0, "<link rel=\"alternate\"") : NULL;
	ok(src0 != NULL && (alt0 == NULL || alt0 > src0),
	   "javascript: entry link: no alternate link");
	ok(contains(e0, "<summary type=\"html\">&lt;img src=\"http://evil.test/x\" /&gt;Tóm "
	                "tắt</summary>"),
	   "summary sanitised, relative URL resolved against the source's feed URL");
	ok(contains(e0, "<content type=\"html\">&lt;a&gt;x&lt;/a&gt;&lt;p&gt;para&lt;/p&gt;&lt;img "
	                "src=\"http://evil.test/rel.png\" /&gt;\n&lt;p "
	                "data-feedmerge=\"attribution\"&gt;Nguồn: &lt;a "
	                "href=\"http://evil.test/feed\"&gt;Evil&lt;/a&gt;&lt;/p&gt;</content>"),
	   "content sanitised; javascript: site link: the attribution links the feed URL, and has "
	   "no Link bài gốc");
	ok(!contains(e0, "enclosure"), "javascript: enclosure left out");
	free(e0);

	char *e1 = entry_block(atom, "<entry>", "</entry>", 1);
	ok(contains(e1, "&lt;p data-feedmerge=\"attribution\"&gt;Nguồn: Cred&lt;/p&gt;</content>"),
	   "links with credentials: the attribution names the source without a link");
	ok(contains(e1, "<source>\n<title>Cred</title>\n<updated>") &&
	       !contains(e1, "<link rel=\"self\"") && !contains(e1, "<source>\n<id>"),
	   "a carried atom:source with nothing public falls back to the source; its feed URL with "
	   "credentials gives no id and no self link");
	ok(!contains(e1, "<link rel=\"alternate\""), "entry link with credentials left out");
	free(e1);

	char *e2 = entry_block(atom, "<entry>", "</entry>", 2);
	s = elem(e2, "id");
	ok(s != NULL && strncmp(s, "urn:feedmerge:", 14) == 0, "javascript: id replaced: %s",
	   s ? s : "");
	free(s);
	s = elem(e2, "title");
	is_str(s, "Bold words", "title derived from the sanitised summary");
	free(s);
	free(e2);

	char *e3 = entry_block(atom, "<entry>", "</entry>", 3);
	ok(contains(e3, "<content type=\"html\">&lt;p data-feedmerge=\"attribution\"&gt;Nguồn:") &&
	       !contains(e3, "<summary"),
	   "content that sanitises to nothing counts as none");
	free(e3);
	free(atom);

	char *rss = rss_of(&m, &meta, &len);
	if (getenv("TEST_EMIT_DUMP") != NULL)
		fwrite(rss, 1, len, stderr);
	why = feed_problem(rss, len);
	ok(why == NULL, "hostile rss: every link public http(s), all HTML safe%s%s",
	   why ? ": " : "", why ? why : "");
	ok(!contains(rss, "javascript") && !contains(rss, "vbscript") && !contains(rss, "data:") &&
	       !contains(rss, "&lt;script") && !contains(rss, "alert(") &&
	       !contains(rss, "@cred.test"),
	   "hostile rss: no trace of a script, no credentials");
	char *i0 = entry_block(rss, "<item>", "</item>", 0);
	ok(!contains(i0, "<link>") && !contains(i0, "<enclosure"),
	   "rss: javascript: link and enclosure left out");
	ok(contains(i0, "<source url=\"http://evil.test/feed\">Evil</source>"),
	   "rss: source url is the public feed URL");
	free(i0);
	char *i1 = entry_block(rss, "<item>", "</item>", 1);
	ok(!contains(i1, "<link>") && !contains(i1, "<source"),
	   "rss: link and source url with credentials left out");
	free(i1);
	char *i2 = entry_block(rss, "<item>", "</item>", 2);
	ok(contains(i2, "<guid isPermaLink=\"false\">urn:feedmerge:"),
	   "rss: a replaced id is no permalink");
	free(i2);
	if (have_xmllint)
		ok(xmllint_ok(rss, len, 0, "hostile rss"), "hostile rss well-formed");
	else
		ok(1, "# SKIP xmllint not installed");
	free(rss);
	merged_free(&m);
}

/* --- JSON Feed ------------------------------------------------------------------------------ */

/* Parses a JSON document with yajl's tree parser (which checks UTF-8); NULL when it fails,
 * with yajl's message as a TAP comment. */
static yajl_val json_parse(const char *doc, const char *what)
{
	char err[256] = "";
	yajl_val v = yajl_tree_parse(doc, err, sizeof err);
	if (v == NULL)
		printf("# %s: %s\n", what, err);
	return v;
}

/* The member key of object v, or NULL. */
static yajl_val jget(yajl_val v, const char *key)
{
	if (v == NULL || !YAJL_IS_OBJECT(v))
		return NULL;
	for (size_t i = 0; i < v->u.object.len; i++)
		if (strcmp(v->u.object.keys[i], key) == 0)
			return v->u.object.values[i];
	return NULL;
}

/* The string member key of object v, or NULL when absent or not a string. */
static const char *jstr(yajl_val v, const char *key)
{
	yajl_val s = jget(v, key);
	return s != NULL && YAJL_IS_STRING(s) ? YAJL_GET_STRING(s) : NULL;
}

/* Element i of array v, or NULL. */
static yajl_val jidx(yajl_val v, size_t i)
{
	if (v == NULL || !YAJL_IS_ARRAY(v) || i >= v->u.array.len)
		return NULL;
	return v->u.array.values[i];
}

static size_t jlen(yajl_val v)
{
	return v != NULL && YAJL_IS_ARRAY(v) ? v->u.array.len : (size_t)-1;
}

/* True when the len bytes at s are valid UTF-8 without a raw C0 control but newline (which
 * only the pretty-printing puts between tokens). */
static int json_bytes_ok(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	while (len > 0) {
		uint32_t cp;
		size_t n = utf8_decode(p, len, &cp);
		if (n == 0 || (cp < 0x20 && cp != '\n'))
			return 0;
		p += n, len -= n;
	}
	return 1;
}

/* The atom:id of every entry of an Atom document, as new strings; returns how many. */
static size_t atom_ids(const char *atom, size_t len, char **ids, size_t max)
{
	xmlDocPtr doc = xmlReadMemory(atom, (int)len, NULL, "UTF-8",
	                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	size_t n = 0;
	if (doc == NULL)
		return 0;
	for (xmlNode *e = xmlDocGetRootElement(doc)->children; e != NULL && n < max; e = e->next) {
		if (e->type != XML_ELEMENT_NODE || strcmp((const char *)e->name, "entry") != 0)
			continue;
		for (xmlNode *c = e->children; c != NULL; c = c->next) {
			if (c->type == XML_ELEMENT_NODE &&
			    strcmp((const char *)c->name, "id") == 0) {
				xmlChar *t = xmlNodeGetContent(c);
				ids[n++] = xstrdup((const char *)t);
				xmlFree(t);
				break;
			}
		}
	}
	xmlFreeDoc(doc);
	return n;
}

/* The text of the description of RSS item n (entities decoded), as a new string. */
static char *rss_description(const char *rss, size_t len, int n)
{
	xmlDocPtr doc = xmlReadMemory(rss, (int)len, NULL, "UTF-8",
	                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	char *out = NULL;
	if (doc == NULL)
		return NULL;
	xmlNode *channel = xmlDocGetRootElement(doc)->children;
	while (channel != NULL && channel->type != XML_ELEMENT_NODE)
		channel = channel->next;
	int i = 0;
	for (xmlNode *it = channel != NULL ? channel->children : NULL; it != NULL && out == NULL;
	     it = it->next) {
		if (it->type != XML_ELEMENT_NODE || strcmp((const char *)it->name, "item") != 0 ||
		    i++ != n)
			continue;
		for (xmlNode *c = it->children; c != NULL; c = c->next)
			if (c->type == XML_ELEMENT_NODE &&
			    strcmp((const char *)c->name, "description") == 0) {
				xmlChar *t = xmlNodeGetContent(c);
				out = xstrdup((const char *)t);
				xmlFree(t);
				break;
			}
	}
	xmlFreeDoc(doc);
	return out;
}

static int is_iso(const char *got, int64_t t)
{
	char iso[DATE_ISO_SIZE];
	date_format_iso(t, iso);
	return got != NULL && strcmp(got, iso) == 0;
}

/* The sample feed: metadata, items, ids against Atom's, dates, attachments, attribution. */
static void test_json_sample(void)
{
	struct merged m;
	sample(&m);
	size_t len, len2;
	char *json = json_of(&m, &meta, &len);
	char *json2 = json_of(&m, &meta, &len2);
	if (getenv("TEST_EMIT_DUMP") != NULL)
		fwrite(json, 1, len, stderr);
	ok(len == strlen(json), "json: length matches");
	ok(len == len2 && memcmp(json, json2, len) == 0, "json: same input, same bytes");
	free(json2);
	ok(json_bytes_ok(json, len), "json: valid UTF-8, no raw control characters");
	yajl_val root = json_parse(json, "sample");
	ok(root != NULL && YAJL_IS_OBJECT(root), "json: parses (yajl_tree), an object");

	is_str(jstr(root, "version"), "https://jsonfeed.org/version/1.1", "json: version");
	is_str(jstr(root, "title"), "Tin tổng hợp", "json: title");
	is_str(jstr(root, "home_page_url"), "http://news.test/", "json: home_page_url");
	is_str(jstr(root, "feed_url"), "http://news.test/feed.json",
	       "json: feed_url is public_url + feed.json");
	ok(jget(root, "language") == NULL, "json: no language when the sources name none");
	is_str(jstr(jidx(jget(root, "authors"), 0), "name"), "Ban biên tập", "json: authors");
	yajl_val items = jget(root, "items");
	is_int((int64_t)jlen(items), 8, "json: eight items");

	/* Ids: strings, unique, the Atom feed's. */
	size_t alen;
	char *atom = atom_of(&m, &meta, &alen);
	char *ids[16];
	size_t nids = atom_ids(atom, alen, ids, 16);
	free(atom);
	int same = nids == jlen(items), unique = 1;
	for (size_t i = 0; i < jlen(items) && i < 16; i++) {
		const char *id = jstr(jidx(items, i), "id");
		if (id == NULL || i >= nids || strcmp(id, ids[i]) != 0)
			same = 0;
		for (size_t j = 0; j < i && id != NULL; j++) {
			const char *other = jstr(jidx(items, j), "id");
			if (other != NULL && strcmp(other, id) == 0)
				unique = 0;
		}
	}
	ok(same, "json: every item id a string, the Atom entry's id");
	ok(unique, "json: item ids unique");
	for (size_t i = 0; i < nids; i++)
		free(ids[i]);

	/* Item 0: everything. */
	yajl_val i0 = jidx(items, 0);
	is_str(jstr(i0, "id"), "http://s0.test/a?x=1&y=2", "json: id unescaped");
	is_str(jstr(i0, "url"), "http://s0.test/a?x=1&y=2", "json: url");
	is_str(jstr(i0, "title"), "A & B <c>", "json: title as plain text");
	size_t rlen;
	char *rss = rss_of(&m, &meta, &rlen);
	char *desc = rss_description(rss, rlen, 0);
	free(rss);
	is_str(jstr(i0, "content_html"), desc, "json: content_html = RSS description");
	free(desc);
	const char *html = jstr(i0, "content_html");
	ok(html != NULL && strncmp(html,
	                           "<p>Hello</p>\n<p data-feedmerge=\"attribution\">Nguồn: <a "
	                           "href=\"http://s0.test/\">",
	                           80) == 0,
	   "json: content, then the attribution line on its own line");
	is_str(jstr(i0, "summary"), "Sum", "json: summary as plain text beside content");
	ok(is_iso(jstr(i0, "date_published"), 1700000400), "json: date_published");
	ok(is_iso(jstr(i0, "date_modified"), 1700000450), "json: date_modified");
	is_str(jstr(jidx(jget(i0, "authors"), 0), "name"), "Alice", "json: item author");
	is_int((int64_t)jlen(jget(i0, "tags")), 1, "json: one tag");
	is_str(YAJL_GET_STRING(jidx(jget(i0, "tags"), 0)), "World & Asia", "json: tag text");
	yajl_val att = jget(i0, "attachments");
	is_int((int64_t)jlen(att), 2, "json: two attachments");
	is_str(jstr(jidx(att, 0), "url"), "http://s0.test/a.mp3", "json: attachment url");
	is_str(jstr(jidx(att, 0), "mime_type"), "audio/mpeg", "json: attachment mime_type");
	yajl_val size = jget(jidx(att, 0), "size_in_bytes");
	ok(size != NULL && YAJL_IS_INTEGER(size) && YAJL_GET_INTEGER(size) == 42,
	   "json: attachment size_in_bytes");
	is_str(jstr(jidx(att, 1), "mime_type"), "application/octet-stream",
	       "json: a bad type: application/octet-stream (mime_type is required)");
	ok(jget(jidx(att, 1), "size_in_bytes") == NULL, "json: unknown length: no size_in_bytes");
	yajl_val src = jget(i0, "_source");
	is_str(jstr(src, "about"), "https://github.com/feedmerge/feedmerge#json-feed-extension",
	       "json: _source about");
	is_str(jstr(src, "title"), "Source <Zero> & Co", "json: _source title");
	is_str(jstr(src, "feed_url"), "http://s0.test/feed?a=1&b=2", "json: _source feed_url");
	is_str(jstr(src, "home_page_url"), "http://s0.test/", "json: _source home_page_url");
	ok(is_iso(jstr(src, "first_seen"), 1700000400), "json: _source first_seen");
	is_int((int64_t)jlen(jget(src, "also")), 0, "json: _source also empty for one carrier");

	/* Item 1: no content: the summary with the attribution is content_html, no summary. */
	yajl_val i1 = jidx(items, 1);
	html = jstr(i1, "content_html");
	ok(html != NULL && strncmp(html, "<p>First &amp; foremost:", 24) == 0 &&
	       strstr(html, "Link bài gốc</a></p>") != NULL,
	   "json: no content: content_html is the summary and the attribution");
	ok(jget(i1, "summary") == NULL, "json: ...and no summary");
	ok(is_iso(jstr(i1, "date_published"), 1700000300), "json: no published date: the date");
	ok(jget(i1, "tags") == NULL && jget(i1, "attachments") == NULL,
	   "json: no tags, no attachments: no keys");

	/* Item 3: forbidden characters, invalid UTF-8, no link, no source. */
	yajl_val i3 = jidx(items, 3);
	is_str(jstr(i3, "title"), "BadTitle and \xEF\xBF\xBD byte",
	       "json: invalid UTF-8 replaced, characters XML forbids dropped as in Atom");
	ok(jget(i3, "url") == NULL, "json: no link, no url");
	is_str(jstr(i3, "content_html"), "tab\there  vt", "json: tab kept, vertical tab dropped");
	src = jget(i3, "_source");
	ok(src != NULL && jget(src, "title") == NULL && jget(src, "feed_url") == NULL,
	   "json: an unknown source: _source names none");

	/* Item 4: a carried atom:source. */
	src = jget(jidx(items, 4), "_source");
	is_str(jstr(src, "title"), "Origin Daily", "json: carried atom:source in _source");
	is_str(jstr(src, "feed_url"), "http://origin.test/feed", "json: its feed_url");
	yajl_tree_free(root);
	free(json);

	/* No public_url that is a URL: no home_page_url, no feed_url. */
	struct emit_meta local = meta;
	local.public_url = "";
	json = json_of(&m, &local, &len);
	root = json_parse(json, "no public_url");
	ok(root != NULL && jget(root, "home_page_url") == NULL && jget(root, "feed_url") == NULL,
	   "json: no public_url: no home_page_url or feed_url");
	yajl_tree_free(root);
	free(json);
	merged_free(&m);
}

/* One story from two sources: the primary in _source, the other in also[]. */
static void test_json_carriers(void)
{
	struct merged m;
	memset(&m, 0, sizeof m);
	m.nsources = 2;
	m.sources = xcalloc(2, sizeof *m.sources);
	source_set(&m.sources[0], "alpha", "Alpha", "http://alpha.test/feed", "http://alpha.test/",
	           1700000500);
	source_set(&m.sources[1], "beta", "Beta", "https://beta.test/rss", "https://beta.test/",
	           1700000600);
	m.sources[0].language = xstrdup("vi");
	m.sources[1].language = xstrdup("en");
	struct merged_entry *me = entry_push(&m, "http://news.test/story", "http://news.test/story",
	                                     "Story", 1700000000, 0);
	me->ncarriers = 2;
	me->carriers = xcalloc(2, sizeof *me->carriers);
	me->carriers[0].source = 0;
	me->carriers[0].first_seen = 1700000000;
	me->carriers[1].source = 1;
	me->carriers[1].first_seen = 1700000900;
	entry_push(&m, "http://beta.test/b", "http://beta.test/b", "Only in Beta", 1699999000, 1);

	size_t len;
	char *json = json_of(&m, &meta, &len);
	if (getenv("TEST_EMIT_DUMP") != NULL)
		fwrite(json, 1, len, stderr);
	yajl_val root = json_parse(json, "carriers");
	ok(root != NULL, "json carriers: parses");
	yajl_val items = jget(root, "items");
	yajl_val src = jget(jidx(items, 0), "_source");
	is_str(jstr(src, "title"), "Alpha", "json carriers: _source is the primary");
	ok(is_iso(jstr(src, "first_seen"), 1700000000), "json carriers: its first_seen");
	yajl_val also = jget(src, "also");
	is_int((int64_t)jlen(also), 1, "json carriers: one other carrier in also");
	yajl_val a0 = jidx(also, 0);
	is_str(jstr(a0, "title"), "Beta", "json carriers: also title");
	is_str(jstr(a0, "feed_url"), "https://beta.test/rss", "json carriers: also feed_url");
	is_str(jstr(a0, "home_page_url"), "https://beta.test/",
	       "json carriers: also home_page_url");
	ok(is_iso(jstr(a0, "first_seen"), 1700000900), "json carriers: also first_seen");
	ok(jget(root, "language") == NULL, "json carriers: sources disagree: no feed language");
	is_str(jstr(jidx(items, 0), "language"), "vi", "json carriers: item language (vi)");
	is_str(jstr(jidx(items, 1), "language"), "en", "json carriers: item language (en)");
	yajl_tree_free(root);
	free(json);

	/* Both in Vietnamese: the feed's language, none per item. */
	free(m.sources[1].language);
	m.sources[1].language = xstrdup("VI");
	json = json_of(&m, &meta, &len);
	root = json_parse(json, "one language");
	const char *lang = jstr(root, "language");
	ok(lang != NULL && strcasecmp(lang, "vi") == 0, "json: sources agree: the feed's language");
	items = jget(root, "items");
	ok(jget(jidx(items, 0), "language") == NULL && jget(jidx(items, 1), "language") == NULL,
	   "json: ...and no item language");
	yajl_tree_free(root);
	free(json);
	merged_free(&m);
}

static void test_json_hostile(void)
{
	struct merged m;
	hostile_sample(&m);
	size_t len;
	char *json = json_of(&m, &meta, &len);
	if (getenv("TEST_EMIT_DUMP") != NULL)
		fwrite(json, 1, len, stderr);
	yajl_val root = json_parse(json, "hostile");
	ok(root != NULL, "hostile json: parses");
	ok(!contains(json, "javascript") && !contains(json, "JaVaScRiPt") &&
	       !contains(json, "vbscript") && !contains(json, "data:") &&
	       !contains(json, "onerror") && !contains(json, "onclick") &&
	       !contains(json, "iframe") && !contains(json, "script") && !contains(json, "alert("),
	   "hostile json: no trace of a script anywhere");
	ok(!contains(json, "@cred.test"), "hostile json: no credentials anywhere");
	yajl_val items = jget(root, "items");
	ok(jget(jidx(items, 0), "url") == NULL && jget(jidx(items, 0), "attachments") == NULL,
	   "hostile json: javascript: url and attachment left out");
	ok(jget(jidx(items, 1), "url") == NULL, "hostile json: url with credentials left out");
	const char *id2 = jstr(jidx(items, 2), "id");
	ok(id2 != NULL && strncmp(id2, "urn:feedmerge:", 14) == 0, "hostile json: id replaced");
	int urls_ok = 1;
	for (size_t i = 0; i < jlen(items); i++) {
		yajl_val it = jidx(items, i), src = jget(it, "_source");
		const char *u[] = {jstr(it, "url"), jstr(src, "feed_url"),
		                   jstr(src, "home_page_url")};
		for (size_t k = 0; k < 3; k++)
			if (u[k] != NULL && !url_public(u[k]))
				urls_ok = 0;
		const char *h = jstr(it, "content_html");
		const char *why = h != NULL ? html_problem(h) : "no content_html";
		if (why != NULL) {
			printf("# item %zu: %s\n", i, why);
			urls_ok = 0;
		}
	}
	ok(urls_ok, "hostile json: every url public http(s), every content_html safe");
	yajl_tree_free(root);
	free(json);
	merged_free(&m);
}

/* Random bytes in every field (a fixed seed), and an empty feed. */
static void test_json_noise(void)
{
	struct merged noise;
	memset(&noise, 0, sizeof noise);
	noise.nsources = 1;
	noise.sources = xcalloc(1, sizeof *noise.sources);
	uint32_t seed = 777;
	for (int i = 0; i < 40; i++) {
		char *junk[8];
		for (int k = 0; k < 8; k++) {
			char tmp[48];
			size_t n = 0;
			for (; n < sizeof tmp - 1; n++) {
				seed = seed * 1103515245u + 12345u;
				tmp[n] = (char)((seed >> 16) & 0xFF);
				if (tmp[n] == '\0')
					break;
			}
			tmp[n] = '\0';
			junk[k] = xstrdup(tmp);
		}
		if (i == 0)
			source_set(&noise.sources[0], junk[0], junk[1], junk[2], junk[3], 1);
		struct merged_entry *me =
		    entry_push(&noise, junk[4], junk[5], junk[6], 1700000000 - i, 0);
		if (i == 1)
			me->date = INT64_MIN / 2;
		if (i == 2)
			me->e.published = INT64_MAX / 2;
		me->e.summary = xstrdup(junk[7]);
		me->e.content = xstrdup(junk[0]);
		me->e.author = xstrdup(junk[1]);
		entry_add_category(&me->e, junk[2]);
		entry_add_enclosure(&me->e, i % 3 == 0 ? "http://x.test/\x01\"\\\xFF" : junk[3],
		                    i % 2 ? "text/x\nbroken" : junk[4], i);
		for (int k = 0; k < 8; k++)
			free(junk[k]);
	}
	/* Control characters JSON must escape, in text that XML allows too. */
	struct merged_entry *me = entry_push(&noise, "http://x.test/ctl", "http://x.test/ctl",
	                                     "quote \" backslash \\ tab\t cr\r nl\n end", 1, 0);
	me->e.content = xstrdup("<p>\x01\x1F\x7F \xC0\xAF \xED\xA0\x80 \xF4\x90\x80\x80</p>");
	size_t len;
	char *json = json_of(&noise, &meta, &len);
	ok(json_bytes_ok(json, len), "noise json: valid UTF-8, no raw control characters");
	yajl_val root = json_parse(json, "noise");
	ok(root != NULL, "noise json: parses");
	yajl_val items = jget(root, "items");
	is_int((int64_t)jlen(items), 41, "noise json: every item");
	is_str(jstr(jidx(items, 40), "title"), "quote \" backslash \\ tab\t cr\r nl\n end",
	       "noise json: quotes, backslashes, tab, CR, LF round-trip");
	int dates_ok = 1;
	for (size_t i = 0; i < jlen(items); i++) {
		const char *dp = jstr(jidx(items, i), "date_published");
		if (dp == NULL || strlen(dp) != 20 || dp[4] != '-' || dp[10] != 'T' ||
		    dp[19] != 'Z')
			dates_ok = 0;
	}
	ok(dates_ok, "noise json: every date_published RFC 3339, years clamped to four digits");
	yajl_tree_free(root);
	free(json);
	merged_free(&noise);

	struct merged empty = {0};
	empty.created_at = 1690000000;
	json = json_of(&empty, &meta, &len);
	root = json_parse(json, "empty");
	items = jget(root, "items");
	ok(items != NULL && YAJL_IS_ARRAY(items) && jlen(items) == 0, "empty json: \"items\": []");
	is_str(jstr(root, "version"), "https://jsonfeed.org/version/1.1", "empty json: version");
	yajl_tree_free(root);
	free(json);
}

static void test_json(void)
{
	test_json_sample();
	test_json_carriers();
	test_json_hostile();
	test_json_noise();
}

/* Stacked instances: an entry that came through another feedmerge carries that instance's
 * attribution line in its content; this one drops it and writes its own, naming the original
 * source (the atom:source the entry carried), so a story shows one line. */
static void test_stacked(void)
{
	struct merged m;
	memset(&m, 0, sizeof m);
	m.nsources = 1;
	m.sources = xcalloc(1, sizeof *m.sources);
	source_set(&m.sources[0], "lower", "Lower instance", "http://lower.test/feed.atom",
	           "http://lower.test/", 1700000000);
	struct merged_entry *me =
	    entry_push(&m, "http://gov.test/1", "http://gov.test/1", "Story", 1700000000, 0);
	me->e.content = xstrdup("<p>Body</p>\n<p data-feedmerge=\"attribution\">Nguồn: <a "
	                        "href=\"http://gov.test/\">Gov</a> · <a "
	                        "href=\"http://gov.test/1\">Link bài gốc</a></p>");
	me->e.source = xcalloc(1, sizeof *me->e.source);
	me->e.source->title = xstrdup("Gov");
	me->e.source->feed_url = xstrdup("http://gov.test/rss");
	me->e.source->link = xstrdup("http://gov.test/");
	size_t len;
	char *atom = atom_of(&m, &meta, &len);
	const char *first = strstr(atom, "Nguồn:");
	ok(first != NULL && strstr(first + 1, "Nguồn:") == NULL,
	   "stacked: one attribution line, not the lower instance's too");
	ok(contains(atom, "&lt;p&gt;Body&lt;/p&gt;") && contains(atom, "&gt;Gov&lt;/a&gt;"),
	   "stacked: the body kept, the line names the original source");
	ok(contains(atom, "<source>\n<id>http://gov.test/rss</id>\n<title>Gov</title>"),
	   "stacked: atom:source is the original source");
	free(atom);
	merged_free(&m);
}

/* An author's address: Atom <email> and RSS <author> when it is one address, else nothing. */
static void test_author_email(void)
{
	struct merged m;
	memset(&m, 0, sizeof m);
	m.nsources = 1;
	m.sources = xcalloc(1, sizeof *m.sources);
	source_set(&m.sources[0], "s", "S", "http://s.test/feed", "http://s.test/", 1700000000);
	struct merged_entry *me =
	    entry_push(&m, "http://s.test/1", "http://s.test/1", "One", 1700000000, 0);
	me->e.author = xstrdup("Nguyễn Văn A");
	me->e.author_email = xstrdup("a@s.test");
	me = entry_push(&m, "http://s.test/2", "http://s.test/2", "Two", 1699999000, 0);
	me->e.author = xstrdup("B");
	me->e.author_email = xstrdup("b@s.test, evil@x.test");
	size_t len;
	char *atom = atom_of(&m, &meta, &len);
	ok(contains(atom, "<author><name>Nguyễn Văn A</name><email>a@s.test</email></author>"),
	   "Atom: the author's <email>");
	ok(!contains(atom, "evil@x.test"), "two addresses in one: none published");
	free(atom);
	char *rss = rss_of(&m, &meta, &len);
	ok(contains(rss, "<author>a@s.test (Nguyễn Văn A)</author>"), "RSS: <author>EMAIL (NAME)");
	free(rss);
	merged_free(&m);
}

int main(void)
{
	test_stacked();
	test_author_email();
	const char *env = getenv("TESTS_SRCDIR");
	tests_srcdir = env != NULL ? xstrdup(env) : xstrdup(SRCDIR "/tests");
	have_xmllint = system("xmllint --version >/dev/null 2>&1") == 0;

	struct merged m;
	sample(&m);
	size_t len, len2;
	char *s, *atom = atom_of(&m, &meta, &len);
	char *atom2 = atom_of(&m, &meta, &len2);
	ok(len == strlen(atom), "atom length matches");
	ok(len == len2 && memcmp(atom, atom2, len) == 0, "same input, same bytes (atom)");
	free(atom2);
	if (getenv("TEST_EMIT_DUMP") != NULL) /* for a human to look at */
		fwrite(atom, 1, len, stderr);

	/* Feed-level metadata. */
	ok(contains(atom,
	            "<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:fm=\"urn:feedmerge:1.0\">"),
	   "Atom namespace, and feedmerge's for the other carriers");
	s = elem(atom, "id");
	is_str(s, "http://news.test/feed.atom", "feed id is public_url + feed.atom");
	free(s);
	ok(contains(atom, "<link rel=\"self\" href=\"http://news.test/feed.atom\" "
	                  "type=\"application/atom+xml\"/>"),
	   "rel=self link");
	ok(contains(atom,
	            "<link rel=\"alternate\" href=\"http://news.test/\" type=\"text/html\"/>"),
	   "alternate link: the HTML page");
	ok(contains(atom, "<title>Tin tổng hợp</title>"), "feed title");
	ok(contains(atom, "<author><name>Ban biên tập</name></author>"), "feed author");
	char iso[DATE_ISO_SIZE];
	date_format_iso(1700000400, iso);
	char *feed_updated = elem(atom, "updated");
	is_str(feed_updated, iso, "feed updated is the newest entry date");
	free(feed_updated);
	is_int(updated_of(&m), 1700000400, "emit_updated");

	/* Entry ids: absolute, unique. */
	int nids = 0, all_absolute = 1, unique = 1;
	char *ids[16];
	for (int i = 0; i < 16; i++) {
		char *blk = entry_block(atom, "<entry>", "</entry>", i);
		if (blk == NULL)
			break;
		ids[nids] = elem(blk, "id");
		free(blk);
		const char *id = ids[nids];
		if (id == NULL || strchr(id, ':') == NULL ||
		    strspn(id, "abcdefghijklmnopqrstuvwxyz") == 0)
			all_absolute = 0;
		for (int j = 0; j < nids; j++)
			if (id != NULL && ids[j] != NULL && strcmp(ids[j], id) == 0)
				unique = 0;
		nids++;
	}
	is_int(nids, 8, "eight entries");
	ok(all_absolute, "every entry id an absolute IRI");
	ok(unique, "entry ids unique");
	is_str(ids[0], "http://s0.test/a?x=1&amp;y=2", "id from the store, escaped");
	ok(ids[6] != NULL && strncmp(ids[6], "urn:feedmerge:", 14) == 0,
	   "a relative id replaced with a urn: IRI");
	for (int i = 0; i < nids; i++)
		free(ids[i]);

	/* Entry 0: escaping, dates, author, categories, enclosures, attribution. */
	char *e0 = entry_block(atom, "<entry>", "</entry>", 0);
	ok(contains(e0, "<title>A &amp; B &lt;c&gt;</title>"), "title escaped");
	ok(contains(e0, "<link rel=\"alternate\" href=\"http://s0.test/a?x=1&amp;y=2\"/>"),
	   "link escaped");
	date_format_iso(1700000400, iso);
	s = elem(e0, "published");
	is_str(s, iso, "published");
	free(s);
	date_format_iso(1700000450, iso);
	s = elem(e0, "updated");
	is_str(s, iso, "updated from the entry");
	free(s);
	ok(contains(e0, "<author><name>Alice</name>"), "entry's own author");
	ok(contains(e0, "<category term=\"World &amp; Asia\"/>"), "category");
	ok(contains(e0, "<link rel=\"enclosure\" href=\"http://s0.test/a.mp3\" type=\"audio/mpeg\" "
	                "length=\"42\"/>"),
	   "enclosure");
	ok(contains(e0, "<link rel=\"enclosure\" href=\"http://s0.test/a.bin\"/>"),
	   "enclosure with a bad type and no length");
	ok(contains(e0, "<summary type=\"html\">Sum</summary>"), "summary kept as is with content");
	const char *want_attr =
	    "&lt;p&gt;Hello&lt;/p&gt;\n&lt;p data-feedmerge=\"attribution\"&gt;Nguồn: &lt;a "
	    "href=\"http://s0.test/\"&gt;Source "
	    "&amp;lt;Zero&amp;gt; &amp;amp; Co&lt;/a&gt; · &lt;a "
	    "href=\"http://s0.test/a?x=1&amp;amp;y=2\"&gt;Link bài "
	    "gốc&lt;/a&gt;&lt;/p&gt;</content>";
	ok(contains(e0, want_attr), "content ends with the attribution line");
	ok(contains(e0, "<source>\n<id>http://s0.test/feed?a=1&amp;b=2</id>\n"
	                "<title>Source &lt;Zero&gt; &amp; Co</title>\n"),
	   "atom:source id and title");
	date_format_iso(1700000500, iso);
	s = elem(strstr(e0 != NULL ? e0 : "", "<source>"), "updated");
	is_str(s, iso, "atom:source updated = last fetch");
	free(s);
	ok(contains(e0, "<link rel=\"self\" href=\"http://s0.test/feed?a=1&amp;b=2\"/>\n"
	                "<link rel=\"alternate\" href=\"http://s0.test/\"/>\n</source>"),
	   "atom:source links");
	free(e0);

	/* Entry 1: title from the summary, author from the source. */
	char *e1 = entry_block(atom, "<entry>", "</entry>", 1);
	s = elem(e1, "title");
	ok(s != NULL && strncmp(s, "First &amp; foremost: the rains came early", 42) == 0,
	   "title derived from the summary's text: %s", s ? s : "");
	ok(s != NULL && strlen(s) < 100 && strstr(s, "…") != NULL, "derived title cut short");
	free(s);
	ok(contains(e1, "<author><name>Ban biên tập</name>"), "no author: feed_author");
	ok(contains(e1, "Link bài gốc&lt;/a&gt;&lt;/p&gt;</summary>") && !contains(e1, "<content"),
	   "no content: the summary carries the attribution");
	date_format_iso(1700000300, iso);
	s = elem(e1, "updated");
	is_str(s, iso, "updated falls back to the date");
	free(s);
	ok(!contains(e1, "<published>"), "no published when unknown");
	s = elem(strstr(e1 != NULL ? e1 : "", "<source>"), "updated");
	is_str(s, iso, "atom:source updated unknown: the entry date");
	free(s);
	free(e1);

	/* Entry 2: only a link. */
	char *e2 = entry_block(atom, "<entry>", "</entry>", 2);
	ok(contains(e2, "<title>http://s1.test/only-link</title>"), "blank title: the link");
	ok(contains(e2, "<content type=\"html\">&lt;p data-feedmerge=\"attribution\"&gt;Nguồn:"),
	   "neither content nor summary: content created for the attribution");
	free(e2);

	/* Entry 3: forbidden characters, no link, no source. */
	char *e3 = entry_block(atom, "<entry>", "</entry>", 3);
	ok(contains(e3, "<title>BadTitle and \xEF\xBF\xBD byte</title>"),
	   "forbidden characters dropped, invalid UTF-8 replaced");
	ok(contains(e3, "<author><name>Ban biên tập</name>"), "no author, no source: feed author");
	ok(contains(e3, "<content type=\"html\">tab\there  vt</content>"),
	   "no link, nothing to credit: no attribution line; the summary becomes content");
	ok(!contains(e3, "Nguồn") && !contains(e3, "<summary"), "…and no summary");
	free(e3);
	ok(valid_xml_chars(atom, len), "no character XML 1.0 forbids anywhere");

	/* Entry 4: the carried atom:source wins. */
	char *e4 = entry_block(atom, "<entry>", "</entry>", 4);
	ok(contains(e4, "<source>\n<id>http://origin.test/feed</id>\n<title>Origin Daily</title>"),
	   "carried atom:source kept");
	ok(contains(e4, "&lt;a href=\"http://origin.test/\"&gt;Origin Daily&lt;/a&gt;"),
	   "attribution names the original publisher");
	ok(contains(e4, "<author><name>Ban biên tập</name>"),
	   "no author in a stacked entry: feed_author");
	free(e4);

	char *e5 = entry_block(atom, "<entry>", "</entry>", 5);
	ok(contains(e5, "<title>Real text</title>"),
	   "a title of forbidden characters only counts as none");
	ok(contains(e5, "<author><name>Ban biên tập</name>"), "so does such an author");
	free(e5);

	if (have_xmllint) {
		ok(xmllint_ok(atom, len, 1, "atom"),
		   "validates against RFC 4287's RELAX NG schema");
	} else {
		ok(1, "# SKIP xmllint not installed");
	}

	/* RSS. */
	char *rss = rss_of(&m, &meta, &len);
	char *rss2 = rss_of(&m, &meta, &len2);
	ok(len == len2 && memcmp(rss, rss2, len) == 0, "same input, same bytes (rss)");
	free(rss2);
	if (getenv("TEST_EMIT_DUMP") != NULL)
		fwrite(rss, 1, len, stderr);
	ok(valid_xml_chars(rss, len), "rss: no forbidden characters");
	ok(contains(rss, "<atom:link rel=\"self\" href=\"http://news.test/feed.rss\" "
	                 "type=\"application/rss+xml\"/>"),
	   "rss: atom:link rel=self");
	char rfc[DATE_RFC822_SIZE];
	date_format_rfc822(1700000400, rfc);
	s = elem(rss, "lastBuildDate");
	is_str(s, rfc, "rss: lastBuildDate = newest entry");
	free(s);
	char *i0 = entry_block(rss, "<item>", "</item>", 0);
	ok(contains(i0, "<guid isPermaLink=\"true\">http://s0.test/a?x=1&amp;y=2</guid>"),
	   "rss: guid is the link");
	ok(contains(i0, "<source url=\"http://s0.test/feed?a=1&amp;b=2\">Source &lt;Zero&gt; &amp; "
	                "Co</source>"),
	   "rss: source element");
	s = elem(i0, "pubDate");
	is_str(s, rfc, "rss: pubDate");
	free(s);
	ok(contains(i0, "<dc:creator>Alice</dc:creator>"), "rss: dc:creator");
	ok(contains(
	       i0, "<enclosure url=\"http://s0.test/a.mp3\" length=\"42\" type=\"audio/mpeg\"/>") &&
	       !contains(i0, "a.bin"),
	   "rss: the first enclosure only");
	ok(contains(i0, "Link bài gốc&lt;/a&gt;&lt;/p&gt;</description>"),
	   "rss: description ends with the attribution");
	free(i0);
	char *i3 = entry_block(rss, "<item>", "</item>", 3);
	ok(contains(i3, "<guid isPermaLink=\"false\">urn:feedmerge:0123456789abcdef</guid>"),
	   "rss: guid not a permalink without link");
	free(i3);
	char *i4 = entry_block(rss, "<item>", "</item>", 4);
	ok(contains(i4, "<source url=\"http://origin.test/feed\">Origin Daily</source>"),
	   "rss: carried source");
	free(i4);
	if (have_xmllint)
		ok(xmllint_ok(rss, len, 0, "rss"), "rss is well-formed");
	else
		ok(1, "# SKIP xmllint not installed");
	free(rss);
	free(atom);

	/* No attribution label: no line. */
	struct emit_meta quiet = meta;
	quiet.attribution = "";
	atom = atom_of(&m, &quiet, &len);
	ok(!contains(atom, "Nguồn") && !contains(atom, "Link bài gốc"),
	   "empty attribution: no line");
	ok(contains(atom, "<content type=\"html\">&lt;p&gt;Hello&lt;/p&gt;</content>"),
	   "content unchanged without attribution");
	if (have_xmllint)
		ok(xmllint_ok(atom, len, 1, "quiet"), "still valid Atom");
	else
		ok(1, "# SKIP xmllint not installed");
	free(atom);
	merged_free(&m);

	/* Empty feed: updated from the newest fetch, else when the database began; valid. */
	struct merged empty = {0};
	empty.created_at = 1690000000;
	is_int(updated_of(&empty), 1690000000, "an empty feed is as old as its database");
	atom = atom_of(&empty, &meta, &len);
	s = elem(atom, "updated");
	is_str(s, "2023-07-22T04:26:40Z", "empty feed without sources: when the database began");
	free(s);
	if (have_xmllint)
		ok(xmllint_ok(atom, len, 1, "empty"), "empty feed valid Atom");
	else
		ok(1, "# SKIP xmllint not installed");
	free(atom);
	empty.nsources = 1;
	empty.sources = xcalloc(1, sizeof *empty.sources);
	source_set(&empty.sources[0], "x", "X", "http://x.test/", "http://x.test/", 1700000000);
	atom = atom_of(&empty, &meta, &len);
	date_format_iso(1700000000, iso);
	s = elem(atom, "updated");
	is_str(s, iso, "empty feed: the newest fetch");
	free(s);
	free(atom);
	rss = rss_of(&empty, &meta, &len);
	ok(contains(rss, "<channel>") && !contains(rss, "<item>"), "empty rss");
	free(rss);
	merged_free(&empty);

	/* Random bytes in every field (a fixed seed): still well-formed, valid Atom. */
	struct merged noise;
	memset(&noise, 0, sizeof noise);
	noise.nsources = 1;
	noise.sources = xcalloc(1, sizeof *noise.sources);
	uint32_t seed = 12345;
	char *junk[8];
	for (int i = 0; i < 40; i++) {
		for (int k = 0; k < 8; k++) {
			char tmp[48];
			size_t n = 0;
			for (; n < sizeof tmp - 1; n++) {
				seed = seed * 1103515245u + 12345u;
				tmp[n] = (char)((seed >> 16) & 0xFF);
				if (tmp[n] == '\0')
					break;
			}
			tmp[n] = '\0';
			junk[k] = xstrdup(tmp);
		}
		if (i == 0)
			source_set(&noise.sources[0], junk[0], junk[1], junk[2], junk[3], 1);
		struct merged_entry *me =
		    entry_push(&noise, junk[4], junk[5], junk[6], 1700000000 - i, 0);
		if (i == 1)
			me->date = INT64_MIN / 2; /* dates beyond xsd:dateTime's years */
		if (i == 2)
			me->e.published = INT64_MAX / 2;
		if (i == 3) {
			free(me->e.link);
			me->e.link = NULL; /* no alternate link: content required */
		}
		me->e.summary = xstrdup(junk[7]);
		me->e.content = xstrdup(junk[0]);
		me->e.author = xstrdup(junk[1]);
		entry_add_category(&me->e, junk[2]);
		entry_add_enclosure(&me->e, junk[3], i % 2 ? "text/x\nbroken" : junk[4], i);
		me->e.source = xcalloc(1, sizeof *me->e.source);
		me->e.source->title = xstrdup(junk[5]);
		me->e.source->link = xstrdup(junk[6]);
		for (int k = 0; k < 8; k++)
			free(junk[k]);
	}
	atom = atom_of(&noise, &meta, &len);
	ok(valid_xml_chars(atom, len), "noise: no forbidden characters (atom)");
	if (have_xmllint)
		ok(xmllint_ok(atom, len, 1, "noise"), "noise: valid Atom");
	else
		ok(1, "# SKIP xmllint not installed");
	free(atom);
	rss = rss_of(&noise, &meta, &len);
	ok(valid_xml_chars(rss, len), "noise: no forbidden characters (rss)");
	if (have_xmllint)
		ok(xmllint_ok(rss, len, 0, "noise rss"), "noise: rss well-formed");
	else
		ok(1, "# SKIP xmllint not installed");
	free(rss);
	merged_free(&noise);

	test_hostile();
	test_json();
	free(tests_srcdir);
	return done_testing();
}
