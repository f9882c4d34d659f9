#!/bin/sh
# Replays every fuzz corpus without libFuzzer (TAP), as part of `make check`: for each target T,
# $TESTS_BUILDDIR/fuzz/replay_T (tests/fuzz/fuzz_T.c linked with replay.c) runs each file of
# $TESTS_SRCDIR/fuzz/corpus/T once. A target aborts on what it checks (see the comment at the
# top of each fuzz_T.c), and in the --enable-sanitizers and --enable-fuzzing builds ASan and
# UBSan abort on memory errors and leaks, so a corpus file that fails is a regression.
#
# make check provides TESTS_SRCDIR and TESTS_BUILDDIR. By hand, from a build directory:
#   TESTS_SRCDIR=../tests TESTS_BUILDDIR=tests ../tests/fuzz/replay.sh
set -u

srcdir=${TESTS_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${TESTS_BUILDDIR:?set TESTS_BUILDDIR to BUILD/tests}
targets="parse date url sanitize config http_fields"

echo "1..6"
n=0
failed=0
log=$(mktemp "${TMPDIR:-/tmp}/fuzz-replay.XXXXXX") || exit 99
trap 'rm -f "$log"' EXIT
for t in $targets; do
	n=$((n + 1))
	corpus=$srcdir/fuzz/corpus/$t
	count=$(find "$corpus" -type f 2>/dev/null | wc -l)
	if [ "$count" -eq 0 ]; then
		echo "not ok $n - $t: no corpus in $corpus"
		failed=$((failed + 1))
		continue
	fi
	if "$builddir/fuzz/replay_$t" "$corpus" >"$log" 2>&1; then
		echo "ok $n - $t: $(tail -n 1 "$log")"
	else
		echo "not ok $n - $t: replay failed"
		sed 's/^/# /' "$log" | tail -n 40
		failed=$((failed + 1))
	fi
done
[ "$failed" -eq 0 ]
