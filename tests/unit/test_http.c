/* The HTTP listener on 127.0.0.1 (port chosen by the kernel), driven by a real libev loop. A
 * forked child sends raw HTTP/1.1 requests and reports TAP; the parent runs the loop until the
 * child exits (ev_child), so nothing waits on the clock. */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ev.h>

#include "date.h"
#include "gzip.h"
#include "http.h"
#include "util.h"
#include "../tap.h"

static unsigned port;

struct reply {
	int status;
	char *head; /* status line and fields */
	char *body;
	size_t body_len;
};

static void reply_free(struct reply *r)
{
	free(r->head);
	free(r->body);
	memset(r, 0, sizeof *r);
}

/* Sends one request (method, path, extra header lines each ending in \r\n) and reads the
 * reply until the server closes. */
static struct reply request(const char *method, const char *path, const char *headers)
{
	struct reply r = {0};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct timeval tv = {.tv_sec = 10};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
		close(fd);
		return r;
	}
	char *req = xasprintf("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s\r\n",
	                      method, path, headers != NULL ? headers : "");
	size_t len = strlen(req);
	if (write(fd, req, len) != (ssize_t)len) {
		free(req);
		close(fd);
		return r;
	}
	free(req);
	struct buf b;
	buf_init(&b, 0);
	char chunk[4096];
	ssize_t n;
	while ((n = read(fd, chunk, sizeof chunk)) > 0)
		buf_append(&b, chunk, (size_t)n);
	close(fd);
	size_t total;
	char *all = buf_steal(&b, &total);
	char *sep = strstr(all, "\r\n\r\n");
	if (sep != NULL && sscanf(all, "HTTP/1.%*d %d", &r.status) == 1) {
		r.head = xstrndup(all, (size_t)(sep - all) + 2);
		r.body_len = total - (size_t)(sep + 4 - all);
		r.body = xstrndup(sep + 4, r.body_len);
	}
	free(all);
	return r;
}

/* Returns the value of header name in r (new string), or NULL. */
static char *header(const struct reply *r, const char *name)
{
	if (r->head == NULL)
		return NULL;
	size_t n = strlen(name);
	for (const char *p = strstr(r->head, "\r\n"); p != NULL; p = strstr(p + 2, "\r\n")) {
		const char *line = p + 2;
		if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
			line += n + 1;
			while (*line == ' ')
				line++;
			return xstrndup(line, strcspn(line, "\r\n"));
		}
	}
	return NULL;
}

/* A keep-alive connection: requests go out one at a time and each reply is read by its
 * framing (Content-Length; none for HEAD and 304), never by waiting for a close. */
