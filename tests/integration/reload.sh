#!/usr/bin/env bash
# Live sources: SIGHUP reloads the config while transfers are in flight (sources added, removed,
# changed; global keys live or kept until a restart); a broken config changes nothing; removing
# a source takes its entries out of the outputs (a shared story stays, re-attributed) and adding
# it back announces nothing new; enabled = no pauses; the schedule survives a restart (no poll
# right after one, none inside a Retry-After window) and overdue sources are spread over
# startup_spread.
# shellcheck source=tests/integration/lib.sh disable=SC2016
. "$TESTS_SRCDIR/integration/lib.sh"

serve_fixtures modeled_baochinhphu-home.rss modeled_republisher.rss feed-rs_rss_2.0_bbc.xml \
	miniflux_small_atom.xml kde-syndication_heise-atom.xml || {
	echo "Bail out! fixtures missing in $FIXTURES_DIR"
	exit 1
}
for t in curl sqlite3; do
	command -v "$t" >/dev/null || {
		echo "1..0 # SKIP $t not installed"
		exit 0
	}
done
start_server

D="$WORK/reload"
mkdir -p "$D"
CONF="$D/feedmerge.conf"
LOG="$D/daemon.log"
DB="$D/feedmerge.db"

# base_config FILE [KEY=VALUE...]: the sources every step starts from.
base_config() {
	local file=$1
	shift
	write_config "$file" listen=127.0.0.1:0 "$@"
	add_source "$file" baochinhphu "$BASE/modeled_baochinhphu-home.rss" "title = Báo Chính phủ"
	add_source "$file" gioitre "$BASE/modeled_republisher.rss" "title = Giới trẻ"
	add_source "$file" bbc "$BASE/feed-rs_rss_2.0_bbc.xml"
	add_source "$file" ticker "$BASE/f/ticker/miniflux_small_atom.xml" "interval = 2s"
	add_source "$file" slowkeep "$BASE/slow?s=4"
	add_source "$file" slowdrop "$BASE/slow?s=30"
	add_source "$file" unavailable "$BASE/status/503"
}

DAEMON_PID=
# start_daemon: starts `feedmerge run -c $CONF` logging to $LOG; sets URL.
start_daemon() {
	: >"$LOG"
	"$FEEDMERGE" run -c "$CONF" 2>"$LOG" &
	DAEMON_PID=$!
	CLEANUP_PIDS="$CLEANUP_PIDS $DAEMON_PID"
	wait_until 10 grep -q "^listening on http://127.0.0.1:[0-9][0-9]*/$" "$LOG" || return 1
	URL=$(grep -o "http://127.0.0.1:[0-9][0-9]*/" "$LOG" | head -n 1)
}

# stop_daemon: SIGTERM, a bounded wait; sets STOP_RC.
stop_daemon() {
	kill -TERM "$DAEMON_PID" 2>/dev/null
	wait_until 10 sh -c '! kill -0 "$1"' sh "$DAEMON_PID"
	kill -KILL "$DAEMON_PID" 2>/dev/null
	wait "$DAEMON_PID" 2>/dev/null
	STOP_RC=$?
}

# reload FILE: installs FILE as the config and sends SIGHUP; waits for the reload's last line.
reload() {
	local before
	before=$(grep -c "^\(warning: \)\?reload: .*: \(applied\|no changes\|[0-9]* errors\?;\)" "$LOG")
	cp "$1" "$CONF"
	kill -HUP "$DAEMON_PID"
	wait_until 10 sh -c '[ "$(grep -c "^\(warning: \)\?reload: .*: \(applied\|no changes\|[0-9]* errors\?;\)" "$1")" -gt "$2" ]' \
		sh "$LOG" "$before"
}

# nreq PATH: requests the server saw for PATH (exact path, query included).
nreq() {
	grep -cF "\"path\": \"$1\"" "$SERVER_LOG"
}

fetch_atom() { # NAME: GET /feed.atom into $WORK/NAME.atom
	curl -s -o "$WORK/$1.atom" --max-time 5 "${URL}feed.atom"
}

logged() { grep -q "$1" "$LOG"; }

