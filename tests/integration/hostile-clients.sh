#!/usr/bin/env bash
# The daemon's listener under hostile HTTP clients (hostileclient.py; loopback only). Each
# attack comes from 127.0.0.1; the reader who must still be served comes from 127.0.0.2 (the
# daemon limits connections per client address: an attacker and a reader sharing one address
# are one client to it). During and after each attack the daemon must
#   - answer the reader's GET /feed.atom within 5 s,
#   - stay under the memory bound (VmHWM, mem_bound_mb in lib.sh: 200 MB plain) and keep its
#     descriptors bounded (256 connections + 32 of its own),
#   - still hold the good source's entries, served and in the database.
# Attacks: slowloris (header bytes trickled; a connection that goes quiet is dropped by the 15 s
# idle timeout), 10,000 idle connections, a 100 KiB request line and header field (414/431),
# 2,000 header fields, garbage bytes (400 or a close), pipelined requests (answered in order),
# and a client that asks for a 3 MB feed 50 times and never reads.
# shellcheck source=tests/integration/lib.sh disable=SC2016
. "$TESTS_SRCDIR/integration/lib.sh"

for t in sqlite3 curl; do
	command -v "$t" >/dev/null || {
		echo "1..0 # SKIP $t not installed"
		exit 0
	}
done
mkdir -p "$WORK/www"
cat >"$WORK/www/good.rss" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>good</title><link>http://good.example/</link>
<item><title>good 1</title><link>http://good.example/1</link><pubDate>Mon, 01 Dec 2025 08:00:00 GMT</pubDate></item>
<item><title>good 2</title><link>http://good.example/2</link><pubDate>Mon, 01 Dec 2025 07:00:00 GMT</pubDate></item>
<item><title>good 3</title><link>http://good.example/3</link><pubDate>Mon, 01 Dec 2025 06:00:00 GMT</pubDate></item>
</channel></rss>
XML
# 600 entries of 4 KiB: a merged feed of about 3 MB, far more than a socket buffer holds.
"$PYTHON" - "$WORK/www/big.rss" <<'PY'
import sys
items = "".join(
    "<item><title>big %d</title><link>http://big.example/%d</link>"
    "<pubDate>Sun, 30 Nov 2025 %02d:%02d:00 GMT</pubDate><description>%s</description></item>\n"
    % (n, n, n // 60 % 24, n % 60, ("lorem ipsum %d " % n) * 300) for n in range(600))
open(sys.argv[1], "w").write('<?xml version="1.0"?><rss version="2.0"><channel><title>big</title>'
                             '<link>http://big.example/</link>' + items + "</channel></rss>\n")
PY
start_server
HC=("$PYTHON" "$INTEGRATION_DIR/hostileclient.py")

D="$WORK/daemon"
mkdir -p "$D"
CONF="$D/feedmerge.conf"
LOG="$D/daemon.log"
DB="$D/feedmerge.db"
write_config "$CONF" listen=127.0.0.1:0
add_source "$CONF" good "$BASE/good.rss"
add_source "$CONF" big "$BASE/big.rss"
"$FEEDMERGE" run -c "$CONF" 2>"$LOG" &
PID=$!
CLEANUP_PIDS="$CLEANUP_PIDS $PID"
check "listening" wait_until 10 grep -q "^listening on http://127.0.0.1:[0-9]*/$" "$LOG" || {
	diag "$(tail -n 20 "$LOG")"
	done_testing
}
URL=$(grep -o "http://127.0.0.1:[0-9]*/" "$LOG" | head -n 1)
DPORT=$(grep -o "127.0.0.1:[0-9]*" <<<"$URL" | cut -d: -f2)
BOUND_MB=$(mem_bound_mb)
FD_BOUND=$((256 + 32))
diag "memory bound: VmHWM <= $BOUND_MB MB; descriptors <= $FD_BOUND"

# reader [FILE]: GET /feed.atom from 127.0.0.2 answers 200 within 5 s (x FEEDMERGE_TIME_SCALE).
reader() {
	local code t0 t1
	t0=$(date +%s%N)
	code=$(curl -s --interface 127.0.0.2 -o "${1:-$WORK/served.atom}" -w '%{http_code}' \
		--max-time $((5 * FEEDMERGE_TIME_SCALE)) "${URL}feed.atom")
	t1=$(date +%s%N)
	echo "GET /feed.atom: $code in $(((t1 - t0) / 1000000)) ms"
	[ "$code" = 200 ]
}
good_kept() {
	local n
	for n in 1 2 3; do
		grep -q "http://good.example/$n" "$1" || { echo "good $n missing from /feed.atom"; return 1; }
	done
	n=$(sqlite3 -batch -noheader "$DB" "SELECT count(*) FROM entries e JOIN sources s ON s.id = e.source_id
		WHERE s.name = 'good' AND e.link LIKE 'http://good.example/_'")
	[ "$n" = 3 ] || { echo "the database holds $n of the good source's 3 entries"; return 1; }
}
# bounded NAME: the memory and descriptor bounds, now.
bounded() {
	local hwm rss fds
	hwm=$(proc_kb "$PID" VmHWM) rss=$(proc_kb "$PID" VmRSS) fds=$(fd_count "$PID")
	check "$1: memory bounded (VmRSS $((${rss:-0} / 1024)) MB, VmHWM $((${hwm:-0} / 1024)) MB <= $BOUND_MB MB), $fds descriptors <= $FD_BOUND" \
		test -n "$hwm" -a "${hwm:-0}" -le $((BOUND_MB * 1024)) -a "$fds" -le "$FD_BOUND"
}
# during NAME: checks made while an attack goes on.
during() {
	check "$1, during: a reader is answered ($(reader "$WORK/during.atom"))" reader "$WORK/during.atom"
	bounded "$1, during"
}
# healthy NAME: the checks every attack ends with.
healthy() {
	check "$1, after: a reader is answered ($(reader))" reader
	bounded "$1, after"
	check "$1, after: the good source's entries are kept (served and in the database)" good_kept "$WORK/served.atom"
}
stored() {
	reader >/dev/null && grep -q "http://good.example/3" "$WORK/served.atom" && grep -q "http://big.example/599" "$WORK/served.atom"
}
check "both sources stored and served" wait_until 15 stored
check "the merged feed is large ($(wc -c <"$WORK/served.atom") bytes >= 2 MB)" test "$(wc -c <"$WORK/served.atom")" -ge 2000000
healthy "before any attack"

# --- a connection that goes quiet mid-request: dropped by the idle timeout (15 s) ------------
"${HC[@]}" idle-drop "$DPORT" $((25 * FEEDMERGE_TIME_SCALE)) >"$WORK/idle-drop.out" 2>&1 &
IDLE_DROP=$!
CLEANUP_PIDS="$CLEANUP_PIDS $IDLE_DROP"

# --- oversized requests, garbage, pipelining --------------------------------------------------
for kind in line:414 header:431 many:431; do
	got=$(timeout 30 "${HC[@]}" oversized "$DPORT" "${kind%%:*}" 2>&1)
	check "oversized ${kind%%:*}: ${kind#*:} (got $got)" test "$got" = "${kind#*:}"
done
healthy "oversized requests"
got=$(timeout 90 "${HC[@]}" garbage "$DPORT" 2>&1)
check "garbage bytes, 5 connections: each 400 or closed ($got)" \
	grep -Eq '^((400|closed) ){4}(400|closed)$' <<<"$got"
healthy "garbage"
got=$(timeout 30 "${HC[@]}" pipeline "$DPORT" /feed.atom /feed.rss /healthz /no-such /feed.json /feed.atom 2>&1)
expected=$(printf '%s\n' "200 application/atom+xml" "200 application/rss+xml" "200 text/plain" \
	"404 text/plain" "200 application/feed+json" "200 application/atom+xml")
check "6 pipelined requests in one write: answered in order" test "$got" = "$expected"
[ "$got" = "$expected" ] || diag "$got"
healthy "pipelining"

# --- slowloris: 300 connections trickling header bytes for 20 s -------------------------------
"${HC[@]}" slowloris "$DPORT" 300 20 >"$WORK/slowloris.out" 2>&1 &
ATTACK=$!
CLEANUP_PIDS="$CLEANUP_PIDS $ATTACK"
sleep 5
during "slowloris"
sleep 5
during "slowloris"
wait "$ATTACK"
diag "slowloris: $(cat "$WORK/slowloris.out")"
healthy "slowloris"
wait "$IDLE_DROP"
rc=$?
check "a request gone quiet is dropped by the idle timeout: $(cat "$WORK/idle-drop.out")" \
	sh -c '[ "$1" = 0 ] && grep -Eq "closed by the server after 1[4-9]\.|closed by the server after [2-9][0-9]\." "$2"' \
	sh "$rc" "$WORK/idle-drop.out"

# --- 10,000 idle connections (as many as the descriptor limit allows), held 30 s -------------
rm -f "$WORK/idle.ready"
"${HC[@]}" idle "$DPORT" 10000 30 "$WORK/idle.ready" >"$WORK/idle.out" 2>&1 &
ATTACK=$!
CLEANUP_PIDS="$CLEANUP_PIDS $ATTACK"
if wait_until 30 test -s "$WORK/idle.ready"; then
	diag "idle: $(cat "$WORK/idle.ready") (connections opened, refused at once)"
	during "10,000 idle connections"
	sleep 5
	during "10,000 idle connections"
	sleep 10
	during "10,000 idle connections (past one idle timeout)"
else
	ok 1 "10,000 idle connections: the client got going"
fi
wait "$ATTACK"
diag "idle: $(cat "$WORK/idle.out")"
healthy "10,000 idle connections"

# --- a client that never reads: 50 pipelined GETs of the 3 MB feed, nothing read --------------
rm -f "$WORK/noread.ready"
"${HC[@]}" noread "$DPORT" /feed.atom 50 20 "$WORK/noread.ready" >"$WORK/noread.out" 2>&1 &
ATTACK=$!
CLEANUP_PIDS="$CLEANUP_PIDS $ATTACK"
wait_until 15 test -s "$WORK/noread.ready"
sleep 2
during "a client that never reads"
check "a client that never reads: another client on the same address is answered too" \
	sh -c 'curl -s -o /dev/null --max-time "$2" "$1" ' sh "${URL}feed.atom" $((5 * FEEDMERGE_TIME_SCALE))
wait "$ATTACK"
diag "noread: $(cat "$WORK/noread.out")"
healthy "a client that never reads"

check "still running after every attack" kill -0 "$PID"
check "the log holds no error from the listener" sh -c '! grep -E "^(error|fatal)" "$1"' sh "$LOG"
stop_pid "$PID" $((30 * FEEDMERGE_TIME_SCALE))
rc=$?
ok "$rc" "SIGTERM: exit 0 (got $rc)"

done_testing
