// The body of GET /compare (SPEC §14), NDJSON: a header line, one line per hunk in this
// run's line order, then the problems line. Pure.
//
// Two additions to §14's objects, for the page: a deletion's hunk says where it is,
// "after":"RUN.SEQ"|null (this run's line before the lines that are gone; null: before the
// first line), and while this run goes on the header may carry "estimate":{"left_ms":N,
// "percent_slower":N|null} (EstimateLeft).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "compare/comparison.hpp"
#include "compare/estimate.hpp"
#include "compare/problem_match.hpp"

namespace ssetail::compare {

// The run compared with, as the header names it.
struct OtherRun {
  std::string run_id;  // its RUN token: "with_ids" are RUN.SEQ of it
  std::string title;
  std::string started;                   // its start event's ISO-8601 time
  std::optional<std::string> exit_json;  // its exit event's data, a JSON object; none: null
};

// {"with":{"title":…,"started":…,"exit":…|null},"first_difference":"RUN.SEQ"|null} and "\n".
std::string HeaderLine(std::string_view run_id, const OtherRun& other,
                       std::optional<std::uint64_t> first_difference,
                       const std::optional<Estimate>& estimate);

// {"op":"insert|delete|replace","ids":[…],"with_ids":[…]} and "\n", appended to `out`.
void AppendHunkLine(std::string& out, std::string_view run_id, std::string_view other_run_id,
                    const HunkLines& hunk);

// {"new_problems":[…],"gone_problems":[…],"complete":bool} and "\n".
std::string ProblemsLine(std::span<const Problem> this_run, std::span<const Problem> other_run,
                         const ProblemChanges& changes, bool complete);

// The whole body, handed to `sink` in pieces of about 64 KiB (a hunk of many lines in one
// piece); `sink` returns false to stop (the client left), and so does this. `complete` is the
// comparison's and the problems': the run's index may not have finished either.
bool WriteCompareBody(const Comparison& comparison, std::string_view run_id, const OtherRun& other,
                      std::span<const Problem> this_problems,
                      std::span<const Problem> other_problems, bool problems_complete,
                      const std::optional<Estimate>& estimate,
                      const std::function<bool(std::string_view)>& sink);

}  // namespace ssetail::compare
