// A difference between two runs' lines, by position. Pure.
#pragma once

#include <cstdint>

namespace ssetail::compare {

// Lines [a, a + a_len) of this run stand where lines [b, b + b_len) of the other run stood:
// a_len == 0 is a deletion (before this run's line a), b_len == 0 an insertion.
struct Hunk {
  std::uint32_t a = 0;
  std::uint32_t a_len = 0;
  std::uint32_t b = 0;
  std::uint32_t b_len = 0;

  std::uint32_t a_end() const { return a + a_len; }
  std::uint32_t b_end() const { return b + b_len; }
  friend bool operator==(const Hunk&, const Hunk&) = default;
};

}  // namespace ssetail::compare
