#!/usr/bin/env bash
# bench/serve: requests per second of feedmerge's listener against nginx serving the same bytes.
#
#   FEEDMERGE=_build/src/feedmerge bench/serve/run.sh
#
# Takes a built daemon (FEEDMERGE; default _build/src/feedmerge) and builds nothing of it. The
# document is real: the daemon polls a set of real captures from tests/parse (served by the
# integration tests' server.py on 127.0.0.1) and merges them into a ~280 KB /feed.atom. Those
# exact bytes, and a gzip -9 copy, are then served by nginx (gzip_static, etag, keep-alive)
# from a temporary root, and wrk measures three cases against both: a plain GET, a GET with
# If-None-Match (304s) and a GET with Accept-Encoding: gzip. nginx runs twice, with
# worker_processes 1 and auto. Until publish.c passes gzip bytes, the daemon answers gzip
# requests with identity; the gzip case is then measured on bench/serve/serve_bench.c (the
# same http.c serving the same bytes with its gzip_compress() variant), built here against the
# build's libfeedmerge.a, and the table says so.
#
# Environment: DURATION (s per run, default 10), CONNECTIONS (default 32), THREADS (wrk's,
# default 1). Needs wrk, nginx, curl, gzip, cc, python3 (apt-get install wrk nginx-light).
# Everything runs on 127.0.0.1 and is stopped on exit.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
FEEDMERGE=${FEEDMERGE:-$top/_build/src/feedmerge}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-1}
build=$(cd "$(dirname "$FEEDMERGE")/.." && pwd)

for t in wrk nginx curl gzip cc python3 pkg-config; do
	command -v "$t" >/dev/null || [ -x "/usr/sbin/$t" ] || {
		echo "bench/serve: $t is needed (apt-get install wrk nginx-light)" >&2
		exit 2
	}
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$FEEDMERGE" ] || { echo "bench/serve: no daemon at $FEEDMERGE (set FEEDMERGE=)" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/feedmerge-bench-serve.XXXXXX")
chmod 755 "$tmp" # nginx's workers may run as another user
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# wait_for SECONDS COMMAND...: polls until COMMAND succeeds.
wait_for() {
	local n=$(($1 * 10))
	shift
	until "$@" >/dev/null 2>&1; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.1
	done
}

# --- a real merged feed from the daemon ---------------------------------------------------------
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
wait_for 10 test -s "$tmp/src-port" || { echo "bench/serve: test server did not start" >&2; exit 1; }
src="http://127.0.0.1:$(cat "$tmp/src-port")"
{
	printf '[feedmerge]\ndatabase = %s/fm/fm.db\nlisten = 127.0.0.1:0\ninterval = 1h\n' "$tmp"
	printf 'feed_title = Bench\npublic_url = http://bench.example/\nfeed_size = 1000\n'
	printf 'startup_spread = 0\nkeep_days = 0\n'
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
wait_for 20 polled || { echo "bench/serve: the daemon did not poll every source" >&2; cat "$tmp/fm.log" >&2; exit 1; }
# Publishing is batched; wait until two fetches a second apart agree.
stable() {
	curl -sf -o "$tmp/a" "${fm}feed.atom" && sleep 1 && curl -sf -o "$tmp/b" "${fm}feed.atom" &&
		cmp -s "$tmp/a" "$tmp/b"
}
wait_for 20 stable || { echo "bench/serve: /feed.atom never settled" >&2; exit 1; }
mkdir -p "$tmp/root"
cp "$tmp/b" "$tmp/root/feed.atom"
gzip -9 -k "$tmp/root/feed.atom"
chmod 644 "$tmp/root/"*
chmod 755 "$tmp/root"
size=$(wc -c <"$tmp/root/feed.atom")
gzsize=$(wc -c <"$tmp/root/feed.atom.gz")

# --- the stand-in for the gzip case -----------------------------------------------------------
fm_gz=$fm
if ! curl -s -D - -o /dev/null -H 'Accept-Encoding: gzip' "${fm}feed.atom" | grep -qi '^content-encoding: gzip'; then
	[ -f "$build/src/libfeedmerge.a" ] || { echo "bench/serve: no $build/src/libfeedmerge.a" >&2; exit 2; }
	pc=(libcurl libxml-2.0 sqlite3 libmicrohttpd yajl zlib)
	# shellcheck disable=SC2046
	cc -std=c17 -O2 -g -D_DEFAULT_SOURCE -I"$build" -I"$top/src" $(pkg-config --cflags "${pc[@]}") \
		"$top/bench/serve/serve_bench.c" "$build/src/libfeedmerge.a" \
		$(pkg-config --libs "${pc[@]}") -lev -lm -o "$tmp/serve_bench"
	"$tmp/serve_bench" "$tmp/root/feed.atom" "$tmp/sb-port" &
	pids+=($!)
	wait_for 10 test -s "$tmp/sb-port" || { echo "bench/serve: serve_bench did not start" >&2; exit 1; }
	fm_gz="http://127.0.0.1:$(cat "$tmp/sb-port")/"
	gz_note=" (serve_bench: publish.c passes no gzip bytes yet)"
fi

# --- nginx ----------------------------------------------------------------------------------------
# start_nginx WORKERS: a private nginx on a free port; sets NGINX_PID and NG.
start_nginx() {
	local port
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	mkdir -p "$tmp/ng-$1"
	cat >"$tmp/ng-$1/nginx.conf" <<CONF
worker_processes $1;
daemon off;
pid $tmp/ng-$1/nginx.pid;
error_log $tmp/ng-$1/error.log;
$( [ "$(id -u)" = 0 ] && echo "user root;")
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $tmp/ng-$1/body;
	proxy_temp_path $tmp/ng-$1/proxy;
	fastcgi_temp_path $tmp/ng-$1/fastcgi;
	uwsgi_temp_path $tmp/ng-$1/uwsgi;
	scgi_temp_path $tmp/ng-$1/scgi;
	types { application/atom+xml atom; }
	charset utf-8;
	charset_types application/atom+xml;
	sendfile on;
	tcp_nopush on;
	keepalive_timeout 75s;
	keepalive_requests 1000000;
	etag on;
	gzip_static on;
	gzip_vary on;
	open_file_cache max=16;
	open_file_cache_valid 60s;
	server {
		listen 127.0.0.1:$port;
		root $tmp/root;
		location / { add_header Cache-Control "max-age=60"; }
	}
}
CONF
	"$NGINX" -c "$tmp/ng-$1/nginx.conf" -p "$tmp/ng-$1" 2>>"$tmp/ng-$1/error.log" &
	NGINX_PID=$!
	pids+=("$NGINX_PID")
	NG="http://127.0.0.1:$port/"
	wait_for 10 curl -sf -o /dev/null "${NG}feed.atom" || { cat "$tmp/ng-$1/error.log" >&2; exit 1; }
}

