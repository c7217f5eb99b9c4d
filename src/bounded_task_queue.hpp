// A task queue for cpp-httplib that grows one thread per connection up to a cap.
//
// httplib serves each connection on one task for its whole life, and an SSE stream lives as
// long as the run, so its fixed 8-thread default pool would stall the ninth client and even
// the page. Threads are created only when connections need them (an idle ssetail has none)
// and end when no connection is queued; above the cap, connections wait in the queue.
#pragma once

#include <httplib.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace ssetail {

class BoundedTaskQueue : public httplib::TaskQueue {
 public:
  explicit BoundedTaskQueue(std::size_t max_threads) : max_threads_(max_threads) {}

  void enqueue(std::function<void()> task) override {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(task));
    if (threads_ < max_threads_ && queue_.size() > idle_) {
      ++threads_;
      std::thread([this] { Work(); }).detach();
    } else {
      wakeup_.notify_one();
    }
  }

  // Waits for every running task: httplib calls this after it stopped accepting.
  void shutdown() override {
    std::unique_lock lock(mutex_);
    stopping_ = true;
    wakeup_.notify_all();
    all_done_.wait(lock, [this] { return threads_ == 0; });
  }

 private:
  void Work() {
    std::unique_lock lock(mutex_);
    for (;;) {
      if (queue_.empty()) {
        // Linger briefly so a burst of short requests (page + assets) reuses threads.
        ++idle_;
        wakeup_.wait_for(lock, std::chrono::seconds(2),
                         [this] { return stopping_ || !queue_.empty(); });
        --idle_;
        if (queue_.empty()) break;
      }
      auto task = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      task();
      lock.lock();
    }
    if (--threads_ == 0) all_done_.notify_all();
  }

  const std::size_t max_threads_;
  std::mutex mutex_;
  std::condition_variable wakeup_;
  std::condition_variable all_done_;
  std::deque<std::function<void()>> queue_;
  std::size_t threads_ = 0;
  std::size_t idle_ = 0;
  bool stopping_ = false;
};

}  // namespace ssetail
