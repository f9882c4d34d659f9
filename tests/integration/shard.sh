#!/usr/bin/env bash
# Sharded instances: four sources split across two shards (two configs with disjoint [source]
# sections, as the README's conf.d layout gives), a top instance polling both shards'
# /feed.atom, compared with one instance polling all four sources directly: the same stories
# (one entry each, a story two shards carried too), the same attribution, the same dates.
# shellcheck source=tests/integration/lib.sh disable=SC2016
. "$TESTS_SRCDIR/integration/lib.sh"

command -v curl >/dev/null || {
	echo "1..0 # SKIP curl(1) not installed"
	exit 0
}
mkdir -p "$WORK/www"

# rss FILE TITLE ITEM...: an RSS feed; each ITEM is "LINK|TITLE|PUBDATE" (PUBDATE may be empty).
rss() {
	local file=$1 title=$2 item link t d
	shift 2
	{
		echo '<?xml version="1.0" encoding="UTF-8"?>'
		echo "<rss version=\"2.0\"><channel><title>$title</title><link>https://${file%%.*}.test/</link>"
		for item in "$@"; do
			IFS='|' read -r link t d <<<"$item"
			printf '<item><title>%s</title><link>%s</link><description>&lt;p&gt;%s&lt;/p&gt;</description>' "$t" "$link" "$t"
			[ -n "$d" ] && printf '<pubDate>%s</pubDate>' "$d"
			echo '</item>'
		done
		echo '</channel></rss>'
	} >"$WORK/www/$file"
}
rss alpha.rss "Báo Alpha" "https://alpha.test/1|Alpha 1|Mon, 01 Dec 2025 08:00:00 +0700" \
	"https://shared.test/x|Chung|Mon, 01 Dec 2025 06:00:00 +0700"
rss beta.rss "Beta" "https://beta.test/1|Beta 1|Tue, 02 Dec 2025 01:00:00 GMT" \
	"https://beta.test/2|Beta 2|Tue, 02 Dec 2025 02:00:00 GMT"
rss gamma.rss "Gamma" "https://gamma.test/1|Gamma 1|Wed, 03 Dec 2025 01:00:00 GMT" \
	"https://shared.test/x|Chung (gamma)|Mon, 01 Dec 2025 06:00:00 +0700"
# Undated, like baochinhphu.vn's feeds: dated when an instance first saw them.
rss delta.rss "Delta (không ngày)" "https://delta.test/2|Delta 2|" "https://delta.test/1|Delta 1|"
STORIES=7
start_server

