#!/bin/sh
# The README's first command: installs the build dependencies (Debian 12), builds feedmerge in
# the source tree and runs it in the foreground on conf/feedmerge.conf. Run as root.
set -e
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends build-essential autoconf automake pkg-config \
	ca-certificates libcurl4-openssl-dev libev-dev libxml2-dev libsqlite3-dev \
	libmicrohttpd-dev libyajl-dev tzdata >/dev/null
[ -x configure ] || ./autogen.sh >/dev/null 2>&1
[ -f Makefile ] || ./configure --quiet
make -j"$(nproc)" --no-print-directory >/dev/null
listen=$(sed -n 's/^listen[[:space:]]*=[[:space:]]*\([^#;[:space:]]*\).*/\1/p' conf/feedmerge.conf | head -n1)
echo "feedmerge: the merged feed will be at http://${listen:-127.0.0.1:8080}/feed.atom (and /feed.rss)"
exec src/feedmerge run -c conf/feedmerge.conf
