#!/usr/bin/env bash
# Installs the build into a temporary prefix and checks that the files land
# where the unit and the docs say, and that the unit names the installed
# binary. Usage: check-install.sh CMAKE BUILD_DIR
set -euo pipefail
cmake=$1 build=$2

prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
"$cmake" --install "$build" --prefix "$prefix" >/dev/null

problems=0
need() { [ -e "$prefix/$1" ] || { echo "check-install.sh: missing $1" >&2; problems=$((problems + 1)); }; }
need bin/banditore
need lib/systemd/system/banditore.service
need share/doc/banditore/banditore.env.example
need share/doc/banditore/banditore-credentials.conf
need share/doc/banditore/banditore.conf
need share/doc/banditore/Caddyfile
need share/doc/banditore/configuration.md
need share/doc/banditore/meta-setup.md
need share/doc/banditore/operations.md
[ "$problems" -eq 0 ] || exit 1

unit=$prefix/lib/systemd/system/banditore.service
grep -Fxq "ExecStart=$prefix/bin/banditore serve" "$unit" ||
  { echo "check-install.sh: the installed unit's ExecStart= is not $prefix/bin/banditore serve" >&2; exit 1; }
grep -Fxq "ExecStartPre=$prefix/bin/banditore migrate" "$unit" ||
  { echo "check-install.sh: the installed unit's ExecStartPre= is not $prefix/bin/banditore migrate" >&2; exit 1; }
if grep -n '/usr/local/' "$unit" >&2; then
  echo "check-install.sh: the installed unit still names /usr/local (lines above)" >&2
  exit 1
fi
"$prefix/bin/banditore" --version >/dev/null ||
  { echo "check-install.sh: the installed binary does not run" >&2; exit 1; }
echo "check-install.sh: binary, unit and docs installed under the prefix; the unit runs the installed binary"
