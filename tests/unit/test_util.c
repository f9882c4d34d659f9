/* Unit tests of util.c: the bounded buffer, the hash, durations and sizes. */
#include "autoconf.h"

#include <stdlib.h>

#include "util.h"
#include "../tap.h"

static void test_buf(void)
{
	struct buf b;
	buf_init(&b, 0);
	ok(b.data == NULL && b.len == 0, "a new buffer is empty");
	is_int(buf_puts(&b, "hello"), 0, "puts");
	is_int(buf_append(&b, ", ", 2), 0, "append");
	is_int(buf_printf(&b, "%s %d", "world", 42), 0, "printf");
	is_str(b.data, "hello, world 42", "contents");
	is_int((int64_t)b.len, 15, "length");
	is_int(buf_append(&b, "", 0), 0, "empty append");
	is_int((int64_t)b.len, 15, "length unchanged by an empty append");

	/* A printf longer than the stack buffer it tries first. */
	char big[2000];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	buf_reset(&b);
	is_int((int64_t)b.len, 0, "reset empties");
	is_str(b.data, "", "reset keeps a string");
	is_int(buf_printf(&b, "<%s>", big), 0, "long printf");
	is_int((int64_t)b.len, 2001, "long printf length");
	ok(b.data[0] == '<' && b.data[2000] == '>' && b.data[2001] == '\0', "long printf bytes");

	/* Many appends: growth keeps the bytes and the NUL. */
	buf_reset(&b);
	int good = 1;
	for (int i = 0; i < 10000; i++)
		good &= buf_append(&b, "0123456789", 10) == 0;
	ok(good && b.len == 100000 && b.data[100000] == '\0' &&
	       memcmp(b.data + 99990, "0123456789", 10) == 0,
	   "100000 bytes in 10-byte appends");

	size_t len = 99;
	char *s = buf_steal(&b, &len);
	is_int((int64_t)len, 100000, "steal hands over the length");
	ok(b.data == NULL && b.len == 0 && b.size == 0, "steal resets the buffer");
	free(s);
	s = buf_steal(&b, &len);
	ok(s != NULL && s[0] == '\0' && len == 0, "steal of an empty buffer gives \"\"");
	free(s);
	s = buf_steal(&b, NULL);
	ok(s != NULL, "steal with a NULL length");
	free(s);

	/* Embedded NULs are bytes like any other. */
	is_int(buf_append(&b, "a\0b", 3), 0, "append with a NUL");
	ok(b.len == 3 && b.data[1] == '\0' && b.data[2] == 'b' && b.data[3] == '\0',
	   "NUL kept, terminator after");
	buf_free(&b);
	ok(b.data == NULL && b.len == 0, "free resets");
	buf_free(&b);
	ok(1, "double free of a buffer is harmless");
}

static void test_buf_cap(void)
{
	struct buf b;
	buf_init(&b, 10);
	is_int(buf_puts(&b, "0123456789"), 0, "fill to the cap");
	is_int(buf_puts(&b, "x"), -1, "one byte past the cap fails");
	is_str(b.data, "0123456789", "and leaves the buffer unchanged");
	is_int(buf_append(&b, "", 0), 0, "an empty append at the cap is fine");
	buf_reset(&b);
	is_int(buf_puts(&b, "01234567890"), -1, "one append larger than the cap fails");
	is_int((int64_t)b.len, 0, "and appends nothing");
	is_int(buf_printf(&b, "%s", "0123456789AB"), -1, "printf past the cap fails");
	is_int((int64_t)b.len, 0, "and appends nothing");
	is_int(buf_append(&b, "abc", SIZE_MAX), -1, "an absurd length fails, no overflow");
	buf_free(&b);
}

static void test_hash(void)
{
	/* FNV-1a 64 test vectors. */
	ok(hash64("", 0) == 0xcbf29ce484222325ULL, "hash of nothing is the offset basis");
	ok(hash64("a", 1) == 0xaf63dc4c8601ec8cULL, "hash of \"a\"");
	ok(hash64("foobar", 6) == 0x85944171f73967e8ULL, "hash of \"foobar\"");
	ok(hash64_update(hash64("foo", 3), "bar", 3) == hash64("foobar", 6),
	   "update continues a hash");
	ok(hash64_update(HASH64_INIT, "foobar", 6) == hash64("foobar", 6),
	   "HASH64_INIT starts one");
	ok(hash64("ab", 2) != hash64("ba", 2), "order matters");
}

