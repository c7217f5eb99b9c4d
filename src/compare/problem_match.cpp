#include "compare/problem_match.hpp"

#include <deque>
#include <unordered_map>

#include "compare/normalize.hpp"

namespace ssetail::compare {

namespace {

std::string Key(const Problem& problem) {
  std::string key = problem.tool;
  key += '\0';
  key += Normalize(problem.file);
  key += '\0';
  key += Normalize(problem.message);
  return key;
}

}  // namespace

ProblemChanges MatchProblems(std::span<const Problem> this_run,
                             std::span<const Problem> other_run) {
  std::unordered_map<std::string, std::deque<std::size_t>> unmatched;
  for (std::size_t k = 0; k < other_run.size(); ++k) unmatched[Key(other_run[k])].push_back(k);
  std::vector<bool> matched(other_run.size(), false);
  ProblemChanges changes;
  for (std::size_t k = 0; k < this_run.size(); ++k) {
    const auto it = unmatched.find(Key(this_run[k]));
    if (it == unmatched.end() || it->second.empty()) {
      changes.added.push_back(k);
      continue;
    }
    matched[it->second.front()] = true;
    it->second.pop_front();
  }
  for (std::size_t k = 0; k < other_run.size(); ++k) {
    if (!matched[k]) changes.removed.push_back(k);
  }
  return changes;
}

}  // namespace ssetail::compare
