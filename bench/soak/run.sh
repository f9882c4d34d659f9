#!/usr/bin/env bash
# Soak: the daemon polls SOURCES (default 2,000) local feeds every INTERVAL (default 10s) for
# DURATION seconds (default 1800), their content moving on (server.py: two new items a minute
# per feed, ETags and 304s; one feed in five fails: 500, 404, HTML, broken XML), with a config
# reload every minute (alternating configs that drop 100 sources, add 100 others and change
# global keys), while 4 clients fetch the merged feed (Atom, RSS with ?limit, JSON, /healthz)
# one request after another, 50 ms apart. Every minute it prints resident memory (VmRSS,
# VmHWM), open descriptors, the database's size (file + WAL), the WAL's, entries, tombstones,
# polls logged and client requests so far. At the end it checks that they stayed flat: from
# minute W (10, or a third of a shorter run) on, VmRSS's median over the last 5 minutes within
# 10% of its median over minutes W to W+4 (and no minute 25% off that), descriptors within 10; in the last 10 minutes, the database file without its tombstones
# within 10% of where it was (it fills up to max_entries first; tombstones, a key for each
# entry pruned, are kept keep_days and grow with every prune), and the WAL under 24 MB (the
# checkpoint thread bounds it near 16); it exits 1 when not, or when the daemon died, a reload
# failed or clients failed.
#
#   bench/soak/run.sh [BUILD_DIR]          (default: _build; FEEDMERGE names the binary instead)
#
# The clients' first 20 failures go to $work/clients.err (SOAK_KEEP=1 keeps $work).
# Everything is on 127.0.0.1, every loop ends with DURATION, and everything started is stopped.
# Run it under nice: it keeps both cores of a small machine busy.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
FEEDMERGE=${FEEDMERGE:-${1:-$top/_build}/src/feedmerge}
DURATION=${DURATION:-1800}
SOURCES=${SOURCES:-2000}
INTERVAL=${INTERVAL:-10s}
[ -x "$FEEDMERGE" ] || { echo "soak: $FEEDMERGE: build first" >&2; exit 2; }
for t in python3 sqlite3 curl; do
	command -v "$t" >/dev/null || { echo "soak: $t is needed" >&2; exit 2; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/feedmerge-soak.XXXXXX")
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	if [ -n "${SOAK_KEEP:-}" ]; then echo "soak: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

python3 "$here/server.py" --port-file "$work/port" 2>"$work/server.err" &
pids="$pids $!"
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port") || { echo "soak: the feed server did not start" >&2; exit 1; }

# conf FILE FIRST LAST TITLE: a config polling feeds FIRST..LAST.
conf() {
	{
		cat <<EOC
[feedmerge]
database = $work/feedmerge.db
output_dir = $work/public
listen = 127.0.0.1:0
interval = $INTERVAL
min_interval = 1s
concurrency = 16
timeout = 10s
max_size = 1M
feed_title = $4
public_url = http://soak.example/
feed_size = 500
startup_spread = 0
EOC
		for n in $(seq "$2" "$3"); do
			printf '\n[source s%d]\nurl = http://127.0.0.1:%d/feed/%d\nmax_entries = 20\n' "$n" "$port" "$n"
		done
	} >"$1"
}
conf "$work/a.conf" 1 "$SOURCES" "Soak A"
conf "$work/b.conf" 101 $((SOURCES + 100)) "Soak B"
cp "$work/a.conf" "$work/feedmerge.conf"
log=$work/daemon.log
"$FEEDMERGE" run -c "$work/feedmerge.conf" 2>"$log" &
pid=$!
pids="$pids $pid"
# Log lines start with a timestamp when stderr is a file (src/log.c): matched as optional.
ts='^([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z )?'
for _ in $(seq 300); do grep -qE "${ts}listening on " "$log" && break; sleep 0.1; done
url=$(grep -o "http://127.0.0.1:[0-9]*/" "$log" | head -n 1)
[ -n "$url" ] || { echo "soak: the daemon did not start:"; tail "$log"; exit 1; }

# The clients: 4 threads, 50 ms between requests, until 3 s before the end; counts in $work/clients (ok failed).
# They stop 3 s before the daemon does, so its shutdown counts as no failure.
python3 - "$url" "$((DURATION > 10 ? DURATION - 3 : DURATION))" "$work/clients" <<'PY' &
import sys, threading, time, urllib.request
url, duration, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
paths = ["feed.atom", "feed.rss?limit=50", "feed.json", "healthz"]
counts = [0, 0]
lock = threading.Lock()
end = time.time() + duration
def client(i):
    k = i
    while time.time() < end:
        try:
            with urllib.request.urlopen(url + paths[k % len(paths)], timeout=10) as r:
                r.read()
                good = r.status == 200
        except Exception as e:
            good = False
            with lock:
                if counts[1] < 20:
                    with open(out + ".err", "a") as fp:
                        fp.write("%.1f %s %r\n" % (time.time(), paths[k % len(paths)], e))
        with lock:
            counts[0 if good else 1] += 1
        k += 1
        time.sleep(0.05)
def report():
    while time.time() < end:
        time.sleep(5)
        with lock:
            open(out, "w").write("%d %d\n" % tuple(counts))
threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(4)]
for t in threads:
    t.start()
report()
for t in threads:
    t.join(15)
with lock:
    open(out, "w").write("%d %d\n" % tuple(counts))
PY
clients=$!
pids="$pids $clients"

