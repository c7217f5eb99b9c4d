#include "indexer/run_indexer.hpp"

#include <sys/resource.h>
#include <unistd.h>

namespace ssetail {

RunIndexer::RunIndexer(const History& history, const RunRecord* record, index::IndexOptions options)
    : history_(history), record_(record), index_(options) {}

RunIndexer::~RunIndexer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wakeup_.Signal();
  if (thread_.joinable()) thread_.join();
}

void RunIndexer::Start() {
  thread_ = std::thread([this] { Run(); });
}

bool RunIndexer::WaitFinished(Clock::time_point deadline) const {
  std::unique_lock lock(mutex_);
  return finished_cv_.wait_until(lock, deadline, [this] { return done_; });
}

void RunIndexer::Run() {
  // The lowest priority: on a machine with fewer cores than busy threads (capture, the
  // command, the recorder), capture goes first and the index catches up when output pauses
  // (measured: bench scenario 1c was 46% slower at the same priority, within 2% at 19).
  setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 19);
  // Woken by every publish from now on; what was published before is read at once.
  const History::Subscription subscription = history_.Subscribe(wakeup_);
  for (;;) {
    wakeup_.Reset();  // before looking: a publish from now on wakes the next wait
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    const bool ended = IndexAvailable();
    Tell();
    if (ended) {
      std::unique_lock lock(mutex_);
      if (!index_.finished() || stopping_) return;
      lock.unlock();
      // Without the lock (the listener may write to a slow terminal while /status is
      // asked): a finished index is written no more, and readers only read.
      if (finished_listener_) finished_listener_(index_);
      lock.lock();
      done_ = true;
      finished_cv_.notify_all();
      return;
    }
    wakeup_.Wait();
  }
}

bool RunIndexer::IndexAvailable() {
  for (;;) {
    const History::Slice slice = history_.Read(cursor_);
    if (slice.status == History::ReadStatus::NothingNew) return false;
    // Memory no longer has some: the record does (unless --record-max dropped them); else
    // the jump of seqs is a gap for the index.
    if (slice.status == History::ReadStatus::Events && slice.missed > 0 && record_ != nullptr &&
        IndexFromRecord(slice.first_seq - 1)) {
      std::lock_guard lock(mutex_);
      if (stopping_) return true;  // (the record's reading stopped short for it)
      continue;
    }
    std::lock_guard lock(mutex_);
    if (stopping_) return true;
    if (slice.status == History::ReadStatus::Ended) {
      // Ended without `exit` (a relayed run whose publisher is gone): what was read is all.
      if (!index_.finished()) index_.Finish(last_t_);
      return true;
    }
    for (const EventView event : slice) {
      index_.Add(event.seq, event.type, event.data, event.t_ms, event.end);
      last_t_ = event.t_ms;
      if (event.type == EventType::Exit) index_.Finish(event.t_ms);
    }
    cursor_ = slice.next_seq;
    if (slice.reached_end) {
      if (!index_.finished()) index_.Finish(last_t_);
      return true;
    }
  }
}

bool RunIndexer::IndexFromRecord(std::uint64_t last) {
  if (!reader_) reader_ = std::make_unique<RecordReader>(*record_);
  bool any = false;
  while (cursor_ <= last) {
    // The index's lock from the first line read on, not across the read itself (a pread
    // the disk may take its time with). Stopping ends the reading; the caller then sees it.
    std::unique_lock lock(mutex_, std::defer_lock);
    bool stopped = false;
    const RecordReader::Result read =
        reader_->ReadEvents(cursor_, last, scratch_, [&](std::uint64_t, const record::Line& line) {
          if (!lock.owns_lock()) lock.lock();
          if (stopping_) {
            stopped = true;
            return false;
          }
          index_.Add(line.seq, line.type, IsOutput(line.type) ? line.text : line.data, line.t_ms,
                     line.end);
          last_t_ = line.t_ms;
          return true;
        });
    if (stopped) return true;  // the caller sees stopping_ and returns
    if (!read.appended) break;
    any = true;
    cursor_ = read.next_seq;
  }
  return any;
}

void RunIndexer::Tell() {
  if (!listener_) return;
  const index::Counts counts = Read([](const index::RunIndex& index) { return index.counts(); });
  if (counts.errors == told_.errors && counts.warnings == told_.warnings) return;
  told_ = counts;
  listener_(counts);
}

}  // namespace ssetail
