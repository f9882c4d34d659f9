/* Character data read straight into the handlers, around libxml2.
 *
 * CDATA sections and long text runs are most of a news feed's bytes (bench/parse: CDATA alone is
 * 65%). libxml2's push parser reads them a character at a time, copies them into its input
 * buffer and hands escaped HTML back one entity reference per callback; that cost more than
 * sfeed's whole run. The repair pass already walks every byte, so it stops before such a run,
 * the driver lets libxml2 finish the markup before it, and when libxml2 is provably between
 * tags (in element content, all its input read, no entity open) the run goes to the characters
 * handler here, decoded as libxml2 would have decoded it. Anything libxml2 would report or treat
 * differently (an invalid character reference, "]]>" in text, U+FFFE/U+FFFF, a DTD that may
 * declare entities) declines the run, and libxml2 reads it as before: the fast path never
 * changes what comes out, only how fast. Line numbers stay right: libxml2's line counter is
 * advanced past the run. */
#include "autoconf.h"

#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>

#include "parse_int.h"
#include "parse_xml_int.h"
#include "util.h"

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Whether libxml2 has read everything it was given and stands in element content, where the
 * next bytes can only be character data for the element it has open. */
static int libxml2_between_tags(const struct xml_state *st)
{
	const xmlParserCtxt *c = st->ctxt;
	return !st->halted && !st->no_direct && st->depth > 0 && c->instate == XML_PARSER_CONTENT &&
	       c->inputNr == 1 && c->input != NULL && c->input->cur == c->input->end &&
	       !c->disableSAX;
}

/* Hands s[0..n) to the characters handler, whose length is an int: a section of gigabytes
 * goes in pieces (the handler appends). */
static void deliver(struct xml_state *st, const char *s, size_t n)
{
	const size_t piece = (size_t)1 << 30;
	while (n > 0) {
		size_t k = n < piece ? n : piece;
		/* Cut a piece at a character boundary (within 3 bytes in UTF-8). */
		while (k < n && k > piece - 4 && ((unsigned char)s[k] & 0xC0) == 0x80)
			k--;
		parse_xml_characters_cb(st, (const xmlChar *)s, (int)k);
		s += k;
		n -= k;
	}
}

static void advance_lines(struct xml_state *st, size_t lines)
{
	int *line = &st->ctxt->input->line;
	*line = lines > (size_t)(INT32_MAX - *line) ? INT32_MAX : *line + (int)lines;
}

/* Decodes the reference at s[0] == '&' (n bytes there) into out the way libxml2 would, with the
 * HTML entities our getEntity hook supplies. Returns the bytes of s read: 1 for a bare '&'
 * (written as is: the repair pass would have escaped it), 0 for what only libxml2 may decide
 * (its errors are reported, so they must stay its own). */
