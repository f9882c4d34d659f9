#!/usr/bin/env python3
"""Checks a JSON Feed 1.1 document's structure (https://www.jsonfeed.org/version/1.1/), stdlib
only.

  jsonfeedcheck.py FILE                  the document is a valid JSON Feed 1.0 or 1.1: required
                                         keys, types, item ids unique strings, RFC 3339 dates,
                                         absolute http(s) URLs, attachments with url and
                                         mime_type; feedmerge's _source extension well formed
  jsonfeedcheck.py source-of FILE SUBSTR prints "N TITLE|ALSO…" for the items whose url contains
                                         SUBSTR: how many, and each one's _source title
                                         followed by the titles in its also[]
  jsonfeedcheck.py ids FILE ATOM         the items' ids are the Atom feed's entry ids, in order

Exit 0 when the check holds, 1 with the reasons on stdout otherwise.
"""
import datetime
import json
import re
import sys
import urllib.parse
import xml.etree.ElementTree as ET

VERSIONS = ("https://jsonfeed.org/version/1", "https://jsonfeed.org/version/1.1")
RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)


class Checker:
    def __init__(self):
        self.problems = []

    def bad(self, where, msg):
        self.problems.append("%s: %s" % (where, msg))

    def string(self, obj, key, where, required=False):
        """The string obj[key], or None (a problem when required or not a string)."""
        if key not in obj:
            if required:
                self.bad(where, "%s missing" % key)
            return None
        v = obj[key]
        if not isinstance(v, str):
            self.bad(where, "%s is not a string: %r" % (key, v))
            return None
        return v

    def url(self, obj, key, where, required=False):
        v = self.string(obj, key, where, required)
        if v is None:
            return None
        u = urllib.parse.urlsplit(v)
        if u.scheme not in ("http", "https") or not u.netloc:
            self.bad(where, "%s is not an absolute http(s) URL: %r" % (key, v))
        elif u.username is not None or u.password is not None:
            self.bad(where, "%s carries credentials: %r" % (key, v))
        return v

    def date(self, obj, key, where):
        v = self.string(obj, key, where)
        if v is None:
            return None
        m = RFC3339.match(v)
        try:
            if m is None:
                raise ValueError("not RFC 3339")
            y, mo, d, h, mi, s = (int(m.group(i)) for i in range(1, 7))
            datetime.datetime(y, mo, d, h, mi, min(s, 59))  # 60: a leap second
            if s > 60:
                raise ValueError("second out of range")
        except ValueError as e:
            self.bad(where, "%s %r: %s" % (key, v, e))
        return v

    def number(self, obj, key, where):
        if key in obj:
            v = obj[key]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
                self.bad(where, "%s is not a non-negative number: %r" % (key, v))

    def authors(self, obj, where):
        if "author" in obj:
            self.author(obj["author"], where + ".author")
        if "authors" not in obj:
            return
        a = obj["authors"]
        if not isinstance(a, list):
            self.bad(where, "authors is not an array")
            return
        for i, au in enumerate(a):
            self.author(au, "%s.authors[%d]" % (where, i))

    def author(self, au, where):
        if not isinstance(au, dict):
            self.bad(where, "not an object")
            return
        self.string(au, "name", where)
        u = au.get("url")
        if not (isinstance(u, str) and u.startswith("mailto:")):  # the spec allows mailto:
            self.url(au, "url", where)
        self.string(au, "avatar", where)
        if not any(k in au for k in ("name", "url", "avatar")):
            self.bad(where, "an author needs a name, url or avatar")

    def credit(self, c, where):
        """One credit of feedmerge's _source extension (the object itself or one of also[])."""
        if not isinstance(c, dict):
            self.bad(where, "not an object")
            return
        self.string(c, "title", where)
        self.url(c, "feed_url", where)
        self.url(c, "home_page_url", where)
        self.date(c, "first_seen", where)

    def source(self, s, where):
        if not isinstance(s, dict):
            self.bad(where, "not an object")
            return
        self.url(s, "about", where, required=True)
        self.credit(s, where)
        also = s.get("also", [])
        if not isinstance(also, list):
            self.bad(where, "also is not an array")
            return
        for i, c in enumerate(also):
            self.credit(c, "%s.also[%d]" % (where, i))

    def item(self, it, where, ids):
        if not isinstance(it, dict):
            self.bad(where, "not an object")
            return
        i = self.string(it, "id", where, required=True)
        if i is not None:
            if i == "":
                self.bad(where, "id is empty")
            elif i in ids:
                self.bad(where, "id %r repeats item %d's" % (i, ids[i]))
            else:
                ids[i] = len(ids)
        self.url(it, "url", where)
        self.url(it, "external_url", where)
        for k in ("title", "content_html", "content_text", "summary", "language"):
            self.string(it, k, where)
        if "content_html" not in it and "content_text" not in it:
            self.bad(where, "neither content_html nor content_text")
        for k in ("image", "banner_image"):
            self.url(it, k, where)
        self.date(it, "date_published", where)
        self.date(it, "date_modified", where)
        self.authors(it, where)
        if "tags" in it:
            tags = it["tags"]
            if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
                self.bad(where, "tags is not an array of strings")
        if "attachments" in it:
            att = it["attachments"]
            if not isinstance(att, list):
                self.bad(where, "attachments is not an array")
                att = []
            for n, a in enumerate(att):
                w = "%s.attachments[%d]" % (where, n)
                if not isinstance(a, dict):
                    self.bad(w, "not an object")
                    continue
                self.url(a, "url", w, required=True)
                mt = self.string(a, "mime_type", w, required=True)
                if mt is not None and not re.match(r"^[^/\s]+/[^/\s]+", mt):
                    self.bad(w, "mime_type is not a media type: %r" % mt)
                self.string(a, "title", w)
                self.number(a, "size_in_bytes", w)
                self.number(a, "duration_in_seconds", w)
        if "_source" in it:
            self.source(it["_source"], where + "._source")

    def feed(self, doc):
        if not isinstance(doc, dict):
            self.bad("feed", "the top level is not an object")
            return
        v = self.string(doc, "version", "feed", required=True)
        if v is not None and v not in VERSIONS:
            self.bad("feed", "version %r is not a JSON Feed version" % v)
        self.string(doc, "title", "feed", required=True)
        for k in ("home_page_url", "feed_url", "next_url", "icon", "favicon"):
            self.url(doc, k, "feed")
        for k in ("description", "user_comment", "language"):
            self.string(doc, k, "feed")
        if "expired" in doc and not isinstance(doc["expired"], bool):
            self.bad("feed", "expired is not a boolean")
        self.authors(doc, "feed")
        if "items" not in doc:
            self.bad("feed", "items missing")
            return
        items = doc["items"]
        if not isinstance(items, list):
            self.bad("feed", "items is not an array")
            return
        ids = {}
        for n, it in enumerate(items):
            self.item(it, "items[%d]" % n, ids)


