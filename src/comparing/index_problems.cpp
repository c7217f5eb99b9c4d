#include "comparing/index_problems.hpp"

#include <string>

#include "index/index_json.hpp"

namespace ssetail {

std::vector<compare::Problem> IndexProblems(const index::RunIndex& index, std::string_view run_id) {
  std::vector<compare::Problem> problems;
  problems.reserve(index.line_order().size());
  for (const std::uint32_t k : index.line_order()) {
    const index::Problem& problem = index.problems()[k];
    std::string json;
    index::AppendProblemJson(json, run_id, problem);
    problems.push_back({std::string(problem.tool), problem.file, problem.message, std::move(json)});
  }
  return problems;
}

}  // namespace ssetail
