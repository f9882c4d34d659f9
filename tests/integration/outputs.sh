#!/usr/bin/env bash
# The outputs beyond the merged Atom and RSS: every carrier of a story published (fm:carrier),
# languages (xml:lang, <language>), group views (g/NAME.*), the health feed (a source failing
# then recovering), and an empty feed dated by its database, not 1970.
# shellcheck source=tests/integration/lib.sh disable=SC2016
. "$TESTS_SRCDIR/integration/lib.sh"

mkdir -p "$WORK/www"
# rss FILE TITLE LANG ITEMS...: an RSS 2.0 feed; each item "LINK|TITLE|PUBDATE".
rss() {
	local file=$1 title=$2 lang=$3 item link t date
	shift 3
	{
		echo '<?xml version="1.0" encoding="UTF-8"?>'
		echo "<rss version=\"2.0\"><channel><title>$title</title><link>https://$title.test/</link>"
		[ -n "$lang" ] && echo "<language>$lang</language>"
		for item in "$@"; do
			IFS='|' read -r link t date <<<"$item"
			echo "<item><title>$t</title><link>$link</link><pubDate>$date</pubDate>"
			echo "<description>About $t</description></item>"
		done
		echo "</channel></rss>"
	} >"$WORK/www/$file"
}
rss a.rss alpha vi \
	"https://news.test/shared|Tin chung|Mon, 01 Dec 2026 08:00:00 GMT" \
	"https://alpha.test/1|Tin alpha|Mon, 01 Dec 2026 07:00:00 GMT"
rss b.rss beta vi-VN \
	"https://news.test/shared|Tin chung, lần nữa|Mon, 01 Dec 2026 09:00:00 GMT" \
	"https://beta.test/1|Tin beta|Mon, 01 Dec 2026 06:00:00 GMT"
rss c.rss gamma en \
	"https://gamma.test/1|World news|Mon, 01 Dec 2026 05:00:00 GMT"
start_server

D="$WORK/d"
mkdir -p "$D"
CONF="$D/feedmerge.conf"
write_config "$CONF"
add_source "$CONF" alpha "$BASE/a.rss" "group = vn"
add_source "$CONF" beta "$BASE/b.rss" "group = vn"
add_source "$CONF" gamma "$BASE/c.rss" "group = world"
add_source "$CONF" delta "$BASE/d.rss"
"$FEEDMERGE" once -c "$CONF" >"$D/out" 2>"$D/err"
rc=$?
check "once exits 4: one source failed" test "$rc" = 4
P="$D/public"

shared=$(sed -n '/news.test\/shared/,/<\/entry>/p' "$P/feed.atom")
check "the shared story names its other carrier (fm:carrier)" \
	grep -q '<fm:carrier title="beta" href="'"$BASE"'/b.rss" site="https://beta.test/"' <<<"$shared"
check "and its primary in atom:source" grep -q '<title>alpha</title>' <<<"$shared"
check "RSS carries it too" grep -q '<fm:carrier title="beta"' "$P/feed.rss"
check "merged feed valid Atom (RELAX NG) with the extension" atom_valid "$P/feed.atom"
check "sources disagree on the language: no feed-level xml:lang" \
	sh -c '! grep -q "<feed [^>]*xml:lang" "$1"' sh "$P/feed.atom"
check "an English entry says so" grep -q '<entry xml:lang="en">' "$P/feed.atom"
check "no RSS <language> when they disagree" sh -c '! grep -q "<language>" "$1"' sh "$P/feed.rss"

for ext in atom rss json html; do
	check "group view g/vn.$ext written" test -s "$P/g/vn.$ext"
done
check "g/vn.atom valid Atom" atom_valid "$P/g/vn.atom"
check "g/vn.atom: the vn stories only" \
	test "$(feedcheck links "$P/g/vn.atom" | tr '\n' ' ')" = \
	"https://alpha.test/1 https://beta.test/1 https://news.test/shared "
check "g/world.atom: gamma only" test "$(feedcheck count "$P/g/world.atom")" = 1
check "g/vn.atom: vi and vi-VN agree on vi" grep -q '<feed [^>]*xml:lang="vi"' "$P/g/vn.atom"
check "g/vn.rss: <language>vi</language>" grep -q '<language>vi</language>' "$P/g/vn.rss"
check "g/vn.atom: beta's entries keep their region" test "$(grep -c '<entry xml:lang="vi-VN">' "$P/g/vn.atom")" = 1
check "g/world.atom: xml:lang en on the feed" grep -q '<feed [^>]*xml:lang="en"' "$P/g/world.atom"
check "g/world.rss: <language>en</language>" grep -q '<language>en</language>' "$P/g/world.rss"
check "g/vn.atom's self link" grep -q 'rel="self" href="http://news.example.org/g/vn.atom"' "$P/g/vn.atom"

H="$P/health.atom"
check "health.atom written and valid" atom_valid "$H"
check "health: delta failing" grep -q '<title>delta: failing</title>' "$H"
check "health: the reason" grep -q 'HTTP 404' "$H"
rss d.rss delta vi "https://delta.test/1|Tin delta|Mon, 01 Dec 2026 04:00:00 GMT"
"$FEEDMERGE" once -c "$CONF" >"$D/out2" 2>"$D/err2"
ok $? "second once: every source answers"
check "health: delta recovered, newest first" \
	test "$(grep -o '<title>delta: [a-z]*</title>' "$H" | head -n 2 | tr '\n' ' ')" = \
	"<title>delta: recovered</title> <title>delta: failing</title> "
"$FEEDMERGE" once -c "$CONF" >"$D/out3" 2>"$D/err3"
check "health: nothing new when nothing changed" test "$(grep -c '<entry>' "$H")" = 2

E="$WORK/empty"
mkdir -p "$E"
write_config "$E/feedmerge.conf"
add_source "$E/feedmerge.conf" nothing "$BASE/none.rss"
"$FEEDMERGE" once -c "$E/feedmerge.conf" >/dev/null 2>&1
updated=$(grep -o '<updated>[^<]*</updated>' "$E/public/feed.atom" | head -n 1)
check "an empty feed is dated by its database ($updated), not 1970" \
	sh -c 'case "$1" in *1970*|"") exit 1;; esac' sh "$updated"
check "empty feed valid Atom" atom_valid "$E/public/feed.atom"

done_testing
