#!/usr/bin/env python3
"""Nothing a source sent may run in any output (stdlib only).

  hostilecheck.py FILE...   Atom, RSS, JSON Feed or HTML, told apart by content. Every HTML
                            fragment (Atom summary/content, RSS description, JSON
                            content_html, the page itself) has no element that runs or loads
                            a document (script, iframe, object, embed, base, form, meta,
                            style, link...), no on* or style attribute, and no URL attribute
                            with a scheme other than http, https or mailto; every link the
                            document publishes itself (Atom link/@href, RSS link, source/@url,
                            guid isPermaLink, enclosure/@url, JSON url fields) is http(s).
Exit 0 when clean, 1 with one line per problem.
"""
import html.parser
import json
import re
import sys
import xml.etree.ElementTree as ET

RUNS = {"script", "iframe", "object", "embed", "base", "form", "meta", "style", "link",
        "frame", "frameset", "applet", "svg", "math", "template", "noscript", "input",
        "button", "textarea", "select"}
URL_ATTRS = {"href", "src", "srcset", "poster", "action", "formaction", "data", "background",
             "cite", "longdesc", "usemap", "xlink:href"}
SAFE = re.compile(r"^(https?:|mailto:|[^:]*$)", re.I)
problems = []


class Frag(html.parser.HTMLParser):
    def __init__(self, where, page):
        super().__init__(convert_charrefs=True)
        self.where, self.page = where, page

    def handle_starttag(self, tag, attrs):
        # The page's own head may hold <meta>, <link rel=alternate> and <style>: ours.
        if tag in RUNS and not (self.page and tag in ("meta", "link", "style")):
            problems.append(f"{self.where}: <{tag}> element")
        for k, v in attrs:
            v = v or ""
            if k.startswith("on"):
                problems.append(f"{self.where}: {k}= attribute on <{tag}>")
            if k == "style":
                problems.append(f"{self.where}: style= attribute on <{tag}>")
            if k in URL_ATTRS:
                for part in (v.split(",") if k == "srcset" else [v]):
                    u = re.sub(r"[\x00-\x20]", "", part.strip().split(" ")[0])
                    if not SAFE.match(u):
                        problems.append(f"{self.where}: {k}={v!r} on <{tag}>")


def frag(text, where, page=False):
    if text:
        p = Frag(where, page)
        p.feed(text)
        p.close()


def link(u, where):
    if u is not None and not re.match(r"^https?://", u.strip()):
        problems.append(f"{where}: published link {u!r}")


def check_xml(path, data):
    root = ET.fromstring(data)
    for el in root.iter():
        tag = el.tag.split("}")[-1]
        if tag in ("summary", "content") and el.get("type") == "html":
            frag(el.text, f"{path}: <{tag}>")
        if tag == "description":
            frag(el.text, f"{path}: <description>")
        if tag == "link" and el.get("href") is not None:
            link(el.get("href"), f"{path}: link/@href")
        if tag == "link" and el.get("href") is None and el.text:
            link(el.text, f"{path}: <link>")
        if tag in ("source", "enclosure") and el.get("url") is not None:
            link(el.get("url"), f"{path}: {tag}/@url")
        if tag == "guid" and el.get("isPermaLink") == "true":
            link(el.text, f"{path}: guid")
        if tag == "carrier":
            for a in ("href", "site"):
                if el.get(a) is not None:
                    link(el.get(a), f"{path}: carrier/@{a}")


def check_json(path, doc):
    def walk(o, key):
        if isinstance(o, dict):
            for k, v in o.items():
                walk(v, k)
        elif isinstance(o, list):
            for v in o:
                walk(v, key)
        elif isinstance(o, str):
            if key == "content_html":
                frag(o, f"{path}: content_html")
            if key in ("url", "home_page_url", "feed_url", "external_url"):
                link(o, f"{path}: {key}")
    walk(doc, "")


def main(paths):
    for path in paths:
        data = open(path, "rb").read()
        head = data.lstrip()[:20]
        if head.startswith(b"{"):
            check_json(path, json.loads(data))
        elif head.lower().startswith(b"<!doctype html"):
            frag(data.decode("utf-8"), path, page=True)
        else:
            check_xml(path, data)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
