/* URL resolution and the canonical form of links used as dedup keys.
 *
 * Resolution is RFC 3986 section 5.2 written out here: libcurl 7.88's CURLU resolves "#frag"
 * and "" against the base wrongly (it drops the base's last segment and query), and it
 * refuses the tag: and urn: IRIs feeds use as bases and ids. Canonical forms go through CURLU,
 * which knows hosts, ports and dot segments of http and https URLs.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "url.h"
#include "util.h"

static int is_alpha(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static int is_space(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

static int lower(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch + ('a' - 'A') : ch;
}

/* Length of s's scheme (without the ':'), 0 when s does not start with one. */
static size_t scheme_len(const char *s)
{
	if (!is_alpha((unsigned char)s[0]))
		return 0;
	size_t n = 1;
	while (is_alpha((unsigned char)s[n]) || (s[n] >= '0' && s[n] <= '9') || s[n] == '+' ||
	       s[n] == '-' || s[n] == '.')
		n++;
	return s[n] == ':' ? n : 0;
}

int url_is_absolute(const char *s)
{
	return s != NULL && scheme_len(s) > 0;
}

int url_is_http(const char *s)
{
	if (s == NULL)
		return 0;
	size_t n = scheme_len(s);
	return ((n == 4 && strncasecmp(s, "http", 4) == 0) ||
	        (n == 5 && strncasecmp(s, "https", 5) == 0)) &&
	       s[n + 1] == '/' && s[n + 2] == '/';
}

int url_has_userinfo(const char *s)
{
	if (s == NULL)
		return 0;
	size_t n = scheme_len(s);
	/* Browsers read http and https (the "special" schemes) with any number of slashes or
	 * backslashes before the host (http:u@h, http:\\u@h); a reference without a scheme
	 * resolves the same way against an http base. */
	int special = n == 0 || (n == 4 && strncasecmp(s, "http", 4) == 0) ||
	              (n == 5 && strncasecmp(s, "https", 5) == 0);
	const char *p = n > 0 ? s + n + 1 : s;
	size_t slashes = 0;
	while (p[slashes] == '/' || (special && p[slashes] == '\\'))
		slashes++;
	if (slashes < 2 && !(special && n > 0))
		return 0;
	p += slashes;
	size_t auth = strcspn(p, special ? "/\\?#" : "/?#");
	return memchr(p, '@', auth) != NULL;
}

/* A copy of s without surrounding whitespace, without tabs and line breaks inside (which
 * wrapped XML text puts there) and with the other control characters and spaces
 * percent-encoded. Non-ASCII bytes stay as they are (IRIs). */
static char *url_clean_dup(const char *s, size_t n)
{
	while (n > 0 && is_space((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && is_space((unsigned char)s[n - 1]))
		n--;
	static const char hex[] = "0123456789ABCDEF";
	char *out = xmalloc(3 * n + 1), *o = out;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '\t' || ch == '\n' || ch == '\r')
			continue;
		if (ch <= 0x20 || ch == 0x7f) {
			*o++ = '%';
			*o++ = hex[ch >> 4];
			*o++ = hex[ch & 15];
		} else {
			*o++ = (char)ch;
		}
	}
	*o = '\0';
	return out;
}

/* The five parts of a URI reference (RFC 3986 appendix B); a NULL part is absent, which
 * differs from empty. Pointers into the parsed string, with lengths. */
struct uri_ref {
	const char *scheme, *auth, *path, *query, *frag;
	size_t scheme_n, auth_n, path_n, query_n, frag_n;
};

static void uri_split(const char *s, struct uri_ref *r)
{
	memset(r, 0, sizeof *r);
	size_t n = scheme_len(s);
	if (n > 0) {
		r->scheme = s;
		r->scheme_n = n;
		s += n + 1;
	}
	if (s[0] == '/' && s[1] == '/') {
		s += 2;
		r->auth = s;
		r->auth_n = strcspn(s, "/?#");
		s += r->auth_n;
	}
	r->path = s;
	r->path_n = strcspn(s, "?#");
	s += r->path_n;
	if (*s == '?') {
		r->query = ++s;
		r->query_n = strcspn(s, "#");
		s += r->query_n;
	}
	if (*s == '#') {
		r->frag = ++s;
		r->frag_n = strlen(s);
	}
}

/* RFC 3986 5.2.4: removes "." and ".." segments from path (n bytes) into out; returns the
 * new length. out must hold n + 1 bytes. */
