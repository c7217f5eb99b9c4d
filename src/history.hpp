// The one shared, bounded event history (SPEC §4 "Slow and many clients").
//
// One producer (the capture loop) appends events; any number of readers (one per HTTP
// stream) each hold only a cursor, the sequence number of the next event they want.
// Events are encoded to SSE bytes once, on append, into large append-only blocks; readers
// copy a small description of what is new under the lock and then write the block's bytes
// to their socket without the lock, holding a shared_ptr that keeps an evicted block alive
// until they are done with it. So memory depends on the limits, not on the number of
// readers or on how slow they are; a reader that falls behind the retained window is told
// how many events it missed and goes on from the oldest retained one.
//
// The first event (`start`) is pinned outside the limits so every replay begins with it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "block_pool.hpp"
#include "event.hpp"
#include "sse_format.hpp"

namespace ssetail {

struct HistoryLimits {
  std::size_t max_events = 100000;
  std::size_t max_bytes = 64 << 20;
};

// Where one event sits in its block, and what the JSON flavour needs to re-encode it.
struct EventRecord {
  std::uint32_t offset;       // of the encoded event within the block
  std::uint32_t size;         // encoded bytes, "id: ..." up to and including the blank line
  std::uint32_t data_offset;  // of the `data:` payload within the encoded event
  std::uint32_t t_ms;         // milliseconds since the run started
  EventType type;
  SegmentEnd end;

  std::string_view Data(const char* block_bytes) const {
    return {block_bytes + offset + data_offset, size - data_offset - 2};
  }
};

struct HistoryBlock {
  HistoryBlock(std::size_t capacity, std::uint64_t first_seq);
  ~HistoryBlock();
  HistoryBlock(const HistoryBlock&) = delete;
  HistoryBlock& operator=(const HistoryBlock&) = delete;
  std::unique_ptr<char[]> bytes;  // pooled (see block_pool.hpp) when capacity is the default
  std::size_t capacity;
  std::size_t used = 0;  // bytes below this are complete events and never change again
  std::uint64_t first_seq;
  std::vector<EventRecord> records;  // only touched under the history's lock
};

struct HistoryStats {
  std::uint64_t stdout_events = 0;
  std::uint64_t stderr_events = 0;
  std::uint64_t dropped = 0;  // events evicted by --history / --history-bytes
  std::uint64_t retained = 0;
  std::size_t retained_bytes = 0;
  std::uint64_t last_seq = 0;
  bool closed = false;
};

class History {
 public:
  static constexpr std::size_t kBlockBytes = BlockPool::kBufferBytes;

  History(std::string run_id, HistoryLimits limits);
  History(const History&) = delete;
  History& operator=(const History&) = delete;

  const std::string& run_id() const { return run_id_; }

  // Appends a batch of events under one lock acquisition and one wake-up of the readers.
  // Only one Writer may exist at a time (there is one producer).
  class Writer {
   public:
    explicit Writer(History& history);
    ~Writer();
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;
    // `data` must hold no CR or LF. Returns the event's sequence number.
    std::uint64_t Append(EventType type, std::string_view data, std::uint32_t t_ms,
                         SegmentEnd end = SegmentEnd::Newline);

   private:
    History& history_;
    std::unique_lock<std::mutex> lock_;
    bool appended_ = false;
  };

  // Appends the final event: readers receive everything up to it and then end.
  void AppendLast(EventType type, std::string_view data, std::uint32_t t_ms);

  // The server is stopping: every waiting reader returns at once.
  void Shutdown();

  // Called after each batch of appends, after the final event and on Shutdown, under the
  // history's lock: it must only signal (the stream pump writes to an eventfd).
  void SetAppendListener(std::function<void()> listener);

  enum class ReadStatus { Events, Timeout, Ended, Shutdown };

  struct Slice {
    ReadStatus status = ReadStatus::Timeout;
    std::shared_ptr<const HistoryBlock> block;  // keeps `bytes` alive without the lock
    std::string_view bytes;                     // the encoded events, back to back
    std::uint64_t first_seq = 0;                // of the first event in `bytes`
    std::uint64_t next_seq = 0;                 // the reader's cursor after this slice
    std::uint64_t missed = 0;                   // events wanted but no longer retained
    bool reached_end = false;                   // the slice ends with the final event
  };

  // Returns the retained events from `cursor` on (at most one block's worth), waiting until
  // `deadline` for some to exist. With `records`, also copies their records (for re-encoding).
  Slice Read(std::uint64_t cursor, std::chrono::steady_clock::time_point deadline,
             std::vector<EventRecord>* records = nullptr);

  // Where a client resuming after event `seq` of this run should continue: seq + 1, or 1
  // (replay from the start) when `seq` names no event of this run.
  std::uint64_t CursorAfter(std::uint64_t seq) const;

  // True when `seq` is the final event: a client that has it needs nothing more.
  bool IsLastEvent(std::uint64_t seq) const;

  HistoryStats Stats() const;

  // The data of the first event (`start`), or empty before it exists.
  std::string FirstEventData() const;
  // The data of the final event (`exit`) once it exists.
  std::optional<std::string> LastEventData() const;

 private:
  void AppendLocked(EventType type, std::string_view data, std::uint32_t t_ms, SegmentEnd end);
  void EvictLocked();  // once per batch: whole blocks at a time where possible
  std::shared_ptr<HistoryBlock> NewBlockLocked(std::size_t bytes, std::uint64_t first_seq);

  const std::string run_id_;
  sse::IdLine id_line_;  // of the next event
  const HistoryLimits limits_;

  mutable std::mutex mutex_;
  std::condition_variable wakeup_;
  std::function<void()> listener_;
  std::shared_ptr<HistoryBlock> head_;                // the pinned first event
  std::deque<std::shared_ptr<HistoryBlock>> blocks_;  // the rest, oldest first
  std::shared_ptr<HistoryBlock> spare_;               // an evicted block no reader holds, for reuse
  std::uint64_t next_seq_ = 1;
  std::uint64_t first_retained_ = 2;  // oldest event still in blocks_ (if any)
  std::size_t retained_bytes_ = 0;
  std::uint64_t stdout_events_ = 0;
  std::uint64_t stderr_events_ = 0;
  bool closed_ = false;
  bool shutdown_ = false;
};

}  // namespace ssetail
