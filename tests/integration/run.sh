#!/usr/bin/env bash
# `feedmerge run` with `listen = 127.0.0.1:0`: it says where it listens, polls, serves the merged
# feed with a strong ETag, Last-Modified and 304s, ignores SIGHUP and stops on SIGTERM with
# status 0. Restarted with every source failing, it serves what it stored and keeps running.
# shellcheck source=tests/integration/lib.sh disable=SC2016
. "$TESTS_SRCDIR/integration/lib.sh"

serve_fixtures modeled_baochinhphu-home.rss modeled_republisher.rss feed-rs_rss_2.0_bbc.xml \
	miniflux_small_atom.xml kde-syndication_heise-atom.xml || {
	echo "Bail out! fixtures missing in $FIXTURES_DIR"
	exit 1
}
command -v curl >/dev/null || {
	echo "1..0 # SKIP curl(1) not installed"
	exit 0
}
start_server

D="$WORK/run"
mkdir -p "$D"
CONF="$D/feedmerge.conf"
# A short interval, so the per-source timers fire while the test runs.
write_config "$CONF" listen=127.0.0.1:0 interval=2s
add_source "$CONF" baochinhphu "$BASE/modeled_baochinhphu-home.rss" "title = Báo Chính phủ"
add_source "$CONF" gioitre "$BASE/modeled_republisher.rss"
add_source "$CONF" bbc "$BASE/feed-rs_rss_2.0_bbc.xml"
add_source "$CONF" miniflux "$BASE/miniflux_small_atom.xml"
add_source "$CONF" heise "$BASE/kde-syndication_heise-atom.xml"
NSRC=5

DAEMON_PID=
# start_daemon LOG: starts `feedmerge run` in the background; waits for its "listening on" line
# and sets URL.
start_daemon() {
	"$FEEDMERGE" run -v -c "$CONF" 2>"$1" &
	DAEMON_PID=$!
	CLEANUP_PIDS="$CLEANUP_PIDS $DAEMON_PID"
	if ! wait_until 10 grep -q "^listening on http://127.0.0.1:[0-9][0-9]*/$" "$1"; then
		return 1
	fi
	URL=$(grep -o "http://127.0.0.1:[0-9][0-9]*/" "$1" | head -n 1)
}

# stop_daemon SIGNAL: signals the daemon, waits (bounded) for it and sets STOP_RC.
stop_daemon() {
	kill -"$1" "$DAEMON_PID" 2>/dev/null
	local tries=100
	while kill -0 "$DAEMON_PID" 2>/dev/null && [ $tries -gt 0 ]; do
		sleep 0.1
		tries=$((tries - 1))
	done
	local timed_out=0 rc
	if kill -0 "$DAEMON_PID" 2>/dev/null; then
		timed_out=1
		kill -KILL "$DAEMON_PID" 2>/dev/null
	fi
	wait "$DAEMON_PID" 2>/dev/null
	rc=$?
	if [ $timed_out = 1 ]; then STOP_RC=timeout; else STOP_RC=$rc; fi
}

# get NAME [CURL ARGS...] PATH: fetches URL+PATH; sets CODE, writes $WORK/NAME.{h,b}.
get() {
	local name=$1
	shift
	local args=("$@")
	local path=${args[-1]}
	unset 'args[-1]'
	CODE=$(curl -s -o "$WORK/$name.b" -D "$WORK/$name.h" -w '%{http_code}' --max-time 5 \
		"${args[@]}" "${URL}${path#/}")
}

# header NAME FIELD: one response header's value (without CR).
header() {
	grep -i "^$2:" "$WORK/$1.h" | head -n 1 | cut -d: -f2- | sed 's/^ *//; s/\r$//'
}

count_entries() {
	get poll /feed.atom
	[ "$CODE" = 200 ] && [ "$(feedcheck count "$WORK/poll.b")" -ge "$1" ]
}

outcomes() {
	grep -cE '^(debug: )?source [a-z]+: ([0-9]+ entr(y|ies), [0-9]+ new|not modified)' "$1"
}

all_polled() {
	[ "$(outcomes "$1")" -ge "$2" ]
}

LOG1="$D/daemon1.log"
start_daemon "$LOG1"
ok $? "run says 'listening on http://127.0.0.1:PORT/' (the real port: $URL)"
[ -n "$URL" ] || {
	diag "$(cat "$LOG1")"
	echo "Bail out! the daemon did not start"
	exit 1
}
check "every source polled once" wait_until 10 all_polled "$LOG1" $NSRC
check "/feed.atom has entries" wait_until 10 count_entries 10
check "log line per source: 'source baochinhphu: 4 entries, N new'" \
	grep -Eq "^source baochinhphu: 4 entries, (4 new|3 new(, 1 taken over)?)$" "$LOG1"

