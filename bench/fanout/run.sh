#!/usr/bin/env bash
# bench/fanout: the merged feed to many readers at once. Requests per second and latency (wrk
# --latency) for GET /feed.atom with 1,000 and 10,000 concurrent keep-alive connections, served
# by nginx from output_dir (conf/nginx-feedmerge.conf, paths and ports replaced) and by the
# daemon's own listener, in the same run.
#
#   FEEDMERGE=_build/src/feedmerge bench/fanout/run.sh
#
# Environment: FEEDMERGE (the daemon; default _build/src/feedmerge), DURATION (s per run, default
# 15), CONNS (default "1000 10000"), THREADS (wrk's, default 2), SERVERS (default
# "feedmerge nginx"), GZIP (1: the requests say Accept-Encoding: gzip, as feed readers do;
# default 1). Needs wrk, nginx, curl, python3 (apt-get install wrk nginx-light). Raises the
# soft open-file limit to the hard one (10,000 connections take ~10,000 descriptors in wrk and
# as many in the server). Everything runs on 127.0.0.1 and is stopped on exit.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
FEEDMERGE=${FEEDMERGE:-$top/_build/src/feedmerge}
DURATION=${DURATION:-15}
CONNS=${CONNS:-1000 10000}
THREADS=${THREADS:-2}
SERVERS=${SERVERS:-feedmerge nginx}
GZIP=${GZIP:-1}

for t in wrk curl python3; do
	command -v "$t" >/dev/null || {
		echo "bench/fanout: $t is needed (apt-get install wrk nginx-light)" >&2
		exit 2
	}
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "bench/fanout: nginx is needed (apt-get install nginx-light)" >&2; exit 2; }
[ -x "$FEEDMERGE" ] || { echo "bench/fanout: no daemon at $FEEDMERGE (set FEEDMERGE=)" >&2; exit 2; }
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
max=0
for c in $CONNS; do [ "$c" -gt "$max" ] && max=$c; done
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((max + 100)) ]; then
	echo "bench/fanout: open files limited to $(ulimit -n), $max connections need more (ulimit -Hn)" >&2
	exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/feedmerge-bench-fanout.XXXXXX")
chmod 755 "$tmp" # nginx's workers may run as another user
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	if [ -n "${KEEP:-}" ]; then echo "kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wait_for() {
	local n=$(($1 * 10))
	shift
	until "$@" >/dev/null 2>&1; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.1
	done
}
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- the daemon over real captures (as bench/serve), writing output_dir ---------------------------
fixtures=(rsparser_DaringFireball.atom rsparser_allthis.atom rsparser_scriptingNews.rss
	rsparser_monkeydom.rss kde-syndication_heise-atom.xml miniflux_small_atom.xml
	feed-rs_rss_2.0_bbc.xml modeled_baochinhphu-home.rss modeled_republisher.rss)
mkdir -p "$tmp/www" "$tmp/fm"
for f in "${fixtures[@]}"; do
	[ -f "$top/tests/parse/$f" ] && cp "$top/tests/parse/$f" "$tmp/www/$f"
done
python3 "$top/tests/integration/server.py" --root "$tmp/www" --log "$tmp/requests.log" \
	--port-file "$tmp/src-port" >/dev/null 2>&1 &
