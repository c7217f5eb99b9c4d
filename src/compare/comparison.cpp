#include "compare/comparison.hpp"

#include <algorithm>
#include <limits>

#include "compare/normalize.hpp"

namespace ssetail::compare {

namespace {

// Memory is checked every this many lines (MemoryBytes sums a few capacities).
constexpr std::size_t kMemoryCheckLines = 4096;

bool HasGap(const std::vector<std::uint64_t>& seqs, std::uint32_t from, std::uint32_t to) {
  return std::find(seqs.begin() + from, seqs.begin() + to, 0) != seqs.begin() + to;
}

void CopySeqs(const std::vector<std::uint64_t>& seqs, std::uint32_t from, std::uint32_t to,
              std::vector<std::uint64_t>& out) {
  for (std::uint32_t p = from; p < to; ++p) {
    if (seqs[p] != 0) out.push_back(seqs[p]);
  }
}

}  // namespace

Comparison::Comparison(Budget budget) : budget_(budget), aligner_(budget.window) {}

void Comparison::Push(SideLines& side, std::uint32_t id, std::uint64_t seq, std::int64_t t_ms) {
  side.ids.push_back(id);
  side.seqs.push_back(seq);
  side.t_ms.push_back(static_cast<std::uint32_t>(
      std::clamp<std::int64_t>(t_ms, 0, std::numeric_limits<std::uint32_t>::max())));
}

void Comparison::Append(Side which, std::uint64_t seq, std::string_view text, std::int64_t t_ms) {
  SideLines& side = sides_[Index(which)];
  if (side.complete || seq <= side.last_seq) return;
  if (side.ids.size() % kMemoryCheckLines == 0 && MemoryBytes() > budget_.memory_bytes) {
    // What follows is unknown to the comparison, as a gap is: its counterpart is not
    // reported as gone.
    Push(side, interner_.Unique(), 0, t_ms);
    side.truncated = true;
    side.complete = true;
    return;
  }
  if (seq > side.last_seq + 1) Push(side, interner_.Unique(), 0, t_ms);
  side.last_seq = seq;
  NormalizeInto(text, normalised_);
  const std::uint64_t hash = LineInterner::Hash(normalised_);
  interner_.Prefetch(hash);
  InternPending();
  pending_ = Pending{which, side.ids.size(), hash};
  Push(side, 0, seq, t_ms);
  if (const auto progress = ParseProgress(text)) {
    side.progress.push_back(
        {static_cast<double>(progress->done) / progress->total, side.t_ms.back()});
  }
}

void Comparison::InternPending() {
  if (!pending_) return;
  sides_[Index(pending_->side)].ids[pending_->index] =
      interner_.Intern(pending_->hash, pending_->side);
  pending_.reset();
}

void Comparison::Finish(Side which) {
  InternPending();
  sides_[Index(which)].complete = true;
}

bool Comparison::Advance() {
  InternPending();
  const SideLines& a = sides_[Index(Side::This)];
  const SideLines& b = sides_[Index(Side::Other)];
  const Sequences seq{
      a.ids, b.ids, a.complete, b.complete, interner_.ids(Side::This), interner_.ids(Side::Other)};
  status_ = aligner_.Advance(seq, std::chrono::steady_clock::now() + budget_.time);
  return Complete();
}

bool Comparison::Complete() const {
  return status_ == Aligner::Status::kDone && !sides_[0].truncated && !sides_[1].truncated;
}

HunkLines Comparison::Lines(const Hunk& hunk) const {
  const auto& a = sides_[Index(Side::This)].seqs;
  const auto& b = sides_[Index(Side::Other)].seqs;
  HunkLines lines;
  const bool gap_a = HasGap(a, hunk.a, hunk.a_end());
  const bool gap_b = HasGap(b, hunk.b, hunk.b_end());
  if (!gap_b) CopySeqs(a, hunk.a, hunk.a_end(), lines.seqs);
  if (!gap_a) CopySeqs(b, hunk.b, hunk.b_end(), lines.with_seqs);
  for (std::uint32_t p = hunk.a; p > 0; --p) {
    if (a[p - 1] != 0) {
      lines.after = a[p - 1];
      break;
    }
  }
  return lines;
}

void Comparison::ForEachHunk(const std::function<bool(const HunkLines&)>& fn) const {
  for (const auto* hunks : {&aligner_.settled(), &aligner_.provisional()}) {
    for (const Hunk& hunk : *hunks) {
      const HunkLines lines = Lines(hunk);
      if ((!lines.seqs.empty() || !lines.with_seqs.empty()) && !fn(lines)) return;
    }
  }
}

std::optional<std::uint64_t> Comparison::FirstDifference() const {
  const auto& a = sides_[Index(Side::This)].seqs;
  for (const auto* hunks : {&aligner_.settled(), &aligner_.provisional()}) {
    for (const Hunk& hunk : *hunks) {
      const HunkLines lines = Lines(hunk);
      if (!lines.seqs.empty()) return lines.seqs.front();
      if (lines.with_seqs.empty()) continue;
      for (std::uint32_t p = hunk.a; p < a.size(); ++p) {
        if (a[p] != 0) return a[p];
      }
      return lines.after;
    }
  }
  return std::nullopt;
}

std::optional<Reached> Comparison::ReachedByProgress() const {
  const auto& mine = sides_[Index(Side::This)].progress;
  const auto& theirs = sides_[Index(Side::Other)].progress;
  if (mine.empty() || theirs.empty()) return std::nullopt;
  // The other run's first line that was as far on: its counts only grow (ninja's, CMake's).
  const double fraction = mine.back().fraction;
  const auto it = std::find_if(theirs.begin(), theirs.end(),
                               [&](const auto& point) { return point.fraction >= fraction; });
  if (it == theirs.end()) return std::nullopt;
  return Reached{mine.back().t_ms, it->t_ms};
}

std::optional<Reached> Comparison::LastReached() const {
  std::optional<Reached> reached;
  if (const auto match = aligner_.last_match()) {
    reached = Reached{sides_[Index(Side::This)].t_ms[match->first],
                      sides_[Index(Side::Other)].t_ms[match->second]};
  }
  const auto by_progress = ReachedByProgress();
  if (by_progress && (!reached || by_progress->this_ms > reached->this_ms)) reached = by_progress;
  return reached;
}

std::int64_t Comparison::LastTime(Side which) const {
  const auto& t = sides_[Index(which)].t_ms;
  return t.empty() ? 0 : t.back();
}

std::size_t Comparison::MemoryBytes() const {
  std::size_t bytes = interner_.MemoryBytes() + aligner_.MemoryBytes();
  for (const SideLines& side : sides_) {
    bytes += side.ids.capacity() * sizeof(std::uint32_t) +
             side.seqs.capacity() * sizeof(std::uint64_t) +
             side.t_ms.capacity() * sizeof(std::uint32_t) +
             side.progress.capacity() * sizeof(SideLines::ProgressPoint);
  }
  return bytes;
}

}  // namespace ssetail::compare
