#!/usr/bin/env bash
# The whole test suite: installs what it needs, then builds and runs every test three times
# over: a plain build, AddressSanitizer+UndefinedBehaviorSanitizer, and ThreadSanitizer.
# Unit (doctest), end-to-end (the real binary over HTTP) and browser (Chromium) tests all
# run under ctest; the last line is ctest's summary of the last build.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
[ -f package-lock.json ] && npm ci --no-audit --no-fund --loglevel=error

jobs=2
status=0
run_build() {  # name, extra cmake arguments...
  local dir="build-test-$1"
  shift
  echo "=== $dir"
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$dir" -j"$jobs"
  (cd "$dir" && ctest --output-on-failure --timeout 600) || status=1
}

export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/tsan.supp"
run_build asan -DSSETAIL_SANITIZE=address,undefined -DSSETAIL_BROWSER_TESTS=OFF
run_build tsan -DSSETAIL_SANITIZE=thread -DSSETAIL_BROWSER_TESTS=OFF
run_build plain
exit $status
