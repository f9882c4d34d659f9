#!/usr/bin/env bash
# The Debian package: `dpkg-buildpackage -us -uc -b` on a `git archive` of HEAD (what is
# committed, not the working tree) in a temp dir, `lintian` on the result (no error, no warning),
# then what the .deb holds: the binary, the unit (once), the sysusers.d file and a postinst that
# applies it before the service starts, /etc/feedmerge/feedmerge.conf as a conffile with its
# state in /var/lib/feedmerge, both man pages. The build takes a minute or two, so the test runs
# only with FEEDMERGE_TEST_DEB=1 (.ci/run sets it, once) and where dpkg-buildpackage, lintian
# and git are installed and the source tree is a git checkout; otherwise it is skipped.
# DEB_BUILD_OPTIONS passes through (nocheck skips the unit tests the package build runs).
# shellcheck source=tests/integration/lib.sh
. "$TESTS_SRCDIR/integration/lib.sh"

SRC=$(cd "$TESTS_SRCDIR/.." && pwd)
skip() {
	echo "1..0 # SKIP $*"
	exit 0
}
[ "${FEEDMERGE_TEST_DEB:-}" = 1 ] || skip "set FEEDMERGE_TEST_DEB=1 to build the Debian package (minutes)"
for tool in dpkg-buildpackage lintian dpkg-deb git; do
	command -v "$tool" >/dev/null 2>&1 || skip "$tool not installed"
done
git -C "$SRC" rev-parse --verify -q HEAD >/dev/null 2>&1 || skip "$SRC is not a git checkout"
[ -f "$SRC/debian/control" ] || skip "no debian/ in $SRC"

# --- build --------------------------------------------------------------------------------------
PKG="$WORK/feedmerge"
mkdir -p "$PKG"
check "git archive HEAD" bash -c "git -C '$SRC' archive --format=tar HEAD | tar -x -C '$PKG'" ||
	{ done_testing; }
BUILD_LOG="$WORK/build.log"
# A make of its own: not the jobserver of the `make check` that runs this test.
(cd "$PKG" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	dpkg-buildpackage -us -uc -b -j"$(nproc 2>/dev/null || echo 1)" >"$BUILD_LOG" 2>&1)
rc=$?
ok "$rc" "dpkg-buildpackage -us -uc -b"
if [ "$rc" -ne 0 ]; then
	diag "$(tail -n 40 "$BUILD_LOG")"
	done_testing
fi
VERSION=$(cd "$PKG" && dpkg-parsechangelog -S Version)
ARCH=$(dpkg --print-architecture)
DEB="$WORK/feedmerge_${VERSION}_${ARCH}.deb"
CHANGES="$WORK/feedmerge_${VERSION}_${ARCH}.changes"
check "the .deb and .changes are written beside the tree" test -f "$DEB" -a -f "$CHANGES" ||
	{ diag "$(ls "$WORK")"; done_testing; }

# --- lintian --------------------------------------------------------------------------------------
# Every tag at warning or above fails, overridden ones aside (debian/*.lintian-overrides, each
# with its reason); informational tags are listed, not counted.
lintian --fail-on error,warning -I --pedantic "$CHANGES" >"$WORK/lintian.out" 2>&1
ok $? "lintian: no errors, no warnings"
LINT=$(grep -v 'running with root privileges' "$WORK/lintian.out")
[ -n "$LINT" ] && diag "$LINT"

# --- contents -------------------------------------------------------------------------------------
LIST=$(dpkg-deb -c "$DEB" | awk '{print $NF}' | sed 's|^\./|/|')
# shellcheck disable=SC2317 # called through check
has() { grep -qx "$1" <<<"$LIST"; }
check "the binary: /usr/bin/feedmerge" has /usr/bin/feedmerge
check "the unit, once" test "$(grep -cE '^(/usr)?/lib/systemd/system/feedmerge\.service$' <<<"$LIST")" = 1
check "the sysusers.d file: /usr/lib/sysusers.d/feedmerge.conf" has /usr/lib/sysusers.d/feedmerge.conf
check "the config: /etc/feedmerge/feedmerge.conf" has /etc/feedmerge/feedmerge.conf
check "the example beside it" has /etc/feedmerge/feedmerge.conf.example
check "feedmerge(8)" has /usr/share/man/man8/feedmerge.8.gz
check "feedmerge.conf(5)" has /usr/share/man/man5/feedmerge.conf.5.gz
check "the copyright file" has /usr/share/doc/feedmerge/copyright

CTRL="$WORK/control"
X="$WORK/x"
dpkg-deb -e "$DEB" "$CTRL" && dpkg-deb -x "$DEB" "$X"
check "/etc/feedmerge/feedmerge.conf is a conffile" grep -qx /etc/feedmerge/feedmerge.conf "$CTRL/conffiles"
check "Depends names systemd-sysusers (the postinst runs it)" \
	grep -Eq '^Depends:.*systemd-sysusers' "$CTRL/control"
# The user must exist before the unit starts: dh_installsysusers' snippet comes first.
users_line=$(grep -n 'systemd-sysusers' "$CTRL/postinst" | head -n1 | cut -d: -f1)
start_line=$(grep -n 'deb-systemd-invoke' "$CTRL/postinst" | head -n1 | cut -d: -f1)
check "postinst creates the user (systemd-sysusers feedmerge.conf) before it starts the unit" \
	test -n "$users_line" -a -n "$start_line" -a "${users_line:-0}" -lt "${start_line:-0}"
check "postinst enables the unit" grep -q "deb-systemd-helper enable 'feedmerge.service'" "$CTRL/postinst"
check "postrm removes /var/lib/feedmerge on purge" grep -q 'rm -rf /var/lib/feedmerge' "$CTRL/postrm"

CONF="$X/etc/feedmerge/feedmerge.conf"
UNIT=$(find "$X" -path '*/systemd/system/feedmerge.service' | head -n1)
check "the packaged config keeps its database in /var/lib/feedmerge" \
	grep -Eq '^database *= */var/lib/feedmerge/feedmerge.db' "$CONF"
check "and its outputs in /var/lib/feedmerge/public" \
	grep -Eq '^output_dir *= */var/lib/feedmerge/public' "$CONF"
check "the unit runs /usr/bin/feedmerge on /etc/feedmerge/feedmerge.conf" \
	grep -qx 'ExecStart=/usr/bin/feedmerge run -c /etc/feedmerge/feedmerge.conf' "$UNIT"
check "the unit's state directory is /var/lib/feedmerge" grep -qx 'StateDirectory=feedmerge' "$UNIT"
check "the sysusers.d file declares the feedmerge user, home /var/lib/feedmerge" \
	grep -Eq '^u feedmerge - ".*" /var/lib/feedmerge$' "$X/usr/lib/sysusers.d/feedmerge.conf"
check "the packaged binary passes check on the packaged config" "$X/usr/bin/feedmerge" check -c "$CONF"
check "the packaged binary names /etc/feedmerge/feedmerge.conf in --help" \
	bash -c "'$X/usr/bin/feedmerge' --help | grep -qF /etc/feedmerge/feedmerge.conf"

done_testing
