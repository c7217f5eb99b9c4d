// The one way ssetail tells the person running it that something went wrong but it goes on:
// "ssetail: warning: TEXT", one line on stderr. (Fatal start-up errors are StartupError's,
// printed by main; the serving line and the summary are main's own.)
//
// Scripts read ssetail's first stderr line for the port: between HoldWarnings (main, at
// start) and ReleaseWarnings (just after the serving line), warnings are kept, then printed
// in order. From any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string_view>

namespace ssetail {

// "ssetail: warning: TEXT".
void Warn(std::string_view text);

// "ssetail: TEXT": news that is not a fault (Redis is back, a summary).
void Say(std::string_view text);

// Keeps warnings (and Say's lines) from now on instead of printing them.
void HoldWarnings();
// Prints what was kept, and from now on prints at once.
void ReleaseWarnings();

// A warning about a fault that can repeat (a bad Redis entry, a flaky connection): the
// first is printed, then at most one per `every`, saying how many were not.
class RepeatedWarning {
 public:
  explicit RepeatedWarning(std::chrono::seconds every) : every_(every) {}
  // False when it was counted, not printed.
  bool Warn(std::string_view text);

 private:
  const std::chrono::seconds every_;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point last_{};
  bool printed_ = false;
  std::uint64_t unprinted_ = 0;
};

}  // namespace ssetail