static size_t remove_dot_segments(const char *in, size_t n, char *out)
{
	size_t o = 0;
	const char *end = in + n;
	while (in < end) {
		size_t left = (size_t)(end - in);
		if (left >= 3 && memcmp(in, "../", 3) == 0) {
			in += 3;
		} else if (left >= 2 && memcmp(in, "./", 2) == 0) {
			in += 2;
		} else if (left >= 3 && memcmp(in, "/./", 3) == 0) {
			in += 2;
		} else if (left == 2 && memcmp(in, "/.", 2) == 0) {
			in += 1;
			out[o++] = '/';
			in += 1;
		} else if ((left >= 4 && memcmp(in, "/../", 4) == 0) ||
		           (left == 3 && memcmp(in, "/..", 3) == 0)) {
			int last = left == 3;
			in += 3;
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--; /* the '/' before the removed segment */
			if (last) {
				out[o++] = '/';
			}
		} else if ((left == 1 && in[0] == '.') || (left == 2 && memcmp(in, "..", 2) == 0)) {
			in = end;
		} else {
			/* Move the first segment, with its leading '/', to the output. */
			const char *seg = in;
			if (*in == '/')
				in++;
			while (in < end && *in != '/')
				in++;
			memcpy(out + o, seg, (size_t)(in - seg));
			o += (size_t)(in - seg);
		}
	}
	out[o] = '\0';
	return o;
}

static void buf_add(struct buf *b, const char *p, size_t n)
{
	if (buf_append(b, p, n) < 0)
		abort(); /* the buffer has no cap */
}

char *url_resolve(const char *base, const char *ref)
{
	if (ref == NULL)
		return NULL;
	char *r = url_clean_dup(ref, strlen(ref));
	if (url_is_absolute(r) || base == NULL)
		return r;
	char *b = url_clean_dup(base, strlen(base));
	struct uri_ref B, R;
	uri_split(b, &B);
	uri_split(r, &R);
	/* A relative base, or an opaque one (urn:, tag:, mailto:) whose path is not a hierarchy:
	 * nothing to resolve against. */
	if (B.scheme == NULL || (B.auth == NULL && (B.path_n == 0 || B.path[0] != '/'))) {
		free(b);
		return r;
	}

	struct buf out;
	buf_init(&out, 0);
	buf_add(&out, B.scheme, B.scheme_n);
	buf_add(&out, ":", 1);
	const struct uri_ref *auth = R.auth != NULL ? &R : &B;
	if (auth->auth != NULL) {
		buf_add(&out, "//", 2);
		buf_add(&out, auth->auth, auth->auth_n);
	}

	const char *query = R.query;
	size_t query_n = R.query_n;
	char *merged = NULL, *clean = NULL;
	if (R.auth == NULL && R.path_n == 0) {
		buf_add(&out, B.path, B.path_n);
		if (query == NULL) {
			query = B.query;
			query_n = B.query_n;
		}
	} else {
		size_t mn;
		if (R.auth != NULL || R.path[0] == '/') {
			merged = xstrndup(R.path, R.path_n);
			mn = R.path_n;
		} else {
			/* RFC 3986 5.2.3: the base path up to its last '/', then the reference. */
			size_t keep = B.path_n;
			while (keep > 0 && B.path[keep - 1] != '/')
				keep--;
			int slash = B.auth != NULL && B.path_n == 0;
			mn = (size_t)slash + keep + R.path_n;
			merged = xmalloc(mn + 1);
			if (slash)
				merged[0] = '/';
			memcpy(merged + slash, B.path, keep);
			memcpy(merged + slash + keep, R.path, R.path_n);
			merged[mn] = '\0';
		}
		clean = xmalloc(mn + 1);
		size_t cn = remove_dot_segments(merged, mn, clean);
		buf_add(&out, clean, cn);
	}
	if (query != NULL) {
		buf_add(&out, "?", 1);
		buf_add(&out, query, query_n);
	}
	if (R.frag != NULL) {
		buf_add(&out, "#", 1);
		buf_add(&out, R.frag, R.frag_n);
	}
	free(merged);
	free(clean);
	free(b);
	free(r);
	return buf_steal(&out, NULL);
}

/* The query parameters that only say where a reader clicked: dropped from dedup keys and
 * from published links. Kept as the list's text, names separated by one space; a name
 * ending in '*' is a prefix. A query has a handful of parameters and the list a dozen names:
 * scanning the text is as fast as anything else. */
struct url_tracking {
	char *spec; /* owned */
};

/* The default list, documented in the README and feedmerge.conf(5). */
static const char url_tracking_default[] = "utm_* fbclid gclid dclid mc_cid mc_eid yclid _ga "
                                           "wt_mc at_medium at_campaign msclkid igshid";

const char *url_tracking_default_spec(void)
{
	return url_tracking_default;
}

