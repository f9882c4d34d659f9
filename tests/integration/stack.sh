#!/usr/bin/env bash
# Stacked instances: A polls the test server's feeds, B polls A's /feed.atom, C polls B's
# /feed.atom (and C-rss and C-json poll B's /feed.rss and /feed.json). At every level each story
# is one entry, shows the visible attribution line once (in Atom, RSS, JSON Feed and the page),
# names the original source (atom:source, RSS <source url>, JSON _source), and keeps A's ids,
# links and dates.
# shellcheck source=tests/integration/lib.sh disable=SC2016
. "$TESTS_SRCDIR/integration/lib.sh"

command -v curl >/dev/null || {
	echo "1..0 # SKIP curl(1) not installed"
	exit 0
}
mkdir -p "$WORK/www"

# Three sources: dated RSS (one item with content:encoded), Atom with distinct published and
# updated dates, and undated RSS like baochinhphu.vn's. alpha and beta share one story.
cat >"$WORK/www/alpha.rss" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Báo Alpha</title><link>https://alpha.test/</link><language>vi</language>
<item><title>Alpha một</title><link>https://alpha.test/1</link>
<description>&lt;p&gt;Tóm tắt một&lt;/p&gt;</description>
<pubDate>Mon, 01 Dec 2025 08:00:00 +0700</pubDate></item>
<item><title>Alpha hai</title><link>https://alpha.test/2?utm_source=x</link>
<description>&lt;p&gt;Tóm tắt hai&lt;/p&gt;</description>
<content:encoded>&lt;p&gt;Toàn văn &lt;b&gt;hai&lt;/b&gt;&lt;/p&gt;</content:encoded>
<pubDate>Mon, 01 Dec 2025 09:30:00 +0700</pubDate></item>
<item><title>Chung</title><link>https://shared.test/story</link>
<description>&lt;p&gt;Cùng một bài&lt;/p&gt;</description>
<pubDate>Mon, 01 Dec 2025 07:00:00 +0700</pubDate></item>
</channel></rss>
EOF
cat >"$WORK/www/beta.atom" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Beta News</title>
<id>urn:beta</id><updated>2025-12-02T10:00:00Z</updated>
<link rel="alternate" href="https://beta.test/"/><author><name>Beta</name></author>
<entry><title>Beta one</title><id>urn:beta:1</id><link href="https://beta.test/1"/>
<published>2025-12-01T01:00:00Z</published><updated>2025-12-02T03:04:05Z</updated>
<summary type="html">&lt;p&gt;Beta summary one&lt;/p&gt;</summary></entry>
<entry><title>Beta two</title><id>urn:beta:2</id><link href="https://beta.test/2"/>
<updated>2025-12-01T05:00:00Z</updated>
<content type="html">&lt;p&gt;Beta content two&lt;/p&gt;</content></entry>
<entry><title>Chung (beta)</title><id>urn:beta:shared</id><link href="https://shared.test/story"/>
<published>2025-12-01T00:00:00Z</published><updated>2025-12-01T00:00:00Z</updated>
<summary type="html">&lt;p&gt;Cùng một bài&lt;/p&gt;</summary></entry>
</feed>
EOF
cat >"$WORK/www/gamma.rss" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Gamma (không ngày)</title><link>https://gamma.test/</link>
<item><title>Gamma mới</title><link>https://gamma.test/b</link><description>Hai</description></item>
<item><title>Gamma cũ</title><link>https://gamma.test/a</link></item>
</channel></rss>
EOF
start_server

