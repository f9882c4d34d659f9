#!/usr/bin/env bash
# What the listener renders on request, against the real daemon: ?limit= and ?since= (400 for a
# bad value), per-source views /s/NAME.EXT, group views /g/NAME.EXT, RFC 5005 archive pages
# /archive/K.atom linked from the merged feed, validators and gzip on all of them, and the .gz
# copies beside the static files.
# shellcheck source=tests/integration/lib.sh disable=SC2016
. "$TESTS_SRCDIR/integration/lib.sh"

command -v curl >/dev/null || {
	echo "1..0 # SKIP curl(1) not installed"
	exit 0
}
mkdir -p "$WORK/www"
# big FILE TITLE N: an RSS feed of N items, the newest first, one minute apart.
big() {
	local i
	{
		echo '<?xml version="1.0" encoding="UTF-8"?>'
		echo "<rss version=\"2.0\"><channel><title>$2</title><link>https://$2.test/</link>"
		for i in $(seq "$3" -1 1); do
			printf '<item><title>%s %d</title><link>https://%s.test/%d</link>' "$2" "$i" "$2" "$i"
			printf '<pubDate>%s</pubDate></item>\n' "$(date -u -R -d "@$((1764576000 + i * 60))")"
		done
		echo "</channel></rss>"
	} >"$WORK/www/$1"
}
big a.rss alpha 230
big b.rss beta 3
start_server

D="$WORK/views"
mkdir -p "$D"
CONF="$D/feedmerge.conf"
write_config "$CONF" listen=127.0.0.1:0 feed_size=50
add_source "$CONF" alpha "$BASE/a.rss" "group = first"
add_source "$CONF" beta "$BASE/b.rss"
LOG="$D/daemon.log"
"$FEEDMERGE" run -v -c "$CONF" 2>"$LOG" &
CLEANUP_PIDS="$CLEANUP_PIDS $!"
wait_until 10 grep -q "^listening on http://127.0.0.1:[0-9]*/$" "$LOG"
URL=$(grep -o "http://127.0.0.1:[0-9]*/" "$LOG" | head -n 1)
[ -n "$URL" ] || {
	diag "$(cat "$LOG")"
	echo "Bail out! the daemon did not start"
	exit 1
}
get() {
	local name=$1
	shift
	CODE=$(curl -s -o "$WORK/$name.b" -D "$WORK/$name.h" -w '%{http_code}' --max-time 5 "$@")
}
header() {
	grep -i "^$2:" "$WORK/$1.h" | head -n 1 | cut -d: -f2- | sed 's/^ *//; s/\r$//'
}
entries() {
	grep -c "<entry" "$WORK/$1.b"
}
all_in() {
	get poll "${URL}feed.atom"
	[ "$CODE" = 200 ] && grep -q "alpha 230" "$WORK/poll.b" || return 1
	get poll "${URL}s/beta.atom"
	[ "$CODE" = 200 ] && grep -q "beta 3" "$WORK/poll.b"
}
check "both sources are in" wait_until 15 all_in

get lim "${URL}feed.atom?limit=3"
check "?limit=3: 200 with 3 entries" test "$CODE $(entries lim)" = "200 3"
check "?limit=3: newest first" grep -q "alpha 230" "$WORK/lim.b"
get lim2 "${URL}feed.atom?limit=3&utm_source=x"
check "an unknown parameter is ignored" test "$CODE $(entries lim2)" = "200 3"
for bad in "limit=0" "limit=abc" "limit=1001" "limit=-1" "since=yesterday"; do
	get bad "${URL}feed.atom?$bad"
	check "?$bad: 400" test "$CODE" = 400
done
since=$(date -u -d "@$((1764576000 + 221 * 60))" +%Y-%m-%dT%H:%M:%SZ)
get since "${URL}feed.rss?since=$since"
check "?since=$since: the 10 newest alpha items in RSS" test "$CODE $(grep -c '<item>' "$WORK/since.b")" = "200 10"

