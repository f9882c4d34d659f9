/* parse_feed(): the entry point. Sniffs JSON against XML, refuses HTML pages and empty input,
 * settles the character encoding (RFC 7303 precedence: BOM, then the HTTP charset, then the XML
 * declaration, then UTF-8; a forced charset overrides all) and converts to UTF-8 with iconv
 * a window at a time as the XML parser reads, so libxml2 only ever sees UTF-8 and the body is
 * never held twice. Also the
 * text helpers shared by the format parsers (parse_plain_text, parse_date). */
#include "autoconf.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <libxml/HTMLparser.h>

#include "date.h"
#include "parse.h"
#include "parse_int.h"
#include "util.h"

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Index (0-7) of the first byte, in memory order, whose high bit is set in high (nonzero,
 * only high bits set). */
static unsigned first_high_byte(uint64_t high)
{
#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (unsigned)__builtin_ctzll(high) >> 3;
#else
	unsigned char b[8];
	memcpy(b, &high, 8);
	unsigned k = 0;
	while (b[k] == 0)
		k++;
	return k;
#endif
}

/* Length of the valid UTF-8 prefix of s (len when all of s is valid). Overlong forms,
 * surrogates and code points above U+10FFFF are invalid (the ranges of RFC 3629, section 4). */
size_t parse_utf8_valid_prefix(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		unsigned char c = p[i];
		if (c < 0x80) {
			/* ASCII: eight bytes at a time, then straight to the first high byte of
			 * the word that has one (text mixing ASCII and multi-byte characters
			 * would otherwise come back here once per byte). */
			i++;
#ifdef __SSE2__
			/* Sixteen at a time first (every x86-64 has SSE2): markup, URLs and
			 * Latin text are long ASCII runs. */
			while (i + 16 <= len) {
				__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
				int high = _mm_movemask_epi8(v);
				if (high != 0) {
					i += (unsigned)__builtin_ctz((unsigned)high);
					break;
				}
				i += 16;
			}
			if (i < len && p[i] >= 0x80)
				continue;
#endif
			while (i + 8 <= len) {
				uint64_t w;
				memcpy(&w, p + i, 8);
				uint64_t high = w & 0x8080808080808080ULL;
				if (high != 0) {
					i += first_high_byte(high);
					break;
				}
				i += 8;
			}
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			if (i + 1 >= len || (p[i + 1] & 0xC0) != 0x80)
				return i;
			i += 2;
		} else if (c >= 0xE0 && c <= 0xEF) {
			if (i + 2 >= len)
				return i;
			unsigned char c1 = p[i + 1];
			unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
			if (c1 < lo || c1 > hi || (p[i + 2] & 0xC0) != 0x80)
				return i;
			i += 3;
		} else if (c >= 0xF0 && c <= 0xF4) {
			if (i + 3 >= len)
				return i;
			unsigned char c1 = p[i + 1];
			unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
			if (c1 < lo || c1 > hi || (p[i + 2] & 0xC0) != 0x80 ||
			    (p[i + 3] & 0xC0) != 0x80)
				return i;
			i += 4;
		} else {
			return i;
		}
	}
	return len;
}

/* Appends code point cp as UTF-8 (characters XML forbids become U+FFFD, NUL is dropped). */
size_t parse_utf8_encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

void parse_put_utf8(struct buf *b, uint32_t cp)
{
	if (cp == 0)
		return;
	if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF || cp > 0x10FFFF)
		cp = 0xFFFD;
	char u[4];
	buf_append(b, u, parse_utf8_encode(cp, u));
}

