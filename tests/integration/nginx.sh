#!/usr/bin/env bash
# nginx in front of the daemon, with conf/nginx-feedmerge.conf itself (paths and ports
# replaced): static outputs with the right types, gzip_static, validators and 304s, only the
# dynamic paths proxied, the publisher's temporary files never served, and never a partial
# feed while the daemon renders 100 times (SIGHUP reloads, each with a new feed_title).
# Skipped when nginx is not installed (Debian: nginx-light).
# shellcheck source=tests/integration/lib.sh disable=SC2016
. "$TESTS_SRCDIR/integration/lib.sh"

NGINX=$(command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; })
[ -n "$NGINX" ] || {
	echo "1..0 # SKIP nginx not installed (apt-get install nginx-light)"
	exit 0
}
for t in curl xmllint gzip; do
	command -v "$t" >/dev/null || {
		echo "1..0 # SKIP $t not installed"
		exit 0
	}
done
# nginx's workers run as another user unless told otherwise: they must reach the files.
chmod 755 "$WORK"

# A feed of 300 items (~100 KB of Atom): big enough that a torn write would show.
mkdir -p "$WORK/www"
{
	echo '<?xml version="1.0" encoding="UTF-8"?>'
	echo '<rss version="2.0"><channel><title>Báo Alpha</title><link>https://alpha.test/</link>'
	for i in $(seq 300 -1 1); do
		printf '<item><title>Tin số %d</title><link>https://alpha.test/%d</link>' "$i" "$i"
		printf '<description>&lt;p&gt;Nội dung của tin số %d, đủ dài để có mặt.&lt;/p&gt;</description>' "$i"
		printf '<pubDate>%s</pubDate></item>\n' "$(date -u -R -d "@$((1764576000 + i * 60))")"
	done
	echo '</channel></rss>'
} >"$WORK/www/alpha.rss"
start_server

D="$WORK/fm"
P="$D/public"
mkdir -p "$D"
CONF="$D/feedmerge.conf"
write_config "$CONF" listen=127.0.0.1:0 "feed_title=Tin 0"
add_source "$CONF" alpha "$BASE/alpha.rss"
LOG="$D/daemon.log"
"$FEEDMERGE" run -c "$CONF" 2>"$LOG" &
FM_PID=$!
CLEANUP_PIDS="$CLEANUP_PIDS $FM_PID"
wait_until 10 grep -q "^listening on http://127.0.0.1:[0-9]*/$" "$LOG"
FM=$(grep -o "http://127.0.0.1:[0-9]*/" "$LOG" | head -n 1)
[ -n "$FM" ] || {
	diag "$(cat "$LOG")"
	echo "Bail out! the daemon did not start"
	exit 1
}
check "the daemon wrote feed.atom with 300 entries" \
	wait_until 15 sh -c 'test "$(grep -c "<entry" "$1" 2>/dev/null)" = 300' sh "$P/feed.atom"
chmod -R a+rX "$D"