get s "${URL}s/beta.atom"
check "/s/beta.atom: beta's 3 entries" test "$CODE $(entries s)" = "200 3"
check "/s/beta.atom valid Atom" atom_valid "$WORK/s.b"
ETAG=$(header s ETag)
get s304 -H "If-None-Match: $ETAG" "${URL}s/beta.atom"
check "/s/beta.atom with its ETag: 304" test "$CODE" = 304
get sj "${URL}s/beta.json"
check "/s/beta.json: JSON Feed" test "$CODE $(header sj Content-Type)" = "200 application/feed+json; charset=utf-8"
get sgz -H "Accept-Encoding: gzip" "${URL}s/beta.rss"
check "/s/beta.rss gzip when asked" test "$(header sgz Content-Encoding)" = gzip
get nobody "${URL}s/nobody.atom"
check "/s/nobody.atom: 404" test "$CODE" = 404
get noext "${URL}s/beta.xml"
check "/s/beta.xml: 404" test "$CODE" = 404
get g "${URL}g/first.atom"
check "/g/first.atom: alpha's newest 50" test "$CODE $(entries g)" = "200 50"
get glim "${URL}g/first.html?limit=2"
check "/g/first.html?limit=2: the page" test "$CODE" = 200
get nog "${URL}g/second.atom"
check "/g/second.atom: 404" test "$CODE" = 404

get cur "${URL}feed.atom"
check "feed.atom links its newest archive page (233 entries: 2 pages)" \
	grep -q 'rel="prev-archive" href="http://news.example.org/archive/2.atom"' "$WORK/cur.b"
get a2 "${URL}archive/2.atom"
check "/archive/2.atom: 200, 100 entries" test "$CODE $(entries a2)" = "200 100"
check "archive page marked fh:archive, current and prev-archive links" \
	sh -c 'grep -q "<fh:archive/>" "$1" && grep -q "rel=\"current\" href=\"http://news.example.org/feed.atom\"" "$1" &&
		grep -q "rel=\"prev-archive\" href=\"http://news.example.org/archive/1.atom\"" "$1"' sh "$WORK/a2.b"
check "archive page valid Atom" atom_valid "$WORK/a2.b"
get a1 "${URL}archive/1.atom"
check "/archive/1.atom: 100 entries, next-archive 2" \
	sh -c 'test "$(grep -c "<entry" "$1")" = 100 && grep -q "rel=\"next-archive\" href=\"http://news.example.org/archive/2.atom\"" "$1"' sh "$WORK/a1.b"
ids() { grep -o '<id>[^<]*</id>' "$WORK/$1.b" | grep -v -e news.example.org -e 127.0.0.1 | sort; }
check "pages 1 and 2 are disjoint" test -z "$(comm -12 <(ids a1) <(ids a2))"
check "and hold 200 entries between them" test "$(cat <(ids a1) <(ids a2) | sort -u | wc -l)" = 200
for bad in 3 0 x 1.rss; do
	get nopage "${URL}archive/$bad.atom"
	check "/archive/$bad.atom: 404" test "$CODE" = 404
done

P="$D/public"
check "feed.atom.gz beside feed.atom, the same bytes" sh -c 'gzip -dc "$1.gz" | cmp -s - "$1"' sh "$P/feed.atom"
check "g/first.json.gz too" sh -c 'gzip -dc "$1.gz" | cmp -s - "$1"' sh "$P/g/first.json"
get gz -H "Accept-Encoding: gzip" "${URL}feed.atom"
check "/feed.atom gzip when asked" test "$(header gz Content-Encoding)" = gzip
get html "${URL}"
check "/: the HTML page" test "$CODE $(header html Content-Type)" = "200 text/html; charset=utf-8"
get health "${URL}health.atom"
check "/health.atom: 200" test "$CODE" = 200

done_testing