/* Windows-1252's characters for 0x80..0x9F (U+FFFD for the five it leaves undefined). */
static const uint16_t cp1252_c1[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

uint32_t parse_cp1252_c1(uint32_t c)
{
	return c >= 0x80 && c <= 0x9F ? cp1252_c1[c - 0x80] : c;
}

uint32_t parse_numeric_ref_char(uint32_t v)
{
	if ((v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF)
		return 0xFFFD;
	return parse_cp1252_c1(v);
}

/* Decodes one character or entity reference at s[0] == '&' (s has len bytes). On success
 * stores the code point and returns the bytes consumed; 0 when it is not a reference we know.
 * Knows numeric references, the XML predefined entities and the 253 HTML 4 entities. */
size_t parse_decode_ref(const char *s, size_t len, uint32_t *cp)
{
	size_t i = 1;
	if (len < 3)
		return 0;
	if (s[1] == '#') {
		uint32_t v = 0;
		int hex = 0, digits = 0;
		i = 2;
		if (i < len && (s[i] == 'x' || s[i] == 'X')) {
			hex = 1;
			i++;
		}
		for (; i < len && digits < 9; i++, digits++) {
			unsigned char c = (unsigned char)s[i];
			if (c >= '0' && c <= '9')
				v = v * (hex ? 16u : 10u) + (uint32_t)(c - '0');
			else if (hex && c >= 'a' && c <= 'f')
				v = v * 16u + (uint32_t)(c - 'a' + 10);
			else if (hex && c >= 'A' && c <= 'F')
				v = v * 16u + (uint32_t)(c - 'A' + 10);
			else
				break;
		}
		if (digits == 0 || i >= len || s[i] != ';')
			return 0;
		/* Windows-1252 code points written as numeric references (&#150;): what
		 * the author meant is the windows-1252 character. */
		*cp = parse_numeric_ref_char(v);
		return i + 1;
	}
	char name[33];
	size_t n = 0;
	for (; i < len && n < sizeof name - 1; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!isalnum(c))
			break;
		name[n++] = (char)c;
	}
	if (n == 0 || i >= len || s[i] != ';')
		return 0;
	name[n] = '\0';
	if (strcmp(name, "apos") == 0) {
		*cp = '\'';
		return i + 1;
	}
	const htmlEntityDesc *d = htmlEntityLookup((const xmlChar *)name);
	if (d == NULL)
		return 0;
	*cp = d->value;
	return i + 1;
}

static int is_block_tag(const char *s, size_t len)
{
	static const char *const tags[] = {"br",  "p",  "div", "li",         "tr",     "td",
	                                   "th",  "h1", "h2",  "h3",         "h4",     "h5",
	                                   "h6",  "ul", "ol",  "blockquote", "hr",     "table",
	                                   "pre", "dd", "dt",  "section",    "article"};
	size_t n = 0;
	if (len > 0 && s[0] == '/') {
		s++;
		len--;
	}
	while (n < len && isalnum((unsigned char)s[n]))
		n++;
	for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
		if (strlen(tags[i]) == n && strncasecmp(tags[i], s, n) == 0)
			return 1;
	return 0;
}

/* Where the tag whose name starts at s[j] ends: the index of its '>', len when there is none.
 * As HTML 5's tokenizer reads attributes (13.2.5.32-39): a quote opens a value only right
 * after '=' (white space allowed), so an unquoted value holding one (title=x"y) does not hide
 * the '>' and the rest of the title. */
static size_t tag_end(const char *s, size_t len, size_t j)
{
	while (j < len && s[j] != '>') {
		if (s[j] != '=') {
			j++;
			continue;
		}
		j++;
		while (j < len && is_space((unsigned char)s[j]))
			j++;
		if (j < len && (s[j] == '"' || s[j] == '\'')) {
			const char *q = memchr(s + j + 1, s[j], len - j - 1);
			if (q == NULL)
				return len;
			j = (size_t)(q - s) + 1;
		} else {
			while (j < len && s[j] != '>' && !is_space((unsigned char)s[j]))
				j++;
		}
	}
	return j;
}

/* Returns a new plain-text string from s: when is_html, markup stripped and entities decoded
 * once; whitespace collapsed and trimmed in both cases. NULL when the result is empty. */
char *parse_plain_text(const char *s, size_t len, int is_html)
{
	struct buf b;
	int pending_space = 0;
	buf_init(&b, 0);
	if (s == NULL)
		return NULL;
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		if (is_space(c)) {
			pending_space = 1;
			i++;
			continue;
		}
		/* U+00A0 (no-break space) counts as white space in a title. */
		if (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] == 0xA0) {
			pending_space = 1;
			i += 2;
			continue;
		}
		if (is_html && c == '<' && i + 1 < len &&
		    (isalpha((unsigned char)s[i + 1]) || s[i + 1] == '/' || s[i + 1] == '!' ||
		     s[i + 1] == '?')) {
			size_t j = i + 1;
			if (len - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
				const char *end = NULL;
				for (j = i + 4; j + 2 < len; j++) {
					if (memcmp(s + j, "-->", 3) == 0) {
						end = s + j;
						break;
					}
				}
				i = end != NULL ? (size_t)(end - s) + 3 : len;
				continue;
			}
			j = tag_end(s, len, j);
			if (j < len) {
				if (is_block_tag(s + i + 1, j - i - 1))
					pending_space = 1;
				i = j + 1;
				continue;
			}
			/* No '>': "a <b" is text, not a tag. */
		}
		if (pending_space && b.len > 0)
			buf_append(&b, " ", 1);
		pending_space = 0;
		if (is_html && c == '&') {
			uint32_t cp;
			size_t n = parse_decode_ref(s + i, len - i, &cp);
			if (n > 0) {
				if (cp == 0xA0 || (cp < 0x80 && is_space((unsigned char)cp))) {
					pending_space = 1;
				} else {
					parse_put_utf8(&b, cp);
				}
				i += n;
				continue;
			}
		}
		/* A run of bytes that need no decision. */
		size_t j = i + 1;
		while (j < len && !is_space((unsigned char)s[j]) && s[j] != '<' && s[j] != '&' &&
		       (unsigned char)s[j] != 0xC2)
			j++;
		buf_append(&b, s + i, j - i);
		i = j;
	}
	if (b.len == 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b, NULL);
}

