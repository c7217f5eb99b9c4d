// One window of the alignment, by libgit2's buffer diff (git_diff_buffers) with the
// patience algorithm: the diff is the library's, not ours (SPEC §14). Each line id becomes a
// short text line, so libgit2 hashes and compares 7 bytes per line whatever the line's length.
// libgit2 1.5 exposes patience and Myers (minimal or not), not histogram; docs/compare.md says
// why patience and libgit2 rather than dtl. One BufferDiff per thread (it reuses its buffers).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "compare/hunk.hpp"

namespace ssetail::compare {

class BufferDiff {
 public:
  BufferDiff();

  // The hunks turning `b` (the other run's ids) into `a` (this run's), in order, positions
  // relative to the spans. False if libgit2 failed (out of memory): `hunks` is then partial.
  bool Diff(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b,
            std::vector<Hunk>& hunks);

 private:
  std::string a_text_;
  std::string b_text_;
};

}  // namespace ssetail::compare
