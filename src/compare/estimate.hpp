// How far a run that goes on is, against the timeline of the run it is compared with: the
// header's "about 2 min left, 12% slower so far" (SPEC §14). Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace ssetail::compare {

// A build's own count at the start of a line: `[12/345]` (ninja) or `[ 45%]` (CMake's
// makefiles, as 45 of 100), after any escape sequences and spaces.
struct Progress {
  std::uint32_t done = 0;
  std::uint32_t total = 0;
};
std::optional<Progress> ParseProgress(std::string_view line);

// A point of the work that both runs reached: this run `this_ms` and the other run
// `other_ms` after their starts (for instance the times of the last pair of aligned lines).
struct Reached {
  std::int64_t this_ms = 0;
  std::int64_t other_ms = 0;
};

struct Estimate {
  std::int64_t left_ms = 0;           // how long this run still needs, about
  std::optional<int> percent_slower;  // (this / other - 1) in %; < 0: faster; unknown early
};

// The other run took `other_duration_ms` in all; this run has run `elapsed_ms` so far. This
// run is taken to go on at the pace it has had against the other so far (this_ms / other_ms:
// a slower machine stays slower), less the time it has already spent past `reached`. The
// pace is known once the other run had reached that point after at least 1 s (before, a few
// milliseconds either way would read as a large difference); until then it counts as 1.
// Empty when nothing is known: no duration.
std::optional<Estimate> EstimateLeft(Reached reached, std::int64_t other_duration_ms,
                                     std::int64_t elapsed_ms);

}  // namespace ssetail::compare
