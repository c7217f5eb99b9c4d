#include "history/history.hpp"

#include <algorithm>
#include <cstdint>

#include "history/block_pool.hpp"

namespace ssetail {

namespace {
constexpr std::size_t kUnrecordedBytes = 16 << 20;
// Capture waits while the recorder has more than this to write. Small, so that what the
// recorder reads is what capture has just written (measured: with 8 MiB, `seq 10000000`
// took 0.75-0.88 s with a record on 2 cores, with 1 MiB 0.54-0.71 s).
constexpr std::size_t kRecorderLagBytes = 1 << 20;
// Room for a block's records: as many as its bytes hold of short events (a line of `seq`
// takes ~45 bytes); a block of even shorter ones ends when its list is full.
constexpr std::size_t kShortEventBytes = 32;
}  // namespace

// A run of encoded events, back to back, and where each one sits.
struct History::Block {
  Block(std::size_t capacity_bytes, std::uint64_t first)
      : bytes(BlockPool::Instance().Allocate(capacity_bytes)), first_seq(first) {
    records.reserve(std::max<std::size_t>(1, bytes.size() / kShortEventBytes));
  }
  std::size_t capacity() const { return bytes.size(); }
  // Readers hold pointers into `records` without the lock: it must never reallocate.
  bool full(std::size_t bound) const {
    return capacity() - used < bound || records.size() == records.capacity();
  }

