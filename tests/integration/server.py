#!/usr/bin/env python3
"""A scripted HTTP server for the integration tests (stdlib only).

Binds 127.0.0.1 on a free port and writes the port to --port-file (atomically, once it
listens). Logs every request as one JSON line to --log, so tests assert what the daemon SENT; "inflight"
is how many requests were being answered when it arrived (itself included).

Routes (GET and HEAD):
  /NAME, /f/N/NAME      the fixture ROOT/NAME, with ETag, Last-Modified and 304s
  /latin1/NAME          the fixture, Content-Type: text/xml; charset=iso-8859-1
  /gzip/NAME            the fixture gzip-compressed (Content-Encoding: gzip)
  /redirect?to=PATH     302 to PATH (with an ETag and Last-Modified of its own)
  /redirect-loop        302 to itself, forever
  /redirect-ftp         302 to an ftp: URL
  /status/NNN           status NNN (503 and 429 carry Retry-After: 120)
  /slow?s=N             sleeps N seconds (default 5), then serves a tiny feed
  /big?mb=N             N MiB (default 11) of a feed that never ends its first item
  /gzip-bomb?mb=N       N MiB of zeros, gzip-compressed (a few KiB on the wire)
  /truncated/NAME       Content-Length of the whole fixture, then half of it and a close
  /html                 an HTML page, not a feed
"""
import argparse
import email.utils
import gzip
import hashlib
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TYPES = {
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".xml": "application/xml",
    ".rdf": "application/rdf+xml",
    ".json": "application/feed+json",
    ".html": "text/html; charset=utf-8",
}

