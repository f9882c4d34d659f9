#!/usr/bin/env bash
# Sources that fail in every way we know (closed port, unresolvable host, 503, too slow, too big,
# a gzip bomb, a cut-off transfer, broken XML, HTML, 404, redirect loops and ftp redirects):
# `once` still exits 0, logs one line per failing source naming it and stores the good ones; a
# later failure never loses stored data; SIGINT/SIGTERM stop `once` with exit 3 and no debris;
# `run` keeps serving with every source failing.
# shellcheck source=tests/integration/lib.sh disable=SC2016
. "$TESTS_SRCDIR/integration/lib.sh"

serve_fixtures modeled_baochinhphu-home.rss feed-rs_rss_2.0_bbc.xml modeled_republisher.rss || {
	echo "Bail out! fixtures missing in $FIXTURES_DIR"
	exit 1
}
# A complete response whose XML breaks off in the fourth item of ten.
"$PYTHON" - "$(fixture rsparser_manton.rss)" "$WORK/www/broken.rss" <<'PY' || exit 1
import sys
data = open(sys.argv[1], "rb").read()
cut = 0
for _ in range(3):
    cut = data.index(b"</item>", cut) + len(b"</item>")
open(sys.argv[2], "wb").write(data[: cut + 60])
PY
start_server
CLOSED=$(closed_port)

D="$WORK/fail"
mkdir -p "$D"
CONF="$D/feedmerge.conf"
# failing_sources FILE: every kind of failure, one source each.
failing_sources() {
	add_source "$1" closed "http://127.0.0.1:$CLOSED/feed.xml"
	add_source "$1" nxdomain "http://feeds.example.invalid/rss"
	add_source "$1" unavailable "$BASE/status/503"
	add_source "$1" slow "$BASE/slow?s=$SLOW_S"
	add_source "$1" toobig "$BASE/big?mb=2"
	add_source "$1" bomb "$BASE/gzip-bomb?mb=2"
	add_source "$1" cutoff "$BASE/truncated/modeled_republisher.rss"
	add_source "$1" html "$BASE/html"
	add_source "$1" notfound "$BASE/no-such-feed.xml"
	add_source "$1" loop "$BASE/redirect-loop"
	add_source "$1" ftp "$BASE/redirect-ftp"
}
NFAIL=11
SLOW_S=6
write_config "$CONF" timeout=2s max_size=1M
add_source "$CONF" baochinhphu "$BASE/modeled_baochinhphu-home.rss"
add_source "$CONF" bbc "$BASE/feed-rs_rss_2.0_bbc.xml"
add_source "$CONF" broken "$BASE/broken.rss"
failing_sources "$CONF"

start=$(date +%s)
"$FEEDMERGE" once -c "$CONF" >"$D/out1" 2>"$D/err1"
rc=$?
elapsed=$(($(date +%s) - start))
ok $(($rc != 4)) "once exits 4 when some sources fail (got $rc)"
[ $rc -eq 4 ] || diag "$(cat "$D/err1")"
check "summary: $(tail -n 1 "$D/out1")" \
	grep -Eq "^once: 3 ok, $NFAIL failed \(([a-z]+, ){$((NFAIL - 1))}[a-z]+\), [1-9][0-9]* new entries$" "$D/out1"
check "the summary names every failing source" sh -c \
	'for n in closed nxdomain unavailable slow toobig bomb cutoff html notfound loop ftp; do
		tail -n 1 "$1" | grep -q "[(, ]$n[,)]" || { echo "missing $n"; exit 1; }; done' sh "$D/out1"
check "the timeout bounds the run (${elapsed}s)" test "$elapsed" -le 8
ATOM="$D/public/feed.atom"

