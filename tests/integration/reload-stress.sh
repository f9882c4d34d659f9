#!/usr/bin/env bash
# 200 reloads in a row while sources are being polled (fast ones every second, a slow one in
# flight): each reload alternates between two configs that add, remove and change sources and
# global keys. The daemon must keep serving and exit 0 on SIGTERM; under the ASan+UBSan build
# a leak or an invalid access makes that exit status non-zero, and .ci/valgrind runs this same
# script with FEEDMERGE_WRAP set to valgrind.
#
# Environment: RELOADS (default 200); FEEDMERGE_WRAP, a command the daemon is run under.
# shellcheck source=tests/integration/lib.sh disable=SC2016
. "$TESTS_SRCDIR/integration/lib.sh"

RELOADS=${RELOADS:-200}
serve_fixtures modeled_baochinhphu-home.rss modeled_republisher.rss miniflux_small_atom.xml || {
	echo "Bail out! fixtures missing in $FIXTURES_DIR"
	exit 1
}
command -v curl >/dev/null || {
	echo "1..0 # SKIP curl(1) not installed"
	exit 0
}
start_server

D="$WORK/stress"
mkdir -p "$D"
CONF="$D/feedmerge.conf"
LOG="$D/daemon.log"
A="$D/a.conf"
B="$D/b.conf"
write_config "$A" listen=127.0.0.1:0 interval=1s
add_source "$A" baochinhphu "$BASE/modeled_baochinhphu-home.rss"
add_source "$A" gioitre "$BASE/modeled_republisher.rss"
add_source "$A" miniflux "$BASE/miniflux_small_atom.xml" "timezone = Asia/Ho_Chi_Minh"
add_source "$A" slow "$BASE/slow?s=1"
write_config "$B" listen=127.0.0.1:0 interval=2s "feed_title=Tin B" concurrency=2
add_source "$B" baochinhphu "$BASE/modeled_baochinhphu-home.rss" "title = Báo Chính phủ"
add_source "$B" miniflux "$BASE/f/b/miniflux_small_atom.xml" "timezone = +07:00"
add_source "$B" slow "$BASE/slow?s=1" "enabled = no"
add_source "$B" extra "$BASE/modeled_republisher.rss" "charset = utf-8"
cp "$A" "$CONF"

# shellcheck disable=SC2086
${FEEDMERGE_WRAP:-} "$FEEDMERGE" run -c "$CONF" 2>"$LOG" &
PID=$!
CLEANUP_PIDS="$CLEANUP_PIDS $PID"
check "listening" wait_until 60 grep -q "^listening on http://127.0.0.1:[0-9]*/$" "$LOG" || {
	diag "$(tail -n 20 "$LOG")"
	done_testing
}
URL=$(grep -o "http://127.0.0.1:[0-9]*/" "$LOG" | head -n 1)
check "the first round is stored" wait_until 60 grep -q "^source baochinhphu: " "$LOG"

done_reloads() {
	grep -c "^reload: .*: applied" "$LOG"
}
n=0 stuck=0
while [ $n -lt "$RELOADS" ]; do
	if [ $((n % 2)) = 0 ]; then cp "$B" "$CONF"; else cp "$A" "$CONF"; fi
	kill -HUP "$PID" 2>/dev/null || break
	n=$((n + 1))
	if ! wait_until 30 sh -c '[ "$(grep -c "^reload: .*: applied" "$1")" -ge "$2" ]' sh "$LOG" "$n"; then
		stuck=1
		break
	fi
done
check "$RELOADS reloads applied one after another ($(done_reloads) done)" \
	test "$stuck" = 0 -a "$(done_reloads)" = "$RELOADS"
check "polls went on between them" \
	test "$(grep -cE '^source [a-z]+: ([0-9]+ entr|not modified)' "$LOG")" -ge 4
check "no error from the reloads" sh -c '! grep -E "^warning: (reload|.*feedmerge.conf:)" "$1"' sh "$LOG"
code=$(curl -s -o "$D/feed.atom" -w '%{http_code}' --max-time 20 "${URL}feed.atom")
check "still serving /feed.atom: $code" test "$code" = 200
check "the served feed is valid Atom" atom_valid "$D/feed.atom"
kill -TERM "$PID"
check "SIGTERM: stops" wait_until 60 sh -c '! kill -0 "$1"' sh "$PID"
wait "$PID"
rc=$?
ok "$rc" "exit status 0: no leak or invalid access reported (got $rc)"
[ "$rc" = 0 ] || diag "$(grep -vE '^(source|reload|SIGHUP)' "$LOG" | head -n 40)"

done_testing
