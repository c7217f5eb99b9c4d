// A run's problems (its index's, SPEC §12) as the comparison matches them (SPEC §14).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "compare/problem_match.hpp"
#include "index/run_index.hpp"

namespace ssetail {

struct RunProblems {
  std::vector<compare::Problem> problems;  // in line order
  std::vector<std::uint64_t> seqs;         // each one's line (event number)
};

// The problems `index` kept, in line order, each with its /problems object (ids of `run_id`).
RunProblems IndexProblems(const index::RunIndex& index, std::string_view run_id);

}  // namespace ssetail