# logged NAME PATTERN: exactly one line names the source, and it matches PATTERN.
logged() {
	local lines
	lines=$(grep "source $1: " "$D/err1")
	[ "$(printf '%s\n' "$lines" | grep -c .)" = 1 ] && grep -Eq "$2" <<<"$lines" || {
		echo "log lines for $1: $lines"
		return 1
	}
}
check "closed port: one line" logged closed "^warning: source closed: fetch http://127.0.0.1:$CLOSED/feed.xml: connection refused"
check "unresolvable host: one line" logged nxdomain "^warning: source nxdomain: fetch http://feeds.example.invalid/rss: .*resolve"
check "503: one line" logged unavailable "^warning: source unavailable: fetch .*/status/503: HTTP 503$"
check "slow: one line, timed out after 2s" logged slow "^warning: source slow: fetch .*: timed out after 2s"
check "too big: one line" logged toobig "^warning: source toobig: fetch .*: body larger than max_size \(1M\)$"
check "gzip bomb: the cap counts decoded bytes" logged bomb "^warning: source bomb: fetch .*: body larger than max_size \(1M\)$"
check "cut-off transfer: one line" logged cutoff "^warning: source cutoff: fetch .*/truncated/.*: .*partial"
check "HTML page: one line, not a feed" logged html "^warning: source html: .*/html: .*(not a feed|HTML)"
check "404: one line" logged notfound "^warning: source notfound: fetch .*: HTTP 404$"
check "redirect loop: one line" logged loop "^warning: source loop: fetch .*: .*redirect"
check "redirect to ftp: refused" logged ftp "^warning: source ftp: fetch .*: .*(ftp|rotocol)"
check "broken XML: a warning naming the source" grep -q "^warning: source broken: .*/broken.rss: " "$D/err1"
check "good sources stored" grep -q "baochinhphu.vn/thuc-day-xay-dung" "$ATOM"
n_broken=$(feedcheck source-of "$ATOM" "manton.org/2015" | cut -d' ' -f1)
check "broken XML: the 3 entries before the break are kept ($n_broken)" test "${n_broken:-0}" = 3
check "a cut-off transfer stores nothing" sh -c '! grep -q "gioitrenews.example" "$1"' sh "$ATOM"
check "feed.atom valid" atom_valid "$ATOM"
NENTRIES=$(feedcheck count "$ATOM")

# --- later failures never lose stored data ---------------------------------------------------
cp "$ATOM" "$D/feed.atom.1"
rm "$WORK/www/feed-rs_rss_2.0_bbc.xml"
printf '<!DOCTYPE html><html><body>gone</body></html>\n' >"$WORK/www/modeled_baochinhphu-home.rss"
"$FEEDMERGE" once -c "$CONF" >"$D/out2" 2>"$D/err2"
ok $(($? != 4)) "once exits 4 when the good sources fail too"
check "summary: $(tail -n 1 "$D/out2")" grep -Eq "^once: 1 ok, $((NFAIL + 2)) failed \(.*\), 0 new entries$" "$D/out2"
check "the sources that now fail are named" \
	sh -c 'grep -q "^warning: source bbc: fetch .*: HTTP 404" "$1" && grep -q "^warning: source baochinhphu: " "$1"' sh "$D/err2"
check "stored entries kept: the same $NENTRIES entries" test "$(feedcheck count "$ATOM")" = "$NENTRIES"
links_same() {
	cmp -s <(feedcheck links "$1") <(feedcheck links "$2")
}
check "the same links as before" links_same "$D/feed.atom.1" "$ATOM"

# --- runtime errors: exit 3 with a message ----------------------------------------------------
E="$WORK/errors"
mkdir -p "$E"
: >"$E/blocker"
write_config "$E/db.conf" database=blocker/feedmerge.db
add_source "$E/db.conf" baochinhphu "$BASE/modeled_baochinhphu-home.rss"
"$FEEDMERGE" once -c "$E/db.conf" >"$E/db.out" 2>"$E/db.err"
ok $(($? != 3)) "a database that cannot be opened: exit 3"
check "and a message naming it" grep -q "blocker/feedmerge.db" "$E/db.err"
write_config "$E/out.conf" output_dir=blocker/public database=out.db
add_source "$E/out.conf" baochinhphu "$BASE/modeled_baochinhphu-home.rss"
"$FEEDMERGE" once -c "$E/out.conf" >"$E/out.out" 2>"$E/out.err"
ok $(($? != 3)) "an output_dir that cannot be made: exit 3"
check "and a message naming it" grep -q "blocker/public" "$E/out.err"
write_config "$E/listen.conf" listen=127.0.0.1:"$PORT" database=listen.db
add_source "$E/listen.conf" baochinhphu "$BASE/modeled_baochinhphu-home.rss"
"$FEEDMERGE" run -c "$E/listen.conf" >"$E/listen.out" 2>"$E/listen.err" &
LPID=$!
CLEANUP_PIDS="$CLEANUP_PIDS $LPID"
wait_until 10 sh -c '! kill -0 "$1"' sh "$LPID"
wait "$LPID"
ok $(($? != 3)) "a listen address in use: run exits 3"
check "and says so, as an error at the line of listen" \
	grep -q "^$E/listen.conf:[0-9]*: error: listen 127.0.0.1:$PORT: .*in use" "$E/listen.err"
