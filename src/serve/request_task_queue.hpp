// The task queue of ssetail's httplib server: a thread per connection, created when one is
// needed, up to a cap; threads end when no connection is queued.
//
// A connection holds its thread only while it is answered: an /events stream is handed to
// the StreamPump once its headers are sent. What can hold threads longer is a client that
// is slow to send its request (at most the 10 s request deadline) or keeps an idle
// keep-alive connection (at most 5 s). httplib's own pool is fixed at 8 threads (compiled
// into its .so): nine such clients would stall the page. An idle ssetail has no thread here.
#pragma once

#include <httplib.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace ssetail {

class RequestTaskQueue : public httplib::TaskQueue {
 public:
  // Each of --max-clients viewers may hold a keep-alive connection (the page, /status) next
  // to its stream, plus room for others: above the cap, connections wait in the queue.
  static constexpr std::size_t ThreadsFor(std::size_t max_clients) { return max_clients + 32; }

  explicit RequestTaskQueue(std::size_t max_threads) : max_threads_(max_threads) {}

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
