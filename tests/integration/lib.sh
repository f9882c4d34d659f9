# shellcheck shell=bash disable=SC2034
# Shared by the integration tests (sourced, not run): TAP output, a temp dir removed on exit,
# the scripted test server, bounded waits and the daemon under test.
#
# Environment (set by `make check`): FEEDMERGE (the binary), TESTS_SRCDIR (tests/ in the source
# tree), PYTHON (default python3), TESTS_TOP_BUILDDIR (the build tree). Everything started
# here is stopped on exit.
#
# FEEDMERGE_WRAPPER (optional): a valgrind command line every feedmerge process of the test runs
# under, e.g. "valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite".
# Each process writes its report to a file of its own ($WORK/wrapper/vg.PID.log; -q keeps it empty
# unless something is wrong); done_testing stops the daemons still running (SIGTERM, so they free
# what they hold) and adds one test: every report is empty. wait_until's bounds are multiplied by
# FEEDMERGE_TIME_SCALE (default 5 under a wrapper, else 1).

: "${FEEDMERGE:?FEEDMERGE must name the feedmerge binary}"
: "${TESTS_SRCDIR:?TESTS_SRCDIR must name the tests folder}"
PYTHON=${PYTHON:-python3}
# The daemon's log lines without timestamps, as the tests grep them ("^listening on ...").
FEEDMERGE_LOG_PLAIN=1
export FEEDMERGE_LOG_PLAIN
INTEGRATION_DIR="$TESTS_SRCDIR/integration"
FIXTURES_DIR="$TESTS_SRCDIR/parse"

TAP_N=0
TAP_FAILED=0
CLEANUP_PIDS=""

WORK=$(mktemp -d "${TMPDIR:-/tmp}/feedmerge-it.XXXXXX") || exit 1

FEEDMERGE_REAL=$FEEDMERGE
if [ -n "${FEEDMERGE_WRAPPER:-}" ]; then
	FEEDMERGE_TIME_SCALE=${FEEDMERGE_TIME_SCALE:-5}
	mkdir -p "$WORK/wrapper"
	# The reports' names carry the pid valgrind puts for %p; "$@" stays for the script's run.
	{
		echo '#!/bin/sh'
		printf 'exec %s --log-file=%s %s "$@"\n' "$FEEDMERGE_WRAPPER" "'$WORK/wrapper/vg.%p.log'" \
			"'$FEEDMERGE_REAL'"
	} >"$WORK/wrapper/feedmerge"
	chmod +x "$WORK/wrapper/feedmerge"
	FEEDMERGE=$WORK/wrapper/feedmerge
fi
FEEDMERGE_TIME_SCALE=${FEEDMERGE_TIME_SCALE:-1}

# Stops what the test started and is still running. Only the shell's own jobs are signalled:
# a process a test already waited for is gone, and its number may be another test's process
# by now (pid_max wraps quickly on a busy machine).
cleanup() {
	local live pid
	live=" $(jobs -p | tr '\n' ' ') "
	for pid in $CLEANUP_PIDS; do
		case "$live" in *" $pid "*) kill "$pid" 2>/dev/null ;; esac
	done
	for pid in $CLEANUP_PIDS; do
		case "$live" in *" $pid "*) wait "$pid" 2>/dev/null ;; esac
	done
	if [ -n "${FEEDMERGE_KEEP_WORK:-}" ]; then echo "# kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ok COND DESCRIPTION: COND is a status (0 = pass).
