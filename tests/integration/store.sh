#!/usr/bin/env bash
# The store as readers see it: one story across http/https and www copies (and two with
# same_story_across = none), the published link normalised, undated entries in document order,
# future dates clamped in Atom and RSS, a corrected title as an update while rewritten dates
# churn nothing, and retention (max_entries) with tombstones.
# shellcheck source=tests/integration/lib.sh disable=SC2016
. "$TESTS_SRCDIR/integration/lib.sh"

command -v curl >/dev/null || {
	echo "1..0 # SKIP curl(1) not installed"
	exit 0
}
mkdir -p "$WORK/www"
# rss FILE TITLE ITEMS...: an RSS 2.0 feed; each item "LINK|TITLE|PUBDATE" (PUBDATE may be empty).
rss() {
	local file=$1 title=$2 item link t date
	shift 2
	{
		echo '<?xml version="1.0" encoding="UTF-8"?>'
		echo "<rss version=\"2.0\"><channel><title>$title</title><link>https://$title.test/</link>"
		for item in "$@"; do
			IFS='|' read -r link t date <<<"$item"
			echo "<item><title>$t</title><link>$link</link>"
			[ -n "$date" ] && echo "<pubDate>$date</pubDate>"
			echo "<description>About $t</description></item>"
		done
		echo "</channel></rss>"
	} >"$WORK/www/$file"
}
rss a.rss alpha \
	"https://WWW.News.test:443/story?id=1&amp;utm_source=rss#top|The shared story|Mon, 01 Dec 2026 08:00:00 GMT" \
	"https://alpha.test/undated-1|Undated first|" \
	"https://alpha.test/undated-2|Undated second|" \
	"https://alpha.test/undated-3|Undated third|" \
	"https://alpha.test/future|From the future|Tue, 01 Jan 2036 00:00:00 GMT"
rss b.rss beta "http://news.test/story?id=1|The shared story, again|Mon, 01 Dec 2026 09:00:00 GMT"
start_server

D="$WORK/fold"
mkdir -p "$D"
CONF="$D/feedmerge.conf"
write_config "$CONF"
add_source "$CONF" alpha "$BASE/a.rss"
add_source "$CONF" beta "$BASE/b.rss"
"$FEEDMERGE" once -c "$CONF" >"$D/out" 2>"$D/err"
ok $? "once polls both"
ATOM="$D/public/feed.atom"
RSS="$D/public/feed.rss"
check "http/https and www copies: one story" \
	test "$(feedcheck source-of "$ATOM" "news.test/story" | cut -d' ' -f1)" = 1
check "attributed to the source that carried it first (listed first, one round)" \
	test "$(feedcheck source-of "$ATOM" "news.test/story")" = "1 alpha"
check "published link normalised: host lowercased, default port, tracking and fragment gone, own scheme and www kept" \
	grep -q 'href="https://www.news.test/story?id=1"' "$ATOM"
order() {
	feedcheck links "$ATOM" | grep -o 'undated-[0-9]' | tr '\n' ' '
}
check "undated entries keep the document order ($(order))" test "$(order)" = "undated-1 undated-2 undated-3 "
check "a date in 2036 is clamped in Atom" sh -c '! grep -q "2036" "$1"' sh "$ATOM"
check "and in RSS" sh -c '! grep -q "2036" "$1"' sh "$RSS"
check "feed.atom valid" atom_valid "$ATOM"

# --- same_story_across = none: two stories -------------------------------------------------
N="$WORK/nofold"
mkdir -p "$N"
write_config "$N/feedmerge.conf" "same_story_across=none"
add_source "$N/feedmerge.conf" alpha "$BASE/a.rss"
add_source "$N/feedmerge.conf" beta "$BASE/b.rss"
"$FEEDMERGE" once -c "$N/feedmerge.conf" >"$N/out" 2>"$N/err"
ok $? "once with same_story_across = none"
check "folding off: the http copy is a story of its own" \
	test "$(feedcheck source-of "$N/public/feed.atom" "news.test/story" | cut -d' ' -f1)" = 2
