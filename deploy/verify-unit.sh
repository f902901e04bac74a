#!/usr/bin/env bash
# Checks deploy/banditore.service (and the credentials drop-in) with
# `systemd-analyze verify`, against a built binary: verify refuses a unit
# whose ExecStart= does not exist, and the unit names the installed path.
# Usage: verify-unit.sh UNIT DROPIN BINARY
# Exit 0: clean; 1: a problem with the unit; 77: systemd-analyze is missing.
set -euo pipefail
unit=$1 dropin=$2 binary=$3

if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "verify-unit.sh: SKIPPED: systemd-analyze not found (apt-get install systemd)" >&2
  exit 77
fi
[ -x "$binary" ] || { echo "verify-unit.sh: no binary at $binary: build banditore_exe first" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One pass with the unit alone, one with the drop-in next to it: verify adds
# the directory of the unit it is given to the unit search path.
check() {
  local dir=$1 out
  sed -e "s|^ExecStartPre=/usr/local/bin/banditore |ExecStartPre=$binary |" \
      -e "s|^ExecStart=/usr/local/bin/banditore |ExecStart=$binary |" \
      "$unit" >"$dir/banditore.service"
  grep -q "^ExecStart=$binary serve\$" "$dir/banditore.service" ||
    { echo "verify-unit.sh: ExecStart= is not '/usr/local/bin/banditore serve'" >&2; return 1; }
  grep -q "^ExecStartPre=$binary migrate\$" "$dir/banditore.service" ||
    { echo "verify-unit.sh: ExecStartPre= is not '/usr/local/bin/banditore migrate'" >&2; return 1; }
  out=$(cd "$dir" && SYSTEMD_LOG_COLOR=0 systemd-analyze verify --man=no "$dir/banditore.service" 2>&1) || {
    echo "$out" >&2
    echo "verify-unit.sh: systemd-analyze verify failed" >&2
    return 1
  }
  # verify also reports problems of other units on the machine: only lines
  # about ours count.
  if grep -E 'banditore|credentials\.conf' <<<"$out" >&2; then
    echo "verify-unit.sh: systemd-analyze verify warns about the unit (lines above)" >&2
    return 1
  fi
  [ -z "$out" ] || printf 'verify-unit.sh: ignored (other units):\n%s\n' "$out" >&2
}

mkdir -p "$tmp/plain" "$tmp/with-dropin/banditore.service.d"
check "$tmp/plain"
cp "$dropin" "$tmp/with-dropin/banditore.service.d/credentials.conf"
check "$tmp/with-dropin"
echo "verify-unit.sh: banditore.service verifies, alone and with the credentials drop-in"
