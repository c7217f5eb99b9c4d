// The alignment of two runs' line ids, in bounded windows, settled as it goes (SPEC §14,
// docs/compare.md). Not thread-safe: its Comparison's owner calls it.
//
// The library (BufferDiff) never sees more than `max_lines` lines of each run at once, so
// one call costs bounded time and memory whatever the runs are. Between windows the aligner
// only does what is linear and exact: it skips lines equal on both sides, and lines that the
// other run never has (when that run is complete, no diff could match them). A window is
// settled up to a cut inside a run of equal lines, at most 3/4 into the window on each side
// (what lies past it is seen again in the next window, with more context), and never moves
// again: a run that grows costs only its new lines and one window, not a new diff of all.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "compare/buffer_diff.hpp"
#include "compare/hunk.hpp"
#include "compare/line_interner.hpp"

namespace ssetail::compare {

// Two runs as line ids (LineInterner), and whether each has all its lines.
struct Sequences {
  std::span<const std::uint32_t> a;  // this run's
  std::span<const std::uint32_t> b;  // the other run's
  bool a_complete = false;
  bool b_complete = false;
  IdSet a_ids;  // the ids a has, b has
  IdSet b_ids;
};

struct WindowLimits {
  std::uint32_t min_lines = 4096;     // a window's lines per run at first
  std::uint32_t max_lines = 1 << 16;  // when no run of equal lines is found, it doubles to this
  std::uint32_t solid_run = 3;        // equal lines in a row a cut prefers (blank lines match)
  std::uint32_t live_margin = 32;     // a run's last lines left unsettled while it goes on
};

class Aligner {
 public:
  enum class Status {
    kDone,       // both runs complete and aligned to their ends
    kWaiting,    // aligned as far as the lines of a run that goes on allow
    kOutOfTime,  // the deadline came first; the next Advance goes on from there
    kFailed,     // the library failed (out of memory); nothing more will be aligned
  };

  explicit Aligner(WindowLimits limits = {});

  // Aligns further, until done, waiting for lines, or `deadline` (checked before each
  // window but the first: a call always moves on, and one window can pass the deadline).
  // `seq` must extend what earlier calls saw.
  Status Advance(const Sequences& seq, std::chrono::steady_clock::time_point deadline);

  // Final hunks, in order; adjacent ones are merged.
  const std::vector<Hunk>& settled() const { return settled_; }
  // What lies after the settled part as the last kWaiting Advance saw it (else empty):
  // hunks there may still change as lines come. At the end of the lines that exist, lines
  // of a run that goes on are left out (not reached yet, rather than gone).
  const std::vector<Hunk>& provisional() const { return provisional_; }
  // The last pair of equal lines found (positions in a and b), provisional part included.
  std::optional<std::pair<std::uint32_t, std::uint32_t>> last_match() const;

  std::size_t MemoryBytes() const;

 private:
  struct Cut {
    std::uint32_t a;
    std::uint32_t b;
    std::size_t hunks;  // window hunks before it
  };

  void SkipEqual(const Sequences& seq);
  bool SkipAbsent(const Sequences& seq);
  static std::optional<Cut> FindCut(const std::vector<Hunk>& hunks, std::uint32_t wa,
                                    std::uint32_t limit_a, std::uint32_t limit_b,
                                    std::uint32_t min_run);
  std::uint32_t Limit(std::uint32_t lines, bool final, bool waiting) const;
  std::optional<std::pair<std::uint32_t, std::uint32_t>> LastEqual(std::uint32_t wa,
                                                                   std::uint32_t wb) const;
  void SetProvisional(std::uint32_t wa, std::uint32_t wb, bool keep_a, bool keep_b);
  void Emit(Hunk hunk);

  WindowLimits limits_;
  BufferDiff diff_;
  std::vector<Hunk> settled_;
  std::vector<Hunk> provisional_;
  std::vector<Hunk> window_hunks_;
  std::uint32_t i_ = 0;  // settled up to a[i_] and b[j_]
  std::uint32_t j_ = 0;
  std::uint32_t window_;
  bool failed_ = false;
  std::optional<std::pair<std::uint32_t, std::uint32_t>> settled_match_;
  std::optional<std::pair<std::uint32_t, std::uint32_t>> provisional_match_;
};

}  // namespace ssetail::compare
