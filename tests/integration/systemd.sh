#!/usr/bin/env bash
# The systemd side: the unit passes `systemd-analyze verify` and rates 2.0 or lower in
# `systemd-analyze security --offline=yes` (both skipped where systemd-analyze is missing);
# the sd_notify protocol for real: a datagram socket as NOTIFY_SOCKET (a path, then an abstract
# '@' name) receives READY=1 with a STATUS= line, WATCHDOG=1 again and again with
# WATCHDOG_USEC=200000, RELOADING=1 (with MONOTONIC_USEC=) then READY=1 around a SIGHUP, and
# STOPPING=1 on SIGTERM; a WATCHDOG_PID naming another process gets no WATCHDOG=1.
# shellcheck source=tests/integration/lib.sh
. "$TESTS_SRCDIR/integration/lib.sh"

UNIT_IN="$TESTS_SRCDIR/../systemd/feedmerge.service.in"
SYSUSERS="$TESTS_SRCDIR/../systemd/feedmerge.sysusers"

# --- the unit ---------------------------------------------------------------------------------
check "the unit template exists" test -f "$UNIT_IN"
check "the sysusers.d file declares the feedmerge user" \
	grep -Eq '^u feedmerge - ".*" /var/lib/feedmerge$' "$SYSUSERS"
check "Type=notify" grep -qx 'Type=notify' "$UNIT_IN"
check "WatchdogSec= set" grep -Eq '^WatchdogSec=[0-9]+' "$UNIT_IN"
check "ExecStartPre= runs feedmerge check" grep -Eq '^ExecStartPre=@bindir@/feedmerge check -c ' "$UNIT_IN"
check "ExecReload= sends SIGHUP" grep -qx 'ExecReload=/bin/kill -HUP $MAINPID' "$UNIT_IN"
check "no restart on a config error (exit 1)" grep -Eq '^RestartPreventExitStatus=1( |$)' "$UNIT_IN"
check "no restart after a failed ExecStartPre (on-abnormal)" grep -qx 'Restart=on-abnormal' "$UNIT_IN"

if command -v systemd-analyze >/dev/null 2>&1; then
	U="$WORK/unit"
	mkdir -p "$U" "$WORK/etc/feedmerge"
	BINDIR=$(cd "$(dirname "$FEEDMERGE")" && pwd)
	sed -e "s|@bindir@|$BINDIR|g" -e "s|@sysconfdir@|$WORK/etc|g" "$UNIT_IN" >"$U/feedmerge.service"
	out=$(cd "$U" && systemd-analyze verify --man=no ./feedmerge.service 2>&1)
	rc=$?
	# Only what concerns this unit: the host's other units may have their own complaints.
	mine=$(grep -F 'feedmerge.service' <<<"$out")
	check "systemd-analyze verify: clean" test "$rc" = 0 -a -z "$mine"
	[ -z "$mine" ] || diag "$mine"
	sec=$(systemd-analyze security --offline=yes "$U/feedmerge.service" 2>&1)
	score=$(sed -n 's/.*Overall exposure level for feedmerge.service: \([0-9.]*\).*/\1/p' <<<"$sec")
	check "systemd-analyze security: an overall exposure is printed (${score:-none})" \
		test -n "$score"
	check "systemd-analyze security: exposure $score <= 2.0" \
		awk -v s="${score:-99}" 'BEGIN { exit !(s <= 2.0) }'
	[ -n "$score" ] || diag "$(tail -n 5 <<<"$sec")"
else
	diag "systemd-analyze not found: verify and security skipped"
	ok 0 "# SKIP systemd-analyze verify (no systemd-analyze)"
	ok 0 "# SKIP systemd-analyze security (no systemd-analyze)"
fi

