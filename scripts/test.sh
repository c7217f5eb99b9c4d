#!/usr/bin/env bash
# The whole test suite: installs what it needs, then builds and runs every test, in tiers:
# the libFuzzer targets (a clang build, FUZZ_SECONDS each), the unit and end-to-end tests on
# an AddressSanitizer+UndefinedBehaviorSanitizer build and on a ThreadSanitizer build (there
# only the unit tests that run threads), and the end-to-end, browser (Chromium) and package
# (.deb, lintian) tests on a plain build. The times of the tiers are printed at the end,
# followed by ctest's summary line of the last build (repeated, so that it is the last line).
#
# 2 cores: a build uses both; ctest runs 2 tests at once (tests mostly wait on sockets and
# processes), the longest first (COST in tests/CMakeLists.txt), except in the plain tree
# those that measure time or CPU, which run alone (RUN_SERIAL).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
[ -f package-lock.json ] && npm ci --no-audit --no-fund --loglevel=error

jobs=2
status=0
# ccache, when there, keeps a second run of this script from compiling everything again,
# also from another clone: paths under the clone are hashed relative to it (BASEDIR) and the
# build directory is left out of the hash (NOHASHDIR). A fresh machine compiles once.
launcher=()
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

# Ninja schedules both cores better than make's recursion. The test trees keep line tables
# only (-g1: what a sanitizer's report and a backtrace need) and the sanitizer trees build at
# -O1 (what ASan and TSan advise): a third to a half less compile time than -O2 -g.
generator=(-G Ninja)
plain_flags=(-DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG")
sanitized_flags=(-DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG")

tier_name=""
tier_started=0
times=()
tier() { # name: ends the tier under way (its time is kept) and starts this one
  local now
  now=$(date +%s)
  [ -n "$tier_name" ] && times+=("$tier_name: $((now - tier_started)) s")
  tier_name=${1:-}
  tier_started=$now
  [ -n "$tier_name" ] && echo "=== $tier_name"
  return 0
}

run_build() { # name, targets ("all" or a list), ctest -E pattern ("" for none), cmake arguments...
  local dir="build-test-$1" targets=$2 exclude=$3
  shift 3
  tier "$dir"
  cmake -S . -B "$dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" "$@" >/dev/null
  local target_args=()
  [ "$targets" != all ] && for t in $targets; do target_args+=(--target "$t"); done
  cmake --build "$dir" -j"$jobs" "${target_args[@]}"
  local exclude_args=()
  [ -n "$exclude" ] && exclude_args=(-E "$exclude")
  (cd "$dir" && ctest -j"$jobs" --output-on-failure --timeout 600 "${exclude_args[@]}" | tee ctest.log) ||
    status=1
}

export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/tsan.supp"
# The fuzz targets (clang, ASan+UBSan), bounded: FUZZ_SECONDS each, two at a time (each is
# one process on one core; see tests/fuzz/README.md).
tier build-test-fuzz
cmake -S . -B build-test-fuzz "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++-14 "${sanitized_flags[@]}" "${launcher[@]}" -DSSETAIL_FUZZ=ON \
  -DSSETAIL_SANITIZE=address,undefined -DBUILD_TESTING=OFF \
  -DFUZZ_SECONDS="${FUZZ_SECONDS:-12}" >/dev/null
cmake --build build-test-fuzz --target fuzz -j"$jobs"
(cd build-test-fuzz && ctest -j"$jobs" -R '^fuzz\.' --output-on-failure --timeout 600) || status=1

# Each tree builds what its tests run. The sanitizer trees: the binary and the unit tests.
# The plain tree: the binary (end-to-end, browser and package tests) and the benchmarks'
# programs (so that they keep compiling); the unit tests, pure code already run under both
# sanitizers, are not built a third time.
run_build asan "ssetail unit_tests" "" "${sanitized_flags[@]}" \
  -DSSETAIL_SANITIZE=address,undefined -DSSETAIL_BROWSER_TESTS=OFF
run_build tsan "ssetail unit_tests" "" "${sanitized_flags[@]}" -DSSETAIL_SANITIZE=thread \
  -DSSETAIL_BROWSER_TESTS=OFF
run_build plain "ssetail index_bench compare_bench" '^unit\.' "${plain_flags[@]}"
tier
echo "=== times: ${times[*]}"
grep -E '^[0-9]+% tests passed' build-test-plain/ctest.log | tail -1
exit $status
