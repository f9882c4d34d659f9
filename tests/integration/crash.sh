#!/usr/bin/env bash
# Durability (issue 9): `feedmerge once` is killed with SIGKILL at random moments of a large
# ingest, twenty times over one database; after every kill PRAGMA integrity_check says ok, no
# foreign key is broken and the published feed is whole or absent; after a last clean run the
# database holds what a single run without crashes stores.
#
# The ingest: 80 generated RSS 2.0 feeds of 50-200 items (python3, a fixed seed): unique links,
# stories shared by several feeds (the same item in each), items without a date, items with a
# guid and no link. The feeds grow: before crash run k the server holds version min(k, 15) of
# 15 of each (its oldest k/15 of the items, each item as in the full feed), so most runs have
# big commits to do, not only the first; the last six crash runs and the clean one serve the
# full feeds, so what those kills leave is what the clean run has to finish (mostly with 304s).
# Items never leave a feed, so the union of what any run could store is the full version,
# which is what the reference run stores in one go.
#
# Kills are placed by what the daemon has done, not by the clock alone (the whole ingest takes
# about half a second on a fast machine): a seeded RANDOM picks, per run, a moment at start-up
# (0-30 ms: migrations, the store's first open), after the m-th feed done (stored, or not
# modified) plus 0-20 ms (amid the ingest), or after the last one plus 0-150 ms (the publish).
# After each kill, every source's stored ETag must come with all the items of the version it
# names (validators and entries are one transaction): the growing feeds would otherwise heal
# a lost commit by the end. A kill that cut a commit's WAL write short shows as frames after
# the WAL's last commit frame; those are counted, not required.
#
# What is compared with the reference, and what cannot be: a run's feeds share one round time
# and ties go to the source listed first, so a single run is deterministic; across the crash
# runs, a story two feeds carry belongs to whichever stored it in an earlier round, and an
# undated item is dated when first seen. So the dump names the owner only of entries with one
# carrier and shows undated dates as "first_seen"; for every entry, the owner is then checked
# to be the carrier seen first (ties: listed first), in both databases, and the carriers
# themselves (entry_sources) are compared whole. Times of polls (first_seen, last_*_at) differ
# by nature and are left out.
# shellcheck source=tests/integration/lib.sh disable=SC2016,SC2317
. "$TESTS_SRCDIR/integration/lib.sh"

for t in sqlite3 xmllint; do
	command -v "$t" >/dev/null || {
		echo "1..0 # SKIP $t not installed"
		exit 0
	}
done

NFEEDS=80
NCRASH=20
VERSIONS=15 # crash run k serves version min(k, 15); the clean runs, the last (the full feeds)
RANDOM=9009 # the kill schedule
SEED=20240917

# --- the feeds ------------------------------------------------------------------------------
cat >"$WORK/gen.py" <<'EOF'
"""gen.py items DIR NFEEDS SEED: the items of every feed, one per line (newest first), in
DIR/feedNNN.items, the channel's head on the first line. gen.py version ITEMS WWW V VMAX:
the feeds of version V into WWW (the oldest ceil(n*V/VMAX) items of each). gen.py index
ITEMS VMAX OUT, gen.py consistent DB INDEX, gen.py waltail WAL: see below."""
import hashlib, json, math, os, random, re, sqlite3, sys, time
from email.utils import formatdate