/* Parses a date with the document's overrides (zone, date_format); FEED_TIME_NONE if unreadable. */
int64_t parse_date(const char *s, const struct parse_opts *opts)
{
	struct date_opts dopts = {0};
	int64_t t;
	if (s == NULL)
		return FEED_TIME_NONE;
	while (is_space((unsigned char)*s))
		s++;
	if (*s == '\0')
		return FEED_TIME_NONE;
	if (opts != NULL) {
		dopts.zone = opts->zone;
		dopts.format = opts->date_format;
	}
	if (date_parse(s, &dopts, &t) != 0)
		return FEED_TIME_NONE;
	return t;
}

/* ---- encodings -------------------------------------------------------------------------- */

/* Converted bytes looked at to find where an XML document starts (junk, a declaration). */
#define PARSE_HEAD_BYTES 65536

enum bom { BOM_NONE, BOM_UTF8, BOM_UTF16LE, BOM_UTF16BE, BOM_UTF32LE, BOM_UTF32BE };

static enum bom detect_bom(const unsigned char *p, size_t len, size_t *skip)
{
	*skip = 0;
	if (len >= 4 && p[0] == 0 && p[1] == 0 && p[2] == 0xFE && p[3] == 0xFF) {
		*skip = 4;
		return BOM_UTF32BE;
	}
	if (len >= 4 && p[0] == 0xFF && p[1] == 0xFE && p[2] == 0 && p[3] == 0) {
		*skip = 4;
		return BOM_UTF32LE;
	}
	if (len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
		*skip = 3;
		return BOM_UTF8;
	}
	if (len >= 2 && p[0] == 0xFE && p[1] == 0xFF) {
		*skip = 2;
		return BOM_UTF16BE;
	}
	if (len >= 2 && p[0] == 0xFF && p[1] == 0xFE) {
		*skip = 2;
		return BOM_UTF16LE;
	}
	/* UCS-4 without a BOM (XML 1.0 Appendix F): "<" or white space in four bytes, three of
	 * them zero. */
	if (len >= 4 && p[0] == 0 && p[1] == 0 && p[2] == 0 && p[3] != 0)
		return BOM_UTF32BE;
	if (len >= 4 && p[0] != 0 && p[1] == 0 && p[2] == 0 && p[3] == 0)
		return BOM_UTF32LE;
	/* UTF-16 without a BOM: "<?" or white space with a zero byte beside it. */
	if (len >= 4 && p[0] == 0 && p[1] != 0 && p[2] == 0 && p[3] != 0)
		return BOM_UTF16BE;
	if (len >= 4 && p[0] != 0 && p[1] == 0 && p[2] != 0 && p[3] == 0)
		return BOM_UTF16LE;
	return BOM_NONE;
}

/* Copies the charset parameter of a Content-Type value into out; 0 when found. */
static int content_type_charset(const char *ct, char *out, size_t outlen)
{
	if (ct == NULL)
		return -1;
	const char *p = ct;
	while ((p = strchr(p, ';')) != NULL) {
		p++;
		while (is_space((unsigned char)*p))
			p++;
		if (strncasecmp(p, "charset", 7) != 0)
			continue;
		p += 7;
		while (is_space((unsigned char)*p))
			p++;
		if (*p != '=')
			continue;
		p++;
		while (is_space((unsigned char)*p))
			p++;
		char quote = 0;
		if (*p == '"' || *p == '\'')
			quote = *p++;
		size_t n = 0;
		while (p[n] != '\0' && p[n] != ';' && p[n] != quote &&
		       !is_space((unsigned char)p[n]))
			n++;
		if (n == 0 || n >= outlen)
			return -1;
		memcpy(out, p, n);
		out[n] = '\0';
		return 0;
	}
	return -1;
}

/* Copies the encoding pseudo-attribute of an ASCII-compatible XML declaration into out. */
static int xml_decl_encoding(const char *s, size_t len, char *out, size_t outlen)
{
	if (len < 6 || memcmp(s, "<?xml", 5) != 0)
		return -1;
	size_t end = 5;
	while (end + 1 < len && end < 1024 && !(s[end] == '?' && s[end + 1] == '>'))
		end++;
	for (size_t i = 5; i + 8 < end; i++) {
		if (memcmp(s + i, "encoding", 8) != 0)
			continue;
		size_t j = i + 8;
		while (j < end && is_space((unsigned char)s[j]))
			j++;
		if (j >= end || s[j] != '=')
			return -1;
		j++;
		while (j < end && is_space((unsigned char)s[j]))
			j++;
		if (j >= end || (s[j] != '"' && s[j] != '\''))
			return -1;
		char q = s[j++];
		size_t n = 0;
		while (j + n < end && s[j + n] != q)
			n++;
		if (n == 0 || n >= outlen)
			return -1;
		memcpy(out, s + j, n);
		out[n] = '\0';
		return 0;
	}
	return -1;
}

