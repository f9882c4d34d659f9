#!/usr/bin/env bash
# The listener as clients see it, against the real daemon (`listen = 127.0.0.1:0`), with curl:
# gzip when asked (once publish.c passes gzip bytes), 304s without a body or Content-Type,
# HEAD, keep-alive across requests, 404 and 405, and [::1] when the box has IPv6 loopback.
# shellcheck source=tests/integration/lib.sh
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

D="$WORK/http"
mkdir -p "$D"
CONF="$D/feedmerge.conf"
write_config "$CONF" listen=127.0.0.1:0
add_source "$CONF" baochinhphu "$BASE/modeled_baochinhphu-home.rss"
add_source "$CONF" miniflux "$BASE/miniflux_small_atom.xml"

LOG="$D/daemon.log"
"$FEEDMERGE" run -v -c "$CONF" 2>"$LOG" &
DAEMON_PID=$!
CLEANUP_PIDS="$CLEANUP_PIDS $DAEMON_PID"
wait_until 10 grep -q "^listening on http://127.0.0.1:[0-9]*/$" "$LOG"
ok $? "the daemon listens"
URL=$(grep -o "http://127.0.0.1:[0-9]*/" "$LOG" | head -n 1)
[ -n "$URL" ] || {
	diag "$(cat "$LOG")"
	echo "Bail out! the daemon did not start"
	exit 1
}

# get NAME [CURL ARGS...] URL: sets CODE; writes $WORK/NAME.h (fields) and $WORK/NAME.b (body).
get() {
	local name=$1
	shift
	CODE=$(curl -s -o "$WORK/$name.b" -D "$WORK/$name.h" -w '%{http_code}' --max-time 5 "$@")
}
# header NAME FIELD: a field's value, without the CR.
header() {
	grep -i "^$2:" "$WORK/$1.h" | head -n 1 | cut -d: -f2- | sed 's/^ *//; s/\r$//'
}
has_entries() {
	get poll "${URL}feed.atom"
	[ "$CODE" = 200 ] && grep -q "<entry" "$WORK/poll.b"
}
check "/feed.atom has entries" wait_until 10 has_entries

get plain "${URL}feed.atom"
check "GET: 200" test "$CODE" = 200
ETAG=$(header plain ETag)
check "Vary: Accept-Encoding" test "$(header plain Vary)" = "Accept-Encoding"
check "Cache-Control: max-age=N" grep -Eq '^max-age=[0-9]+$' <<<"$(header plain Cache-Control)"
check "no Content-Encoding without Accept-Encoding" test -z "$(header plain Content-Encoding)"
check "no Connection: close" test -z "$(header plain Connection)"

get query "${URL}feed.atom?utm_source=x"
check "a query string is ignored: 200, the same bytes" cmp "$WORK/plain.b" "$WORK/query.b"

get inm -H "If-None-Match: $ETAG" "${URL}feed.atom"
check "If-None-Match: 304" test "$CODE" = 304
check "304: no body" test ! -s "$WORK/inm.b"
CL=$(header inm Content-Length)
check "304: no Content-Length (or 0 with libmicrohttpd < 0.9.77: '$CL')" \
	test -z "$CL" -o "$CL" = 0
check "304: no Content-Type" test -z "$(header inm Content-Type)"
check "304: ETag and Vary" test "$(header inm ETag) $(header inm Vary)" = "$ETAG Accept-Encoding"

get head -I "${URL}feed.atom"
check "HEAD: 200, the GET's ETag and Content-Length" \
	test "$CODE $(header head ETag) $(header head Content-Length)" = \
	"200 $ETAG $(wc -c <"$WORK/plain.b")"

# gzip: checked once the daemon serves a gzip variant (publish.c passing gzip bytes to
# http_set_document); until then a gzip request must get the identity bytes.
get gz -H "Accept-Encoding: gzip" "${URL}feed.atom"
HAVE_GZIP=
[ "$(header gz Content-Encoding)" = gzip ] && HAVE_GZIP=1
if [ -n "$HAVE_GZIP" ]; then
	GZ_ETAG=$(header gz ETag)
	check "gzip: its own ETag ($GZ_ETAG)" test -n "$GZ_ETAG" -a "$GZ_ETAG" != "$ETAG"
	get dec --compressed "${URL}feed.atom"
	check "curl --compressed: decodes to the identity bytes" cmp "$WORK/plain.b" "$WORK/dec.b"
	get gzinm -H "Accept-Encoding: gzip" -H "If-None-Match: $GZ_ETAG" "${URL}feed.atom"
	check "If-None-Match with the gzip ETag: 304 naming it" \
		test "$CODE $(header gzinm ETag)" = "304 $GZ_ETAG"
	get gzq0 -H "Accept-Encoding: gzip;q=0" "${URL}feed.atom"
	check "gzip;q=0: identity" test -z "$(header gzq0 Content-Encoding)"
	get gzhead -I -H "Accept-Encoding: gzip" "${URL}feed.atom"
	check "HEAD with gzip: the gzip Content-Length" \
		test "$(header gzhead Content-Length)" = "$(wc -c <"$WORK/gz.b")"
else
	check "gzip asked, none stored: the identity bytes" cmp "$WORK/plain.b" "$WORK/gz.b"
	for what in "its own ETag" "curl --compressed decodes" "If-None-Match with the gzip ETag" \
		"gzip;q=0: identity" "HEAD with gzip"; do
		echo "ok $((TAP_N += 1)) - gzip: $what # SKIP publish.c passes no gzip bytes yet"
	done
fi

curl -sv --max-time 5 -o /dev/null -o /dev/null "${URL}feed.atom" "${URL}feed.rss" 2>"$WORK/ka.err"
check "keep-alive: curl re-uses the connection" grep -q "Re-using existing connection" "$WORK/ka.err"
check "keep-alive: one connection" test "$(grep -c "^\* Connected to" "$WORK/ka.err")" = 1

get missing "${URL}no-such-thing"
check "unknown path: 404" test "$CODE" = 404
get post -X POST -d x=1 "${URL}feed.atom"
check "POST: 405 with Allow: GET, HEAD" test "$CODE $(header post Allow)" = "405 GET, HEAD"
get big -H "X-Big: $(head -c 40000 /dev/zero | tr '\0' a)" "${URL}feed.atom"
check "40 KB of header fields: 431 ($CODE)" test "$CODE" = 431

kill -TERM "$DAEMON_PID"
wait_until 10 sh -c "! kill -0 $DAEMON_PID"
ok $? "stops on SIGTERM"

# IPv6 loopback, when the box has it.
if "$PYTHON" -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
	write_config "$CONF" "listen=[::1]:0"
	add_source "$CONF" miniflux "$BASE/miniflux_small_atom.xml"
	"$FEEDMERGE" run -v -c "$CONF" 2>"$D/v6.log" &
	V6_PID=$!
	CLEANUP_PIDS="$CLEANUP_PIDS $V6_PID"
	wait_until 10 grep -q "^listening on http://\[::1\]:[0-9]*/$" "$D/v6.log"
	ok $? "listens on [::1]"
	V6=$(grep -o "http://\[::1\]:[0-9]*/" "$D/v6.log" | head -n 1)
	get v6 -g "${V6}healthz"
	check "[::1]: /healthz answers" test "$CODE" = 200
	kill -TERM "$V6_PID"
else
	echo "ok $((TAP_N += 1)) - listens on [::1] # SKIP no IPv6 loopback"
	echo "ok $((TAP_N += 1)) - [::1]: /healthz answers # SKIP no IPv6 loopback"
fi

done_testing
