#!/usr/bin/env bash
# Installs the dependencies, builds with AddressSanitizer + UBSan (the g++ 12
# coroutine miscompilation shows up there) and runs the whole test suite;
# then builds the libFuzzer harnesses with clang (the fuzz preset) and lets
# each replay its corpus and fuzz on for a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/install.sh
preset=${BANDITORE_PRESET:-asan}
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
ctest --preset "$preset"

# Only the harnesses and the sources they exercise: the whole library
# instrumented for fuzzing would cost CI several minutes more, and clang 14
# cannot compile the files with Asio coroutines under coverage
# instrumentation ("Cannot represent a difference across sections",
# docs/testing.md).
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target fuzz_harnesses
ctest --preset fuzz
