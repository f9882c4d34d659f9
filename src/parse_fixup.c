/* The repair pass over each chunk before libxml2 sees it: what a forgiving reader does with
 * bare '&', forbidden control characters, unquoted attribute values and a '<' that cannot
 * start markup. Its lexical state (text, CDATA, comment, PI, start tag) carries across chunks.
 * It also stops before the runs of character data the driver may read directly (CDATA
 * sections, long text after a start tag: parse_direct.c), the bulk of a feed's bytes. */
#include "autoconf.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse_int.h"
#include "parse_xml_int.h"
#include "util.h"

/* Bytes parse_fixup_chunk() looks at: '&', '<' and the C0 controls other than tab, LF and CR. */
static const unsigned char lex_special[256] = {1, 1, 1, 1, 1, 1, 1, 1, 1,         0,        0, 1,
                                               1, 0, 1, 1, 1, 1, 1, 1, 1,         1,        1, 1,
                                               1, 1, 1, 1, 1, 1, 1, 1, ['&'] = 1, ['<'] = 1};

/* ASCII bytes a name in a start tag is made of (with any byte of a multi-byte character, see
 * is_name_byte); a run of them is copied without a look. */
static const unsigned char name_char[256] = {
    ['-'] = 1, ['.'] = 1, ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
    ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, [':'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1,
    ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1,
    ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1,
    ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['_'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1,
    ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1,
    ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
    ['y'] = 1, ['z'] = 1};

static int is_name_byte(unsigned char c)
{
	return c >= 0x80 || name_char[c];
}

/* Bytes that end a run of a quoted attribute value (besides its quote): '&', '<' and the C0
 * controls other than tab, LF and CR. */
static const unsigned char value_special[256] = {1, 1, 1, 1, 1, 1, 1, 1, 1,         0,        0, 1,
                                                 1, 0, 1, 1, 1, 1, 1, 1, 1,         1,        1, 1,
                                                 1, 1, 1, 1, 1, 1, 1, 1, ['&'] = 1, ['<'] = 1};

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Whether one of the eight bytes at p may be special: below 0x20 (tab, LF and CR included),
 * '&' or '<'. Exact: (x - n * ONES) & ~x & HIGHS is nonzero iff a byte of x is below n. */
static int word_special(const char *p)
{
	uint64_t w;
	memcpy(&w, p, 8);
	uint64_t amp = w ^ (0x26 * ONES), lt = w ^ (0x3C * ONES);
	return ((((w - 0x20 * ONES) & ~w) | ((amp - ONES) & ~amp) | ((lt - ONES) & ~lt)) & HIGHS) !=
	       0;
}

/* Whether one of the eight bytes at p is b. */
static int word_has(const char *p, unsigned b)
{
	uint64_t w;
	memcpy(&w, p, 8);
	uint64_t x = w ^ (b * ONES);
	return ((x - ONES) & ~x & HIGHS) != 0;
}

/* Whether one of the eight bytes at p is below n (n <= 0x80). */
static uint64_t word_below(const char *p, unsigned n)
{
	uint64_t w;
	memcpy(&w, p, 8);
	return (w - n * ONES) & ~w & HIGHS;
}

static const char *find3(const char *p, size_t n, const char *pat)
{
	for (size_t i = 0; i + 2 < n; i++) {
		const char *q = memchr(p + i, pat[0], n - i - 2);
		if (q == NULL)
			return NULL;
		i = (size_t)(q - p);
		if (q[1] == pat[1] && q[2] == pat[2])
			return q;
	}
	return NULL;
}

/* Copies n bytes of a CDATA section, comment or PI to out; returns the bytes written. The
 * characters XML forbids (C0 controls, U+FFFE, U+FFFF) are dropped, as in text: in CDATA
 * libxml2's push parser stops the whole document at one (parse_direct.c drops them too), and
 * in a comment its recovery loses track of the markup after it. */
static size_t copy_markup(char *out, const char *p, size_t n)
{
	size_t o = 0, i = 0;
	while (i < n) {
		size_t j = i, skip = 1;
		for (;;) {
			while (j + 8 <= n && word_below(p + j, 0x20) == 0 && !word_has(p + j, 0xEF))
				j += 8;
			unsigned char c = j < n ? (unsigned char)p[j] : 0;
			if (j >= n || (c < 0x20 && c != '\t' && c != '\n' && c != '\r'))
				break;
			/* U+FFFE and U+FFFF are not XML characters either. */
			if (c == 0xEF && j + 2 < n && (unsigned char)p[j + 1] == 0xBF &&
			    ((unsigned char)p[j + 2] & 0xFE) == 0xBE) {
				skip = 3;
				break;
			}
			j++;
		}
		memcpy(out + o, p + i, j - i);
		o += j - i;
		i = j + skip;
	}
	return o;
}

/* Copies the '&' at s to out[*o]: as is when it starts a reference libxml2 can resolve, else
 * escaped as "&amp;". "&#X41;" (XML allows only a lowercase x, libxml2 reads "X41;") becomes
 * "&#x41;", what its writer meant; a numeric reference to no character becomes U+FFFD and
 * one to a C1 control the windows-1252 character (parse_numeric_ref_char). Returns the bytes
 * of s consumed, -1 when the chunk ends inside the reference (wait for more bytes). */
static int fixup_ampersand(struct xml_state *st, const char *s, size_t n, int final, char *out,
                           size_t *o)
{
	int k = parse_entities_known_ref(st, s, n, final);
	if (k < 0)
		return -1;
	if (k && n >= 3 && s[1] == '#') {
		/* A reference to no character (a surrogate, past U+10FFFF) is dropped
		 * by libxml2 without a trace; HTML 5 (13.2.5.80), as feeds are written, reads
		 * it as U+FFFD, and &#128;..&#159; as the windows-1252 character meant, as
		 * parse_decode_ref does for escaped HTML. */
		int hex = s[2] == 'x' || s[2] == 'X';
		uint32_t v = 0;
		size_t j = hex ? 3 : 2;
		for (; j < n && s[j] != ';'; j++) {
			unsigned c = (unsigned char)s[j];
			uint32_t d = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
			if (v < 0x110000)
				v = v * (hex ? 16u : 10u) + d;
		}
		uint32_t r = parse_numeric_ref_char(v);
		if (r != v || s[2] == 'X') {
			/* "&#X41;" too: XML allows only a lowercase x, libxml2 reads "X41;". */
			int w = snprintf(out + *o, 12, "&#x%X;", (unsigned)r);
			*o += (size_t)w;
			return (int)(j + 1);
		}
	}
	if (k) {
		out[(*o)++] = '&';
	} else {
		memcpy(out + *o, "&amp;", 5);
		*o += 5;
	}
	return 1;
}

/* Copies up to n bytes of p into out (room for 6 * n bytes) the way a forgiving reader reads
 * them: a bare '&' (not starting a reference we know) becomes "&amp;", the C0 controls XML 1.0
 * forbids are dropped, and in start tags unquoted attribute values get quotes ('<' and '"'
 * inside values are escaped); CDATA sections, comments and processing instructions pass
 * untouched.
 * Returns the bytes of p consumed (a reference or "<![CDATA[" cut by the chunk's end waits for
 * the next chunk) and stores the bytes written in *outlen. */
#define FX_HASH_BASIS 2166136261u

/* FNV-1a over an element name's bytes, ASCII case folded: "<Title>" ... "</title>" is the
 * same element to libxml2's recovery, so it must be to the stack. */
static uint32_t fx_hash_add(uint32_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c + 32);
		h = (h ^ c) * 16777619u;
	}
	return h;
}

