#!/bin/sh
# Builds the libFuzzer targets (fuzz_parse, fuzz_date, fuzz_url, fuzz_sanitize, fuzz_config,
# fuzz_http_fields) with ASan +
# UBSan.
# Usage: tests/fuzz/build.sh [OUTDIR]   (default /tmp/build-fuzz/fuzz)
# SAN=address,undefined (no "fuzzer") links replay.c instead of libFuzzer: the same targets
# become plain programs that run each file or directory given once (any compiler: CC=gcc).
# Needs clang with libFuzzer (Debian: clang, libclang-rt-14-dev or libclang-common-14-dev) and
# the project's build dependencies. A configured build directory (for autoconf.h) is made in
# $BUILD_DIR (default /tmp/build-fuzz) when it has none; the source tree is never configured.
set -eu

SRC_DIR=$(cd "$(dirname "$0")/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-/tmp/build-fuzz}
OUT=${1:-$BUILD_DIR/fuzz}
CC=${CC:-clang}
SAN=${SAN:-fuzzer,address,undefined}

if [ ! -f "$BUILD_DIR/autoconf.h" ]; then
	mkdir -p "$BUILD_DIR"
	(cd "$BUILD_DIR" && "$SRC_DIR/configure" >/dev/null)
fi
mkdir -p "$OUT"

LIBS="$(pkg-config --libs libcurl libxml-2.0 sqlite3 libmicrohttpd yajl zlib) -lev"
CFLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=$SAN -fno-sanitize-recover=undefined \
 -D_DEFAULT_SOURCE -std=c17 -I$SRC_DIR/src -I$BUILD_DIR \
 $(pkg-config --cflags libcurl libxml-2.0 sqlite3 libmicrohttpd yajl zlib)"

# The project's sources, minus main.c, compiled once with the fuzzing instrumentation.
OBJ="$OUT/obj"
rm -rf "$OBJ"
mkdir -p "$OBJ"
for c in "$SRC_DIR"/src/*.c; do
	case "$c" in */main.c) continue ;; esac
	# shellcheck disable=SC2086
	{ $CC $CFLAGS -c "$c" -o "$OBJ/$(basename "$c" .c).o" || touch "$OBJ/FAILED"; } &
done
wait
if [ -e "$OBJ/FAILED" ]; then
	echo "build.sh: compiling src/ failed" >&2
	exit 1
fi

case ",$SAN," in
*,fuzzer,*) MAIN= ;;
*) MAIN="$SRC_DIR/tests/fuzz/replay.c" ;;
esac
for t in parse date url sanitize config http_fields; do
	# shellcheck disable=SC2086
	$CC $CFLAGS "$SRC_DIR/tests/fuzz/fuzz_$t.c" $MAIN "$OBJ"/*.o $LIBS -o "$OUT/fuzz_$t"
	echo "built $OUT/fuzz_$t"
done
