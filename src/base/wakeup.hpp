// How a thread is woken by another without polling: an eventfd that any thread signals and
// one owner waits on (with poll, or inside its own epoll set through fd()).
//
// Signals coalesce: after the first one, further signals cost an atomic exchange, no system
// call, until the owner resets it. The owner's loop is always: Reset(), then look at what it
// waits for (a History, a stop flag), then Wait(). A signal that comes between Reset and the
// look is either seen by the look or makes the next Wait return at once, so none is lost.
#pragma once

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <system_error>

#include "base/unique_fd.hpp"

namespace ssetail {

class Wakeup {
 public:
  using Clock = std::chrono::steady_clock;

  // Throws std::system_error when the kernel has no eventfd to give (out of descriptors).
  Wakeup() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (!fd_) throw std::system_error(errno, std::generic_category(), "eventfd");
  }
  Wakeup(const Wakeup&) = delete;
  Wakeup& operator=(const Wakeup&) = delete;

  // Wakes the owner. From any thread, also under other locks (it never blocks).
  void Signal() {
    if (pending_.exchange(true)) return;
    const std::uint64_t one = 1;
    // Fails only when the counter is full (EAGAIN): the descriptor is readable anyway.
    [[maybe_unused]] const auto written = ::write(fd_.get(), &one, sizeof one);
  }

  // The owner: forgets the signals so far. Look at what you wait for after this, not before.
  void Reset() {
    // Drained first: a signal from now until the store below writes nothing, but comes
    // before the owner looks. The other order would leave it pending with nothing to read,
    // and every later signal would be skipped.
    std::uint64_t count;
    [[maybe_unused]] const auto n = ::read(fd_.get(), &count, sizeof count);
    pending_.store(false);
  }

  // The owner: waits until signalled (true) or `deadline` (false). Does not reset.
  bool WaitUntil(Clock::time_point deadline) {
    for (;;) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return Signalled(0);
      if (Signalled(static_cast<int>(std::min<std::int64_t>(left.count(), 1 << 30)))) return true;
    }
  }

  // The owner: waits until signalled, however long that takes.
  void Wait() {
    while (!Signalled(-1)) {
    }
  }

  // For an owner that waits in its own poll or epoll set: readable when signalled.
  int fd() const { return fd_.get(); }

 private:
  bool Signalled(int timeout_ms) {
    pollfd p{fd_.get(), POLLIN, 0};
    return ::poll(&p, 1, timeout_ms) > 0;  // EINTR: the caller looks at the clock again
  }

  UniqueFd fd_;
  std::atomic<bool> pending_{false};
};

}  // namespace ssetail