static int is_utf8_name(const char *e)
{
	return strcasecmp(e, "utf-8") == 0 || strcasecmp(e, "utf8") == 0;
}

static int is_latin1_name(const char *e)
{
	return strcasecmp(e, "iso-8859-1") == 0 || strcasecmp(e, "iso8859-1") == 0 ||
	       strcasecmp(e, "latin1") == 0 || strcasecmp(e, "latin-1") == 0 ||
	       strcasecmp(e, "iso_8859-1") == 0 || strcasecmp(e, "l1") == 0;
}

static int is_ascii_name(const char *e)
{
	return strcasecmp(e, "us-ascii") == 0 || strcasecmp(e, "ascii") == 0;
}

static int has_c1_bytes(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x80 && c <= 0x9F)
			return 1;
	}
	return 0;
}

static int has_high_bytes(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 1;
	return 0;
}

/* True when s (valid UTF-8 up to valid) has more valid multi-byte sequences than invalid bytes. */
static int utf8_mostly_valid(const char *s, size_t len, size_t valid)
{
	size_t good = 0, bad = 0, i = 0;
	while (i < len) {
		for (size_t k = i; k < i + valid; k++)
			if (((unsigned char)s[k] & 0xC0) == 0xC0)
				good++;
		i += valid;
		if (i >= len)
			break;
		bad++;
		i++;
		valid = parse_utf8_valid_prefix(s + i, len - i);
	}
	return good > bad;
}

/* Returns a new UTF-8 string from s whose first valid bytes are valid UTF-8: valid sequences
 * are kept, other bytes are read as windows-1252. */
static char *utf8_repair(const char *s, size_t len, size_t valid, size_t *outlen)
{
	struct buf b;
	buf_init(&b, 0);
	size_t i = 0;
	while (i < len) {
		buf_append(&b, s + i, valid);
		i += valid;
		if (i >= len)
			break;
		unsigned char c = (unsigned char)s[i++];
		parse_put_utf8(&b, parse_cp1252_c1(c));
		valid = parse_utf8_valid_prefix(s + i, len - i);
	}
	return buf_steal(&b, outlen);
}

/* True when the valid UTF-8 s holds a C1 control (U+0080-U+009F: 0xC2 0x80-0x9F). */
static int has_utf8_c1(const char *s, size_t len)
{
	const char *p = s, *end = s + len;
	while ((p = memchr(p, 0xC2, (size_t)(end - p))) != NULL && p + 1 < end) {
		if ((unsigned char)p[1] <= 0x9F)
			return 1;
		p += 2;
	}
	return 0;
}

/* Returns a new copy of the valid UTF-8 s with each C1 control read as the windows-1252
 * character of its byte: in a document that says UTF-8 they are windows-1252 bytes converted
 * as if Latin-1 (U+0093 for a curly quote), as numeric references to them already are read
 * (W3C, "Character encodings": windows-1252 is what ISO-8859-1 labels mean in practice). */
static char *utf8_c1_repair(const char *s, size_t len, size_t *outlen)
{
	struct buf b;
	buf_init(&b, 0);
	size_t done = 0;
	for (size_t i = 0; i + 1 < len; i++) {
		if ((unsigned char)s[i] != 0xC2 || (unsigned char)s[i + 1] > 0x9F)
			continue;
		buf_append(&b, s + done, i - done);
		parse_put_utf8(&b, parse_cp1252_c1((unsigned char)s[i + 1]));
		i++;
		done = i + 1;
	}
	buf_append(&b, s + done, len - done);
	return buf_steal(&b, outlen);
}

/* A conversion to UTF-8 read by the XML parser a window at a time, so the document is never
 * held twice. All of the input is at hand, so a multibyte sequence is never cut: iconv stops
 * before a character whose output does not fit. */
struct conv_reader {
	iconv_t cd; /* (iconv_t)-1 when unused */
	char *in;   /* borrowed: the input not converted yet */
	size_t inleft;
	const char *head; /* borrowed: converted bytes not handed out yet */
	size_t headlen;
	int done;
};

/* The iconv name of a charset label that glibc's iconv does not know although IANA or the
 * WHATWG Encoding Standard registers it (or Python, which feeds written by Python tools
 * name); NULL when there is none. */
