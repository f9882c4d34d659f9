#!/usr/bin/env python3
"""Compare `feedmerge parse` output with an expected file, or check it against the contract.

  jsondiff.py EXPECTED ACTUAL     exit 0 when equal as parsed JSON, else 1 and the first
                                  differences, one per line, as PATH: expected X, got Y
  jsondiff.py --contract FILE     exit 0 when FILE is valid UTF-8 JSON holding exactly the
                                  keys and types of the `feedmerge parse` contract (issue 2),
                                  with the feed's polling hints when present (issue 8)

Standard library only; messages go to stdout so the TAP runner can prefix them with '#'.
"""
import json
import re
import sys

MAX_DIFFS = 12
MAX_SHOWN = 160

FORMATS = {"rss2.0", "rss0.9x", "rss1.0", "atom1.0", "atom0.3", "jsonfeed1"}
DATE_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
FEED_KEYS = ["format", "title", "link", "id", "updated", "language", "entries"]
# The feed's polling hints (issue 8): present only when the document gives them.
FEED_HINT_KEYS = ["ttl_s", "skip_hours", "skip_days", "update_period_s"]
DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
ENTRY_KEYS = ["id", "link", "title", "summary", "content", "author", "published", "updated",
              "categories", "enclosures", "source"]
# An entry's author e-mail (issue 13): present only when the document gives one.
# The link feedburner:origLink replaced (issue 13), likewise.
ENTRY_OPTIONAL_KEYS = ["author_email", "link_proxy"]
ENCLOSURE_KEYS = ["url", "type", "length"]
SOURCE_KEYS = ["title", "feed_url", "link"]