def load(path):
    """The document at path, strictly: UTF-8, no NaN or Infinity, no duplicate keys."""

    def no_dups(pairs):
        keys = [k for k, _ in pairs]
        dup = {k for k in keys if keys.count(k) > 1}
        if dup:
            raise ValueError("duplicate keys %s" % sorted(dup))
        return dict(pairs)

    def no_constant(c):
        raise ValueError("%s is not JSON" % c)

    with open(path, "rb") as f:
        data = f.read()
    return json.loads(
        data.decode("utf-8"), object_pairs_hook=no_dups, parse_constant=no_constant
    )


def fail(problems):
    for p in problems[:50]:
        print(p)
    if len(problems) > 50:
        print("... and %d more" % (len(problems) - 50))
    sys.exit(1)


def cmd_validate(path):
    try:
        doc = load(path)
    except (OSError, UnicodeDecodeError, ValueError) as e:
        fail(["%s: %s" % (path, e)])
    c = Checker()
    c.feed(doc)
    if c.problems:
        fail(["%s: %s" % (path, p) for p in c.problems])


def cmd_source_of(path, substr):
    doc = load(path)
    found = []
    for it in doc.get("items", []):
        if substr in it.get("url", ""):
            src = it.get("_source", {})
            titles = [src.get("title", "")] + [a.get("title", "") for a in src.get("also", [])]
            found.append("|".join(titles))
    print(len(found), " ".join(found))


def cmd_ids(path, atom):
    doc = load(path)
    a = "{http://www.w3.org/2005/Atom}"
    want = [e.findtext(a + "id") for e in ET.parse(atom).getroot().findall(a + "entry")]
    got = [it.get("id") for it in doc.get("items", [])]
    if got != want:
        fail(["ids differ:", "  json: %r" % got[:10], "  atom: %r" % want[:10]])


def main(argv):
    if len(argv) == 2:
        cmd_validate(argv[1])
    elif len(argv) == 4 and argv[1] == "source-of":
        cmd_source_of(argv[2], argv[3])
    elif len(argv) == 4 and argv[1] == "ids":
        cmd_ids(argv[2], argv[3])
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv)
