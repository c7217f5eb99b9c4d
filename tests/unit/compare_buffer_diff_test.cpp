#include "compare/buffer_diff.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace ssetail::compare;

namespace {
std::vector<Hunk> Diff(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b) {
  BufferDiff diff;
  std::vector<Hunk> hunks;
  REQUIRE(diff.Diff(a, b, hunks));
  return hunks;
}
}  // namespace

TEST_CASE("compare: BufferDiff gives libgit2's hunks as positions in both sequences") {
  // Positions of an empty side: git's header names the line before it, 1-based.
  CHECK(Diff({9, 1, 2}, {1, 2}) == std::vector<Hunk>{{0, 1, 0, 0}});
  CHECK(Diff({1, 2, 9}, {1, 2}) == std::vector<Hunk>{{2, 1, 2, 0}});
  CHECK(Diff({1, 2}, {9, 1, 2}) == std::vector<Hunk>{{0, 0, 0, 1}});
  CHECK(Diff({1, 2}, {1, 2, 9}) == std::vector<Hunk>{{2, 0, 2, 1}});
  CHECK(Diff({1, 7, 3, 4, 8, 8}, {1, 2, 3, 4}) == std::vector<Hunk>{{1, 1, 1, 1}, {4, 2, 4, 0}});
  CHECK(Diff({}, {1}) == std::vector<Hunk>{{0, 0, 0, 1}});
  CHECK(Diff({1}, {}) == std::vector<Hunk>{{0, 1, 0, 0}});
  CHECK(Diff({}, {}).empty());
  CHECK(Diff({5, 6}, {5, 6}).empty());
  // Ids of every size, 0 included, stay distinct through the text lines libgit2 sees.
  CHECK(Diff({0, 0xffffffffu, 64}, {0, 0xfffffffeu, 64}) == std::vector<Hunk>{{1, 1, 1, 1}});
}

TEST_CASE("compare: BufferDiff is patience: lines unique on both sides anchor the alignment") {
  // 1 and 2 appear once each side; the repeated 0s do not pull the alignment.
  CHECK(Diff({1, 0, 0, 2, 0}, {0, 1, 0, 0, 2}) == std::vector<Hunk>{{0, 0, 0, 1}, {4, 1, 5, 0}});
}
