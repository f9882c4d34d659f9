#!/usr/bin/env python3
"""The soak's feed server (stdlib only, 127.0.0.1): /feed/N is feed N, whose 10 items move on
every STEP seconds (a new one in, the oldest out), with an ETag (304 on If-None-Match while
nothing moved). Some feeds fail, each in its own way and always the same way:
  N % 10 == 3   HTTP 500            N % 25 == 7   a feed cut off mid-item (broken XML)
  N % 40 == 11  HTTP 404            N % 50 == 13  HTML, not a feed
Writes its port to --port-file once listening.
"""
import argparse
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STEP = 30


def feed(n, t):
    items = []
    for k in range(t, t - 10, -1):
        items.append(
            "<item><title>Feed %d story %d</title><link>http://soak%d.example/%d</link>"
            "<guid>http://soak%d.example/%d</guid><pubDate>%s</pubDate>"
            "<description>&lt;p&gt;Story %d of feed %d, %s&lt;/p&gt;</description></item>"
            % (n, k, n, k, n, k,
               time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(k * STEP)), k, n,
               "lorem ipsum dolor sit amet " * (1 + (n + k) % 5)))
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            "<title>Soak feed %d</title><link>http://soak%d.example/</link>%s</channel></rss>\n"
            % (n, n, "".join(items))).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send(self, status, body, ctype, extra=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_GET(self):
        parts = self.path.split("?")[0].strip("/").split("/")
        if len(parts) != 2 or parts[0] != "feed" or not parts[1].isdigit():
            return self.send(404, b"no\n", "text/plain")
        n = int(parts[1])
        t = int(time.time()) // STEP + n % STEP  # feeds move at different moments
        if n % 10 == 3:
            return self.send(500, b"scripted failure\n", "text/plain")
        if n % 40 == 11:
            return self.send(404, b"gone\n", "text/plain")
        if n % 50 == 13:
            return self.send(200, b"<!DOCTYPE html><html><body>not a feed</body></html>\n",
                             "text/html")
        etag = '"%d-%d"' % (n, t)
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return None
        body = feed(n, t)
        if n % 25 == 7:
            body = body[: len(body) * 2 // 3]
        return self.send(200, body, "application/rss+xml", {"ETag": etag})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    args = ap.parse_args()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.request_queue_size = 256
    with open(args.port_file + ".tmp", "w") as fp:
        fp.write("%d\n" % httpd.server_address[1])
    os.rename(args.port_file + ".tmp", args.port_file)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
