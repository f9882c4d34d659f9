/* JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1) to struct feed, with json-c: the only
 * user of json-c's tokener. JSON Feed says what each field means, so the mapping is direct:
 *   home_page_url -> link; items[].url (else external_url) -> link; title -> plain text;
 *   summary and content_text are plain text, HTML-escaped so every summary/content is HTML;
 *   content_html as is; authors[0].name (1.1), else author.name (1.0), item before feed;
 *   tags -> categories; attachments -> enclosures; the feed has no id and no date of its own.
 * A document cut off or broken mid-way keeps the items that were complete before the break,
 * as the XML parser does for truncated XML. */
#include "autoconf.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "log.h"
#include "parse_int.h"
#include "url.h"
#include "util.h"

/* Nesting deeper than this is refused by the tokener: real feeds nest 4-5 levels. */
#define PARSE_JSON_MAX_DEPTH 64

#define PARSE_JSON_NOT_A_FEED "not a feed: JSON document is not a JSON Feed"

/* Returns a new copy of s[0..len) that is valid UTF-8: invalid sequences (overlong forms,
 * surrogates, bytes that start nothing) become U+FFFD and NUL bytes (from "\u0000") are
 * dropped. json-c passes the input's bytes through unchecked. */
static char *json_utf8_dup(const char *s, size_t len)
{
	struct buf b;
	buf_init(&b, 0);
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, start = 0;
	while (i < len) {
		unsigned char c = p[i];
		size_t n = 0;
		if (c >= 0x01 && c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 2;
		else if (c >= 0xe0 && c <= 0xef)
			n = 3;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 4;
		int ok = n != 0 && i + n <= len;
		for (size_t k = 1; ok && k < n; k++)
			if ((p[i + k] & 0xc0) != 0x80)
				ok = 0;
		if (ok && n == 3) {
			if ((c == 0xe0 && p[i + 1] < 0xa0) || (c == 0xed && p[i + 1] >= 0xa0))
				ok = 0; /* overlong, or a UTF-16 surrogate */
		} else if (ok && n == 4) {
			if ((c == 0xf0 && p[i + 1] < 0x90) || (c == 0xf4 && p[i + 1] >= 0x90))
				ok = 0; /* overlong, or above U+10FFFF */
		}
		if (ok) {
			i += n;
			continue;
		}
		buf_append(&b, s + start, i - start);
		if (c != 0x00)
			buf_append(&b, "\xef\xbf\xbd", 3);
		i++;
		start = i;
	}
	buf_append(&b, s + start, i - start);
	return buf_steal(&b, NULL);
}

/* The member key of o when it is a string (numbers too when numbers_ok), else NULL. The
 * pointer is json-c's, valid while o lives; *len excludes the NUL. */
static const char *json_get_str(struct json_object *o, const char *key, int numbers_ok, size_t *len)
{
	struct json_object *v;
	if (o == NULL || !json_object_object_get_ex(o, key, &v) || v == NULL)
		return NULL;
	switch (json_object_get_type(v)) {
	case json_type_string:
		break;
	case json_type_int:
	case json_type_double:
		if (numbers_ok)
			break;
		return NULL;
	default:
		return NULL;
	}
	const char *s = json_object_get_string(v);
	if (s == NULL)
		return NULL;
	*len = json_type_string == json_object_get_type(v) ? (size_t)json_object_get_string_len(v)
	                                                   : strlen(s);
	return s;
}

/* A new valid-UTF-8 copy of the string member key, or NULL when absent or empty. */
static char *json_dup_str(struct json_object *o, const char *key, int numbers_ok)
{
	size_t len = 0;
	const char *s = json_get_str(o, key, numbers_ok, &len);
	if (s == NULL || len == 0)
		return NULL;
	char *copy = json_utf8_dup(s, len);
	if (copy[0] == '\0') {
		free(copy);
		return NULL;
	}
	return copy;
}

/* The plain-text member key, whitespace collapsed, or NULL when absent or blank. */
static char *json_dup_text(struct json_object *o, const char *key)
{
	char *s = json_dup_str(o, key, 0);
	if (s == NULL)
		return NULL;
	char *t = parse_plain_text(s, strlen(s), 0);
	free(s);
	return t;
}

/* Returns s, or NULL (freeing s) when s is only whitespace. */
static char *json_blank_to_null(char *s)
{
	if (s != NULL && s[strspn(s, " \t\r\n")] == '\0') {
		free(s);
		return NULL;
	}
	return s;
}

/* True when s holds an HTML character reference (&amp; &#8211; &#x2014;). */
static int json_has_char_ref(const char *s)
{
	for (const char *p = strchr(s, '&'); p != NULL; p = strchr(p + 1, '&')) {
		const char *q = p + 1;
		size_t n;
		if (*q == '#') {
			q++;
			if (*q == 'x' || *q == 'X')
				n = strspn(++q, "0123456789abcdefABCDEF");
			else
				n = strspn(q, "0123456789");
		} else {
			n = strspn(
			    q, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
		}
		if (n > 0 && n < 32 && q[n] == ';')
			return 1;
	}
	return 0;
}

/* The title member key as plain text, or NULL when absent or blank. JSON Feed titles are
 * plain text, but WordPress and other generators write them HTML-escaped ("Blog &#8211;
 * InfluxData", "Task &amp; Sub Tasks"): a title holding a character reference is read as
 * HTML, so the reader sees the dash and the ampersand the publisher meant. */
static char *json_dup_title(struct json_object *o, const char *key)
{
	char *s = json_dup_str(o, key, 0);
	if (s == NULL)
		return NULL;
	char *t = parse_plain_text(s, strlen(s), json_has_char_ref(s));
	free(s);
	return t;
}

/* Returns a new string: plain text s as HTML (&, < and > escaped), or NULL when s is NULL or
 * blank. Takes ownership of s. */
static char *json_text_to_html(char *s)
{
	if (s == NULL)
		return NULL;
	if (s[strspn(s, " \t\r\n")] == '\0') {
		free(s);
		return NULL;
	}
	struct buf b;
	buf_init(&b, 0);
	const char *p = s;
	for (;;) {
		size_t n = strcspn(p, "&<>");
		buf_append(&b, p, n);
		p += n;
		if (*p == '\0')
			break;
		buf_puts(&b, *p == '&' ? "&amp;" : *p == '<' ? "&lt;" : "&gt;");
		p++;
	}
	free(s);
	return buf_steal(&b, NULL);
}

/* The URL member key resolved against base, or NULL when absent or empty. */
static char *json_dup_url(struct json_object *o, const char *key, const char *base)
{
	char *s = json_dup_str(o, key, 0);
	if (s == NULL)
		return NULL;
	/* URLs carry no meaningful surrounding whitespace; some generators leave it in. */
	size_t lead = strspn(s, " \t\r\n");
	size_t n = strlen(s + lead);
	while (n > 0 && strchr(" \t\r\n", s[lead + n - 1]) != NULL)
		n--;
	if (n == 0) {
		free(s);
		return NULL;
	}
	char *trimmed = xstrndup(s + lead, n);
	free(s);
	char *abs = url_resolve(base, trimmed);
	free(trimmed);
	return abs;
}

/* The member key when it is an object/array, else NULL. */
static struct json_object *json_get_typed(struct json_object *o, const char *key,
                                          enum json_type type)
{
	struct json_object *v;
	if (o == NULL || !json_object_object_get_ex(o, key, &v) || v == NULL ||
	    !json_object_is_type(v, type))
		return NULL;
	return v;
}

/* Returns a new string: the first author's name, from "authors" (1.1) or "author" (1.0),
 * or NULL. */
static char *json_author_new(struct json_object *o)
{
	struct json_object *authors = json_get_typed(o, "authors", json_type_array);
	size_t n = authors != NULL ? json_object_array_length(authors) : 0;
	for (size_t i = 0; i < n; i++) {
		struct json_object *a = json_object_array_get_idx(authors, i);
		if (a == NULL)
			continue;
		char *name =
		    json_object_is_type(a, json_type_object) ? json_dup_text(a, "name") : NULL;
		if (name != NULL)
			return name;
	}
	struct json_object *author = json_get_typed(o, "author", json_type_object);
	if (author != NULL)
		return json_dup_text(author, "name");
	return NULL;
}

/* Appends the tags of item (an array of strings; a lone string is taken as one tag). */
static void json_add_tags(struct entry *e, struct json_object *item)
{
	struct json_object *tags;
	if (!json_object_object_get_ex(item, "tags", &tags) || tags == NULL)
		return;
	if (json_object_is_type(tags, json_type_string)) {
		char *t = json_utf8_dup(json_object_get_string(tags),
		                        (size_t)json_object_get_string_len(tags));
		char *plain = parse_plain_text(t, strlen(t), 0);
		if (plain != NULL)
			entry_add_category(e, plain);
		free(plain);
		free(t);
		return;
	}
	if (!json_object_is_type(tags, json_type_array))
		return;
	size_t n = json_object_array_length(tags);
	for (size_t i = 0; i < n; i++) {
		struct json_object *tag = json_object_array_get_idx(tags, i);
		if (tag == NULL || !json_object_is_type(tag, json_type_string))
			continue;
		char *t = json_utf8_dup(json_object_get_string(tag),
		                        (size_t)json_object_get_string_len(tag));
		char *plain = parse_plain_text(t, strlen(t), 0);
		if (plain != NULL)
			entry_add_category(e, plain);
		free(plain);
		free(t);
	}
}

/* size_in_bytes as a non-negative integer, else -1 (absent, negative, not a number). */
static int64_t json_size_bytes(struct json_object *att)
{
	struct json_object *v;
	if (!json_object_object_get_ex(att, "size_in_bytes", &v) || v == NULL)
		return -1;
	switch (json_object_get_type(v)) {
	case json_type_int: {
		int64_t n = json_object_get_int64(v);
		return n >= 0 ? n : -1;
	}
	case json_type_double: {
		double d = json_object_get_double(v);
		return d >= 0 && d < 9e18 ? (int64_t)d : -1;
	}
	case json_type_string: {
		const char *s = json_object_get_string(v);
		char *end;
		long long n = strtoll(s, &end, 10);
		return end != s && *end == '\0' && n >= 0 ? (int64_t)n : -1;
	}
	default:
		return -1;
	}
}

static void json_add_attachments(struct entry *e, struct json_object *item, const char *base)
{
	struct json_object *atts = json_get_typed(item, "attachments", json_type_array);
	size_t n = atts != NULL ? json_object_array_length(atts) : 0;
	for (size_t i = 0; i < n; i++) {
		struct json_object *att = json_object_array_get_idx(atts, i);
		if (att == NULL || !json_object_is_type(att, json_type_object))
			continue;
		char *url = json_dup_url(att, "url", base);
		if (url == NULL)
			continue;
		char *type = json_dup_str(att, "mime_type", 0);
		entry_add_enclosure(e, url, type, json_size_bytes(att));
		free(type);
		free(url);
	}
}

static void json_add_item(struct feed *f, struct json_object *item, const char *base,
                          const char *feed_author, const struct parse_opts *opts)
{
	struct entry *e = feed_add_entry(f);
	/* Ids are strings in the spec, but numbers are common ("id": 1234): keep their text. */
	e->id = json_dup_str(item, "id", 1);
	e->link = json_dup_url(item, "url", base);
	if (e->link == NULL)
		e->link = json_dup_url(item, "external_url", base);
	e->title = json_dup_title(item, "title");
	e->summary = json_text_to_html(json_dup_str(item, "summary", 0));
	e->content = json_blank_to_null(json_dup_str(item, "content_html", 0));
	if (e->content == NULL)
		e->content = json_text_to_html(json_dup_str(item, "content_text", 0));
	e->author = json_author_new(item);
	if (e->author == NULL)
		e->author = xstrdup_or_null(feed_author);

	char *date = json_dup_str(item, "date_published", 0);
	if (date != NULL)
		e->published = parse_date(date, opts);
	free(date);
	date = json_dup_str(item, "date_modified", 0);
	if (date != NULL)
		e->updated = parse_date(date, opts);
	free(date);

	json_add_tags(e, item);
	json_add_attachments(e, item, base);
}

/* True when root is a JSON Feed: its version is a jsonfeed.org version URL, or (a document
 * cut off before its version, which JSON Feed allows anywhere) it has no version but an
 * items array. */
static int json_is_feed(struct json_object *root)
{
	if (root == NULL || !json_object_is_type(root, json_type_object))
		return 0;
	size_t len = 0;
	const char *v = json_get_str(root, "version", 0, &len);
	if (v != NULL) {
		const char *rest = NULL;
		if (strncmp(v, "https://jsonfeed.org/version/", 29) == 0)
			rest = v + 29;
		else if (strncmp(v, "http://jsonfeed.org/version/", 28) == 0)
			rest = v + 28;
		return rest != NULL && rest[0] == '1';
	}
	struct json_object *tmp;
	if (json_object_object_get_ex(root, "version", &tmp))
		return 0; /* a version that is not a string */
	return json_get_typed(root, "items", json_type_array) != NULL;
}

/* Returns a new NUL-terminated document: data[0..len) cut at the last point where the value
 * being read could be closed without losing a complete item, followed by the closing brackets
 * for the containers still open; NULL when nothing is open (the break is not a truncation
 * of a container). The cut keeps the containers open at depth <= 2 (root object, its items
 * array) so a half-read item is dropped whole instead of kept with half its fields. */
static char *json_repair_new(const char *data, size_t len, size_t *outlen)
{
	char stack[PARSE_JSON_MAX_DEPTH];
	size_t good[PARSE_JSON_MAX_DEPTH + 1];
	size_t depth = 0;
	int in_str = 0, esc = 0;
	good[0] = 0;
	for (size_t i = 0; i < len; i++) {
		char c = data[i];
		if (in_str) {
			if (esc)
				esc = 0;
			else if (c == '\\')
				esc = 1;
			else if (c == '"')
				in_str = 0;
			continue;
		}
		switch (c) {
		case '"':
			in_str = 1;
			break;
		case '{':
		case '[':
			if (depth == PARSE_JSON_MAX_DEPTH)
				return NULL;
			stack[depth++] = c;
			good[depth] = i + 1;
			break;
		case '}':
		case ']':
			if (depth == 0)
				return NULL;
			depth--;
			if (depth == 0)
				return NULL; /* the root closed: not a cut-off document */
			good[depth] = i + 1;
			break;
		default:
			break;
		}
	}
	if (depth == 0)
		return NULL;
	size_t keep = depth < 2 ? depth : 2;
	size_t cut = good[keep];
	struct buf b;
	buf_init(&b, 0);
	buf_append(&b, data, cut);
	for (size_t k = keep; k > 0; k--)
		buf_append(&b, stack[k - 1] == '{' ? "}" : "]", 1);
	return buf_steal(&b, outlen);
}

/* Parses data[0..len) as one JSON value; returns it (json_object_put it) or NULL with the
 * tokener's error and the offset where parsing stopped. */
static struct json_object *json_parse(const char *data, size_t len, enum json_tokener_error *jerr,
                                      size_t *end)
{
	struct json_tokener *tok = json_tokener_new_ex(PARSE_JSON_MAX_DEPTH);
	if (tok == NULL)
		fatalx("out of memory (json_tokener_new_ex)");
	struct json_object *root = json_tokener_parse_ex(tok, data, (int)len);
	*jerr = json_tokener_get_error(tok);
	*end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (*jerr != json_tokener_success) {
		json_object_put(root);
		return NULL;
	}
	return root;
}

/* Parses a JSON Feed. Same contract as parse_feed(). */
struct feed *parse_json_feed(const char *data, size_t len, const struct parse_opts *opts, char *err,
                             size_t errlen)
{
	struct json_object *root = NULL;
	struct feed *f = NULL;
	char *repaired = NULL;
	char *base = NULL, *feed_author = NULL;

	err[0] = '\0';
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		data += 3;
		len -= 3;
	}
	if (len > INT_MAX) {
		snprintf(err, errlen, "JSON document too large (%zu bytes)", len);
		goto done;
	}
	enum json_tokener_error jerr;
	size_t end = 0, stop = 0;
	root = json_parse(data, len, &jerr, &end);
	if (root == NULL) {
		/* json_tokener_continue: the input ended inside a value (a cut-off transfer). */
		stop = jerr == json_tokener_continue ? len : end;
		size_t rlen = 0;
		repaired = json_repair_new(data, stop, &rlen);
		enum json_tokener_error rerr;
		size_t rend;
		if (repaired != NULL)
			root = json_parse(repaired, rlen, &rerr, &rend);
		if (root == NULL || !json_is_feed(root)) {
			snprintf(err, errlen, "not a feed: JSON syntax error at byte %zu: %s", stop,
			         json_tokener_error_desc(jerr));
			goto done;
		}
	} else if (!json_is_feed(root)) {
		snprintf(err, errlen, PARSE_JSON_NOT_A_FEED);
		goto done;
	}

	f = feed_new();
	f->format = FEED_FORMAT_JSONFEED1;
	/* The document's URL first; else the feed's own statement of where it lives. */
	if (opts != NULL && opts->url != NULL)
		base = xstrdup(opts->url);
	else {
		base = json_dup_str(root, "feed_url", 0);
		if (base != NULL && !url_is_http(base)) {
			free(base);
			base = NULL;
		}
	}
	f->title = json_dup_title(root, "title");
	f->link = json_dup_url(root, "home_page_url", base);
	f->language = json_dup_str(root, "language", 0);
	feed_author = json_author_new(root);

	struct json_object *items = json_get_typed(root, "items", json_type_array);
	size_t n = items != NULL ? json_object_array_length(items) : 0;
	for (size_t i = 0; i < n; i++) {
		struct json_object *item = json_object_array_get_idx(items, i);
		if (item != NULL && json_object_is_type(item, json_type_object))
			json_add_item(f, item, base, feed_author, opts);
	}
	if (repaired != NULL) {
		if (jerr == json_tokener_continue)
			snprintf(err, errlen,
			         "JSON cut off at byte %zu: kept the %zu complete items", stop,
			         f->nentries);
		else
			snprintf(err, errlen,
			         "JSON error at byte %zu (%s): kept the %zu complete items", stop,
			         json_tokener_error_desc(jerr), f->nentries);
	}

done:
	free(feed_author);
	free(base);
	free(repaired);
	json_object_put(root);
	return f;
}