get atom /feed.atom
check "GET /feed.atom: 200" test "$CODE" = 200
check "Content-Type: application/atom+xml; charset=utf-8" \
	test "$(header atom Content-Type)" = "application/atom+xml; charset=utf-8"
ETAG=$(header atom ETag)
LASTMOD=$(header atom Last-Modified)
check "strong ETag ($ETAG)" grep -Eq '^"[^"]+"$' <<<"$ETAG"
check "Last-Modified ($LASTMOD)" grep -Eq '^[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} GMT$' <<<"$LASTMOD"
check "served feed validates against the RELAX NG schema" atom_valid "$WORK/atom.b"
check "served feed: every link once" feedcheck unique "$WORK/atom.b"
check "served feed: every entry attributed" feedcheck attributed "$WORK/atom.b" "Nguồn"
check "the shared story: once, attributed to baochinhphu whichever answered first" \
	test "$(feedcheck source-of "$WORK/atom.b" "thuc-day-xay-dung-chinh-quyen-so")" = "1 Báo Chính phủ"
check "served feed equals output_dir/feed.atom" cmp "$WORK/atom.b" "$D/public/feed.atom"

get inm -H "If-None-Match: $ETAG" /feed.atom
check "If-None-Match with the ETag: 304" test "$CODE" = 304
check "304 has no body" test ! -s "$WORK/inm.b"
get inmlist -H "If-None-Match: \"nope\", $ETAG" /feed.atom
check "If-None-Match list containing the ETag: 304" test "$CODE" = 304
get ims -H "If-Modified-Since: $LASTMOD" /feed.atom
check "If-Modified-Since with Last-Modified: 304" test "$CODE" = 304
get imsold -H "If-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT" /feed.atom
check "If-Modified-Since long ago: 200" test "$CODE" = 200
get both -H "If-None-Match: \"other\"" -H "If-Modified-Since: $LASTMOD" /feed.atom
check "If-None-Match wins over If-Modified-Since (mismatching INM + matching IMS: 200)" \
	test "$CODE" = 200
get head -I /feed.atom
check "HEAD /feed.atom: 200, same ETag and Content-Length as GET" \
	test "$CODE $(header head ETag) $(header head Content-Length)" = \
	"200 $ETAG $(wc -c <"$WORK/atom.b")"
get rss /feed.rss
check "GET /feed.rss: 200 application/rss+xml; charset=utf-8" \
	test "$CODE $(header rss Content-Type)" = "200 application/rss+xml; charset=utf-8"
check "served RSS: every item has <source>" feedcheck rss "$WORK/rss.b"
get missing /no-such-thing
check "unknown path: 404" test "$CODE" = 404

repolled() {
	requests_for /modeled_baochinhphu-home.rss | grep -q '"if_none_match": "\\"'
}
check "the timer polls again, with If-None-Match" wait_until 10 repolled
check "and logs 'source baochinhphu: not modified' at debug level" \
	wait_until 5 grep -q "^debug: source baochinhphu: not modified$" "$LOG1"
get again /feed.atom
check "unchanged bytes after the re-poll" cmp "$WORK/atom.b" "$WORK/again.b"

kill -HUP "$DAEMON_PID"
check "SIGHUP reloads the unchanged config: 'no changes'" \
	wait_until 5 grep -q "^reload: .*feedmerge.conf: no changes$" "$LOG1"
get afterhup /feed.atom
check "still serving after SIGHUP" test "$CODE" = 200

stop_daemon TERM
check "SIGTERM: exits 0 within 10 s (got $STOP_RC)" test "$STOP_RC" = 0
NENTRIES=$(feedcheck count "$WORK/atom.b")

# --- restarted with every source failing: serves what it stored, keeps running --------------
kill "$SERVER_PID" 2>/dev/null
wait "$SERVER_PID" 2>/dev/null
LOG2="$D/daemon2.log"
start_daemon "$LOG2"
ok $? "restarted with every source down: listening on $URL"
failing() {
	[ "$(grep -c "^warning: source [a-z]*: fetch http://127.0.0.1:$PORT/.*retry in" "$1")" -ge "$2" ]
}
check "one failure line per source, naming it, with the retry" wait_until 10 failing "$LOG2" $NSRC
get down /feed.atom
check "still serves the stored feed ($NENTRIES entries)" \
	test "$CODE" = 200 -a "$(feedcheck count "$WORK/down.b")" = "$NENTRIES"
check "the same bytes as before the restart" cmp "$WORK/atom.b" "$WORK/down.b"
get down304 -H "If-None-Match: $ETAG" /feed.atom
check "and the same ETag (304)" test "$CODE" = 304
check "still running" kill -0 "$DAEMON_PID"
stop_daemon INT
check "SIGINT: exits 0 (got $STOP_RC)" test "$STOP_RC" = 0

done_testing