check "no start-up failure is a warning" sh -c '! grep -q "^warning:" "$@"' sh "$E/db.err" \
	"$E/out.err" "$E/listen.err"
check "once, with the real address (not libmicrohttpd's 'port 0')" \
	sh -c '[ "$(grep -c "in use" "$1")" = 1 ] && ! grep -q "port 0" "$1"' sh "$E/listen.err"

# --- once interrupted: SIGINT or SIGTERM stops the transfers, exit 3 -------------------------
for sig in INT TERM; do
	I="$WORK/interrupted-$sig"
	mkdir -p "$I"
	write_config "$I/feedmerge.conf" timeout=60s
	add_source "$I/feedmerge.conf" gioitre "$BASE/modeled_republisher.rss"
	add_source "$I/feedmerge.conf" slow "$BASE/slow?s=60"
	"$FEEDMERGE" once -c "$I/feedmerge.conf" >"$I/out" 2>"$I/err" &
	IPID=$!
	CLEANUP_PIDS="$CLEANUP_PIDS $IPID"
	check "once, SIG$sig: the fast source is stored first" \
		wait_until 10 grep -q "^source gioitre: " "$I/err"
	kill -"$sig" "$IPID"
	check "once, SIG$sig with the slow transfer in flight: stops within 10 s" \
		wait_until 10 sh -c '! kill -0 "$1"' sh "$IPID"
	wait "$IPID"
	ok $(($? != 3)) "once, SIG$sig: exit 3"
	check "once, SIG$sig: says so, once" sh -c '[ "$(grep -c "interrupted" "$1")" = 1 ] &&
		grep -q "^warning: once: interrupted by SIG$2: 1 transfer stopped, outputs not written$" "$1"' \
		sh "$I/err" "$sig"
	check "once, SIG$sig: the summary counts what finished" \
		grep -Eq "^once: 1 ok, 0 failed, [1-9][0-9]* new entries$" "$I/out"
	check "once, SIG$sig: no temp files left in output_dir" \
		sh -c '[ -z "$(ls -A "$1")" ]' sh "$I/public"
	check "once, SIG$sig: the database was closed (its WAL checkpointed and removed)" \
		sh -c 'test -s "$1" && test ! -e "$1-wal"' sh "$I/feedmerge.db"
done

# --- run keeps serving with every source failing ----------------------------------------------
command -v curl >/dev/null || {
	done_testing
}
R="$WORK/run"
mkdir -p "$R"
RCONF="$R/feedmerge.conf"
# A timeout longer than the test: the slow source is still in flight at SIGTERM.
write_config "$RCONF" timeout=60s max_size=1M listen=127.0.0.1:0
SLOW_S=90
failing_sources "$RCONF"
"$FEEDMERGE" run -c "$RCONF" 2>"$R/log" &
PID=$!
CLEANUP_PIDS="$CLEANUP_PIDS $PID"
check "run with every source failing: listening" \
	wait_until 10 grep -q "^listening on http://127.0.0.1:[0-9]*/$" "$R/log"
URL=$(grep -o "http://127.0.0.1:[0-9]*/" "$R/log" | head -n 1)
all_failed() {
	[ "$(grep -c "^warning: source [a-z]*: .*retry in" "$R/log")" -ge $((NFAIL - 1)) ]
}
check "one line per failing source, each with its retry" wait_until 10 all_failed
check "a 503 with Retry-After: 120 still waits its interval (1h): a failing source is never asked more often than a healthy one" \
	grep -Eq "^warning: source unavailable: fetch .*: HTTP 503, retry in (59m[0-9]+s|1h([0-9]+m)?)$" "$R/log"
check "the slow source is still in flight" sh -c '! grep -q "source slow:" "$1"' sh "$R/log"
code=$(curl -s -o "$R/feed.atom" -w '%{http_code}' --max-time 5 "${URL}feed.atom")
check "still serving /feed.atom: $code" test "$code" = 200
check "the empty feed is valid Atom" atom_valid "$R/feed.atom"
check "still running" kill -0 "$PID"
kill -TERM "$PID"
tries=100
while kill -0 "$PID" 2>/dev/null && [ $tries -gt 0 ]; do
	sleep 0.1
	tries=$((tries - 1))
done
check "SIGTERM with a transfer in flight: stops within 10 s" test $tries -gt 0
wait "$PID"
ok $? "and exits 0"

done_testing
