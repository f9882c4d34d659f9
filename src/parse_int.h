/* Internal interface between parse.c (sniffing, encodings, shared text helpers) and the
 * per-format parsers parse_xml.c (RSS 0.9x/1.0/2.0, Atom 0.3/1.0) and parse_json.c (JSON Feed). */
#ifndef FEEDMERGE_PARSE_INT_H
#define FEEDMERGE_PARSE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "feed.h"
#include "parse.h"

/* Same contract as parse_feed(), for one family of formats. */
struct feed *parse_xml_feed(const char *data, size_t len, const struct parse_opts *opts, char *err,
                            size_t errlen);
/* A document's UTF-8 bytes, read a window at a time: read() stores up to cap (>= 64 KiB) bytes
 * in buf and returns how many, 0 at the end; len is the size of the input (for limits). */
struct parse_reader {
	size_t (*read)(void *ctx, char *buf, size_t cap);
	void *ctx;
	size_t len;
};
/* parse_xml_feed() for a document read through r, without a copy of all of it. */
struct feed *parse_xml_feed_read(const struct parse_reader *r, const struct parse_opts *opts,
                                 char *err, size_t errlen);
struct feed *parse_json_feed(const char *data, size_t len, const struct parse_opts *opts, char *err,
                             size_t errlen);

/* Returns a new plain-text string from s: when is_html, markup stripped and entities decoded
 * once; whitespace collapsed and trimmed in both cases. NULL when the result is empty. */
char *parse_plain_text(const char *s, size_t len, int is_html);
/* Parses a date with the document's overrides (zone, date_format); FEED_TIME_NONE if unreadable. */
int64_t parse_date(const char *s, const struct parse_opts *opts);

struct buf;
/* Length of the valid UTF-8 prefix of s (len when all of s is valid UTF-8). */
size_t parse_utf8_valid_prefix(const char *s, size_t len);
/* Writes code point cp (at most U+10FFFF, no check) to out as UTF-8; returns its 1 to 4 bytes. */
size_t parse_utf8_encode(uint32_t cp, char *out);
/* Appends code point cp to b as UTF-8; characters XML 1.0 forbids become U+FFFD, NUL none. */
void parse_put_utf8(struct buf *b, uint32_t cp);
/* The windows-1252 character for c in 0x80..0x9F (what a C1 byte or reference usually
 * means), else c. */
uint32_t parse_cp1252_c1(uint32_t c);
/* The character a numeric reference to v stands for as HTML 5 reads it (13.2.5.80): U+FFFD
 * for a surrogate or past U+10FFFF, the windows-1252 character for a C1 control, else v. */
uint32_t parse_numeric_ref_char(uint32_t v);
/* Decodes the character or entity reference at s[0] == '&' (numeric, XML predefined, the 253
 * HTML 4 names): stores the code point, returns the bytes consumed, 0 if not a reference. */
size_t parse_decode_ref(const char *s, size_t len, uint32_t *cp);
/* Returns a new copy of the HTML s[0..len) with the relative URLs of its href / src / poster /
 * cite attributes resolved against base (parse_text.c, shared by the XML and JSON parsers). */
char *parse_text_html_resolve_urls(const char *s, size_t len, const char *base);

/* JSON text (parse_json_text.c), for parse_json.c. */
/* Nesting deeper than this is refused: real feeds nest 4-5 levels. */
#define PARSE_JSON_MAX_DEPTH 64
/* The longest string kept, as XML_FIELD_MAX_BYTES in parse_xml_int.h: longer ones are cut. */
#define PARSE_JSON_FIELD_MAX_BYTES (4u << 20)
/* Returns a new valid-UTF-8 copy of the JSON string s[0..len) (at most
 * PARSE_JSON_FIELD_MAX_BYTES of it, cut at a character boundary), or NULL when it is empty. */
char *parse_json_text_dup(const char *s, size_t len);
/* parse_json_text_dup() read as plain text, whitespace collapsed; NULL when blank. */
char *parse_json_text_dup_plain(const char *s, size_t len);
/* parse_json_text_dup() read as a title (HTML when it holds a character reference). */
char *parse_json_text_dup_title(const char *s, size_t len);
/* parse_json_text_dup() with surrounding whitespace trimmed, NULL when empty; unresolved. */
char *parse_json_text_dup_url(const char *s, size_t len);
/* Returns s, or NULL (freeing s) when s is only whitespace. */
char *parse_json_text_blank_to_null(char *s);
/* Returns a new string: plain text s as HTML, NULL when s is NULL or blank. Takes s. */
char *parse_json_text_to_html(char *s);
/* Returns a new string: the text of a number used as an id. */
char *parse_json_text_number(const char *s, size_t len);
/* size_in_bytes from a number's (or, is_string, a string's) text, else -1. */
int64_t parse_json_text_size_bytes(const char *s, size_t len, int is_string);
/* Where a broken document data[0..len) can be cut and closed: 0 with *cut and
 * closers[0..*nclosers), -1 when nothing is open. */
int parse_json_text_repair_cut(const char *data, size_t len, size_t *cut, char closers[2],
                               size_t *nclosers);
/* Where the scan for raw control characters in strings is. */
enum parse_json_lex {
	PARSE_JSON_LEX_VALUE,
	PARSE_JSON_LEX_STRING,
	PARSE_JSON_LEX_STRING_ESCAPE,
	PARSE_JSON_LEX_SLASH,
	PARSE_JSON_LEX_BLOCK_COMMENT,
	PARSE_JSON_LEX_BLOCK_COMMENT_STAR,
	PARSE_JSON_LEX_LINE_COMMENT,
};
size_t parse_json_text_scan(enum parse_json_lex *lex, const char *data, size_t len);
#endif