def items(out, nfeeds, seed):
    rng = random.Random(seed)
    os.makedirs(out, exist_ok=True)
    words = ("tin tức thời sự kinh tế xã hội thế giới giáo dục sức khỏe thể thao văn hóa "
             "market policy river bridge harvest council budget storm election museum "
             "&amp; Ê-đê Đắk Lắk").split()
    def w(n):
        return " ".join(rng.choice(words) for _ in range(n))
    def text():
        return "".join("<p>%s <b>%s</b> %s <a href=\"https://ref.example/%d\">%s</a>.</p>"
                       % (w(rng.randint(20, 60)), w(3), w(rng.randint(10, 40)),
                          rng.randint(1, 10**6), w(2)) for _ in range(rng.randint(1, 5)))
    # Dated within the last two months (keep_days never prunes them; none in the future).
    base = int(time.time()) // 86400 * 86400 - 86400
    def date():
        return None if rng.random() < 0.15 else base - rng.randint(0, 60 * 86400)
    def item(title, link, guid, d, desc):
        x = ["<item><title>%s</title>" % title]
        if link:
            x.append("<link>%s</link>" % link)
        if guid:
            x.append('<guid isPermaLink="false">%s</guid>' % guid)
        if d is not None:
            x.append("<pubDate>%s</pubDate>" % formatdate(d, usegmt=True))
        x.append("<description><![CDATA[%s]]></description></item>" % desc)
        return "".join(x)
    # A shared story is the same item in every feed carrying it: what is stored of it does
    # not depend on which feed it is attributed to.
    shared = [item("Shared %d: %s" % (k, w(6)), "https://shared.example/story/%d.html" % k,
                   None, date(), text()) for k in range(300)]
    total = 0
    for f in range(nfeeds):
        n = rng.randint(50, 200)
        lines = ["<title>Feed %d</title><link>https://news%d.example/f%d/</link>"
                 "<description>generated feed %d</description>" % (f, f % 7, f, f)]
        for i in range(n):
            r = rng.random()
            if r < 0.12:
                lines.append(rng.choice(shared))
                continue
            link = "https://news%d.example/f%d/%d-%d.html" % (f % 7, f, i, rng.randint(1, 10**9))
            guid = None
            if r < 0.16:
                link, guid = None, "f%d-guid-%d" % (f, i)
            lines.append(item("F%d item %d: %s" % (f, i, w(rng.randint(4, 10))), link, guid,
                              date(), text()))
        total += n
        with open(os.path.join(out, "feed%03d.items" % f), "w", encoding="utf-8") as fp:
            fp.write("\n".join(lines) + "\n")
    print(total)

def feeds(src):
    """(source name, file name, head, items) of every generated feed."""
    for name in sorted(os.listdir(src)):
        with open(os.path.join(src, name), encoding="utf-8") as fp:
            lines = fp.read().splitlines()
        yield "feed%d" % int(name[4:7]), name.replace(".items", ".rss"), lines[0], lines[1:]

def kept(its, v, vmax):
    """The items of version v: the oldest ceil(n*v/vmax)."""
    return its[len(its) - math.ceil(len(its) * v / vmax):]

def body(head, its, v, vmax):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>%s%s'
            "</channel></rss>\n" % (head, "".join(kept(its, v, vmax)))).encode("utf-8")

def version(src, www, v, vmax):
    os.makedirs(www, exist_ok=True)
    for _, name, head, its in feeds(src):
        path = os.path.join(www, name)
        with open(path + ".tmp", "wb") as fp:
            fp.write(body(head, its, v, vmax))
        # Last-Modified by version: the full feed's is the same in every run.
        t = 1700000000 + 60 * v
        os.utime(path + ".tmp", (t, t))
        os.rename(path + ".tmp", path)

def ident(item):
    """What an item is stored as: its link, else its guid."""
    m = re.search(r"<link>([^<]*)</link>", item) or re.search(r"<guid[^>]*>([^<]*)</guid>", item)
    return m.group(1)

def index(src, vmax, out):
    """For each source: its items' identities (newest first) and the ETag the test server
    gives each version (the first 16 hex digits of the body's SHA-1)."""
    idx = {}
    for source, _, head, its in feeds(src):
        idx[source] = {
            "ids": [ident(i) for i in its],
            "etags": {'"%s"' % hashlib.sha1(body(head, its, v, vmax)).hexdigest()[:16]: v
                      for v in range(1, vmax + 1)},
        }
    with open(out, "w", encoding="utf-8") as fp:
        json.dump({"vmax": vmax, "feeds": idx}, fp)

def consistent(db, path):
    """What each source's stored validators say it stored is there: all the items of the
    version whose ETag it holds (a feed's entries and validators are one transaction), and
    nothing its feed never had. Prints what is not so."""
    with open(path, encoding="utf-8") as fp:
        idx = json.load(fp)
    vmax, feeds_ = idx["vmax"], idx["feeds"]
    con = sqlite3.connect(db)
    carried = {}
    for name, i in con.execute("SELECT s.name, coalesce(e.link, e.guid) FROM entry_sources es"
                               " JOIN entries e ON e.id = es.entry_id"
                               " JOIN sources s ON s.id = es.source_id"):
        carried.setdefault(name, set()).add(i)
    bad = []
    for name, etag in con.execute("SELECT name, etag FROM sources ORDER BY position"):
        f = feeds_.get(name)
        have = carried.get(name, set())
        if f is None:
            bad.append("%s: not a configured source" % name)
            continue
        extra = have - set(f["ids"])
        if extra:
            bad.append("%s: %d entries its feed never had, e.g. %s" % (name, len(extra),
                                                                     sorted(extra)[0]))
        if etag is None:
            if have:
                bad.append("%s: %d entries stored, no validators" % (name, len(have)))
            continue
        v = f["etags"].get(etag)
        if v is None:
            bad.append("%s: ETag %s is no version's" % (name, etag))
            continue
        missing = set(kept(f["ids"], v, vmax)) - have
        if missing:
            bad.append("%s: holds version %d's ETag, %d of its items missing, e.g. %s"
                       % (name, v, len(missing), sorted(missing)[0]))
    con.close()
    print("\n".join(bad[:10]))
    return 1 if bad else 0

