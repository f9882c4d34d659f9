/* JSON text for the JSON Feed parser (parse_json.c): strings made valid UTF-8 and cut to
 * PARSE_JSON_FIELD_MAX_BYTES, read as plain text, titles, URLs or HTML; numbers read as ids
 * and sizes; and the byte-level scan that finds where a broken document can be cut and
 * closed. Nothing here knows the JSON Feed members or yajl's callbacks. */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse_int.h"
#include "util.h"

/* Returns a new copy of s[0..len) that is valid UTF-8: each byte that starts no valid
 * sequence (overlong forms, surrogates, stray bytes) becomes U+FFFD and NUL bytes (from
 * "\u0000") are dropped. yajl is told to pass the input's bytes through unchecked. */
static char *json_text_utf8_dup(const char *s, size_t len)
{
	struct buf b;
	buf_init(&b, 0);
	size_t i = 0;
	while (i < len) {
		size_t valid = parse_utf8_valid_prefix(s + i, len - i);
		const char *nul = memchr(s + i, '\0', valid);
		if (nul != NULL)
			valid = (size_t)(nul - (s + i));
		buf_append(&b, s + i, valid);
		i += valid;
		if (i >= len)
			break;
		if (s[i] != '\0')
			buf_append(&b, "\xef\xbf\xbd", 3);
		i++;
	}
	return buf_steal(&b, NULL);
}

/* Returns s, or NULL (freeing s) when s is only whitespace. */
char *parse_json_text_blank_to_null(char *s)
{
	if (s != NULL && s[strspn(s, " \t\r\n")] == '\0') {
		free(s);
		return NULL;
	}
	return s;
}

/* True when s holds an HTML character reference (&amp; &#8211; &#x2014;). */
static int json_text_has_char_ref(const char *s)
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

/* Returns a new string: plain text s as HTML (&, < and > escaped), or NULL when s is NULL or
 * blank. Takes ownership of s. */
char *parse_json_text_to_html(char *s)
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

/* Returns a new valid-UTF-8 copy of the JSON string s[0..len) (at most
 * PARSE_JSON_FIELD_MAX_BYTES of it, cut at a character boundary), or NULL when it is empty. */
char *parse_json_text_dup(const char *s, size_t len)
{
	if (len > PARSE_JSON_FIELD_MAX_BYTES) {
		len = PARSE_JSON_FIELD_MAX_BYTES;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	if (len == 0)
		return NULL;
	char *copy = json_text_utf8_dup(s, len);
	if (copy[0] == '\0') {
		free(copy);
		return NULL;
	}
	return copy;
}

/* The plain-text string s, whitespace collapsed, or NULL when blank. */
char *parse_json_text_dup_plain(const char *s, size_t len)
{
	char *c = parse_json_text_dup(s, len);
	if (c == NULL)
		return NULL;
	char *t = parse_plain_text(c, strlen(c), 0);
	free(c);
	return t;
}

/* The title s as plain text, or NULL when blank. JSON Feed titles are plain text, but
 * WordPress and other generators write them HTML-escaped ("Blog &#8211; InfluxData", "Task
 * &amp; Sub Tasks"): a title holding a character reference is read as HTML, so the reader
 * sees the dash and the ampersand the publisher meant. */
char *parse_json_text_dup_title(const char *s, size_t len)
{
	char *c = parse_json_text_dup(s, len);
	if (c == NULL)
		return NULL;
	char *t = parse_plain_text(c, strlen(c), json_text_has_char_ref(c));
	free(c);
	return t;
}

/* The URL s with surrounding whitespace trimmed (generators leave some in), or NULL when
 * empty. Not yet resolved: the base may come later in the document. Ids, languages and MIME
 * types are trimmed with it too: no white space around them means anything. */
char *parse_json_text_dup_url(const char *s, size_t len)
{
	char *c = parse_json_text_dup(s, len);
	if (c == NULL)
		return NULL;
	size_t lead = strspn(c, " \t\r\n");
	size_t n = strlen(c + lead);
	while (n > 0 && strchr(" \t\r\n", c[lead + n - 1]) != NULL)
		n--;
	char *trimmed = n > 0 ? xstrndup(c + lead, n) : NULL;
	free(c);
	return trimmed;
}

/* True when the number text s[0..len) is an integer (no fraction, no exponent). */
static int json_text_is_integer(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] == '.' || s[i] == 'e' || s[i] == 'E')
			return 0;
	return 1;
}

/* Returns a new string: the text of a number used as an id ("id": 1234). Integers are
 * normalised as 64-bit values (out-of-range ones clamped), other numbers kept as written. */
