#!/bin/sh
# The README's first command: installs the build dependencies (Debian 12), builds feedmerge in
# the source tree and runs it in the foreground on conf/feedmerge.conf. Run as root. Says what
# it is doing at each step (the whole takes about a minute on a fresh machine).
set -e
cd "$(dirname "$0")/.."
say() { echo "quickstart: $*"; }
export DEBIAN_FRONTEND=noninteractive
say "installing the build dependencies with apt-get (Debian 12 packages)..."
apt-get update -qq
apt-get install -y -qq --no-install-recommends build-essential autoconf automake pkg-config \
	ca-certificates libcurl4-openssl-dev libev-dev libxml2-dev libsqlite3-dev \
	libmicrohttpd-dev libyajl-dev zlib1g-dev tzdata >/dev/null
if [ ! -x configure ]; then
	say "generating ./configure (autoreconf)..."
	./autogen.sh >/dev/null 2>&1
fi
if [ ! -f Makefile ]; then
	say "configuring..."
	./configure --quiet
fi
say "building with make -j$(nproc) (about a minute the first time)..."
make -j"$(nproc)" --no-print-directory >/dev/null
say "built src/feedmerge ($(src/feedmerge --version))"
listen=$(sed -n 's/^listen[[:space:]]*=[[:space:]]*\([^#;[:space:]]*\).*/\1/p' conf/feedmerge.conf | head -n1)
say "starting: src/feedmerge run -c conf/feedmerge.conf (Ctrl-C stops it)"
echo "feedmerge: the merged feed will be at http://${listen:-127.0.0.1:8080}/feed.atom (and /feed.rss, /feed.json, the page at /)"
exec src/feedmerge run -c conf/feedmerge.conf
