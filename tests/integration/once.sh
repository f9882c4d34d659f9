#!/usr/bin/env bash
# `feedmerge once` against real fixtures served from 127.0.0.1: the merged outputs are valid,
# deduplicated and attributed; a second run sends conditional GETs and changes no byte; fifty
# sources still give one valid feed with every link once.
# shellcheck source=tests/integration/lib.sh disable=SC2016
. "$TESTS_SRCDIR/integration/lib.sh"

FIXTURES="modeled_baochinhphu-home.rss modeled_republisher.rss modeled_entities-local-time.rss
feed-rs_rss_2.0_bbc.xml feed-rs_rss_1.0_debian.xml miniflux_encoding_ISO-8859-1.xml
miniflux_small_atom.xml miniflux_rdf_UTF8.xml rsparser_DaringFireball.atom rsparser_manton.rss
kde-syndication_heise-atom.xml kde-syndication_security_debian.rdf.xml
feed-rs_rss_2.0_cloudflare.xml rss-parser_guardian.rss feed-rs_atom_example_2.xml"
# shellcheck disable=SC2086
serve_fixtures $FIXTURES || {
	echo "Bail out! fixtures missing in $FIXTURES_DIR"
	exit 1
}
if [ ! -f "$TESTS_SRCDIR/data/atom.rng" ]; then
	echo "Bail out! $TESTS_SRCDIR/data/atom.rng missing"
	exit 1
fi
start_server
UA="feedmerge-test/0.1 (+integration)"

# --- fifteen sources, listed in this order ------------------------------------------------
D="$WORK/once"
mkdir -p "$D"
CONF="$D/feedmerge.conf"
write_config "$CONF"
add_source "$CONF" baochinhphu "$BASE/modeled_baochinhphu-home.rss" "title = Báo Chính phủ"
add_source "$CONF" gioitre "$BASE/modeled_republisher.rss" "timezone = Asia/Ho_Chi_Minh"
add_source "$CONF" thanhnien "$BASE/modeled_entities-local-time.rss" "timezone = +07:00"
add_source "$CONF" bbc "$BASE/feed-rs_rss_2.0_bbc.xml"
add_source "$CONF" bbc-mirror "$BASE/f/2/feed-rs_rss_2.0_bbc.xml" "title = BBC mirror"
add_source "$CONF" debian-rdf "$BASE/feed-rs_rss_1.0_debian.xml"
add_source "$CONF" golem "$BASE/latin1/miniflux_encoding_ISO-8859-1.xml"
add_source "$CONF" miniflux-gzip "$BASE/gzip/miniflux_small_atom.xml"
add_source "$CONF" miniflux-rdf "$BASE/miniflux_rdf_UTF8.xml"
add_source "$CONF" daringfireball "$BASE/redirect?to=/rsparser_DaringFireball.atom"
add_source "$CONF" manton "$BASE/rsparser_manton.rss"
add_source "$CONF" heise "$BASE/kde-syndication_heise-atom.xml"
add_source "$CONF" debian-security "$BASE/kde-syndication_security_debian.rdf.xml"
add_source "$CONF" cloudflare "$BASE/feed-rs_rss_2.0_cloudflare.xml"
add_source "$CONF" guardian "$BASE/rss-parser_guardian.rss"
add_source "$CONF" atom-example "$BASE/feed-rs_atom_example_2.xml"
NSRC=16

"$FEEDMERGE" once -c "$CONF" >"$D/out1" 2>"$D/err1"
rc=$?
ok $rc "once exits 0"
[ $rc -eq 0 ] || diag "$(tail -n 20 "$D/err1")"
last=$(tail -n 1 "$D/out1")
check "summary is the last line: $last" \
	grep -Eq "^once: $NSRC ok, 0 failed, [1-9][0-9]* new entries$" <<<"$last"
