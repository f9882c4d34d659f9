/* bench/serve's stand-in for the daemon's gzip path until publish.c passes gzip bytes: serves
 * FILE at /feed.atom through http.c (the daemon's listener, same code and options) with its
 * gzip_compress() variant, on a libev loop, until SIGTERM. Writes the port to PORT_FILE. */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>

#include <ev.h>

#include "gzip.h"
#include "http.h"
#include "util.h"

static void stop_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: serve_bench FILE PORT_FILE\n");
		return 2;
	}
	FILE *fp = fopen(argv[1], "rb");
	size_t len;
	char *body = fp != NULL ? read_stream(fp, &len) : NULL;
	if (body == NULL) {
		perror(argv[1]);
		return 1;
	}
	fclose(fp);
	char *gz;
	size_t gz_len;
	if (gzip_compress(body, len, &gz, &gz_len) != 0)
		return 1;
	struct ev_loop *loop = ev_default_loop(0);
	char err[256];
	struct http_server *h = http_start(loop, "127.0.0.1:0", err, sizeof err);
	if (h == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	http_set_document(h, "/feed.atom", "application/atom+xml; charset=utf-8", body, len, gz,
	                  gz_len, 1700000000);
	free(body);
	free(gz);
	FILE *pf = fopen(argv[2], "w");
	if (pf == NULL || fprintf(pf, "%u\n", http_port(h)) < 0 || fclose(pf) != 0)
		return 1;
	ev_signal sig;
	ev_signal_init(&sig, stop_cb, SIGTERM);
	ev_signal_start(loop, &sig);
	ev_run(loop, 0);
	http_stop(h);
	return 0;
}