static void fx_push(struct xml_state *st)
{
	if (st->fx_depth < XML_MAX_DEPTH + 2)
		st->fx_stack[st->fx_depth] = st->fx_hash;
	st->fx_depth++;
}

/* Lexes the end tag at p[0..avail) ("</name ...>"), looking at most 512 bytes: *name_end is
 * where its name ends, and the return value where its blanks after the name end (avail when
 * the chunk ends first). */
static size_t fx_end_tag_lex(const char *p, size_t avail, size_t *name_end)
{
	size_t k = 2;
	while (k < avail && k < 512 && is_name_byte((unsigned char)p[k]))
		k++;
	*name_end = k;
	while (k < avail && k < 512 &&
	       (p[k] == ' ' || p[k] == '\t' || p[k] == '\n' || p[k] == '\r'))
		k++;
	return k;
}

/* The end tag at p[0..avail) ("</name ...>"): its length when it names no open element and is
 * to be dropped; 0 when it passes to libxml2 (then the stack pops one, as libxml2's does);
 * -1 when the chunk ends before its '>' (wait for more). */
static long fx_end_tag(struct xml_state *st, const char *p, size_t avail, int final)
{
	size_t name_end;
	size_t k = fx_end_tag_lex(p, avail, &name_end);
	if (k >= avail && !final && avail < 512)
		return -1;
	/* A name the stack cannot hold (its start tag was not lexed as one: "<ứng>") pops
	 * nothing: popping would put the stack one element off from libxml2's. */
	if (name_end == 2 || !(isalpha((unsigned char)p[2]) || p[2] == '_'))
		return 0;
	if (k >= avail || p[k] != '>' || st->fx_depth == 0 || st->fx_depth > XML_MAX_DEPTH + 2) {
		if (st->fx_depth > 0)
			st->fx_depth--;
		return 0;
	}
	uint32_t h = fx_hash_add(FX_HASH_BASIS, p + 2, name_end - 2);
	for (int d = st->fx_depth - 1; d >= 0; d--) {
		if (st->fx_stack[d] == h) {
			st->fx_depth--;
			return 0;
		}
	}
	return (long)k + 1;
}

