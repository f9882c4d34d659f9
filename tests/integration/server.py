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
  /big?mb=N             N MiB (default 11) of a feed that never ends its first item, streamed
                        64 KiB at a time (?mb=1024: 1 GiB that the server never holds)
  /gzip-bomb?mb=N       N MiB of zeros, gzip-compressed (about 1 KiB per MiB on the wire;
                        made in 1 MiB steps, so ?mb=1024 costs the server 1 MiB, not 1 GiB)
  /truncated/NAME       Content-Length of the whole fixture, then half of it and a close
  /html                 an HTML page, not a feed
  /code/NNN?to=PATH     redirect with that 3xx code to PATH (chains: nest a URL-encoded to)
  /retry/NNN?s=S        status NNN with Retry-After: S (seconds)
  /retry-date/NNN?s=S   status NNN with Retry-After: the HTTP date S seconds from now
  /challenge/NNN        status NNN with a Cloudflare-like challenge page
  /drip?s=N             headers, then one byte a second for N seconds (default 60)
  /novalidators/NAME    the fixture without ETag or Last-Modified, never a 304
  /lmonly/NAME          the fixture with Last-Modified only (304 on If-Modified-Since)
  /maxage/N/NAME        the fixture with Cache-Control: max-age=N
  /auth/NAME            401 (WWW-Authenticate: Basic) unless the Authorization is Basic
                        feeduser:s3cr3t-pw, then the fixture
  /cookie/NAME          without the cookie fm=1: 302 to itself with Set-Cookie: fm=1; with
                        it: the fixture
  /fail/N/NAME          500 for the first N requests of this path, then the fixture
  /rotate/NAME          the fixture with ETag "r-K" (K: the requests of this path so far);
                        any If-None-Match gets a 304 carrying that new ETag
  /hold?s=N             sleeps N seconds (default 1), then a tiny valid RSS

