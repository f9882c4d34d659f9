#!/usr/bin/env python3
"""A scripted DNS server on 127.0.0.1 for the name-lookup tests: never the machine's resolver.

Answers by the first label of the name asked:
  ok.*      -> A 127.0.0.1 (AAAA: no records)
  nx.*      -> NXDOMAIN at once
  silent.*  -> no answer at all (the lookup times out)
  other     -> REFUSED
Every query is logged as one line "QTYPE NAME" to --log. Stops on SIGTERM.
"""
import argparse
import socket
import struct
import sys


def parse_question(data):
    pos, labels = 12, []
    while pos < len(data) and data[pos] != 0:
        n = data[pos]
        labels.append(data[pos + 1:pos + 1 + n].decode("ascii", "replace"))
        pos += 1 + n
    qtype = struct.unpack("!H", data[pos + 1:pos + 3])[0] if pos + 3 <= len(data) else 0
    return ".".join(labels).lower(), qtype, data[12:pos + 5]


def answer(data, rcode, records):
    qid = data[:2]
    flags = 0x8180 | rcode  # response, recursion desired and available
    header = qid + struct.pack("!HHHHH", flags, 1, len(records), 0, 0)
    _, _, question = parse_question(data)
    body = b""
    for rdata in records:
        body += struct.pack("!HHHIH", 0xC00C, 1, 1, 60, len(rdata)) + rdata
    return header + question + body


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=53)
    ap.add_argument("--log", required=True)
    args = ap.parse_args()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", args.port))
    log = open(args.log, "a", buffering=1)
    log.write("ready\n")
    while True:
        data, peer = sock.recvfrom(4096)
        if len(data) < 12:
            continue
        name, qtype, _ = parse_question(data)
        log.write("%d %s\n" % (qtype, name))
        first = name.split(".", 1)[0]
        if first == "silent":
            continue
        if first == "ok":
            records = [socket.inet_aton("127.0.0.1")] if qtype == 1 else []
            sock.sendto(answer(data, 0, records), peer)
        elif first == "nx":
            sock.sendto(answer(data, 3, []), peer)
        else:
            sock.sendto(answer(data, 5, []), peer)


if __name__ == "__main__":
    sys.exit(main())