static void test_duration(void)
{
	is_int(parse_duration_s("15m"), 900, "15m");
	is_int(parse_duration_s("30s"), 30, "30s");
	is_int(parse_duration_s("2h"), 7200, "2h");
	is_int(parse_duration_s("1d"), 86400, "1d");
	is_int(parse_duration_s("45"), 45, "bare seconds");
	is_int(parse_duration_s("0"), 0, "zero");
	is_int(parse_duration_s(""), -1, "empty");
	is_int(parse_duration_s(NULL), -1, "NULL");
	is_int(parse_duration_s("m"), -1, "unit alone");
	is_int(parse_duration_s("-5"), -1, "negative");
	is_int(parse_duration_s("+5"), -1, "signed");
	is_int(parse_duration_s(" 5"), -1, "leading space");
	is_int(parse_duration_s("5x"), -1, "unknown unit");
	is_int(parse_duration_s("5mm"), -1, "two units");
	is_int(parse_duration_s("1.5h"), -1, "fraction");
	is_int(parse_duration_s("99999999999999999999"), -1, "overflow in the number");
	is_int(parse_duration_s("9223372036854775807d"), -1, "overflow in the unit");
	is_int(parse_duration_s("9223372036854775807"), INT64_MAX, "largest bare number");
}

static void test_size(void)
{
	is_int(parse_size_bytes("10M"), 10 * 1024 * 1024, "10M");
	is_int(parse_size_bytes("512K"), 512 * 1024, "512K");
	is_int(parse_size_bytes("1G"), 1024 * 1024 * 1024, "1G");
	is_int(parse_size_bytes("100"), 100, "bare bytes");
	is_int(parse_size_bytes(""), -1, "empty");
	is_int(parse_size_bytes(NULL), -1, "NULL");
	is_int(parse_size_bytes("M"), -1, "unit alone");
	is_int(parse_size_bytes("10T"), -1, "unknown unit");
	is_int(parse_size_bytes("10MB"), -1, "trailing letters");
	is_int(parse_size_bytes("-1"), -1, "negative");
	is_int(parse_size_bytes("99999999999G"), -1, "overflow");
}

static void test_strings(void)
{
	char *s = xstrdup("abc");
	is_str(s, "abc", "xstrdup");
	free(s);
	ok(xstrdup_or_null(NULL) == NULL, "xstrdup_or_null(NULL)");
	s = xstrndup("abcdef", 3);
	is_str(s, "abc", "xstrndup");
	free(s);
	s = xasprintf("%s-%d", "x", 7);
	is_str(s, "x-7", "xasprintf");
	free(s);
	int *v = xcalloc(4, sizeof *v);
	ok(v[0] == 0 && v[3] == 0, "xcalloc zeroes");
	v = xreallocarray(v, 1000, sizeof *v);
	v[999] = 1;
	ok(v[0] == 0 && v[999] == 1, "xreallocarray keeps and grows");
	free(v);
}

static void test_utf8(void)
{
	uint32_t cp = 0;
	is_int((int64_t)utf8_decode((const unsigned char *)"\xE1\xBA\xA1", 3, &cp), 3,
	       "utf8_decode: three bytes");
	is_int(cp, 0x1EA1, "utf8_decode: U+1EA1");
	is_int((int64_t)utf8_decode((const unsigned char *)"\xC0\xAF", 2, &cp), 0,
	       "utf8_decode: overlong refused");
	is_int((int64_t)utf8_decode((const unsigned char *)"\xED\xA0\x80", 3, &cp), 0,
	       "utf8_decode: surrogate refused");
	is_int((int64_t)utf8_decode((const unsigned char *)"\xE1\xBA", 2, &cp), 0,
	       "utf8_decode: truncated refused");
	ok(xml_char_ok('\t') && !xml_char_ok(0x0B) && !xml_char_ok(0xFFFE) && xml_char_ok(0x85),
	   "xml_char_ok");
	char *s = xml_clean_dup("a\x01"
	                        "b\xFF"
	                        "c\xEF\xBF\xBE"
	                        "d\te");
	is_str(s,
	       "ab\xEF\xBF\xBD"
	       "cd\te",
	       "xml_clean_dup: controls dropped, bad bytes U+FFFD");
	free(s);
}

/* hash64_wide: deterministic, every byte counts, the tail and the length too. */
static void test_hash_wide(void)
{
	const char *text = "Thủ tướng chủ trì phiên họp Chính phủ thường kỳ tháng 11";
	size_t n = strlen(text);
	ok(hash64_wide(text, n) == hash64_wide(text, n),
	   "wide hash: the same bytes, the same hash");
	int differ = 1;
	char buf[128];
	for (size_t i = 0; i < n && differ; i++) {
		memcpy(buf, text, n);
		buf[i] ^= 1;
		differ = hash64_wide(buf, n) != hash64_wide(text, n);
	}
	ok(differ, "wide hash: flipping any one bit of any byte changes it (%zu bytes)", n);
	ok(hash64_wide("abc", 3) != hash64_wide("abc\0", 4), "wide hash: the length counts");
	ok(hash64_wide("", 0) != hash64_wide("\0", 1), "wide hash: an empty input is its own");
}

int main(void)
{
	test_buf();
	test_buf_cap();
	test_hash();
	test_hash_wide();
	test_duration();
	test_size();
	test_strings();
	test_utf8();
	return done_testing();
}
