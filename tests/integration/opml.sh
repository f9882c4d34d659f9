#!/usr/bin/env bash
# OPML and include round trips through the real binary, and `check --env` / `run` on what the
# system refuses (an output_dir that cannot be made, a missing database folder, a port in use).
#   - opml -> config -> `feedmerge opml` -> config -> `feedmerge opml` is stable after the first
#     pass, and keeps every feed's title, url and folder (sanitised to a group name);
#   - [source] sections with groups, some in an included file, print as OPML that reads back to
#     the same list;
#   - check --env says FILE:LINE: error: at the key's line and exits 1; run exits 3 with the
#     same lines, none of them a warning.
# shellcheck source=tests/integration/lib.sh disable=SC2016
. "$TESTS_SRCDIR/integration/lib.sh"

# opml_summary FILE: one line per feed outline, "folder|title|xmlUrl", in document order.
opml_summary() {
	"$PYTHON" - "$1" <<'EOF'
import sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "opml" and root.get("version") == "2.0", "not OPML 2.0"
assert root.find("head/title") is not None, "no head/title"
def walk(node, folder):
    for o in node.findall("outline"):
        if o.get("xmlUrl"):
            print("%s|%s|%s" % (folder, o.get("title") or o.get("text"), o.get("xmlUrl")))
        else:
            walk(o, o.get("text"))
walk(root.find("body"), "")
EOF
}

# --- OPML in, OPML out, OPML in again -----------------------------------------------------
R="$WORK/roundtrip"
mkdir -p "$R/lists"
cat >"$R/lists/reader-export.opml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>My subscriptions</title><dateCreated>Mon, 01 Jan 2024 00:00:00 GMT</dateCreated></head>
  <body>
    <outline text="Thời sự" title="Thời sự">
      <outline type="rss" text="Báo Chính phủ" title="Báo Điện tử Chính phủ" xmlUrl="https://baochinhphu.vn/home.rss" htmlUrl="https://baochinhphu.vn/"/>
      <outline type="rss" text="VnExpress" xmlUrl="https://vnexpress.net/rss/tin-moi-nhat.rss"/>
    </outline>
    <outline text="Tech &amp; &quot;Science&quot;">
      <outline text="Deep">
        <outline type="rss" text="Ars &lt;Technica&gt; &amp; co" xmlUrl="https://feeds.arstechnica.com/arstechnica/index?a=1&amp;b=2"/>
      </outline>
      <outline type="rss" text="VnExpress" xmlUrl="https://vnexpress.net/rss/so-hoa.rss"/>
      <outline type="rss" text="VnExpress (again)" xmlUrl="https://vnexpress.net/rss/tin-moi-nhat.rss"/>
    </outline>
    <outline type="rss" text="" xmlUrl="https://blog.example.org/feed.atom"/>
  </body>
</opml>
EOF
printf '[feedmerge]\nfeed_title = Round trip\nopml = lists/reader-export.opml\n' >"$R/one.conf"
"$FEEDMERGE" check -c "$R/one.conf" >"$R/check1.out" 2>"$R/check1.err"
ok $? "a reader's export loads"
check "the outline listed twice is skipped with a warning at its line" \
	grep -qx "$R/lists/reader-export.opml:14: warning: the xmlUrl https://vnexpress.net/rss/tin-moi-nhat.rss is also the outline at line 7: this outline is skipped" "$R/check1.err"
check "five sources" grep -qx "$R/one.conf: ok, 5 sources" "$R/check1.out"
"$FEEDMERGE" opml -c "$R/one.conf" >"$R/pass1.opml" 2>"$R/pass1.err"
ok $? "feedmerge opml: exit 0"
check "feedmerge opml: nothing on stderr but the reader's warning" \
	sh -c '! grep -v ": warning: " "$1"' sh "$R/pass1.err"
check "feedmerge opml: well-formed OPML 2.0" opml_summary "$R/pass1.opml"
opml_summary "$R/pass1.opml" >"$R/pass1.txt" 2>&1
cat >"$R/pass1.want" <<'EOF'
Thoi-su|Báo Điện tử Chính phủ|https://baochinhphu.vn/home.rss
Thoi-su|VnExpress|https://vnexpress.net/rss/tin-moi-nhat.rss
Deep|Ars <Technica> & co|https://feeds.arstechnica.com/arstechnica/index?a=1&b=2
Tech-Science|VnExpress|https://vnexpress.net/rss/so-hoa.rss
|blog-example-org|https://blog.example.org/feed.atom
EOF
check "titles, urls and folders (as group names) kept, escapes undone" \
	diff "$R/pass1.want" "$R/pass1.txt"
check "the head's title is feed_title" grep -q "<title>Round trip</title>" "$R/pass1.opml"

printf '[feedmerge]\nfeed_title = Round trip\nopml = pass1.opml\n' >"$R/two.conf"
"$FEEDMERGE" check -c "$R/two.conf" >"$R/check2.out" 2>"$R/check2.err"
ok $? "our own OPML loads"
check "without a warning" test ! -s "$R/check2.err"
"$FEEDMERGE" opml -c "$R/two.conf" >"$R/pass2.opml"
check "opml -> config -> opml is stable" cmp "$R/pass1.opml" "$R/pass2.opml"

