#include "serve/stream_slots.hpp"

namespace ssetail {

bool StreamSlots::TryAcquire() {
  std::lock_guard lock(mutex_);
  if (open_ >= max_) return false;
  ++open_;
  ++unfinished_;
  return true;
}

void StreamSlots::MarkFinished() {
  std::lock_guard lock(mutex_);
  --unfinished_;
  NotifyIfAllFinishedLocked();
}

void StreamSlots::Release(bool finished) {
  std::lock_guard lock(mutex_);
  --open_;
  if (!finished) {
    --unfinished_;
    NotifyIfAllFinishedLocked();
  }
}

bool StreamSlots::TryAcquireSearch() {
  std::lock_guard lock(mutex_);
  if (searches_ >= kMaxSearches) return false;
  ++searches_;
  return true;
}

void StreamSlots::ReleaseSearch() {
  std::lock_guard lock(mutex_);
  --searches_;
}

std::size_t StreamSlots::open() const {
  std::lock_guard lock(mutex_);
  return open_;
}

void StreamSlots::SetAllFinishedListener(std::function<void()> listener) {
  std::lock_guard lock(mutex_);
  all_finished_ = std::move(listener);
  NotifyIfAllFinishedLocked();
}

void StreamSlots::NotifyIfAllFinishedLocked() {
  if (unfinished_ == 0 && all_finished_) all_finished_();
}

}  // namespace ssetail