static int conn_open(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct timeval tv = {.tv_sec = 10};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int conn_send(int fd, const char *method, const char *path, const char *headers)
{
	char *req = xasprintf("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n", method, path,
	                      headers != NULL ? headers : "");
	size_t len = strlen(req);
	ssize_t n = write(fd, req, len);
	free(req);
	return n == (ssize_t)len ? 0 : -1;
}

/* Reads exactly n bytes (fewer at EOF or a timeout) into b. */
static void conn_read_n(int fd, struct buf *b, size_t n)
{
	char chunk[65536];
	while (n > 0) {
		ssize_t got = read(fd, chunk, n < sizeof chunk ? n : sizeof chunk);
		if (got <= 0)
			return;
		buf_append(b, chunk, (size_t)got);
		n -= (size_t)got;
	}
}

/* Reads one reply; at most max_body bytes of its body (the rest stays in the socket). */
static struct reply conn_reply(int fd, int head, size_t max_body)
{
	struct reply r = {0};
	struct buf b;
	buf_init(&b, 0);
	char c;
	/* Byte by byte up to the blank line, so nothing of the body is consumed here. */
	while (b.len < 65536 && (b.len < 4 || memcmp(b.data + b.len - 4, "\r\n\r\n", 4) != 0)) {
		if (read(fd, &c, 1) != 1)
			break;
		buf_append(&b, &c, 1);
	}
	if (b.len < 4 || sscanf(b.data, "HTTP/1.%*d %d", &r.status) != 1) {
		buf_free(&b);
		return r;
	}
	r.head = xstrndup(b.data, b.len - 2);
	buf_free(&b);
	char *cl = header(&r, "Content-Length");
	size_t len = cl != NULL ? (size_t)strtoull(cl, NULL, 10) : 0;
	free(cl);
	if (head || r.status == 304)
		len = 0;
	if (len > max_body)
		len = max_body;
	buf_init(&b, 0);
	conn_read_n(fd, &b, len);
	r.body = buf_steal(&b, &r.body_len);
	return r;
}

/* Tells the parent (which runs the loop) to replace /big.xml, and waits until it has. */
static int ctl_to_parent = -1, ctl_from_parent = -1;
static int ask_parent(char what)
{
	char ack;
	return write(ctl_to_parent, &what, 1) == 1 && read(ctl_from_parent, &ack, 1) == 1 ? 0 : -1;
}

static const char gz_body[] = "<?xml version=\"1.0\"?><feed>gzip me, gzip me, gzip me</feed>\n";
static char *gz_bytes;
static size_t gz_len;
#define BIG_LEN (4u << 20)
static char *big_old, *big_new;

static const char atom_body[] = "<?xml version=\"1.0\"?><feed>first</feed>\n";
static const int64_t atom_lm = 1700000000;

static int child_main(void)
{
	char etag[32], lm[DATE_RFC822_SIZE], earlier[DATE_RFC822_SIZE], later[DATE_RFC822_SIZE];
	snprintf(etag, sizeof etag, "\"%016llx\"",
	         (unsigned long long)hash64(atom_body, sizeof atom_body - 1));
	date_format_rfc822(atom_lm, lm);
	date_format_rfc822(atom_lm - 3600, earlier);
	date_format_rfc822(atom_lm + 3600, later);

	struct reply r = request("GET", "/feed.atom", NULL);
	is_int(r.status, 200, "GET /feed.atom: 200");
	ok(r.body != NULL && r.body_len == sizeof atom_body - 1 &&
	       memcmp(r.body, atom_body, r.body_len) == 0,
	   "body as set");
	char *v = header(&r, "Content-Type");
	is_str(v, "application/atom+xml; charset=utf-8", "Content-Type as given");
	free(v);
	v = header(&r, "ETag");
	is_str(v, etag, "strong ETag: hash of the bytes");
	free(v);
	v = header(&r, "Last-Modified");
	is_str(v, lm, "Last-Modified from the document's date");
	free(v);
	v = header(&r, "Cache-Control");
	ok(v != NULL, "Cache-Control");
	free(v);
	reply_free(&r);

	struct {
		const char *headers;
		int status;
		const char *what;
	} cases[] = {
	    {"If-None-Match: ETAG\r\n", 304, "If-None-Match matching"},
	    {"If-None-Match: W/ETAG\r\n", 304, "If-None-Match weak comparison"},
	    {"If-None-Match: \"x\", ETAG\r\n", 304, "If-None-Match list"},
	    {"If-None-Match: \"x\"\r\nIf-None-Match: ETAG\r\n", 304, "If-None-Match in two fields"},
	    {"If-None-Match: *\r\n", 304, "If-None-Match: *"},
	    {"If-None-Match: \"nomatch\"\r\n", 200, "If-None-Match not matching"},
	    {"If-Modified-Since: LM\r\n", 304, "If-Modified-Since equal"},
	    {"If-Modified-Since: LATER\r\n", 304, "If-Modified-Since later"},
	    {"If-Modified-Since: EARLIER\r\n", 200, "If-Modified-Since earlier"},
	    {"If-Modified-Since: garbage\r\n", 200, "If-Modified-Since unreadable"},
	    {"If-None-Match: \"nomatch\"\r\nIf-Modified-Since: LATER\r\n", 200,
	     "If-None-Match wins over If-Modified-Since (no match)"},
	    {"If-None-Match: ETAG\r\nIf-Modified-Since: EARLIER\r\n", 304,
	     "If-None-Match wins over If-Modified-Since (match)"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		/* Substitute the placeholders. */
		struct buf h;
		buf_init(&h, 0);
		for (const char *p = cases[i].headers; *p != '\0';) {
			if (strncmp(p, "ETAG", 4) == 0) {
				buf_puts(&h, etag), p += 4;
			} else if (strncmp(p, "LM", 2) == 0) {
				buf_puts(&h, lm), p += 2;
			} else if (strncmp(p, "LATER", 5) == 0) {
				buf_puts(&h, later), p += 5;
			} else if (strncmp(p, "EARLIER", 7) == 0) {
				buf_puts(&h, earlier), p += 7;
			} else {
				buf_append(&h, p, 1), p++;
			}
		}
		r = request("GET", "/feed.atom", h.data);
		buf_free(&h);
		is_int(r.status, cases[i].status, "%s: %d", cases[i].what, cases[i].status);
		if (cases[i].status == 304) {
			v = header(&r, "ETag");
			ok(r.body_len == 0 && v != NULL && strcmp(v, etag) == 0,
			   "%s: no body, ETag sent", cases[i].what);
			free(v);
		}
		reply_free(&r);
	}

	r = request("HEAD", "/feed.atom", NULL);
	is_int(r.status, 200, "HEAD: 200");
	v = header(&r, "Content-Length");
	ok(v != NULL && strtoul(v, NULL, 10) == sizeof atom_body - 1, "HEAD: Content-Length");
	free(v);
	ok(r.body_len == 0, "HEAD: no body");
	v = header(&r, "ETag");
	is_str(v, etag, "HEAD: ETag");
	free(v);
	reply_free(&r);

	r = request("HEAD", "/feed.atom", "If-None-Match: *\r\n");
	is_int(r.status, 304, "HEAD with If-None-Match: 304");
	reply_free(&r);

	r = request("GET", "/feed.rss", NULL);
	is_int(r.status, 200, "second document served");
	ok(r.body != NULL && strcmp(r.body, "rss two") == 0, "the replacing body");
	v = header(&r, "Last-Modified");
	char rss_lm[DATE_RFC822_SIZE];
	date_format_rfc822(atom_lm, rss_lm);
	ok(v != NULL && strcmp(v, rss_lm) != 0,
	   "new bytes with the same date move Last-Modified on (%s)", v ? v : "");
	free(v);
	reply_free(&r);

	r = request("GET", "/nope", NULL);
	is_int(r.status, 404, "unknown path: 404");
	reply_free(&r);
	r = request("POST", "/feed.atom", "Content-Length: 0\r\n");
	is_int(r.status, 405, "POST: 405");
	v = header(&r, "Allow");
	is_str(v, "GET, HEAD", "405 with Allow");
	free(v);
	reply_free(&r);
	r = request("DELETE", "/feed.atom", NULL);
	is_int(r.status, 405, "DELETE: 405");
	reply_free(&r);
	r = request("GET", "/healthz", NULL);
	ok(r.status == 200 && r.body != NULL && strcmp(r.body, "ok\n") == 0, "/healthz: ok");
	reply_free(&r);
	r = request("GET", "/", NULL);
	ok(r.status == 200 && r.body != NULL && strstr(r.body, "href=\"feed.atom\"") != NULL,
	   "/ links the feeds");
	reply_free(&r);

	r = request("GET", "/feed.atom?x=1", NULL);
	ok(r.status == 200 && r.body_len == sizeof atom_body - 1, "a query string is ignored: 200");
	reply_free(&r);
	r = request("GET", "/feed.atom", NULL);
	v = header(&r, "Vary");
	is_str(v, "Accept-Encoding", "200: Vary: Accept-Encoding");
	free(v);
	v = header(&r, "Cache-Control");
	is_str(v, "max-age=900", "Cache-Control from http_set_max_age, set after the document");
	free(v);
	reply_free(&r);

	/* A 304 is headers only: no Content-Type, no Content-Encoding, and no Content-Length, or
	 * "0" with libmicrohttpd before 0.9.77, which always sends one (see http.c). */
	char *inm = xasprintf("If-None-Match: %s\r\n", etag);
	r = request("GET", "/feed.atom", inm);
	free(inm);
	is_int(r.status, 304, "304 for the raw-socket checks");
	v = header(&r, "Content-Length");
	ok(v == NULL || strcmp(v, "0") == 0, "304: Content-Length absent or 0 (%s)",
	   v ? v : "absent");
	free(v);
	v = header(&r, "Content-Type");
	ok(v == NULL, "304: no Content-Type");
	free(v);
	v = header(&r, "Content-Encoding");
	ok(v == NULL, "304: no Content-Encoding");
	free(v);
	v = header(&r, "Vary");
	is_str(v, "Accept-Encoding", "304: Vary");
	free(v);
	v = header(&r, "Cache-Control");
	ok(v != NULL, "304: Cache-Control");
	free(v);
	reply_free(&r);

	/* The gzip variant, chosen by Accept-Encoding. */
	char plain_etag[32];
	snprintf(plain_etag, sizeof plain_etag, "\"%016llx\"",
	         (unsigned long long)hash64(gz_body, sizeof gz_body - 1));
	struct {
		const char *ae;
		int gzip;
	} ae[] = {
	    {NULL, 0},
	    {"gzip", 1},
	    {"GZIP", 1},
	    {"x-gzip", 1},
	    {"gzip, deflate, br", 1},
	    {"deflate, gzip;q=0.8", 1},
	    {"*", 1},
	    {"br, *;q=0.1", 1},
	    {"gzip;q=0", 0},
	    {"gzip;q=0.000", 0},
	    {"gzip;q=0, *", 0},
	    {"*;q=0, identity", 0},
	    {"identity;q=1, gzip;q=0.5", 0},
	    {"br", 0},
	    {"", 0},
	    {"gzip;q=nonsense", 0},
	};
	char *gz_etag = NULL;
	for (size_t i = 0; i < sizeof ae / sizeof ae[0]; i++) {
		char *hdr =
		    ae[i].ae != NULL ? xasprintf("Accept-Encoding: %s\r\n", ae[i].ae) : xstrdup("");
		r = request("GET", "/gz.xml", hdr);
		free(hdr);
		char *ce = header(&r, "Content-Encoding");
		char *et = header(&r, "ETag");
		char *vary = header(&r, "Vary");
		const char *what = ae[i].ae != NULL ? ae[i].ae : "(no Accept-Encoding)";
		if (ae[i].gzip) {
			ok(r.status == 200 && ce != NULL && strcmp(ce, "gzip") == 0 &&
			       r.body_len == gz_len && memcmp(r.body, gz_bytes, gz_len) == 0,
			   "Accept-Encoding: %s -> the stored gzip bytes", what);
			ok(et != NULL && strcmp(et, plain_etag) != 0 && strstr(et, "-gz\"") != NULL,
			   "  with an ETag of their own (%s)", et ? et : "none");
			if (gz_etag == NULL && et != NULL)
				gz_etag = xstrdup(et);
		} else {
			ok(r.status == 200 && ce == NULL && r.body_len == sizeof gz_body - 1 &&
			       memcmp(r.body, gz_body, r.body_len) == 0,
			   "Accept-Encoding: %s -> identity", what);
			is_str(et, plain_etag, "  with the identity ETag");
		}
		is_str(vary, "Accept-Encoding", "  and Vary");
		free(ce);
		free(et);
		free(vary);
		reply_free(&r);
	}

	/* Either ETag validates: a client names what it holds; the 304 names the same. */
	struct {
		const char *ae;
		const char *inm;
		const char *want;
		const char *what;
	} val[] = {
	    {"gzip", gz_etag, gz_etag, "gzip ETag, gzip accepted"},
	    {NULL, gz_etag, gz_etag, "gzip ETag, gzip no longer accepted"},
	    {"gzip", plain_etag, plain_etag, "identity ETag, gzip accepted"},
	    {NULL, plain_etag, plain_etag, "identity ETag, identity"},
	    {"gzip", "*", gz_etag, "*, gzip accepted"},
	};
	for (size_t i = 0; i < sizeof val / sizeof val[0]; i++) {
		char *hdr = xasprintf("If-None-Match: %s\r\n%s%s%s", val[i].inm ? val[i].inm : "x",
		                      val[i].ae ? "Accept-Encoding: " : "",
		                      val[i].ae ? val[i].ae : "", val[i].ae ? "\r\n" : "");
		r = request("GET", "/gz.xml", hdr);
		free(hdr);
		v = header(&r, "ETag");
		char *ce = header(&r, "Content-Encoding");
		ok(r.status == 304 && v != NULL && val[i].want != NULL &&
		       strcmp(v, val[i].want) == 0 && ce == NULL && r.body_len == 0,
		   "If-None-Match, %s: 304 naming %s", val[i].what, v ? v : "nothing");
		free(v);
		free(ce);
		reply_free(&r);
	}
	r = request("GET", "/gz.xml", "If-None-Match: \"0000000000000000-gz\"\r\n");
	is_int(r.status, 200, "If-None-Match with another -gz tag: 200");
	reply_free(&r);

	/* HEAD: the GET's fields, Content-Length of the GET's body, no body. */
	r = request("HEAD", "/gz.xml", "Accept-Encoding: gzip\r\n");
	v = header(&r, "Content-Length");
	char *ce = header(&r, "Content-Encoding");
	char *et = header(&r, "ETag");
	ok(r.status == 200 && r.body_len == 0 && v != NULL && strtoul(v, NULL, 10) == gz_len &&
	       ce != NULL && strcmp(ce, "gzip") == 0 && et != NULL && gz_etag != NULL &&
	       strcmp(et, gz_etag) == 0,
	   "HEAD with gzip: the gzip GET's Content-Length, Content-Encoding and ETag, no body");
	free(v);
	free(ce);
	free(et);
	reply_free(&r);

	/* Keep-alive: several requests, one connection. */
	int fd = conn_open();
	ok(fd >= 0, "keep-alive: connected");
	conn_send(fd, "GET", "/feed.atom", NULL);
	r = conn_reply(fd, 0, SIZE_MAX);
	ok(r.status == 200 && r.body_len == sizeof atom_body - 1, "keep-alive: first GET");
	v = header(&r, "Connection");
	ok(v == NULL, "keep-alive: no Connection: close (%s)", v ? v : "none");
	free(v);
	reply_free(&r);
	conn_send(fd, "HEAD", "/gz.xml", "Accept-Encoding: gzip\r\n");
	r = conn_reply(fd, 1, SIZE_MAX);
	is_int(r.status, 200, "keep-alive: then a HEAD on the same connection");
	reply_free(&r);
	conn_send(fd, "GET", "/feed.atom", "If-None-Match: *\r\n");
	r = conn_reply(fd, 0, SIZE_MAX);
	is_int(r.status, 304, "keep-alive: then a 304 on the same connection");
	reply_free(&r);
	conn_send(fd, "GET", "/nope", NULL);
	r = conn_reply(fd, 0, SIZE_MAX);
	is_int(r.status, 404, "keep-alive: then a 404 on the same connection");
	reply_free(&r);
	conn_send(fd, "GET", "/gz.xml", "Accept-Encoding: gzip\r\n");
	r = conn_reply(fd, 0, SIZE_MAX);
	ok(r.status == 200 && r.body_len == gz_len, "keep-alive: and a gzip GET after it");
	reply_free(&r);
	close(fd);

	/* Replacing a document while a connection is still sending it: that connection gets
	 * the old bytes whole, the next request the new ones. The socket buffers hold far
	 * less than 4 MiB, so most of the old body is still unsent when the swap happens. */
	fd = conn_open();
	conn_send(fd, "GET", "/big.xml", NULL);
	r = conn_reply(fd, 0, 4096);
	ok(r.status == 200 && r.body_len == 4096, "big document: the first 4 KiB");
	is_int(ask_parent('r'), 0, "the document is replaced meanwhile");
	struct buf rest;
	buf_init(&rest, 0);
	buf_append(&rest, r.body, r.body_len);
	conn_read_n(fd, &rest, BIG_LEN - 4096);
	ok(rest.len == BIG_LEN && memcmp(rest.data, big_old, BIG_LEN) == 0,
	   "the connection still got the old bytes, whole (%zu)", rest.len);
	buf_free(&rest);
	reply_free(&r);
	conn_send(fd, "GET", "/big.xml", NULL);
	r = conn_reply(fd, 0, SIZE_MAX);
	ok(r.status == 200 && r.body_len == BIG_LEN && memcmp(r.body, big_new, BIG_LEN) == 0,
	   "the next request on it gets the new bytes");
	reply_free(&r);
	close(fd);

	/* Limits: oversized header fields are refused by MHD, not buffered without end. */
	char *huge = xmalloc(40000);
	memset(huge, 'a', 39999);
	huge[39999] = '\0';
	char *hdr = xasprintf("X-Big: %s\r\n", huge);
	free(huge);
	r = request("GET", "/feed.atom", hdr);
	free(hdr);
	ok(r.status == 431 || r.status == 413, "40 KB of header fields: %d", r.status);
	reply_free(&r);
	r = request("GET", "/healthz", NULL);
	is_int(r.status, 200, "and the listener still answers");
	reply_free(&r);
	free(gz_etag);
	return done_testing();
}

static int child_status = -1;

struct ctl {
	struct http_server *h;
	int ack_fd;
};

/* The child's requests to change documents, served between its HTTP requests. */
static void ctl_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)revents;
	struct ctl *ctl = w->data;
	char what;
	if (read(w->fd, &what, 1) != 1) {
		ev_io_stop(loop, w);
		return;
	}
	if (what == 'r')
		http_set_document(ctl->h, "/big.xml", "application/xml", big_new, BIG_LEN, NULL, 0,
		                  atom_lm + 60);
	if (write(ctl->ack_fd, &what, 1) != 1)
		ev_io_stop(loop, w);
}

