#!/usr/bin/env bash
# Runs the libFuzzer targets of a SSETAIL_FUZZ build, each for SECONDS, from a copy of its
# committed corpus (tests/fuzz/corpus/TARGET; never written to), and fails on any crash,
# sanitizer report, invariant failure, timeout or memory blow-up.
#
#   tests/fuzz/run.sh BUILD_DIR [SECONDS=20] [TARGET...]     (default: every target)
#
# Per target it prints the executions and the coverage of libFuzzer's final stats. A failing
# input is kept in $FUZZ_ARTIFACTS (default BUILD_DIR/fuzz-artifacts/TARGET/) with the log.
# Extra libFuzzer flags can be given in $FUZZ_FLAGS (e.g. -jobs=2 -workers=2).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: run.sh BUILD_DIR [SECONDS] [TARGET...]}
build=$(cd "$build" && pwd)
seconds=${2:-20}
shift $(( $# >= 2 ? 2 : 1 ))
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(fuzz_line_splitter fuzz_utf8_repair fuzz_sse_encoder fuzz_json_string fuzz_event_id
           fuzz_byte_size fuzz_record_line fuzz_run_index fuzz_compare fuzz_view_lines
           fuzz_redis_batch fuzz_redis_meta)
fi
artifacts=${FUZZ_ARTIFACTS:-$build/fuzz-artifacts}

work=$(mktemp -d "${TMPDIR:-/tmp}/ssetail-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

status=0
summary=()
for target in "${targets[@]}"; do
  binary=$build/tests/fuzz/$target
  if [ ! -x "$binary" ]; then
    echo "$target: no binary at $binary (cmake --build $build --target fuzz)" >&2
    status=1
    continue
  fi
  corpus=$work/$target
  mkdir -p "$corpus" "$artifacts/$target"
  if [ -d "$here/corpus/$target" ]; then cp "$here/corpus/$target"/* "$corpus"/ 2>/dev/null || true; fi
  log=$artifacts/$target/fuzz.log
  touch "$work/$target.start"
  start=$(date +%s)
  rc=0
  # The build has -fno-sanitize-recover=all: the first ASan/UBSan report ends the run, and
  # libFuzzer keeps the input.
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
    "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$artifacts/$target/" ${FUZZ_FLAGS:-} "$corpus" >"$log" 2>&1 || rc=$?
  elapsed=$(( $(date +%s) - start ))
  final_stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -1; }
  execs=$(final_stat number_of_executed_units)
  rate=$(final_stat average_exec_per_sec)
  new_units=$(final_stat new_units_added)
  rss=$(final_stat peak_rss_mb)
  # The last status line: "#N  DONE   cov: C ft: F corp: U/S ..."
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
  if [ "$rc" -eq 0 ]; then result=ok; else result="FAILED (exit $rc)"; status=1; fi
  line="$target: ${elapsed}s, ${execs:-?} execs (${rate:-?}/s), cov ${cov:-?} ft ${ft:-?}, corpus ${corp:-?} (+${new_units:-?}), peak rss ${rss:-?} MB: $result"
  echo "$line"
  summary+=("$line")
  if [ "$rc" -ne 0 ]; then
    echo "---- $target: last lines of $log" >&2
    tail -n 40 "$log" >&2
    find "$artifacts/$target" -type f -newer "$work/$target.start" ! -name fuzz.log |
      sed 's/^/failing input: /' >&2
  fi
done

if [ ${#summary[@]} -gt 1 ]; then
  echo "---- summary"
  printf '%s\n' "${summary[@]}"
fi
exit $status