# --- reload while transfers are in flight --------------------------------------------------
base_config "$CONF"
start_daemon || {
	diag "$(cat "$LOG")"
	echo "Bail out! the daemon did not start"
	exit 1
}
check "the first round: the fast sources are stored" wait_until 10 sh -c \
	'grep -q "^source baochinhphu: 4 entries" "$1" && grep -q "^source gioitre: " "$1" &&
	 grep -q "^source bbc: " "$1"' sh "$LOG"
check "both slow transfers are in flight" wait_until 5 sh -c \
	'[ "$(grep -c "\"path\": \"/slow" "$1")" = 2 ]' sh "$SERVER_LOG"

NEW="$D/step1.conf"
write_config "$NEW" listen=127.0.0.1:1 "feed_title=Tin mới" concurrency=4
add_source "$NEW" baochinhphu "$BASE/modeled_baochinhphu-home.rss" "title = Báo Chính phủ"
add_source "$NEW" gioitre "$BASE/modeled_republisher.rss" "title = Báo Giới trẻ"
add_source "$NEW" bbc "$BASE/f/moved/feed-rs_rss_2.0_bbc.xml"
add_source "$NEW" ticker "$BASE/f/ticker/miniflux_small_atom.xml" "interval = 2s"
add_source "$NEW" slowkeep "$BASE/slow?s=4"
add_source "$NEW" unavailable "$BASE/status/503"
add_source "$NEW" heise "$BASE/kde-syndication_heise-atom.xml"
BBC_OLD=$(nreq /feed-rs_rss_2.0_bbc.xml)
check "SIGHUP: the reload completes" reload "$NEW"
check "a removed source: logged, its transfer aborted" \
	logged "^reload: source slowdrop removed; its transfer in flight aborted$"
check "an added source: logged" logged "^reload: source heise added$"
check "a changed title: logged with the key" logged "^reload: source gioitre changed: title$"
check "a changed url: logged with the key" logged "^reload: source bbc changed: url$"
check "a live global key: logged with both values" \
	logged "^reload: feed_title changed: 'Tin tổng hợp' -> 'Tin mới'$"
check "concurrency: logged" logged "^reload: concurrency changed: '8' -> '4'$"
check "listen needs a restart: said, and the old value kept" \
	logged "^warning: reload: listen changed to '127.0.0.1:1': needs a restart; keeping '127.0.0.1:0'$"
check "feed_author follows feed_title: logged" \
	logged "^reload: feed_author changed: 'Tin tổng hợp' -> 'Tin mới'$"
check "the summary line counts the changes" logged "^reload: .*feedmerge.conf: applied 7 changes$"
check "the added source is polled (startup_spread = 0: at once)" \
	wait_until 5 grep -q "^source heise: " "$LOG"
check "the moved source is polled at its new URL" \
	wait_until 5 grep -q '"path": "/f/moved/feed-rs_rss_2.0_bbc.xml"' "$SERVER_LOG"
check "... from a clean state: no If-None-Match, no If-Modified-Since" sh -c \
	'grep "\"path\": \"/f/moved/" "$1" | head -n 1 | grep -q "\"if_none_match\": null, \"if_modified_since\": null"' \
	sh "$SERVER_LOG"
check "the old URL is not asked again" test "$(nreq /feed-rs_rss_2.0_bbc.xml)" = "$BBC_OLD"
check "the unchanged slow transfer is not disturbed: it completes" \
	wait_until 8 grep -q "^source slowkeep: 0 entries, 0 new$" "$LOG"
check "nothing of the aborted transfer is logged" sh -c '! grep -q "^source slowdrop:" "$1"' sh "$LOG"
check "nothing of the aborted transfer is stored" \
	test "$(sqlite3 "$DB" "SELECT coalesce(feed_title, 'none') FROM sources WHERE name = 'slowdrop'")" = none
check "the removed source is marked removed" \
	test "$(sqlite3 "$DB" "SELECT removed_at IS NOT NULL FROM sources WHERE name = 'slowdrop'")" = 1