static const char *charset_alias(const char *enc)
{
	static const struct {
		const char *label;
		const char *iconv;
	} alias[] = {
	    {"cp-is", "IBM861"},
	    {"cp_is", "IBM861"},
	    {"csibm861", "IBM861"},
	    {"ibm039", "IBM037"},
	    {"mac-roman", "MACINTOSH"},
	    {"macroman", "MACINTOSH"},
	    {"x-mac-roman", "MACINTOSH"},
	    {"mac-latin2", "MAC-CENTRALEUROPE"},
	    {"maclatin2", "MAC-CENTRALEUROPE"},
	    {"maccentraleurope", "MAC-CENTRALEUROPE"},
	    {"x-mac-ce", "MAC-CENTRALEUROPE"},
	    {"mac-iceland", "MAC-IS"},
	    {"maciceland", "MAC-IS"},
	    {"x-mac-cyrillic", "MACCYRILLIC"},
	    {"x-mac-ukrainian", "MACCYRILLIC"},
	    {"th", "TIS-620"},
	};
	for (size_t i = 0; i < sizeof alias / sizeof alias[0]; i++)
		if (strcasecmp(enc, alias[i].label) == 0)
			return alias[i].iconv;
	return NULL;
}

/* Starts converting s[0..len) from charset enc. Returns 0, -1 when iconv does not know enc. */
static int conv_open(struct conv_reader *c, const char *s, size_t len, const char *enc)
{
	c->cd = iconv_open("UTF-8", enc);
	if (c->cd == (iconv_t)-1 && charset_alias(enc) != NULL)
		c->cd = iconv_open("UTF-8", charset_alias(enc));
	if (c->cd == (iconv_t)-1)
		return -1;
	c->in = (char *)(uintptr_t)s;
	c->inleft = len;
	return 0;
}

/* The next converted bytes (up to cap, at least 16) in buf; 0 at the end. Bytes that do not
 * decode become U+FFFD. */
static size_t conv_read(void *ctx, char *buf, size_t cap)
{
	struct conv_reader *c = ctx;
	if (c->headlen > 0) {
		size_t n = c->headlen < cap ? c->headlen : cap;
		memcpy(buf, c->head, n);
		c->head += n;
		c->headlen -= n;
		return n;
	}
	if (c->done)
		return 0;
	char *out = buf;
	size_t outleft = cap;
	while (c->inleft > 0 && outleft >= 8) {
		size_t rc = iconv(c->cd, &c->in, &c->inleft, &out, &outleft);
		if (rc != (size_t)-1)
			continue;
		/* iconv may have filled the window up to the bad byte: its U+FFFD waits for
		 * the next call then (found by fuzz_parse: a 3-byte write past the window). */
		if (errno == E2BIG || outleft < 3)
			break;
		/* EILSEQ or a truncated sequence at the end: replace one byte. */
		memcpy(out, "\xEF\xBF\xBD", 3);
		out += 3;
		outleft -= 3;
		c->in++;
		c->inleft--;
		iconv(c->cd, NULL, NULL, NULL, NULL);
	}
	if (c->inleft == 0 && outleft >= 16) {
		iconv(c->cd, NULL, NULL, &out, &outleft);
		c->done = 1;
	}
	return cap - outleft;
}

/* XML 1.0 Appendix F: a document starting with "<?xm" in EBCDIC (4C 6F A7 94) is in some
 * EBCDIC code page, which its declaration (readable in any of them) names. Returns 0 with
 * the charset in out (IBM037 when the declaration names none), -1 when not EBCDIC. */
static int ebcdic_decl_encoding(const char *s, size_t len, char *out, size_t outlen)
{
	if (len < 4 || memcmp(s, "\x4C\x6F\xA7\x94", 4) != 0)
		return -1;
	char decl[256];
	char *in = (char *)(uintptr_t)s, *o = decl;
	size_t inleft = len < sizeof decl - 1 ? len : sizeof decl - 1, oleft = sizeof decl - 1;
	iconv_t cd = iconv_open("UTF-8", "IBM037");
	if (cd == (iconv_t)-1)
		return -1;
	/* The declaration uses only characters every EBCDIC page shares: IBM037 reads it. */
	iconv(cd, &in, &inleft, &o, &oleft);
	iconv_close(cd);
	if (xml_decl_encoding(decl, (size_t)(o - decl), out, outlen) != 0) {
		snprintf(out, outlen, "IBM037");
		return 0;
	}
	const char *name = charset_alias(out) != NULL ? charset_alias(out) : out;
	cd = iconv_open("UTF-8", name);
	if (cd == (iconv_t)-1)
		snprintf(out, outlen, "IBM037");
	else
		iconv_close(cd);
	return 0;
}

static const char *bom_charset(enum bom bom)
{
	switch (bom) {
	case BOM_UTF16LE:
		return "UTF-16LE";
	case BOM_UTF16BE:
		return "UTF-16BE";
	case BOM_UTF32LE:
		return "UTF-32LE";
	case BOM_UTF32BE:
		return "UTF-32BE";
	case BOM_UTF8:
	case BOM_NONE:
		break;
	}
	return "UTF-8";
}

/* Chooses the document's charset and returns its UTF-8 form: either a pointer into data (no
 * copy) or a new buffer stored in *owned; or NULL when it must be converted, with cr set up. */