Every log line also has "host" (the Host header), "inflight_host" (like inflight, counting
only requests with the same Host header), "authorization" (the expected credentials are
logged as "Basic <redacted-ok>": the password never lands in the log), "cookie" and the
request's extra headers "x_test" (X-Test) and "accept_language".
"""
import argparse
import base64
import email.utils
import gzip
import hashlib
import json
import os
import sys
import threading
import time
import urllib.parse
import zlib
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
INFLIGHT_HOST = {}  # likewise, per Host header
SEEN = {}  # requests of each path so far (for /fail), under LOG_LOCK
AUTH_OK = "Basic " + base64.b64encode(b"feeduser:s3cr3t-pw").decode("ascii")
CHALLENGE = (b"<!DOCTYPE html><html lang=\"en-US\"><head><title>Just a moment...</title>"
             b"<meta http-equiv=\"refresh\" content=\"390\"></head><body>"
             b"<div id=\"cf-browser-verification\">Checking your browser before accessing "
             b"the site.</div><script src=\"/cdn-cgi/challenge-platform/h/g/orchestrate/"
             b"chl_page/v1\"></script></body></html>\n")
TINY_RSS = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>held</title>'
            b'<item><title>held</title><link>http://held.example/%s</link></item>'
            b'</channel></rss>')


BOMBS = {}  # the gzip bombs made so far, by size in MiB, under LOG_LOCK


def gzip_bomb(mb):
    """A gzip stream of an RSS start and mb MiB of zeros, made once per size and never whole
    in memory (a 1 GiB bomb is 1 MiB on the wire): after a full flush, deflate's output for
    the next MiB of zeros is the same bytes every time, so one MiB is compressed and repeated."""
    with LOG_LOCK:
        if mb in BOMBS:
            return BOMBS[mb]
    head = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>bomb</title>'
            b'<item><description>')
    zeros = b"0" * (1024 * 1024)
    z = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = z.compress(head) + z.flush(zlib.Z_FULL_FLUSH)
    step = z.compress(zeros) + z.flush(zlib.Z_FULL_FLUSH)
    end = z.flush()
    crc = zlib.crc32(head)
    for _ in range(mb):
        crc = zlib.crc32(zeros, crc)
    size = (len(head) + mb * len(zeros)) & 0xFFFFFFFF
    data = (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + start + step * mb + end +
            crc.to_bytes(4, "little") + size.to_bytes(4, "little"))
    with LOG_LOCK:
        BOMBS[mb] = data
    return data


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "feedmerge-test/1"

    def log_message(self, fmt, *args):  # quiet: the JSON log is the record
        pass

    def record(self):
        host = self.headers.get("Host")
        with LOG_LOCK:
            INFLIGHT[0] += 1
            inflight = INFLIGHT[0]
            INFLIGHT_HOST[host] = INFLIGHT_HOST.get(host, 0) + 1
            inflight_host = INFLIGHT_HOST[host]
            SEEN[self.path] = SEEN.get(self.path, 0) + 1
            self.seen = SEEN[self.path]
        auth = self.headers.get("Authorization")
        if auth is not None and auth == AUTH_OK:
            auth = "Basic <redacted-ok>"
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
            "host": host,
            "inflight_host": inflight_host,
            "authorization": auth,
            "cookie": self.headers.get("Cookie"),
            "x_test": self.headers.get("X-Test"),
            "accept_language": self.headers.get("Accept-Language"),
        }
        with LOG_LOCK, open(self.server.log_path, "a", encoding="utf-8") as fp:
            fp.write(json.dumps(entry) + "\n")

    def done(self):
        host = self.headers.get("Host")
        with LOG_LOCK:
            INFLIGHT[0] -= 1
            INFLIGHT_HOST[host] -= 1

    def do_HEAD(self):
        try:
            self.handle_any(head=True)
        finally:
            self.done()

    def do_GET(self):
        try:
            self.handle_any(head=False)
        finally:
            self.done()

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

    def serve_fixture(self, name, head, ctype=None, gz=False, validators="both", extra=None):
        data, mtime = self.fixture(name)
        if data is None:
            return self.send(404, b"not found\n", head=head)
        etag = '"%s"' % hashlib.sha1(data).hexdigest()[:16]
        last_modified = email.utils.formatdate(int(mtime), usegmt=True)
        inm = self.headers.get("If-None-Match") if validators == "both" else None
        ims = self.headers.get("If-Modified-Since") if validators != "none" else None
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
        if validators == "lm":
            del headers["ETag"]
        elif validators == "none":
            headers = {}
        headers.update(extra or {})
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
            try:
                return self.send(200, gzip_bomb(mb), "application/rss+xml",
                                 {"Content-Encoding": "gzip"}, head)
            except (BrokenPipeError, ConnectionResetError):
                return None
        if parts[0] == "code" and len(parts) == 2 and parts[1].isdigit():
            to = query.get("to", ["/"])[0]
            return self.send(int(parts[1]), b"", "text/html", {"Location": to}, head)
        if parts[0] in ("retry", "retry-date") and len(parts) == 2 and parts[1].isdigit():
            s = int(query.get("s", ["120"])[0])
            if parts[0] == "retry":
                value = str(s)
            else:
                value = email.utils.formatdate(time.time() + s, usegmt=True)
            return self.send(int(parts[1]), b"scripted status\n", extra={"Retry-After": value},
                             head=head)
        if parts[0] == "challenge" and len(parts) == 2 and parts[1].isdigit():
            return self.send(int(parts[1]), CHALLENGE, "text/html; charset=UTF-8", head=head)
        if path == "/drip":
            n = int(query.get("s", ["60"])[0])
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(n))
            self.end_headers()
            if head:
                return None
            try:
                for _ in range(n):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(1)
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True
            return None
        if path == "/hold":
            time.sleep(float(query.get("s", ["1"])[0]))
            try:
                return self.send(200, TINY_RSS % self.path.encode(), "application/rss+xml",
                                 head=head)
            except (BrokenPipeError, ConnectionResetError):
                return None
        if parts[0] == "novalidators" and len(parts) >= 2:
            return self.serve_fixture("/".join(parts[1:]), head, validators="none")
        if parts[0] == "lmonly" and len(parts) >= 2:
            return self.serve_fixture("/".join(parts[1:]), head, validators="lm")
        if parts[0] == "maxage" and len(parts) >= 3 and parts[1].isdigit():
            return self.serve_fixture("/".join(parts[2:]), head,
                                      extra={"Cache-Control": "max-age=" + parts[1]})
        if parts[0] == "auth" and len(parts) >= 2:
            if self.headers.get("Authorization") != AUTH_OK:
                return self.send(401, b"authentication required\n",
                                 extra={"WWW-Authenticate": 'Basic realm="feeds"'}, head=head)
            return self.serve_fixture("/".join(parts[1:]), head)
        if parts[0] == "cookie" and len(parts) >= 2:
            cookies = [c.strip() for c in (self.headers.get("Cookie") or "").split(";")]
            if "fm=1" not in cookies:
                return self.send(302, b"", "text/html",
                                 {"Location": self.path, "Set-Cookie": "fm=1; Path=/"}, head)
            return self.serve_fixture("/".join(parts[1:]), head)
        if parts[0] == "rotate" and len(parts) >= 2:
            extra = {"ETag": '"r-%d"' % self.seen}
            if self.headers.get("If-None-Match") is not None:
                return self.send(304, extra=extra, head=head)
            data, _ = self.fixture("/".join(parts[1:]))
            if data is None:
                return self.send(404, b"not found\n", head=head)
            return self.send(200, data, "application/rss+xml", extra, head)
        if parts[0] == "fail" and len(parts) >= 3 and parts[1].isdigit():
            if self.seen <= int(parts[1]):
                return self.send(500, b"scripted failure\n", head=head)
            return self.serve_fixture("/".join(parts[2:]), head)
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