/* Whether libxml2's text ends at the '<' at p[0..avail) ending a run, as it does when the run
 * is read directly. Not so at an end tag the repair pass may drop as stray: libxml2 would read
 * the run and what follows as one text. That matters at the end of the document, where libxml2
 * 2.9 leaves a last byte of content unread when it stands alone (a "\n" after "</stray>") but
 * not when it continues a text, so the line it reported depended on the direct read. Markup,
 * and a '<' escaped as "&lt;" (a reference ends libxml2's text too), pass; of end tags, only
 * one closing the element just opened. */
static int fx_run_ends_at_markup(const struct xml_state *st, const char *p, size_t avail)
{
	if (avail < 2)
		return 0;
	if (p[1] != '/')
		return 1;
	if (st->fx_depth <= 0 || st->fx_depth > XML_MAX_DEPTH + 2 || avail < 3 ||
	    !(isalpha((unsigned char)p[2]) || p[2] == '_'))
		return 0;
	size_t name_end;
	size_t k = fx_end_tag_lex(p, avail, &name_end);
	return k < avail && p[k] == '>' &&
	       fx_hash_add(FX_HASH_BASIS, p + 2, name_end - 2) == st->fx_stack[st->fx_depth - 1];
}

/* Pending drops kept at most (16 bytes each): past it, a drop joins the newest entry and counts
 * once libxml2 reaches that one, a little early. Only a document of tens of thousands of stray end
 * tags that libxml2 holds back unread gets there. */
#define FX_PEND_MAX 65536

/* A stray end tag dropped where the bytes given to libxml2 reach offset at. */
static void fx_drop_at(struct xml_state *st, uint64_t at)
{
	if (st->fx_pend_n > st->fx_pend_head && (st->fx_pend[st->fx_pend_n - 1].at == at ||
	                                         st->fx_pend_n - st->fx_pend_head >= FX_PEND_MAX)) {
		st->fx_pend[st->fx_pend_n - 1].n++;
		return;
	}
	if (st->fx_pend_n == st->fx_pend_cap) {
		if (st->fx_pend_head > 0 && st->fx_pend_head >= st->fx_pend_cap / 2) {
			memmove(st->fx_pend, st->fx_pend + st->fx_pend_head,
			        (st->fx_pend_n - st->fx_pend_head) * sizeof *st->fx_pend);
			st->fx_pend_n -= st->fx_pend_head;
			st->fx_pend_head = 0;
		} else {
			st->fx_pend_cap = st->fx_pend_cap > 0 ? 2 * st->fx_pend_cap : 16;
			st->fx_pend =
			    xreallocarray(st->fx_pend, st->fx_pend_cap, sizeof *st->fx_pend);
		}
	}
	st->fx_pend[st->fx_pend_n].at = at;
	st->fx_pend[st->fx_pend_n].n = 1;
	st->fx_pend_n++;
}

