#include "base/wakeup.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>

using namespace ssetail;
using namespace std::chrono_literals;

TEST_CASE("wakeup: a signal wakes the owner until it resets; a wait without one times out") {
  Wakeup wakeup;
  CHECK_FALSE(wakeup.WaitUntil(Wakeup::Clock::now() + 10ms));
  wakeup.Signal();
  wakeup.Signal();  // coalesced
  CHECK(wakeup.WaitUntil(Wakeup::Clock::now()));
  CHECK(wakeup.WaitUntil(Wakeup::Clock::now()));  // waiting does not reset
  wakeup.Reset();
  CHECK_FALSE(wakeup.WaitUntil(Wakeup::Clock::now()));
  wakeup.Signal();  // after a reset, a signal counts again
  CHECK(wakeup.WaitUntil(Wakeup::Clock::now()));
}

// An owner that waits, resets, then looks (as the stream pump does), against a producer
// that publishes then signals, a few microseconds apart, so that signals land at every
// point of the owner's loop. A lost signal leaves the owner waiting while every later
// signal is skipped: its 5 s wait then fails the test.
TEST_CASE("wakeup: no signal is lost between reset and wait") {
  constexpr int kSignals = 200000;
  Wakeup wakeup;
  std::atomic<int> published = 0;
  std::thread producer([&] {
    for (int i = 1; i <= kSignals; ++i) {
      published.store(i);
      wakeup.Signal();
      const auto until = Wakeup::Clock::now() + 2us;
      while (Wakeup::Clock::now() < until) {
      }
    }
  });
  int seen = 0;
  bool lost = false;
  while (seen < kSignals) {
    if (!wakeup.WaitUntil(Wakeup::Clock::now() + 5s)) {
      lost = true;
      break;
    }
    wakeup.Reset();
    seen = published.load();
  }
  producer.join();
  CHECK_FALSE(lost);
}