# --- check as ExecStartPre= in the journal: its lines carry priorities --------------------
B="$WORK/bad.conf"
printf '[feedmerge]\ninterval = soon\n\n[source a]\nurl = http://127.0.0.1:1/a\ntls_verify = no\n' >"$B"
: >"$WORK/journal.err"
JS=$(stat -c '%d:%i' "$WORK/journal.err")
JOURNAL_STREAM=$JS "$FEEDMERGE" check -c "$B" >/dev/null 2>>"$WORK/journal.err"
rc=$?
check "check in the journal: exit 1 on an error (got $rc)" test "$rc" = 1
check "an error at <3>" grep -q "^<3>$B:2: " "$WORK/journal.err"
check "a warning at <4>" grep -q "^<4>$B:6: warning: " "$WORK/journal.err"
check "the count at <3>" grep -q "^<3>feedmerge: $B: 1 error$" "$WORK/journal.err"
[ "$rc" = 1 ] || diag "$(cat "$WORK/journal.err")"

# --- the notify protocol ----------------------------------------------------------------------
serve_fixtures modeled_baochinhphu-home.rss || {
	echo "Bail out! fixtures missing"
	exit 1
}
start_server
D="$WORK/notify"
mkdir -p "$D"
CONF="$D/feedmerge.conf"
write_config "$CONF" listen=127.0.0.1:0 startup_spread=0
add_source "$CONF" baochinhphu "$BASE/modeled_baochinhphu-home.rss"
add_source "$CONF" down "http://127.0.0.1:$(closed_port)/feed.xml"

# listen SOCKET NAME: a notify_listen.py on SOCKET writing $D/NAME.msgs; sets LISTEN_PID.
listen() {
	rm -f "$D/$2.ready"
	"$PYTHON" "$INTEGRATION_DIR/notify_listen.py" --socket "$1" --out "$D/$2.msgs" \
		--ready-file "$D/$2.ready" --timeout 120 2>"$D/$2.listen.err" &
	LISTEN_PID=$!
	CLEANUP_PIDS="$CLEANUP_PIDS $LISTEN_PID"
	wait_until 10 test -s "$D/$2.ready" || {
		echo "Bail out! notify_listen.py did not start: $(cat "$D/$2.listen.err")"
		exit 1
	}
}

# count PATTERN FILE: lines of FILE matching the extended regex PATTERN.
count() {
	grep -cE "$1" "$2"
}

# stop PID: SIGTERM and a bounded wait; sets STOP_RC. The reaped PID leaves CLEANUP_PIDS: with
# pid_max at 32768 and a whole `make check` spawning processes, it may soon name another test's
# process, which the cleanup at exit must not kill.
stop() {
	kill -TERM "$1" 2>/dev/null
	wait_until 10 sh -c '! kill -0 "$1"' sh "$1"
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	STOP_RC=$?
	local p keep=""
	for p in $CLEANUP_PIDS; do
		[ "$p" = "$1" ] || keep="$keep $p"
	done
	CLEANUP_PIDS=$keep
}

M="$D/path.msgs"
listen "$D/notify.sock" path
NOTIFY_SOCKET="$D/notify.sock" WATCHDOG_USEC=200000 "$FEEDMERGE" run -c "$CONF" 2>"$D/daemon.log" &
PID=$!
CLEANUP_PIDS="$CLEANUP_PIDS $PID"

check "READY=1 after start-up" wait_until 10 grep -q 'READY=1' "$M"
check "READY=1 comes after 'listening on' and 'polling' in the log" \
	grep -q '^polling 2 sources' "$D/daemon.log"
check "READY=1 carries a STATUS= line" \
	grep -Eq 'READY=1 \| STATUS=polling 2 sources, [0-9]+ failing, [0-9]+ entries stored' "$M"
check "STATUS= follows the polls: 1 failing, 4 entries stored" \
	wait_until 10 grep -q 'STATUS=polling 2 sources, 1 failing, 4 entries stored' "$M"
check "WATCHDOG=1 again and again (5 within 2 s at WATCHDOG_USEC=200000)" \
	wait_until 3 sh -c '[ "$(grep -c "WATCHDOG=1" "$1")" -ge 5 ]' sh "$M"
