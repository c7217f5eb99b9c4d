#include "stream_slots.hpp"

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
}

void StreamSlots::Release(bool finished) {
  std::lock_guard lock(mutex_);
  --open_;
  if (!finished) --unfinished_;
}

std::size_t StreamSlots::open() const {
  std::lock_guard lock(mutex_);
  return open_;
}

bool StreamSlots::AllFinished() const {
  std::lock_guard lock(mutex_);
  return unfinished_ == 0;
}

}  // namespace ssetail