struct url_tracking *url_tracking_new(const char *spec, char *err, size_t errlen)
{
	if (spec == NULL)
		spec = url_tracking_default;
	struct buf b;
	buf_init(&b, 0);
	const char *p = spec;
	for (;;) {
		p += strspn(p, " \t,");
		if (*p == '\0')
			break;
		size_t n = strcspn(p, " \t,");
		size_t ok = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		                      "0123456789_.-[]");
		if (ok + (p[ok] == '*') != n || ok == 0 || n > 64) {
			if (err != NULL)
				snprintf(err, errlen,
				         "bad parameter name '%.*s': letters, digits, '_', '.', "
				         "'-', '[', "
				         "']' and a final '*' for a prefix",
				         (int)(n > 64 ? 64 : n), p);
			buf_free(&b);
			return NULL;
		}
		if (b.len > 0)
			buf_add(&b, " ", 1);
		buf_add(&b, p, n);
		p += n;
	}
	struct url_tracking *t = xcalloc(1, sizeof *t);
	if (b.len > 0) {
		t->spec = buf_steal(&b, NULL);
	} else {
		buf_free(&b); /* an empty list: no parameter is a tracking one */
		t->spec = xstrdup("");
	}
	return t;
}

void url_tracking_free(struct url_tracking *t)
{
	if (t == NULL)
		return;
	free(t->spec);
	free(t);
}

/* Whether the parameter p[0..n) is in the list spec (names separated by one space). */
static int is_tracking_param(const char *p, size_t n, const struct url_tracking *t)
{
	const char *name = t != NULL ? t->spec : url_tracking_default;
	while (*name != '\0') {
		size_t len = strcspn(name, " ");
		if (len > 0 && name[len - 1] == '*') {
			if (n >= len - 1 && strncasecmp(p, name, len - 1) == 0)
				return 1;
		} else if (len == n && strncasecmp(p, name, n) == 0) {
			return 1;
		}
		name += len;
		name += *name == ' ';
	}
	return 0;
}

/* The normalised list (names separated by one space), borrowed. */
const char *url_tracking_spec(const struct url_tracking *t)
{
	return t != NULL ? t->spec : url_tracking_default;
}

/* The query without tracking parameters (order kept, empty pairs dropped); a new string, or
 * NULL when nothing is left. */
static char *query_filter(const char *q, const struct url_tracking *t)
{
	struct buf out;
	buf_init(&out, 0);
	while (*q != '\0') {
		size_t n = strcspn(q, "&");
		size_t name_n = strcspn(q, "=&");
		if (n > 0 && !is_tracking_param(q, name_n, t)) {
			if (out.len > 0)
				buf_add(&out, "&", 1);
			buf_add(&out, q, n);
		}
		q += n;
		if (*q == '&')
			q++;
	}
	if (out.len == 0) {
		buf_free(&out);
		return NULL;
	}
	return buf_steal(&out, NULL);
}

/* RFC 3986 6.2.2 and RFC 3987 3.1 on the path, query and fragment of s (everything from the
 * first '/', '?' or '#' after the authority): escapes of unreserved characters decoded, the
 * other escapes in uppercase, non-ASCII bytes percent-encoded. So "t%e1%ba%a1p", "t%E1%BA%A1p"
 * and the UTF-8 "tạp" give one key. A '%' not followed by two hex digits is encoded as "%25"
 * (the recovery RFC 3986 2.4 implies): kept bare, decoding an escape next to it could make a
 * new escape ("%3%33" -> "%33" -> "3"), and the result would not be a fixed point. The output
 * is: every '%' starts an uppercase escape of a byte that is not unreserved ASCII, and no byte
 * is >= 0x80; so the function is idempotent. Returns a new string. */
static char *normalize_escapes(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *auth = strstr(s, "://");
	size_t start = auth ? (size_t)(auth - s) + 3 : 0;
	start += strcspn(s + start, "/?#");
	size_t n = strlen(s);
	char *out = xmalloc(3 * n + 1);
	memcpy(out, s, start);
	size_t o = start;
	for (size_t i = start; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		int hi, lo;
		if (ch == '%' && (hi = hex_digit_value((unsigned char)s[i + 1])) >= 0 &&
		    (lo = hex_digit_value((unsigned char)s[i + 2])) >= 0) {
			int v = hi * 16 + lo;
			if (is_alpha(v) || (v >= '0' && v <= '9') || v == '-' || v == '.' ||
			    v == '_' || v == '~') {
				out[o++] = (char)v;
			} else {
				out[o++] = '%';
				out[o++] = hex[hi];
				out[o++] = hex[lo];
			}
			i += 2;
		} else if (ch >= 0x80 || ch == '%') {
			out[o++] = '%';
			out[o++] = hex[ch >> 4];
			out[o++] = hex[ch & 15];
		} else {
			out[o++] = (char)ch;
		}
	}
	out[o] = '\0';
	return out;
}