static size_t decode_ref(const char *s, size_t n, char *out, size_t *o)
{
	/* The five predefined entities first: escaped HTML is made of them. */
	static const struct {
		char text[7];
		char len, c;
	} predefined[] = {{"&lt;", 4, '<'},
	                  {"&gt;", 4, '>'},
	                  {"&amp;", 5, '&'},
	                  {"&quot;", 6, '"'},
	                  {"&apos;", 6, '\''}};
	for (size_t p = 0; p < sizeof predefined / sizeof predefined[0]; p++) {
		size_t len = (size_t)predefined[p].len;
		if (n >= len && s[1] == predefined[p].text[1] &&
		    memcmp(s, predefined[p].text, len) == 0) {
			out[(*o)++] = predefined[p].c;
			return len;
		}
	}
	size_t i = 1;
	if (n >= 3 && s[1] == '#') {
		/* "&#X41;" too, as the repair pass reads it. */
		int hex = s[2] == 'x' || s[2] == 'X';
		uint32_t v = 0;
		size_t digits = 0;
		for (i = hex ? 3 : 2; i < n && digits < 8; i++, digits++) {
			int d = hex ? hex_digit_value((unsigned char)s[i])
			            : (s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : -1);
			if (d < 0)
				break;
			v = v * (hex ? 16u : 10u) + (uint32_t)d;
		}
		if (digits == 0 || i >= n || s[i] != ';')
			return 0;
		/* As the repair pass rewrites it for libxml2 (parse_fixup.c). */
		v = parse_numeric_ref_char(v);
		/* libxml2's IS_CHAR: anything else is an error it reports. */
		if (!(v == 0x9 || v == 0xA || v == 0xD || (v >= 0x20 && v <= 0xD7FF) ||
		      (v >= 0xE000 && v <= 0xFFFD) || (v >= 0x10000 && v <= 0x10FFFF)))
			return 0;
		*o += parse_utf8_encode(v, out + *o);
		return i + 1;
	}
	char name[33];
	size_t k = 0;
	for (; i < n && k < sizeof name - 1; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			break;
		name[k++] = (char)c;
	}
	if (i >= n)
		return 0;
	if (s[i] != ';' || k == 0) {
		/* Where the repair pass reads a longer name than ours, leave it to it. */
		if (s[i] == '.' || s[i] == '-' || s[i] == '_' || k == sizeof name - 1)
			return 0;
		out[(*o)++] = '&';
		return 1;
	}
	name[k] = '\0';
	const htmlEntityDesc *d = htmlEntityLookup((const xmlChar *)name);
	if (d == NULL) {
		out[(*o)++] = '&';
		return 1;
	}
	*o += parse_utf8_encode(d->value, out + *o);
	return i + 1;
}

/* Bytes of text that need a look: C0 controls (tab aside), '&', ']' (of "]]>") and 0xEF (the
 * lead byte of U+FFFE and U+FFFF). */
static const unsigned char text_special[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1,         1,         1,         1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, ['&'] = 1, [']'] = 1, [0xEF] = 1};

/* Whether one of the eight bytes at p may be in text_special (tab gives a false alarm). */
static int word_text_special(const unsigned char *p)
{
	uint64_t w;
	memcpy(&w, p, 8);
	uint64_t amp = w ^ ('&' * ONES), brk = w ^ (']' * ONES), ef = w ^ (0xEF * ONES);
	return ((((w - 0x20 * ONES) & ~w) | ((amp - ONES) & ~amp) | ((brk - ONES) & ~brk) |
	         ((ef - ONES) & ~ef)) &
	        HIGHS) != 0;
}

size_t parse_direct_text(struct xml_state *st, const char *p, char *scratch)
{
	size_t n = st->direct_len;
	if (!libxml2_between_tags(st))
		return 0;
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0, o = 0, lines = 0;
	while (i < n) {
		size_t j = i;
#ifdef __SSE2__
		const __m128i flip = _mm_set1_epi8((char)0x80), below = _mm_set1_epi8(0x20 - 0x80);
		const __m128i amp = _mm_set1_epi8('&'), brk = _mm_set1_epi8(']'),
		              ef = _mm_set1_epi8((char)0xEF);
		while (j + 16 <= n) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + j));
			__m128i hit = _mm_or_si128(
			    _mm_or_si128(_mm_cmplt_epi8(_mm_xor_si128(v, flip), below),
			                 _mm_cmpeq_epi8(v, amp)),
			    _mm_or_si128(_mm_cmpeq_epi8(v, brk), _mm_cmpeq_epi8(v, ef)));
			int mask = _mm_movemask_epi8(hit);
			if (mask != 0) {
				j += (unsigned)__builtin_ctz((unsigned)mask);
				break;
			}
			j += 16;
		}
