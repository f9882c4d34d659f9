/* Unit tests of url.c: RFC 3986 resolution and canonical dedup keys. */
#include "autoconf.h"

#include <stdlib.h>

#include "url.h"
#include "../tap.h"

/* s made printable for a TAP line: control characters as '?'. */
static const char *show(const char *s, char *buf, size_t size)
{
	if (s == NULL)
		return "(null)";
	size_t i = 0;
	for (; s[i] != '\0' && i + 1 < size; i++)
		buf[i] = (unsigned char)s[i] < 0x20 ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}

static void check_resolve(const char *base, const char *ref, const char *want)
{
	char b1[256], b2[256];
	char *got = url_resolve(base, ref);
	is_str(got, want, "resolve '%s' against '%s'", show(ref, b1, sizeof b1),
	       show(base, b2, sizeof b2));
	free(got);
}

static void check_canonical(const char *url, const char *want)
{
	char *got = url_canonical(url);
	is_str(got, want, "canonical '%s'", url ? url : "(null)");
	free(got);
}

/* RFC 3986 section 5.4. */
static void test_rfc3986(void)
{
	static const char *const cases[][2] = {
	    /* 5.4.1 normal examples */
	    {"g:h", "g:h"},
	    {"g", "http://a/b/c/g"},
	    {"./g", "http://a/b/c/g"},
	    {"g/", "http://a/b/c/g/"},
	    {"/g", "http://a/g"},
	    {"//g", "http://g"},
	    {"?y", "http://a/b/c/d;p?y"},
	    {"g?y", "http://a/b/c/g?y"},
	    {"#s", "http://a/b/c/d;p?q#s"},
	    {"g#s", "http://a/b/c/g#s"},
	    {"g?y#s", "http://a/b/c/g?y#s"},
	    {";x", "http://a/b/c/;x"},
	    {"g;x", "http://a/b/c/g;x"},
	    {"g;x?y#s", "http://a/b/c/g;x?y#s"},
	    {"", "http://a/b/c/d;p?q"},
	    {".", "http://a/b/c/"},
	    {"./", "http://a/b/c/"},
	    {"..", "http://a/b/"},
	    {"../", "http://a/b/"},
	    {"../g", "http://a/b/g"},
	    {"../..", "http://a/"},
	    {"../../", "http://a/"},
	    {"../../g", "http://a/g"},
	    /* 5.4.2 abnormal examples */
	    {"../../../g", "http://a/g"},
	    {"../../../../g", "http://a/g"},
	    {"/./g", "http://a/g"},
	    {"/../g", "http://a/g"},
	    {"g.", "http://a/b/c/g."},
	    {".g", "http://a/b/c/.g"},
	    {"g..", "http://a/b/c/g.."},
	    {"..g", "http://a/b/c/..g"},
	    {"./../g", "http://a/b/g"},
	    {"./g/.", "http://a/b/c/g/"},
	    {"g/./h", "http://a/b/c/g/h"},
	    {"g/../h", "http://a/b/c/h"},
	    {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
	    {"g;x=1/../y", "http://a/b/c/y"},
	    {"g?y/./x", "http://a/b/c/g?y/./x"},
	    {"g?y/../x", "http://a/b/c/g?y/../x"},
	    {"g#s/./x", "http://a/b/c/g#s/./x"},
	    {"g#s/../x", "http://a/b/c/g#s/../x"},
	    {"http:g", "http:g"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check_resolve("http://a/b/c/d;p?q", cases[i][0], cases[i][1]);
}

static void test_resolve(void)
{
	check_resolve(NULL, "a/b", "a/b");
	check_resolve("http://x/", NULL, NULL);
	check_resolve(NULL, NULL, NULL);
	check_resolve("a/b/", "c", "c");
	check_resolve("/rel/base/", "c", "c");
	check_resolve(
	    "https://baochinhphu.vn/home.rss",
	    "/thuc-day-xay-dung-chinh-quyen-so-102241025152113128.htm",
	    "https://baochinhphu.vn/thuc-day-xay-dung-chinh-quyen-so-102241025152113128.htm");
	check_resolve("https://baochinhphu.vn/home.rss", "  \n /a.htm\t ",
	              "https://baochinhphu.vn/a.htm");
	check_resolve("https://x.example/feed", "HTTPS://Other.Example/A?b#c",
	              "HTTPS://Other.Example/A?b#c");
	check_resolve("https://x.example/feed", "tag:example.org,2024:1", "tag:example.org,2024:1");
	check_resolve("https://x.example/a/feed#frag", "", "https://x.example/a/feed");
	check_resolve("https://x.example/a/feed?x=1", "#top", "https://x.example/a/feed?x=1#top");
	check_resolve("https://x.example", "a", "https://x.example/a");
	check_resolve("https://x.example", "?q", "https://x.example?q");
	check_resolve("https://user@x.example:8443/a/b", "../c", "https://user@x.example:8443/c");
	check_resolve("https://x.example/a/", "//cdn.example/img.png",
	              "https://cdn.example/img.png");
	check_resolve("https://x.example/a/", "t\xe1\xba\xa1p ch\xc3\xad.htm",
	              "https://x.example/a/t\xe1\xba\xa1p%20ch\xc3\xad.htm");
	check_resolve("https://x.example/a/", "b c?d e", "https://x.example/a/b%20c?d%20e");
	/* Nested xml:base: the caller resolves the inner base first, then the reference. */
	char *inner = url_resolve("http://example.org/feeds/", "entries/2024/");
	is_str(inner, "http://example.org/feeds/entries/2024/", "nested base, step 1");
	check_resolve(inner, "../2023/x.html", "http://example.org/feeds/entries/2023/x.html");
	free(inner);
	/* Opaque bases have no hierarchy to resolve against. */
	check_resolve("urn:uuid:1234", "a.html", "a.html");
	check_resolve("file:///tmp/feed.xml", "a.html", "file:///tmp/a.html");
}

static void test_canonical(void)
{
	check_canonical(
	    "https://baochinhphu.vn/"
	    "thuc-day-xay-dung-chinh-quyen-so-tai-cac-dia-phuong-102241025152113128.htm"
	    "?utm_source=gioitrenews&utm_medium=rss#top",
	    "https://baochinhphu.vn/"
	    "thuc-day-xay-dung-chinh-quyen-so-tai-cac-dia-phuong-102241025152113128.htm");
	check_canonical("HTTPS://BaoChinhPhu.VN:443/a?b=1#x", "https://baochinhphu.vn/a?b=1");
	check_canonical("http://Example.COM:80", "http://example.com/");
	check_canonical("http://example.com:8080/A/B", "http://example.com:8080/A/B");
	check_canonical("https://example.com:80/", "https://example.com:80/");
	check_canonical("http://example.com/a/../b/./c", "http://example.com/b/c");
	check_canonical("http://example.com/p?a=1&utm_campaign=x&b=2&fbclid=abc&c",
	                "http://example.com/p?a=1&b=2&c");
	check_canonical("http://example.com/p?UTM_Source=x&gclid=1&dclid=2&mc_cid=3&mc_eid=4",
	                "http://example.com/p");
	check_canonical("http://example.com/p?yclid=1&_ga=2&wt_mc=3&at_medium=4&at_campaign=5&z=9",
	                "http://example.com/p?z=9");
	check_canonical("http://example.com/p?utmost=1", "http://example.com/p?utmost=1");
	check_canonical("http://example.com/p?", "http://example.com/p");
	check_canonical("http://example.com/p?#", "http://example.com/p");
	check_canonical("http://example.com/p?a=1&&b=2", "http://example.com/p?a=1&b=2");
	check_canonical("  https://example.com/x  ", "https://example.com/x");
	/* One key for the UTF-8, lowercase-escaped and uppercase-escaped spellings. */
	check_canonical("https://example.com/t\xe1\xba\xa1p?q=\xc3\xa1",
	                "https://example.com/t%E1%BA%A1p?q=%C3%A1");
	check_canonical("https://example.com/t%e1%ba%a1p?q=%c3%a1",
	                "https://example.com/t%E1%BA%A1p?q=%C3%A1");
	check_canonical("https://example.com/%7euser/%41%2f%3F?a=%2B%7E",
	                "https://example.com/~user/A%2F%3F?a=%2B~");
	check_canonical("https://example.com/100%", "https://example.com/100%25");
	check_canonical("https://example.com/a b", "https://example.com/a%20b");
	check_canonical("TAG:Example.org,2024:X#y", "tag:Example.org,2024:X#y");
	check_canonical("urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6",
	                "urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6");
	check_canonical("/relative/path", NULL);
	check_canonical("//example.com/x", NULL);
	check_canonical("", NULL);
	check_canonical(NULL, NULL);
	check_canonical("http:relative", NULL);
	check_canonical("http://", NULL);
}

/* A dedup key must be a fixed point: url_canonical(url_canonical(x)) == url_canonical(x). */
static void test_canonical_stray_percent(void)
{
	/* Found by fuzzing: "%3" kept bare next to "%33" decoded made a new escape "%33", which
	 * a second pass decoded to "3". A stray '%' is encoded as "%25" instead. */
	check_canonical("https://e/%3%33", "https://e/%2533");
	check_canonical("https://e/%2533", "https://e/%2533");
	check_canonical("https://e/%2%35", "https://e/%2525");
	check_canonical("https://e/%%41", "https://e/%25A");
	check_canonical("https://e/%zz?q=%", "https://e/%25zz?q=%25");
	check_canonical("https://e/%4", "https://e/%254");
	check_canonical("https://e/%25", "https://e/%25");
	check_canonical("https://e/%2541", "https://e/%2541");
	/* Decoded unreserved characters are normalised further in the same pass: dot segments
	 * (RFC 3986 6.2.2.3 removes them after decoding) and tracking parameters. */
	check_canonical("https://e/a/%2E%2E/b", "https://e/b");
	check_canonical("https://e/a/%2e/b", "https://e/a/b");
	check_canonical("https://e/a/.%2e", "https://e/");
	check_canonical("https://e/p?%75tm_source=1&a=2", "https://e/p?a=2");
	check_canonical("https://e/p?%5Fga=1&a", "https://e/p?a");
	/* Reserved characters stay encoded; '+' in a query stays '+' (not a space, not %2B). */
	check_canonical("https://e/a%2fb%3f%23?x=%26&y=%3d", "https://e/a%2Fb%3F%23?x=%26&y=%3D");
	check_canonical("https://e/a/b/..%2Fc", "https://e/a/b/..%2Fc");
	check_canonical("https://e/p?q=a+b&r=%2b", "https://e/p?q=a+b&r=%2B");
	/* Found by fuzzing next: CURLU decodes a host's escapes after its IPv4 check. */
	check_canonical("https://%33", "https://0.0.0.3/");
	check_canonical("https://1%2e2/", "https://1.0.0.2/");
	check_canonical("https://E%41.Example/", "https://ea.example/");
}

static void test_canonical_idempotent(void)
{
	static const char *const inputs[] = {
	    "https://e/%3%33",
	    "https://e/%3%33%33",
	    "https://e/%%33%33",
	    "https://e/%2%35%35",
	    "https://e/%",
	    "https://e/%%",
	    "https://e/%%%",
	    "https://e/a%",
	    "https://e/a%4",
	    "https://e/%4g",
	    "https://e/%g4",
	    "https://e/%zz",
	    "https://e/%25",
	    "https://e/%2525",
	    "https://e/%25%34%31",
	    "https://e/%%34%31",
	    "https://e/%3%34%31",
	    "https://e/%e1%ba%a1",
	    "https://e/%E1%BA%A1",
	    "https://e/t\xe1\xba\xa1p?q=\xc3\xa1",
	    "https://e/\xff\xfe%ff",
	    "https://e/%7e%7E%41%61%2d%2e%5f",
	    "https://e/%2F%2f%3F%3f%23%40%3A%26%3D%2B%24%2C%3B",
	    "https://e/a/%2E%2E/b",
	    "https://e/a/%2e%2e%2f..%2fb",
	    "https://e/a/.%2E/./%2e/b/%2E",
	    "https://e/%2E%2E/%2E%2E/x",
	    "https://e/a/%252E%252E/b",
	    "https://e/a%2F..%2Fb",
	    "https://e/p?q=a+b&r=%2B&s=%2b+",
	    "https://e/p?%75tm_source=x&a=1",
	    "https://e/p?utm%5Fsource=x&%66bclid=1&b",
	    "https://e/p?%26utm_source=1&%3D",
	    "https://e/p?a=%&b=%2",
	    "https://e/p?&&%&&",
	    "https://e/p#%3%33",
	    "https://e/p?q#%",
	    "https://e/?%3%33=%3%33",
	    "HTTPS://E.Example:443/%3%33/../x?%5f%67a=1",
	    "http://e:80/a%20b/%20/%",
	    "https://u%3A:p%25@e/%3%33",
	    "https://e%41/x",
	    "https://%33",
	    "https://\t%33/%3%33",
	    "https://1%2e2/",
	    "https://%30x7F.1/a",
	    "https://%2533/",
	    "https://[::1%25eth0]:443/",
	    "https://[::1]/%3%33",
	    "https://e/ a\tb\n%3 %33 ",
	    "tag:e,2024:%3%33",
	    "urn:x:%",
	};
	for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
		char b1[256], b2[256];
		char *once = url_canonical(inputs[i]);
		char *twice = once != NULL ? url_canonical(once) : NULL;
		is_str(twice, once, "canonical of '%s' is a fixed point ('%s')",
		       show(inputs[i], b1, sizeof b1), show(once, b2, sizeof b2));
		free(once);
		free(twice);
	}
}

static void test_predicates(void)
{
	ok(url_is_absolute("https://x/"), "https: is absolute");
	ok(url_is_absolute("tag:x"), "tag: is absolute");
	ok(url_is_absolute("urn:x"), "urn: is absolute");
	ok(url_is_absolute("svn+ssh://x"), "svn+ssh: is absolute");
	ok(!url_is_absolute("/path"), "/path is not");
	ok(!url_is_absolute("//host/x"), "//host is not");
	ok(!url_is_absolute("a/b:c"), "a/b:c is not");
	ok(!url_is_absolute("1a:b"), "1a:b is not");
	ok(!url_is_absolute(""), "empty is not");
	ok(!url_is_absolute(NULL), "NULL is not");
	ok(url_is_http("http://x/"), "http is http");
	ok(url_is_http("HTTPS://x/"), "HTTPS is http");
	ok(!url_is_http("ftp://x/"), "ftp is not http");
	ok(!url_is_http("tag:x"), "tag is not http");
	ok(!url_is_http("httpx://x"), "httpx is not http");
	ok(!url_is_http(NULL), "NULL is not http");
	ok(url_has_userinfo("http://u:p@h/"), "userinfo: user:password@");
	ok(url_has_userinfo("HTTPS://u@h"), "userinfo: user@");
	ok(url_has_userinfo("http:u:p@h/x"), "userinfo: http: without slashes");
	ok(url_has_userinfo("https:\\\\u@h\\x"), "userinfo: backslashes are slashes");
	ok(url_has_userinfo("//u:p@h/"), "userinfo: scheme-relative");
	ok(url_has_userinfo("http://@h/"), "userinfo: empty");
	ok(!url_has_userinfo("http://h/a@b"), "no userinfo: '@' in the path");
	ok(!url_has_userinfo("http://h\\@b"), "no userinfo: '@' after a backslash");
	ok(!url_has_userinfo("http://h/?q=a@b#c@d"), "no userinfo: '@' in query and fragment");
	ok(!url_has_userinfo("mailto:a@b"), "no userinfo: mailto");
	ok(!url_has_userinfo("a@b/c"), "no userinfo: a relative path");
	ok(!url_has_userinfo(NULL), "no userinfo: NULL");
}

int main(void)
{
	test_rfc3986();
	test_resolve();
	test_canonical();
	test_canonical_stray_percent();
	test_canonical_idempotent();
	test_predicates();
	return done_testing();
}