/* The canonical form through CURLU, or NULL when libcurl refuses the URL. The escapes are
 * normalised before CURLU sees the URL as well as after: decoded "%2E" and "%2e" are dot
 * segments to remove and a decoded "%75tm_source" is a tracking parameter to drop, so doing
 * it only at the end would leave work for a second pass (the key would not be a fixed
 * point). */
static char *canonical_http(const char *s, const struct url_tracking *t)
{
	char *result = NULL, *host = NULL, *mid = NULL, *query = NULL, *filtered = NULL;
	char *out = NULL;
	char *pre = normalize_escapes(s);
	CURLU *h = curl_url();
	if (h == NULL)
		abort();
	if (curl_url_set(h, CURLUPART_URL, pre, 0) != CURLUE_OK)
		goto done;
	if (curl_url_set(h, CURLUPART_FRAGMENT, NULL, 0) != CURLUE_OK)
		goto done;
	if (curl_url_get(h, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		goto done;
	for (char *p = host; *p; p++)
		*p = (char)lower((unsigned char)*p);
	if (curl_url_set(h, CURLUPART_HOST, host, 0) != CURLUE_OK)
		goto done;
	/* CURLU decodes the escapes of a host name after its IPv4 check, so "https://%33" has
	 * the host "3", which the next parse reads as the address 0.0.0.3; "1%2e2" is 1.0.0.2
	 * one parse later. Parse the URL with its decoded host again, as the second pass would. */
	if (curl_url_get(h, CURLUPART_URL, &mid, 0) != CURLUE_OK ||
	    curl_url_set(h, CURLUPART_URL, mid, 0) != CURLUE_OK)
		goto done;
	CURLUcode rc = curl_url_get(h, CURLUPART_QUERY, &query, 0);
	if (rc == CURLUE_OK) {
		filtered = query_filter(query, t);
		if (curl_url_set(h, CURLUPART_QUERY, filtered, 0) != CURLUE_OK)
			goto done;
	} else if (rc != CURLUE_NO_QUERY) {
		goto done;
	}
	if (curl_url_get(h, CURLUPART_URL, &out, CURLU_NO_DEFAULT_PORT) != CURLUE_OK)
		goto done;
	result = normalize_escapes(out);
done:
	curl_free(out);
	curl_free(query);
	curl_free(mid);
	curl_free(host);
	free(filtered);
	free(pre);
	curl_url_cleanup(h);
	return result;
}

/* Whether ch may stand unescaped in a canonical path or query: RFC 3986's unreserved
 * characters, sub-delims, ':', '@', '/' and '?' ('%' and every other byte send the URL
 * through CURLU). */
static int is_plain_url_char(unsigned char ch)
{
	static const char plain[] = "-._~!$&'()*+,;=:@/?";
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       (ch != '\0' && strchr(plain, ch) != NULL);
}

/* The canonical form of s without CURLU, or NULL when s is not in the plain shape most feed
 * links have, whose canonical form is s itself: a lowercase host name (letters, digits, '-'
 * and dots between non-empty labels, the last starting with a letter: never an address CURLU
 * would rewrite), no port, user or fragment, a path without dot segments, empty segments or
 * escapes, and a query that has no tracking parameter or empty pair. libcurl's URL API parses
 * and prints each link several times, which was most of the CPU of storing a fetched feed;
 * for links of this shape it would give the input back. The fuzz target checks both agree. */
static char *canonical_plain(const char *s, const struct url_tracking *t)
{
	const char *p = s + (s[4] == 's' ? 8 : 7);
	const char *host = p, *label = p;
	for (;; p++) {
		unsigned char ch = (unsigned char)*p;
		if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-')
			continue;
		if (p == label || p - label > 63)
			return NULL; /* an empty label or a long one */
		if (ch != '.')
			break;
		label = p + 1;
	}
	if (*p != '/' || !(*label >= 'a' && *label <= 'z') || p - host > 253)
		return NULL;
	const char *end = p + strcspn(p, "?#");
	for (const char *q = p; q < end; q++)
		if (!is_plain_url_char((unsigned char)*q))
			return NULL;
	for (const char *q = p; q < end;) { /* q at a '/' */
		const char *seg = q + 1, *next = memchr(seg, '/', (size_t)(end - seg));
		if (next == NULL)
			next = end;
		size_t n = (size_t)(next - seg);
		if ((n == 0 && next != end) || (n == 1 && seg[0] == '.') ||
		    (n == 2 && seg[0] == '.' && seg[1] == '.'))
			return NULL;
		q = next;
	}
	if (*end == '#')
		return NULL;
	if (*end == '?') {
		const char *query = end + 1;
		if (*query == '\0')
			return NULL;
		for (const char *q = query; *q != '\0'; q++)
			if (!is_plain_url_char((unsigned char)*q))
				return NULL;
		char *filtered = query_filter(query, t);
		int same = filtered != NULL && strcmp(filtered, query) == 0;
		free(filtered);
		if (!same)
			return NULL;
	}
	return xstrdup(s);
}

char *url_canonical(const char *url)
{
	return url_canonical_with(url, NULL);
}

char *url_canonical_with(const char *url, const struct url_tracking *t)
{
	if (url == NULL)
		return NULL;
	char *s = url_clean_dup(url, strlen(url));
	size_t n = scheme_len(s);
	if (n == 0) {
		free(s);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		s[i] = (char)lower((unsigned char)s[i]);
	int web = (n == 4 && strncmp(s, "http", 4) == 0) || (n == 5 && strncmp(s, "https", 5) == 0);
	if (!web)
		return s; /* tag:, urn: and the like: CURLU refuses them; only the scheme folds */
	if (!url_is_http(s)) {
		free(s);
		return NULL;
	}
	char *c = canonical_plain(s, t);
	if (c == NULL)
		c = canonical_http(s, t);
	free(s);
	return c;
}

char *url_canonical_reference(const char *url, const struct url_tracking *t)
{
	if (url == NULL)
		return NULL;
	char *s = url_clean_dup(url, strlen(url));
	size_t n = scheme_len(s);
	for (size_t i = 0; i < n; i++)
		s[i] = (char)lower((unsigned char)s[i]);
	char *c = NULL;
	if (url_is_http(s))
		c = canonical_http(s, t);
	free(s);
	return c;
}

/* A new string: url without its user:password@, or NULL when it has none or is not a URL
 * libcurl reads. */
static char *url_credentials_removed(const char *url)
{
	CURLU *h = curl_url();
	char *user = NULL, *password = NULL, *out = NULL;
	if (h == NULL || curl_url_set(h, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK)
		goto done;
	int has_user = curl_url_get(h, CURLUPART_USER, &user, 0) == CURLUE_OK;
	int has_password = curl_url_get(h, CURLUPART_PASSWORD, &password, 0) == CURLUE_OK;
	if (!has_user && !has_password)
		goto done;
	if (curl_url_set(h, CURLUPART_USER, NULL, 0) != CURLUE_OK ||
	    curl_url_set(h, CURLUPART_PASSWORD, NULL, 0) != CURLUE_OK)
		goto done;
	char *s = NULL;
	if (curl_url_get(h, CURLUPART_URL, &s, 0) == CURLUE_OK) {
		out = xstrdup(s);
		curl_free(s);
	}
done:
	curl_free(user);
	curl_free(password);
	curl_url_cleanup(h);
	return out;
}

char *url_public_dup(const char *url)
{
	if (url == NULL)
		return NULL;
	char *s = url_credentials_removed(url);
	return s != NULL ? s : xstrdup(url);
}

char *url_host_dup(const char *url)
{
	CURLU *h = curl_url();
	char *host = NULL, *out = NULL;
	if (h != NULL && curl_url_set(h, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		out = xstrdup(host);
		for (char *p = out; *p != '\0'; p++)
			*p = (char)lower((unsigned char)*p);
	}
	curl_free(host);
	curl_url_cleanup(h);
	return out;
}

char *url_story_key(const char *canonical, unsigned fold)
{
	const char *rest;
	const char *scheme;
	if (strncmp(canonical, "https://", 8) == 0) {
		scheme = "https";
		rest = canonical + 8;
	} else if (strncmp(canonical, "http://", 7) == 0) {
		scheme = "http";
		rest = canonical + 7;
	} else {
		return xstrdup(canonical);
	}
	if (fold & URL_FOLD_SCHEME)
		scheme = "http";
	/* "www." and a name after it: "www.example/" folds, a host named just "www." does not. */
	if ((fold & URL_FOLD_WWW) && strncmp(rest, "www.", 4) == 0 && rest[4] != '\0' &&
	    strchr("/:?#@", rest[4]) == NULL && memchr(rest, '@', strcspn(rest, "/?#")) == NULL)
		rest += 4;
	return xasprintf("%s://%s", scheme, rest);
}
