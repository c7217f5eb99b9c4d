// The one way the unit tests wait for another thread: poll a condition until it holds or a
// deadline passes, then let the test assert the result. Never a bare sleep, never forever.
#pragma once

#include <chrono>
#include <thread>

namespace ssetail::testing {

// True once `condition()` holds; false when `limit` passed first.
template <typename Condition>
bool WaitUntil(Condition condition, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

}  // namespace ssetail::testing
