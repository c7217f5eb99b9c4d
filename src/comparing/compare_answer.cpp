#include "comparing/compare_answer.hpp"

#include <algorithm>
#include <cstdint>
#include <unordered_set>

namespace ssetail {

std::string CompareAnswer(const compare::Comparison& comparison, std::string_view run_id,
                          const compare::OtherRun& other, const RunProblems& this_run,
                          const RunProblems& other_run, bool problems_complete, bool this_finished,
                          const std::optional<compare::Estimate>& estimate) {
  std::string body = compare::HeaderLine(run_id, other, comparison.FirstDifference(), estimate);
  std::unordered_set<std::uint64_t> gone;  // the other run's lines reported gone so far
  comparison.ForEachHunk([&](const compare::HunkLines& hunk) {
    compare::AppendHunkLine(body, run_id, other.run_id, hunk);
    if (!this_finished) gone.insert(hunk.with_seqs.begin(), hunk.with_seqs.end());
    return true;
  });
  compare::ProblemChanges changes = compare::MatchProblems(this_run.problems, other_run.problems);
  if (!this_finished) {
    std::erase_if(changes.removed,
                  [&](std::size_t k) { return !gone.contains(other_run.seqs[k]); });
  }
  body += compare::ProblemsLine(this_run.problems, other_run.problems, changes,
                                comparison.Complete() && problems_complete);
  return body;
}

}  // namespace ssetail