ATOM="$D/public/feed.atom"
RSS="$D/public/feed.rss"
check "feed.atom written" test -s "$ATOM"
check "feed.rss written" test -s "$RSS"
check "feed.atom validates against RFC 4287's RELAX NG schema" atom_valid "$ATOM"
n=$(feedcheck count "$ATOM" 2>/dev/null)
check "feed.atom holds many entries ($n)" test "${n:-0}" -ge 60
check "every link once" feedcheck unique "$ATOM"
check "every atom:id an absolute IRI, unique" feedcheck ids "$ATOM"
check "every entry has atom:source and the visible Nguồn: line" feedcheck attributed "$ATOM" "Nguồn"
check "every RSS item has <source url>" feedcheck rss "$RSS"
shared=$(feedcheck source-of "$ATOM" "thuc-day-xay-dung-chinh-quyen-so-tai-cac-dia-phuong")
check "the shared baochinhphu story appears once, attributed to baochinhphu ($shared)" \
	test "$shared" = "1 Báo Chính phủ"
# attributed_to SUBSTR TITLE: entries linking to SUBSTR exist and all come from TITLE.
attributed_to() {
	local got
	got=$(feedcheck source-of "$ATOM" "$1")
	case "$got" in
	0\ *) echo "no entry links to $1" && return 1 ;;
	esac
	got=${got#* }
	[ -z "$(printf '%s' "$got" | tr '|' '\n' | grep -vxF "$2")" ] || {
		echo "attributed to: $got"
		return 1
	}
}
bbc_title=$(grep -o '<title>[^<]*' "$(fixture feed-rs_rss_2.0_bbc.xml)" | head -n 1 | cut -c8-)
check "the fixture served under two sources is attributed to the first ($bbc_title)" \
	attributed_to "bbc.co.uk/programmes" "$bbc_title"
check "the ISO-8859-1 feed is decoded (Wochenrückblick)" grep -q "Wochenrückblick" "$ATOM"
check "the redirected source is stored" grep -q "daringfireball.net" "$ATOM"
check "the gzip-encoded source is stored" grep -q "github.com/miniflux/v2/commit/" "$ATOM"
check "every request carried our User-Agent" \
	sh -c '! grep -v -F "\"user_agent\": \"$1\"" "$2"' sh "$UA" "$SERVER_LOG"
check "compressed transfer offered (Accept-Encoding: gzip)" \
	grep -q '"accept_encoding": "[^"]*gzip' "$SERVER_LOG"
check "feeds asked for in Accept" grep -q '"accept": "application/atom+xml, application/rss+xml' \
	"$SERVER_LOG"
check "first run sends no conditional headers" \
	sh -c '! grep -q "\"if_none_match\": \"" "$1"' sh "$SERVER_LOG"

# --- the second run: conditional GETs, no new entries, the same bytes -----------------------
cp "$ATOM" "$D/feed.atom.1"
cp "$RSS" "$D/feed.rss.1"
inode1=$(stat -c %i "$ATOM")
lines1=$(wc -l <"$SERVER_LOG")
"$FEEDMERGE" once -v -c "$CONF" >"$D/out2" 2>"$D/err2"
ok $? "second once exits 0"
last=$(tail -n 1 "$D/out2")
check "second run: all ok, nothing new ($last)" test "$last" = "once: $NSRC ok, 0 failed, 0 new entries"
tail -n +"$((lines1 + 1))" "$SERVER_LOG" >"$D/requests2"
check "second run sent If-None-Match" grep -q '"path": "/modeled_baochinhphu-home.rss".*"if_none_match": "\\"' "$D/requests2"
check "second run sent If-Modified-Since" grep -q '"path": "/feed-rs_rss_2.0_bbc.xml".*"if_modified_since": "[A-Z][a-z][a-z], ' "$D/requests2"
check "after a redirect, the final response's validators are kept, not the 302's" \
	sh -c 'grep "\"path\": \"/redirect?" "$1" | grep "\"if_none_match\": \"\\\\\"" | grep -qv redirect-etag' sh "$D/requests2"
