#!/usr/bin/env bash
# Installs everything Cairn's build and tests need on a fresh Debian machine with Node 20:
# pnpm (pinned), Debian's redis-server (for the Redis-backed packages' tests), and the workspace's
# dependencies from the lockfile. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

export npm_config_nodedir="${npm_config_nodedir:-/usr}" # native modules build against the system's Node headers
export TURBO_TELEMETRY_DISABLED=1

PNPM_VERSION=12.4.2
if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm $PNPM_VERSION"
  npm install -g -E "pnpm@$PNPM_VERSION"
fi

if ! command -v redis-server >/dev/null 2>&1; then
  echo "setup: installing redis-server"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q redis-server
fi

pnpm install --frozen-lockfile

# The S3 adapter's tests run against Python moto's in-memory S3 server (on the machine image). The demo
# needs no server, so a missing moto is a warning here; `pnpm test` then fails, naming it.
if ! command -v moto_server >/dev/null 2>&1; then
  echo "setup: warning: moto_server is not on PATH; the S3 tests need it (Python: pip install 'moto[server]')" >&2
fi
