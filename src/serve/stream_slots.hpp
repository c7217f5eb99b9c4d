// Counts the open event streams (for --max-clients), and those that have not received the
// final event yet (ssetail waits for them, briefly, before it exits); and the /search
// requests under way, which have a small cap of their own (kMaxSearches): each takes a
// core while it runs, and 100 of them at once took 600 MB and slowed capture (issue 19.9).
#pragma once

#include <cstddef>
#include <functional>
#include <mutex>

namespace ssetail {

class StreamSlots {
 public:
  explicit StreamSlots(std::size_t max) : max_(max) {}
  bool TryAcquire();
  void MarkFinished();          // this stream has sent the final event
  void Release(bool finished);  // the stream ended (finished: MarkFinished was called)
  std::size_t open() const;

  static constexpr std::size_t kMaxSearches = 4;
  bool TryAcquireSearch();  // false: as many searches as allowed are under way
  void ReleaseSearch();

  // `listener` runs (on the thread that changed the count, under the slots' lock: it must
  // only signal) each time no open stream is left without the final event, and at once if
  // that is already so. Null: none.
  void SetAllFinishedListener(std::function<void()> listener);

 private:
  void NotifyIfAllFinishedLocked();

  const std::size_t max_;
  mutable std::mutex mutex_;
  std::size_t open_ = 0;
  std::size_t unfinished_ = 0;
  std::size_t searches_ = 0;
  std::function<void()> all_finished_;
};

}  // namespace ssetail
