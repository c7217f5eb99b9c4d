// The run `--compare FILE[.gz]` names (SPEC §14): a record written by --save, read whole at
// start-up into a Comparison's other side and into an index of its problems. A file that is
// not a record is a StartupError ("--compare FILE:LINE: why"), so ssetail exits 125 before
// serving anything.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compare/compare_ndjson.hpp"
#include "compare/comparison.hpp"
#include "compare/problem_match.hpp"
#include "comparing/index_problems.hpp"

namespace ssetail {

struct OtherRecord {
  compare::OtherRun run;                            // its id, title, start and exit
  std::optional<std::int64_t> duration_ms;          // its exit's, when it has one
  RunProblems problems;                             // in line order
  std::unique_ptr<compare::Comparison> comparison;  // its lines appended, Finish(Other) done
};

// Reads `path` (a regular file, plain or gzip) to its end. A record without `exit` (a run
// that was cut short) counts as what it holds.
OtherRecord ReadOtherRecord(const std::string& path, compare::Budget budget = {});

}  // namespace ssetail