char *parse_json_text_number(const char *s, size_t len)
{
	char tmp[64];
	if (len >= sizeof tmp || !json_text_is_integer(s, len))
		return parse_json_text_dup(s, len);
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (tmp[0] == '-')
		return xasprintf("%lld", strtoll(tmp, NULL, 10));
	return xasprintf("%llu", strtoull(tmp, NULL, 10));
}

/* size_in_bytes from a number's text (or a string's when is_string) as a non-negative
 * integer, else -1. */
int64_t parse_json_text_size_bytes(const char *s, size_t len, int is_string)
{
	char tmp[64];
	if (len >= sizeof tmp)
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (is_string) {
		char *end;
		long long n = strtoll(tmp, &end, 10);
		return end != tmp && *end == '\0' && n >= 0 ? (int64_t)n : -1;
	}
	if (json_text_is_integer(tmp, len)) {
		if (tmp[0] == '-')
			return strtoll(tmp, NULL, 10) >= 0 ? 0 : -1;
		unsigned long long u = strtoull(tmp, NULL, 10);
		return u > INT64_MAX ? INT64_MAX : (int64_t)u;
	}
	double d = strtod(tmp, NULL);
	return d >= 0 && d < 9e18 ? (int64_t)d : -1;
}

/* Where to cut a broken document data[0..len) (len: where reading stopped): the last point
 * where the value being read could be closed without losing a complete item, in *cut, and the
 * closing brackets for the containers still open there, in closers[0..*nclosers). Returns -1
 * when nothing is open (the break is not a truncation of a container). The cut keeps the
 * containers open at depth <= 2 (root object, its items array) so a half-read item is dropped
 * whole instead of kept with half its fields. */
int parse_json_text_repair_cut(const char *data, size_t len, size_t *cut, char closers[2],
                               size_t *nclosers)
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
				return -1;
			stack[depth++] = c;
			good[depth] = i + 1;
			break;
		case '}':
		case ']':
			if (depth == 0)
				return -1;
			depth--;
			if (depth == 0)
				return -1; /* the root closed: not a cut-off document */
			good[depth] = i + 1;
			break;
		default:
			break;
		}
	}
	if (depth == 0)
		return -1;
	size_t keep = depth < 2 ? depth : 2;
	*cut = good[keep];
	*nclosers = keep;
	for (size_t k = keep; k > 0; k--)
		closers[keep - k] = stack[k - 1] == '{' ? '}' : ']';
	return 0;
}

/* Raw control characters inside strings, which JSON forbids but generators write (a line break
 * in content_html) and which yajl refuses: returns the offset in data[0..len) of the first one,
 * or len, with *lex carried from the previous call (comments are followed, as yajl allows them). */
size_t parse_json_text_scan(enum parse_json_lex *lex, const char *data, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)data[i];
		switch (*lex) {
		case PARSE_JSON_LEX_VALUE:
			if (c == '"')
				*lex = PARSE_JSON_LEX_STRING;
			else if (c == '/')
				*lex = PARSE_JSON_LEX_SLASH;
			break;
		case PARSE_JSON_LEX_STRING:
			if (c == '\\')
				*lex = PARSE_JSON_LEX_STRING_ESCAPE;
			else if (c == '"')
				*lex = PARSE_JSON_LEX_VALUE;
			else if (c < 0x20)
				return i;
			break;
		case PARSE_JSON_LEX_STRING_ESCAPE:
			*lex = PARSE_JSON_LEX_STRING;
			break;
		case PARSE_JSON_LEX_SLASH:
			*lex = c == '*'   ? PARSE_JSON_LEX_BLOCK_COMMENT
			       : c == '/' ? PARSE_JSON_LEX_LINE_COMMENT
			                  : PARSE_JSON_LEX_VALUE;
			break;
		case PARSE_JSON_LEX_BLOCK_COMMENT:
			if (c == '*')
				*lex = PARSE_JSON_LEX_BLOCK_COMMENT_STAR;
			break;
		case PARSE_JSON_LEX_BLOCK_COMMENT_STAR:
			*lex = c == '/'   ? PARSE_JSON_LEX_VALUE
			       : c == '*' ? PARSE_JSON_LEX_BLOCK_COMMENT_STAR
			                  : PARSE_JSON_LEX_BLOCK_COMMENT;
			break;
		case PARSE_JSON_LEX_LINE_COMMENT:
			if (c == '\n')
				*lex = PARSE_JSON_LEX_VALUE;
			break;
		}
	}
	return len;
}
