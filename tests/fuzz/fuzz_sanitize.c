/* libFuzzer target: sanitize_html_dup() on arbitrary bytes (up to the first NUL, as a C string
 * carries them), without a base and with one. Aborts, with input and output on stderr, when
 * the output
 * - holds an executable or loading construct, checked twice, independently of the sanitiser's
 *   tables: (1) a strict tokenizer over the output text, read as a browser's HTML tokenizer
 *   would read it, that accepts only start tags, end tags and text (no comments, doctypes,
 *   CDATA, processing instructions or '<' that opens nothing), and (2) libxml2's HTML parser
 *   over the output, its tree walked. Every element must be on the list of harmless ones below
 *   (so never script, style, iframe, object, embed, form, meta, base, link, svg, math,
 *   template, ...), every attribute on the list of harmless names (so never on*, style,
 *   action, formaction, background, longdesc, data, xlink:href, ...), and every URL attribute
 *   (href, src, srcset candidates, poster, cite), once character references are decoded
 *   (twice: a browser decodes the HTML 5 names libxml2 2.9 does not know), ASCII whitespace
 *   and controls stripped at both ends and tabs and line breaks removed, must be relative or
 *   http, https or (href) mailto;
 * - is not well-formed XML inside one root element;
 * - changes when sanitised again (the output must be a fixed point). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>

#include "sanitize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *cur_in, *cur_out;

static void fail(const char *what, const char *detail)
{
	fprintf(stderr, "%s: %s\nin:  %s\nout: %s\n", what, detail ? detail : "", cur_in, cur_out);
	abort();
}

/* Elements that neither run nor load anything but what their URL attributes name. */
static const char *const safe_elems[] = {
    "a",        "abbr",       "acronym",    "address", "article", "aside",   "audio", "b",
    "bdi",      "bdo",        "blockquote", "br",      "caption", "cite",    "code",  "col",
    "colgroup", "dd",         "del",        "details", "dfn",     "div",     "dl",    "dt",
    "em",       "figcaption", "figure",     "footer",  "h1",      "h2",      "h3",    "h4",
    "h5",       "h6",         "header",     "hgroup",  "hr",      "i",       "img",   "ins",
    "kbd",      "li",         "mark",       "ol",      "p",       "picture", "pre",   "q",
    "rp",       "rt",         "ruby",       "s",       "samp",    "section", "small", "source",
    "span",     "strike",     "strong",     "sub",     "summary", "sup",     "table", "tbody",
    "td",       "tfoot",      "th",         "thead",   "time",    "tr",      "tt",    "u",
    "ul",       "var",        "video",      "wbr",     NULL};

/* Attributes that carry no script, no style and no URL but those of url_attrs. */
static const char *const safe_attrs[] = {
    "abbr",  "alt",  "colspan", "controls", "datetime", "dir",   "headers",  "height",  "hreflang",
    "lang",  "loop", "media",   "muted",    "open",     "rel",   "reversed", "rowspan", "scope",
    "sizes", "span", "start",   "title",    "type",     "value", "width",    NULL};
static const char *const url_attrs[] = {"href", "src", "poster", "cite", NULL};

static int in_list(const char *name, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcasecmp(name, *list) == 0)
			return 1;
	return 0;
}

/* Appends code point cp to o as UTF-8; returns the new end. */
static char *put_utf8(char *o, unsigned long cp)
{
	if (cp == 0 || cp > 0x10FFFF)
		cp = 0xFFFD;
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xC0 | (cp >> 6));
		*o++ = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xE0 | (cp >> 12));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*o++ = (char)(0x80 | (cp & 0x3F));
	} else {
		*o++ = (char)(0xF0 | (cp >> 18));
		*o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*o++ = (char)(0x80 | (cp & 0x3F));
	}
	return o;
}

/* The n bytes at s with character references decoded in place of themselves as a browser
 * would (numeric ones, with or without ';', and the named ones that matter in a URL, among
 * them HTML 5's &colon; &Tab; &NewLine; that libxml2 2.9 leaves alone). A new string. */