# --- [source] sections (one file included) with groups, out as OPML and back --------------
S="$WORK/sections"
mkdir -p "$S/conf.d"
cat >"$S/feedmerge.conf" <<'EOF'
[feedmerge]
feed_title = Sections <&> "quoted"
include = conf.d/*.conf

[source baochinhphu]
url = https://baochinhphu.vn/home.rss
title = Báo Điện tử Chính phủ
group = thoi-su

[source plain]
url = https://plain.example/feed?x=1&y=2
EOF
cat >"$S/conf.d/10-tech.conf" <<'EOF'
[source ars]
url = https://feeds.arstechnica.com/arstechnica/index
title = Ars "Technica"
group = tech
EOF
"$FEEDMERGE" opml -c "$S/feedmerge.conf" >"$S/out.opml" 2>"$S/out.err"
ok $? "opml of sections and an included file: exit 0"
opml_summary "$S/out.opml" >"$S/out.txt" 2>&1
cat >"$S/want.txt" <<'EOF'
tech|Ars "Technica"|https://feeds.arstechnica.com/arstechnica/index
thoi-su|Báo Điện tử Chính phủ|https://baochinhphu.vn/home.rss
|plain|https://plain.example/feed?x=1&y=2
EOF
check "included sources first (read at the include line), groups as folders, names as titles" \
	diff "$S/want.txt" "$S/out.txt"
printf '[feedmerge]\nfeed_title = Sections <&> "quoted"\nopml = out.opml\n' >"$S/back.conf"
"$FEEDMERGE" opml -c "$S/back.conf" >"$S/back.opml"
check "and back through opml = : the same document" cmp "$S/out.opml" "$S/back.opml"

# --- check --env ------------------------------------------------------------------------
E="$WORK/env"
mkdir -p "$E/state"
: >"$E/afile"
cat >"$E/good.conf" <<'EOF'
[feedmerge]
database = state/feedmerge.db
output_dir = public/new/folder
listen = 127.0.0.1:0
EOF
"$FEEDMERGE" check --env -c "$E/good.conf" >"$E/good.out" 2>"$E/good.err"
ok $? "check --env: a creatable output_dir and a free port are fine"
check "check --env: ok line" grep -qx "$E/good.conf: ok, 0 sources" "$E/good.out"
check "check --env created nothing" test ! -e "$E/public"

cat >"$E/bad.conf" <<'EOF'
[feedmerge]
database = missing/feedmerge.db
# output_dir under a regular file: mkdir fails with ENOTDIR, for root too
output_dir = afile/public
EOF
"$FEEDMERGE" check -c "$E/bad.conf" >/dev/null 2>&1
ok $? "plain check does not look at the system"
"$FEEDMERGE" check --env -c "$E/bad.conf" >"$E/bad.out" 2>"$E/bad.err"
ok $(($? != 1)) "check --env: exit 1"
check "the database's folder, at the line of database" grep -qx \
	"$E/bad.conf:2: error: database $E/missing/feedmerge.db: its folder $E/missing does not exist (feedmerge does not create it)" \
	"$E/bad.err"
check "output_dir under a file, at the line of output_dir" grep -qx \
	"$E/bad.conf:4: error: output_dir $E/afile/public cannot be created: $E/afile is not a folder" \
	"$E/bad.err"

if [ "$(id -u)" -ne 0 ]; then
	mkdir -p "$E/readonly"
	chmod 555 "$E/readonly"
	printf '[feedmerge]\ndatabase = readonly/x.db\noutput_dir = readonly/out\nlisten =\n' \
		>"$E/ro.conf"
	"$FEEDMERGE" check --env -c "$E/ro.conf" >/dev/null 2>"$E/ro.err"
	ok $(($? != 1)) "check --env: a read-only folder: exit 1"
	check "both named, with the reason" sh -c 'grep -q "^$1:2: error: database .*Permission denied" "$2" &&
		grep -q "^$1:3: error: output_dir .*cannot be created in .*Permission denied" "$2"' \
		sh "$E/ro.conf" "$E/ro.err"
	chmod 755 "$E/readonly"
else
	ok 0 "# SKIP a read-only folder: root writes anyway"
	ok 0 "# SKIP both named, with the reason"
fi

# --- a port in use: check --env and run ------------------------------------------------
"$PYTHON" -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(120)
' "$E/port" &
CLEANUP_PIDS="$CLEANUP_PIDS $!"
wait_until 10 test -s "$E/port" || {
	echo "Bail out! python3 could not hold a port"
	exit 1
}
PORT=$(cat "$E/port")
printf '[feedmerge]\ndatabase = state/busy.db\noutput_dir = public\nlisten = 127.0.0.1:%s\n' \
	"$PORT" >"$E/busy.conf"
"$FEEDMERGE" check --env -c "$E/busy.conf" >/dev/null 2>"$E/busy-check.err"
ok $(($? != 1)) "check --env: a port in use: exit 1"
check "check --env: the address, at the line of listen" grep -q \
	"^$E/busy.conf:4: error: listen 127.0.0.1:$PORT: Address already in use" "$E/busy-check.err"
"$FEEDMERGE" run -c "$E/busy.conf" >/dev/null 2>"$E/busy-run.err"
ok $(($? != 3)) "run: a port in use: exit 3"
check "run: the same error line" grep -q \
	"^$E/busy.conf:4: error: listen 127.0.0.1:$PORT: Address already in use" "$E/busy-run.err"
check "run: no warning: lines, and nothing opened" sh -c \
	'! grep -q "warning:" "$1" && [ ! -e "$2" ]' sh "$E/busy-run.err" "$E/state/busy.db"
"$FEEDMERGE" once -c "$E/busy.conf" >/dev/null 2>"$E/busy-once.err"
ok $? "once does not listen: the port does not matter"

done_testing
