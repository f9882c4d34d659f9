/* Allocation helpers (failure is fatal) and a bounded growable byte buffer. */
#ifndef FEEDMERGE_UTIL_H
#define FEEDMERGE_UTIL_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/socket.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* Grows an array of nmemb elements of size bytes; overflow is fatal. */
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
/* NULL in, NULL out. */
char *xstrdup_or_null(const char *s);
char *xstrndup(const char *s, size_t n);
/* Whether two strings, either of which may be NULL, differ. */
int str_differs(const char *a, const char *b);
/* Newly allocated printf result. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A byte buffer that always keeps a terminating NUL after len bytes. A cap of 0 means no
 * cap; appends past the cap fail with -1 and leave the buffer unchanged. */
struct buf {
	char *data; /* owned; NULL until the first append */
	size_t len;
	size_t size;
	size_t cap;
};

void buf_init(struct buf *b, size_t cap);
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the bytes to the caller (never NULL; "" when empty) and resets the buffer. */
char *buf_steal(struct buf *b, size_t *len);
/* The value of hexadecimal digit c (either case), -1 when c is not one. */
int hex_digit_value(int c);
/* Decodes one UTF-8 sequence at s (n > 0 bytes left). Returns its length and sets *cp, or
 * returns 0 when the bytes are not valid UTF-8 (overlong, surrogate, beyond U+10FFFF,
 * truncated). */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
/* True for the code points XML 1.0 allows (no C0 controls but tab, newline and carriage
 * return; no U+FFFE, U+FFFF). */
int xml_char_ok(uint32_t cp);
/* Returns a new copy of s with invalid UTF-8 replaced by U+FFFD and the characters XML 1.0
 * forbids dropped. */
char *xml_clean_dup(const char *s);
/* All of fp to its end as a new NUL-terminated string (*len its length, NULs included). NULL
 * with errno EIO when reading failed. */
char *read_stream(FILE *fp, size_t *len);
void buf_reset(struct buf *b);
void buf_free(struct buf *b);

/* 64-bit FNV-1a: stable across runs and machines, for ETags and keys (not for security). */
uint64_t hash64(const void *p, size_t n);
uint64_t hash64_update(uint64_t h, const void *p, size_t n);
/* A faster 64-bit hash of n bytes (eight at a time) for large inputs such as whole fetched
 * bodies; not hash64's values, which keys and jitter already depend on. */
uint64_t hash64_wide(const void *p, size_t n);
#define HASH64_INIT 0xcbf29ce484222325ULL

/* Parses "15m", "30s", "2h", "1d" or a bare number of seconds; -1 on error. */
int64_t parse_duration_s(const char *s);
/* Parses "10M", "512K" or a bare number of bytes (1024-based units); -1 on error. */
int64_t parse_size_bytes(const char *s);
/* Whether s[0..n) is a port number: 1 to 5 digits, 0 to 65535. */
int parse_port_ok(const char *s, size_t n);
/* Parses a listen address, "IPV4:PORT", "[IPV6]:PORT" or "localhost:PORT", into addr; NULL,
 * or what is wrong (a static string, without the value). */
const char *parse_listen_addr(const char *v, struct sockaddr_storage *addr, socklen_t *addrlen);
/* Seconds on the monotonic clock: for measuring time spent, never for dates. */
double monotonic_s(void);

#endif
