#!/usr/bin/env bash
# Data-driven tests of `feedmerge check` (TAP).
#
# For each tests/config/NAME.conf, runs `"$FEEDMERGE" check -c "$TESTS_SRCDIR/config/NAME.conf"`
# from a fixed working directory ($TESTS_BUILDDIR) and compares:
#   - the exit status: 0 when NAME.err is empty (a valid config) or when NAME.warn exists (a
#     valid config with warnings only: NAME.err holds the expected warning lines), else 1;
#   - the config reader's messages, i.e. the stderr lines that start with the config path
#     ("PATH:LINE: message" or "PATH: message") or with the tests/config directory (those of
#     the files it includes: include/*.conf, opml/*.opml), with the absolute tests/config
#     directory replaced by the placeholder @DIR@, against NAME.err line for line. main.c's
#     closing summary ("feedmerge: PATH: N errors") is not part of the comparison;
#   - for a valid config, that stderr is empty (with NAME.warn: holds nothing but the reader's
#     "PATH:LINE: warning: ..." lines) and stdout says "PATH: ok, N sources", maybe followed
#     by " (K paused: NAME NAME)"; when NAME.out exists, stdout (with @DIR@ as above) must
#     equal it.
# Then a few cases without a .conf of their own: the shipped conf/feedmerge.conf, a missing
# file, and a path given relative to the working directory (FILE is printed as given).
#
# make check provides FEEDMERGE, TESTS_SRCDIR and TESTS_BUILDDIR. By hand:
#   FEEDMERGE=/path/to/build/src/feedmerge tests/config/run.sh
# After a deliberate change to a message, regenerate one expectation with
#   FEEDMERGE=... tests/config/run.sh --print NAME > tests/config/NAME.err
# and read the diff before committing it.
set -u

srcdir=${TESTS_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
confdir=$srcdir/config
: "${FEEDMERGE:?set FEEDMERGE to the feedmerge binary}"
workdir=${TESTS_BUILDDIR:-${TMPDIR:-/tmp}}
mkdir -p "$workdir" && cd "$workdir" || exit 99

out=$(mktemp "${TMPDIR:-/tmp}/config-run.XXXXXX") || exit 99
err=$(mktemp "${TMPDIR:-/tmp}/config-run.XXXXXX") || exit 99
trap 'rm -f "$out" "$err"' EXIT

# Runs check on $1 (a path); sets $status and fills $out and $err.
run_check() {
	"$FEEDMERGE" check -c "$1" >"$out" 2>"$err"
	status=$?
}

# Prints the lines of $err that start with the path $1 or with $confdir/ (an included file),
# with $confdir replaced by @DIR@.
reader_messages() {
	local path=$1 line
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in
		"$path:"* | "$confdir/"*) printf '%s\n' "${line//"$confdir"/@DIR@}" ;;
		esac
	done <"$err"
}

if [ "${1:-}" = --print ]; then
	run_check "$confdir/$2.conf"
	reader_messages "$confdir/$2.conf"
	exit 0
fi

n=0
failed=0
declare -a results

pass() { n=$((n + 1)); results+=("ok $n - $1"); }
fail() {
	n=$((n + 1))
	failed=$((failed + 1))
	results+=("not ok $n - $1")
	shift
	local l
	for l in "$@"; do
		while IFS= read -r line; do results+=("#   $line"); done <<<"$l"
	done
}

# Checks one config file: $1 path as passed to -c, $2 expected messages (file), $3 test name,
# $4 expected stdout (file; optional), $5 non-empty: warnings only (NAME.warn exists).
check_case() {
	local path=$1 want_file=$2 name=$3 out_file=${4:-} warn=${5:-} got want want_status quiet
	run_check "$path"
	got=$(reader_messages "$path")
	want=$(cat "$want_file")
	want_status=1
	[ -z "$want" ] || [ -n "$warn" ] && want_status=0
	if [ "$status" -ne "$want_status" ]; then
		fail "$name: exit status" "got $status, want $want_status" "stderr: $(cat "$err")"
	else
		pass "$name: exit status $status"
	fi
	if [ "$got" != "$want" ]; then
		fail "$name: messages" "$(diff <(printf '%s\n' "$want") <(printf '%s\n' "$got"))"
	else
		pass "$name: messages"
	fi
	if [ "$want_status" -eq 0 ]; then
		quiet=1
		if [ -n "$warn" ]; then
			# Nothing but warnings from the reader (the config or a file it includes).
			grep -v "^$path:[0-9]*: warning: " "$err" |
				grep -qv "^$confdir/[^:]*:[0-9]*: warning: " && quiet=0
		else
			[ -s "$err" ] && quiet=0
		fi
		if [ "$quiet" = 0 ] ||
			! grep -Eq "^$path: ok, [0-9]+ sources?( \([0-9]+ paused:( [A-Za-z0-9_-]+)+\))?\$" "$out"; then
			fail "$name: quiet, says ok" "stdout: $(cat "$out")" "stderr: $(cat "$err")"
		else
			pass "$name: quiet, says ok"
		fi
	fi
	if [ -n "$out_file" ]; then
		got=$(cat "$out")
		got=${got//"$confdir"/@DIR@}
		want=$(cat "$out_file")
		if [ "$got" != "$want" ]; then
			fail "$name: output" "$(diff <(printf '%s\n' "$want") <(printf '%s\n' "$got"))"
		else
			pass "$name: output"
		fi
	fi
}

for conf in "$confdir"/*.conf; do
	name=$(basename "$conf" .conf)
	if [ ! -f "$confdir/$name.err" ]; then
		fail "$name: has a $name.err"
		continue
	fi
	outfile=
	[ -f "$confdir/$name.out" ] && outfile=$confdir/$name.out
	warn=
	[ -f "$confdir/$name.warn" ] && warn=1
	check_case "$conf" "$confdir/$name.err" "$name" "$outfile" "$warn"
done

# The shipped config is valid.
empty=$(mktemp "${TMPDIR:-/tmp}/config-run.XXXXXX") || exit 99
check_case "$srcdir/../conf/feedmerge.conf" "$empty" "shipped conf/feedmerge.conf"
rm -f "$empty"

# A missing file: one message without a line number.
run_check "$confdir/does-not-exist.conf"
got=$(reader_messages "$confdir/does-not-exist.conf")
want='@DIR@/does-not-exist.conf: cannot read: No such file or directory'
if [ "$status" -eq 1 ] && [ "$got" = "$want" ]; then
	pass "missing file"
else
	fail "missing file" "status $status" "got: $got" "want: $want"
fi

# FILE is printed exactly as given, here relative to the working directory.
cd "$srcdir" || exit 99
run_check config/duplicate-source.conf
got=$(grep '^config/duplicate-source.conf:' "$err")
want="config/duplicate-source.conf:7: duplicate source name 'vnexpress' (first at line 1)"
if [ "$status" -eq 1 ] && [ "$got" = "$want" ]; then
	pass "relative path printed as given"
else
	fail "relative path printed as given" "status $status" "got: $got" "want: $want"
fi

echo "1..$n"
printf '%s\n' "${results[@]}"
[ "$failed" -eq 0 ]