  BlockPool::Buffer bytes;
  std::size_t used = 0;  // bytes below this are complete events and never change again
  std::uint64_t first_seq;
  std::uint64_t bytes_before = 0;  // encoded bytes of the events appended before this block's
  std::vector<Record> records;     // appended under the history's lock, never reallocated
};

History::History(std::string run_id, HistoryLimits limits)
    : run_id_(std::move(run_id)), id_line_(run_id_), limits_(limits) {}

History::~History() = default;

History::Writer::Writer(History& history) : history_(history), lock_(history.mutex_) {}

History::Writer::~Writer() {
  if (appended_) history_.AppendedLocked();
}

void History::Writer::SkipTo(std::uint64_t seq) {
  History& h = history_;
  if (seq <= h.next_seq_) return;
  h.next_seq_ = seq;
  h.id_line_.Set(seq - 1);
  h.new_block_ = true;
  if (h.blocks_.empty()) h.first_retained_ = seq;
}

std::uint64_t History::Writer::Append(EventType type, std::string_view data, std::uint32_t t_ms,
                                      SegmentEnd end) {
  appended_ = true;
  history_.AppendLocked(type, data, t_ms, end);
  return history_.next_seq_ - 1;
}

void History::AppendLast(EventType type, std::string_view data, std::uint32_t t_ms) {
  std::lock_guard lock(mutex_);
  AppendLocked(type, data, t_ms, SegmentEnd::Newline);
  closed_ = true;
  AppendedLocked();
}

void History::End() {
  std::lock_guard lock(mutex_);
  if (closed_) return;
  closed_ = true;
  ended_without_final_ = true;
  if (write_ahead_ != nullptr && published_ + 1 < next_seq_) {
    write_ahead_->Signal();  // its Publish of the rest tells the readers
    return;
  }
  PublishLocked(published_, published_bytes_);
  published_cv_.notify_all();
}

void History::AppendedLocked() {
  EvictLocked();
  if (write_ahead_ != nullptr) {
    write_ahead_->Signal();
  } else {
    PublishLocked(next_seq_ - 1, appended_bytes_);
  }
}

void History::PublishLocked(std::uint64_t seq, std::uint64_t bytes) {
  published_ = seq;
  published_bytes_ = bytes;
  for (Wakeup* subscriber : subscribers_) subscriber->Signal();
}

History::Subscription History::Subscribe(Wakeup& wakeup) const {
  std::lock_guard lock(mutex_);
  subscribers_.push_back(&wakeup);
  return Subscription(this, &wakeup);
}

void History::Subscription::Cancel() {
  if (history_ == nullptr) return;
  std::lock_guard lock(history_->mutex_);
  auto& list = history_->subscribers_;
  list.erase(std::find(list.begin(), list.end(), wakeup_));
  history_ = nullptr;
}

void History::SetWriteAhead(Wakeup* recorder) {
  std::lock_guard lock(mutex_);
  write_ahead_ = recorder;
  if (write_ahead_ == nullptr && published_ + 1 < next_seq_) {
    EvictLocked();
    PublishLocked(next_seq_ - 1, appended_bytes_);
  }
  published_cv_.notify_all();
}

void History::Publish(std::uint64_t seq) {
  std::lock_guard lock(mutex_);
  seq = std::min(seq, next_seq_ - 1);
  if (seq <= published_) return;
  recorder_stalled_ = false;
  PublishLocked(seq, BytesThroughLocked(seq));
  EvictLocked();  // what was kept for the recorder may go now
  published_cv_.notify_all();
}

void History::WaitForRecorder(std::chrono::milliseconds patience) {
  std::unique_lock lock(mutex_);
  const auto behind = [this] {
    return write_ahead_ != nullptr && appended_bytes_ - published_bytes_ > kRecorderLagBytes;
  };
  while (behind() && !recorder_stalled_) {
    const std::uint64_t before = published_;
    if (!published_cv_.wait_for(lock, patience,
                                [&] { return !behind() || published_ != before; })) {
      recorder_stalled_ = true;  // until it writes again
    }
  }
}

void History::AppendLocked(EventType type, std::string_view data, std::uint32_t t_ms,
                           SegmentEnd end) {
  const std::uint64_t seq = next_seq_;
  const std::size_t bound = sse::EncodedSizeBound(run_id_, data.size());
  Block* block;
  if (seq == 1) {
    head_ = std::make_shared<Block>(bound, seq);
    block = head_.get();
  } else {
    if (blocks_.empty() || new_block_ || blocks_.back()->full(bound)) {
      blocks_.push_back(NewBlockLocked(bound, seq));
      new_block_ = false;
    }
    block = blocks_.back().get();
  }
  id_line_.Increment();
  const sse::Encoded encoded =
      sse::EncodeEventWithId(block->bytes.data() + block->used, id_line_.text(), type, data);
  block->records.push_back(
      Record{static_cast<std::uint32_t>(block->used), static_cast<std::uint32_t>(encoded.size),
             static_cast<std::uint32_t>(encoded.data_offset), t_ms, type, end});
  block->used += encoded.size;
  ++next_seq_;
  if (type == EventType::Stdout) ++stdout_events_;
  if (type == EventType::Stderr) ++stderr_events_;
  if (seq != 1) {
    retained_bytes_ += encoded.size;
    appended_bytes_ += encoded.size;
  }
}

void History::EvictLocked() {
  // Events the recorder has not written yet stay (clients have not seen them, and the record
  // would lose them), up to kUnrecordedBytes more: past that the disk has fallen too far
  // behind, and they go as well (SPEC §8: capture does not wait for the disk).
  EvictDownToLocked(limits_.max_events, limits_.max_bytes,
                    write_ahead_ != nullptr ? published_ + 1 : next_seq_);
  EvictDownToLocked(SIZE_MAX, limits_.max_bytes + kUnrecordedBytes, next_seq_);
}

// Drops the oldest events, none from `keep_from` on, until both limits hold again (the
// newest event always stays). Events of a block are contiguous, so the bytes of a run of
// them are an offset difference.
void History::EvictDownToLocked(std::size_t max_events, std::size_t max_bytes,
                                std::uint64_t keep_from) {
  for (;;) {
    const std::uint64_t retained = next_seq_ - first_retained_;
    // The final event counts against the event limit no more than the pinned first one:
    // with --history N, a run of N lines keeps them all.
    const std::uint64_t counted = retained - (closed_ ? 1 : 0);
    if (retained <= 1 || (counted <= max_events && retained_bytes_ <= max_bytes)) {
      return;
    }
    Block& front = *blocks_.front();
    const std::size_t index = first_retained_ - front.first_seq;
    const std::size_t count = front.records.size();
    const bool is_last = blocks_.size() == 1;
    const std::size_t first_offset = front.records[index].offset;
    // The fewest events to drop from this block for both limits, if the block suffices.
    std::size_t drop = counted > max_events ? counted - max_events : 0;
    if (retained_bytes_ > max_bytes) {
      const std::size_t excess = retained_bytes_ - max_bytes;
      // The first record whose start is at least `excess` bytes past the first retained one.
      const auto it =
          std::lower_bound(front.records.begin() + static_cast<std::ptrdiff_t>(index),
                           front.records.end(), first_offset + excess,
                           [](const Record& r, std::size_t offset) { return r.offset < offset; });
      drop = std::max(drop, static_cast<std::size_t>(it - front.records.begin()) - index);
    }
    const std::size_t limit = is_last ? count - 1 - index : count - index;
    drop = std::min(drop, limit);
    drop = std::min<std::uint64_t>(drop,
                                   keep_from > first_retained_ ? keep_from - first_retained_ : 0);
    const std::size_t end_offset =
        index + drop < count ? front.records[index + drop].offset : front.used;
    retained_bytes_ -= end_offset - first_offset;
    if (write_ahead_ != nullptr && first_retained_ + drop > published_ + 1) {
      unrecorded_evicted_ += first_retained_ + drop - std::max(first_retained_, published_ + 1);
    }
    first_retained_ += drop;
    if (index + drop == count) {
      // Its memory goes back to the BlockPool once no reader holds it: through the pool's
      // lock, so that whichever thread reuses it sees the last reader done with it.
      blocks_.pop_front();
      // Blocks after a SkipTo do not follow on: the next retained event is the next block's.
      first_retained_ = blocks_.front()->first_seq;
    } else if (drop == 0) {
      return;  // only the newest event is left
    }
  }
}

std::shared_ptr<History::Block> History::NewBlockLocked(std::size_t bytes,
                                                        std::uint64_t first_seq) {
  auto block = std::make_shared<Block>(std::max(BlockPool::kBufferBytes, bytes), first_seq);
  block->bytes_before = appended_bytes_;
  return block;
}

// The encoded bytes of the events appended up to `seq` (the pinned first one aside).
std::uint64_t History::BytesThroughLocked(std::uint64_t seq) const {
  if (seq + 1 >= next_seq_) return appended_bytes_;
  if (blocks_.empty()) return appended_bytes_;
  if (seq < first_retained_) {
    // Gone from memory already (the disk stalled): all before the first retained counts.
    const Block& front = *blocks_.front();
    const std::size_t index = first_retained_ - front.first_seq;
    return front.bytes_before +
           (index < front.records.size() ? front.records[index].offset : front.used);
  }
  const auto it = std::upper_bound(
      blocks_.begin(), blocks_.end(), seq,
      [](std::uint64_t s, const std::shared_ptr<Block>& b) { return s < b->first_seq; });
  const Block& block = **std::prev(it);
  const std::size_t index = seq - block.first_seq;
  if (index >= block.records.size()) return block.bytes_before + block.used;  // a SkipTo
  const Record& record = block.records[index];
  return block.bytes_before + record.offset + record.size;
}

History::Slice History::Read(std::uint64_t cursor) const {
  std::lock_guard lock(mutex_);
  return ReadLocked(cursor, published_);
}

History::Slice History::ReadUnpublished(std::uint64_t cursor) const {
  std::lock_guard lock(mutex_);
  return ReadLocked(cursor, next_seq_ - 1);
}

History::Slice History::ReadLocked(std::uint64_t cursor, std::uint64_t last) const {
  Slice slice;
  cursor = std::max<std::uint64_t>(cursor, 1);
  if (cursor > last) {
    slice.status = closed_ && last + 1 == next_seq_ ? ReadStatus::Ended : ReadStatus::NothingNew;
    slice.next_seq = cursor;
    return slice;
  }
  std::shared_ptr<const Block> block;
  if (cursor == 1) {
    block = head_;
  } else {
    if (blocks_.empty()) {
      // Only `start` so far (it has a block of its own), and a SkipTo past the ids after it:
      // nothing to read until the event after them is appended.
      slice.status = ReadStatus::NothingNew;
      slice.next_seq = cursor;
      return slice;
    }
    if (cursor < first_retained_) {
      slice.missed = first_retained_ - cursor;
      cursor = first_retained_;
    }
    // The block holding `cursor`: the last one whose first_seq is <= cursor.
    auto it = std::upper_bound(
        blocks_.begin(), blocks_.end(), cursor,
        [](std::uint64_t seq, const std::shared_ptr<Block>& b) { return seq < b->first_seq; });
    block = *std::prev(it);
    if (cursor - block->first_seq >= block->records.size()) {
      // In the ids a SkipTo jumped over: they were dropped before they reached us. Until the
      // event after them is appended, there is nothing to read (not even the gap).
      if (it == blocks_.end()) {
        slice.status = ReadStatus::NothingNew;
        slice.next_seq = cursor;
        return slice;
      }
      block = *it;
      slice.missed += block->first_seq - cursor;
      cursor = block->first_seq;
    }
    if (cursor > last) {
      // What the reader wanted is gone, and what memory holds next is not published yet
      // (events the recorder had not written were evicted): the gap only.
      slice.status = ReadStatus::Events;
      slice.first_seq = cursor;
      slice.next_seq = cursor;
      return slice;
    }
  }
  const std::size_t index = cursor - block->first_seq;
  const std::size_t end = std::min<std::size_t>(block->records.size(), last + 1 - block->first_seq);
  const Record& first = block->records[index];
  const std::size_t end_offset =
      end < block->records.size() ? block->records[end].offset : block->used;
  slice.status = ReadStatus::Events;
  slice.base_ = block->bytes.data();
  slice.encoded_ = std::string_view(slice.base_ + first.offset, end_offset - first.offset);
  slice.first_seq = cursor;
  slice.next_seq = block->first_seq + end;
  slice.reached_end = closed_ && slice.next_seq == next_seq_;
  slice.records_ = block->records.data() + index;
  slice.records_end_ = block->records.data() + end;
  slice.block_ = std::move(block);
  return slice;
}

std::uint64_t History::CursorAfter(std::uint64_t seq) const {
  std::lock_guard lock(mutex_);
  if (seq >= 1 && seq <= published_) return seq + 1;
  return copy_ && !closed_ && seq > published_ && seq <= kMaxSeq ? seq + 1 : 1;
}

bool History::IsLastEvent(std::uint64_t seq) const {
  std::lock_guard lock(mutex_);
  return closed_ && seq + 1 == next_seq_ && published_ == seq;
}

HistoryStats History::Stats() const {
  std::lock_guard lock(mutex_);
  HistoryStats stats;
  stats.stdout_events = stdout_events_;
  stats.stderr_events = stderr_events_;
  stats.dropped = first_retained_ - 2;
  stats.retained =
      (next_seq_ > first_retained_ ? next_seq_ - first_retained_ : 0) + (head_ ? 1 : 0);
  stats.retained_bytes = retained_bytes_;
  stats.last_seq = published_;
  stats.unrecorded_evicted = unrecorded_evicted_;
  stats.closed = closed_;
  stats.ended_without_final = ended_without_final_;
  return stats;
}

std::optional<std::string> History::FirstEventData() const {
  std::lock_guard lock(mutex_);
  if (published_ == 0) return std::nullopt;
  const Record& record = head_->records.front();
  return std::string(head_->bytes.data() + record.offset + record.data_offset,
                     record.size - record.data_offset - 2);
}

std::optional<std::string> History::LastEventData() const {
  std::lock_guard lock(mutex_);
  if (!closed_ || blocks_.empty() || published_ + 1 != next_seq_) return std::nullopt;
  const Block& last = *blocks_.back();
  const Record& record = last.records.back();
  if (record.type != EventType::Exit) return std::nullopt;  // ended without one (End)
  return std::string(last.bytes.data() + record.offset + record.data_offset,
                     record.size - record.data_offset - 2);
}

}  // namespace ssetail