# Turning folding on again (a reload or a restart) merges them.
sed -i 's/^same_story_across = none$/same_story_across = scheme www/' "$N/feedmerge.conf"
"$FEEDMERGE" once -c "$N/feedmerge.conf" >"$N/out2" 2>"$N/err2"
ok $? "once with folding back on"
check "the stored copies are keyed again and merged, and it says so" \
	grep -q "same_story_across changed: .* 1 merged into the same story" "$N/err2"
check "one story again" \
	test "$(feedcheck source-of "$N/public/feed.atom" "news.test/story" | cut -d' ' -f1)" = 1

# --- updates: a corrected title is one; rewritten dates are none -----------------------------
rss a.rss alpha \
	"https://WWW.News.test:443/story?id=1&amp;utm_source=rss#top|The shared story|Mon, 01 Dec 2026 08:00:00 GMT" \
	"https://alpha.test/undated-1|Undated first|Wed, 02 Dec 2026 10:00:00 GMT" \
	"https://alpha.test/undated-2|Undated second|Wed, 02 Dec 2026 10:00:00 GMT" \
	"https://alpha.test/undated-3|Undated third|Wed, 02 Dec 2026 10:00:00 GMT" \
	"https://alpha.test/future|From the future|Tue, 01 Jan 2036 00:00:00 GMT"
"$FEEDMERGE" once -c "$CONF" >"$D/out2" 2>"$D/err2"
check "dates rewritten: nothing new, nothing updated" grep -q "^source alpha: 5 entries, 0 new$" "$D/err2"
rss a.rss alpha \
	"https://WWW.News.test:443/story?id=1&amp;utm_source=rss#top|The shared story, corrected|Mon, 01 Dec 2026 08:00:00 GMT" \
	"https://alpha.test/undated-1|Undated first|" \
	"https://alpha.test/undated-2|Undated second|" \
	"https://alpha.test/undated-3|Undated third|" \
	"https://alpha.test/future|From the future|Tue, 01 Jan 2036 00:00:00 GMT"
"$FEEDMERGE" once -c "$CONF" >"$D/out3" 2>"$D/err3"
check "a corrected title: one update, said in the log" grep -q "^source alpha: 5 entries, 0 new, 1 updated$" "$D/err3"
check "the correction is published" grep -q "The shared story, corrected" "$ATOM"

