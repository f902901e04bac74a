#!/usr/bin/env bash
# A longer fuzzing campaign than the few seconds each harness gets in the
# test suite. Builds the fuzz preset, then runs every harness (or the ones
# named) for SECONDS each with JOBS processes in libFuzzer's fork mode,
# starting from the committed corpus and the fixtures. Crashes are kept, the
# campaign goes on; at the end each harness's new inputs are merged into
# the smallest set that keeps the coverage.
#
#   bash deploy/fuzz-campaign.sh [--seconds 600] [--jobs 2] [--update-corpus] [harness ...]
#
# harnesses: every fuzz/NAME_fuzz.cpp (webhook cap cap_feed alert command
# phone head json_sax news staff_input choice wa_markup media
# approval_rule numbers multipart)
# Output: build/fuzz/campaign/<harness>/{corpus,crashes,log}. With
# --update-corpus the inputs that add coverage are also merged into
# fuzz/corpus/<harness>, ready to commit (each crash first becomes a unit
# test under tests/unit/, see docs/testing.md).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=600 jobs=2 update=0 harnesses=()
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --update-corpus) update=1; shift ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz-campaign.sh: unknown option $1" >&2; exit 2 ;;
    *) harnesses+=("$1"); shift ;;
  esac
done
# Every harness in fuzz/ unless some are named: a new one joins the
# campaign by being written.
if [ ${#harnesses[@]} -eq 0 ]; then
  for f in fuzz/*_fuzz.cpp; do
    name=${f#fuzz/}
    harnesses+=("${name%_fuzz.cpp}")
  done
fi

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target fuzz_harnesses  # only these: see deploy/test.sh

seeds_of() {
  case $1 in
    webhook|json_sax) echo tests/fixtures/whatsapp ;;
    cap|cap_feed) echo tests/fixtures/cap ;;
    news) echo tests/fixtures/news ;;
  esac
}

status=0
for h in "${harnesses[@]}"; do
  bin=build/fuzz/fuzz/fuzz_$h
  [ -x "$bin" ] || { echo "fuzz-campaign.sh: no harness $h" >&2; exit 2; }
  out=build/fuzz/campaign/$h
  mkdir -p "$out/corpus" "$out/crashes"
  echo "== $h: ${seconds}s, $jobs jobs" >&2
  # Fork mode: JOBS children fuzz in turn from the shared corpus; a crash or
  # a timeout is written to crashes/ and fuzzing goes on.
  # shellcheck disable=SC2046
  "$bin" -fork="$jobs" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
         -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2560 -use_value_profile=1 \
         -artifact_prefix="$out/crashes/" "$out/corpus" "fuzz/corpus/$h" $(seeds_of "$h") \
         >"$out/log" 2>&1 || true
  grep -E '^#[0-9]+: cov: .* ft: ' "$out/log" | tail -n1 >&2 || true
  if [ "$update" = 1 ]; then
    "$bin" -merge=1 "fuzz/corpus/$h" "$out/corpus" >>"$out/log" 2>&1
  fi
  crashes=$(find "$out/crashes" -type f | wc -l)
  if [ "$crashes" -gt 0 ]; then
    echo "   $crashes crash(es) in $out/crashes; replay one with: $bin FILE" >&2
    status=1
  fi
done
exit $status