static const char *to_utf8(const char *data, size_t len, const struct parse_opts *opts,
                           size_t *outlen, char **owned, struct conv_reader *cr)
{
	char enc[64] = "";
	size_t skip;
	int from_decl = 0;
	enum bom bom = detect_bom((const unsigned char *)data, len, &skip);
	*owned = NULL;

	if (opts != NULL && opts->charset != NULL && opts->charset[0] != '\0') {
		snprintf(enc, sizeof enc, "%s", opts->charset);
		if (bom == BOM_UTF8 && is_utf8_name(enc)) {
			data += skip;
			len -= skip;
		} else if (bom != BOM_NONE && bom != BOM_UTF8) {
			data += skip;
			len -= skip;
		}
	} else if (bom != BOM_NONE) {
		snprintf(enc, sizeof enc, "%s", bom_charset(bom));
		data += skip;
		len -= skip;
	} else if (opts == NULL || content_type_charset(opts->content_type, enc, sizeof enc) != 0) {
		/* Skip leading white space to find the declaration. */
		size_t i = 0;
		while (i < len && is_space((unsigned char)data[i]))
			i++;
		if (xml_decl_encoding(data + i, len - i, enc, sizeof enc) == 0)
			from_decl = 1;
		else if (ebcdic_decl_encoding(data, len, enc, sizeof enc) == 0)
			from_decl = 1;
		else
			snprintf(enc, sizeof enc, "UTF-8");
	}

	/* A UTF-16/32 label on bytes without a BOM and without the zero bytes UTF-16 markup
	 * has ("<?xml" read as ASCII) is a lie: the bytes are ASCII-compatible. */
	if (bom == BOM_NONE &&
	    (strncasecmp(enc, "utf-16", 6) == 0 || strncasecmp(enc, "utf16", 5) == 0 ||
	     strncasecmp(enc, "utf-32", 6) == 0 || strncasecmp(enc, "ucs-2", 5) == 0 ||
	     strncasecmp(enc, "ucs2", 4) == 0))
		snprintf(enc, sizeof enc, "UTF-8");
	if (is_utf8_name(enc) || is_ascii_name(enc) ||
	    (from_decl && (is_latin1_name(enc) || strcasecmp(enc, "windows-1252") == 0))) {
		size_t valid = parse_utf8_valid_prefix(data, len);
		if (valid == len && (is_utf8_name(enc) || is_ascii_name(enc) ||
		                     /* Declared Latin-1 but the bytes are UTF-8 text with
		                      * multi-byte characters: the declaration lies. */
		                     has_high_bytes(data, len))) {
			*outlen = len;
			if (has_utf8_c1(data, len)) {
				*owned = utf8_c1_repair(data, len, outlen);
				return *owned;
			}
			return data;
		}
		if (is_utf8_name(enc) || is_ascii_name(enc)) {
			/* Not UTF-8 after all. Mostly valid multi-byte sequences: UTF-8 with
			 * stray Latin-1 bytes, read those as windows-1252 one by one. Else a
			 * Latin-1 / windows-1252 document (where "é\xA0»" can look like
			 * UTF-8 by chance): read all of it as windows-1252. */
			if (utf8_mostly_valid(data, len, valid)) {
				char *fixed = utf8_repair(data, len, valid, outlen);
				if (has_utf8_c1(fixed, *outlen)) {
					char *c1 = utf8_c1_repair(fixed, *outlen, outlen);
					free(fixed);
					fixed = c1;
				}
				*owned = fixed;
				return fixed;
			}
			snprintf(enc, sizeof enc, "WINDOWS-1252");
		}
	}
	if (is_latin1_name(enc) && has_c1_bytes(data, len))
		snprintf(enc, sizeof enc, "WINDOWS-1252");
	if (conv_open(cr, data, len, enc) == 0)
		return NULL;
	/* A charset iconv does not know: UTF-8 if the bytes allow it, else cp1252. */
	if (parse_utf8_valid_prefix(data, len) != len &&
	    conv_open(cr, data, len, "WINDOWS-1252") == 0)
		return NULL;
	*outlen = len;
	return data;
}

static int starts_with_ci(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	return len >= n && strncasecmp(s, prefix, n) == 0;
}

/* The first occurrence of needle (n bytes) in s (len bytes), or NULL (memmem is a GNU
 * extension). */
static const char *find_bytes(const char *s, size_t len, const char *needle, size_t n)
{
	while (len >= n) {
		const char *p = memchr(s, needle[0], len - n + 1);
		if (p == NULL)
			return NULL;
		if (memcmp(p, needle, n) == 0)
			return p;
		len -= (size_t)(p - s) + 1;
		s = p + 1;
	}
	return NULL;
}

/* True when the document starts like an HTML page (after an XML declaration, comments and a
 * doctype other than html are skipped, a root element other than <html> makes it XML). */
