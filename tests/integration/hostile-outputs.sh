#!/usr/bin/env bash
# A feed whose every field is hostile, end to end: after one poll, no output (Atom, RSS, JSON
# Feed, the page, a group view, a source view, the health feed) holds anything that runs, and
# every link feedmerge publishes is http(s) without credentials.
# shellcheck source=tests/integration/lib.sh
. "$TESTS_SRCDIR/integration/lib.sh"

mkdir -p "$WORK/www"
cat >"$WORK/www/evil.rss" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>&lt;script&gt;alert(1)&lt;/script&gt;Evil" onload="alert(1)</title>
<link>javascript:alert(1)</link>
<language>"&gt;&lt;script&gt;alert(1)&lt;/script&gt;</language>
<description>&lt;img src=x onerror=alert(1)&gt;</description>
<item>
<title>&lt;img src=x onerror=alert(1)&gt;Title</title>
<link>JaVaScRiPt:alert(1)</link>
<guid isPermaLink="false">javascript:alert(2)</guid>
<description>&lt;p onclick="alert(1)"&gt;Hi&lt;script&gt;alert(1)&lt;/script&gt;&lt;a href="java&amp;#x09;script:alert(1)"&gt;x&lt;/a&gt;&lt;iframe src="https://evil.test/"&gt;&lt;/iframe&gt;&lt;svg onload=alert(1)&gt;&lt;/svg&gt;&lt;a href="https://ok.test/"&gt;ok&lt;/a&gt;&lt;img srcset="javascript:alert(1) 1x, https://ok.test/i.png 2x"&gt;&lt;style&gt;body{}&lt;/style&gt;&lt;form action="https://evil.test/"&gt;&lt;input&gt;&lt;/form&gt;&lt;meta http-equiv="refresh" content="0;url=javascript:alert(1)"&gt;&lt;base href="javascript:alert(1)//"&gt;</description>
<content:encoded><![CDATA[<div style="background:url(javascript:alert(1))">c</div><object data="javascript:alert(1)"></object><embed src="javascript:alert(1)"><a href="vbscript:msgbox(1)">v</a><a href="data:text/html,<script>alert(1)</script>">d</a><math><mtext><table><mglyph><style><img src=x onerror=alert(1)>]]></content:encoded>
<dc:creator>&lt;script&gt;alert(1)&lt;/script&gt;</dc:creator>
<category>&lt;script&gt;alert(1)&lt;/script&gt;</category>
<enclosure url="javascript:alert(1)" type="text/html&quot;&gt;&lt;script&gt;" length="1"/>
<source url="javascript:alert(1)">&lt;script&gt;</source>
<pubDate>Mon, 01 Dec 2026 08:00:00 GMT</pubDate>
</item>
<item>
<title>Second</title>
<link>https://user:secret@evil.test/story</link>
<description>plain</description>
<pubDate>Mon, 01 Dec 2026 07:00:00 GMT</pubDate>
</item>
<item>
<title>Stacked</title>
<link>https://evil.test/stacked</link>
<atom:source><atom:title>&lt;script&gt;alert(1)&lt;/script&gt;</atom:title><atom:link rel="alternate" href="javascript:alert(1)"/><atom:link rel="self" href="https://user:pw@evil.test/feed"/></atom:source>
<description>s</description>
</item>
</channel>
</rss>
XML
start_server

D="$WORK/hostile"
mkdir -p "$D"
CONF="$D/feedmerge.conf"
write_config "$CONF" listen=127.0.0.1:0
add_source "$CONF" evil "$BASE/evil.rss" "group = bad"
add_source "$CONF" dead "http://127.0.0.1:$(closed_port)/feed?x=<script>alert(1)</script>"
LOG="$D/daemon.log"
"$FEEDMERGE" run -c "$CONF" 2>"$LOG" &
CLEANUP_PIDS="$CLEANUP_PIDS $!"
wait_until 10 grep -q "^listening on http://127.0.0.1:[0-9]*/$" "$LOG"
URL=$(grep -o "http://127.0.0.1:[0-9]*/" "$LOG" | head -n 1)
P="$D/public"
ready() {
	grep -q "Second" "$P/feed.atom" 2>/dev/null && grep -q "dead: failing" "$P/health.atom" 2>/dev/null
}
check "polled, rendered, the dead source in the health feed" wait_until 15 ready
for f in feed.atom feed.rss feed.json index.html g/bad.atom g/bad.rss g/bad.json g/bad.html health.atom; do
	check "$f: nothing runs, every published link http(s)" \
		"$PYTHON" "$INTEGRATION_DIR/hostilecheck.py" "$P/$f"
done
for path in s/evil.atom s/evil.json s/evil.html "feed.rss?limit=2"; do
	curl -s --max-time 5 -o "$WORK/dyn" "$URL$path"
	check "/$path (rendered on request): nothing runs" "$PYTHON" "$INTEGRATION_DIR/hostilecheck.py" "$WORK/dyn"
done
check "no credentials in any output" sh -c '! grep -rl -e "user:secret" -e "user:pw" "$1"' sh "$P"
check "Atom still valid" atom_valid "$P/feed.atom"
check "the page is still well-formed HTML" "$PYTHON" "$INTEGRATION_DIR/htmlcheck.py" valid "$P/index.html"
check "the daemon is still up" kill -0 "$(pgrep -f "run -c $CONF" | head -n 1)"

done_testing
