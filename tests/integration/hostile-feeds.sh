#!/usr/bin/env bash
# The daemon under hostile sources. One daemon (run mode) stores a good source first; then each
# hostile source is added by a reload, one at a time, and after its poll the daemon must
#   - have logged what it did with it (one line naming the source),
#   - still serve GET /feed.atom within 5 s,
#   - stay under the memory bound (VmHWM, mem_bound_mb in lib.sh: 200 MB plain) with its
#     descriptors bounded,
#   - still hold the good source's entries, in /feed.atom and in the database.
# Sources: XXE (external DTD, file:// entity), billion laughs, quadratic blowup, 100,000 nesting
# levels, a 1 GiB body, a 1 GiB gzip bomb (max_size = 16M), invalid UTF-8 and NUL bytes, 1 MiB attributes,
# 100,000 entries, hostile HTML in every field (hostile-outputs.sh checks the outputs in depth),
# a server dripping a byte a second, a redirect loop, a server that accepts and never answers.
# Then `check` refuses source URLs with a control character or a scheme other than http(s).
# shellcheck source=tests/integration/lib.sh disable=SC2016
. "$TESTS_SRCDIR/integration/lib.sh"

for t in sqlite3 curl xmllint; do
	command -v "$t" >/dev/null || {
		echo "1..0 # SKIP $t not installed"
		exit 0
	}
done
start_server
SECRET="FEEDMERGE-SECRET-$$-$RANDOM"
echo "$SECRET" >"$WORK/secret.txt"
# Under valgrind (FEEDMERGE_WRAPPER) and ASan, 100,000 entries take many minutes to store (and
# ASan's allocator holds 2.3 GB doing it, the plain build 95 MB): 10,000 run the same code.
MANY=100000
if [ -n "${FEEDMERGE_WRAPPER:-}" ] || grep -qa __asan_init "$FEEDMERGE_REAL" 2>/dev/null; then
	MANY=10000
fi
"$PYTHON" "$INTEGRATION_DIR/hostilegen.py" "$WORK/www" "$BASE/evil.dtd" "$WORK/secret.txt" "$MANY" || {
	echo "Bail out! hostilegen.py failed"
	exit 1
}
cat >"$WORK/www/good.rss" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>good</title><link>http://good.example/</link>
<item><title>good 1</title><link>http://good.example/1</link><pubDate>Mon, 01 Dec 2025 08:00:00 GMT</pubDate></item>
<item><title>good 2</title><link>http://good.example/2</link><pubDate>Mon, 01 Dec 2025 07:00:00 GMT</pubDate></item>
<item><title>good 3</title><link>http://good.example/3</link><pubDate>Mon, 01 Dec 2025 06:00:00 GMT</pubDate></item>
</channel></rss>
XML
# A peer that completes the TCP handshake (the kernel does) and then never reads nor answers.
"$PYTHON" -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
__import__("os").rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(3600)
' "$WORK/silent.port" &
CLEANUP_PIDS="$CLEANUP_PIDS $!"
wait_until 10 test -s "$WORK/silent.port" || {
	echo "Bail out! the silent peer did not start"
	exit 1
}
SILENT="http://127.0.0.1:$(cat "$WORK/silent.port")/feed.xml"

D="$WORK/daemon"
mkdir -p "$D"
CONF="$D/feedmerge.conf"
LOG="$D/daemon.log"
DB="$D/feedmerge.db"
write_config "$CONF" listen=127.0.0.1:0 timeout=5s max_size=16M
add_source "$CONF" good "$BASE/good.rss"
"$FEEDMERGE" run -c "$CONF" 2>"$LOG" &
PID=$!
CLEANUP_PIDS="$CLEANUP_PIDS $PID"
check "listening" wait_until 10 grep -q "^listening on http://127.0.0.1:[0-9]*/$" "$LOG" || {
	diag "$(tail -n 20 "$LOG")"
	done_testing
}
URL=$(grep -o "http://127.0.0.1:[0-9]*/" "$LOG" | head -n 1)
check "the good source is stored first" wait_until 10 grep -q "^source good: 3 entries" "$LOG"
BOUND_MB=$(mem_bound_mb)
FD_BOUND=64
diag "memory bound: VmHWM <= $BOUND_MB MB; descriptors <= $FD_BOUND"

