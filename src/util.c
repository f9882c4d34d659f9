#include "autoconf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "util.h"

void *xmalloc(size_t n)
{
	void *p = malloc(n == 0 ? 1 : n);
	if (p == NULL)
		fatalx("out of memory (%zu bytes)", n);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb == 0 ? 1 : nmemb, size == 0 ? 1 : size);
	if (p == NULL)
		fatalx("out of memory");
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n == 0 ? 1 : n);
	if (q == NULL)
		fatalx("out of memory (%zu bytes)", n);
	return q;
}

void *xreallocarray(void *p, size_t nmemb, size_t size)
{
	if (size != 0 && nmemb > SIZE_MAX / size)
		fatalx("allocation overflow");
	return xrealloc(p, nmemb * size);
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrdup_or_null(const char *s)
{
	return s == NULL ? NULL : xstrdup(s);
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatalx("xasprintf: bad format");
	char *p = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void buf_init(struct buf *b, size_t cap)
{
	b->data = NULL;
	b->len = 0;
	b->size = 0;
	b->cap = cap;
}

int buf_append(struct buf *b, const void *p, size_t n)
{
	if (b->cap != 0 && (n > b->cap || b->len > b->cap - n))
		return -1;
	if (b->len + n + 1 > b->size) {
		size_t size = b->size ? b->size : 256;
		while (size < b->len + n + 1) {
			if (size > SIZE_MAX / 2)
				fatalx("buffer overflow");
			size *= 2;
		}
		b->data = xrealloc(b->data, size);
		b->size = size;
	}
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((size_t)n < sizeof small)
		return buf_append(b, small, (size_t)n);
	char *big = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	int rc = buf_append(b, big, (size_t)n);
	free(big);
	return rc;
}

char *buf_steal(struct buf *b, size_t *len)
{
	char *p = b->data ? b->data : xstrdup("");
	if (len != NULL)
		*len = b->len;
	b->data = NULL;
	b->len = 0;
	b->size = 0;
	return p;
}

int hex_digit_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t c = s[0], min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xE0) == 0xC0) {
		len = 2, c &= 0x1F, min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		len = 3, c &= 0x0F, min = 0x800;
	} else if ((c & 0xF8) == 0xF0) {
		len = 4, c &= 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

int xml_char_ok(uint32_t cp)
{
	if (cp < 0x20)
		return cp == '\t' || cp == '\n' || cp == '\r';
	return cp != 0xFFFE && cp != 0xFFFF;
}

char *xml_clean_dup(const char *s)
{
	size_t n = strlen(s);
	char *out = xmalloc(3 * n + 1), *o = out;
	const unsigned char *p = (const unsigned char *)s;
	while (n > 0) {
		uint32_t cp;
		size_t len = utf8_decode(p, n, &cp);
		if (len == 0) {
			memcpy(o, "\xEF\xBF\xBD", 3); /* U+FFFD */
			o += 3;
			p++, n--;
			continue;
		}
		if (xml_char_ok(cp)) {
			memcpy(o, p, len);
			o += len;
		}
		p += len, n -= len;
	}
	*o = '\0';
	return out;
}

char *read_stream(FILE *fp, size_t *len)
{
	struct buf b;
	buf_init(&b, 0);
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		buf_append(&b, chunk, n);
	if (ferror(fp)) {
		buf_free(&b);
		errno = EIO;
		return NULL;
	}
	return buf_steal(&b, len);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->size = 0;
}

uint64_t hash64_update(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

uint64_t hash64(const void *p, size_t n)
{
	return hash64_update(HASH64_INIT, p, n);
}

static int64_t parse_scaled(const char *s, const char *units, const int64_t *scales)
{
	if (s == NULL || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	int64_t scale = 1;
	if (*end != '\0') {
		const char *u = strchr(units, *end);
		if (u == NULL || end[1] != '\0')
			return -1;
		scale = scales[u - units];
	}
	if (v > (unsigned long long)(INT64_MAX / scale))
		return -1;
	return (int64_t)v * scale;
}

int64_t parse_duration_s(const char *s)
{
	static const int64_t scales[] = {1, 60, 3600, 86400};
	return parse_scaled(s, "smhd", scales);
}

int64_t parse_size_bytes(const char *s)
{
	static const int64_t scales[] = {1024, 1024 * 1024, 1024 * 1024 * 1024};
	return parse_scaled(s, "KMG", scales);
}

/* Eight bytes a step, each folded in by a multiply and a shift (the mixing of MurmurHash3's
 * finaliser), then the length and a final mix. */
uint64_t hash64_wide(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ (uint64_t)n;
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 29;
		s += 8;
		n -= 8;
	}
	uint64_t tail = 0;
	for (size_t i = 0; i < n; i++)
		tail |= (uint64_t)s[i] << (8 * i);
	h = (h ^ tail) * 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

int str_differs(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a != b;
	return strcmp(a, b) != 0;
}

double monotonic_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define LISTEN_FORMS "use IPV4:PORT, [IPV6]:PORT or localhost:PORT"

int parse_port_ok(const char *s, size_t n)
{
	if (n == 0 || n > 5)
		return 0;
	long v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	return v <= 65535;
}

const char *parse_listen_addr(const char *v, struct sockaddr_storage *addr, socklen_t *addrlen)
{
	char host[64];
	const char *port;
	int family;
	memset(addr, 0, sizeof *addr);
	if (v[0] == '[') {
		const char *close = strchr(v, ']');
		if (close == NULL || close[1] != ':')
			return LISTEN_FORMS;
		size_t n = (size_t)(close - (v + 1));
		if (n == 0 || n >= sizeof host)
			return LISTEN_FORMS;
		memcpy(host, v + 1, n);
		host[n] = '\0';
		port = close + 2;
		family = AF_INET6;
	} else {
		const char *colon = strrchr(v, ':');
		if (colon == NULL)
			return LISTEN_FORMS;
		size_t n = (size_t)(colon - v);
		if (n == 0 || n >= sizeof host)
			return LISTEN_FORMS;
		memcpy(host, v, n);
		host[n] = '\0';
		port = colon + 1;
		family = AF_INET;
		if (strcmp(host, "localhost") == 0)
			snprintf(host, sizeof host, "127.0.0.1");
	}
	struct sockaddr_in *sin = (struct sockaddr_in *)addr;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)addr;
	void *dst = family == AF_INET6 ? (void *)&sin6->sin6_addr : (void *)&sin->sin_addr;
	if (inet_pton(family, host, dst) != 1)
		return LISTEN_FORMS;
	if (*port == '\0' || strspn(port, "0123456789") != strlen(port))
		return LISTEN_FORMS;
	if (!parse_port_ok(port, strlen(port)))
		return "the port must be 0 to 65535";
	uint16_t p = (uint16_t)strtoul(port, NULL, 10);
	if (family == AF_INET6) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(p);
		*addrlen = sizeof *sin6;
	} else {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(p);
		*addrlen = sizeof *sin;
	}
	return NULL;
}
