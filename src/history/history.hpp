// The one shared, bounded event history (SPEC §4 "Slow and many clients").
//
// One producer (capture, `--view`'s reader, or a relay's Redis source) appends events; any
// number of readers (the stream pump, the recorder, the publisher, the indexer, /log) each
// hold only a cursor, the sequence number of the next event they want. Events are encoded to
// SSE bytes once, on append, into large append-only blocks; a reader takes a Slice under the
// lock and then uses its bytes without the lock, the slice keeping an evicted block alive
// until it is done. So memory depends on the limits, not on the number of readers or on how
// slow they are; a reader that falls behind the retained window is told how many events it
// missed and goes on from the oldest retained one.
//
// The first event (`start`) is pinned outside the limits so every replay begins with it.
// Reads never wait. A reader that has read everything waits on its own Wakeup, which it
// subscribed: the History signals every subscriber after each batch it publishes.
//
// Write-ahead (SPEC §8): with a run record, an appended event is *published* (readable by
// Read, and signalled to subscribers) only once the recorder has handed it to the kernel;
// the recorder is woken by appends (SetWriteAhead), reads them with ReadUnpublished and calls
// Publish. Without one, appends publish at once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/wakeup.hpp"
#include "events/event.hpp"
#include "events/sse_format.hpp"

namespace ssetail {

struct HistoryLimits {
  std::size_t max_events = 100000;
  std::size_t max_bytes = 64 << 20;
};

struct HistoryStats {
  std::uint64_t stdout_events = 0;
  std::uint64_t stderr_events = 0;
  std::uint64_t dropped = 0;  // events evicted by --history / --history-bytes
  std::uint64_t retained = 0;
  std::size_t retained_bytes = 0;
  std::uint64_t last_seq = 0;            // the last published event
  std::uint64_t unrecorded_evicted = 0;  // events that left memory before the recorder had them
  bool closed = false;
  bool ended_without_final = false;  // closed by End(), not by a final event: a lost run
};

// One event of a slice, as a reader sees it; its views live as long as the slice.
struct EventView {
  std::uint64_t seq;
  EventType type;
  SegmentEnd end;
  std::uint32_t t_ms;        // milliseconds since the run started
  std::string_view data;     // the `data:` payload
  std::string_view encoded;  // the whole event on the wire, from its id line to the blank line
};

class History {
 public:
  History(std::string run_id, HistoryLimits limits);
  ~History();
  History(const History&) = delete;
  History& operator=(const History&) = delete;

  const std::string& run_id() const { return run_id_; }

  // Appends a batch of events under one lock acquisition and one call of the listener.
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
    // The next event gets sequence number `seq` (> the last one): the ones between were
    // dropped before they reached us (a capped record being viewed). Readers get a gap.
    void SkipTo(std::uint64_t seq);

   private:
    History& history_;
    std::unique_lock<std::mutex> lock_;
    bool appended_ = false;
  };

  // Appends the final event: readers receive everything up to it and then end.
  void AppendLast(EventType type, std::string_view data, std::uint32_t t_ms);

  // Ends the run without a final event (a relay's copy of a run whose publisher is gone):
  // readers receive everything appended so far and then end, as after `exit`. From the
  // producer, after its last Writer; not after a SkipTo with no event after it.
  void End();

  class Subscription;
  // Signals `wakeup` after each batch of events is published, and when the run ends, for as
  // long as the returned subscription lives (it must not outlive the History or `wakeup`).
  // From any thread.
  [[nodiscard]] Subscription Subscribe(Wakeup& wakeup) const;

  // Write-ahead: from now on appends are not published but signal `recorder`, which writes
  // them and calls Publish. Null: appends publish at once again (no record, or the record
  // stopped), and what was pending is published now. From the recorder's owner.
  void SetWriteAhead(Wakeup* recorder);

  // Makes the events up to `seq` readable and signals the subscribers. The recorder's.
  void Publish(std::uint64_t seq);

  // Called by the producer after a batch. While the recorder is far behind (the events it
  // has not written take more than kUnrecordedBytes / 2 of memory), waits for it to
  // catch up, but never more than `patience` without it writing anything: a busy recorder
  // slows capture down to its pace, a stalled disk does not stop capture (the events that
  // then leave memory unwritten are lost to the record). Returns at once without a recorder.
  void WaitForRecorder(std::chrono::milliseconds patience = std::chrono::milliseconds(100));

  enum class ReadStatus {
    Events,      // the slice holds events
    NothingNew,  // none after the cursor yet
    Ended,       // none after the cursor, and there will be none: the run is over
  };
  class Slice;

  // The retained, published events from `cursor` on (at most one block's worth). Never
  // waits.
  Slice Read(std::uint64_t cursor) const;

  // The same for the recorder: appended events, published or not, with their fields.
  Slice ReadUnpublished(std::uint64_t cursor) const;

  // Where a client resuming after event `seq` of this run should continue: seq + 1, or 1
  // (replay from the start) when `seq` names no event of this run. In a copy (SetCopy), an
  // id past the last event while the run goes on is one the copy has yet to read: seq + 1.
  std::uint64_t CursorAfter(std::uint64_t seq) const;

  // This History copies a run whose events exist elsewhere (a relay's, read from Redis): a
  // client may come with an id another copy gave it before this one has read that far. From
  // the producer, before any reader comes.
  void SetCopy() { copy_ = true; }

  // True when `seq` is the final event: a client that has it needs nothing more.
  bool IsLastEvent(std::uint64_t seq) const;

  HistoryStats Stats() const;