# At half the interval (0.1 s): the mean gap between WATCHDOG=1s, not a single one (a loaded
# machine may delay one).
gap=$(grep 'WATCHDOG=1$' "$M" | awk -F'\t' 'NR == 1 { f = $1 } { l = $1; n++ } END { if (n > 1) printf "%.3f", (l - f) / (n - 1); else print 0 }')
check "WATCHDOG=1 at half of WATCHDOG_USEC (mean gap ${gap}s, 0.1 s asked)" \
	awk -v g="$gap" 'BEGIN { exit !(g >= 0.05 && g < 0.15) }'

before=$(count 'READY=1' "$M")
kill -HUP "$PID"
check "SIGHUP: RELOADING=1 with MONOTONIC_USEC=" \
	wait_until 10 grep -Eq 'RELOADING=1 \| MONOTONIC_USEC=[0-9]+$' "$M"
check "then READY=1 again, with the status" \
	wait_until 10 sh -c '[ "$(grep -c "READY=1 | STATUS=polling" "$1")" -gt "$2" ]' sh "$M" "$before"
r=$(grep -n 'RELOADING=1' "$M" | head -n 1 | cut -d: -f1)
s=$(grep -n 'READY=1' "$M" | tail -n 1 | cut -d: -f1)
check "RELOADING=1 before that READY=1 (lines $r, $s)" test "${r:-0}" -gt 0 -a "${s:-0}" -gt "${r:-0}"
mono=$(grep -o 'MONOTONIC_USEC=[0-9]*' "$M" | head -n 1 | cut -d= -f2)
now_us=$("$PYTHON" -c 'import time; print(int(time.clock_gettime(time.CLOCK_MONOTONIC) * 1e6))')
check "MONOTONIC_USEC is CLOCK_MONOTONIC (within 30 s of now)" \
	awk -v m="${mono:-0}" -v n="$now_us" 'BEGIN { d = n - m; exit !(m > 0 && d >= 0 && d < 30e6) }'

stop "$PID"
check "SIGTERM: STOPPING=1" grep -q 'STOPPING=1' "$M"
check "SIGTERM: exits 0 (got $STOP_RC)" test "$STOP_RC" = 0
check "nothing after STOPPING=1 but (perhaps) a WATCHDOG=1" \
	test "$(sed -n '/STOPPING=1/,$p' "$M" | grep -vc 'STOPPING=1\|WATCHDOG=1$')" = 0
check "the daemon's log has no warning about the socket" \
	test "$(grep -c 'NOTIFY_SOCKET' "$D/daemon.log")" = 0

# --- an abstract socket, and a watchdog meant for another process --------------------------
NAME="@feedmerge-test-$$-$RANDOM"
A="$D/abstract.msgs"
listen "$NAME" abstract
NOTIFY_SOCKET="$NAME" WATCHDOG_USEC=200000 WATCHDOG_PID=1 "$FEEDMERGE" run -c "$CONF" \
	2>"$D/daemon2.log" &
PID=$!
CLEANUP_PIDS="$CLEANUP_PIDS $PID"
check "abstract socket ($NAME): READY=1" wait_until 10 grep -q 'READY=1' "$A"
sleep 0.5 # long enough for several watchdog intervals: none may come
check "WATCHDOG_PID of another process: no WATCHDOG=1" test "$(count 'WATCHDOG=1' "$A")" = 0
stop "$PID"
check "abstract socket: STOPPING=1" grep -q 'STOPPING=1' "$A"

# --- without NOTIFY_SOCKET, nothing changes -----------------------------------------------
env -u NOTIFY_SOCKET WATCHDOG_USEC=200000 "$FEEDMERGE" run -c "$CONF" 2>"$D/daemon3.log" &
PID=$!
CLEANUP_PIDS="$CLEANUP_PIDS $PID"
check "no NOTIFY_SOCKET: starts as usual" wait_until 10 grep -q '^polling 2 sources' "$D/daemon3.log"
stop "$PID"
check "no NOTIFY_SOCKET: exits 0 on SIGTERM (got $STOP_RC)" test "$STOP_RC" = 0

done_testing