static int looks_like_html(const char *s, size_t len)
{
	size_t i = 0;
	int html_doctype = 0;
	for (int guard = 0; guard < 64; guard++) {
		while (i < len && is_space((unsigned char)s[i]))
			i++;
		if (starts_with_ci(s + i, len - i, "<!doctype html")) {
			/* Feeds copied from XHTML templates keep the XHTML doctype: the root
			 * element decides, the doctype only when no feed root follows it. */
			const char *gt = memchr(s + i, '>', len - i);
			if (gt == NULL)
				return 1;
			html_doctype = 1;
			i = (size_t)(gt - s) + 1;
			continue;
		}
		if (html_doctype && i + 1 < len && s[i] == '<' && s[i + 1] != '!' &&
		    s[i + 1] != '?')
			return !(starts_with_ci(s + i, len - i, "<rss") ||
			         starts_with_ci(s + i, len - i, "<feed") ||
			         starts_with_ci(s + i, len - i, "<rdf:RDF") ||
			         starts_with_ci(s + i, len - i, "<channel"));
		if (starts_with_ci(s + i, len - i, "<html") ||
		    starts_with_ci(s + i, len - i, "<head") ||
		    starts_with_ci(s + i, len - i, "<body"))
			return 1;
		if (starts_with_ci(s + i, len - i, "<!--")) {
			const char *end = NULL;
			for (size_t j = i + 4; j + 2 < len; j++)
				if (memcmp(s + j, "-->", 3) == 0) {
					end = s + j + 3;
					break;
				}
			if (end == NULL)
				return 0;
			i = (size_t)(end - s);
			continue;
		}
		if (starts_with_ci(s + i, len - i, "<?")) {
			const char *end = NULL;
			for (size_t j = i + 2; j + 1 < len; j++)
				if (s[j] == '?' && s[j + 1] == '>') {
					end = s + j + 2;
					break;
				}
			if (end == NULL)
				return html_doctype;
			i = (size_t)(end - s);
			continue;
		}
		return html_doctype;
	}
	return html_doctype;
}

/* True when s[0..len) reads as one e-mail address: a local part, '@', a domain with a dot or
 * a name, no white space, no brackets or parentheses. */
static int is_email(const char *s, size_t len)
{
	const char *at = memchr(s, '@', len);
	if (at == NULL || at == s || at == s + len - 1)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (is_space(c) || c == '(' || c == ')' || c == '<' || c == '>' || c == ',' ||
		    (c == '@' && s + i != at))
			return 0;
	}
	return 1;
}

