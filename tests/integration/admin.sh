#!/usr/bin/env bash
# The operator's endpoints against the real daemon: /metrics read by the Prometheus client's
# parser, /status.json against the database, the /status page, /healthz turning 503 while the
# database cannot be written and 200 again after, admin_listen keeping them off the public
# listener, and `feedmerge status` at a terminal.
# shellcheck source=tests/integration/lib.sh disable=SC2016
. "$TESTS_SRCDIR/integration/lib.sh"

command -v curl >/dev/null || {
	echo "1..0 # SKIP curl(1) not installed"
	exit 0
}
serve_fixtures modeled_baochinhphu-home.rss miniflux_small_atom.xml || {
	echo "Bail out! fixtures missing in $FIXTURES_DIR"
	exit 1
}
start_server

D="$WORK/admin"
mkdir -p "$D"
CONF="$D/feedmerge.conf"
write_config "$CONF" listen=127.0.0.1:0
add_source "$CONF" baochinhphu "$BASE/modeled_baochinhphu-home.rss" "interval = 1s"
add_source "$CONF" miniflux "$BASE/miniflux_small_atom.xml"
add_source "$CONF" broken "$BASE/missing.rss"
add_source "$CONF" resting "$BASE/miniflux_small_atom.xml?resting" "enabled = no"
LOG="$D/daemon.log"
"$FEEDMERGE" run -c "$CONF" 2>"$LOG" &
DAEMON=$!
CLEANUP_PIDS="$CLEANUP_PIDS $DAEMON"
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
	CODE=$(curl -s -o "$WORK/$name.b" -D "$WORK/$name.h" -w '%{http_code}' --max-time 10 "$@")
}
polled() { grep -q "source broken: fetch" "$LOG" && grep -q "source miniflux:" "$LOG"; }
check "all three polled" wait_until 10 polled

# The Prometheus parser: python3-prometheus-client, for $PYTHON or Debian's python3.
PROM_PY=
for py in "$PYTHON" /usr/bin/python3; do
	if "$py" -c "import prometheus_client" 2>/dev/null; then
		PROM_PY=$py
		break
	fi
done
get metrics "${URL}metrics"
check "/metrics: 200, text format 0.0.4" \
	test "$CODE $(grep -i '^content-type:' "$WORK/metrics.h" | tr -d '\r')" = \
	"200 Content-Type: text/plain; version=0.0.4; charset=utf-8"
if [ -n "$PROM_PY" ]; then
	"$PROM_PY" "$INTEGRATION_DIR/promcheck.py" "$WORK/metrics.b" >"$WORK/samples" 2>"$WORK/prom.err"
	check "/metrics parses, every promised family with its type" test $? = 0 || diag "$(cat "$WORK/prom.err")"
	sample() { grep -F "$1" "$WORK/samples" | head -n 1 | awk '{print $NF}'; }
	check "broken: last HTTP status 404" test "$(sample 'feedmerge_source_last_http_status{source=broken}')" = 404
	check "broken: failing" test "$(sample 'feedmerge_source_consecutive_failures{source=broken}')" -ge 1
	check "miniflux: a last success time" test -n "$(sample 'feedmerge_source_last_success_timestamp_seconds{source=miniflux}')"
	check "miniflux: its new entries counted" test "$(sample 'feedmerge_source_entries_new_total{source=miniflux}')" -gt 0
	check "errors counted in the total" test "$(sample 'feedmerge_fetches_total{result=error}')" -ge 1
	check "one paused source" test "$(sample 'feedmerge_sources{state=paused}')" = 1
	check "the database has a size" test "$(sample 'feedmerge_database_bytes{}')" -gt 0
else
	for t in parses 404 failing success new-entries errors paused size; do
		echo "ok $((TAP_N += 1)) - /metrics: $t # SKIP no python3-prometheus-client"
	done
fi

get sj "${URL}status.json"
check "/status.json: 200 JSON, not cached" \
	sh -c 'test "$1" = 200 && grep -qi "^cache-control: no-store" "$2"' sh "$CODE" "$WORK/sj.h"
cat >"$WORK/statuscheck.py" <<'PY'
import json, sqlite3, sys
doc = json.load(open(sys.argv[1]))
db = sqlite3.connect(sys.argv[2])
rows = {r[0]: r[1:] for r in db.execute(
    "SELECT name, failures, last_status, last_error FROM sources WHERE removed_at IS NULL")}
bad = []
names = [s["name"] for s in doc["sources"]]
if sorted(names) != sorted(rows):
    bad.append(f"sources {names} != {sorted(rows)}")
