#!/bin/sh
# Installs every Debian 12 package Postern needs to build, run and test.
# This is the one list; the README's commands and .ci/run call it.
#   scripts/deps.sh          build + run dependencies
#   scripts/deps.sh --test   also the real clients and servers the tests use
set -eu

BUILD="cmake ninja-build g++ pkg-config ccache git ca-certificates
  libasio-dev libssl-dev libpam0g-dev libsqlite3-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libtomlplusplus-dev libunbound-dev libevent-dev libpsl-dev
  zlib1g-dev libcli11-dev libsystemd-dev libcrypt-dev publicsuffix dns-root-data openssl"
TEST="libpam-wrapper swaks curl isync python3 python3-yaml python3-spf python3-dkim
  python3-dnspython python3-cryptography python3-authres python3-nacl unbound nodejs npm procps iproute2"

PKGS="$BUILD"
[ "${1:-}" = "--test" ] && PKGS="$BUILD $TEST"

missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
# node/npm may come from elsewhere on a developer's machine
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  missing=$(echo "$missing" | tr ' ' '\n' | grep -v -x -e nodejs -e npm | tr '\n' ' ')
fi
missing=$(echo $missing)
if [ -n "$missing" ]; then
  echo "installing:$missing"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
# Debian's unbound package may start a system resolver; tests run their own.
