#!/usr/bin/env python3
"""Hostile HTTP clients for hostile-clients.sh (stdlib only; loopback only; every wait bounded).

  hostileclient.py MODE PORT [ARGS]

  slowloris PORT N SECONDS    N connections trickle a header line a byte a second for SECONDS;
                              prints how many the server closed meanwhile
  idle-drop PORT WAIT         one connection sends half a request and waits: exit 0 when the
                              server closes it within WAIT seconds; prints after how long
  idle PORT N HOLD READY      opens up to N connections (as many as RLIMIT_NOFILE allows) that
                              send nothing, writes how many to the file READY, holds them HOLD s
  oversized PORT KIND         KIND line: a 100 KiB request target; header: a 100 KiB header
                              field; many: 2,000 header fields. Prints the status (or "closed")
  garbage PORT                random bytes, then binary junk with CRLFs; prints the status or
                              "closed" for each of 5 tries
  pipeline PORT PATH...       the GETs in one write; prints each response's status and
                              Content-Type, in the order they came
  noread PORT PATH N HOLD READY  N pipelined GETs of PATH with a small receive buffer, never
                              read; writes READY once sent, holds HOLD seconds
"""
import os
import random
import resource
import socket
import sys
import time

HOST = "127.0.0.1"
# FROM (environment): the local address the connections come from, 127.0.0.1 unless set (the
# daemon limits connections per client address; the loopback range has one per test client).
FROM = os.environ.get("FROM", "127.0.0.1")
TRICKLE = b"X-Trickle: 1\r\n"  # sent a byte at a time, forever: the request never ends


def connect(port, timeout=5.0, rcvbuf=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((FROM, 0))
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(timeout)
    s.connect((HOST, port))
    return s


def status_of(s, timeout=10.0):
    """The status of the one response s gets, "closed" when it gets none."""
    try:
        r = read_buffered(s, b"", time.time() + timeout)
    except OSError:
        r = None
    return "closed" if r is None else r[0]


def slowloris(port, n, seconds):
    socks = []
    for _ in range(n):
        s = connect(port)
        s.sendall(b"GET /feed.atom HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        s.setblocking(False)
        socks.append(s)
    closed = set()
    sent = [0] * n
    end = time.time() + seconds
    while time.time() < end:
        for i, s in enumerate(socks):
            if i in closed:
                continue
            try:
                s.send(TRICKLE[sent[i] % len(TRICKLE):][:1])
                sent[i] += 1
                if s.recv(1) == b"":
                    closed.add(i)
            except BlockingIOError:
                pass
            except OSError:
                closed.add(i)
        time.sleep(1)
    print("%d of %d closed by the server while trickling" % (len(closed), n))
    for s in socks:
        s.close()


def idle_drop(port, wait):
    s = connect(port, timeout=wait)
    s.sendall(b"GET /feed.atom HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    start = time.time()
    try:
        data = s.recv(65536)
    except socket.timeout:
        print("still open after %ds" % wait)
        return 1
    except ConnectionResetError:
        data = b""
    print("closed by the server after %.1fs%s" % (time.time() - start,
          " (it answered %r)" % data[:40] if data else ""))
    return 0


def idle(port, n, hold, ready):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    n = min(n, hard - 64)
    socks = []
    failed = 0
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((FROM, 0))
        s.setblocking(False)
        err = s.connect_ex((HOST, port))
        if err not in (0, 115):  # EINPROGRESS: the kernel completes it (or the SYN waits)
            failed += 1
            s.close()
            continue
        socks.append(s)
    with open(ready + ".tmp", "w") as fp:
        fp.write("%d %d\n" % (len(socks), failed))
    os.rename(ready + ".tmp", ready)
    end = time.time() + hold
    while time.time() < end:
        time.sleep(0.5)
    closed = 0
    for s in socks:
        try:
            if s.recv(1) == b"":
                closed += 1
        except (BlockingIOError, OSError):
            pass
        s.close()
    print("%d opened, %d refused at once, %d closed by the server within %ds" %
          (len(socks), failed, closed, hold))


def oversized(port, kind):
    s = connect(port, timeout=10)
    if kind == "line":
        req = b"GET /feed.atom?" + b"a" * (100 * 1024) + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    elif kind == "header":
        req = b"GET /feed.atom HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * (100 * 1024) + b"\r\n\r\n"
    else:
        req = (b"GET /feed.atom HTTP/1.1\r\nHost: x\r\n" +
               b"".join(b"X-H%d: v\r\n" % i for i in range(2000)) + b"\r\n")
    try:
        s.sendall(req)
    except (BrokenPipeError, ConnectionResetError):
        pass
    print(status_of(s))


def garbage(port):
    rnd = random.Random(12)
    out = []
    for i in range(5):
        s = connect(port, timeout=10)
        if i % 2 == 0:
            junk = bytes(rnd.randrange(256) for _ in range(4096))
        else:
            junk = b"\x00\xff\r\n" * 100 + b"GET\x00/ HTTP/9.9\r\n\r\n"
        try:
            s.sendall(junk)
            s.shutdown(socket.SHUT_WR) if i == 4 else None
        except (BrokenPipeError, ConnectionResetError):
            pass
        out.append(status_of(s))
        s.close()
    print(" ".join(out))


def pipeline(port, paths):
    s = connect(port, timeout=10)
    s.sendall(b"".join(b"GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % p.encode() for p in paths))
    deadline = time.time() + 20
    buf = b""
    out = []
    for _ in paths:
        r = read_buffered(s, buf, deadline)
        if r is None:
            out.append("closed")
            break
        status, headers, _, buf = r
        out.append("%s %s" % (status, headers.get("content-type", "-").split(";")[0]))
    print("\n".join(out))


def read_buffered(s, buf, deadline):
    while b"\r\n\r\n" not in buf:
        if time.time() > deadline:
            return None
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            return None
        if not chunk:
            return None
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    n = int(headers.get("content-length", "0"))
    while len(rest) < n:
        if time.time() > deadline:
            return None
        chunk = s.recv(65536)
        if not chunk:
            return None
        rest += chunk
    return lines[0].split(" ")[1], headers, rest[:n], rest[n:]


def noread(port, path, n, hold, ready):
    s = connect(port, timeout=10, rcvbuf=4096)
    s.setblocking(False)
    req = b"GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % path.encode()
    sent = 0
    end = time.time() + 10
    data = req * n
    while sent < len(data) and time.time() < end:
        try:
            sent += s.send(data[sent:])
        except BlockingIOError:
            time.sleep(0.05)
    with open(ready + ".tmp", "w") as fp:
        fp.write("%d\n" % sent)
    os.rename(ready + ".tmp", ready)
    time.sleep(hold)
    print("sent %d bytes of requests, read nothing for %ds" % (sent, hold))
    s.close()


def main():
    mode, port, args = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    if mode == "slowloris":
        return slowloris(port, int(args[0]), float(args[1]))
    if mode == "idle-drop":
        return idle_drop(port, float(args[0]))
    if mode == "idle":
        return idle(port, int(args[0]), float(args[1]), args[2])
    if mode == "oversized":
        return oversized(port, args[0])
    if mode == "garbage":
        return garbage(port)
    if mode == "pipeline":
        return pipeline(port, args)
    if mode == "noread":
        return noread(port, args[0], int(args[1]), float(args[2]), args[3])
    print("unknown mode " + mode, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main() or 0)