fetch_atom step1
check "the outputs are rendered again: the new feed_title" \
	grep -q "<title>Tin mới</title>" "$WORK/step1.atom"
check "... and the new source title in attributions" \
	grep -q "<title>Báo Giới trẻ</title>" "$WORK/step1.atom"
check "the served feed is valid Atom" atom_valid "$WORK/step1.atom"
check "still listening on the old address" test -n "$(curl -s --max-time 5 "${URL}feed.rss")"

# --- a broken config changes nothing ---------------------------------------------------------
BROKEN="$D/broken.conf"
cp "$NEW" "$BROKEN"
sed -i 's/^interval = 1h$/interval = soon/' "$BROKEN"
printf '\n[source extra]\nurl = %s\nfrequency = 5m\n' "$BASE/modeled_republisher.rss" >>"$BROKEN"
check "a broken config: the reload ends" reload "$BROKEN"
check "every error is logged as FILE:LINE: message" sh -c \
	'grep -q "^warning: $2:[0-9]*: bad interval .soon." "$1" &&
	 grep -q "^warning: $2:[0-9]*: unknown key .frequency." "$1"' sh "$LOG" "$CONF"
check "and one line says the old config stays" \
	logged "^warning: reload: .*feedmerge.conf: 2 errors; still running on the old config$"
check "no source was added from the broken file" sh -c '! grep -q "reload: source extra" "$1"' sh "$LOG"
TICKS=$(nreq /f/ticker/miniflux_small_atom.xml)
check "the old sources are still polled on schedule (ticker, every 2s)" wait_until 8 sh -c \
	'[ "$(grep -cF "\"path\": \"/f/ticker/miniflux_small_atom.xml\"" "$1")" -ge $(($2 + 2)) ]' \
	sh "$SERVER_LOG" "$TICKS"

# --- removing a source; adding it back -------------------------------------------------------
check "the shared story is baochinhphu's before" test \
	"$(feedcheck source-of "$WORK/step1.atom" thuc-day-xay-dung-chinh-quyen-so)" = "1 Báo Chính phủ"
NOBCP="$D/step2.conf"
grep -v "^\[source baochinhphu\]" "$NEW" | grep -v "modeled_baochinhphu-home.rss" |
	grep -v "^title = Báo Chính phủ$" >"$NOBCP"
check "reload without baochinhphu" reload "$NOBCP"
check "logged as removed (nothing was in flight)" logged "^reload: source baochinhphu removed$"
fetch_atom step2
check "its own entries left /feed.atom" sh -c '! grep -q "ca-nuoc-cung-cap-4527" "$1"' sh "$WORK/step2.atom"
check "and the static feed.atom" sh -c '! grep -q "ca-nuoc-cung-cap-4527" "$1"' sh "$D/public/feed.atom"
check "the story gioitre also carried stays, attributed to gioitre" test \
	"$(feedcheck source-of "$WORK/step2.atom" thuc-day-xay-dung-chinh-quyen-so)" = "1 Báo Giới trẻ"
check "the outputs stay valid" atom_valid "$D/public/feed.atom"
BCP_REQ=$(grep -c '"path": "/modeled_baochinhphu-home.rss"' "$SERVER_LOG")
LOG_LINES=$(wc -l <"$LOG")
check "reload with baochinhphu back" reload "$NEW"
check "re-added: polled within startup_spread" wait_until 5 sh -c \
	'[ "$(grep -c "\"path\": \"/modeled_baochinhphu-home.rss\"" "$1")" -gt "$2" ]' \
	sh "$SERVER_LOG" "$BCP_REQ"
check "and its poll announces nothing new" sh -c \
	'! tail -n +$(($2 + 1)) "$1" | grep -Eq "^source baochinhphu: [0-9]+ entr(y|ies), [1-9]"' \
	sh "$LOG" "$LOG_LINES"
fetch_atom step3
check "its entries are back" grep -q "ca-nuoc-cung-cap-4527" "$WORK/step3.atom"

