// A run's problems (its index's, SPEC §12) as the comparison matches them (SPEC §14).
#pragma once

#include <string_view>
#include <vector>

#include "compare/problem_match.hpp"
#include "index/run_index.hpp"

namespace ssetail {

// The problems `index` kept, in line order, each with its /problems object (ids of `run_id`).
std::vector<compare::Problem> IndexProblems(const index::RunIndex& index, std::string_view run_id);

}  // namespace ssetail
