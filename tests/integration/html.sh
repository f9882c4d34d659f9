#!/usr/bin/env bash
# The HTML page at "/": `feedmerge run` on 127.0.0.1 polls three Vietnamese sources (the real
# VnExpress excerpt, the modeled baochinhphu.vn home feed and a republisher carrying one of its
# stories) and serves the river-of-news page: 200 text/html; charset=utf-8, the bytes of
# output_dir/index.html, strict HTML5 shape, no script, every story with its title link, date,
# source and original link, the shared story "also in" the republisher. Then headless
# Chromium loads the page: its DOM passes the same story checks, and a phone-sized screenshot
# is kept as a test artefact ($TESTS_BUILDDIR/integration/html-screenshot.png).
#
# Chromium never touches the network: every host name resolves to nothing but 127.0.0.1 (the
# page's images and links name the sources' real hosts), no background networking, component
# updates or sync, a profile and HOME of its own under $WORK, at most 30 s per run. Without
# chromium(1) those checks SKIP (CI installs it).
# shellcheck source=tests/integration/lib.sh disable=SC2016,SC2317
. "$TESTS_SRCDIR/integration/lib.sh"

serve_fixtures modeled_baochinhphu-home.rss modeled_republisher.rss \
	vn_vnexpress-the-gioi-2025-excerpt.xml || {
	echo "Bail out! fixtures missing in $FIXTURES_DIR"
	exit 1
}
command -v curl >/dev/null || {
	echo "1..0 # SKIP curl(1) not installed"
	exit 0
}
start_server

D="$WORK/html"
mkdir -p "$D"
CONF="$D/feedmerge.conf"
write_config "$CONF" listen=127.0.0.1:0
add_source "$CONF" baochinhphu "$BASE/modeled_baochinhphu-home.rss" "title = Báo Chính phủ"
add_source "$CONF" gioitre "$BASE/modeled_republisher.rss"
add_source "$CONF" vnexpress "$BASE/vn_vnexpress-the-gioi-2025-excerpt.xml"
NSRC=3
# 4 + 2 + 1 entries, one of the republisher's the same story as baochinhphu's.
NSTORIES=6
ALSO="Kênh thông tin giới trẻ"

htmlcheck() {
	"$PYTHON" "$INTEGRATION_DIR/htmlcheck.py" "$@"
}

"$FEEDMERGE" run -v -c "$CONF" 2>"$D/daemon.log" &
DAEMON_PID=$!
CLEANUP_PIDS="$CLEANUP_PIDS $DAEMON_PID"
if ! wait_until 10 grep -q "^listening on http://127.0.0.1:[0-9][0-9]*/$" "$D/daemon.log"; then
	diag "$(cat "$D/daemon.log")"
	echo "Bail out! the daemon did not start"
	exit 1
fi
URL=$(grep -o "http://127.0.0.1:[0-9][0-9]*/" "$D/daemon.log" | head -n 1)

# get NAME: fetches URL (the page) into $WORK/NAME.{h,b}; sets CODE.
get() {
	CODE=$(curl -s -o "$WORK/$1.b" -D "$WORK/$1.h" -w '%{http_code}' --max-time 5 "$URL")
}
all_stories() {
	get poll && [ "$CODE" = 200 ] &&
		[ "$(htmlcheck stories "$WORK/poll.b" 2>/dev/null)" -ge "$NSTORIES" ]
}
polled() {
	[ "$(grep -cE '^source [a-z]+: [0-9]+ entr(y|ies), [0-9]+ new' "$D/daemon.log")" -ge "$NSRC" ]
}
check "every source polled once" wait_until 10 polled
check "/ shows every story ($NSTORIES)" wait_until 10 all_stories

get page
check "GET /: 200" test "$CODE" = 200
CTYPE=$(grep -i '^Content-Type:' "$WORK/page.h" | head -n 1 | cut -d: -f2- | sed 's/^ *//; s/\r$//')
check "Content-Type: text/html; charset=utf-8 (got $CTYPE)" \
	test "$CTYPE" = "text/html; charset=utf-8"