void parse_fixup_settle(struct xml_state *st, uint64_t pos, int stopped)
{
	size_t h = st->fx_pend_head;
	while (h < st->fx_pend_n && st->fx_pend[h].at <= pos)
		st->fx_dropped += st->fx_pend[h++].n;
	if (stopped || h == st->fx_pend_n)
		h = st->fx_pend_n = 0;
	st->fx_pend_head = h;
}

size_t parse_fixup_chunk(struct xml_state *st, const char *p, size_t n, int final, char *out,
                         size_t *outlen)
{
	size_t i = 0, o = 0;
	while (i < n) {
		if (st->lex == LEX_TAG) {
			/* Inside a start tag: quote unquoted attribute values, escape '<' and
			 * stray quotes in values, and bare '&' as in text. Names, and quoted
			 * values up to their next special byte, are copied as runs. */
			if (!st->tag_drop && !st->tag_unquoted) {
				size_t j = i;
				if (st->tag_quote)
					while (j < n && p[j] != st->tag_quote &&
					       !value_special[(unsigned char)p[j]])
						j++;
				else if (!st->tag_after_eq)
					while (j < n && is_name_byte((unsigned char)p[j]))
						j++;
				if (st->fx_in_name) {
					st->fx_hash = fx_hash_add(st->fx_hash, p + i, j - i);
					if (j < n)
						st->fx_in_name = 0;
				}
				memcpy(out + o, p + i, j - i);
				o += j - i;
				i = j;
				if (i >= n)
					break;
			}
			unsigned char c = (unsigned char)p[i];
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
				i++;
				continue;
			}
			if (st->tag_drop) {
				/* Past XML_MAX_ATTRS: drop up to the end of the tag, quoted values
				 * included; '>', "/>" or a '<' outside a value end it as usual. */
				if (st->tag_drop_quote) {
					if (c == st->tag_drop_quote)
						st->tag_drop_quote = 0;
					i++;
					continue;
				}
				if (c == '/' && i + 1 >= n && !final)
					break;
				if (c == '"' || c == '\'') {
					st->tag_drop_quote = (char)c;
					i++;
					continue;
				}
				if (!(c == '>' || c == '<' ||
				      (c == '/' && i + 1 < n && p[i + 1] == '>'))) {
					i++;
					continue;
				}
				st->tag_drop = 0;
			}
			if (c == '&') {
				int used = fixup_ampersand(st, p + i, n - i, final, out, &o);
				if (used < 0)
					break;
				i += (size_t)used;
				continue;
			}
			if (st->tag_quote) {
				if (c == st->tag_quote) {
					st->tag_quote = 0;
					st->tag_drop = st->tag_nattrs >= XML_MAX_ATTRS;
				}
				if (c == '<') {
					memcpy(out + o, "&lt;", 4);
					o += 4;
				} else {
					out[o++] = (char)c;
				}
				i++;
				continue;
			}
			int is_space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
			if (st->tag_unquoted) {
				if (c == '/' && i + 1 >= n && !final)
					break;
				if (is_space || c == '>' ||
				    (c == '/' && i + 1 < n && p[i + 1] == '>')) {
					out[o++] = '"';
					st->tag_unquoted = 0;
					st->tag_drop = st->tag_nattrs >= XML_MAX_ATTRS;
					continue; /* the byte is read again outside the value */
				}
				if (c == '"') {
					memcpy(out + o, "&quot;", 6);
					o += 6;
				} else if (c == '<') {
					memcpy(out + o, "&lt;", 4);
					o += 4;
				} else {
					out[o++] = (char)c;
				}
				i++;
				continue;
			}
			if (c == '>' || c == '<') {
				st->lex = LEX_TEXT;
				st->tag_after_eq = 0;
				st->fx_in_name = 0;
				if ((o > 0 ? out[o - 1] : st->fx_last_out) != '/' || c == '<')
					fx_push(st);
				if (c == '<')
					continue;
				out[o++] = '>';
				i++;
				/* A long text run after a start tag (not "<x/>"): the driver may
				 * read it directly once libxml2 has read the tag. */
				const char *lt;
				if (!st->no_direct && o >= 2 && out[o - 2] != '/' &&
				    (lt = memchr(p + i, '<', n - i)) != NULL &&
				    (size_t)(lt - (p + i)) >= XML_DIRECT_MIN_TEXT &&
				    fx_run_ends_at_markup(st, lt, n - (size_t)(lt - p))) {
					st->direct = DIRECT_TEXT;
					st->direct_len = (size_t)(lt - (p + i));
					break;
				}
				continue;
			}
			if (c == '"' || c == '\'') {
				st->tag_quote = (char)c;
				st->tag_after_eq = 0;
			} else if (c == '=') {
				if (!st->tag_after_eq)
					st->tag_nattrs++;
				st->tag_after_eq = 1;
			} else if (!is_space && st->tag_after_eq) {
				out[o++] = '"';
				st->tag_unquoted = 1;
				st->tag_after_eq = 0;
				continue;
			}
			out[o++] = (char)c;
			i++;
			continue;
		}
		if (st->lex != LEX_TEXT) {
			size_t take = 0;
			if (st->lex == LEX_PI) {
				for (size_t j = i; j + 1 < n; j++)
					if (p[j] == '?' && p[j + 1] == '>') {
						take = j + 2 - i;
						break;
					}
			} else {
				const char *end =
				    find3(p + i, n - i, st->lex == LEX_CDATA ? "]]>" : "-->");
				if (end != NULL)
					take = (size_t)(end - (p + i)) + 3;
			}
			if (take == 0) {
				/* Keep two bytes back: the terminator may straddle chunks. And
				 * no character is cut (copy_markup sees U+FFFE whole). */
				take = final ? n - i : n - i > 2 ? n - i - 2 : 0;
				while (!final && take > 0 &&
				       ((unsigned char)p[i + take] & 0xC0) == 0x80)
					take--;
				/* And the hyphens a comment's end may follow (below). */
				for (int k = 0; !final && st->lex == LEX_COMMENT && k < 64 &&
				                take > 0 && p[i + take - 1] == '-';
				     k++)
					take--;
				o += copy_markup(out + o, p + i, take);
				i += take;
				if (!final)
					break;
				if (st->lex == LEX_CDATA) {
					/* The document ends inside a CDATA section: close it.
					 * libxml2's push parser would hold back a part of it,
					 * how much depending on how it was fed, and report the
					 * break there; closed, all of it is read and the break
					 * is reported where the data ends. */
					memcpy(out + o, "]]>", 3);
					o += 3;
					st->lex = LEX_TEXT;
				}
				continue;
			}
			if (st->lex == LEX_COMMENT) {
				/* Hyphens before the "-->" are dropped: libxml2 2.9 does not end
				 * a comment at "--->" (its fast path skips "--" two by two) and
				 * reads on to the end of what it was given, so how much it ate
				 * depended on how it was fed; the repair pass ends it there. */
				size_t body = o;
				o += copy_markup(out + o, p + i, take - 3);
				while (o > body && out[o - 1] == '-')
					o--;
				memcpy(out + o, "-->", 3);
				o += 3;
			} else {
				o += copy_markup(out + o, p + i, take);
			}
			i += take;
			if (st->lex == LEX_PI && st->in_decl) {
				st->in_decl = 0;
				st->after_decl = 1;
			}
			st->lex = LEX_TEXT;
			continue;
		}
		if (st->after_decl) {
			/* Between the XML declaration and the next markup only white space may
			 * stand. Junk there (a stray byte, a second BOM from a PHP include) makes
			 * libxml2 see no document at all, where the same junk before the
			 * declaration is skipped: skip it here too. */
			while (i < n && p[i] != '<') {
				if (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r')
					out[o++] = p[i];
				i++;
			}
			if (i >= n)
				break;
			st->after_decl = 0;
		}
		/* A run of ordinary bytes: eight at a time while none is special, then byte by
		 * byte through the word that has one (often a newline, which is not). */
		size_t j = i;
		for (;;) {
			while (j + 8 <= n && !word_special(p + j))
				j += 8;
			size_t stop = j + 8 < n ? j + 8 : n;
			while (j < stop && !lex_special[(unsigned char)p[j]])
				j++;
			if (j < stop || j >= n)
				break;
		}
		memcpy(out + o, p + i, j - i);
		o += j - i;
		i = j;
		if (i >= n)
			break;
		unsigned char c = (unsigned char)p[i];
		if (c == '<') {
			size_t avail = n - i;
			if (avail < 9 && !final)
				break;
			int first_markup = !st->markup_seen;
			st->markup_seen = 1;
			if (avail >= 9 && memcmp(p + i, "<![CDATA[", 9) == 0) {
				if (!st->direct_declined && !st->no_direct) {
					st->direct = DIRECT_CDATA;
					break;
				}
				st->direct_declined = 0;
				memcpy(out + o, p + i, 9);
				o += 9;
				i += 9;
				st->lex = LEX_CDATA;
			} else if (avail >= 4 && memcmp(p + i, "<!--", 4) == 0) {
				memcpy(out + o, p + i, 4);
				o += 4;
				i += 4;
				st->lex = LEX_COMMENT;
			} else if (avail < 2 ||
			           !(isalpha((unsigned char)p[i + 1]) || p[i + 1] == '_' ||
			             p[i + 1] == ':' || p[i + 1] == '/' || p[i + 1] == '!' ||
			             p[i + 1] == '?' || (unsigned char)p[i + 1] >= 0x80)) {
				/* "1 < 2": a '<' that cannot start markup is text. */
				memcpy(out + o, "&lt;", 4);
				o += 4;
				i++;
			} else if (p[i + 1] == '?') {
				memcpy(out + o, p + i, 2);
				o += 2;
				st->in_decl = first_markup && avail >= 6 &&
				              memcmp(p + i + 2, "xml", 3) == 0 &&
				              (p[i + 5] == ' ' || p[i + 5] == '\t' ||
				               p[i + 5] == '\n' || p[i + 5] == '\r');
				i += 2;
				st->lex = LEX_PI;
			} else if (p[i + 1] == '/' && 1) {
				long drop = fx_end_tag(st, p + i, avail, final);
				if (drop < 0)
					break;
				if (drop > 0) {
					fx_drop_at(st, st->fx_out_base + o);
					i += (size_t)drop;
					continue;
				}
				out[o++] = '<';
				i++;
			} else {
				if (avail >= 9 && memcmp(p + i, "<!DOCTYPE", 9) == 0) {
					st->no_direct = 1;
					st->has_subset =
					    memchr(p + i, '[', avail < 4096 ? avail : 4096) != NULL;
				}
				out[o++] = '<';
				i++;
				if (i < n && (isalpha((unsigned char)p[i]) || p[i] == '_')) {
					st->lex = LEX_TAG;
					st->fx_in_name = 1;
					st->fx_hash = FX_HASH_BASIS;
					st->tag_quote = 0;
					st->tag_after_eq = 0;
					st->tag_unquoted = 0;
					st->tag_nattrs = 0;
					st->tag_drop = 0;
					st->tag_drop_quote = 0;
				}
			}
		} else if (c == '&') {
			int used = fixup_ampersand(st, p + i, n - i, final, out, &o);
			if (used < 0)
				break;
			i += (size_t)used;
		} else {
			i++; /* a forbidden control character */
		}
	}
	if (o > 0)
		st->fx_last_out = out[o - 1];
	*outlen = o;
	return i;
}