def waltail(path):
    """Frames of the WAL's current generation after its last commit: a commit the kill cut
    short (SQLite drops them on recovery). Torn frames count; checksums are not verified."""
    import struct
    try:
        with open(path, "rb") as fp:
            data = fp.read()
    except FileNotFoundError:
        data = b""
    if len(data) < 32:
        print(0)
        return
    page = struct.unpack(">I", data[8:12])[0]
    salts = data[16:24]
    off, tail = 32, 0
    while off + 24 <= len(data):
        if data[off + 8:off + 16] != salts:
            break
        tail = 0 if struct.unpack(">I", data[off + 4:off + 8])[0] != 0 else tail + 1
        off += 24 + page
    print(tail)

if sys.argv[1] == "items":
    items(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
elif sys.argv[1] == "version":
    version(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
elif sys.argv[1] == "index":
    index(sys.argv[2], int(sys.argv[3]), sys.argv[4])
elif sys.argv[1] == "consistent":
    sys.exit(consistent(sys.argv[2], sys.argv[3]))
elif sys.argv[1] == "waltail":
    waltail(sys.argv[2])
EOF
NITEMS=$("$PYTHON" "$WORK/gen.py" items "$WORK/items" "$NFEEDS" "$SEED") || {
	echo "Bail out! cannot generate the feeds"
	exit 1
}
SERVED=
# serve_version V: the server's feeds become version V (unless they are already).
serve_version() {
	[ "$SERVED" = "$1" ] && return 0
	"$PYTHON" "$WORK/gen.py" version "$WORK/items" "$WORK/www" "$1" "$VERSIONS" && SERVED=$1
}
"$PYTHON" "$WORK/gen.py" index "$WORK/items" "$VERSIONS" "$WORK/index.json" || {
	echo "Bail out! cannot index the feeds"
	exit 1
}
# consistent DB: each source holds every item of the version whose validators it stored.
consistent() { "$PYTHON" "$WORK/gen.py" consistent "$1" "$WORK/index.json"; }
serve_version "$VERSIONS" || {
	echo "Bail out! cannot write the feeds"
	exit 1
}
diag "$NFEEDS feeds, $NITEMS items, $(du -sk "$WORK/www" | cut -f1) KiB in full"
start_server

# make_conf DIR: DIR/feedmerge.conf, the same sources in the same order for every database.
make_conf() {
	mkdir -p "$1"
	write_config "$1/feedmerge.conf" concurrency=4
	local f
	for ((f = 0; f < NFEEDS; f++)); do
		add_source "$1/feedmerge.conf" "feed$f" "$BASE/$(printf 'feed%03d.rss' "$f")"
	done
}

# dump DB OUT: the canonical view of what DB stores, in OUT.*.
dump() {
	local db=$1 out=$2
	# Entries by key; the owner only where one source carries the entry; an undated entry's
	# date is when it was first seen (shown as such, or as BAD: when it is not).
	sqlite3 -bail "$db" "SELECT e.key, e.atom_id,
		CASE WHEN (SELECT count(*) FROM entry_sources x WHERE x.entry_id = e.id) = 1
		     THEN (SELECT name FROM sources WHERE id = e.source_id) ELSE '(shared)' END,
		e.title, e.link, e.guid, hex(sha3(coalesce(e.summary, ''))),
		hex(sha3(coalesce(e.content, ''))), e.author, e.published, e.updated,
		CASE WHEN e.published IS NULL AND e.updated IS NULL
		     THEN iif(e.date = e.first_seen, 'first_seen', 'BAD:' || e.date) ELSE e.date END,
		e.categories, e.enclosures, e.has_source, e.src_title, e.src_feed_url, e.src_link
		FROM entries e ORDER BY e.key" >"$out.entries" &&
		sqlite3 -bail "$db" "SELECT e.key, s.name FROM entry_sources es
		JOIN entries e ON e.id = es.entry_id JOIN sources s ON s.id = es.source_id
		ORDER BY e.key, s.name" >"$out.carriers" &&
		sqlite3 -bail "$db" "SELECT name, url, title, feed_title, site_link, position,
		removed_at IS NULL, etag, last_modified, validators_url, failures, error_class,
		last_error, retry_until, gone_since, redirect_url, adopted_url
		FROM sources ORDER BY name" >"$out.sources"
}

# owners_ok DB: every entry belongs to the carrier that saw it first (ties: listed first),
# was first seen when that carrier saw it, and nothing points nowhere. Prints offenders.
owners_ok() {
	local bad
	bad=$(sqlite3 -bail "$1" "SELECT e.key, (SELECT name FROM sources WHERE id = e.source_id)
		FROM entries e WHERE e.source_id IS NOT (
		  SELECT es.source_id FROM entry_sources es JOIN sources s ON s.id = es.source_id
		  WHERE es.entry_id = e.id ORDER BY es.first_seen, s.position, s.id LIMIT 1)
		OR e.first_seen IS NOT (SELECT min(first_seen) FROM entry_sources
		  WHERE entry_id = e.id) LIMIT 10") || return 1
	[ -z "$bad" ] || {
		echo "$bad"
		return 1
	}
}

# --- the reference: one run, no crash ------------------------------------------------------
R="$WORK/ref"
make_conf "$R"
t0=$(date +%s%N)
timeout 120 "$FEEDMERGE" once -c "$R/feedmerge.conf" >"$R/out" 2>"$R/err"
rc=$?
REF_MS=$((($(date +%s%N) - t0) / 1000000))
ok $rc "reference: once exits 0 (${REF_MS} ms)"
[ $rc -eq 0 ] || diag "$(tail -n 20 "$R/err")"
check "reference: all polled ($(tail -n 1 "$R/out"))" \
	grep -Eq "^once: $NFEEDS ok, 0 failed, [1-9][0-9]* new entries$" "$R/out"
check "reference: integrity_check ok" test "$(sqlite3 "$R/feedmerge.db" 'PRAGMA integrity_check')" = ok
dump "$R/feedmerge.db" "$R/dump"
nent=$(wc -l <"$R/dump.entries")
nshared=$(grep -c '|(shared)|' "$R/dump.entries")
check "reference: many entries ($nent), $nshared of them carried by several feeds" \
	test "$nent" -ge 5000 -a "$nshared" -ge 100
check "reference: no undated entry dated otherwise than when first seen" \
	sh -c '! grep -q "|BAD:" "$1"' sh "$R/dump.entries"
check "reference: each entry belongs to the feed listed first among its carriers" \
	owners_ok "$R/feedmerge.db"
check "reference: the full version of every feed stored, by its ETag" consistent "$R/feedmerge.db"

# A second clean database, the same round: the same dump, so a single run is deterministic
# (attribution of shared stories included: one round time, ties to the source listed first).
R2="$WORK/ref2"
make_conf "$R2"
timeout 120 "$FEEDMERGE" once -c "$R2/feedmerge.conf" >"$R2/out" 2>"$R2/err"
ok $? "reference again: once exits 0"
dump "$R2/feedmerge.db" "$R2/dump"
sqlite3 "$R/feedmerge.db" "SELECT e.key, s.name FROM entries e JOIN sources s ON s.id = e.source_id
	ORDER BY e.key" >"$R/owners"
sqlite3 "$R2/feedmerge.db" "SELECT e.key, s.name FROM entries e JOIN sources s ON s.id = e.source_id
	ORDER BY e.key" >"$R2/owners"
check "a second run without crashes stores the same (owners of shared stories included)" \
	sh -c 'for x in entries carriers sources; do diff "$1.$x" "$2.$x" || exit 1; done &&
	       diff "$3" "$4"' sh "$R/dump" "$R2/dump" "$R/owners" "$R2/owners"

# --- twenty crashes ---------------------------------------------------------------------------
C="$WORK/crash"
make_conf "$C"
DB="$C/feedmerge.db"
# commits LOG: feeds done so far (stored, or not modified), by the daemon's log (-v).
commits() {
	grep -c '^\(debug: \)\?source feed[0-9]*: \([0-9]* entr\|not modified$\|unchanged \)' "$1"
}
# ms_sleep N: sleeps N milliseconds.
ms_sleep() { sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"; }

n_alive=0 n_start=0 n_ingest=0 n_publish=0 n_exited=0 n_midcommit=0 torn=0
for ((k = 1; k <= NCRASH; k++)); do
	v=$((k < VERSIONS ? k : VERSIONS))
	serve_version "$v"
	r=$((RANDOM % 20))
	if [ $r -lt 2 ]; then
		where=start m=0 delay=$((RANDOM % 31))
	elif [ $r -ge 17 ]; then
		where=publish m=$NFEEDS delay=$((RANDOM % 151))
	else
		where=ingest m=$((1 + RANDOM % (NFEEDS - 1))) delay=$((RANDOM % 21))
	fi
	LOG="$C/err$k"
	: >"$LOG"
	"$FEEDMERGE" once -v -c "$C/feedmerge.conf" >"$C/out$k" 2>"$LOG" &
	pid=$!
	CLEANUP_PIDS="$CLEANUP_PIDS $pid"
	# Until the m-th feed is done, or the daemon is gone (at most 30 s); then the delay.
	for ((tries = 0; tries < 6000; tries++)); do
		[ "$(commits "$LOG")" -ge "$m" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.005
	done
	ms_sleep "$delay"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rc=$?
	CLEANUP_PIDS=${CLEANUP_PIDS% "$pid"}
	stored=$(commits "$LOG")
	tail=$("$PYTHON" "$WORK/gen.py" waltail "$DB-wal")
	[ "${tail:-0}" -gt 0 ] && n_midcommit=$((n_midcommit + 1))
	if [ $rc -eq 137 ]; then
		n_alive=$((n_alive + 1))
		if [ "$stored" -eq 0 ]; then
			n_start=$((n_start + 1)) state="killed before any feed was done"
		elif [ "$stored" -lt "$NFEEDS" ]; then
			n_ingest=$((n_ingest + 1)) state="killed after $stored of $NFEEDS feeds done"
		else
			n_publish=$((n_publish + 1)) state="killed after all feeds were done"
		fi
	else
		n_exited=$((n_exited + 1)) state="it had exited ($rc) before the kill"
	fi
	diag "crash $k: version $v/$VERSIONS, aimed at $where (m=$m, +${delay} ms): $state;" \
		"${tail:-?} uncommitted WAL frames"
	check "crash $k: integrity_check ok" \
		test "$(timeout 60 sqlite3 "$DB" 'PRAGMA integrity_check' 2>&1)" = ok
	check "crash $k: foreign_key_check finds nothing" \
		test -z "$(timeout 60 sqlite3 "$DB" 'PRAGMA foreign_key_check' 2>&1)"
	check "crash $k: each feed's stored validators come with all the items they stand for" \
		consistent "$DB"
	# The outputs are replaced by rename: a kill leaves the last whole feed or none.
	if [ -e "$C/public/feed.atom" ] && ! xmllint --noout "$C/public/feed.atom" 2>/dev/null; then
		torn=$((torn + 1))
		diag "crash $k: public/feed.atom is not well-formed"
	fi
done
diag "kills: $n_alive of $NCRASH while running ($n_start at start-up, $n_ingest amid the ingest," \
	"$n_publish after it; $n_midcommit cut a commit short), $n_exited after the daemon had exited"
check "kills landed while the daemon ran: $n_alive of $NCRASH" test "$n_alive" -ge 15
check "kills landed amid the ingest (some feeds done, others not): $n_ingest" test "$n_ingest" -ge 8
check "a killed run never left a torn feed.atom ($torn)" test "$torn" -eq 0

# --- a clean run to the end ------------------------------------------------------------------
serve_version "$VERSIONS"
timeout 120 "$FEEDMERGE" once -c "$C/feedmerge.conf" >"$C/out" 2>"$C/err"
rc=$?
ok $rc "after the crashes, a clean once exits 0"
[ $rc -eq 0 ] || diag "$(tail -n 20 "$C/err")"
check "after the crashes: all polled ($(tail -n 1 "$C/out"))" \
	grep -Eq "^once: $NFEEDS ok, 0 failed, [0-9]+ new entries$" "$C/out"
check "after the crashes: integrity_check ok" test "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok
check "after the crashes: foreign_key_check finds nothing" \
	test -z "$(sqlite3 "$DB" 'PRAGMA foreign_key_check')"
dump "$DB" "$C/dump"
check "after the crashes: the same entries as the reference ($(wc -l <"$C/dump.entries") vs $nent)" \
	diff "$R/dump.entries" "$C/dump.entries"
check "after the crashes: the same carriers of every entry" diff "$R/dump.carriers" "$C/dump.carriers"
check "after the crashes: the same sources (validators, errors, positions)" \
	diff "$R/dump.sources" "$C/dump.sources"
check "after the crashes: each entry belongs to the carrier that saw it first" owners_ok "$DB"
check "after the crashes: the full version of every feed stored, by its ETag" consistent "$DB"
check "after the crashes: feed.atom valid" atom_valid "$C/public/feed.atom"

done_testing