# nginx: the documented server block, in an http block of a private nginx.
N="$WORK/nginx"
mkdir -p "$N"
NPORT=$(closed_port)
FMHOST=${FM#http://}
sed -e "s|server 127.0.0.1:8080;|server ${FMHOST%/};|" \
	-e "s|listen 80; .*|listen 127.0.0.1:$NPORT;|" \
	-e "s|root /var/lib/feedmerge/public;.*|root $P;|" \
	"$TESTS_SRCDIR/../conf/nginx-feedmerge.conf" >"$N/site.conf"
{
	[ "$(id -u)" = 0 ] && echo "user root;"
	cat <<EOF
worker_processes 1;
events { worker_connections 256; }
http {
	access_log $N/access.log;
	client_body_temp_path $N/body;
	proxy_temp_path $N/proxy;
	fastcgi_temp_path $N/fastcgi;
	uwsgi_temp_path $N/uwsgi;
	scgi_temp_path $N/scgi;
	include $N/site.conf;
}
EOF
} >"$N/nginx.conf"
"$NGINX" -p "$N" -c "$N/nginx.conf" -g "daemon off; pid $N/nginx.pid; error_log $N/error.log;" \
	>"$N/stdout" 2>"$N/stderr" &
NGINX_PID=$!
CLEANUP_PIDS="$CLEANUP_PIDS $NGINX_PID"
NG="http://127.0.0.1:$NPORT/"
if ! wait_until 10 curl -sf -o /dev/null "${NG}feed.atom"; then
	diag "$(cat "$N/stderr" "$N/error.log" 2>/dev/null)"
	echo "Bail out! nginx did not start"
	exit 1
fi

get() {
	local name=$1
	shift
	CODE=$(curl -s -o "$WORK/$name.b" -D "$WORK/$name.h" -w '%{http_code}' --max-time 5 "$@")
}
header() {
	grep -i "^$2:" "$WORK/$1.h" | head -n 1 | cut -d: -f2- | sed 's/^ *//; s/\r$//'
}

get atom "${NG}feed.atom"
check "/feed.atom: 200, application/atom+xml; charset=utf-8" \
	test "$CODE $(header atom Content-Type)" = "200 application/atom+xml; charset=utf-8"
check "/feed.atom: the bytes of output_dir/feed.atom" cmp -s "$WORK/atom.b" "$P/feed.atom"
check "/feed.atom: Cache-Control: max-age=60, ETag, Last-Modified" \
	test "$(header atom Cache-Control) $(header atom ETag | cut -c1) $(header atom Last-Modified | wc -c)" = 'max-age=60 " 30'
get rss "${NG}feed.rss"
check "/feed.rss: application/rss+xml; charset=utf-8" \
	test "$CODE $(header rss Content-Type)" = "200 application/rss+xml; charset=utf-8"
get json "${NG}feed.json"
check "/feed.json: application/feed+json; charset=utf-8" \
	test "$CODE $(header json Content-Type)" = "200 application/feed+json; charset=utf-8"
get page "${NG}"
check "/: index.html, text/html; charset=utf-8" \
	sh -c 'test "$1" = "200 text/html; charset=utf-8" && cmp -s "$2" "$3"' sh \
	"$CODE $(header page Content-Type)" "$WORK/page.b" "$P/index.html"
get health "${NG}health.atom"
check "/health.atom: static, 200" test "$CODE" = 200

get gz -H "Accept-Encoding: gzip" "${NG}feed.atom"
check "Accept-Encoding: gzip: Content-Encoding: gzip, Vary: Accept-Encoding" \
	test "$CODE $(header gz Content-Encoding) $(header gz Vary)" = "200 gzip Accept-Encoding"
check "the gzip body is output_dir's .gz and gunzips to the plain file" \
	sh -c 'cmp -s "$1" "$2.gz" && gzip -dc "$1" | cmp -s - "$2"' sh "$WORK/gz.b" "$P/feed.atom"
get plain -H "Accept-Encoding: identity" "${NG}feed.atom"
check "Accept-Encoding: identity: no Content-Encoding" test -z "$(header plain Content-Encoding)"

ETAG=$(header atom ETag)
LM=$(header atom Last-Modified)
get inm -H "If-None-Match: $ETAG" "${NG}feed.atom"
check "If-None-Match with its ETag: 304, no body" sh -c 'test "$1" = 304 && ! test -s "$2"' sh "$CODE" "$WORK/inm.b"
get ims -H "If-Modified-Since: $LM" "${NG}feed.atom"
check "If-Modified-Since with its Last-Modified: 304" test "$CODE" = 304
GZETAG=$(header gz ETag)
get gzinm -H "Accept-Encoding: gzip" -H "If-None-Match: $GZETAG" "${NG}feed.atom"
check "the gzip copy's ETag: 304 too" test "$CODE" = 304

get s "${NG}s/alpha.atom"
check "/s/alpha.atom: proxied to the daemon (no file for it), 300 entries" \
	test "$CODE $(grep -c '<entry' "$WORK/s.b")" = "200 300"
check "/s/alpha.atom: the daemon's bytes" sh -c 'curl -sf "$1" | cmp -s - "$2"' sh "${FM}s/alpha.atom" "$WORK/s.b"
get lim "${NG}feed.atom?limit=2"
check "/feed.atom?limit=2: the daemon renders it (2 entries)" \
	test "$CODE $(grep -c '<entry' "$WORK/lim.b")" = "200 2"
get bad "${NG}feed.atom?limit=0"
check "/feed.atom?limit=0: the daemon's 400" test "$CODE" = 400
get sgz -H "Accept-Encoding: gzip" "${NG}s/alpha.rss"
check "a proxied view keeps the daemon's gzip" test "$CODE $(header sgz Content-Encoding)" = "200 gzip"
get hz "${NG}healthz"
check "/healthz: proxied, ok" sh -c 'test "$1" = 200 && grep -q ok "$2"' sh "$CODE" "$WORK/hz.b"
get arch "${NG}archive/1.atom"
check "/archive/1.atom: proxied (the daemon's answer: 300 entries fill 3 pages)" test "$CODE" = 200
echo partial >"$P/.feed.atom.AbC123"
chmod 644 "$P/.feed.atom.AbC123"
get dot "${NG}.feed.atom.AbC123"
check "a publisher's temporary file is never served: 404" test "$CODE" = 404
rm -f "$P/.feed.atom.AbC123"
get nope "${NG}nothing.atom"
check "an unknown static path: 404 from nginx" test "$CODE" = 404

# Never a partial feed: a keep-alive client reads /feed.atom (plain and gzip, in turn) while the
# daemon renders 100 times; each body must be as long as its Content-Length and well-formed.
cat >"$WORK/reader.py" <<'PY'
import gzip, hashlib, http.client, os, sys
port, out, stop = int(sys.argv[1]), sys.argv[2], sys.argv[3]
bad, n, seen = [], 0, set()
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
while not os.path.exists(stop) or n < 20:
    gz = n % 2 == 1
    conn.request("GET", "/feed.atom", headers={"Accept-Encoding": "gzip"} if gz else {})
    r = conn.getresponse()
    body = r.read()
    n += 1
    length = r.getheader("Content-Length")
    if r.status != 200 or length is None or int(length) != len(body):
        bad.append("response %d: status %d, Content-Length %s, %d bytes" % (n, r.status, length, len(body)))
        continue
    if gz:
        if r.getheader("Content-Encoding") != "gzip":
            bad.append("response %d: not gzip" % n)
            continue
        try:
            body = gzip.decompress(body)
        except Exception as e:
            bad.append("response %d: gzip: %s" % (n, e))
            continue
    h = hashlib.sha256(body).hexdigest()
    if h not in seen:
        seen.add(h)
        with open(os.path.join(out, h + ".atom"), "wb") as fp:
            fp.write(body)
print("%d responses, %d distinct bodies" % (n, len(seen)))
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
mkdir -p "$WORK/bodies"
"$PYTHON" "$WORK/reader.py" "$NPORT" "$WORK/bodies" "$WORK/stop" >"$WORK/reader.out" 2>&1 &
READER=$!
CLEANUP_PIDS="$CLEANUP_PIDS $READER"
# render N: a new feed_title and a SIGHUP; waits (5 s at most) until feed.atom carries it.
render() {
	local i=$1 tries=250
	sed -i "s/^feed_title = .*/feed_title = Tin $i/" "$CONF"
	kill -HUP "$FM_PID"
	until grep -q "<title>Tin $i</title>" "$P/feed.atom" 2>/dev/null; do
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || return 1
		sleep 0.02
	done
}
renders=0
for i in $(seq 1 100); do
	render "$i" && renders=$((renders + 1))
done
touch "$WORK/stop"
wait_until 20 sh -c '! kill -0 "$1"' sh "$READER"
wait "$READER"
reader_rc=$?
check "the daemon rendered 100 times (each title reached feed.atom)" test "$renders" = 100
ok "$reader_rc" "every response whole: as long as its Content-Length, gzip bodies decompress ($(head -n 1 "$WORK/reader.out"))"
[ "$reader_rc" -eq 0 ] || diag "$(head -n 20 "$WORK/reader.out")"
wellformed() {
	local f
	for f in "$WORK"/bodies/*.atom; do
		xmllint --noout "$f" || return 1
		grep -q '</feed>' "$f" || return 1
	done
}
check "every distinct body is a well-formed Atom document (xmllint --noout)" wellformed
check "the reader saw several renders" test "$(find "$WORK/bodies" -name '*.atom' | wc -l)" -ge 3
check "nginx logged no error" sh -c '! grep -E "\[(error|crit|alert|emerg)\]" "$1"' sh "$N/error.log"

done_testing
