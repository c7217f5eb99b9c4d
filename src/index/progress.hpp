// The run's progress (SPEC §12) from the build tools' line prefixes.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace ssetail::index {

struct Fraction {
  std::uint64_t done = 0;
  std::uint64_t total = 0;
  bool operator==(const Fraction&) const = default;
};

// `[n/m] ` at the start of a line (ninja, CMake with ninja; n ≤ m, m > 0), or `[ NN%] `
// (CMake's makefiles; NN ≤ 100, as n of 100). Nothing for any other line.
std::optional<Fraction> ParseProgress(std::string_view text);

// The last fraction seen, and when: the line's first event and its time.
struct Progress {
  Fraction fraction;
  std::uint64_t seq = 0;
  std::uint32_t t_ms = 0;
};

}  // namespace ssetail::index
