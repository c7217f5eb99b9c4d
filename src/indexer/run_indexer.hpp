// The run's indexer (SPEC §12): a reader of the History on a thread of its own that feeds
// every event into the run's RunIndex, where the run is served (a command, `--view`, a
// relay's run).
//
// Like an SSE stream it holds only a cursor: capture never waits for it. It subscribes to
// the History and sleeps until a publish wakes it, then indexes everything new. What left
// memory before it read it comes from the run record when there is one; otherwise the index
// sees a jump of seqs (a gap). The final `exit` event finishes the index; so does the
// History's end without one (a lost relayed run).
//
// Outlets (/problems, /sections, /status, the terminal summary) read the index with Read,
// under a mutex the indexer holds while it adds one slice of events.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "base/wakeup.hpp"
#include "history/history.hpp"
#include "index/run_index.hpp"
#include "record/record_reader.hpp"
#include "record/run_record.hpp"

namespace ssetail {

class RunIndexer {
 public:
  using Clock = std::chrono::steady_clock;
  // Called on the indexer's thread, outside its lock, each time the error or warning count
  // changes (and once with the final counts): for the publisher's meta hash. Must be quick.
  using CountsListener = std::function<void(const index::Counts&)>;
  // Called on the indexer's thread once the index is finished (not when it was stopped
  // before), before WaitFinished returns: the terminal summary. The index is complete and
  // no longer written: it is read without the lock.
  using FinishedListener = std::function<void(const index::RunIndex&)>;

  // `record` may be null (--no-record). Both must outlive the indexer.
  RunIndexer(const History& history, const RunRecord* record, index::IndexOptions options);
  // Stops the thread (at once, wherever it is) and joins it.
  ~RunIndexer();
  RunIndexer(const RunIndexer&) = delete;
  RunIndexer& operator=(const RunIndexer&) = delete;

  // Before Start.
  void SetCountsListener(CountsListener listener) { listener_ = std::move(listener); }
  void SetFinishedListener(FinishedListener listener) { finished_listener_ = std::move(listener); }

  // Starts the thread. Throws std::system_error when there is none to be had.
  void Start();

  // `fn(const index::RunIndex&)` under the index's lock; its result is returned. From any
  // thread; keep it short (it holds the indexer up).
  template <typename Fn>
  auto Read(Fn&& fn) const {
    std::lock_guard lock(mutex_);
    return std::forward<Fn>(fn)(index_);
  }

  // Waits until the index is finished (the run's end was read and indexed) and the listeners
  // were told, at most until `deadline`. True when it is.
  bool WaitFinished(Clock::time_point deadline) const;

 private:
  void Run();
  // Indexes what the History holds from cursor_ on. True once the run's end was indexed.
  bool IndexAvailable();
  // Events cursor_..`last` from the record (memory lost them): false when it holds none.
  bool IndexFromRecord(std::uint64_t last);
  void Tell();  // the listener, when the counts changed

  const History& history_;
  const RunRecord* const record_;
  CountsListener listener_;
  FinishedListener finished_listener_;

  // The thread's own.
  std::uint64_t cursor_ = 1;  // the next event to index
  std::uint32_t last_t_ = 0;  // the time of the last event indexed
  std::unique_ptr<RecordReader> reader_;
  std::string scratch_;
  index::Counts told_;

  Wakeup wakeup_;  // by the History's publishes and the destructor
  mutable std::mutex mutex_;
  mutable std::condition_variable finished_cv_;
  index::RunIndex index_;
  bool stopping_ = false;
  bool done_ = false;  // finished, and the listeners told
  std::thread thread_;
};

}  // namespace ssetail
