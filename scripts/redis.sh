#!/usr/bin/env bash
# Makes redis-server available for the integration tests of cache/redistier
# (and bench's fleet benchmarks, and the tests of internal/redistest):
# when it is missing and the script runs as root (as in CI), it installs the
# Debian package redis-server (apt-get update once, then apt-get install). It
# only installs the binary: the tests start and stop their own servers, and
# the service the package may start is stopped again so that it holds no
# port. Exits 0 when redis-server is on PATH afterwards, 1 otherwise (as
# not root, silently: the caller says what to do).
#
# Usage: bash scripts/redis.sh
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends redis-server >/dev/null
# Debian's package starts a service where an init system runs; the tests need none.
if command -v service >/dev/null 2>&1; then
	service redis-server stop >/dev/null 2>&1 || true
fi
command -v redis-server >/dev/null 2>&1