# start NAME [SOURCE URL]...: a daemon on a free port with those sources; sets URL_NAME.
start() {
	local name=$1 conf log url
	shift
	mkdir -p "$WORK/$name"
	conf="$WORK/$name/feedmerge.conf"
	log="$WORK/$name/daemon.log"
	write_config "$conf" listen=127.0.0.1:0 "public_url=http://$name.example/" "feed_title=Tầng $name"
	while [ $# -gt 0 ]; do
		add_source "$conf" "$1" "$2"
		shift 2
	done
	"$FEEDMERGE" run -c "$conf" 2>"$log" &
	CLEANUP_PIDS="$CLEANUP_PIDS $!"
	wait_until 10 grep -q "^listening on http://127.0.0.1:[0-9]*/$" "$log"
	url=$(grep -o "http://127.0.0.1:[0-9]*/" "$log" | head -n 1)
	[ -n "$url" ] || {
		diag "$(cat "$log")"
		echo "Bail out! instance $name did not start"
		exit 1
	}
	printf -v "URL_$name" '%s' "$url"
}

# get NAME URL: the body into $WORK/NAME.
get() {
	curl -sf --max-time 5 -o "$WORK/$1" "$2"
}

# has NAME URL N: URL serves N Atom entries (after a render: wait for it).
has() {
	get "$1" "$2" && [ "$(grep -c '<entry' "$WORK/$1")" = "$3" ]
}

# 3 + 3 + 2 items, one story shared: 7 stories.
STORIES=7
start A alpha "$BASE/alpha.rss" beta "$BASE/beta.atom" gamma "$BASE/gamma.rss"
check "A: the 7 stories of the three sources" wait_until 15 has A.atom "${URL_A}feed.atom" $STORIES
start B upstream "${URL_A}feed.atom"
check "B (over A's Atom): 7 entries" wait_until 15 has B.atom "${URL_B}feed.atom" $STORIES
start C upstream "${URL_B}feed.atom"
start Crss upstream "${URL_B}feed.rss"
start Cjson upstream "${URL_B}feed.json"
check "C (over B's Atom): 7 entries" wait_until 15 has C.atom "${URL_C}feed.atom" $STORIES
check "C-rss (over B's RSS): 7 entries" wait_until 15 has Crss.atom "${URL_Crss}feed.atom" $STORIES
check "C-json (over B's JSON Feed): 7 entries" wait_until 15 has Cjson.atom "${URL_Cjson}feed.atom" $STORIES
for n in A B C Crss Cjson; do
	url_var=URL_$n
	get "$n.atom" "${!url_var}feed.atom" && get "$n.rss" "${!url_var}feed.rss" &&
		get "$n.json" "${!url_var}feed.json" && get "$n.html" "${!url_var}" ||
		echo "Bail out! instance $n does not serve its outputs"
done

# stackcheck.py WORK REF TOP VIA: compares TOP's four outputs ($WORK/TOP.{atom,rss,json,html})
# with REF's (A's, the instance that polled the sources); VIA is the format TOP polled. RSS 2.0
# has no place for a source's site link nor for an item's published and updated dates apart
# (one pubDate: the merged feed's date); JSON Feed always says date_published (the published
# date, else the merged feed's date). What a format cannot carry is not compared.
cat >"$WORK/stackcheck.py" <<'PY'
import html.parser, json, re, sys, xml.etree.ElementTree as ET
A = "{http://www.w3.org/2005/Atom}"
work, ref, top, via = sys.argv[1:5]
SKIP = {"rss": {"src_site", "published", "updated", "modified"},
        "json": {"published"}}.get(via, set())
LABEL = "Nguồn:"
bad = []

def atom(name):
    out = {}
    for e in ET.parse("%s/%s.atom" % (work, name)).getroot().findall(A + "entry"):
        link = next((l.get("href") for l in e.findall(A + "link") if l.get("rel", "alternate") == "alternate"), None)
        src = e.find(A + "source")
        self_ = next((l.get("href") for l in src.findall(A + "link") if l.get("rel") == "self"), None)
        site = next((l.get("href") for l in src.findall(A + "link") if l.get("rel") == "alternate"), None)
        text = "".join((e.findtext(A + "content") or "") + (e.findtext(A + "summary") or ""))
        if link in out:
            bad.append("%s.atom: %s twice" % (name, link))
        out[link] = dict(id=e.findtext(A + "id"), title=e.findtext(A + "title"),
                         published=e.findtext(A + "published"), updated=e.findtext(A + "updated"),
                         src_title=src.findtext(A + "title"), src_self=self_, src_site=site,
                         src_id=src.findtext(A + "id"), lines=text.count(LABEL))
    return out

def rss(name):
    out = {}
    for i in ET.parse("%s/%s.rss" % (work, name)).getroot().iter("item"):
        s = i.find("source")
        out[i.findtext("link")] = dict(guid=i.findtext("guid"), pubDate=i.findtext("pubDate"),
                                       src_url=s.get("url") if s is not None else None,
                                       src_title=s.text if s is not None else None,
                                       lines=(i.findtext("description") or "").count(LABEL))
    return out

def jsonfeed(name):
    out = {}
    for i in json.load(open("%s/%s.json" % (work, name), encoding="utf-8"))["items"]:
        s = i.get("_source", {})
        out[i.get("url")] = dict(id=i.get("id"), published=i.get("date_published"),
                                 modified=i.get("date_modified"), src_title=s.get("title"),
                                 src_feed=s.get("feed_url"), src_site=s.get("home_page_url"),
                                 lines=i.get("content_html", "").count(LABEL))
    return out

class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.articles, self.depth = [], 0
    def handle_starttag(self, tag, attrs):
        if tag == "article":
            self.articles.append("")
            self.depth += 1
    def handle_endtag(self, tag):
        if tag == "article":
            self.depth -= 1
    def handle_data(self, data):
        if self.depth > 0:
            self.articles[-1] += data

def page(name):
    p = Page()
    p.feed(open("%s/%s.html" % (work, name), encoding="utf-8").read())
    return [a.count("Nguồn") for a in p.articles]

ra, ta = atom(ref), atom(top)
if set(ra) != set(ta):
    bad.append("Atom links differ: only in %s %s, only in %s %s" % (ref, sorted(set(ra) - set(ta)), top, sorted(set(ta) - set(ra))))
for link, t in ta.items():
    r = ra.get(link)
    if r is None:
        continue
    if t["lines"] != 1:
        bad.append("%s.atom %s: %d attribution lines" % (top, link, t["lines"]))
    for k in ("id", "title", "published", "updated", "src_title", "src_self", "src_site", "src_id"):
        if k in SKIP and not (k == "published" and r[k] is not None):
            continue
        if t[k] != r[k]:
            bad.append("%s.atom %s: %s %r, %s has %r" % (top, link, k, t[k], ref, r[k]))
rr, tr = rss(ref), rss(top)
if set(rr) != set(tr):
    bad.append("RSS links differ")
for link, t in tr.items():
    r = rr.get(link, {})
    if t["lines"] != 1:
        bad.append("%s.rss %s: %d attribution lines" % (top, link, t["lines"]))
    for k in ("guid", "pubDate", "src_url", "src_title"):
        if t[k] != r.get(k):
            bad.append("%s.rss %s: %s %r, %s has %r" % (top, link, k, t[k], ref, r.get(k)))
rj, tj = jsonfeed(ref), jsonfeed(top)
for link, t in tj.items():
    r = rj.get(link, {})
    if t["lines"] != 1:
        bad.append("%s.json %s: %d attribution lines" % (top, link, t["lines"]))
    for k in ("id", "published", "modified", "src_title", "src_feed", "src_site"):
        if k in SKIP and k != "published":
            continue
        if t[k] != r.get(k):
            bad.append("%s.json %s: %s %r, %s has %r" % (top, link, k, t[k], ref, r.get(k)))
counts = page(top)
if len(counts) != len(ta) or any(c != 1 for c in counts):
    bad.append("%s.html: attribution labels per article %s" % (top, counts))
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
stackcheck() {
	"$PYTHON" "$WORK/stackcheck.py" "$WORK" "$@"
}

check "A itself: one attribution line per entry, in every output" stackcheck A A atom
check "B (two levels): one line, A's sources, ids, links and dates" stackcheck A B atom
check "C (three levels, over Atom): the same" stackcheck A C atom
check "C-rss (over B's RSS): one line, source title and feed, ids, links, the date" stackcheck A Crss rss
check "C-json (over B's JSON Feed): one line, A's sources, ids, links and dates" stackcheck A Cjson json
check "the story two sources carried is one entry at C, credited to alpha as at A" \
	sh -c 'test "$(grep -c "<id>https://shared.test/story</id>" "$1")" = 1 &&
		grep -A 30 "<id>https://shared.test/story</id>" "$1" | grep -q "<title>Báo Alpha</title>"' sh "$WORK/C.atom"
for n in B C Crss Cjson; do
	check "$n.atom valid Atom" atom_valid "$WORK/$n.atom"
done
check "no line at C names an intermediate instance" \
	sh -c 'grep -o "Nguồn: .*Link bài gốc" "$1" >"$1.lines" && test "$(wc -l <"$1.lines")" = 7 &&
		! grep -q -e "Tầng" -e 127.0.0.1 -e example/ "$1.lines"' sh "$WORK/C.atom"

done_testing