static char *decode_refs(const char *s, size_t n)
{
	static const struct {
		const char *name;
		unsigned long cp;
	} named[] = {{"amp", '&'},    {"lt", '<'},     {"gt", '>'},     {"quot", '"'},
	             {"apos", '\''},  {"colon", ':'},  {"Tab", '\t'},   {"NewLine", '\n'},
	             {"sol", '/'},    {"bsol", '\\'},  {"period", '.'}, {"lpar", '('},
	             {"rpar", ')'},   {"nbsp", 0xA0},  {"excl", '!'},   {"num", '#'},
	             {"percnt", '%'}, {"quest", '?'},  {"equals", '='}, {"commat", '@'},
	             {"semi", ';'},   {"comma", ','},  {"plus", '+'},   {"lowbar", '_'},
	             {"hyphen", '-'}, {"dash", 0x2010}};
	char *out = malloc(4 * n + 1), *o = out;
	if (out == NULL)
		abort();
	size_t i = 0;
	while (i < n) {
		if (s[i] != '&') {
			*o++ = s[i++];
			continue;
		}
		size_t j = i + 1;
		if (j < n && s[j] == '#') {
			j++;
			int hex = j < n && (s[j] == 'x' || s[j] == 'X');
			if (hex)
				j++;
			size_t start = j;
			unsigned long cp = 0;
			while (j < n && (hex ? strchr("0123456789abcdefABCDEF", s[j]) != NULL
			                     : (s[j] >= '0' && s[j] <= '9'))) {
				if (s[j] == '\0')
					break;
				cp = cp * (hex ? 16 : 10) +
				     (unsigned long)(s[j] <= '9' ? s[j] - '0'
				                                 : (s[j] | 0x20) - 'a' + 10);
				if (cp > 0x10FFFF)
					cp = 0x110000;
				j++;
			}
			if (j > start) {
				if (j < n && s[j] == ';')
					j++;
				o = put_utf8(o, cp);
				i = j;
				continue;
			}
		} else {
			size_t k;
			for (k = 0; k < sizeof named / sizeof named[0]; k++) {
				size_t len = strlen(named[k].name);
				if (n - j >= len && memcmp(s + j, named[k].name, len) == 0 &&
				    (n - j == len || s[j + len] == ';' ||
				     strcmp(named[k].name, "amp") == 0 ||
				     strcmp(named[k].name, "lt") == 0 ||
				     strcmp(named[k].name, "gt") == 0 ||
				     strcmp(named[k].name, "quot") == 0)) {
					j += len + (j + len < n && s[j + len] == ';');
					o = put_utf8(o, named[k].cp);
					break;
				}
			}
			if (k < sizeof named / sizeof named[0]) {
				i = j;
				continue;
			}
		}
		*o++ = s[i++];
	}
	*o = '\0';
	return out;
}

/* Checks one URL (decoded once by the caller's parser): decoded again, stripped and cleaned
 * as the WHATWG URL parser does, its scheme must be http, https, mailto (mailto_ok) or none. */