def load(path):
    """Returns the parsed JSON of path; raises ValueError with a readable reason."""
    with open(path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError("%s: not valid UTF-8 at byte %d" % (path, e.start))
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError("%s: not JSON: %s" % (path, e))


def show(v):
    s = json.dumps(v, ensure_ascii=False)
    return s if len(s) <= MAX_SHOWN else s[:MAX_SHOWN] + "...(%d chars)" % len(s)


def show_strings(a, b):
    """Both strings, cut around their first difference so long HTML stays readable."""
    i = 0
    while i < len(a) and i < len(b) and a[i] == b[i]:
        i += 1
    start = max(0, i - 40)
    pre = "..." if start > 0 else ""

    def cut(s):
        part = s[start:start + MAX_SHOWN]
        more = "..." if start + MAX_SHOWN < len(s) else ""
        return pre + json.dumps(part, ensure_ascii=False) + more

    return cut(a), cut(b), i


def diff(exp, act, path, out):
    if len(out) >= MAX_DIFFS:
        return
    if isinstance(exp, dict) and isinstance(act, dict):
        for k in exp:
            if k not in act:
                out.append("%s.%s: missing (expected %s)" % (path, k, show(exp[k])))
            else:
                diff(exp[k], act[k], "%s.%s" % (path, k), out)
        for k in act:
            if k not in exp:
                out.append("%s.%s: unexpected key (got %s)" % (path, k, show(act[k])))
        return
    if isinstance(exp, list) and isinstance(act, list):
        if len(exp) != len(act):
            out.append("%s: expected %d elements, got %d" % (path, len(exp), len(act)))
        for i in range(min(len(exp), len(act))):
            diff(exp[i], act[i], "%s[%d]" % (path, i), out)
        return
    if type(exp) is not type(act) or exp != act:
        if isinstance(exp, str) and isinstance(act, str):
            e, a, at = show_strings(exp, act)
            out.append("%s: differs at char %d:" % (path, at))
            out.append("    expected %s" % e)
            out.append("    got      %s" % a)
        else:
            out.append("%s: expected %s, got %s" % (path, show(exp), show(act)))


def check_keys(obj, keys, path, out, optional=()):
    if not isinstance(obj, dict):
        out.append("%s: not an object" % path)
        return False
    for k in keys:
        if k not in obj:
            out.append("%s.%s: missing" % (path, k))
    for k in obj:
        if k not in keys and k not in optional:
            out.append("%s.%s: not in the contract" % (path, k))
    return True


def check_hints(doc, out):
    """The optional polling hints: seconds as non-negative ints (the update period at least
    1), hours 0-23 ascending and distinct, day names in week order from Sunday, none empty."""
    for k in ("ttl_s", "update_period_s"):
        if k in doc:
            n = doc[k]
            if type(n) is not int or n < (1 if k == "update_period_s" else 0):
                out.append("$.%s: expected a %s int, got %s"
                           % (k, "positive" if k == "update_period_s" else "non-negative",
                              show(n)))
    if "skip_hours" in doc:
        h = doc["skip_hours"]
        if (not isinstance(h, list) or not h or
                any(type(x) is not int or not 0 <= x <= 23 for x in h) or
                h != sorted(set(h))):
            out.append("$.skip_hours: expected distinct hours 0-23 in ascending order, got %s"
                       % show(h))
    if "skip_days" in doc:
        d = doc["skip_days"]
        if (not isinstance(d, list) or not d or any(x not in DAYS for x in d) or
                d != sorted(set(d), key=DAYS.index)):
            out.append("$.skip_days: expected distinct day names from Sunday on, got %s"
                       % show(d))


def check_str(v, path, out, nullable=True):
    if v is None and nullable:
        return
    if not isinstance(v, str):
        out.append("%s: expected a string%s, got %s" % (path, " or null" if nullable else "",
                                                        show(v)))
        return
    for ch in v:
        if 0xD800 <= ord(ch) <= 0xDFFF:
            out.append("%s: lone UTF-16 surrogate U+%04X" % (path, ord(ch)))
            return


def check_date(v, path, out):
    if v is None:
        return
    if not isinstance(v, str) or not DATE_RE.match(v):
        out.append("%s: expected YYYY-MM-DDTHH:MM:SSZ or null, got %s" % (path, show(v)))


def contract(doc):
    """Returns the list of contract violations in doc (empty when it conforms)."""
    out = []
    if not check_keys(doc, FEED_KEYS, "$", out, FEED_HINT_KEYS):
        return out
    check_hints(doc, out)
    if doc.get("format") not in FORMATS:
        out.append("$.format: %s is not one of %s" % (show(doc.get("format")),
                                                     ", ".join(sorted(FORMATS))))
    for k in ("title", "link", "id", "language"):
        check_str(doc.get(k), "$." + k, out)
    if doc.get("title") == "":
        out.append("$.title: empty string (should be null)")
    check_date(doc.get("updated"), "$.updated", out)
    entries = doc.get("entries")
    if not isinstance(entries, list):
        out.append("$.entries: not an array")
        return out
    for i, e in enumerate(entries):
        p = "$.entries[%d]" % i
        if not check_keys(e, ENTRY_KEYS, p, out, ENTRY_OPTIONAL_KEYS):
            continue
        for k in ("id", "link", "title", "summary", "content", "author"):
            check_str(e.get(k), "%s.%s" % (p, k), out)
        if "link_proxy" in e:
            check_str(e["link_proxy"], p + ".link_proxy", out, nullable=False)
        if "author_email" in e:
            check_str(e["author_email"], p + ".author_email", out, nullable=False)
            if "@" not in e["author_email"]:
                out.append("%s.author_email: not an address: %s" % (p, show(e["author_email"])))
        if e.get("title") == "":
            out.append("%s.title: empty string (should be null)" % p)
        check_date(e.get("published"), p + ".published", out)
        check_date(e.get("updated"), p + ".updated", out)
        cats = e.get("categories")
        if not isinstance(cats, list):
            out.append("%s.categories: not an array" % p)
        else:
            for j, c in enumerate(cats):
                check_str(c, "%s.categories[%d]" % (p, j), out, nullable=False)
        encs = e.get("enclosures")
        if not isinstance(encs, list):
            out.append("%s.enclosures: not an array" % p)
        else:
            for j, en in enumerate(encs):
                q = "%s.enclosures[%d]" % (p, j)
                if not check_keys(en, ENCLOSURE_KEYS, q, out):
                    continue
                check_str(en.get("url"), q + ".url", out, nullable=False)
                check_str(en.get("type"), q + ".type", out)
                n = en.get("length")
                if n is not None and (type(n) is not int or n < 0):
                    out.append("%s.length: expected a non-negative int or null, got %s"
                               % (q, show(n)))
        src = e.get("source")
        if src is not None and check_keys(src, SOURCE_KEYS, p + ".source", out):
            for k in SOURCE_KEYS:
                check_str(src.get(k), "%s.source.%s" % (p, k), out)
        if len(out) >= MAX_DIFFS:
            break
    return out


def main(argv):
    if len(argv) == 3 and argv[1] == "--contract":
        try:
            doc = load(argv[2])
        except (OSError, ValueError) as e:
            print(e)
            return 1
        problems = contract(doc)
        for line in problems[:MAX_DIFFS]:
            print(line)
        return 1 if problems else 0
    if len(argv) == 3:
        try:
            exp = load(argv[1])
            act = load(argv[2])
        except (OSError, ValueError) as e:
            print(e)
            return 1
        out = []
        diff(exp, act, "$", out)
        for line in out[:MAX_DIFFS]:
            print(line)
        if len(out) >= MAX_DIFFS:
            print("(more differences not shown)")
        return 1 if out else 0
    sys.stderr.write("usage: jsondiff.py EXPECTED ACTUAL | jsondiff.py --contract FILE\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
