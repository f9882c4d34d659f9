#!/usr/bin/env bash
# The fetcher against a scripted server: what it SENDS (conditional GETs, credentials, its
# headers, cookies along a redirect chain, at most per_host transfers to one host), how it
# paces a failing source (backoff, Retry-After per source and per host, 410 stops), what it
# adopts (permanent redirects after confirm_redirects polls), what it stores in the database
# and what it logs. Several daemons run side by side to keep the wall time short.
# shellcheck source=tests/integration/lib.sh disable=SC2016
. "$TESTS_SRCDIR/integration/lib.sh"

for t in sqlite3 curl; do
	command -v "$t" >/dev/null || {
		echo "1..0 # SKIP $t not installed"
		exit 0
	}
done
serve_fixtures modeled_baochinhphu-home.rss modeled_republisher.rss feed-rs_rss_2.0_bbc.xml \
	miniflux_small_atom.xml rsparser_manton.rss kde-syndication_heise-atom.xml || {
	echo "Bail out! fixtures missing in $FIXTURES_DIR"
	exit 1
}
W="$WORK/www"
cp "$W/modeled_republisher.rss" "$W/cond.rss"
cp "$W/miniflux_small_atom.xml" "$W/nv.xml"
# A feed asking to be polled hourly (ttl 60) and not at 03:00 and 05:00 UTC nor on Sundays.
cat >"$W/ttl.rss" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>ttl</title><link>http://ttl.example/</link>
<ttl>60</ttl><skipHours><hour>3</hour><hour>5</hour></skipHours><skipDays><day>Sunday</day></skipDays>
<item><title>hourly</title><link>http://ttl.example/1</link><pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate></item>
</channel></rss>
EOF
# tiny_feed NAME: a small RSS feed of its own (its links are nobody else's) as www/NAME.
tiny_feed() {
	printf '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>%s</title><link>http://%s.example/</link>\n<item><title>%s one</title><link>http://%s.example/1</link></item>\n</channel></rss>\n' \
		"$1" "$1" "$1" "$1" >"$W/$1"
}
tiny_feed ui.rss
tiny_feed ma.rss
start_server
LBASE="http://localhost:$PORT"
CLOSED=$(closed_port)
PW="s3cr3t-pw"