pids+=($!)
wait_for 10 test -s "$tmp/src-port" || { echo "bench/fanout: test server did not start" >&2; exit 1; }
src="http://127.0.0.1:$(cat "$tmp/src-port")"
{
	printf '[feedmerge]\ndatabase = %s/fm/fm.db\noutput_dir = %s/fm/public\n' "$tmp" "$tmp"
	printf 'listen = 127.0.0.1:0\ninterval = 1h\nfeed_title = Bench\n'
	printf 'public_url = http://bench.example/\nfeed_size = 100\nstartup_spread = 0\nkeep_days = 0\n'
	for f in "$tmp"/www/*; do
		n=$(basename "$f" | tr -c 'a-z0-9\n' '-' | cut -c1-30)
		printf '\n[source %s]\nurl = %s/%s\n' "s-${n%-}" "$src" "$(basename "$f")"
	done
} >"$tmp/fm.conf"
"$FEEDMERGE" run -c "$tmp/fm.conf" 2>"$tmp/fm.log" &
pids+=($!)
wait_for 10 grep -q '^listening on' "$tmp/fm.log" || { cat "$tmp/fm.log" >&2; exit 1; }
fm=$(grep -o 'http://127.0.0.1:[0-9]*/' "$tmp/fm.log" | head -n 1)
polled() { [ "$(grep -cE '^source .*(entr|not modified)' "$tmp/fm.log")" -ge "$(ls "$tmp/www" | wc -l)" ]; }
wait_for 20 polled || { echo "bench/fanout: the daemon did not poll every source" >&2; exit 1; }
stable() {
	curl -sf -o "$tmp/a" "${fm}feed.atom" && sleep 1.5 && curl -sf -o "$tmp/b" "${fm}feed.atom" &&
		cmp -s "$tmp/a" "$tmp/b" && cmp -s "$tmp/b" "$tmp/fm/public/feed.atom"
}
wait_for 30 stable || { echo "bench/fanout: /feed.atom never settled" >&2; exit 1; }
chmod -R a+rX "$tmp/fm"
size=$(wc -c <"$tmp/fm/public/feed.atom")
gzsize=$(wc -c <"$tmp/fm/public/feed.atom.gz")

# --- nginx on the documented server block ----------------------------------------------------------
ng_port=$(free_port)
mkdir -p "$tmp/ng"
fmhost=${fm#http://}
sed -e "s|server 127.0.0.1:8080;|server ${fmhost%/};|" \
	-e "s|listen 80; .*|listen 127.0.0.1:$ng_port backlog=16384;|" \
	-e "s|root /var/lib/feedmerge/public;.*|root $tmp/fm/public;|" \
	"$top/conf/nginx-feedmerge.conf" >"$tmp/ng/site.conf"
{
	[ "$(id -u)" = 0 ] && echo "user root;"
	cat <<CONF
worker_processes auto;
worker_rlimit_nofile $((max * 2 + 1000));
events { worker_connections $((max + 1000)); }
http {
	access_log off;
	open_file_cache max=64 inactive=60s;
	open_file_cache_valid 1s;
	client_body_temp_path $tmp/ng/body;
	proxy_temp_path $tmp/ng/proxy;
	fastcgi_temp_path $tmp/ng/fastcgi;
	uwsgi_temp_path $tmp/ng/uwsgi;
	scgi_temp_path $tmp/ng/scgi;
	include $tmp/ng/site.conf;
}
CONF
} >"$tmp/ng/nginx.conf"
"$NGINX" -p "$tmp/ng" -c "$tmp/ng/nginx.conf" -g "daemon off; pid $tmp/ng/nginx.pid; error_log $tmp/ng/error.log;" \
	2>>"$tmp/ng/stderr" &
pids+=($!)
ng="http://127.0.0.1:$ng_port/"
wait_for 10 curl -sf -o /dev/null "${ng}feed.atom" || { cat "$tmp/ng/stderr" "$tmp/ng/error.log" >&2; exit 1; }
cmp -s <(curl -sf "${ng}feed.atom") <(curl -sf "${fm}feed.atom") ||
	{ echo "bench/fanout: nginx and the daemon serve different bytes" >&2; exit 1; }

# --- wrk ---------------------------------------------------------------------------------------------
hdr=()
[ "$GZIP" = 1 ] && hdr=(-H "Accept-Encoding: gzip")
# run SERVER URL CONNS: one wrk run; prints "rps p50 p99 errors non2xx".
run() {
	local out
	out=$(wrk -t"$THREADS" -c"$3" -d"${DURATION}s" --timeout 10s --latency "${hdr[@]}" "$2feed.atom" 2>&1) || true
	echo "$out" >"$tmp/wrk-$1-$3.txt"
	awk '
		/^Requests\/sec:/ { rps = $2 }
		/^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
		/Socket errors:/ { gsub(",", ""); err = $4 + $6 + $8 + $10 }
		/Non-2xx or 3xx/ { n2 = $NF }
		END { printf "%.0f %s %s %d %d\n", rps, p50, p99, err, n2 }' <<<"$out"
}
# reach URL CONNS: wrk counts only the requests answered; a server that stops accepting past a
# connection limit leaves the others waiting in the listen queue, unseen. This opens CONNS
# connections at once, sends one GET on each, keeps each open afterwards (a keep-alive reader)
# and prints how many got their whole response within 10 s.
cat >"$tmp/reach.py" <<'PY'
import asyncio, sys
host, port, n = "127.0.0.1", int(sys.argv[1]), int(sys.argv[2])
held = []
req = b"GET /feed.atom HTTP/1.1\r\nHost: bench\r\nAccept-Encoding: gzip\r\n\r\n"
async def one():
    try:
        r, w = await asyncio.open_connection(host, port)
        w.write(req)
        head = await r.readuntil(b"\r\n\r\n")
        length = next(int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:"))
        await r.readexactly(length)
        held.append(w)
        return 1
    except Exception:
        return 0
async def main():
    tasks = [asyncio.create_task(one()) for _ in range(n)]
    done, pending = await asyncio.wait(tasks, timeout=10)
    for t in pending:
        t.cancel()
    print(sum(t.result() for t in done))
asyncio.run(main())
PY
declare -A R
for c in $CONNS; do
	for s in $SERVERS; do
		url=$fm
		[ "$s" = nginx ] && url=$ng
		R[$s,$c]=$(run "$s" "$url" "$c")
		sleep 2 # let the sockets of the last run close
		port=${url##*:}
		R[$s,$c]+=" $(python3 "$tmp/reach.py" "${port%/}" "$c" 2>/dev/null || echo '?')"
		sleep 2
	done
done

printf 'document: /feed.atom, %s bytes (.gz %s bytes); requests %s; wrk -t%s -d%ss --latency on %s CPUs; %s; %s\n' \
	"$size" "$gzsize" "$([ "$GZIP" = 1 ] && echo 'with Accept-Encoding: gzip' || echo plain)" \
	"$THREADS" "$DURATION" "$(nproc)" "$("$NGINX" -v 2>&1)" "$("$FEEDMERGE" --version 2>/dev/null | head -n 1 || echo feedmerge)"
printf '%-10s %-7s %9s %10s %10s %12s %8s %14s\n' server conns 'req/s' p50 p99 'sock errors' non-2xx 'answered/10s'
for c in $CONNS; do
	for s in $SERVERS; do
		# shellcheck disable=SC2086
		set -- ${R[$s,$c]}
		printf '%-10s %-7s %9s %10s %10s %12s %8s %14s\n' "$s" "$c" "$1" "$2" "$3" "$4" "$5" "$6/$c"
	done
done
refused=$(grep -c 'connection limit' "$tmp/fm.log" || true)
[ "$refused" -gt 0 ] && echo "feedmerge logged 'connection limit' $refused times (libmicrohttpd's limit: src/http.c HTTP_CONNECTION_LIMIT)"
exit 0