LOG_LOCK = threading.Lock()
INFLIGHT = [0]  # requests being answered right now, under LOG_LOCK


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "feedmerge-test/1"

    def log_message(self, fmt, *args):  # quiet: the JSON log is the record
        pass

    def record(self):
        with LOG_LOCK:
            INFLIGHT[0] += 1
            inflight = INFLIGHT[0]
        entry = {
            "time": time.time(),
            "inflight": inflight,
            "method": self.command,
            "path": self.path,
            "user_agent": self.headers.get("User-Agent"),
            "if_none_match": self.headers.get("If-None-Match"),
            "if_modified_since": self.headers.get("If-Modified-Since"),
            "accept": self.headers.get("Accept"),
            "accept_encoding": self.headers.get("Accept-Encoding"),
        }
        with LOG_LOCK, open(self.server.log_path, "a", encoding="utf-8") as fp:
            fp.write(json.dumps(entry) + "\n")

    def do_HEAD(self):
        try:
            self.handle_any(head=True)
        finally:
            with LOG_LOCK:
                INFLIGHT[0] -= 1

    def do_GET(self):
        try:
            self.handle_any(head=False)
        finally:
            with LOG_LOCK:
                INFLIGHT[0] -= 1

    def send(self, status, body=b"", ctype="text/plain; charset=utf-8", extra=None, head=False):
        self.send_response(status)
        if status != 304:
            self.send_header("Content-Type", ctype)
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head and status != 304 and body:
            self.wfile.write(body)

    def fixture(self, name):
        root = self.server.root
        path = os.path.realpath(os.path.join(root, name))
        if not path.startswith(os.path.realpath(root) + os.sep) or not os.path.isfile(path):
            return None, None
        with open(path, "rb") as fp:
            return fp.read(), os.stat(path).st_mtime

    def serve_fixture(self, name, head, ctype=None, gz=False):
        data, mtime = self.fixture(name)
        if data is None:
            return self.send(404, b"not found\n", head=head)
        etag = '"%s"' % hashlib.sha1(data).hexdigest()[:16]
        last_modified = email.utils.formatdate(int(mtime), usegmt=True)
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        not_modified = False
        if inm is not None:
            not_modified = etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
        elif ims is not None:
            try:
                since = email.utils.parsedate_to_datetime(ims).timestamp()
                not_modified = int(mtime) <= since
            except (TypeError, ValueError):
                pass
        headers = {"ETag": etag, "Last-Modified": last_modified}
        if not_modified:
            return self.send(304, extra=headers, head=head)
        if ctype is None:
            ctype = TYPES.get(os.path.splitext(name)[1], "application/octet-stream")
        if gz:
            data = gzip.compress(data)
            headers["Content-Encoding"] = "gzip"
        return self.send(200, data, ctype, headers, head)

    def handle_any(self, head):
        self.record()
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)
        query = urllib.parse.parse_qs(url.query)
        parts = path.lstrip("/").split("/")

        if parts[0] == "status" and len(parts) == 2 and parts[1].isdigit():
            status = int(parts[1])
            extra = {"Retry-After": "120"} if status in (429, 503) else None
            return self.send(status, b"scripted status\n", extra=extra, head=head)
        if path == "/slow":
            time.sleep(float(query.get("s", ["5"])[0]))
            body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>slow</title></channel></rss>'
            try:
                return self.send(200, body, "application/rss+xml", head=head)
            except (BrokenPipeError, ConnectionResetError):
                return None
        if path == "/redirect":
            # Validators of its own, which the fetcher must not keep: only the final
            # response's count.
            to = query.get("to", ["/"])[0]
            extra = {"Location": to, "ETag": '"redirect-etag"',
                     "Last-Modified": "Mon, 01 Jan 2001 00:00:00 GMT"}
            return self.send(302, b"", "text/html", extra, head)
        if path == "/redirect-loop":
            return self.send(302, b"", extra={"Location": "/redirect-loop"}, head=head)
        if path == "/redirect-ftp":
            return self.send(302, b"", extra={"Location": "ftp://127.0.0.1/feed.xml"}, head=head)
        if path == "/html":
            body = b"<!DOCTYPE html><html><head><title>Not a feed</title></head><body><p>Hello</p></body></html>\n"
            return self.send(200, body, "text/html; charset=utf-8", head=head)
        if path == "/big":
            mb = int(query.get("mb", ["11"])[0])
            head_xml = b'<?xml version="1.0"?><rss version="2.0"><channel><title>big</title><item><description>'
            filler = b"x" * 65536
            n = (mb * 1024 * 1024) // len(filler)
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(head_xml) + n * len(filler)))
            self.end_headers()
            if head:
                return None
            try:
                self.wfile.write(head_xml)
                for _ in range(n):
                    self.wfile.write(filler)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return None
        if path == "/gzip-bomb":
            mb = int(query.get("mb", ["11"])[0])
            raw = b'<?xml version="1.0"?><rss version="2.0"><channel><title>bomb</title><item><description>'
            raw += b"0" * (mb * 1024 * 1024)
            try:
                return self.send(200, gzip.compress(raw), "application/rss+xml",
                                 {"Content-Encoding": "gzip"}, head)
            except (BrokenPipeError, ConnectionResetError):
                return None
        if parts[0] == "truncated" and len(parts) >= 2:
            data, _ = self.fixture("/".join(parts[1:]))
            if data is None:
                return self.send(404, b"not found\n", head=head)
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if not head:
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
            self.close_connection = True
            return None
        if parts[0] == "latin1" and len(parts) >= 2:
            return self.serve_fixture("/".join(parts[1:]), head,
                                      ctype="text/xml; charset=iso-8859-1")
        if parts[0] == "gzip" and len(parts) >= 2:
            return self.serve_fixture("/".join(parts[1:]), head, gz=True)
        if parts[0] == "f" and len(parts) >= 3:
            return self.serve_fixture("/".join(parts[2:]), head)
        return self.serve_fixture(path.lstrip("/"), head)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", required=True, help="folder of fixtures")
    ap.add_argument("--log", required=True, help="JSON lines of every request")
    ap.add_argument("--port-file", required=True, help="written once listening")
    args = ap.parse_args()

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.root = os.path.abspath(args.root)
    httpd.log_path = args.log
    open(args.log, "a").close()
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as fp:
        fp.write("%d\n" % httpd.server_address[1])
    os.rename(tmp, args.port_file)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
