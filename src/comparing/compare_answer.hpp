// GET /compare's body (SPEC §14) from a Comparison and both runs' problems, for --compare and
// for a relay alike.
//
// While this run goes on, a problem of the other run counts as gone only once its line is
// reported gone (in a hunk's "with_ids"): a problem the run has not reached yet is ahead,
// not gone, as its lines are.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "compare/compare_ndjson.hpp"
#include "compare/comparison.hpp"
#include "comparing/index_problems.hpp"

namespace ssetail {

std::string CompareAnswer(const compare::Comparison& comparison, std::string_view run_id,
                          const compare::OtherRun& other, const RunProblems& this_run,
                          const RunProblems& other_run, bool problems_complete, bool this_finished,
                          const std::optional<compare::Estimate>& estimate);

}  // namespace ssetail
