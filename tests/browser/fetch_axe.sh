#!/usr/bin/env bash
# Fetches axe-core (Deque's accessibility checker) from the npm registry
# into a cache folder once: the browser tests inject it into each page.
# The version is pinned, so a run checks what the previous one did.
# Usage: fetch_axe.sh CACHE_DIR   (writes CACHE_DIR/axe.min.js)
set -euo pipefail
version=4.10.2
cache=$1
target="$cache/axe-core-$version/axe.min.js"
if [ -s "$target" ]; then
  ln -sf "$target" "$cache/axe.min.js"
  exit 0
fi
mkdir -p "$cache/axe-core-$version"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "axe-core@$version" >/dev/null)
tar -xzf "$work/axe-core-$version.tgz" -C "$work"
cp "$work/package/axe.min.js" "$target"
ln -sf "$target" "$cache/axe.min.js"
echo "axe-core $version in $target"
