/* Text constructs of the XML feed formats: the captured field's text, escaped for HTML where
 * it must be, inline XHTML / HTML child elements serialised back, relative URLs in HTML
 * resolved, Atom type/mode attributes mapped to a kind, Atom 0.3 base64 decoded. */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse_int.h"
#include "parse_xml_int.h"
#include "util.h"
#include "url.h"

void parse_text_add(struct xml_state *st, const char *s, size_t len)
{
	if (st->truncated)
		return;
	if (st->text.len + len > XML_FIELD_MAX_BYTES) {
		size_t room = XML_FIELD_MAX_BYTES - st->text.len;
		/* Cut at a character boundary. */
		while (room > 0 && ((unsigned char)s[room] & 0xC0) == 0x80)
			room--;
		len = room;
		st->truncated = 1;
	}
	struct buf *b = &st->text;
	if (b->data != NULL && b->len + len < b->size) {
		/* The common case, without buf_append's checks. */
		memcpy(b->data + b->len, s, len);
		b->len += len;
		b->data[b->len] = '\0';
		return;
	}
	buf_append(b, s, len);
}

/* Appends s escaped for HTML text (quote also escaped when in_attr). */
void parse_text_add_escaped(struct xml_state *st, const char *s, size_t len, int in_attr)
{
	size_t start = 0;
	for (size_t i = 0; i < len; i++) {
		const char *rep = NULL;
		switch (s[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			if (in_attr)
				rep = "&quot;";
			break;
		default:
			break;
		}
		if (rep == NULL)
			continue;
		parse_text_add(st, s + start, i - start);
		parse_text_add(st, rep, strlen(rep));
		start = i + 1;
	}
	parse_text_add(st, s + start, len - start);
}

static int is_void_element(const char *name)
{
	static const char *const v[] = {"br",   "hr",  "img",   "input", "meta",   "link",  "area",
	                                "base", "col", "embed", "param", "source", "track", "wbr"};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		if (strcmp(v[i], name) == 0)
			return 1;
	return 0;
}

/* An element or attribute name of inline XHTML as HTML 5 reads it. XHTML, SVG and MathML
 * elements lose their prefix: the output is HTML, where <svg> and <math> open SVG and MathML
 * (HTML 5 13.2.6.5, foreign content) with no namespace declared, and "s:svg" would be an
 * unknown element a browser does not draw. XLink attributes are written "xlink:", the one
 * prefix the HTML parser maps to that namespace, whatever the document called it. */
static void serialise_name(struct xml_state *st, const xmlChar *local, const xmlChar *prefix,
                           enum ns ns)
{
	if (ns == NS_XLINK) {
		parse_text_add(st, "xlink:", 6);
	} else if (prefix != NULL && ns != NS_XHTML && ns != NS_SVG && ns != NS_MATHML) {
		parse_text_add(st, (const char *)prefix, strlen((const char *)prefix));
		parse_text_add(st, ":", 1);
	}
	parse_text_add(st, (const char *)local, strlen((const char *)local));
}

/* The HTML attributes whose value is one URL (HTML 4.01 and 5: a, link, img, script,
 * iframe, video, blockquote, q, del, ins, body, form, object, applet, head). */
static int is_url_attr(const char *name)
{
	static const char *const n[] = {"href",     "src",        "poster", "cite",
	                                "longdesc", "background", "action", "formaction",
	                                "codebase", "data",       "usemap", "profile"};
	for (size_t i = 0; i < sizeof n / sizeof n[0]; i++)
		if (strcasecmp(name, n[i]) == 0)
			return 1;
	return 0;
}

static int is_srcset_attr(const char *name)
{
	return strcasecmp(name, "srcset") == 0;
}

static int is_html_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* A new copy of the srcset value v[0..len) with each candidate's relative URL resolved against
 * base. Candidates are "URL [descriptor]" separated by commas (HTML 5, 4.8.4.2); a URL may
 * itself contain commas, but never ends with one. */
static char *srcset_resolve(const char *v, size_t len, const char *base)
{
	struct buf b;
	buf_init(&b, 0);
	size_t i = 0;
	while (i < len) {
		size_t ws = i;
		while (i < len && (is_html_space(v[i]) || v[i] == ','))
			i++;
		buf_append(&b, v + ws, i - ws);
		size_t us = i;
		while (i < len && !is_html_space(v[i]))
			i++;
		size_t ue = i;
		while (ue > us && v[ue - 1] == ',')
			ue--;
		if (ue > us) {
			char *u = xstrndup(v + us, ue - us);
			if (u[0] != '#' && !url_is_absolute(u)) {
				char *abs = url_resolve(base, u);
				buf_puts(&b, abs);
				free(abs);
			} else {
				buf_puts(&b, u);
			}
			free(u);
		}
		buf_append(&b, v + ue, i - ue);
		if (ue < i)
			continue; /* "URL," has no descriptor */
		/* The descriptor runs to the next comma outside parentheses. */
		size_t ds = i;
		int paren = 0;
		while (i < len && (paren || v[i] != ',')) {
			if (v[i] == '(')
				paren = 1;
			else if (v[i] == ')')
				paren = 0;
			i++;
		}
		buf_append(&b, v + ds, i - ds);
	}
	return buf_steal(&b, NULL);
}

/* Returns a new copy of the HTML s with the relative URLs of its URL attributes (href, src,
 * srcset, poster, cite, ...) resolved against base (the content element's xml:base, else the
 * document URL; JSON Feed's content_html uses it too). */
char *parse_text_html_resolve_urls(const char *s, size_t len, const char *base)
{
	struct buf b;
	size_t i = 0, done = 0;
	buf_init(&b, 0);
	while (i < len) {
		const char *lt = memchr(s + i, '<', len - i);
		if (lt == NULL)
			break;
		i = (size_t)(lt - s) + 1;
		if (i >= len || !((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
			continue;
		while (i < len && s[i] != '>' && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' &&
		       s[i] != '\r' && s[i] != '/')
			i++;
		/* Attributes up to '>'. */
		while (i < len && s[i] != '>') {
			while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' ||
			                   s[i] == '\r' || s[i] == '/'))
				i++;
			size_t ns = i;
			while (i < len && s[i] != '=' && s[i] != '>' && s[i] != ' ' &&
			       s[i] != '\t' && s[i] != '\n' && s[i] != '\r' && s[i] != '/')
				i++;
			size_t nlen = i - ns;
			while (i < len &&
			       (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
				i++;
			if (i >= len || s[i] != '=') {
				if (nlen == 0 && i < len && s[i] != '>')
					i++;
				continue;
			}
			i++;
			while (i < len &&
			       (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
				i++;
			char q = 0;
			if (i < len && (s[i] == '"' || s[i] == '\''))
				q = s[i++];
			size_t vs = i;
			while (i < len && (q ? s[i] != q
			                     : (s[i] != ' ' && s[i] != '>' && s[i] != '\t' &&
			                        s[i] != '\n' && s[i] != '\r')))
				i++;
			size_t vlen = i - vs;
			if (q && i < len)
				i++;
			char name[16];
			if (nlen == 0 || nlen >= sizeof name || vlen == 0)
				continue;
			memcpy(name, s + ns, nlen);
			name[nlen] = '\0';
			if (is_srcset_attr(name)) {
				char *r = srcset_resolve(s + vs, vlen, base);
				buf_append(&b, s + done, vs - done);
				buf_puts(&b, r);
				done = vs + vlen;
				free(r);
				continue;
			}
			if (!is_url_attr(name) || s[vs] == '#')
				continue;
			char *v = xstrndup(s + vs, vlen);
			if (!url_is_absolute(v)) {
				char *abs = url_resolve(base, v);
				if (strcmp(abs, v) != 0) {
					buf_append(&b, s + done, vs - done);
					buf_puts(&b, abs);
					done = vs + vlen;
				}
				free(abs);
			}
			free(v);
		}
	}
	buf_append(&b, s + done, len - done);
	return buf_steal(&b, NULL);
}

void parse_text_serialise_start(struct xml_state *st, const xmlChar *local, const xmlChar *prefix,
                                enum ns ns, int nattrs, const xmlChar **attrs)
{
	parse_text_add(st, "<", 1);
	serialise_name(st, local, prefix, ns);
	for (int i = 0; i < nattrs; i++) {
		const xmlChar **a = attrs + 5 * i;
		enum ns ans = parse_names_ns(st, a[2]);
		parse_text_add(st, " ", 1);
		if (ans == NS_XML)
			parse_text_add(st, "xml:", 4);
		serialise_name(st, a[0], ans == NS_XML ? NULL : a[1], ans);
		parse_text_add(st, "=\"", 2);
		char *v = parse_names_attr_decode((const char *)a[3], (size_t)(a[4] - a[3]));
		if (ans == NS_NONE && is_url_attr((const char *)a[0]) && cur_base(st) != NULL &&
		    v[0] != '\0' && v[0] != '#' && !url_is_absolute(v)) {
			char *abs = url_resolve(cur_base(st), v);
			free(v);
			v = abs;
		} else if (ans == NS_NONE && is_srcset_attr((const char *)a[0]) &&
		           cur_base(st) != NULL) {
			char *abs = srcset_resolve(v, strlen(v), cur_base(st));
			free(v);
			v = abs;
		}
		parse_text_add_escaped(st, v, strlen(v), 1);
		free(v);
		parse_text_add(st, "\"", 1);
	}
	if (ns == NS_XHTML || ns == NS_NONE) {
		if (is_void_element((const char *)local))
			parse_text_add(st, " /", 2);
	}
	parse_text_add(st, ">", 1);
}

void parse_text_serialise_end(struct xml_state *st, const xmlChar *local, const xmlChar *prefix,
                              enum ns ns)
{
	if ((ns == NS_XHTML || ns == NS_NONE) && is_void_element((const char *)local))
		return;
	parse_text_add(st, "</", 2);
	serialise_name(st, local, prefix, ns);
	parse_text_add(st, ">", 1);
}

void parse_text_capture(struct xml_state *st, enum field f, enum owner own, enum kind k)
{
	st->field = f;
	st->field_owner = own;
	st->kind = k;
	st->cap_depth = st->depth;
	st->xhtml_div = 0;
	st->xhtml_seen_el = 0;
	st->truncated = 0;
	st->author_name_seen = 0;
	buf_reset(&st->text);
}

/* The kind of an Atom text construct from its type (and Atom 0.3 mode) attributes. */
enum kind parse_text_atom_kind(struct xml_state *st, const xmlChar **attrs, int nattrs,
                               int is_content)
{
	size_t tlen = 0, mlen = 0;
	const char *type = parse_names_attr_find(st, attrs, nattrs, "type", NS_NONE, &tlen);
	const char *mode = parse_names_attr_find(st, attrs, nattrs, "mode", NS_NONE, &mlen);
	char t[128] = "";
	const struct level *lv = &st->stack[st->depth];
	if (is_content && lv->ns == NS_XHTML && strcmp((const char *)lv->local, "body") == 0)
		return K_XHTML; /* <xhtml:body>: its children are the content */
	if (is_content && parse_names_attr_find(st, attrs, nattrs, "src", NS_NONE, &tlen) != NULL &&
	    !(st->feed->format == FEED_FORMAT_ATOM03))
		return K_SKIP;
	if (type != NULL) {
		type = parse_names_attr_find(st, attrs, nattrs, "type", NS_NONE, &tlen);
		while (tlen > 0 && is_ws((unsigned char)*type)) {
			type++;
			tlen--;
		}
		if (tlen >= sizeof t)
			tlen = sizeof t - 1;
		for (size_t i = 0; i < tlen; i++)
			t[i] = (char)((type[i] >= 'A' && type[i] <= 'Z') ? type[i] + 32 : type[i]);
		t[tlen] = '\0';
		char *semi = strchr(t, ';');
		if (semi != NULL)
			*semi = '\0';
		for (size_t n = strlen(t); n > 0 && is_ws((unsigned char)t[n - 1]); n--)
			t[n - 1] = '\0';
	}
	if (mode != NULL && mlen == 6 && strncmp(mode, "base64", 6) == 0) {
		/* Atom 0.3's type says what the decoded bytes are (default text/plain). */
		st->base64_markup = strcmp(t, "html") == 0 || strcmp(t, "text/html") == 0 ||
		                    strcmp(t, "xhtml") == 0 ||
		                    strcmp(t, "application/xhtml+xml") == 0;
		return K_BASE64;
	}
	int escaped = mode != NULL && mlen == 7 && strncmp(mode, "escaped", 7) == 0;
	if (t[0] == '\0' || strcmp(t, "text") == 0 || strcmp(t, "text/plain") == 0)
		return escaped && st->feed->format == FEED_FORMAT_ATOM03 ? K_HTML : K_TEXT;
	if (strcmp(t, "html") == 0 || strcmp(t, "text/html") == 0)
		return K_HTML;
	if (strcmp(t, "xhtml") == 0 || strcmp(t, "application/xhtml+xml") == 0)
		return escaped ? K_HTML : K_XHTML;
	if (escaped)
		return K_HTML;
	if (strncmp(t, "text/", 5) == 0)
		return K_TEXT;
	size_t n = strlen(t);
	if ((n > 4 && strcmp(t + n - 4, "+xml") == 0) || (n > 4 && strcmp(t + n - 4, "/xml") == 0))
		return K_XHTML;
	return K_SKIP;
}

/* Titles are plain text: type="text" is kept as is (not escaped), html and xhtml are
 * stripped of their markup. */
enum kind parse_text_title_kind(enum kind k)
{
	return k == K_TEXT ? K_PLAIN : k;
}

char *parse_text_base64_decode(const char *s, size_t len)
{
	struct buf b;
	uint32_t acc = 0;
	int bits = 0;
	buf_init(&b, 0);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		int v;
		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= 'a' && c <= 'z')
			v = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			v = c - '0' + 52;
		else if (c == '+' || c == '-')
			v = 62;
		else if (c == '/' || c == '_')
			v = 63;
		else
			continue;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			char ch = (char)((acc >> bits) & 0xFF);
			buf_append(&b, &ch, 1);
		}
	}
	size_t n;
	char *out = buf_steal(&b, &n);
	/* Decoded bytes must still be UTF-8, without the controls XML forbids. */
	if (parse_utf8_valid_prefix(out, n) != n) {
		free(out);
		return NULL;
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)out[i];
		if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r')
			out[k++] = (char)c;
	}
	out[k] = '\0';
	return out;
}

/* The captured text as the HTML (or NULL) a summary / content field holds. */
char *parse_text_html_value(struct xml_state *st)
{
	const char *s = st->text.data ? st->text.data : "";
	size_t len = st->text.len;
	switch (st->kind) {
	case K_SKIP:
		return NULL;
	case K_BASE64: {
		char *d = parse_text_base64_decode(s, len);
		if (d == NULL)
			return NULL;
		/* Decoded, it is HTML like escaped content: its relative URLs resolve too. */
		const char *base = cur_base(st);
		if (base != NULL && url_is_absolute(base) && strchr(d, '<') != NULL) {
			char *r = parse_text_html_resolve_urls(d, strlen(d), base);
			free(d);
			d = r;
		}
		char *t = trim_dup(d, strlen(d));
		free(d);
		return t;
	}
	case K_HTML: {
		const char *base = cur_base(st);
		if (base == NULL || !url_is_absolute(base) || memchr(s, '<', len) == NULL)
			break;
		char *r = parse_text_html_resolve_urls(s, len, base);
		char *t = trim_dup(r, strlen(r));
		free(r);
		return t;
	}
	case K_PLAIN:
	case K_TEXT:
	case K_XHTML:
		break;
	}
	return trim_dup(s, len);
}
