#!/usr/bin/env bash
# Name lookups, without the machine's resolver: the daemon runs in a private mount namespace
# whose /etc/resolv.conf names a scripted DNS server on 127.0.0.1 (dns.py). A name that
# resolves is fetched; one that does not (NXDOMAIN) fails at once as "could not resolve"; one
# whose server never answers fails after connect_timeout as "name lookup timed out", a
# connection-level failure that earns one early retry. Needs root (unshare, mount, port 53):
# skipped otherwise.
# shellcheck source=tests/integration/lib.sh disable=SC2016
. "$TESTS_SRCDIR/integration/lib.sh"

if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null ||
	! unshare -m true 2>/dev/null; then
	echo "1..0 # SKIP needs root and unshare(1) for a private /etc/resolv.conf"
	exit 0
fi
serve_fixtures modeled_baochinhphu-home.rss || {
	echo "Bail out! fixtures missing in $FIXTURES_DIR"
	exit 1
}
start_server

DNSLOG="$WORK/dns.log"
"$PYTHON" "$INTEGRATION_DIR/dns.py" --log "$DNSLOG" 2>"$WORK/dns.err" &
DNS_PID=$!
CLEANUP_PIDS="$CLEANUP_PIDS $DNS_PID"
if ! wait_until 5 grep -q '^ready$' "$DNSLOG"; then
	echo "1..0 # SKIP cannot serve DNS on 127.0.0.1:53: $(tail -n 1 "$WORK/dns.err")"
	exit 0
fi
RESOLV="$WORK/resolv.conf"
printf 'nameserver 127.0.0.1\noptions timeout:5 attempts:1\n' >"$RESOLV"

# in_namespace CMD...: CMD with $RESOLV as /etc/resolv.conf, nothing else changed.
in_namespace() {
	unshare -m sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' "$RESOLV" "$@"
}

D="$WORK/dns"
mkdir -p "$D"
CONF="$D/feedmerge.conf"
write_config "$CONF" timeout=10s connect_timeout=2s
add_source "$CONF" resolved "http://ok.feeds.test:$PORT/modeled_baochinhphu-home.rss"
add_source "$CONF" nxdomain "http://nx.feeds.test:$PORT/rss"
add_source "$CONF" silent "http://silent.feeds.test:$PORT/rss"

start=$(date +%s)
in_namespace "$FEEDMERGE" once -c "$CONF" >"$D/out" 2>"$D/err"
rc=$?
elapsed=$(($(date +%s) - start))
ok $(($rc != 4)) "once: exit 4, two sources failed (got $rc)"
[ "$rc" = 4 ] || diag "$(cat "$D/err")"
check "summary: $(tail -n 1 "$D/out")" \
	grep -Eq '^once: 1 ok, 2 failed \((nxdomain, silent|silent, nxdomain)\), [1-9][0-9]* new entries$' "$D/out"
check "the scripted server was asked, not the machine's resolver" \
	sh -c 'grep -q " ok.feeds.test$" "$1" && grep -q " silent.feeds.test$" "$1"' sh "$DNSLOG"
check "a name that resolves is fetched" grep -q "^source resolved: 4 entries, 4 new$" "$D/err"
check "NXDOMAIN: could not resolve, one line" \
	grep -Eq "^warning: source nxdomain: fetch http://nx.feeds.test:$PORT/rss: .*[Rr]esolve" "$D/err"
check "no answer: the name lookup timed out after connect_timeout (2s)" \
	grep -q "^warning: source silent: fetch http://silent.feeds.test:$PORT/rss: name lookup timed out after 2s$" "$D/err"
check "the run is bounded by connect_timeout, not the resolver's 5 s (${elapsed}s)" test "$elapsed" -le 4
classes=$(sqlite3 "$D/feedmerge.db" "SELECT name || '=' || error_class || '/' || retry_soon FROM sources WHERE error_class IS NOT NULL ORDER BY name" 2>/dev/null | tr '\n' ' ')
check "stored: both are dns-level failures that earn one early retry ($classes)" \
	test "$classes" = "nxdomain=dns/1 silent=timeout/1 "

done_testing