# start NAME SOURCE URL...: a daemon on a free port with those sources; sets URL_NAME.
start() {
	local name=$1 conf log url
	shift
	mkdir -p "$WORK/$name"
	conf="$WORK/$name/feedmerge.conf"
	log="$WORK/$name/daemon.log"
	write_config "$conf" listen=127.0.0.1:0 "public_url=http://$name.example/" "feed_title=$name"
	while [ $# -gt 0 ]; do
		add_source "$conf" "$1" "$2"
		shift 2
	done
	"$FEEDMERGE" run -c "$conf" 2>"$log" &
	CLEANUP_PIDS="$CLEANUP_PIDS $!"
	wait_until 10 grep -q "^listening on http://127.0.0.1:[0-9]*/$" "$log"
	url=$(grep -o "http://127.0.0.1:[0-9]*/" "$log" | head -n 1)
	[ -n "$url" ] || {
		diag "$(cat "$log")"
		echo "Bail out! instance $name did not start"
		exit 1
	}
	printf -v "URL_$name" '%s' "$url"
}
# has NAME URL N: URL serves N Atom entries; the body in $WORK/NAME.atom.
has() {
	curl -sf --max-time 5 -o "$WORK/$1.atom" "$2" && [ "$(grep -c '<entry' "$WORK/$1.atom")" = "$3" ]
}

# The one instance over every source, in the order the shards list them.
start direct alpha "$BASE/alpha.rss" beta "$BASE/beta.rss" gamma "$BASE/gamma.rss" delta "$BASE/delta.rss"
start shard1 alpha "$BASE/alpha.rss" beta "$BASE/beta.rss"
start shard2 gamma "$BASE/gamma.rss" delta "$BASE/delta.rss"
check "direct: 7 stories" wait_until 15 has direct "${URL_direct}feed.atom" $STORIES
check "shard1: alpha's and beta's 4" wait_until 15 has shard1 "${URL_shard1}feed.atom" 4
check "shard2: gamma's and delta's 4" wait_until 15 has shard2 "${URL_shard2}feed.atom" 4
start top shard1 "${URL_shard1}feed.atom" shard2 "${URL_shard2}feed.atom"
check "top over both shards: 7 stories (the one both shards carried once)" \
	wait_until 15 has top "${URL_top}feed.atom" $STORIES

cat >"$WORK/shardcheck.py" <<'PY'
import calendar, sys, time, xml.etree.ElementTree as ET
A = "{http://www.w3.org/2005/Atom}"
def entries(path):
    out = {}
    for e in ET.parse(path).getroot().findall(A + "entry"):
        link = next(l.get("href") for l in e.findall(A + "link") if l.get("rel", "alternate") == "alternate")
        src = e.find(A + "source")
        text = (e.findtext(A + "content") or "") + (e.findtext(A + "summary") or "")
        out.setdefault(link, []).append(dict(
            id=e.findtext(A + "id"), title=e.findtext(A + "title"),
            published=e.findtext(A + "published"), updated=e.findtext(A + "updated"),
            src_title=src.findtext(A + "title"),
            src_self=next((l.get("href") for l in src.findall(A + "link") if l.get("rel") == "self"), None),
            lines=text.count("Nguồn:")))
    return out
def secs(iso):
    return calendar.timegm(time.strptime(iso, "%Y-%m-%dT%H:%M:%SZ"))
direct, top = entries(sys.argv[1]), entries(sys.argv[2])
bad = []
if set(direct) != set(top):
    bad.append("stories differ: only direct %s, only top %s" % (sorted(set(direct) - set(top)), sorted(set(top) - set(direct))))
for link, es in top.items():
    if len(es) != 1:
        bad.append("top: %s %d times" % (link, len(es)))
    t, d = es[0], direct.get(link, [None])[0]
    if d is None:
        continue
    if t["lines"] != 1:
        bad.append("top: %s has %d attribution lines" % (link, t["lines"]))
    for k in ("id", "title", "published", "src_title", "src_self"):
        if t[k] != d[k]:
            bad.append("%s: %s %r at the top, %r direct" % (link, k, t[k], d[k]))
    # An undated story is dated when an instance first saw it: the shard's time, not the
    # direct instance's, a few seconds apart. Dated ones are equal to the second.
    slack = 0 if d["published"] is not None else 60
    if abs(secs(t["updated"]) - secs(d["updated"])) > slack:
        bad.append("%s: updated %s at the top, %s direct" % (link, t["updated"], d["updated"]))
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
curl -sf --max-time 5 -o "$WORK/direct.atom" "${URL_direct}feed.atom"
curl -sf --max-time 5 -o "$WORK/top.atom" "${URL_top}feed.atom"
curl -sf --max-time 5 -o "$WORK/shard2.atom" "${URL_shard2}feed.atom"
check "top = direct: the same stories, ids, titles, attribution and dates" \
	"$PYTHON" "$WORK/shardcheck.py" "$WORK/direct.atom" "$WORK/top.atom"
check "an undated story keeps the shard's date at the top, to the second" \
	sh -c 'a=$(grep -A 4 "<id>https://delta.test/1</id>" "$1" | grep -o "<updated>[^<]*");
		b=$(grep -A 4 "<id>https://delta.test/1</id>" "$2" | grep -o "<updated>[^<]*");
		test -n "$a" && test "$a" = "$b"' sh "$WORK/shard2.atom" "$WORK/top.atom"
check "the story both shards carried is credited to alpha, as directly" \
	sh -c 'grep -A 30 "<id>https://shared.test/x</id>" "$1" | grep -q "<title>Báo Alpha</title>"' sh "$WORK/top.atom"
check "top.atom valid Atom" atom_valid "$WORK/top.atom"

done_testing
