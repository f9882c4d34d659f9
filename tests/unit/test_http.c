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
	return done_testing();
}

static int child_status = -1;

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

	fflush(stdout);
	pid_t pid = fork();
	if (pid == -1) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		int rc = child_main();
		fflush(stdout);
		_exit(rc);
	}
	ev_child cw;
	ev_child_init(&cw, child_cb, pid, 0);
	ev_child_start(loop, &cw);
	ev_run(loop, 0);
	http_stop(h);
	ev_loop_destroy(loop);
	/* The child printed the TAP plan. */
	return WIFEXITED(child_status) ? WEXITSTATUS(child_status) : 1;
}