# todo OK DESCRIPTION REASON: like ok, but a known bug: TAP TODO, so the suite stays green.
todo() {
	TAP_N=$((TAP_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $TAP_N - $2 # TODO bug: $3 (passes now: the bug may be fixed)"
	else
		echo "not ok $TAP_N - $2 # TODO bug: $3"
	fi
}
# check_todo DESCRIPTION REASON COMMAND...: check for a known bug.
check_todo() {
	local desc=$1 reason=$2
	shift 2
	"$@" >/dev/null 2>&1
	todo $? "$desc" "$reason"
}

# reqs LOG PATH [FIELD...]: the requests of exactly PATH in a server log, one line each: the
# fields (default time), tab-separated; null as "-".
reqs() {
	"$PYTHON" - "$@" <<'PY'
import json, signal, sys
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
log, path, fields = sys.argv[1], sys.argv[2], sys.argv[3:] or ["time"]
for line in open(log, encoding="utf-8"):
    e = json.loads(line)
    if e["path"] == path:
        print("\t".join("-" if e.get(f) is None else str(e.get(f)) for f in fields))
PY
}
# nreq PATH: how many requests of exactly PATH the main server saw.
nreq() { reqs "$SERVER_LOG" "$1" | grep -c .; }
# gaps PATH: seconds between successive requests of PATH, one a line.
gaps() { reqs "$SERVER_LOG" "$1" | awk 'NR > 1 { printf "%.3f\n", $1 - prev } { prev = $1 }'; }
# sql DB QUERY: one value.
sql() { sqlite3 -batch -noheader "$1" "$2"; }
# enc PATH: PATH URL-encoded for a to= parameter.
enc() { "$PYTHON" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
# at_least N PATH: the main server saw at least N requests of PATH.
at_least() { [ "$(nreq "$2")" -ge "$1" ]; }
# start_run CONF LOG: `run -v` in the background; sets RUN_PID; waits for it to listen.
start_run() {
	"$FEEDMERGE" run -v -c "$1" 2>"$2" &
	RUN_PID=$!
	CLEANUP_PIDS="$CLEANUP_PIDS $RUN_PID"
	wait_until 10 grep -q "^listening on " "$2"
}
# stop_run PID: SIGTERM, a bounded wait; returns its exit status.
stop_run() {
	kill -TERM "$1" 2>/dev/null
	wait_until 10 sh -c '! kill -0 "$1"' sh "$1"
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
# reload PID CONF NEWCONF LOG: installs NEWCONF and sends SIGHUP; waits for the reload's line.
reload() {
	local before
	before=$(grep -c "^\(warning: \)\?reload: " "$4")
	cp "$3" "$2"
	kill -HUP "$1"
	wait_until 10 sh -c '[ "$(grep -c "^\(warning: \)\?reload: " "$1")" -gt "$2" ]' sh "$4" "$before"
}
T0=$(date +%s)

# === in the background: 40 sources on one host, per_host = 2 (a server of its own) ==========
P="$WORK/perhost"
mkdir -p "$P/www"
"$PYTHON" "$INTEGRATION_DIR/server.py" --root "$P/www" --log "$P/requests.log" \
	--port-file "$P/port" >/dev/null 2>"$P/server.err" &
CLEANUP_PIDS="$CLEANUP_PIDS $!"
wait_until 10 test -s "$P/port" || {
	echo "Bail out! second test server did not start"
	exit 1
}
PPORT=$(cat "$P/port")
write_config "$P/feedmerge.conf" per_host=2 concurrency=16 timeout=60s
for i in $(seq 1 40); do
	add_source "$P/feedmerge.conf" "hold$i" "http://127.0.0.1:$PPORT/hold?s=1&n=$i"
done
add_source "$P/feedmerge.conf" local "http://localhost:$PPORT/hold?s=0&n=local"
"$FEEDMERGE" once -c "$P/feedmerge.conf" >"$P/out" 2>"$P/err" &
PERHOST_PID=$!
CLEANUP_PIDS="$CLEANUP_PIDS $PERHOST_PID"

# === in the background: one byte a second is too slow (15 s under 100 bytes/s) ===============
S="$WORK/tooslow"
mkdir -p "$S"
write_config "$S/feedmerge.conf" timeout=40s
add_source "$S/feedmerge.conf" drip "$BASE/drip?s=30"
"$FEEDMERGE" once -c "$S/feedmerge.conf" >"$S/out" 2>"$S/err" &
TOOSLOW_PID=$!
CLEANUP_PIDS="$CLEANUP_PIDS $TOOSLOW_PID"

# === once: exit status and summary ==========================================================
O="$WORK/once"
mkdir -p "$O"
write_config "$O/feedmerge.conf" timeout=3s
add_source "$O/feedmerge.conf" one "$BASE/f/once/modeled_baochinhphu-home.rss"
add_source "$O/feedmerge.conf" two "$BASE/f/once/feed-rs_rss_2.0_bbc.xml"
"$FEEDMERGE" once -c "$O/feedmerge.conf" >"$O/out1" 2>"$O/err1"
ok $? "once, every source polled: exit 0"
check "once: summary '$(tail -n 1 "$O/out1")'" \
	grep -Eq "^once: 2 ok, 0 failed, [1-9][0-9]* new entries$" "$O/out1"
"$FEEDMERGE" once -c "$O/feedmerge.conf" >"$O/out2" 2>"$O/err2"
ok $? "once again, every source answers 304: exit 0 (a 304 counts as polled)"
check "once again: sent If-None-Match" test \
	"$( (reqs "$SERVER_LOG" /f/once/modeled_baochinhphu-home.rss if_none_match
		reqs "$SERVER_LOG" /f/once/feed-rs_rss_2.0_bbc.xml if_none_match) | grep -c '^"')" = 2
check "once again: summary '$(tail -n 1 "$O/out2")'" \
	grep -Eq "^once: 2 ok, 0 failed, 0 new entries$" "$O/out2"
add_source "$O/feedmerge.conf" drip "$BASE/drip?s=20"
add_source "$O/feedmerge.conf" missing "$BASE/f/once/missing.rss"
start=$(date +%s)
"$FEEDMERGE" once -c "$O/feedmerge.conf" >"$O/out3" 2>"$O/err3"
rc=$?
elapsed=$(($(date +%s) - start))
ok $((rc != 4)) "once with failing sources: exit 4 (got $rc)"
check "once: summary names them: '$(tail -n 1 "$O/out3")'" \
	grep -Eq "^once: 2 ok, 2 failed \((drip, missing|missing, drip)\), 0 new entries$" "$O/out3"
check "one byte a second, timeout = 3s: 'timed out after 3s' (${elapsed}s)" \
	grep -Eq "^warning: source drip: fetch $BASE/drip\?s=20: timed out after 3s" "$O/err3"
check "the timeout bounds once (${elapsed}s)" test "$elapsed" -le 6
check "404: 'HTTP 404'" grep -q "^warning: source missing: fetch .*/missing.rss: HTTP 404$" "$O/err3"

# === a failing source that waited in its host's queue (per_host = 1) ========================
Q="$WORK/queued"
mkdir -p "$Q"
write_config "$Q/feedmerge.conf" listen=127.0.0.1:0 interval=1s per_host=1
add_source "$Q/feedmerge.conf" qhold "$BASE/hold?s=1.5&n=q"
add_source "$Q/feedmerge.conf" q500 "$BASE/status/500?n=q"
start_run "$Q/feedmerge.conf" "$Q/daemon.log" || echo "Bail out! the queue daemon did not start"
QPID=$RUN_PID

# === the scripted daemon: one source per behaviour =========================================
M="$WORK/main"
mkdir -p "$M"
printf 'feeduser:%s\n' "$PW" >"$M/auth"
chmod 600 "$M/auth"
PERM_TARGET="/f/perm/feed-rs_rss_2.0_bbc.xml"
PERM="/code/301?to=$(enc "/code/308?to=$(enc "$PERM_TARGET")")"
TEMP="/code/301?to=$(enc "/code/302?to=$(enc /f/temp/feed-rs_rss_2.0_bbc.xml)")"
main_sources() { # FILE
	add_source "$1" cond "$BASE/cond.rss"
	add_source "$1" lm "$BASE/lmonly/feed-rs_rss_2.0_bbc.xml"
	add_source "$1" nv "$BASE/novalidators/nv.xml"
	add_source "$1" rot "$BASE/rotate/kde-syndication_heise-atom.xml"
	add_source "$1" perm "$BASE$PERM"
	add_source "$1" temp "$BASE$TEMP"
	add_source "$1" loop "$BASE/redirect-loop"
	add_source "$1" notfound "$BASE/f/nf/missing.rss"
	add_source "$1" r429 "$BASE/retry/429?s=3"
	add_source "$1" r503date "$BASE/retry-date/503?s=4"
	add_source "$1" r429long "$BASE/status/429"
	add_source "$1" flaky "$BASE/fail/2/modeled_republisher.rss"
	add_source "$1" backoff "$BASE/status/500"
	add_source "$1" wall403 "$BASE/challenge/403"
	add_source "$1" wall503 "$BASE/challenge/503"
	add_source "$1" html "$BASE/html"
	add_source "$1" refused "http://127.0.0.1:$CLOSED/feed.xml"
	add_source "$1" big "$BASE/big?mb=2"
	add_source "$1" bomb "$BASE/gzip-bomb?mb=2"
	add_source "$1" auth "$BASE/auth/modeled_baochinhphu-home.rss" "auth_file = auth"
	add_source "$1" userinfo "http://feeduser:$PW@127.0.0.1:$PORT/auth/ui.rss"
	add_source "$1" custom "$BASE/f/custom/miniflux_small_atom.xml" "user_agent = custom-agent/2.0" \
		"headers = X-Test: one two" "headers = Accept-Language: vi"
	add_source "$1" cookie "$BASE/cookie/kde-syndication_heise-atom.xml"
	add_source "$1" ttl "$BASE/ttl.rss"
	add_source "$1" maxage "$BASE/maxage/3600/ma.rss"
}
MCONF="$M/feedmerge.conf"
MLOG="$M/daemon.log"
MDB="$M/feedmerge.db"
write_config "$MCONF" listen=127.0.0.1:0 interval=1s max_backoff=8s max_size=1M timeout=5s
main_sources "$MCONF"
add_source "$MCONF" gone "$BASE/status/410?n=gone"
add_source "$MCONF" gone2 "$BASE/status/410?n=gone2"

"$FEEDMERGE" check -c "$MCONF" >"$M/check.out" 2>&1
ok $? "check: the config loads (exit 0)"
check "check: warns about the password in the url, naming the source" grep -q \
	"^$MCONF:[0-9]*: warning: the url of \[source userinfo\] carries a user name or password" \
	"$M/check.out"
check "check: a mode 600 auth_file draws no warning" sh -c '! grep -q "auth_file.*read" "$1"' sh "$M/check.out"
check "check: its output never shows the password" sh -c '! grep -qF "$2" "$1"' sh "$M/check.out" "$PW"

# === a second daemon, retry_after_scope = host ==============================================
H="$WORK/hostscope"
mkdir -p "$H"
write_config "$H/feedmerge.conf" listen=127.0.0.1:0 interval=1s retry_after_scope=host
add_source "$H/feedmerge.conf" busy "$BASE/retry/503?s=30"
add_source "$H/feedmerge.conf" same "$BASE/f/hsame/modeled_republisher.rss"
add_source "$H/feedmerge.conf" otherhost "$LBASE/f/hlocal/modeled_republisher.rss"

start_run "$MCONF" "$MLOG" || {
	diag "$(cat "$MLOG")"
	echo "Bail out! the daemon did not start"
	exit 1
}
MPID=$RUN_PID
start_run "$H/feedmerge.conf" "$H/daemon.log" || {
	diag "$(cat "$H/daemon.log")"
	echo "Bail out! the second daemon did not start"
	exit 1
}
HPID=$RUN_PID

# stored NAME COLUMNS: the columns of NAME's row, "|"-separated.
stored() { sql "$MDB" "SELECT $2 FROM sources WHERE name = '$1'"; }

# --- connection refused: one early retry about a minute later -----------------------------
check "refused: logged" wait_until 5 grep -q "^warning: source refused: " "$MLOG"
check "refused: 'connection refused', error_class connect" sh -c \
	'grep -q "^warning: source refused: fetch http://127.0.0.1:$2/feed.xml: connection refused" "$1"' sh "$MLOG" "$CLOSED"
refused_stored() { [ "$(stored refused "error_class, retry_soon")" = "connect|1" ]; }
check "refused: class connect, one early retry (retry_soon)" wait_until 5 refused_stored
early=$(stored refused "next_due_at - last_attempt_at")
check "refused: retried once after about a minute ($early s, 45..75)" test "${early:-0}" -ge 45 -a "${early:-0}" -le 75
check "refused: the log says when" grep -Eq "^warning: source refused: .*, retry in (4[5-9]s|5[0-9]s|1m([0-9]|1[0-5])?s?)$" "$MLOG"

# === retry_after_scope = host ===============================================================
HLOG="$H/daemon.log"
other_after_503() { # the localhost source asked 3 times after the 503
	local t
	t=$(reqs "$SERVER_LOG" "/retry/503?s=30" | head -n 1)
	[ -n "$t" ] && [ "$(reqs "$SERVER_LOG" /f/hlocal/modeled_republisher.rss | awk -v t="$t" '$1 > t + 0.5' | grep -c .)" -ge 3 ]
}
check "host scope: the localhost source polled 3 more times after the 503" wait_until 10 other_after_503
check "host scope: the 503 answered" wait_until 5 grep -q "^warning: source busy: fetch .*: HTTP 503, retry in 30s$" "$HLOG"
t503=$(reqs "$SERVER_LOG" "/retry/503?s=30" | head -n 1)
late_same=$(reqs "$SERVER_LOG" /f/hsame/modeled_republisher.rss | awk -v t="$t503" '$1 > t + 0.5' | grep -c .)
late_other=$(reqs "$SERVER_LOG" /f/hlocal/modeled_republisher.rss | awk -v t="$t503" '$1 > t + 0.5' | grep -c .)
check "host scope: the other source on 127.0.0.1 is not asked after the 503 ($late_same requests)" test "$late_same" = 0
check "host scope: a source on localhost keeps its pace ($late_other requests)" test "$late_other" -ge 3
check "host scope: the localhost source's requests name that host" test \
	"$(reqs "$SERVER_LOG" /f/hlocal/modeled_republisher.rss host | sort -u)" = "localhost:$PORT"
check "host scope: debug line 'its host asked to wait'" grep -q "^debug: source same: its host asked to wait until " "$HLOG"
check "host scope: the busy source itself asked once" test "$(nreq "/retry/503?s=30")" = 1
stop_run "$HPID"

# --- backoff of a source that waited in its host's queue --------------------------------
check "queued: the 500 behind the 1.5 s transfer failed" wait_until 5 grep -q "^warning: source q500: " "$Q/daemon.log"
stop_run "$QPID"
diag "$(grep "source q500" "$Q/daemon.log" | head -n 2)"
diag "q500 requests at +$(reqs "$SERVER_LOG" "/status/500?n=q" | awk 'NR == 1 { t = $1 } { printf "%.2f ", $1 - t }')s"
check "queued: its first backoff is the interval, 'retry in 1s' (never below the interval)" \
	grep -q "^warning: source q500: fetch .*: HTTP 500, retry in 1s$" "$Q/daemon.log"

# --- conditional GET: 200, then 304; a changed body, a new ETag ------------------------------
check "cond: a 304 after the first 200" wait_until 10 at_least 2 /cond.rss
ETAG1=$(sql "$MDB" "SELECT etag FROM sources WHERE name = 'cond'")
check "cond: the ETag is stored ($ETAG1)" grep -Eq '^"[0-9a-f]{16}"$' <<<"$ETAG1"
check "cond: the first request has no If-None-Match, the second sends the stored one" test \
	"$(reqs "$SERVER_LOG" /cond.rss if_none_match | head -n 2 | tr '\n' ' ')" = "- $ETAG1 "
check "cond: logged 'not modified' (debug)" wait_until 5 grep -q "^debug: source cond: not modified$" "$MLOG"
sed -i 's|</channel>|<item><title>new one</title><link>http://cond.example/new</link></item></channel>|' "$W/cond.rss"
etag_changed() { [ "$(sql "$MDB" "SELECT etag FROM sources WHERE name = 'cond'")" != "$ETAG1" ]; }
check "cond: changed bytes, a new ETag stored" wait_until 10 etag_changed
ETAG2=$(sql "$MDB" "SELECT etag FROM sources WHERE name = 'cond'")
check "cond: the new item stored ('1 new')" wait_until 5 grep -Eq "^source cond: [0-9]+ entries, 1 new$" "$MLOG"
sends_etag2() { [ "$(reqs "$SERVER_LOG" /cond.rss if_none_match | tail -n 1)" = "$ETAG2" ]; }
check "cond: and the next request sends the new ETag" wait_until 5 sends_etag2

# --- Last-Modified only ---------------------------------------------------------------------
LM=/lmonly/feed-rs_rss_2.0_bbc.xml
check "lm: polled twice" wait_until 10 at_least 2 "$LM"
check "lm: If-Modified-Since sent, no If-None-Match" test "$(reqs "$SERVER_LOG" "$LM" if_none_match if_modified_since | sed -n 2p | cut -f1)" = "-" -a \
	"$(reqs "$SERVER_LOG" "$LM" if_modified_since | sed -n 2p)" = "$(sql "$MDB" "SELECT last_modified FROM sources WHERE name = 'lm'")"
check "lm: stored Last-Modified, no ETag" test "$(sql "$MDB" "SELECT etag IS NULL AND last_modified LIKE '%GMT' FROM sources WHERE name = 'lm'")" = 1
check "lm: the 304 is 'not modified'" wait_until 5 grep -q "^debug: source lm: not modified$" "$MLOG"

# --- no validators: the same body is not parsed again --------------------------------------
check "nv: polled twice" wait_until 10 at_least 2 /novalidators/nv.xml
check "nv: no validators to send" test "$(reqs "$SERVER_LOG" /novalidators/nv.xml if_none_match if_modified_since | sort -u)" = "$(printf -- '-\t-')"
check "nv: 'unchanged (the same body as last time)'" wait_until 5 \
	grep -q "^debug: source nv: unchanged (the same body as last time)$" "$MLOG"
check "nv: parsed and stored once" test "$(grep -c "^source nv: " "$MLOG")" = 1

# --- a 304 carrying a new ETag ---------------------------------------------------------------
ROT=/rotate/kde-syndication_heise-atom.xml
check "rot: polled three times" wait_until 10 at_least 3 "$ROT"
rot_follows() { # each request sends the ETag the previous response carried
	local got want
	got=$(reqs "$SERVER_LOG" "$ROT" if_none_match | sed -n 2,3p | tr '\n' ' ')
	want='"r-1" "r-2" '
	[ "$got" = "$want" ] || {
		echo "sent: $got"
		return 1
	}
}
check "rot: a 304's new ETag is stored and sent next time" rot_follows

# --- permanent redirects adopted; a 302 in the chain is not ---------------------------------
check "perm: adopted after 3 polls: logged" wait_until 10 grep -q \
	"^warning: source perm: $BASE/code/301?to=.* moved permanently to $BASE$PERM_TARGET (3 polls in a row): polling the new url from now on; update the source's url in the config$" \
	"$MLOG"
check "perm: adopted_url stored" test "$(sql "$MDB" "SELECT adopted_url FROM sources WHERE name = 'perm'")" = "$BASE$PERM_TARGET"
check "perm: later polls ask the new url directly" wait_until 5 sh -c \
	'[ "$(grep -cF "\"path\": \"$2\"" "$1")" -ge 6 ]' sh "$SERVER_LOG" "$PERM_TARGET"
check "perm: the old url asked exactly 3 times" test "$(nreq "$PERM")" = 3
check "perm: If-None-Match goes along the chain to the target" \
	test "$(reqs "$SERVER_LOG" "$PERM_TARGET" if_none_match | sed -n 2p)" != "-"
adopted_conditional() { # the polls of the adopted url after its first carry If-None-Match
	[ "$(reqs "$SERVER_LOG" "$PERM_TARGET" if_none_match | sed -n '5,$p' | grep -c '^-$')" = 0 ]
}
check "perm: once adopted, polls of the new url are conditional again (If-None-Match)" \
	adopted_conditional
check "temp: 301 then 302: polled 5 times, never adopted" wait_until 10 at_least 5 "$TEMP"
check "temp: nothing adopted, nothing counted" test \
	"$(sql "$MDB" "SELECT coalesce(adopted_url, '-') || ' ' || redirect_polls FROM sources WHERE name = 'temp'")" = "- 0"
check "temp: no 'moved permanently' line" sh -c '! grep -q "source temp: .*moved permanently" "$1"' sh "$MLOG"

# --- failures: loop, 404, bot walls, HTML, refused, too big, gzip bomb -----------------------
wait_until 5 sh -c '[ "$(sqlite3 "$1" "SELECT count(*) FROM sources WHERE failures > 0")" -ge 10 ]' sh "$MDB"
check "loop: error_class redirect" test "$(stored loop error_class)" = redirect
check "loop: one warning line" test "$(grep -c "^warning: source loop: fetch .*redirect" "$MLOG")" = 1
check "404: error_class http, last_status 404, last_error 'HTTP 404'" \
	test "$(stored notfound "error_class, last_status, last_error")" = "http|404|HTTP 404"
check "403 challenge: blocked (bot protection)" \
	test "$(stored wall403 "error_class, last_error")" = "blocked|blocked (bot protection): HTTP 403"
check "503 challenge: blocked (bot protection)" \
	test "$(stored wall503 "error_class, last_error")" = "blocked|blocked (bot protection): HTTP 503"
check "403 challenge: logged as blocked" grep -q "^warning: source wall403: fetch .*/challenge/403: blocked (bot protection): HTTP 403, retry in" "$MLOG"
check "HTML page: a parse failure, not a feed" \
	sh -c '[ "$(sqlite3 "$1" "SELECT error_class FROM sources WHERE name = '"'html'"'")" = parse ] &&
		grep -Eq "^warning: source html: .*/html: .*(not a feed|HTML)" "$2"' sh "$MDB" "$MLOG"
check "too big: 'body larger than max_size (1M)'" grep -q "^warning: source big: fetch .*: body larger than max_size (1M), retry in" "$MLOG"
check "gzip bomb: decoded bytes count" grep -q "^warning: source bomb: fetch .*: body larger than max_size (1M), retry in" "$MLOG"
check "too big: error_class 'too big'" test "$(stored bomb error_class)" = "too big"

# --- Retry-After: nothing asked before the deadline ---------------------------------------
check "429 Retry-After: 3: asked again" wait_until 10 at_least 2 "/retry/429?s=3"
g=$(gaps "/retry/429?s=3" | head -n 1)
check "429 Retry-After: 3: not before (gap ${g}s >= 2.9)" awk -v g="$g" 'BEGIN { exit !(g >= 2.9) }'
check "429: logged with the wait" grep -q "^warning: source r429: fetch .*: HTTP 429, retry in 3s$" "$MLOG"
check "503 Retry-After as a date 4 s ahead: asked again" wait_until 10 at_least 2 "/retry-date/503?s=4"
g=$(gaps "/retry-date/503?s=4" | head -n 1)
check "503 Retry-After date: not before (gap ${g}s >= 2.9: the date has whole seconds)" \
	awk -v g="$g" 'BEGIN { exit !(g >= 2.9) }'
ru=$(stored r429long "retry_until - last_attempt_at")
check "429 Retry-After: 120: retry_until stored ($ru s)" test "${ru:-0}" -ge 119 -a "${ru:-0}" -le 121
check "scope source: another source of the host is still polled" test "$(nreq /cond.rss)" -ge 3

# --- 500 then recovery -----------------------------------------------------------------------
check "flaky: two 500s, then 'recovered after 2 failed polls'" wait_until 10 \
	grep -q "^source flaky: recovered after 2 failed polls$" "$MLOG"
check "flaky: the first 500 logged once as a warning, the second at debug" sh -c \
	'[ "$(grep -c "^warning: source flaky: fetch .*: HTTP 500, retry in 1s$" "$1")" = 1 ] &&
	 grep -q "^debug: source flaky: fetch .*: HTTP 500, retry in [12]s (failure 2)$" "$1"' sh "$MLOG"
check "flaky: the state is clean again" grep -Eq '^0\|-\|(200|304)$' <<<"$(stored flaky "failures, coalesce(error_class, '-'), last_status")"

# --- auth_file, user_agent, headers, cookies ----------------------------------------------
AUTHP=/auth/modeled_baochinhphu-home.rss
check "auth: stored after the challenge" wait_until 5 grep -q "^source auth: 4 entries" "$MLOG"
check "auth: a challenge first, then the right Basic credentials (the server's log: redacted-ok)" \
	test "$(reqs "$SERVER_LOG" "$AUTHP" authorization | head -n 2 | tr '\n' ' ')" = "- Basic <redacted-ok> "
check "userinfo: credentials in the url work too" wait_until 5 grep -q "^source userinfo: 1 entry, 1 new" "$MLOG"
CUSTOM=/f/custom/miniflux_small_atom.xml
check "custom: its user_agent sent" test "$(reqs "$SERVER_LOG" "$CUSTOM" user_agent | sort -u)" = "custom-agent/2.0"
check "custom: its headers sent" test "$(reqs "$SERVER_LOG" "$CUSTOM" x_test accept_language | sort -u)" = "$(printf 'one two\tvi')"
check "the others: the global user_agent, no extra headers" test \
	"$(reqs "$SERVER_LOG" /cond.rss user_agent x_test | sort -u)" = "$(printf 'feedmerge-test/0.1 (+integration)\t-')"
COOKIE=/cookie/kde-syndication_heise-atom.xml
check "cookie: stored after the redirect to itself" wait_until 5 grep -q "^source cookie: " "$MLOG"
check "cookie: the redirect hop sent it back (no cookie, then fm=1)" test \
	"$(reqs "$SERVER_LOG" "$COOKIE" cookie | head -n 2 | tr '\n' ' ')" = "- fm=1 "
check "cookie: the next poll starts without it (nothing kept)" wait_until 5 sh -c \
	'[ "$(grep -F "\"path\": \"$2\"" "$1" | sed -n 3p | grep -c "\"cookie\": null")" = 1 ]' sh "$SERVER_LOG" "$COOKIE"

# --- feed hints: ttl and max-age ------------------------------------------------------------
check "ttl 60: hint_s 3600" test "$(stored ttl hint_s)" = 3600
check "skipHours 3, 5 and skipDays Sunday stored" test "$(stored ttl "skip_hours, skip_days")" = "$(((1 << 3) | (1 << 5)))|1"
check "max-age=3600: hint_s 3600" test "$(stored maxage hint_s)" = 3600

# --- 410 stops; a new url, or pause and resume, polls again ------------------------------
check "410: 'gone, polling stopped'" grep -q \
	"^warning: source gone: fetch $BASE/status/410?n=gone: HTTP 410: gone, polling stopped (change its url, or pause and resume it)$" "$MLOG"
check "410: gone_since set, error_class gone" test "$(stored gone "gone_since > 0, error_class")" = "1|gone"

# --- backoff: interval 1s, max_backoff 8s ---------------------------------------------------
backoff_polls() { [ "$(nreq /status/500)" -ge 5 ]; }
check "backoff: five polls of the 500 (1 + 2 + 4 + 8 s)" wait_until 25 backoff_polls
check "410: asked once only, while the others were polled for $(($(date +%s) - T0))s" \
	test "$(nreq "/status/410?n=gone")" = 1

NEW="$M/step2.conf"
write_config "$NEW" listen=127.0.0.1:0 interval=1s max_backoff=8s max_size=1M timeout=5s
main_sources "$NEW"
add_source "$NEW" gone "$BASE/f/back/rsparser_manton.rss"
add_source "$NEW" gone2 "$BASE/status/410?n=gone2" "enabled = no"
check "reload: a new url for the gone source, gone2 paused" reload "$MPID" "$MCONF" "$NEW" "$MLOG"
check "410 + new url: polled again" wait_until 5 grep -q "^source gone: [0-9]* entries" "$MLOG"
check "410 + new url: gone_since cleared" test "$(stored gone "coalesce(gone_since, 0)")" = 0
write_config "$NEW" listen=127.0.0.1:0 interval=1s max_backoff=8s max_size=1M timeout=5s
main_sources "$NEW"
add_source "$NEW" gone "$BASE/f/back/rsparser_manton.rss"
add_source "$NEW" gone2 "$BASE/status/410?n=gone2"
check "reload: gone2 resumed" reload "$MPID" "$MCONF" "$NEW" "$MLOG"
check "410, paused then resumed: 'resumed after HTTP 410 Gone'" \
	grep -q "^source gone2: resumed after HTTP 410 Gone: polling again$" "$MLOG"
check "410, resumed: asked again" wait_until 5 at_least 2 "/status/410?n=gone2"

# backoff delays: the log's "retry in" of each failure against the formula, the server's gaps
# against the log (the due time counts from the poll's start, in whole seconds).
grep -E "^(warning|debug): source backoff: fetch .*: HTTP 500, retry in [0-9]+s" "$MLOG" |
	sed -E 's/.*retry in ([0-9]+)s.*/\1/' >"$M/delays"
gaps /status/500 >"$M/gaps"
diag "backoff delays logged: $(tr '\n' ' ' <"$M/delays"); gaps seen: $(tr '\n' ' ' <"$M/gaps")"
backoff_formula() { # delay N = interval 2^(N-1) x [0.75, 1.25], at least 1s, at most 8s
	awk 'BEGIN { b = 1; bad = 0 }
	{ lo = int(b * 0.75); if (lo < 1) lo = 1; if (lo > 8) lo = 8
	  hi = int(b * 1.25); if (hi > 8) hi = 8
	  if ($1 < lo || $1 > hi) { print "failure " NR ": " $1 "s not in [" lo ", " hi "]"; bad = 1 }
	  if (b < 8) b *= 2 }
	END { exit bad || NR < 4 }' "$M/delays"
}
check "backoff: each delay is interval x 2^(N-1) +-25 %, within [interval, max_backoff]" backoff_formula
check "backoff: the 4th and later are capped at max_backoff 8s (8 x 0.75 = 6 at least)" \
	awk 'NR >= 4 && ($1 < 6 || $1 > 8) { bad = 1 } END { exit bad }' "$M/delays"
backoff_gaps() {
	paste "$M/gaps" "$M/delays" | awk -F '\t' 'NF == 2 && $1 != "" {
		if ($1 < $2 - 0.05 || $1 > $2 + 0.6) { print "gap " NR ": " $1 "s for a delay of " $2 "s"; bad = 1 } }
		END { exit bad }'
}
check "backoff: the server's gaps are the logged delays (+0..0.6 s)" backoff_gaps
never_sooner() { # no gap shorter than the interval
	awk '$1 < 1 { print "gap " NR ": " $1 "s"; bad = 1 } END { exit bad }' "$M/gaps"
}
check "backoff: a failing source is never asked more often than the interval (1s)" never_sooner
check "backoff: one warning line; later identical failures at debug with their count" sh -c \
	'[ "$(grep -c "^warning: source backoff:" "$1")" = 1 ] && grep -q "^debug: source backoff: .*(failure 4)$" "$1"' sh "$MLOG"


stop_run "$MPID"
ok $? "the scripted daemon stops on SIGTERM with status 0"

# --- no password anywhere -----------------------------------------------------------------
check "the password appears in no log line" sh -c '! grep -qF "$2" "$1"' sh "$MLOG" "$PW"
check "... in no output file" sh -c '! grep -rqF "$2" "$1"' sh "$M/public" "$PW"
check "... and the userinfo source's entries are published, never its user name" sh -c \
	'grep -q "http://ui.rss.example/1" "$1" && ! grep -rq feeduser "$2"' sh "$M/public/feed.atom" "$M/public"
check "... nor in the server's log (it redacts the expected credentials)" sh -c '! grep -qF "$2" "$1"' sh "$SERVER_LOG" "$PW"

# === the background runs =================================================================
check "per_host: the 41 sources polled" wait_until 30 sh -c '! kill -0 "$1"' sh "$PERHOST_PID"
wait "$PERHOST_PID"
ok $? "per_host: once exits 0"
hold_inflight() { # max inflight_host of the requests to 127.0.0.1
	"$PYTHON" -c 'import json, sys
m = [json.loads(l)["inflight_host"] for l in open(sys.argv[1]) if json.loads(l)["host"].startswith("127.0.0.1:")]
print(len(m), max(m))' "$P/requests.log"
}
read -r nhold maxhold <<<"$(hold_inflight)"
check "per_host = 2: 40 requests to 127.0.0.1, never more than 2 at once (max $maxhold)" test "$nhold" = 40 -a "$maxhold" = 2
first=$(reqs "$P/requests.log" "/hold?s=1&n=1" | head -n 1)
tlocal=$(reqs "$P/requests.log" "/hold?s=0&n=local" | head -n 1)
check "per_host: the localhost source is not queued behind them (asked $(awk -v a="$tlocal" -v b="$first" 'BEGIN { printf "%.1f", a - b }')s after the first)" \
	awk -v a="$tlocal" -v b="$first" 'BEGIN { exit !(a - b < 1.5) }'
check "per_host: and stored before the tenth of them" sh -c \
	'grep -n "^source \(local\|hold[0-9]*\): " "$1" | head -n 10 | grep -q "source local: "' sh "$P/err"
span=$("$PYTHON" -c 'import json, sys
t = [json.loads(l)["time"] for l in open(sys.argv[1])]
print("%.1f" % (max(t) - min(t)))' "$P/requests.log")
check "per_host: two at a time, 40 one-second requests take about 20 s (${span}s)" \
	awk -v s="$span" 'BEGIN { exit !(s >= 18 && s <= 26) }'

check "too slow: once ends" wait_until 30 sh -c '! kill -0 "$1"' sh "$TOOSLOW_PID"
wait "$TOOSLOW_PID"
ok $(($? != 4)) "too slow: once exits 4"
check "too slow: 'too slow: under 100 bytes/s for 15s'" \
	grep -q "^warning: source drip: fetch $BASE/drip?s=30: too slow: under 100 bytes/s for 15s$" "$S/err"

diag "wall time: $(($(date +%s) - T0))s"
done_testing
