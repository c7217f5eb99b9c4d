// What fills a run's History from elsewhere (a relay's Redis stream): the counterpart of a
// command's pipes or of --view's file, for runs that are opened and closed while ssetail
// serves (run.hpp).
#pragma once

#include <functional>

namespace ssetail {

class RunSource {
 public:
  // Stops its thread (a wait under way ends at once) and joins it.
  virtual ~RunSource() = default;
  // Starts appending to the History on a thread of its own. Calls `ended` once, from that
  // thread, after the History got its final event or was ended without one (lost), not
  // when it is stopped. Once.
  virtual void Start(std::function<void()> ended) = 0;
  // Tells the thread to end, without waiting for it. From any thread.
  virtual void RequestStop() = 0;
};

}  // namespace ssetail
