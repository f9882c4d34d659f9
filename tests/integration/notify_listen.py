#!/usr/bin/env python3
"""The service manager's end of sd_notify(3) for tests/integration/systemd.sh.

Binds a unix datagram socket (a path, or '@name' in the abstract namespace), then appends each
datagram it receives to --out as one line: the time (monotonic seconds), a tab and the message
with its line breaks written as ' | '. Writes --ready-file once bound. Stops on SIGTERM or after
--timeout seconds.
"""
import argparse
import os
import signal
import socket
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--socket", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--ready-file", required=True)
    ap.add_argument("--timeout", type=float, default=120.0)
    a = ap.parse_args()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    addr = "\0" + a.socket[1:] if a.socket.startswith("@") else a.socket
    s.bind(addr)
    s.settimeout(0.5)
    with open(a.ready_file, "w") as f:
        f.write("ready\n")
    deadline = time.monotonic() + a.timeout
    with open(a.out, "a", buffering=1) as out:
        while time.monotonic() < deadline:
            try:
                data = s.recv(4096)
            except socket.timeout:
                continue
            msg = data.decode("utf-8", "replace").rstrip("\n").replace("\n", " | ")
            out.write("%.3f\t%s\n" % (time.monotonic(), msg))
    if not a.socket.startswith("@"):
        os.unlink(a.socket)


if __name__ == "__main__":
    main()
