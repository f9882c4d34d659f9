#!/usr/bin/env bash
# `make install DESTDIR=...` twice over an edited config: the edit is kept, the example beside
# it refreshed; the installed binary names only installed paths; `make uninstall` keeps the
# edited config and removes everything else. Needs the build tree (TESTS_TOP_BUILDDIR, set by
# `make check`); skipped without it.
# shellcheck source=tests/integration/lib.sh
. "$TESTS_SRCDIR/integration/lib.sh"

B=${TESTS_TOP_BUILDDIR:-}
if [ -z "$B" ] || [ ! -f "$B/Makefile" ]; then
	echo "1..0 # SKIP no build tree (TESTS_TOP_BUILDDIR) to install from"
	exit 0
fi

ROOT="$WORK/root"
# A make of its own: not the jobs of the `make check` that runs this test.
mk() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$B" --no-print-directory "$@" \
		DESTDIR="$ROOT" >>"$WORK/make.log" 2>&1
}
prefix=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$B" -s --no-print-directory \
	print-install-dirs 2>/dev/null)
# print-install-dirs: "BINDIR SYSCONFDIR UNITDIR SYSUSERSDIR"
read -r bindir sysconfdir unitdir sysusersdir <<<"$prefix"
if [ -z "$sysusersdir" ]; then
	echo "Bail out! make print-install-dirs said '$prefix'"
	exit 1
fi
CONF="$ROOT$sysconfdir/feedmerge/feedmerge.conf"
EXAMPLE="$CONF.example"

check "first make install" mk install
[ $? -eq 0 ] || diag "$(tail -n 30 "$WORK/make.log")"
check "the binary is in bindir" test -x "$ROOT$bindir/feedmerge"
check "feedmerge.conf installed" test -f "$CONF"
check "feedmerge.conf.example beside it" test -f "$EXAMPLE"
check "the two are the same at first" cmp -s "$CONF" "$EXAMPLE"
check "the installed config keeps its state in /var/lib/feedmerge" \
	grep -Eq '^database *= */var/lib/feedmerge/feedmerge.db' "$CONF"
check "and writes its outputs to /var/lib/feedmerge/public" \
	grep -Eq '^output_dir *= */var/lib/feedmerge/public' "$CONF"
check "the installed config passes check" "$ROOT$bindir/feedmerge" check -c "$CONF"
check "the unit is installed" test -f "$ROOT$unitdir/feedmerge.service"
check "the unit runs the installed binary on the installed config" \
	grep -qx "ExecStart=$bindir/feedmerge run -c $sysconfdir/feedmerge/feedmerge.conf" \
	"$ROOT$unitdir/feedmerge.service"
check "the sysusers.d file is installed as feedmerge.conf" \
	grep -Eq '^u feedmerge ' "$ROOT$sysusersdir/feedmerge.conf"
check "the man pages are installed" \
	test -n "$(find "$ROOT" -name feedmerge.8)" -a -n "$(find "$ROOT" -name feedmerge.conf.5)"

# --help names the installed config, never the build or source tree.
HELP=$("$ROOT$bindir/feedmerge" --help)
check "--help names $sysconfdir/feedmerge/feedmerge.conf" \
	grep -qF "default $sysconfdir/feedmerge/feedmerge.conf" <<<"$HELP"
# (make distcheck installs under the unpacked source tree: look for its conf/, not its name.)
SRCTOP=$(cd "$TESTS_SRCDIR/.." && pwd)
check "--help names no config of the source tree ($SRCTOP/conf/)" \
	test "$(grep -cF "$SRCTOP/conf/" <<<"$HELP")" = 0
check "nor anything in the build tree" test "$(grep -cF "$B/" <<<"$HELP")" = 0

# An operator's edit, and an example gone stale.
sed -i 's/^feed_title *=.*/feed_title = Edited by the operator/' "$CONF"
echo "# local addition" >>"$CONF"
cp "$CONF" "$WORK/edited.conf"
echo "# stale" >"$EXAMPLE"

check "second make install" mk install
check "the edited feedmerge.conf is kept, byte for byte" cmp -s "$CONF" "$WORK/edited.conf"
check "feedmerge.conf.example is refreshed" cmp -s "$EXAMPLE" "$B/conf/installed/feedmerge.conf"
check "make install said it kept the config" grep -q "keeping .*feedmerge.conf" "$WORK/make.log"

check "make uninstall" mk uninstall
check "uninstall keeps the edited config" cmp -s "$CONF" "$WORK/edited.conf"
check "and removes the example" test ! -e "$EXAMPLE"
check "and the binary" test ! -e "$ROOT$bindir/feedmerge"
check "and the sysusers.d file" test ! -e "$ROOT$sysusersdir/feedmerge.conf"
rm -f "$CONF"

# An unedited config goes with uninstall: nothing is left but folders.
check "third make install (fresh)" mk install
check "make uninstall" mk uninstall
check "an unedited config is removed by uninstall" test ! -e "$CONF"
LEFT=$(find "$ROOT" -type f)
check "no file left after uninstall" test -z "$LEFT"
[ -z "$LEFT" ] || diag "$LEFT"

done_testing