# --- pausing -----------------------------------------------------------------------------------
PAUSED="$D/step4.conf"
sed 's|^url = \(.*/f/ticker/.*\)$|url = \1\nenabled = no|' "$NEW" >"$PAUSED"
check "reload with ticker paused" reload "$PAUSED"
check "logged as a change of enabled" logged "^reload: source ticker changed: enabled (paused)$"
sleep 0.5
TICKS=$(nreq /f/ticker/miniflux_small_atom.xml)
sleep 4
check "a paused source is not polled (4s, interval 2s)" \
	test "$(nreq /f/ticker/miniflux_small_atom.xml)" = "$TICKS"
fetch_atom step4
check "its entries stay published" test "$(feedcheck count "$WORK/step4.atom")" = \
	"$(feedcheck count "$WORK/step3.atom")"

# --- an output_dir that cannot be made: said, the old one kept, not counted as a change --------
: >"$D/blocker"
BADOUT="$D/step5.conf"
sed 's|^output_dir = public$|output_dir = blocker/public|' "$PAUSED" >"$BADOUT"
check "reload with an output_dir under a file" reload "$BADOUT"
check "the failure is logged, naming both folders" \
	logged "^warning: output_dir $D/blocker/public; keeping $D/public: "
check "it is not logged as a change" sh -c '! grep -q "^reload: output_dir changed" "$1"' sh "$LOG"
check "the static files stay where they were" test -s "$D/public/feed.atom"
cp "$PAUSED" "$CONF" # what the restart below starts from
stop_daemon
check "SIGTERM after the reloads: exit 0 (got $STOP_RC)" test "$STOP_RC" = 0

# --- the schedule survives a restart ---------------------------------------------------------
check "the 503's Retry-After deadline is stored" test \
	"$(sqlite3 "$DB" "SELECT retry_until - last_attempt_at >= 119 FROM sources WHERE name = 'unavailable'")" = 1
N0=$(wc -l <"$SERVER_LOG")
LOG="$D/daemon2.log"
start_daemon
ok $? "restarted on the same config"
check "and says ticker is paused" logged "^source ticker: paused (enabled = no)$"
sleep 4
check "right after a poll (interval 1h): no request in 4s" test "$(wc -l <"$SERVER_LOG")" = "$N0"
check "inside the Retry-After window: /status/503 not asked" \
	sh -c '! tail -n +$(($2 + 1)) "$1" | grep -q "/status/503"' sh "$SERVER_LOG" "$N0"
stop_daemon
check "stopped: exit 0 (got $STOP_RC)" test "$STOP_RC" = 0

# --- many overdue sources after a restart are spread over startup_spread ---------------------
S="$WORK/spread"
mkdir -p "$S"
CONF="$S/feedmerge.conf"
LOG="$S/daemon.log"
write_config "$CONF" listen=127.0.0.1:0 interval=1s startup_spread=4s
for i in 0 1 2 3 4 5 6 7 8 9; do
	add_source "$CONF" "s$i" "$BASE/f/spread$i/miniflux_small_atom.xml"
done
"$FEEDMERGE" once -c "$CONF" >"$S/once.out" 2>"$S/once.err"
ok $? "once polls the ten sources"
sleep 1.2 # every source is overdue now
N0=$(wc -l <"$SERVER_LOG")
start_daemon
ok $? "run on the overdue database"
check "the ten are polled within startup_spread" wait_until 8 sh -c \
	'[ "$(tail -n +$(($2 + 1)) "$1" | grep -o "/f/spread[0-9]*/" | sort -u | wc -l)" -ge 10 ]' \
	sh "$SERVER_LOG" "$N0"
stop_daemon
spread_ok() {
	tail -n +$((N0 + 1)) "$SERVER_LOG" | grep "/f/spread" | "$PYTHON" -c '
import json, sys
first = {}
for l in sys.stdin:
    r = json.loads(l)
    first.setdefault(r["path"], r["time"])
t = sorted(first.values())
span, burst = t[-1] - t[0], sum(1 for x in t if x - t[0] < 1.0)
print("span %.1fs, %d in the first second" % (span, burst))
sys.exit(0 if len(t) == 10 and span >= 2.0 and burst <= 5 else 1)'
}
check "first requests spread over 4s, not one burst" spread_ok

done_testing
