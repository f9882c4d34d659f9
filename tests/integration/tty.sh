#!/usr/bin/env bash
# `feedmerge once` at a terminal, through a real pty (python3's pty module): one progress line
# updated in place with \r (sources done of total, new entries, failures), cleared before each
# log line, then a per-source table and the usual summary line. Not at a terminal: plain lines
# only, none of that.
# shellcheck source=tests/integration/lib.sh
. "$TESTS_SRCDIR/integration/lib.sh"

serve_fixtures modeled_baochinhphu-home.rss miniflux_small_atom.xml || {
	echo "Bail out! fixtures missing"
	exit 1
}
start_server
D="$WORK/tty"
mkdir -p "$D"
CONF="$D/feedmerge.conf"
write_config "$CONF"
add_source "$CONF" baochinhphu "$BASE/modeled_baochinhphu-home.rss"
add_source "$CONF" miniflux "$BASE/miniflux_small_atom.xml"
add_source "$CONF" down "http://127.0.0.1:$(closed_port)/feed.xml"

# Runs the command in argv under a pty (stdin, stdout and stderr), writes everything it printed
# to $D/pty.out and exits with its status.
cat >"$D/pty_run.py" <<'EOF'
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
chunks = []
while True:
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    chunks.append(data)
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(b"".join(chunks))
sys.exit(os.waitstatus_to_exitcode(status))
EOF

# FEEDMERGE_LOG_PLAIN is not needed at a TTY; unset so the TTY alone decides.
env -u FEEDMERGE_LOG_PLAIN timeout 60 "$PYTHON" "$D/pty_run.py" "$FEEDMERGE" once -c "$CONF" \
	>"$D/pty.out"
rc=$?
check "at a pty: once exits 4 (one source down) (got $rc)" test "$rc" = 4
# The terminal's bytes: \r\n line ends (the pty's ONLCR), \r and ESC [K for the status line.
T=$(tr -d '\n' <"$D/pty.out" | tr '\r' '\n' | sed 's/\x1b\[K//g')
check "a progress line: 0 of 3 sources at the start" grep -q '^once: 0 of 3 sources, 0 new entries, 0 failed' <<<"$T"
check "updated in place as sources finish (3 of 3 at the end)" \
	grep -Eq '^once: 3 of 3 sources, [1-9][0-9]* new entries, 1 failed' <<<"$T"
check "updated with \\r and cleared with ESC [K" grep -q $'\r\x1b\\[K' "$D/pty.out"
check "log lines still come whole (source baochinhphu: 4 entries)" \
	grep -Eq '^source baochinhphu: 4 entries, 4 new' <<<"$T"
check "log lines at a terminal carry no timestamp" \
	test "$(grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' <<<"$T")" = 0
check "the per-source table: a header" grep -Eq '^source +result +new +detail$' <<<"$T"
check "a row per source: baochinhphu ok, 4 new" grep -Eq '^baochinhphu +ok +4 ' <<<"$T"
check "miniflux ok" grep -Eq '^miniflux +ok +[0-9]+ ' <<<"$T"
check "down FAILED, with its error" grep -Eq '^down +FAILED +0 +.+' <<<"$T"
check "and the summary line last" \
	grep -Eq '^once: 2 ok, 1 failed \(down\), [0-9]+ new entries$' <<<"$(grep . <<<"$T" | tail -n 1)"

# Not at a terminal: the plain lines of before.
rm -f "$D/feedmerge.db"
"$FEEDMERGE" once -c "$CONF" >"$D/plain.out" 2>"$D/plain.err"
rc=$?
check "not at a terminal: once exits 4 (got $rc)" test "$rc" = 4
check "no \\r and no escape sequence in stdout or stderr" \
	test "$(cat "$D/plain.out" "$D/plain.err" | tr -d -c '\r\033' | wc -c)" = 0
check "no progress line and no table" \
	test "$(grep -cE '^once: [0-9]+ of |^source +result' "$D/plain.out" "$D/plain.err" | awk -F: '{ s += $2 } END { print s }')" = 0
check "stdout is the summary line alone" \
	grep -Eqx 'once: 2 ok, 1 failed \(down\), [0-9]+ new entries' "$D/plain.out"
check "stderr: one log line per source event" grep -q '^source baochinhphu: 4 entries, 4 new' "$D/plain.err"
# Without FEEDMERGE_LOG_PLAIN, a file gets timestamps.
rm -f "$D/feedmerge.db"
env -u FEEDMERGE_LOG_PLAIN "$FEEDMERGE" once -c "$CONF" >/dev/null 2>"$D/stamped.err"
check "in a file, each log line starts with an ISO-8601 UTC timestamp" \
	test "$(grep -cvE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z ' "$D/stamped.err")" = 0 -a -s "$D/stamped.err"
check "and the journal gets <N> priorities instead (JOURNAL_STREAM naming stderr)" sh -c '
	rm -f "$1/feedmerge.db"
	js=$(stat -c "%d:%i" "$1/journal.err" 2>/dev/null || { : >"$1/journal.err"; stat -c "%d:%i" "$1/journal.err"; })
	JOURNAL_STREAM=$js "$2" once -c "$3" >/dev/null 2>>"$1/journal.err"
	grep -q "^<6>source baochinhphu: 4 entries" "$1/journal.err" && grep -q "^<4>warning: source down: " "$1/journal.err"
' sh "$D" "$FEEDMERGE" "$CONF"

done_testing