ok() {
	TAP_N=$((TAP_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $TAP_N - $2"
	else
		TAP_FAILED=$((TAP_FAILED + 1))
		echo "not ok $TAP_N - $2"
	fi
}

# check DESCRIPTION COMMAND...: runs the command; its status is the test's; output as comments.
check() {
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	ok "$rc" "$desc"
	if [ "$rc" -ne 0 ] && [ -n "$out" ]; then
		printf '%s\n' "$out" | head -n 30 | sed 's/^/# /'
	fi
	return "$rc"
}

# diag TEXT...: a TAP comment.
diag() {
	printf '%s\n' "$*" | sed 's/^/# /'
}

done_testing() {
	[ -n "${FEEDMERGE_WRAPPER:-}" ] && wrapper_reports
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
	exit $?
}

# stop_pid PID [TIMEOUT_S]: SIGTERM, a bounded wait (default 120 s), then SIGKILL; returns the
# exit status.
stop_pid() {
	local pid=$1 tries=$((${2:-120} * 10))
	kill -TERM "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return; }
	while kill -0 "$pid" 2>/dev/null && [ "$tries" -gt 0 ]; do
		sleep 0.1
		tries=$((tries - 1))
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

# wrapper_reports: under FEEDMERGE_WRAPPER, stops what is still running (the daemons run their
# leak check as they exit) and adds the test that every report is empty.
wrapper_reports() {
	local pid f bad="" n=0
	for pid in $CLEANUP_PIDS; do
		stop_pid "$pid"
	done
	CLEANUP_PIDS=""
	for f in "$WORK"/wrapper/vg.*.log; do
		[ -e "$f" ] || continue
		n=$((n + 1))
		[ -s "$f" ] && bad="$bad $f"
	done
	if [ -z "$bad" ]; then
		ok 0 "under $(set -- $FEEDMERGE_WRAPPER; echo "$1"): no error in $n run(s) of feedmerge"
	else
		ok 1 "under $(set -- $FEEDMERGE_WRAPPER; echo "$1"): errors reported in$bad"
		for f in $bad; do
			head -n 60 "$f" | sed 's/^/# /'
		done
	fi
}

# wait_until TIMEOUT_S COMMAND...: polls COMMAND every 0.1 s until it succeeds or the time is up.
wait_until() {
	local tries=$(($1 * 10 * FEEDMERGE_TIME_SCALE))
	shift
	while [ "$tries" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		tries=$((tries - 1))
	done
	return 1
}

# fixture NAME: the path of a fixture copied from the real or modeled corpora.
fixture() {
	printf '%s/%s\n' "$FIXTURES_DIR" "$1"
}

# serve_fixtures NAME...: copies fixtures into the server's root ($WORK/www).
serve_fixtures() {
	mkdir -p "$WORK/www"
	local n
	for n in "$@"; do
		cp "$(fixture "$n")" "$WORK/www/$n" || return 1
	done
}

# start_server: starts the test server on 127.0.0.1 serving $WORK/www; sets PORT, BASE and
# SERVER_LOG (one JSON line per request).
start_server() {
	mkdir -p "$WORK/www"
	SERVER_LOG="$WORK/requests.log"
	rm -f "$WORK/port"
	"$PYTHON" "$INTEGRATION_DIR/server.py" --root "$WORK/www" --log "$SERVER_LOG" \
		--port-file "$WORK/port" >"$WORK/server.out" 2>"$WORK/server.err" &
	SERVER_PID=$!
	CLEANUP_PIDS="$CLEANUP_PIDS $SERVER_PID"
	if ! wait_until 10 test -s "$WORK/port"; then
		echo "Bail out! test server did not start: $(cat "$WORK/server.err")"
		exit 1
	fi
	PORT=$(cat "$WORK/port")
	BASE="http://127.0.0.1:$PORT"
}

# closed_port: a port on 127.0.0.1 that nothing listens on (bound, then released).
closed_port() {
	"$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# write_config FILE [KEY=VALUE...]: the [feedmerge] section of a test config, with KEY set to
# VALUE instead of its default (or added); sources are appended with add_source.
write_config() {
	local file=$1 kv key
	shift
	local defaults=(
		"database=feedmerge.db"
		"output_dir=public"
		"interval=1h"
		"concurrency=8"
		"timeout=10s"
		"max_size=10M"
		"user_agent=feedmerge-test/0.1 (+integration)"
		"feed_title=Tin tổng hợp"
		"public_url=http://news.example.org/"
		"feed_size=1000"
		"attribution=Nguồn"
		"startup_spread=0"
		"min_interval=1s"
		"keep_days=0"
	)
	{
		echo "[feedmerge]"
		for kv in "${defaults[@]}"; do
			key=${kv%%=*}
			case " ${*%%=*} " in
			*" $key "*) ;;
			*) echo "$key = ${kv#*=}" ;;
			esac
		done
		for kv in "$@"; do
			echo "${kv%%=*} = ${kv#*=}"
		done
	} >"$file"
}

# add_source FILE NAME URL [EXTRA LINES]
add_source() {
	local file=$1 name=$2 url=$3
	shift 3
	{
		echo
		echo "[source $name]"
		echo "url = $url"
		for line in "$@"; do
			echo "$line"
		done
	} >>"$file"
}

# feedcheck ARGS...: the feed checker (feedcheck.py).
feedcheck() {
	"$PYTHON" "$INTEGRATION_DIR/feedcheck.py" "$@"
}

# atom_valid FILE: RELAX NG validation against RFC 4287's schema.
atom_valid() {
	xmllint --noout --relaxng "$TESTS_SRCDIR/data/atom.rng" "$1"
}

# requests_for PATH: the server's log lines for requests of PATH (JSON lines).
requests_for() {
	grep -F "\"path\": \"$1\"" "$SERVER_LOG"
}

# --- the daemon's health under attack (hostile-feeds.sh, hostile-clients.sh) -----------------
# proc_kb PID FIELD: a /proc/PID/status field in kB (VmRSS, VmHWM); empty when gone.
proc_kb() {
	awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status" 2>/dev/null
}
# fd_count PID: the descriptors PID has open.
fd_count() {
	find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l
}
# mem_bound_mb: the resident memory a daemon under test may reach: 200 MB for the plain build
# (its biggest legitimate load here, a 10 MB feed of 100,000 entries, peaks near a third of
# that); valgrind's shadow memory multiplies it, and ASan's allocator more: it held 1.3 GB after
# storing 10,000 entries in one poll (the plain build: 95 MB for 100,000), which suggests
# allocations of ever-growing sizes on that path, to look into. The plain build's bound is the
# one that means something.
mem_bound_mb() {
	if [ -n "${FEEDMERGE_WRAPPER:-}" ]; then
		echo 2000
	elif grep -qa __asan_init "$FEEDMERGE_REAL" 2>/dev/null; then
		echo 4000
	else
		echo 200
	fi
}
