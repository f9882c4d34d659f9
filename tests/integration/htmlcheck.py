#!/usr/bin/env python3
"""Checks of the HTML page (stdlib only): used by tests/unit/test_emit_html.c on the
emitter's bytes and by tests/integration/html.sh on the served page and on Chromium's DOM.

  htmlcheck.py valid FILE      strict shape: <!DOCTYPE html> first, every element closed
                               explicitly and in order (what a browser would repair is an
                               error), void elements never closed, no attribute twice; and
                               nothing that runs: no script/iframe/object/embed/base/form
                               element, no on* or style attribute, no javascript:/vbscript:/
                               data: in href, src or action
  htmlcheck.py stories [--also TEXT] [--min N] FILE
                               every <article class="story"> has an <h2> title link, a
                               <time datetime> (RFC 3339 UTC), a source name, and the link
                               to the original equal to the title link; --also TEXT: some
                               story's "also in" line names TEXT; prints the story count
Exit status 0 when the checks pass, 1 with one line per problem on stderr.
"""
import html.parser
import re
import sys

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
RUNS = {"script", "iframe", "object", "embed", "base", "form", "frame", "frameset", "applet"}
TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children = []

    def text(self):
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def find_all(self, pred):
        for c in self.children:
            if isinstance(c, Node):
                if pred(c):
                    yield c
                yield from c.find_all(pred)

    def classes(self):
        return (self.attrs.get("class") or "").split()


class Builder(html.parser.HTMLParser):
    def __init__(self, strict):
        super().__init__(convert_charrefs=True)
        self.strict, self.problems = strict, []
        self.root = Node("#document", [], None)
        self.cur = self.root
        self.doctype = None
        self.seen_element = False

    def problem(self, msg):
        line, col = self.getpos()
        self.problems.append(f"{line}:{col}: {msg}")

    def handle_decl(self, decl):
        if not self.seen_element and self.doctype is None:
            self.doctype = decl

    def handle_starttag(self, tag, attrs):
        self.seen_element = True
        names = [a for a, _ in attrs]
        if len(names) != len(set(names)):
            self.problem(f"<{tag}>: an attribute twice")
        if tag in RUNS:
            self.problem(f"<{tag}> element")
        for a, v in attrs:
            if a.startswith("on") or a == "style":
                self.problem(f"<{tag} {a}=...>")
            if a in ("href", "src", "action", "poster") and v is not None:
                squashed = re.sub(r"[\x00-\x20]", "", v).lower()
                if re.match(r"(javascript|vbscript|data):", squashed):
                    self.problem(f"<{tag} {a}={v!r}>")
        node = Node(tag, attrs, self.cur)
        self.cur.children.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            if self.strict:
                self.problem(f"<{tag}/>: not a void element")
            self.cur = self.cur.parent

    def handle_endtag(self, tag):
        if tag in VOID:
            if self.strict:
                self.problem(f"</{tag}>: a void element")
            return
        n = self.cur
        while n is not self.root and n.tag != tag:
            n = n.parent
        if n is self.root:
            self.problem(f"</{tag}> closes nothing")
            return
        if n is not self.cur and self.strict:
            self.problem(f"</{tag}> closes <{self.cur.tag}> implicitly")
        self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def build(path, strict):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    b = Builder(strict)
    b.feed(text)
    b.close()
    if strict:
        if not text.startswith("<!DOCTYPE html>"):
            b.problems.append("does not start with <!DOCTYPE html>")
        if b.cur is not b.root:
            b.problems.append(f"<{b.cur.tag}> never closed")
    return b


def check_stories(root, also, minimum):
    problems = []
    stories = list(root.find_all(lambda n: n.tag == "article" and "story" in n.classes()))
    also_found = False
    for i, s in enumerate(stories, 1):
        h2 = [n for n in s.find_all(lambda n: n.tag == "h2")]
        title = h2[0].text().strip() if h2 else ""
        where = f"story {i} ({title[:40]!r})"
        links = [a for a in h2[0].find_all(lambda n: n.tag == "a")] if h2 else []
        href = links[0].attrs.get("href") if links else None
        if not title or not href:
            problems.append(f"{where}: no <h2> title link")
        times = [t for t in s.find_all(lambda n: n.tag == "time")]
        if not times or not TIME_RE.match(times[0].attrs.get("datetime") or ""):
            problems.append(f"{where}: no <time datetime=RFC 3339>")
        elif not times[0].text().strip():
            problems.append(f"{where}: <time> shows no date")
        src = [n for n in s.find_all(lambda n: "source" in n.classes())]
        if not src or not src[0].text().strip():
            problems.append(f"{where}: no source name")
        orig = [a for p in s.find_all(lambda n: "original" in n.classes())
                for a in p.find_all(lambda n: n.tag == "a")]
        if not orig or orig[0].attrs.get("href") != href or not orig[0].text().strip():
            problems.append(f"{where}: no link to the original ({href})")
        for p in s.find_all(lambda n: "also" in n.classes()):
            if also is not None and also in p.text():
                also_found = True
    if len(stories) < minimum:
        problems.append(f"{len(stories)} stories, want at least {minimum}")
    if also is not None and not also_found:
        problems.append(f"no story says it is also in {also!r}")
    if list(root.find_all(lambda n: n.tag == "script")):
        problems.append("a <script> element")
    return len(stories), problems


def main(argv):
    if len(argv) < 3 or argv[1] not in ("valid", "stories"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, path, rest = argv[1], None, argv[2:]
    also, minimum = None, 1
    while rest:
        arg = rest.pop(0)
        if arg == "--also" and rest and mode == "stories":
            also = rest.pop(0)
        elif arg == "--min" and rest and mode == "stories":
            minimum = int(rest.pop(0))
        elif not arg.startswith("--") and path is None:
            path = arg
        else:
            print(f"unexpected argument {arg}", file=sys.stderr)
            return 2
    if path is None:
        print(__doc__, file=sys.stderr)
        return 2
    if mode == "valid":
        problems = build(path, True).problems
    else:
        b = build(path, False)
        n, problems = check_stories(b.root, also, minimum)
        problems = b.problems + problems
        if not problems:
            print(n)
    for p in problems:
        print(f"{path}: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