#endif
		while (j + 8 <= n && !word_text_special(s + j))
			j += 8;
		while (j < n && !text_special[s[j]])
			j++;
		memcpy(scratch + o, p + i, j - i);
		o += j - i;
		i = j;
		if (i >= n)
			break;
		unsigned char c = s[i];
		if (c == '&') {
			size_t k = decode_ref(p + i, n - i, scratch, &o);
			if (k == 0)
				return 0;
			i += k;
			continue;
		}
		if (c == ']') {
			if (i + 2 < n && s[i + 1] == ']' && s[i + 2] == '>')
				return 0; /* libxml2 reports it */
			scratch[o++] = ']';
		} else if (c == 0xEF) {
			if (i + 2 < n && s[i + 1] == 0xBF && (s[i + 2] == 0xBE || s[i + 2] == 0xBF))
				return 0; /* not an XML character: libxml2 reports it */
			scratch[o++] = (char)c;
		} else if (c == '\n') {
			scratch[o++] = '\n';
			lines++;
		} else if (c == '\r') {
			/* XML end-of-line handling: CR LF and a lone CR read as LF (libxml2
			 * counts a line at each LF only). */
			if (i + 1 < n && s[i + 1] == '\n') {
				i++;
				continue;
			}
			scratch[o++] = '\n';
		} else if (c != '\t') {
			/* Another C0 control: the repair pass drops it, which may join the
			 * bytes around it into something libxml2 reads differently ("]]>",
			 * a reference): the run is theirs. */
			return 0;
		}
		i++;
	}
	deliver(st, scratch, o);
	advance_lines(st, lines);
	return n;
}

/* The "]]>" ending a CDATA section's body s[0..n), or NULL. */
static const char *find_cdata_end(const char *s, size_t n)
{
	const char *end = s + n;
	while (end - s >= 3) {
		const char *q = memchr(s + 2, '>', (size_t)(end - s - 2));
		if (q == NULL)
			return NULL;
		if (q[-1] == ']' && q[-2] == ']')
			return q - 2;
		s = q - 1;
	}
	return NULL;
}

/* Whether one of the eight bytes at p is below 0x20 or 0xEF (the lead byte of U+FFFE and
 * U+FFFF): the classic has-less-than and has-zero tricks. */
static int word_needs_look(const unsigned char *p)
{
	uint64_t w;
	memcpy(&w, p, 8);
	uint64_t ef = w ^ (0xEF * ONES);
	return ((((w - 0x20 * ONES) & ~w) | ((ef - ONES) & ~ef)) & HIGHS) != 0;
}

const char *parse_direct_cdata_end(const char *p, size_t avail, size_t *lines)
{
	const char *end = avail < 12 ? NULL : find_cdata_end(p + 9, avail - 9);
	if (end == NULL)
		return NULL;
	/* A character the repair pass drops (C0 controls, U+FFFE, U+FFFF) could join a "]]>"
	 * out of the bytes around it, ending the section earlier for libxml2 than here: such a
	 * section is the repair pass's and libxml2's to read. */
	const unsigned char *s = (const unsigned char *)p + 9;
	size_t n = (size_t)(end - (p + 9)), i = 0;
	*lines = 0;
	while (i < n) {
#ifdef __SSE2__
		/* Sixteen bytes at a time while none is below 0x20 or 0xEF (every x86-64 has
		 * SSE2): CDATA is most of a feed's bytes. */
		const __m128i flip = _mm_set1_epi8((char)0x80), below = _mm_set1_epi8(0x20 - 0x80),
		              ef = _mm_set1_epi8((char)0xEF);
		while (i + 16 <= n) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
			__m128i hit = _mm_or_si128(_mm_cmplt_epi8(_mm_xor_si128(v, flip), below),
			                           _mm_cmpeq_epi8(v, ef));
			if (_mm_movemask_epi8(hit) != 0)
				break;
			i += 16;
		}
#endif
		while (i + 8 <= n && !word_needs_look(s + i))
			i += 8;
		if (i >= n)
			break;
		unsigned char c = s[i];
		if (c == '\n')
			(*lines)++;
		else if (c < 0x20 && c != '\t' && c != '\r')
			return NULL;
		else if (c == 0xEF && i + 2 < n && s[i + 1] == 0xBF &&
		         (s[i + 2] == 0xBE || s[i + 2] == 0xBF))
			return NULL;
		i++;
	}
	return end;
}

size_t parse_direct_cdata(struct xml_state *st, const char *p, const char *end, size_t lines)
{
	if (!libxml2_between_tags(st)) {
		st->direct_declined = 1;
		return 0;
	}
	/* As written, CR LF included: so libxml2's push parser hands a section over. */
	deliver(st, p + 9, (size_t)(end - (p + 9)));
	advance_lines(st, lines);
	return (size_t)(end - p) + 3;
}
