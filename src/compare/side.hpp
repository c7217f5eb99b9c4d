// The two runs of a comparison. Pure.
#pragma once

#include <cstdint>

namespace ssetail::compare {

// `This`: the run served (its lines are the hunks' "ids"); `Other`: the run it is compared
// with (the hunks' "with_ids").
enum class Side : std::uint8_t { This = 0, Other = 1 };

constexpr int Index(Side side) {
  return static_cast<int>(side);
}

}  // namespace ssetail::compare