static void check_url(const char *v, size_t n, int mailto_ok)
{
	char *d = decode_refs(v, n);
	size_t len = strlen(d);
	const char *p = d;
	while (len > 0 && (unsigned char)*p <= 0x20)
		p++, len--;
	while (len > 0 && (unsigned char)p[len - 1] <= 0x20)
		len--;
	char *u = malloc(len + 1), *o = u;
	if (u == NULL)
		abort();
	for (size_t i = 0; i < len; i++)
		if (p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
			*o++ = p[i];
	*o = '\0';
	/* A scheme: an ASCII letter, then letters, digits, + - . up to ':' */
	size_t k = 0;
	if ((u[0] | 0x20) >= 'a' && (u[0] | 0x20) <= 'z') {
		k = 1;
		while (((u[k] | 0x20) >= 'a' && (u[k] | 0x20) <= 'z') ||
		       (u[k] >= '0' && u[k] <= '9') || u[k] == '+' || u[k] == '-' || u[k] == '.')
			k++;
		if (u[k] != ':')
			k = 0;
	}
	if (k > 0 && !(k == 4 && strncasecmp(u, "http", 4) == 0) &&
	    !(k == 5 && strncasecmp(u, "https", 5) == 0) &&
	    !(mailto_ok && k == 6 && strncasecmp(u, "mailto", 6) == 0))
		fail("a URL attribute with a scheme not allowed", u);
	free(u);
	free(d);
}

/* srcset: candidates as HTML 5 splits them (2.6.4.3.1 of the image source set). */
static void check_srcset(const char *v)
{
	char *d = decode_refs(v, strlen(v));
	const char *p = d;
	for (;;) {
		p += strspn(p, " \t\n\r\f,");
		if (*p == '\0')
			break;
		size_t n = strcspn(p, " \t\n\r\f");
		size_t u = n;
		while (u > 0 && p[u - 1] == ',')
			u--;
		check_url(p, u, 0);
		p += n;
		if (u == n) { /* descriptors up to the next comma */
			p += strcspn(p, ",");
		}
	}
	free(d);
}

/* One attribute of element elem, value already decoded once. */
static void check_attr(const char *elem, const char *name, const char *v)
{
	(void)elem;
	if (strncasecmp(name, "on", 2) == 0 || strcasecmp(name, "style") == 0)
		fail("an event handler or style attribute", name);
	if (strcasecmp(name, "srcset") == 0)
		check_srcset(v);
	else if (in_list(name, url_attrs))
		check_url(v, strlen(v), strcasecmp(name, "href") == 0);
	else if (!in_list(name, safe_attrs))
		fail("an attribute not on the harmless list", name);
}

static void check_elem(const char *name)
{
	if (!in_list(name, safe_elems))
		fail("an element not on the harmless list", name);
}

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static int is_alpha(char c)
{
	return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

/* (1) The output text as an HTML 5 tokenizer reads it, in the data state throughout (no
 * element written may switch it: checked by check_elem). */
static void tokenize(const char *s)
{
	const char *p = s;
	while ((p = strchr(p, '<')) != NULL) {
		p++;
		int end = *p == '/';
		if (end)
			p++;
		if (!is_alpha(*p))
			fail("'<' that opens no tag (a comment, doctype, CDATA or PI, or a stray "
			     "'<')",
			     p - 1 - end);
		char name[64];
		size_t n = 0;
		while (*p != '\0' && !is_ws(*p) && *p != '/' && *p != '>') {
			if (n + 1 >= sizeof name)
				fail("a tag name too long", p);
			name[n++] = *p++;
		}
		name[n] = '\0';
		check_elem(name);
		if (end) {
			if (*p != '>')
				fail("an end tag with more than its name", p);
			continue;
		}
		/* Attributes: name="value" only, as the sanitiser writes them. */
		for (;;) {
			while (is_ws(*p))
				p++;
			if (*p == '>' || (p[0] == '/' && p[1] == '>'))
				break;
			if (*p == '\0')
				fail("a tag that never ends", name);
			const char *an = p;
			while (*p != '\0' && !is_ws(*p) && *p != '/' && *p != '>' && *p != '=')
				p++;
			if (p == an || *p != '=' || p[1] != '"')
				fail("an attribute not written name=\"value\"", an);
			char *aname = strndup(an, (size_t)(p - an));
			p += 2;
			const char *close = strchr(p, '"');
			if (close == NULL)
				fail("an attribute value that never ends", aname);
			char *v = decode_refs(p, (size_t)(close - p));
			check_attr(name, aname, v);
			free(v);
			free(aname);
			p = close + 1;
			if (!is_ws(*p) && *p != '>' && *p != '/')
				fail("attributes not separated by a space", p);
		}
	}
}

/* (2) libxml2's HTML parser over the output; its tree walked. */
static void walk(xmlNode *n)
{
	for (; n != NULL; n = n->next) {
		if (n->type == XML_ELEMENT_NODE) {
			check_elem((const char *)n->name);
			for (xmlAttr *a = n->properties; a != NULL; a = a->next) {
				xmlChar *v = xmlNodeListGetString(n->doc, a->children, 1);
				check_attr((const char *)n->name, (const char *)a->name,
				           v != NULL ? (const char *)v : "");
				xmlFree(v);
			}
		} else if (n->type != XML_TEXT_NODE && n->type != XML_DTD_NODE) {
			fail("a node that is neither element nor text", (const char *)n->name);
		}
		walk(n->children);
	}
}

static void check(const char *in, const char *base)
{
	char *out = sanitize_html_dup(in, base);
	if (out == NULL)
		abort();
	cur_in = in;
	cur_out = out;
	tokenize(out);

	size_t n = strlen(out);
	char *doc_text = malloc(n + 12);
	if (doc_text == NULL)
		abort();
	memcpy(doc_text, "<div>", 5);
	memcpy(doc_text + 5, out, n);
	memcpy(doc_text + 5 + n, "</div>", 7);
	htmlDocPtr hdoc =
	    htmlReadMemory(doc_text, (int)(n + 11), NULL, "UTF-8",
	                   HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
	                       HTML_PARSE_NOWARNING | HTML_PARSE_NOIMPLIED | HTML_PARSE_NODEFDTD);
	if (hdoc != NULL)
		walk(hdoc->children);
	xmlFreeDoc(hdoc);

	memcpy(doc_text, "<r>", 3);
	memcpy(doc_text + 3, out, n);
	memcpy(doc_text + 3 + n, "</r>", 5);
	xmlDocPtr doc = xmlReadMemory(doc_text, (int)(n + 7), NULL, "UTF-8",
	                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	char *again = sanitize_html_dup(out, base);
	if (doc == NULL || again == NULL || strcmp(again, out) != 0) {
		fprintf(stderr, "in:    %s\nout:   %s\nagain: %s\n%s\n", in, out,
		        again ? again : "(null)",
		        doc == NULL ? "not well-formed" : "not a fixed point");
		abort();
	}
	xmlFreeDoc(doc);
	free(again);
	free(doc_text);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check(s, NULL);
	check(s, "https://example.org/dir/feed.xml");
	free(s);
	return 0;
}
