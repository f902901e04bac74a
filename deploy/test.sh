#!/usr/bin/env bash
# Installs the dependencies, builds with AddressSanitizer + UBSan (the g++ 12
# coroutine miscompilation shows up there) and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/install.sh
preset=${BANDITORE_PRESET:-asan}
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
ctest --preset "$preset"
