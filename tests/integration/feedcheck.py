#!/usr/bin/env python3
"""Checks on the merged feed for the integration tests (stdlib only).

  feedcheck.py count FILE             prints the number of entries (Atom) or items (RSS)
  feedcheck.py unique FILE            every link once (compared in canonical form)
  feedcheck.py ids FILE               every atom:id an absolute IRI, unique
  feedcheck.py attributed FILE LABEL  every entry has atom:source (title, rel=self link) and
                                      the visible line "LABEL: <a href=...>"
  feedcheck.py source-of FILE SUBSTR  prints "N TITLE|TITLE…": entries whose link contains
                                      SUBSTR and their atom:source titles
  feedcheck.py rss FILE               every RSS item has <source url="...">TITLE</source>
  feedcheck.py links FILE             prints every entry's link, canonical form, sorted

Exit 0 when the check holds, 1 with the reasons on stdout otherwise.
"""
import re
import sys
import urllib.parse
import xml.etree.ElementTree as ET

A = "{http://www.w3.org/2005/Atom}"


def canonical(link):
    """The dedup key the issue asks for: fragment removed, scheme and host lowercased, and
    utm_* tracking parameters dropped."""
    u = urllib.parse.urlsplit(link.strip())
    query = [
        (k, v)
        for k, v in urllib.parse.parse_qsl(u.query, keep_blank_values=True)
        if not k.lower().startswith("utm_")
    ]
    return urllib.parse.urlunsplit(
        (u.scheme.lower(), u.netloc.lower(), u.path or "/", urllib.parse.urlencode(query), "")
    )


def atom_entries(path):
    root = ET.parse(path).getroot()
    if root.tag != A + "feed":
        raise SystemExit("%s: not an Atom feed (root %s)" % (path, root.tag))
    return root, root.findall(A + "entry")


def entry_link(e):
    for l in e.findall(A + "link"):
        if l.get("rel", "alternate") == "alternate":
            return l.get("href")
    return None


def entry_text(e):
    parts = []
    for tag in ("content", "summary"):
        el = e.find(A + tag)
        if el is not None:
            parts.append("".join(el.itertext()))
            parts.append(ET.tostring(el, encoding="unicode"))
    return "\n".join(parts)


def cmd_count(path):
    root = ET.parse(path).getroot()
    if root.tag == A + "feed":
        print(len(root.findall(A + "entry")))
    else:
        print(len(root.findall("./channel/item")))
    return 0


def cmd_unique(path):
    _, entries = atom_entries(path)
    seen = {}
    bad = []
    for e in entries:
        link = entry_link(e)
        if link is None:
            continue
        key = canonical(link)
        if key in seen:
            bad.append("twice: %s (%s and %s)" % (key, seen[key], link))
        seen[key] = link
    for b in bad:
        print(b)
    return 1 if bad else 0


def cmd_ids(path):
    _, entries = atom_entries(path)
    seen = set()
    bad = []
    for e in entries:
        el = e.find(A + "id")
        i = el.text.strip() if el is not None and el.text else ""
        if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", i):
            bad.append("not an absolute IRI: %r" % i)
        if i in seen:
            bad.append("id twice: %s" % i)
        seen.add(i)
    for b in bad:
        print(b)
    return 1 if bad else 0


def cmd_attributed(path, label):
    _, entries = atom_entries(path)
    bad = []
    for e in entries:
        link = entry_link(e)
        src = e.find(A + "source")
        if src is None:
            bad.append("no atom:source: %s" % link)
            continue
        title = src.find(A + "title")
        if title is None or not "".join(title.itertext()).strip():
            bad.append("atom:source without a title: %s" % link)
        if not any(l.get("rel") == "self" for l in src.findall(A + "link")):
            bad.append("atom:source without rel=self: %s" % link)
        if label and (label + ": <a href=") not in entry_text(e):
            bad.append("no visible '%s:' line: %s" % (label, link))
    for b in bad[:20]:
        print(b)
    return 1 if bad else 0


def cmd_source_of(path, substr):
    _, entries = atom_entries(path)
    titles = []
    for e in entries:
        link = entry_link(e) or ""
        if substr in link:
            src = e.find(A + "source")
            t = src.find(A + "title") if src is not None else None
            titles.append("".join(t.itertext()).strip() if t is not None else "")
    print("%d %s" % (len(titles), "|".join(titles)))
    return 0


def cmd_rss(path):
    root = ET.parse(path).getroot()
    items = root.findall("./channel/item")
    bad = []
    for it in items:
        src = it.find("source")
        if src is None or not src.get("url") or not (src.text or "").strip():
            bad.append("item without <source url>: %s" % it.findtext("link"))
    for b in bad[:20]:
        print(b)
    return 1 if bad or root.tag != "rss" else 0


def cmd_links(path):
    _, entries = atom_entries(path)
    for key in sorted(canonical(entry_link(e)) for e in entries if entry_link(e)):
        print(key)
    return 0


def main(argv):
    cmds = {
        "count": (cmd_count, 1),
        "unique": (cmd_unique, 1),
        "ids": (cmd_ids, 1),
        "attributed": (cmd_attributed, 2),
        "source-of": (cmd_source_of, 2),
        "rss": (cmd_rss, 1),
        "links": (cmd_links, 1),
    }
    if len(argv) < 2 or argv[1] not in cmds or len(argv) - 2 != cmds[argv[1]][1]:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        return cmds[argv[1]][0](*argv[2:])
    except (ET.ParseError, OSError) as e:
        print("%s: %s" % (argv[2], e))
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
