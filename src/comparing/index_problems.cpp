#include "comparing/index_problems.hpp"

#include <string>

#include "index/index_json.hpp"

namespace ssetail {

RunProblems IndexProblems(const index::RunIndex& index, std::string_view run_id) {
  RunProblems out;
  out.problems.reserve(index.line_order().size());
  out.seqs.reserve(index.line_order().size());
  for (const std::uint32_t k : index.line_order()) {
    const index::Problem& problem = index.problems()[k];
    std::string json;
    index::AppendProblemJson(json, run_id, problem);
    out.problems.push_back(
        {std::string(problem.tool), problem.file, problem.message, std::move(json)});
    out.seqs.push_back(problem.seq);
  }
  return out;
}

}  // namespace ssetail