etag_of() { curl -s -D - -o /dev/null "$@" | awk 'tolower($1) == "etag:" { sub(/\r$/, ""); print $2 }'; }

# rps URL [HEADER]: wrk's requests per second.
rps() {
	local args=(-t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency)
	[ -n "${2:-}" ] && args+=(-H "$2")
	wrk "${args[@]}" "$1" | awk '/^Requests\/sec:/ { printf "%.0f", $2 }'
}

# check URL HEADER STATUS: the case answers what it should.
check() {
	local got
	got=$(curl -s -o /dev/null -w '%{http_code}' -H "$2" "$1")
	[ "$got" = "$3" ] || { echo "bench/serve: $1 with '$2' gave $got, not $3" >&2; exit 1; }
}

declare -A R
fm_etag=$(etag_of "${fm}feed.atom")
check "${fm}feed.atom" "If-None-Match: $fm_etag" 304
R[fm,plain]=$(rps "${fm}feed.atom")
R[fm,inm]=$(rps "${fm}feed.atom" "If-None-Match: $fm_etag")
R[fm,gzip]=$(rps "${fm_gz}feed.atom" "Accept-Encoding: gzip")
for w in 1 auto; do
	start_nginx "$w"
	ng_etag=$(etag_of "${NG}feed.atom")
	check "${NG}feed.atom" "If-None-Match: $ng_etag" 304
	R[$w,plain]=$(rps "${NG}feed.atom")
	R[$w,inm]=$(rps "${NG}feed.atom" "If-None-Match: $ng_etag")
	R[$w,gzip]=$(rps "${NG}feed.atom" "Accept-Encoding: gzip")
	kill "$NGINX_PID"
	wait "$NGINX_PID" 2>/dev/null || true
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
printf 'document: %s bytes (gzip -9: %s bytes); wrk -t%s -c%s -d%ss on %s CPUs; %s\n' \
	"$size" "$gzsize" "$THREADS" "$CONNECTIONS" "$DURATION" "$(nproc)" "$("$NGINX" -v 2>&1)"
printf '%-28s %12s %12s %12s %9s %9s\n' case feedmerge nginx-1 nginx-auto 'fm/ng-1' 'fm/ng-auto'
for c in plain inm gzip; do
	case $c in
	plain) label="GET" ;;
	inm) label="GET If-None-Match (304)" ;;
	gzip) label="GET Accept-Encoding: gzip" ;;
	esac
	printf '%-28s %12s %12s %12s %9s %9s\n' "$label" "${R[fm,$c]}" "${R[1,$c]}" "${R[auto,$c]}" \
		"$(ratio "${R[fm,$c]}" "${R[1,$c]}")" "$(ratio "${R[fm,$c]}" "${R[auto,$c]}")"
done
[ -n "${gz_note:-}" ] && echo "gzip row, feedmerge:$gz_note"
exit 0