# --- retention: max_entries, and tombstones ---------------------------------------------------
busy_feed() { # N: busy.rss with items 1..N, dated 1..N November
	local items=() i
	for i in $(seq 1 "$1"); do
		items+=("https://busy.test/$i|Busy $i|$(printf '%02d' "$i") Nov 2026 08:00:00 GMT")
	done
	rss busy.rss busy "${items[@]}"
}
busy_feed 5
R="$WORK/retention"
mkdir -p "$R"
write_config "$R/feedmerge.conf" listen=127.0.0.1:0 interval=1s
add_source "$R/feedmerge.conf" busy "$BASE/busy.rss" "max_entries = 2"
"$FEEDMERGE" once -c "$R/feedmerge.conf" >"$R/out" 2>"$R/err"
ok $? "once stores the five"
check "and prunes past max_entries itself, saying so" grep -q "^pruned 3 entries" "$R/err"
newest() { # FILE N...: the feed holds exactly busy's items N...
	local f=$1 n
	shift
	[ "$(feedcheck count "$f")" = $# ] || return 1
	for n in "$@"; do
		grep -q "busy.test/$n\"" "$f" || return 1
	done
}
check "the merged feed keeps busy's newest two" newest "$R/public/feed.atom" 5 4

busy_feed 7
"$FEEDMERGE" run -c "$R/feedmerge.conf" 2>"$R/log" &
PID=$!
CLEANUP_PIDS="$CLEANUP_PIDS $PID"
check "run: the two new items are stored" wait_until 10 grep -q "^source busy: 7 entries, 2 new$" "$R/log"
URL=$(grep -o "http://127.0.0.1:[0-9]*/" "$R/log" | head -n 1)
kill -HUP "$PID"
check "a reload applies retention at once" wait_until 10 grep -q "^pruned 2 entries" "$R/log"
served() {
	curl -s --max-time 5 "${URL}feed.atom" >"$R/served.atom" && newest "$R/served.atom" 7 6
}
check "the served feed keeps the newest two" wait_until 5 served
kill -TERM "$PID"
wait_until 10 sh -c '! kill -0 "$1"' sh "$PID"
wait "$PID"
ok $? "run stops with exit 0"
busy_feed 8
"$FEEDMERGE" once -c "$R/feedmerge.conf" >"$R/out2" 2>"$R/err2"
check "the feed still lists the pruned stories: only the eighth is new (tombstones)" \
	grep -q "^source busy: 8 entries, 1 new$" "$R/err2"
check "and the pruned ones do not come back" newest "$R/public/feed.atom" 8 7

# --- a lost batch: its commit fails; the polls are done again, none skipped as unchanged ---------
if command -v sqlite3 >/dev/null; then
	L="$WORK/lost"
	mkdir -p "$L"
	write_config "$L/feedmerge.conf" listen=127.0.0.1:0 interval=1s
	add_source "$L/feedmerge.conf" lost "$BASE/lost.rss"
	# The database first (lost.rss is not there yet: a 404), then a table whose deferred
	# foreign key fails at COMMIT, filled by a trigger on entries: every batch that stores an
	# entry is lost as a whole.
	"$FEEDMERGE" once -c "$L/feedmerge.conf" >"$L/out" 2>"$L/err"
	sqlite3 -bail "$L/feedmerge.db" "CREATE TABLE poison (e INTEGER REFERENCES entries(id)
		DEFERRABLE INITIALLY DEFERRED); CREATE TRIGGER poison AFTER INSERT ON entries
		BEGIN INSERT INTO poison VALUES(-1); END;"
	ok $? "a trigger that makes every batch with an entry fail at COMMIT"
	rss lost.rss lost "https://lost.test/1|Lost one|Mon, 01 Dec 2026 08:00:00 GMT" \
		"https://lost.test/2|Lost two|Mon, 01 Dec 2026 09:00:00 GMT"
	"$FEEDMERGE" run -c "$L/feedmerge.conf" 2>"$L/log" &
	PID=$!
	CLEANUP_PIDS="$CLEANUP_PIDS $PID"
	check "the failed commit is logged as lost polls" \
		wait_until 10 grep -q "cannot commit a batch of .* writes (lost: their polls are done again)" "$L/log"
	sqlite3 -bail "$L/feedmerge.db" "DROP TRIGGER poison; DROP TABLE poison;"
	ok $? "the trigger dropped while the daemon runs"
	# The same bytes again: without the poll state read back after the loss, the
	# unchanged-body check would skip them, and the two entries would never be stored.
	stored() {
		[ "$(sqlite3 "$L/feedmerge.db" "SELECT count(*) FROM entries")" = 2 ]
	}
	check "the next poll of the same body stores both entries" wait_until 10 stored
	LURL=$(grep -o "http://127.0.0.1:[0-9]*/" "$L/log" | head -n 1)
	lost_served() {
		curl -s --max-time 5 "${LURL}feed.atom" >"$L/served.atom" &&
			grep -q 'lost.test/1"' "$L/served.atom" && grep -q 'lost.test/2"' "$L/served.atom"
	}
	check "and serves them" wait_until 10 lost_served
	kill -TERM "$PID"
	wait_until 10 sh -c '! kill -0 "$1"' sh "$PID"
	wait "$PID"
	ok $? "run stops with exit 0 after a lost batch"
else
	ok 1 "# SKIP sqlite3 not installed (a lost batch)"
fi

done_testing