/* Trims white space and one pair of surrounding quotes from s[0..*len). */
static const char *trim_name(const char *s, size_t *len)
{
	size_t n = *len;
	while (n > 0 && is_space((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && is_space((unsigned char)s[n - 1]))
		n--;
	if (n >= 2 && ((s[0] == '"' && s[n - 1] == '"') || (s[0] == '\'' && s[n - 1] == '\''))) {
		s++;
		n -= 2;
	}
	*len = n;
	return s;
}

/* Splits an entry's author as feeds write it into the name and the address: "Jo Smith
 * (jo@example.com)" (Atom's name and email as we join them, and dc:creator), RSS 2.0's
 * "jo@example.com (Jo Smith)", RFC 5322's "Jo Smith <jo@example.com>", and a bare address
 * (then it is both: there is no name). A parenthesis without an address ("Jo (editor)") is
 * part of the name. */
static void split_author(struct entry *e)
{
	const char *s = e->author;
	size_t len = strlen(s);
	const char *name = NULL, *email = NULL;
	size_t nlen = 0, elen = 0;
	if (len > 7 && strncasecmp(s, "mailto:", 7) == 0 && is_email(s + 7, len - 7)) {
		s += 7;
		len -= 7;
	}
	if (is_email(s, len)) {
		email = s;
		elen = len;
	} else if (len > 2 && (s[len - 1] == ')' || s[len - 1] == '>')) {
		char open = s[len - 1] == ')' ? '(' : '<';
		size_t i = len - 1;
		while (i > 0 && s[i - 1] != open)
			i--;
		if (i == 0)
			return;
		const char *in = s + i;
		size_t inlen = len - 1 - i;
		const char *out = s;
		size_t outlen = i - 1;
		in = trim_name(in, &inlen);
		if (inlen > 7 && strncasecmp(in, "mailto:", 7) == 0) {
			in += 7;
			inlen -= 7;
		}
		out = trim_name(out, &outlen);
		if (outlen > 7 && strncasecmp(out, "mailto:", 7) == 0 &&
		    is_email(out + 7, outlen - 7)) {
			out += 7;
			outlen -= 7;
		}
		if (is_email(in, inlen)) {
			email = in;
			elen = inlen;
			name = out;
			nlen = outlen;
		} else if (open == '(' && is_email(out, outlen)) {
			email = out;
			elen = outlen;
			name = trim_name(in, &inlen);
			nlen = inlen;
		} else {
			return;
		}
	} else {
		return;
	}
	char *addr = xstrndup(email, elen);
	char *who = nlen > 0 ? xstrndup(name, nlen) : xstrdup(addr);
	free(e->author);
	e->author = who;
	free(e->author_email);
	e->author_email = addr;
}

/* A feed inside an HTML page (an XHTML page whose body holds a whole RSS or Atom document, as
 * some CMSs serve one): the offset of its root element in s[from..len), else len. The first
 * <rss>, <feed> or <rdf:RDF> start tag counts; what follows its end is ignored as junk after
 * the root. Escaped markup ("&lt;rss") is text, not a feed. */
static size_t wrapped_feed(const char *s, size_t len, size_t from)
{
	static const char *const roots[] = {"<rss", "<feed", "<rdf:RDF"};
	size_t best = len;
	for (size_t k = 0; k < sizeof roots / sizeof roots[0]; k++) {
		size_t n = strlen(roots[k]), at = from;
		const char *p;
		while ((p = find_bytes(s + at, len - at, roots[k], n)) != NULL) {
			size_t off = (size_t)(p - s);
			if (off + n < len &&
			    (is_space((unsigned char)s[off + n]) || s[off + n] == '>')) {
				if (off < best)
					best = off;
				break;
			}
			at = off + 1;
		}
	}
	return best;
}

/* Every entry's author as a name and an address (split_author). */
static void finish_authors(struct feed *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->nentries; i++)
		if (f->entries[i].author != NULL && strpbrk(f->entries[i].author, "@") != NULL)
			split_author(&f->entries[i]);
}

/* Parses a document. See parse.h. */
struct feed *parse_feed(const char *data, size_t len, const struct parse_opts *opts, char *err,
                        size_t errlen)
{
	if (errlen > 0)
		err[0] = '\0';
	if (data == NULL)
		len = 0;
	size_t skip;
	enum bom bom = detect_bom((const unsigned char *)data, len, &skip);
	if (bom == BOM_NONE || bom == BOM_UTF8) {
		/* JSON or XML: look at the first significant byte. */
		size_t i = skip;
		while (i < len && is_space((unsigned char)data[i]))
			i++;
		if (i == len) {
			snprintf(err, errlen, "not a feed: empty document");
			return NULL;
		}
		if (data[i] == '{' || data[i] == '[') {
			struct feed *jf = parse_json_feed(data + i, len - i, opts, err, errlen);
			finish_authors(jf);
			return jf;
		}
	}

	char *owned = NULL;
	size_t ulen = 0;
	struct conv_reader cr = {.cd = (iconv_t)-1};
	const char *u = to_utf8(data, len, opts, &ulen, &owned, &cr);
	char *head = NULL;
	if (u == NULL) {
		/* Converting: the first window decides where the document starts, the rest is
		 * converted as the parser reads it. */
		head = xmalloc(PARSE_HEAD_BYTES);
		ulen = conv_read(&cr, head, PARSE_HEAD_BYTES);
		u = head;
	}
	/* White space and junk before the first '<' (a stray newline before "<?xml" is enough
	 * to make the document ill-formed) are dropped. */
	size_t i = 0;
	while (i < ulen && u[i] != '<')
		i++;
	if (i < ulen && !starts_with_ci(u + i, ulen - i, "<?xml")) {
		/* Junk with markup before the declaration (a PHP warning "<br /><b>Warning</b>…"):
		 * start at the declaration when nothing feed-like comes before it. */
		size_t scan = ulen - i < 65536 ? ulen - i : 65536;
		const char *decl = find_bytes(u + i, scan, "<?xml", 5);
		if (decl != NULL) {
			size_t before = (size_t)(decl - (u + i));
			if (find_bytes(u + i, before, "<rss", 4) == NULL &&
			    find_bytes(u + i, before, "<feed", 5) == NULL &&
			    find_bytes(u + i, before, "RDF", 3) == NULL)
				i = (size_t)(decl - u);
		}
	}
	struct feed *f = NULL;
	if (i == ulen) {
		snprintf(err, errlen, "not a feed: no XML or JSON content");
	} else if (looks_like_html(u + i, ulen - i) && (i = wrapped_feed(u, ulen, i)) == ulen) {
		snprintf(err, errlen, "not a feed: got an HTML document");
	} else if (head != NULL) {
		cr.head = u + i;
		cr.headlen = ulen - i;
		struct parse_reader r = {conv_read, &cr, len};
		f = parse_xml_feed_read(&r, opts, err, errlen);
	} else {
		f = parse_xml_feed(u + i, ulen - i, opts, err, errlen);
	}
	free(owned);
	free(head);
	if (cr.cd != (iconv_t)-1)
		iconv_close(cr.cd);
	finish_authors(f);
	return f;
}