static void child_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	(void)revents;
	child_status = w->rstatus;
	ev_child_stop(loop, w);
	ev_break(loop, EVBREAK_ALL);
}

int main(void)
{
	char err[256];
	struct ev_loop *loop = ev_default_loop(0);
	const char *bad[] = {"nonsense",       "1.2.3.4.5:80", "127.0.0.1:99999",
	                     "example.org:80", "[::1:80",      "127.0.0.1:"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		struct http_server *h = http_start(loop, bad[i], err, sizeof err);
		ok(h == NULL && strstr(err, bad[i]) != NULL, "refused: %s", err);
		http_stop(h);
	}
	struct http_server *h = http_start(loop, "localhost:0", err, sizeof err);
	ok(h != NULL && http_port(h) != 0, "localhost:0 listens on a free port");
	http_stop(h);
	h = http_start(loop, "[::1]:0", err, sizeof err);
	if (h != NULL)
		ok(http_port(h) != 0, "[::1]:0 listens");
	else
		ok(1, "# SKIP no IPv6 loopback: %s", err);
	http_stop(h);

	h = http_start(loop, "127.0.0.1:0", err, sizeof err);
	if (!ok(h != NULL, "127.0.0.1:0 listens")) {
		printf("# %s\n", err);
		return done_testing();
	}
	port = http_port(h);
	struct http_server *busy = NULL;
	char *taken = xasprintf("127.0.0.1:%u", port);
	/* The failure is ours to report, once: libmicrohttpd's own "Failed to bind to port 0"
	 * (the port argument, not the address's) must not reach stderr. */
	fflush(stderr);
	FILE *captured = tmpfile();
	int saved_stderr = dup(STDERR_FILENO);
	dup2(fileno(captured), STDERR_FILENO);
	busy = http_start(loop, taken, err, sizeof err);
	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	char said[512] = "";
	rewind(captured);
	size_t nsaid = fread(said, 1, sizeof said - 1, captured);
	said[nsaid] = '\0';
	fclose(captured);
	ok(busy == NULL && strstr(err, taken) != NULL, "a port in use is refused: %s", err);
	ok(strstr(err, strerror(EADDRINUSE)) != NULL, "with the real reason");
	ok(nsaid == 0, "and nothing logged by the library (%s)", said);
	http_stop(busy);
	free(taken);

	http_set_document(h, "/feed.atom", "application/atom+xml; charset=utf-8", atom_body,
	                  sizeof atom_body - 1, NULL, 0, atom_lm);
	http_set_document(h, "/feed.rss", "application/rss+xml", "rss one", 7, NULL, 0, atom_lm);
	http_set_document(h, "/feed.rss", "application/rss+xml", "rss two", 7, NULL, 0, atom_lm);
	if (gzip_compress(gz_body, sizeof gz_body - 1, &gz_bytes, &gz_len) != 0)
		return 1;
	http_set_document(h, "/gz.xml", "application/xml", gz_body, sizeof gz_body - 1, gz_bytes,
	                  gz_len, atom_lm);
	big_old = xmalloc(BIG_LEN);
	big_new = xmalloc(BIG_LEN);
	for (size_t i = 0; i < BIG_LEN; i++) {
		big_old[i] = (char)('a' + i % 26);
		big_new[i] = (char)('A' + i % 26);
	}
	http_set_document(h, "/big.xml", "application/xml", big_old, BIG_LEN, NULL, 0, atom_lm);
	http_set_max_age(h, 900);
	int to_parent[2], from_parent[2];
	if (pipe(to_parent) != 0 || pipe(from_parent) != 0)
		return 1;

	fflush(stdout);
	pid_t pid = fork();
	if (pid == -1) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		ctl_to_parent = to_parent[1];
		ctl_from_parent = from_parent[0];
		int rc = child_main();
		fflush(stdout);
		_exit(rc);
	}
	close(to_parent[1]);
	close(from_parent[0]);
	struct ctl ctl = {.h = h, .ack_fd = from_parent[1]};
	ev_io ctl_w;
	ev_io_init(&ctl_w, ctl_cb, to_parent[0], EV_READ);
	ctl_w.data = &ctl;
	ev_io_start(loop, &ctl_w);
	ev_child cw;
	ev_child_init(&cw, child_cb, pid, 0);
	ev_child_start(loop, &cw);
	ev_run(loop, 0);
	ev_io_stop(loop, &ctl_w);
	close(to_parent[0]);
	close(from_parent[1]);
	http_stop(h);
	free(gz_bytes);
	free(big_old);
	free(big_new);
	ev_loop_destroy(loop);
	/* The child printed the TAP plan. */
	return WIFEXITED(child_status) ? WEXITSTATUS(child_status) : 1;
}