  // The data of the first event (`start`) once it is published.
  std::optional<std::string> FirstEventData() const;

  // The data of the final event (`exit`) once it is published; nothing for a run that
  // ended without one (End).
  std::optional<std::string> LastEventData() const;

 private:
  struct Block;
  // Where one event sits in its block.
  struct Record {
    std::uint32_t offset;       // of the encoded event within the block
    std::uint32_t size;         // encoded bytes, "id: ..." up to and including the blank line
    std::uint32_t data_offset;  // of the `data:` payload within the encoded event
    std::uint32_t t_ms;
    EventType type;
    SegmentEnd end;
  };

  void PublishLocked(std::uint64_t seq, std::uint64_t bytes);
  void AppendLocked(EventType type, std::string_view data, std::uint32_t t_ms, SegmentEnd end);
  void AppendedLocked();  // after a batch: evict, then publish or tell the recorder
  Slice ReadLocked(std::uint64_t cursor, std::uint64_t last) const;
  void EvictLocked();  // once per batch: whole blocks at a time where possible
  void EvictDownToLocked(std::size_t max_events, std::size_t max_bytes, std::uint64_t keep_from);
  std::shared_ptr<Block> NewBlockLocked(std::size_t bytes, std::uint64_t first_seq);
  std::uint64_t BytesThroughLocked(std::uint64_t seq) const;

  const std::string run_id_;
  sse::IdLine id_line_;  // of the next event
  const HistoryLimits limits_;
  bool copy_ = false;  // SetCopy: set before readers come, then only read

  mutable std::mutex mutex_;
  mutable std::vector<Wakeup*> subscribers_;
  Wakeup* write_ahead_ = nullptr;         // the recorder, while there is one
  std::condition_variable published_cv_;  // for WaitForRecorder
  bool recorder_stalled_ = false;         // it did not write for a whole patience
  std::uint64_t unrecorded_evicted_ = 0;
  std::shared_ptr<Block> head_;                // the pinned first event
  std::deque<std::shared_ptr<Block>> blocks_;  // the rest, oldest first
  std::uint64_t next_seq_ = 1;
  std::uint64_t published_ = 0;  // the last event readers may see
  // Encoded bytes appended and published so far: their difference is what the recorder has
  // yet to write, which WaitForRecorder keeps small.
  std::uint64_t appended_bytes_ = 0;
  std::uint64_t published_bytes_ = 0;
  bool new_block_ = false;            // after SkipTo: blocks hold consecutive events only
  std::uint64_t first_retained_ = 2;  // oldest event still in blocks_ (if any)
  std::size_t retained_bytes_ = 0;
  std::uint64_t stdout_events_ = 0;
  std::uint64_t stderr_events_ = 0;
  bool closed_ = false;
  bool ended_without_final_ = false;
};

// A reader's registration for wake-ups; ends when destroyed (or Cancel). Movable.
class History::Subscription {
 public:
  Subscription() = default;
  Subscription(Subscription&& other) noexcept
      : history_(std::exchange(other.history_, nullptr)), wakeup_(other.wakeup_) {}
  Subscription& operator=(Subscription&& other) noexcept {
    if (this != &other) {
      Cancel();
      history_ = std::exchange(other.history_, nullptr);
      wakeup_ = other.wakeup_;
    }
    return *this;
  }
  ~Subscription() { Cancel(); }

  // No more signals from now on (none is under way when this returns).
  void Cancel();
  explicit operator bool() const { return history_ != nullptr; }

 private:
  friend class History;
  Subscription(const History* history, Wakeup* wakeup) : history_(history), wakeup_(wakeup) {}
  const History* history_ = nullptr;
  Wakeup* wakeup_ = nullptr;
};

// Consecutive events read at once. It keeps their block alive, so its bytes stay valid
// without the history's lock for as long as the slice lives.
class History::Slice {
 public:
  ReadStatus status = ReadStatus::NothingNew;
  std::uint64_t first_seq = 0;  // of the first event in the slice
  std::uint64_t next_seq = 0;   // the reader's cursor after this slice
  std::uint64_t missed = 0;     // events wanted but no longer retained
  bool reached_end = false;     // the slice ends with the final event

  // The encoded events, back to back: what an SSE stream sends.
  std::string_view encoded() const { return encoded_; }

  // The events one by one.
  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = EventView;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = EventView;

    EventView operator*() const {
      const char* event = base_ + record_->offset;
      return {seq_,
              record_->type,
              record_->end,
              record_->t_ms,
              {event + record_->data_offset, record_->size - record_->data_offset - 2},
              {event, record_->size}};
    }
    Iterator& operator++() {
      ++record_;
      ++seq_;
      return *this;
    }
    Iterator operator++(int) {
      Iterator before = *this;
      ++*this;
      return before;
    }
    bool operator==(const Iterator& other) const { return record_ == other.record_; }

   private:
    friend class Slice;
    Iterator(const Record* record, std::uint64_t seq, const char* base)
        : record_(record), seq_(seq), base_(base) {}
    const Record* record_;
    std::uint64_t seq_;
    const char* base_;
  };
  Iterator begin() const { return {records_, first_seq, base_}; }
  Iterator end() const { return {records_end_, 0, base_}; }

 private:
  friend class History;
  std::shared_ptr<const Block> block_;
  const char* base_ = nullptr;  // the block's bytes
  std::string_view encoded_;
  // The block's own records of these events: they never move (a block's list never
  // reallocates) or change once appended, so they are read without the lock.
  const Record* records_ = nullptr;
  const Record* records_end_ = nullptr;
};

}  // namespace ssetail
