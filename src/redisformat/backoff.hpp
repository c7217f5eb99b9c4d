// How long to wait before trying Redis again (SPEC §10): 0.1 s after the first failure,
// doubling up to 5 s; back to 0.1 s after a success. Pure; the publisher and each relayed
// run's reader keep one each.
#pragma once

#include <algorithm>
#include <chrono>

namespace ssetail {

class Backoff {
 public:
  static constexpr std::chrono::milliseconds kFirst{100};
  static constexpr std::chrono::milliseconds kMax{5000};

  // The wait before the next attempt; each call doubles the following one.
  std::chrono::milliseconds Next() {
    const auto wait = next_;
    next_ = std::min(next_ * 2, kMax);
    return wait;
  }
  void Reset() { next_ = kFirst; }

 private:
  std::chrono::milliseconds next_ = kFirst;
};

}  // namespace ssetail
