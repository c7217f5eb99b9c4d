#!/usr/bin/env bash
# The whole test suite: installs what it needs, then builds and runs every test three times
# over: a plain build, AddressSanitizer+UndefinedBehaviorSanitizer, and ThreadSanitizer.
# Unit (doctest), end-to-end (the real binary over HTTP), browser (Chromium) and package
# (.deb, lintian) tests all run under ctest; before them, the libFuzzer targets run 20 s each
# in a clang build. The last line is ctest's summary of the last build.
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
# The fuzz targets (clang, ASan+UBSan), bounded: FUZZ_SECONDS each (see tests/fuzz/README.md).
echo "=== build-test-fuzz"
cmake -S . -B build-test-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
  -DSSETAIL_FUZZ=ON -DSSETAIL_SANITIZE=address,undefined -DBUILD_TESTING=OFF \
  -DFUZZ_SECONDS="${FUZZ_SECONDS:-20}" >/dev/null
cmake --build build-test-fuzz --target fuzz -j"$jobs"
(cd build-test-fuzz && ctest -R '^fuzz\.' --output-on-failure --timeout 600) || status=1

run_build asan -DSSETAIL_SANITIZE=address,undefined -DSSETAIL_BROWSER_TESTS=OFF
run_build tsan -DSSETAIL_SANITIZE=thread -DSSETAIL_BROWSER_TESTS=OFF
run_build plain
exit $status
