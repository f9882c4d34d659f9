#!/usr/bin/env bash
# The JSON Feed as readers get it: one `once` run against two sources carrying one story, then
# feed.json checked for JSON Feed 1.1's structure (jsonfeedcheck.py), its ids against the Atom
# feed's, and the story's attribution: the source that carried it first in _source, the other
# one in _source.also.
# shellcheck source=tests/integration/lib.sh disable=SC2016
. "$TESTS_SRCDIR/integration/lib.sh"

mkdir -p "$WORK/www"
# rss FILE TITLE ITEMS...: an RSS 2.0 feed; each item "LINK|TITLE|PUBDATE".
rss() {
	local file=$1 title=$2 item link t date
	shift 2
	{
		echo '<?xml version="1.0" encoding="UTF-8"?>'
		echo "<rss version=\"2.0\"><channel><title>$title</title><link>https://$title.test/</link>"
		for item in "$@"; do
			IFS='|' read -r link t date <<<"$item"
			echo "<item><title>$t</title><link>$link</link><pubDate>$date</pubDate>"
			echo "<description>About $t &lt;script&gt;alert(1)&lt;/script&gt;</description>"
			echo "<category>News</category>"
			echo "<enclosure url=\"https://$title.test/a.mp3\" length=\"123\" type=\"audio/mpeg\"/></item>"
		done
		echo "</channel></rss>"
	} >"$WORK/www/$file"
}
rss a.rss alpha \
	"https://news.test/story?id=1|The shared story|Mon, 01 Dec 2025 08:00:00 GMT" \
	"https://alpha.test/own|Alpha's own|Mon, 01 Dec 2025 07:00:00 GMT"
rss b.rss beta "http://www.news.test/story?id=1&amp;utm_source=rss|The shared story, again|Mon, 01 Dec 2025 09:00:00 GMT"
start_server

D="$WORK/json"
mkdir -p "$D"
write_config "$D/feedmerge.conf"
add_source "$D/feedmerge.conf" alpha "$BASE/a.rss"
add_source "$D/feedmerge.conf" beta "$BASE/b.rss"
"$FEEDMERGE" once -c "$D/feedmerge.conf" >"$D/out" 2>"$D/err"
ok $? "once polls both"
JSON="$D/public/feed.json"
check "feed.json written" test -s "$JSON"
check "feed.json is JSON Feed 1.1" "$PYTHON" "$INTEGRATION_DIR/jsonfeedcheck.py" "$JSON"
check "its item ids are the Atom feed's" \
	"$PYTHON" "$INTEGRATION_DIR/jsonfeedcheck.py" ids "$JSON" "$D/public/feed.atom"
field() { # KEY...: the value at that path in feed.json (numbers index arrays)
	"$PYTHON" -c '
import json, sys
v = json.load(open(sys.argv[1], encoding="utf-8"))
for k in sys.argv[2:]:
    v = v[int(k)] if isinstance(v, list) else v[k]
print(v if isinstance(v, str) else json.dumps(v))' "$JSON" "$@"
}
check "version 1.1" test "$(field version)" = "https://jsonfeed.org/version/1.1"
check "feed_url is public_url + feed.json" test "$(field feed_url)" = "http://news.example.org/feed.json"
check "two stories" test "$(field items | "$PYTHON" -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 2
story=$("$PYTHON" "$INTEGRATION_DIR/jsonfeedcheck.py" source-of "$JSON" news.test/story)
check "one story for both copies, credited to alpha, beta in also ($story)" test "$story" = "1 alpha|beta"
# The story is the newer item (alpha's 08:00 beats its own 07:00).
check "_source names alpha's feed" test "$(field items 0 _source feed_url)" = "$BASE/a.rss"
check "also names beta's feed" test "$(field items 0 _source also 0 feed_url)" = "$BASE/b.rss"
check "also says when beta first carried it" \
	sh -c 'printf "%s\n" "$1" | grep -Eq "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"' \
	sh "$(field items 0 _source also 0 first_seen)"
check "attachment with mime_type and size" \
	test "$(field items 0 attachments 0)" = '{"url": "https://alpha.test/a.mp3", "mime_type": "audio/mpeg", "size_in_bytes": 123}'
check "content_html ends with the attribution line" \
	sh -c 'case "$1" in *"<p data-feedmerge=\"attribution\">Nguồn: "*"</p>") exit 0 ;; esac; exit 1' sh "$(field items 0 content_html)"
check "no script survives" sh -c '! grep -q "script" "$1"' sh "$JSON"

done_testing