nc=$(grep -c '"if_none_match": "' "$D/requests2")
check "every direct source sent validators ($nc requests)" test "$nc" -ge 14
check "a routine 304 is a debug line only" grep -q "^debug: source baochinhphu: not modified$" "$D/err2"
check "feed.atom bytes unchanged" cmp "$D/feed.atom.1" "$ATOM"
check "feed.rss bytes unchanged" cmp "$D/feed.rss.1" "$RSS"
check "feed.atom not rewritten (same inode)" test "$(stat -c %i "$ATOM")" = "$inode1"
check "no temp files left in output_dir" sh -c '! ls -A "$1" | grep -q "^\."' sh "$D/public"

# --- a changed feed: the next run fetches it again and adds its entries --------------------
sed 's|</channel>|<item><title>Tin mới</title><link>https://baochinhphu.vn/tin-moi-1.htm</link></item></channel>|' \
	"$(fixture modeled_baochinhphu-home.rss)" >"$WORK/www/modeled_baochinhphu-home.rss"
touch -d '+1 minute' "$WORK/www/modeled_baochinhphu-home.rss" 2>/dev/null
"$FEEDMERGE" once -c "$CONF" >"$D/out3" 2>"$D/err3"
ok $? "third once exits 0"
check "a changed feed brings its new entry ($(tail -n 1 "$D/out3"))" \
	grep -q "^once: $NSRC ok, 0 failed, 1 new entries$" "$D/out3"
check "the new entry is published" grep -q "tin-moi-1.htm" "$ATOM"
check "feed.atom still valid" atom_valid "$ATOM"

# --- the concurrency cap: six slow sources, two at a time --------------------------------------
C="$WORK/cap"
mkdir -p "$C"
write_config "$C/feedmerge.conf" concurrency=2
for k in 1 2 3 4 5 6; do
	add_source "$C/feedmerge.conf" "slow$k" "$BASE/slow?s=0.4&k=$k"
done
lines0=$(wc -l <"$SERVER_LOG")
"$FEEDMERGE" once -c "$C/feedmerge.conf" >"$C/out" 2>"$C/err"
ok $? "concurrency = 2: once exits 0"
check "concurrency = 2: all six polled ($(tail -n 1 "$C/out"))" grep -q "^once: 6 ok, 0 failed, 0 new entries$" "$C/out"
maxin=$(tail -n +"$((lines0 + 1))" "$SERVER_LOG" | grep -o '"inflight": [0-9]*' | cut -d' ' -f2 | sort -n | tail -n 1)
check "concurrency = 2: never more than two transfers at once, and two did run together ($maxin)" \
	test "$maxin" = 2

# --- fifty sources --------------------------------------------------------------------------
S="$WORK/scale"
mkdir -p "$S"
SCONF="$S/feedmerge.conf"
write_config "$SCONF" concurrency=10
i=0
for n in $FIXTURES; do
	for k in 1 2 3 4; do
		[ $i -ge 50 ] && break 2
		add_source "$SCONF" "s$i-$k" "$BASE/f/$k/$n"
		i=$((i + 1))
	done
done
"$FEEDMERGE" once -c "$SCONF" >"$S/out" 2>"$S/err"
ok $? "once over 50 sources exits 0"
check "50 sources: $(tail -n 1 "$S/out")" grep -Eq '^once: 50 ok, 0 failed, [1-9][0-9]* new entries$' "$S/out"
check "50 sources: feed.atom valid" atom_valid "$S/public/feed.atom"
check "50 sources: every link once" feedcheck unique "$S/public/feed.atom"
check "50 sources: every atom:id unique" feedcheck ids "$S/public/feed.atom"
check "50 sources: every entry attributed" feedcheck attributed "$S/public/feed.atom" "Nguồn"
check "50 sources: feed.rss has sources" feedcheck rss "$S/public/feed.rss"
# Every link of the 50-source feed is one the 16-source run saw too.
links_subset() {
	feedcheck links "$1" | sort -u >"$WORK/links.a"
	feedcheck links "$2" | sort -u >"$WORK/links.b"
	[ -s "$WORK/links.a" ] && [ -z "$(comm -23 "$WORK/links.a" "$WORK/links.b")" ]
}
check "50 sources: the links the fixtures carry, nothing else" links_subset "$S/public/feed.atom" "$ATOM"

done_testing
