// One run compared with another (SPEC §14): each run's output lines as they come, their
// alignment within a budget, the hunks to report and how far this run is on the other's
// timeline. Pure (no I/O, no threads, no clock but the budget's): the server feeds it.
//
// Not thread-safe. One owner calls everything, or callers share one lock: a thread that
// follows the run appends its lines (never capture itself: appending costs about 0.3 µs a
// line), and a request calls Advance and writes the answer under the same lock. See
// docs/compare.md for when to call Advance while a run goes on.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compare/aligner.hpp"
#include "compare/estimate.hpp"
#include "compare/line_interner.hpp"
#include "compare/side.hpp"

namespace ssetail::compare {

struct Budget {
  // One Advance stops starting windows after this long (a window takes at most about
  // 0.3 s at the largest size); the next Advance goes on where it stopped.
  std::chrono::milliseconds time{3000};
  // The comparison's own memory (lines, interned ids, hunks); past it no more lines are
  // taken, and the answer is complete:false. A window adds at most about 30 MiB (libgit2).
  std::size_t memory_bytes = std::size_t{256} << 20;
  WindowLimits window;
};

// A hunk as it is reported: the event numbers of its lines on each side (lines lost in a gap
// left out), in order.
struct HunkLines {
  std::vector<std::uint64_t> seqs;       // this run's lines ("ids"); empty: a deletion
  std::vector<std::uint64_t> with_seqs;  // the other run's ("with_ids"); empty: an insertion
  std::optional<std::uint64_t> after;    // this run's last line before the hunk, if any
};

class Comparison {
 public:
  explicit Comparison(Budget budget = {});

  // The next output line of a run: `seq` its event number (the run's `start` is 1, so lines
  // begin at 2; a jump means the lines between were lost, a gap: `--record-max`), `t_ms` its
  // time since the run's start. A seq not above the side's last one is ignored.
  void Append(Side side, std::uint64_t seq, std::string_view text, std::int64_t t_ms);
  // No line of `side` will come any more (its run has ended, or it was read whole).
  void Finish(Side side);

  // Aligns what came since the last call, within the budget's time. True once complete.
  bool Advance();
  // Both runs finished, aligned to their ends, within the budget.
  bool Complete() const;

  // The hunks in this run's line order, settled ones then those that may still change.
  // A gap is neither new nor gone: in a hunk with a gap on one side, the other side's
  // lines are not reported (they may be in the gap); a hunk left empty is skipped. Stops
  // when `fn` returns false.
  void ForEachHunk(const std::function<bool(const HunkLines&)>& fn) const;
  // The first line of this run that differs (for a deletion, the line after it, or the last
  // line); empty when nothing differs so far.
  std::optional<std::uint64_t> FirstDifference() const;

  // The latest point both runs reached: the last aligned pair of lines, or the build's own
  // [n/m] progress when it is further on; empty until one is known.
  std::optional<Reached> LastReached() const;
  // The time of a side's last line (the other run's length, when its exit is not known).
  std::int64_t LastTime(Side side) const;

  std::size_t lines(Side side) const { return sides_[Index(side)].ids.size(); }
  std::size_t MemoryBytes() const;

 private:
  struct SideLines {
    std::vector<std::uint32_t> ids;   // interned normalised text; a gap's own unique id
    std::vector<std::uint64_t> seqs;  // 0: a gap (lines lost)
    std::vector<std::uint32_t> t_ms;  // saturated at about 49 days
    struct ProgressPoint {
      double fraction;
      std::uint32_t t_ms;
    };
    std::vector<ProgressPoint> progress;
    std::uint64_t last_seq = 1;  // the start event
    bool complete = false;
    bool truncated = false;  // the memory budget stopped it
  };

  void Push(SideLines& side, std::uint32_t id, std::uint64_t seq, std::int64_t t_ms);
  void InternPending();
  HunkLines Lines(const Hunk& hunk) const;
  std::optional<Reached> ReachedByProgress() const;

  Budget budget_;
  LineInterner interner_;
  std::array<SideLines, 2> sides_;
  Aligner aligner_;
  Aligner::Status status_ = Aligner::Status::kWaiting;
  std::string normalised_;  // reused for every line
  // The last line appended waits for its id until the next one is normalised, while its
  // slot of the interner's table is fetched into the cache (a third of Append's time).
  struct Pending {
    Side side;
    std::size_t index;  // in its side's ids
    std::uint64_t hash;
  };
  std::optional<Pending> pending_;
};

}  // namespace ssetail::compare
