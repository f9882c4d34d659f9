#!/bin/bash
# Data-driven parser tests (TAP). For every input tests/parse/NAME.EXT with an expected result:
#   NAME.expected.json  `feedmerge parse [NAME.args] FILE` exits 0 and prints that JSON
#                       (compared as parsed JSON by jsondiff.py), and the output keeps the contract
#   NAME.expected.err   it exits 1 and stderr contains that text (its first line)
#   NAME.expected.warn  beside .expected.json: stderr also contains that warning (first line)
#   NAME.args           optional: one line of extra `parse` options, word-split (no quoting)
# NAME is the file name without its last extension; where inputs share one (DaringFireball.atom
# and DaringFireball.rss), the full file name is the key: DaringFireball.rss.expected.json.
# Every input must have an expected result: a fixture nobody looked at is a test failure.
# Env (make check sets it): FEEDMERGE, TESTS_SRCDIR, TESTS_BUILDDIR, PYTHON.
set -u

srcdir=${TESTS_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}/parse
feedmerge=${FEEDMERGE:-$(pwd)/src/feedmerge}
python=${PYTHON:-python3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/feedmerge-parse.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

# Inputs: everything but the expectations and the runner's own files.
inputs=()
for f in "$srcdir"/*; do
	b=${f##*/}
	case $b in
	*.expected.json | *.expected.err | *.expected.warn | *.args | run.sh | jsondiff.py | SOURCES.md) continue ;;
	esac
	[ -f "$f" ] && inputs+=("$b")
done

# key_of FILE: the expectation key of an input ("" when it has none).
key_of() {
	local b=$1 stem=${1%.*}
	for k in "$b" "$stem"; do
		if [ -f "$srcdir/$k.expected.json" ] || [ -f "$srcdir/$k.expected.err" ]; then
			printf '%s' "$k"
			return
		fi
	done
}

# Each case with .expected.json is two tests (output, contract), three with .expected.warn;
# .expected.err is one; plus one test that every input has an expectation, and two for the ways
# of reading input other than mapping a file (stdin, an empty file).
n=3
for b in "${inputs[@]}"; do
	k=$(key_of "$b")
	if [ -n "$k" ] && [ -f "$srcdir/$k.expected.json" ]; then
		n=$((n + 2))
		[ -f "$srcdir/$k.expected.warn" ] && n=$((n + 1))
	elif [ -n "$k" ]; then
		n=$((n + 1))
	fi
done
echo "1..$n"

t=0
ok() {
	t=$((t + 1))
	echo "ok $t - $1"
}
not_ok() {
	t=$((t + 1))
	echo "not ok $t - $1"
	sed 's/^/# /' "$2"
}

run_parse() { # KEY FILE: runs feedmerge parse, stdout/stderr into $tmp/out, $tmp/err
	local args=()
	if [ -f "$srcdir/$1.args" ]; then
		read -r -a args <"$srcdir/$1.args"
	fi
	timeout 60 "$feedmerge" parse "${args[@]}" "$srcdir/$2" >"$tmp/out" 2>"$tmp/err"
}

missing=()
for b in "${inputs[@]}"; do
	k=$(key_of "$b")
	if [ -z "$k" ]; then
		missing+=("$b")
		continue
	fi
	name=$b
	[ -f "$srcdir/$k.args" ] && name="$b ($(head -n 1 "$srcdir/$k.args"))"
	run_parse "$k" "$b"
	rc=$?
	if [ -f "$srcdir/$k.expected.json" ]; then
		if [ $rc -ne 0 ]; then
			{
				echo "exit $rc, expected 0; stderr:"
				head -n 20 "$tmp/err"
			} >"$tmp/why"
			not_ok "$name" "$tmp/why"
			echo "exit $rc: no output to check" >"$tmp/why"
			not_ok "$name: contract" "$tmp/why"
			[ -f "$srcdir/$k.expected.warn" ] && not_ok "$name: warns" "$tmp/why"
			continue
		fi
		if "$python" "$srcdir/jsondiff.py" "$srcdir/$k.expected.json" "$tmp/out" >"$tmp/why" 2>&1; then
			ok "$name"
		else
			not_ok "$name" "$tmp/why"
		fi
		if "$python" "$srcdir/jsondiff.py" --contract "$tmp/out" >"$tmp/why" 2>&1; then
			ok "$name: contract"
		else
			not_ok "$name: contract" "$tmp/why"
		fi
		if [ -f "$srcdir/$k.expected.warn" ]; then
			want=$(head -n 1 "$srcdir/$k.expected.warn")
			if grep -qF -- "warning: $want" "$tmp/err"; then
				ok "$name: warns \"$want\""
			else
				{
					echo "expected stderr to contain: warning: $want"
					echo "got:"
					head -n 20 "$tmp/err"
				} >"$tmp/why"
				not_ok "$name: warns \"$want\"" "$tmp/why"
			fi
		fi
	else
		want=$(head -n 1 "$srcdir/$k.expected.err")
		if [ $rc -eq 1 ] && [ ! -s "$tmp/out" ] && grep -qF -- "$want" "$tmp/err"; then
			ok "$name: fails with \"$want\""
		else
			{
				echo "expected exit 1, no output and stderr containing: $want"
				echo "got exit $rc, $(wc -c <"$tmp/out") bytes of output, stderr:"
				head -n 20 "$tmp/err"
			} >"$tmp/why"
			not_ok "$name: fails with \"$want\"" "$tmp/why"
		fi
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	ok "every input has an expected result"
else
	printf 'no NAME.expected.json or NAME.expected.err for: %s\n' "${missing[@]}" >"$tmp/why"
	not_ok "every input has an expected result" "$tmp/why"
fi

# `parse -` reads stdin (a pipe: no mapping) and must print what the mapped file gives.
"$feedmerge" parse "$srcdir/xml-direct-span.xml" >"$tmp/mapped" 2>/dev/null
if cat "$srcdir/xml-direct-span.xml" | "$feedmerge" parse - >"$tmp/piped" 2>"$tmp/err" &&
	cmp -s "$tmp/mapped" "$tmp/piped"; then
	ok "parse - (stdin) prints what parse FILE prints"
else
	{
		echo "stdin output differs from the mapped file's; stderr:"
		head -n 5 "$tmp/err"
	} >"$tmp/why"
	not_ok "parse - (stdin) prints what parse FILE prints" "$tmp/why"
fi
# An empty file cannot be mapped: it is read, and refused as a document.
: >"$tmp/empty.xml"
if ! "$feedmerge" parse "$tmp/empty.xml" >"$tmp/out" 2>"$tmp/err" && [ ! -s "$tmp/out" ] &&
	grep -q "empty.xml: not a feed" "$tmp/err"; then
	ok "an empty file is refused with one line"
else
	{
		echo "got stdout $(wc -c <"$tmp/out") bytes, stderr:"
		head -n 5 "$tmp/err"
	} >"$tmp/why"
	not_ok "an empty file is refused with one line" "$tmp/why"
fi