# good_kept FILE: the good source's three links are in FILE (a served feed) and the database.
good_kept() {
	local n
	for n in 1 2 3; do
		grep -q "http://good.example/$n" "$1" || { echo "good $n missing from /feed.atom"; return 1; }
	done
	n=$(sqlite3 -batch -noheader "$DB" "SELECT count(*) FROM entries e JOIN sources s ON s.id = e.source_id
		WHERE s.name = 'good' AND e.link LIKE 'http://good.example/_'")
	[ "$n" = 3 ] || { echo "the database holds $n of the good source's 3 entries"; return 1; }
}
# served_has TEXT...: /feed.atom (fetched again) holds every TEXT; the merged feed is published a
# moment after the poll's log line.
served_has() {
	local t
	curl -s -o "$WORK/served.atom" --max-time $((5 * FEEDMERGE_TIME_SCALE)) "${URL}feed.atom" || return 1
	for t in "$@"; do
		grep -qF -- "$t" "$WORK/served.atom" || return 1
	done
}
# stored NAME TEXT...: a check that the feed serves TEXT... within 10 s.
stored() {
	local name=$1
	shift
	check "$name: its entries are served ($*)" wait_until 10 served_has "$@"
}
# serving FILE: GET /feed.atom answers 200 within 5 s (x FEEDMERGE_TIME_SCALE), into FILE.
serving() {
	local code
	code=$(curl -s -o "$1" -w '%{http_code}' --max-time $((5 * FEEDMERGE_TIME_SCALE)) "${URL}feed.atom")
	[ "$code" = 200 ] || { echo "GET /feed.atom: $code"; return 1; }
}
# healthy NAME: the three checks every scenario ends with.
healthy() {
	local hwm rss fds
	check "$1: still serving /feed.atom" serving "$WORK/served.atom"
	hwm=$(proc_kb "$PID" VmHWM) rss=$(proc_kb "$PID" VmRSS) fds=$(fd_count "$PID")
	check "$1: memory bounded (VmRSS $((${rss:-0} / 1024)) MB, VmHWM $((${hwm:-0} / 1024)) MB <= $BOUND_MB MB), $fds descriptors" \
		test -n "$hwm" -a "${hwm:-0}" -le $((BOUND_MB * 1024)) -a "$fds" -le "$FD_BOUND"
	check "$1: the good source's entries are kept (served and in the database)" good_kept "$WORK/served.atom"
}
stored good http://good.example/1 http://good.example/2 http://good.example/3
healthy "before any attack"

# attack NAME URL PATTERN [EXTRA LINES]: adds the source by a reload, waits for its one log line
# (up to 60 s) and checks it matches PATTERN (an ERE), then the daemon's health.
reloads=0
attack() {
	local name=$1 url=$2 pattern=$3 line
	shift 3
	add_source "$CONF" "$name" "$url" "$@"
	kill -HUP "$PID"
	reloads=$((reloads + 1))
	wait_until 20 sh -c '[ "$(grep -c "^reload: .*: applied" "$1")" -ge "$2" ]' sh "$LOG" "$reloads" ||
		diag "$name: the reload was not applied"
	if wait_until 60 grep -Eq "^(warning: )?source $name: " "$LOG"; then
		line=$(grep -E "^(warning: )?source $name: " "$LOG" | head -n 1)
		check "$name: '$line'" grep -Eq "$pattern" <<<"$line"
	else
		ok 1 "$name: polled within 60 s"
	fi
	healthy "$name"
}
# in_no_output TEXT: TEXT is in no output file, no served feed, not in the database or the log.
in_no_output() {
	! grep -rqaF -- "$1" "$D/public" "$DB" "$LOG" "$WORK/served.atom"
}

attack xxe "$BASE/xxe.rss" "^(warning: )?source xxe: "
check "xxe: the secret file's contents appear nowhere" in_no_output "$SECRET"
check "xxe: the external DTD's entities appear nowhere" in_no_output "FROM-THE-DTD"
check "xxe: the external DTD was never fetched" sh -c '! grep -q "evil.dtd" "$1"' sh "$SERVER_LOG"
stored xxe http://xxe.example/2

attack laughs "$BASE/laughs.rss" "^(warning: )?source laughs: "
check "laughs: nothing expanded" in_no_output "lollollol"
stored laughs http://laughs.example/2

attack quadratic "$BASE/quadratic.rss" "^(warning: )?source quadratic: "
check "quadratic: nothing expanded" in_no_output "$(printf 'a%.0s' $(seq 1 200))"
stored quadratic http://quadratic.example/2

attack deep "$BASE/deep.rss" "^(warning: )?source deep: "
stored deep http://deep.example/1 http://deep.example/3
check "deep: the log says the nesting was cut" grep -qE "source deep: .*nesting deeper than 256 levels cut" "$LOG"

attack huge "$BASE/big?mb=1024" "^warning: source huge: fetch .*: body larger than max_size \(16M\), retry in "
check "huge: cut at max_size: the 1 GiB body was not read through" sh -c \
	'! grep -q "source huge: .*timed out" "$1"' sh "$LOG"

attack bomb "$BASE/gzip-bomb?mb=1024" "^warning: source bomb: fetch .*: body larger than max_size \(16M\), retry in "

attack badutf8 "$BASE/badutf8.rss" "^(warning: )?source badutf8: "
stored badutf8 http://badutf8.example/1 http://badutf8.example/2
check "badutf8: /feed.atom is well-formed XML" xmllint --noout "$WORK/served.atom"
check "badutf8: /feed.atom is valid UTF-8 without NUL bytes" "$PYTHON" -c '
import sys
data = open(sys.argv[1], "rb").read()
data.decode("utf-8")
sys.exit(b"\0" in data)' "$WORK/served.atom"

attack attrs "$BASE/attrs.rss" "^(warning: )?source attrs: "
stored attrs http://attrs.example/2 http://attrs.example/3
check "attrs: /feed.atom is well-formed XML" xmllint --noout "$WORK/served.atom"

attack many "$BASE/many.rss" "^source many: $MANY entries"
check "many: $MANY entries in the database" test \
	"$(sqlite3 -batch -noheader "$DB" "SELECT count(*) FROM entries e JOIN sources s ON s.id = e.source_id WHERE s.name = 'many'")" = "$MANY"
check "many: /feed.atom still holds feed_size (1000) entries at most" test "$(feedcheck count "$WORK/served.atom")" -le 1000

attack evilhtml "$BASE/evil-html.rss" "^(warning: )?source evilhtml: "
stored evilhtml http://evil-html.example/1
check "evilhtml: nothing in /feed.atom runs" "$PYTHON" "$INTEGRATION_DIR/hostilecheck.py" "$WORK/served.atom"

attack drip "$BASE/drip?s=60" "^warning: source drip: fetch .*: (timed out after 5s|.*too slow)"
attack loop "$BASE/redirect-loop" "^warning: source loop: fetch .*: .*redirect"
attack silent "$SILENT" "^warning: source silent: fetch .*: timed out after 5s"

check "still running after every attack" kill -0 "$PID"
stop_pid "$PID" $((30 * FEEDMERGE_TIME_SCALE))
rc=$?
ok "$rc" "SIGTERM: exit 0 (got $rc)"

# --- check refuses what cannot be a feed URL ---------------------------------------------------
C="$WORK/check"
mkdir -p "$C"
n=0
while IFS= read -r url; do
	n=$((n + 1))
	f="$C/bad$n.conf"
	write_config "$f"
	printf '\n[source bad]\nurl = %s\n' "$url" >>"$f"
	line=$(grep -n '^url = ' "$f" | cut -d: -f1)
	"$FEEDMERGE" check -c "$f" >"$C/out$n" 2>&1
	rc=$?
	shown=$(printf '%q' "$url")
	check "check refuses url $shown: exit 1 (got $rc)" test "$rc" = 1
	check "check refuses url $shown: a FILE:LINE message" grep -q "^$f:$line: " "$C/out$n"
done <<EOF2
$(printf 'http://127.0.0.1/a\rHost: evil')
$(printf 'http://127.0.0.1/a\r\tX-Evil: 1')
$(printf 'http://127.0.0.1/a\x01b')
file://$WORK/secret.txt
ftp://127.0.0.1/feed.xml
gopher://127.0.0.1:70/_evil
dict://127.0.0.1:11211/stats
javascript:alert(1)
data:text/xml,<rss/>
EOF2

done_testing
