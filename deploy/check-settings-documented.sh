#!/usr/bin/env bash
# Checks that every setting `banditore --help` lists (lines "  BANDITORE_...")
# is in the env example, with its default, and in docs/configuration.md's
# table, with its default: a new or changed setting must reach the operators.
# Usage: check-settings-documented.sh BINARY ENV_EXAMPLE CONFIGURATION_MD
set -euo pipefail
binary=$1 example=$2 doc=$3

help=$("$binary" --help)
mapfile -t lines < <(grep -E '^  BANDITORE_' <<<"$help")
[ ${#lines[@]} -gt 0 ] || { echo "check-settings-documented.sh: no BANDITORE_ lines in --help" >&2; exit 1; }

problems=0
report() { echo "check-settings-documented.sh: $*" >&2; problems=$((problems + 1)); }

for line in "${lines[@]}"; do
  name=$(awk '{print $1}' <<<"$line")
  default=""
  if [[ $line =~ \(default\ ([^\)]*)\)$ ]]; then default=${BASH_REMATCH[1]}; fi

  # Example: a commented-out "#NAME=default" line; a secret may be shown
  # only as its NAME_FILE variant instead.
  if grep -Eq "^#${name}=" "$example"; then
    grep -Fxq "#${name}=${default}" "$example" ||
      report "$example: #${name}= does not show the default '${default}'"
  elif ! grep -Eq "^#${name}_FILE=/" "$example"; then
    report "$example: no '#${name}=' (nor '#${name}_FILE=') line"
  fi

  # Documentation: a table row "| `NAME` | `default` |"; a star after the
  # name marks a secret, a dash stands for no default.
  row=$(grep -E "^\| \`${name}\`( ★)? \|" "$doc" || true)
  if [ -z "$row" ]; then
    report "$doc: no table row for ${name}"
  elif [ -n "$default" ]; then
    grep -Fq "| \`${default}\` |" <<<"$row" || report "$doc: the row of ${name} does not show the default '${default}'"
  fi
done

[ "$problems" -eq 0 ] || exit 1
echo "check-settings-documented.sh: all ${#lines[@]} settings documented with their defaults"
