#!/usr/bin/env python3
"""Writes the hostile feeds of hostile-feeds.sh into a folder (stdlib only).

  hostilegen.py DIR DTD_URL SECRET_FILE [MANY]

xxe.rss        an external DTD (DTD_URL) and a file:// entity naming SECRET_FILE
laughs.rss     billion laughs (10 levels of 10 references)
quadratic.rss  one 64 KiB entity referenced 100,000 times (6.5 GB if expanded)
deep.rss       a good item, then 100,000 nested elements inside the next one
badutf8.rss    invalid UTF-8 sequences and NUL bytes in every field
attrs.rss      1 MiB attribute values (and 10,000 attributes on one element)
many.rss       MANY (default 100,000) items in one feed (dated 2001: the merged feed keeps the good source's)
evil-html.rss  hostile HTML in every field
Every feed's good items link to http://NAME.example/..., so a test can tell what was stored.
"""
import os
import sys

HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'


def rss(name, items, doctype=""):
    return (HEAD + doctype + '<rss version="2.0"><channel><title>%s</title>'
            '<link>http://%s.example/</link>\n%s</channel></rss>\n' % (name, name, items))


def item(name, n, title=None, extra=""):
    return ('<item><title>%s</title><link>http://%s.example/%s</link>'
            '<guid>http://%s.example/%s</guid>%s</item>\n'
            % (title or "%s %s" % (name, n), name, n, name, n, extra))


def main():
    out, dtd_url, secret = sys.argv[1], sys.argv[2], sys.argv[3]
    many = int(sys.argv[4]) if len(sys.argv) > 4 else 100000
    os.makedirs(out, exist_ok=True)
    files = {}
    files["xxe.rss"] = rss("xxe", item("xxe", 1, "&xxe;", "<description>&xxe; &ext; &dtdent;</description>")
                           + item("xxe", 2), doctype=(
        '<!DOCTYPE rss SYSTEM "%s" [\n<!ENTITY xxe SYSTEM "file://%s">\n'
        '<!ENTITY ext SYSTEM "%s">\n<!ENTITY %% pe SYSTEM "%s">\n%%pe;\n]>\n'
        % (dtd_url, secret, dtd_url, dtd_url))).encode()
    lol = ['<!ENTITY lol "lol">']
    for i in range(1, 10):
        prev = "lol" if i == 1 else "lol%d" % (i - 1)
        lol.append('<!ENTITY lol%d "%s">' % (i, ("&%s;" % prev) * 10))
    files["laughs.rss"] = rss("laughs", item("laughs", 1, "&lol9;", "<description>&lol9;</description>")
                              + item("laughs", 2),
                              doctype="<!DOCTYPE rss [\n%s\n]>\n" % "\n".join(lol)).encode()
    files["quadratic.rss"] = rss(
        "quadratic", item("quadratic", 1, "q", "<description>%s</description>" % ("&a;" * 100000))
        + item("quadratic", 2),
        doctype='<!DOCTYPE rss [\n<!ENTITY a "%s">\n]>\n' % ("a" * 65536)).encode()
    depth = 100000
    files["deep.rss"] = rss("deep", item("deep", 1) + item(
        "deep", 2, extra="<description>" + "<x>" * depth + "deep" + "</x>" * depth + "</description>")
        + item("deep", 3)).encode()
    bad = b"\xff\xfe bad \xc3\x28 \xa0\xa1 \xe2\x28\xa1 \xf0\x28\x8c\xbc \x00 nul \x00\x00 \xed\xa0\x80 \xc0\xaf"
    files["badutf8.rss"] = (HEAD.encode() + b'<rss version="2.0"><channel><title>bad' + bad +
                            b'</title><link>http://badutf8.example/</link>\n' +
                            b''.join(b'<item><title>t' + bad + b'</title><link>http://badutf8.example/%d</link>'
                                     b'<description>d' % n + bad + b'</description><author>' + bad +
                                     b'</author><category>' + bad + b'</category></item>\n'
                                     for n in (1, 2)) + b'</channel></rss>\n')
    big = "A" * (1024 * 1024)
    many_attrs = " ".join('a%d="v"' % i for i in range(10000))
    files["attrs.rss"] = rss("attrs", item("attrs", 1, extra='<enclosure url="http://attrs.example/%s" '
                                           'type="audio/mpeg" length="1" data-x="%s"/>' % (big, big))
                             + '<item %s><title>attrs 2</title><link>http://attrs.example/2</link></item>\n'
                             % many_attrs
                             + '<item><title>attrs 3</title><link>http://attrs.example/3</link>'
                             '<category domain="%s">c</category></item>\n' % big).encode()
    files["many.rss"] = rss("many", "".join(
        "<item><title>m%d</title><link>http://many.example/%d</link>"
        "<pubDate>Mon, 01 Jan 2001 00:00:00 GMT</pubDate></item>\n" % (n, n)
        for n in range(many))).encode()
    files["evil-html.rss"] = rss(
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "<item><title>&lt;img src=x onerror=alert(1)&gt;evil</title><link>http://evil-html.example/1</link>"
        "<author>&lt;script&gt;alert(1)&lt;/script&gt;</author><category>&lt;svg onload=alert(1)&gt;</category>"
        "<description>&lt;script&gt;alert(1)&lt;/script&gt;&lt;a href=\"javascript:alert(1)\"&gt;x&lt;/a&gt;"
        "&lt;iframe src=\"https://evil.test/\"&gt;&lt;/iframe&gt;</description>"
        "<content:encoded xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><![CDATA["
        "<div style=\"background:url(javascript:alert(1))\" onclick=\"alert(1)\">c</div>"
        "<object data=\"javascript:alert(1)\"></object>]]></content:encoded></item>\n").encode()
    for name, data in files.items():
        with open(os.path.join(out, name), "wb") as fp:
            fp.write(data)
    with open(os.path.join(out, "evil.dtd"), "w") as fp:
        fp.write('<!ENTITY dtdent "FROM-THE-DTD">\n<!ENTITY ext "FROM-THE-DTD">\n')
    return 0


if __name__ == "__main__":
    sys.exit(main())