check "served page equals output_dir/index.html" cmp "$WORK/page.b" "$D/public/index.html"
check "strict HTML5 shape, nothing that runs" htmlcheck valid "$WORK/page.b"
check "every story: title link, <time datetime>, source, original link; the shared one also in '$ALSO'" \
	htmlcheck stories --min "$NSTORIES" --also "$ALSO" "$WORK/page.b"
check "no <script anywhere in the bytes" sh -c '! grep -qi "<script" "$1"' sh "$WORK/page.b"
check "the original link says 'Link bài gốc'" grep -q '>Link bài gốc</a>' "$WORK/page.b"
check "the baochinhphu stories say their language (vi-VN; the others none)" \
	grep -q '<article class="story" lang="vi-VN">' "$WORK/page.b"
check "subscribe links to the feeds" \
	grep -q '<link rel="alternate" type="application/atom+xml" href="feed.atom" title="Atom">' \
	"$WORK/page.b"
if command -v tidy >/dev/null; then
	# Exit 1 is a warning (a source's <img> without alt, say); 2 an error.
	tidy_ok() {
		tidy -q -e "$1"
		[ $? -lt 2 ]
	}
	check "tidy -q -e: no errors" tidy_ok "$WORK/page.b"
else
	ok 0 "# SKIP tidy(1) not installed"
fi

# --- headless Chromium ----------------------------------------------------------------------
CHROMIUM=
for c in chromium chromium-browser; do
	if command -v "$c" >/dev/null; then
		CHROMIUM=$(command -v "$c")
		break
	fi
done
SHOT_DIR="${TESTS_BUILDDIR:-$WORK}/integration"
SHOT="$SHOT_DIR/html-screenshot.png"
# run_chromium ARGS...: one bounded headless run, offline but for 127.0.0.1.
run_chromium() {
	HOME="$WORK/chromium-home" timeout -k 5 30 "$CHROMIUM" --headless=new --no-sandbox \
		--disable-gpu --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync --disable-default-apps \
		--user-data-dir="$WORK/chromium-profile" \
		--host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE 127.0.0.1" "$@"
}
png_size() {
	"$PYTHON" -c 'import struct, sys
d = open(sys.argv[1], "rb").read(24)
assert d[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
print("%dx%d" % struct.unpack(">II", d[16:24]))' "$1"
}
if [ -z "$CHROMIUM" ]; then
	for t in "dumps the DOM" "DOM: every story complete, no <script>" "phone-sized screenshot"; do
		ok 0 "# SKIP chromium not installed: $t"
	done
else
	mkdir -p "$WORK/chromium-home" "$SHOT_DIR"
	rm -f "$SHOT"
	run_chromium --dump-dom "$URL" >"$WORK/dom.html" 2>"$WORK/chromium.log"
	rc=$?
	check "chromium --dump-dom $URL (exit $rc)" test "$rc" = 0 -a -s "$WORK/dom.html" ||
		diag "$(tail -n 5 "$WORK/chromium.log")"
	check "DOM: every story complete, the shared one also in '$ALSO', no <script>" \
		htmlcheck stories --min "$NSTORIES" --also "$ALSO" "$WORK/dom.html"
	run_chromium --screenshot="$SHOT" --window-size=412,915 "$URL" >"$WORK/shot.log" 2>&1
	check "phone-sized screenshot (412x915): $SHOT" test "$(png_size "$SHOT" 2>&1)" = 412x915 ||
		diag "$(tail -n 5 "$WORK/shot.log")"
fi

kill -TERM "$DAEMON_PID"
stopped() {
	! kill -0 "$DAEMON_PID" 2>/dev/null
}
check "SIGTERM: the daemon stops within 10 s" wait_until 10 stopped
wait "$DAEMON_PID" 2>/dev/null
check "and exits 0" test $? = 0

done_testing