kb() { awk -v f="$1:" '$1 == f {print $2}' "/proc/$pid/status"; }
printf '%-4s %9s %9s %5s %9s %8s %8s %8s %8s %7s %12s\n' min "VmRSS_MB" "VmHWM_MB" fds "db_KB" "wal_KB" entries tombs polls reloads "clients_ok/failed"
start=$(date +%s)
minute=0 reloads=0
: >"$work/series"
while [ $(($(date +%s) - start)) -lt "$DURATION" ]; do
	next=$((start + (minute + 1) * 60))
	while [ "$(date +%s)" -lt "$next" ] && [ $(($(date +%s) - start)) -lt "$DURATION" ]; do
		sleep 1
		kill -0 "$pid" 2>/dev/null || { echo "soak: the daemon died:"; tail -n 20 "$log"; exit 1; }
	done
	minute=$((minute + 1))
	rss=$(kb VmRSS) hwm=$(kb VmHWM)
	fds=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 | wc -l)
	file=$(stat -c %s "$work/feedmerge.db")
	wal=$(( $(stat -c %s "$work/feedmerge.db-wal" 2>/dev/null || echo 0) / 1024 ))
	db=$((file / 1024 + wal))
	entries=$(sqlite3 -batch -noheader "file:$work/feedmerge.db?mode=ro" "SELECT count(*) FROM entries" 2>/dev/null || echo -)
	# Tombstones (a pruned entry's key, kept keep_days) grow with every entry pruned: bounded
	# by keep_days, not by this run. Their bytes are left out of the database's growth check.
	tombs=$(sqlite3 -batch -noheader "file:$work/feedmerge.db?mode=ro" "SELECT count(*) FROM tombstones" 2>/dev/null || echo 0)
	tomb_kb=$(sqlite3 -batch -noheader "file:$work/feedmerge.db?mode=ro" \
		"SELECT coalesce(sum(pgsize), 0) / 1024 FROM dbstat WHERE name IN ('tombstones', 'tombstones_pruned')" 2>/dev/null || echo 0)
	polls=$(grep -cE "${ts}(warning: )?source s[0-9]+: " "$log")
	printf '%-4s %9.1f %9.1f %5s %9s %8s %8s %8s %8s %7s %12s\n' "$minute" "$(echo "$rss / 1024" | bc -l)" \
		"$(echo "$hwm / 1024" | bc -l)" "$fds" "$db" "$wal" "$entries" "$tombs" "$polls" "$reloads" \
		"$(tr ' ' / <"$work/clients" 2>/dev/null)"
	echo "$minute $rss $fds $((file / 1024 - tomb_kb)) $wal" >>"$work/series"
	# The reload: the other config.
	if [ $((minute % 2)) = 1 ]; then cp "$work/b.conf" "$work/feedmerge.conf"; else cp "$work/a.conf" "$work/feedmerge.conf"; fi
	kill -HUP "$pid" && reloads=$((reloads + 1))
done
alive=1
kill -0 "$pid" 2>/dev/null || alive=0
applied=$(grep -cE "${ts}reload: .*: applied" "$log")
errors=$(grep -cE "${ts}warning: (reload|.*feedmerge.conf:)" "$log")
wait "$clients"
kill -TERM "$pid"
for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
wait "$pid"
rc=$?
read -r cok cfail <"$work/clients"

# The verdict: flat from minute W on.
w=10
[ "$minute" -lt 30 ] && w=$((minute / 3))
[ "$w" -lt 1 ] && w=1
# The database fills up to its retention (max_entries = 20 a source) first: its reference is
# the later of minute W and 10 minutes before the end.
dw=$((minute - 10))
[ "$dw" -lt "$w" ] && dw=$w
# Resident memory moves by a few MB from minute to minute (renders, reloads, malloc's arenas):
# one sample is no reference. Growth is the median of the last five minutes against the median
# of minutes W to W+4 (within 10%); any single minute may stray 25% from the latter.
verdict=$(awk -v w="$w" -v dw="$dw" -v last="$minute" '
	function median(a, n,    i, j, t) {
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	$1 == w { f0 = $3 }
	$1 >= w && $1 <= w + 4 { first[++nf] = $2 }
	$1 > last - 5 && $1 >= w { end[++ne] = $2 }
	$1 == dw { d0 = $4 }
	$1 >= w { if ($2 > rmax) rmax = $2; if (rmin == "" || $2 < rmin) rmin = $2
	          if ($3 > fmax) fmax = $3 }
	$1 >= dw { if ($4 > dmax) dmax = $4 }
	{ if ($5 > wmax) wmax = $5 }
	END {
		r0 = median(first, nf); rl = median(end, ne)
		ok = (rl <= r0 * 1.1 && rmax <= r0 * 1.25 && rmin >= r0 * 0.75 && fmax <= f0 + 10 &&
		      dmax <= d0 * 1.1 && wmax <= 24576)
		printf "%s: VmRSS median %.1f MB in the last 5 minutes, %.1f in minutes %d-%d; %.1f..%.1f MB from minute %d on; descriptors <= %d (%d); from minute %d on, database without tombstones <= %d KB (%d); WAL <= %d KB (bound 24576)\n",
			ok ? "flat" : "NOT FLAT", rl / 1024, r0 / 1024, w, w + 4, rmin / 1024, rmax / 1024, w, fmax, f0, dw, dmax, d0, wmax
		exit !ok
	}' "$work/series")
flat=$?
echo "soak: $verdict"
echo "soak: $minute min, $reloads reloads sent, $applied applied, $errors reload errors; clients: $cok ok, $cfail failed; SIGTERM: exit $rc"
[ "$flat" = 0 ] && [ "$alive" = 1 ] && [ "$rc" = 0 ] && [ "$errors" = 0 ] && [ "${cfail:-1}" -le $((cok / 100)) ]
