#include "compare/compare_ndjson.hpp"

#include <charconv>

#include "events/json.hpp"

namespace ssetail::compare {

namespace {

constexpr std::size_t kPieceBytes = 64 * 1024;

void AppendId(std::string& out, std::string_view run_id, std::uint64_t seq) {
  std::string id(run_id);
  id += '.';
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, seq).ptr;
  id.append(digits, end);
  json::AppendString(out, id);
}

void AppendIds(std::string& out, std::string_view run_id, const std::vector<std::uint64_t>& seqs) {
  out += '[';
  for (std::size_t k = 0; k < seqs.size(); ++k) {
    if (k > 0) out += ',';
    AppendId(out, run_id, seqs[k]);
  }
  out += ']';
}

void AppendProblems(std::string& out, std::span<const Problem> problems,
                    const std::vector<std::size_t>& which) {
  out += '[';
  for (std::size_t k = 0; k < which.size(); ++k) {
    if (k > 0) out += ',';
    out += problems[which[k]].json;
  }
  out += ']';
}

}  // namespace

std::string HeaderLine(std::string_view run_id, const OtherRun& other,
                       std::optional<std::uint64_t> first_difference,
                       const std::optional<Estimate>& estimate) {
  std::string out = "{\"with\":{\"title\":";
  json::AppendString(out, other.title);
  out += ",\"started\":";
  json::AppendString(out, other.started);
  out += ",\"exit\":";
  out += other.exit_json.value_or("null");
  out += "},\"first_difference\":";
  if (first_difference) {
    AppendId(out, run_id, *first_difference);
  } else {
    out += "null";
  }
  if (estimate) {
    out += ",\"estimate\":{\"left_ms\":" + std::to_string(estimate->left_ms) +
           ",\"percent_slower\":" +
           (estimate->percent_slower ? std::to_string(*estimate->percent_slower) : "null") + "}";
  }
  out += "}\n";
  return out;
}

void AppendHunkLine(std::string& out, std::string_view run_id, std::string_view other_run_id,
                    const HunkLines& hunk) {
  const char* op = hunk.seqs.empty() ? "delete" : hunk.with_seqs.empty() ? "insert" : "replace";
  out += "{\"op\":\"";
  out += op;
  out += "\",\"ids\":";
  AppendIds(out, run_id, hunk.seqs);
  out += ",\"with_ids\":";
  AppendIds(out, other_run_id, hunk.with_seqs);
  if (hunk.seqs.empty()) {
    out += ",\"after\":";
    if (hunk.after) {
      AppendId(out, run_id, *hunk.after);
    } else {
      out += "null";
    }
  }
  out += "}\n";
}

std::string ProblemsLine(std::span<const Problem> this_run, std::span<const Problem> other_run,
                         const ProblemChanges& changes, bool complete) {
  std::string out = "{\"new_problems\":";
  AppendProblems(out, this_run, changes.added);
  out += ",\"gone_problems\":";
  AppendProblems(out, other_run, changes.removed);
  out += complete ? ",\"complete\":true}\n" : ",\"complete\":false}\n";
  return out;
}

bool WriteCompareBody(const Comparison& comparison, std::string_view run_id, const OtherRun& other,
                      std::span<const Problem> this_problems,
                      std::span<const Problem> other_problems, bool problems_complete,
                      const std::optional<Estimate>& estimate,
                      const std::function<bool(std::string_view)>& sink) {
  std::string piece = HeaderLine(run_id, other, comparison.FirstDifference(), estimate);
  bool going = true;
  comparison.ForEachHunk([&](const HunkLines& hunk) {
    AppendHunkLine(piece, run_id, other.run_id, hunk);
    if (piece.size() >= kPieceBytes) {
      going = sink(piece);
      piece.clear();
    }
    return going;
  });
  if (!going) return false;
  piece += ProblemsLine(this_problems, other_problems, MatchProblems(this_problems, other_problems),
                        comparison.Complete() && problems_complete);
  return sink(piece);
}

}  // namespace ssetail::compare
