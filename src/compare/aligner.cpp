#include "compare/aligner.hpp"

#include <algorithm>

namespace ssetail::compare {

namespace {

std::uint32_t Size(std::span<const std::uint32_t> ids) {
  return static_cast<std::uint32_t>(ids.size());
}

}  // namespace

Aligner::Aligner(WindowLimits limits) : limits_(limits), window_(limits.min_lines) {}

std::optional<std::pair<std::uint32_t, std::uint32_t>> Aligner::last_match() const {
  return provisional_match_ ? provisional_match_ : settled_match_;
}

void Aligner::Emit(Hunk hunk) {
  if (hunk.a_len == 0 && hunk.b_len == 0) return;
  if (!settled_.empty() && settled_.back().a_end() == hunk.a && settled_.back().b_end() == hunk.b) {
    settled_.back().a_len += hunk.a_len;
    settled_.back().b_len += hunk.b_len;
    return;
  }
  settled_.push_back(hunk);
}

void Aligner::SkipEqual(const Sequences& seq) {
  const std::uint32_t start = i_;
  while (i_ < seq.a.size() && j_ < seq.b.size() && seq.a[i_] == seq.b[j_]) {
    ++i_;
    ++j_;
  }
  if (i_ > start) settled_match_.emplace(i_ - 1, j_ - 1);
}

// Lines one run has and the other, complete, never has: any diff reports them, so they go
// without a window. This is what keeps runs that differ everywhere linear.
bool Aligner::SkipAbsent(const Sequences& seq) {
  bool moved = false;
  while (true) {
    const std::uint32_t i0 = i_;
    const std::uint32_t j0 = j_;
    if (seq.b_complete) {
      while (i_ < seq.a.size() && !seq.b_ids.Has(seq.a[i_])) ++i_;
    }
    if (seq.a_complete) {
      while (j_ < seq.b.size() && !seq.a_ids.Has(seq.b[j_])) ++j_;
    }
    if (i_ == i0 && j_ == j0) return moved;
    Emit({i0, i_ - i0, j0, j_ - j0});
    moved = true;
  }
}

// The furthest point inside a run of at least `min_run` equal lines that is within the
// limits on both sides, and how many window hunks come before it.
std::optional<Aligner::Cut> Aligner::FindCut(const std::vector<Hunk>& hunks, std::uint32_t wa,
                                             std::uint32_t limit_a, std::uint32_t limit_b,
                                             std::uint32_t min_run) {
  std::optional<Cut> best;
  std::uint32_t pa = 0;
  std::uint32_t pb = 0;
  for (std::size_t k = 0; k <= hunks.size(); ++k) {
    if (pa > limit_a || pb > limit_b) break;
    const std::uint32_t run = (k < hunks.size() ? hunks[k].a : wa) - pa;
    const std::uint32_t take = std::min({run, limit_a - pa, limit_b - pb});
    if (run >= min_run && take > 0) best = Cut{pa + take, pb + take, k};
    if (k < hunks.size()) {
      pa = hunks[k].a_end();
      pb = hunks[k].b_end();
    }
  }
  return best;
}

// How far into a window of `lines` a cut may go: all of it at the end of a complete run; 3/4
// of it otherwise; and never into a run's last `live_margin` lines while it goes on.
std::uint32_t Aligner::Limit(std::uint32_t lines, bool final, bool waiting) const {
  if (final) return lines;
  if (waiting)
    return lines > limits_.live_margin ? lines - std::max(lines / 4, limits_.live_margin) : 0;
  return lines - lines / 4;
}

// The last pair of equal lines in the window just diffed (relative to it), if any.
std::optional<std::pair<std::uint32_t, std::uint32_t>> Aligner::LastEqual(std::uint32_t wa,
                                                                          std::uint32_t wb) const {
  if (window_hunks_.empty()) return std::pair{wa - 1, wb - 1};
  const Hunk& last = window_hunks_.back();
  if (last.a_end() < wa) return std::pair{wa - 1, wb - 1};
  std::uint32_t before = 0;  // where the run of equal lines before `last` starts
  if (window_hunks_.size() > 1) before = window_hunks_[window_hunks_.size() - 2].a_end();
  if (last.a > before) return std::pair{last.a - 1, last.b - 1};
  return std::nullopt;  // hunks merge only across equal lines: none before the last one
}

// The window just diffed, from (i_, j_), becomes the provisional part. Its last hunk, when
// it reaches the end of the window, keeps only the sides whose counterpart is not waiting.
void Aligner::SetProvisional(std::uint32_t wa, std::uint32_t wb, bool keep_a, bool keep_b) {
  provisional_.clear();
  for (Hunk h : window_hunks_) {
    if (h.a_end() == wa && h.b_end() == wb) {
      if (!keep_a) h.a_len = 0;
      if (!keep_b) h.b_len = 0;
      if (h.a_len == 0 && h.b_len == 0) continue;
    }
    provisional_.push_back({h.a + i_, h.a_len, h.b + j_, h.b_len});
  }
  if (const auto last = LastEqual(wa, wb))
    provisional_match_.emplace(i_ + last->first, j_ + last->second);
}

Aligner::Status Aligner::Advance(const Sequences& seq,
                                 std::chrono::steady_clock::time_point deadline) {
  provisional_.clear();
  provisional_match_.reset();
  if (failed_) return Status::kFailed;
  const std::uint32_t na = Size(seq.a);
  const std::uint32_t nb = Size(seq.b);
  int windows = 0;
  while (true) {
    SkipEqual(seq);
    if (SkipAbsent(seq)) continue;
    if (i_ == na || j_ == nb) {
      // One run is used up: what the other has past it is inserted or deleted, once the
      // used-up one is complete.
      if (i_ == na && seq.a_complete) {
        Emit({i_, 0, j_, nb - j_});
        j_ = nb;
      }
      if (j_ == nb && seq.b_complete) {
        Emit({i_, na - i_, j_, 0});
        i_ = na;
      }
      const bool done = i_ == na && j_ == nb && seq.a_complete && seq.b_complete;
      return done ? Status::kDone : Status::kWaiting;
    }
    // Checked after the first window of a call, so that each call moves on.
    if (windows > 0 && std::chrono::steady_clock::now() >= deadline) return Status::kOutOfTime;
    ++windows;

    const std::uint32_t wa = std::min(window_, na - i_);
    const std::uint32_t wb = std::min(window_, nb - j_);
    if (!diff_.Diff(seq.a.subspan(i_, wa), seq.b.subspan(j_, wb), window_hunks_)) {
      failed_ = true;
      return Status::kFailed;
    }
    const bool final_a = seq.a_complete && i_ + wa == na;
    const bool final_b = seq.b_complete && j_ + wb == nb;
    if (final_a && final_b) {
      for (const Hunk& h : window_hunks_) Emit({h.a + i_, h.a_len, h.b + j_, h.b_len});
      if (const auto last = LastEqual(wa, wb))
        settled_match_.emplace(i_ + last->first, j_ + last->second);
      i_ = na;
      j_ = nb;
      continue;
    }
    // A run that goes on and whose lines all are in the window: what it prints next may
    // change the window's end, and a bigger window would not see more of it.
    const bool waiting_a = !seq.a_complete && i_ + wa == na;
    const bool waiting_b = !seq.b_complete && j_ + wb == nb;
    const std::uint32_t limit_a = Limit(wa, final_a, waiting_a);
    const std::uint32_t limit_b = Limit(wb, final_b, waiting_b);
    const bool can_grow =
        !waiting_a && !waiting_b && window_ < limits_.max_lines && (wa == window_ || wb == window_);
    std::optional<Cut> cut = FindCut(window_hunks_, wa, limit_a, limit_b, limits_.solid_run);
    // Any equal line will do once the window cannot grow, unless a run that goes on could
    // still show that line was matched by chance.
    if (!cut && !can_grow && !waiting_a && !waiting_b) {
      cut = FindCut(window_hunks_, wa, limit_a, limit_b, 1);
    }
    if (cut) {
      for (std::size_t k = 0; k < cut->hunks; ++k) {
        const Hunk& h = window_hunks_[k];
        Emit({h.a + i_, h.a_len, h.b + j_, h.b_len});
      }
      i_ += cut->a;
      j_ += cut->b;
      settled_match_.emplace(i_ - 1, j_ - 1);
      window_ = std::max(limits_.min_lines, window_ / 2);
      continue;
    }
    if (can_grow) {
      window_ = std::min(limits_.max_lines, window_ * 2);
      continue;
    }
    if (waiting_a || waiting_b) {
      SetProvisional(wa, wb, !waiting_b, !waiting_a);
      return Status::kWaiting;
    }
    // No equal line within the limits of the largest window: this much of both differs.
    Emit({i_, limit_a, j_, limit_b});
    i_ += limit_a;
    j_ += limit_b;
  }
}

std::size_t Aligner::MemoryBytes() const {
  return (settled_.capacity() + provisional_.capacity() + window_hunks_.capacity()) * sizeof(Hunk);
}

}  // namespace ssetail::compare