for s in doc["sources"]:
    f, st, err = rows.get(s["name"], (None, None, None))
    if (s["failures"], s["last_status"] or None, s["last_error"]) != (f, st, err):
        # last_status may have moved on by a poll in between: compare the stable ones
        if s["failures"] != f and s["name"] != "baochinhphu":
            bad.append(f"{s['name']}: {s['failures']} failures, database {f}")
state = {s["name"]: s["state"] for s in doc["sources"]}
want = {"broken": "failing", "miniflux": "ok", "resting": "paused"}
for k, v in want.items():
    if state.get(k) != v:
        bad.append(f"{k}: state {state.get(k)}, want {v}")
if not any(d["polls"] > 0 for s in doc["sources"] for d in s["days"]):
    bad.append("no day of history")
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
check "/status.json agrees with the database" "$PYTHON" "$WORK/statuscheck.py" "$WORK/sj.b" "$D/feedmerge.db"
get page "${URL}status"
check "/status: an HTML table with every source" \
	sh -c 'test "$1" = 200 && test "$(grep -c "<tr><td" "$2")" = 4 && grep -q "<svg" "$2" && ! grep -qi "<script" "$2"' sh "$CODE" "$WORK/page.b"
check "/status: well-formed HTML" "$PYTHON" "$INTEGRATION_DIR/htmlcheck.py" valid "$WORK/page.b"

out=$("$FEEDMERGE" status -c "$CONF")
rc=$?
check "feedmerge status: exit 0 beside the running daemon" test "$rc" = 0
check "feedmerge status: broken failing with its error" grep -Eq '^broken +failing .*HTTP 404' <<<"$out"
check "feedmerge status: resting paused" grep -Eq '^resting +paused' <<<"$out"

get hz "${URL}healthz"
check "/healthz: 200 while the database takes writes" test "$CODE" = 200
# Another process holds the database's write lock: the polls' writes fail (after SQLite's busy
# timeout), and /healthz says so until a write works again.
"$PYTHON" - "$D/feedmerge.db" "$WORK/locked" "$WORK/unlock" <<'PY' &
import os, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
db.execute("BEGIN EXCLUSIVE")
open(sys.argv[2], "w").close()
for _ in range(1200):
    if os.path.exists(sys.argv[3]):
        break
    time.sleep(0.05)
db.execute("ROLLBACK")
PY
LOCKER=$!
CLEANUP_PIDS="$CLEANUP_PIDS $LOCKER"
wait_until 10 test -e "$WORK/locked"
# A poll waits for SQLite's busy timeout (5 s) inside the loop: give each request that long.
unhealthy() {
	CODE=$(curl -s -o "$WORK/hz.b" -w '%{http_code}' --max-time 20 "${URL}healthz")
	[ "$CODE" = 503 ]
}
check "/healthz: 503 while the database is locked" wait_until 40 unhealthy
check "with the reason" grep -q "database not writable" "$WORK/hz.b"
touch "$WORK/unlock"
wait "$LOCKER"
healthy() {
	CODE=$(curl -s -o "$WORK/hz.b" -w '%{http_code}' --max-time 20 "${URL}healthz")
	[ "$CODE" = 200 ]
}
check "/healthz: 200 again after the next write" wait_until 40 healthy

# admin_listen: the endpoints on their own port; the public one keeps /healthz only.
A="$WORK/split"
mkdir -p "$A"
write_config "$A/feedmerge.conf" listen=127.0.0.1:0 admin_listen=127.0.0.1:0
add_source "$A/feedmerge.conf" miniflux "$BASE/miniflux_small_atom.xml"
"$FEEDMERGE" run -c "$A/feedmerge.conf" 2>"$A/log" &
CLEANUP_PIDS="$CLEANUP_PIDS $!"
wait_until 10 grep -q "^admin endpoints on http://127.0.0.1:[0-9]*/status$" "$A/log"
PUB=$(grep -o "^listening on http://127.0.0.1:[0-9]*/" "$A/log" | grep -o "http.*")
ADM=$(grep -o "^admin endpoints on http://127.0.0.1:[0-9]*/" "$A/log" | grep -o "http.*")
get pm "${PUB}metrics"
check "admin_listen: no /metrics on the public listener" test "$CODE" = 404
get ph "${PUB}healthz"
check "admin_listen: /healthz stays on the public listener" test "$CODE" = 200
get am "${ADM}metrics"
check "admin_listen: /metrics on the admin listener" test "$CODE" = 200
get af "${ADM}feed.atom"
check "admin_listen: no feeds on the admin listener" test "$CODE" = 404

done_testing
