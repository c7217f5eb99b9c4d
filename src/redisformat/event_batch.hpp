// A run's stream entries (SPEC §15): each holds a batch of consecutive events, its id
// `0-FIRSTSEQ`, with exactly two fields, `n` (how many events) and `events`, one line per
// event (`\n` after each) in a compact text form that `redis-cli --raw` shows as it is:
//
//   o 15 hello               stdout (e: stderr), then r if the segment ended with a lone CR,
//   erp 2031 50% done        p if it is partial; a space, ms since the start, a space, the text
//   s {"command":…}          start, and its JSON data
//   x {"code":0,…}           exit, and its JSON data
//
// Line i is the event FIRSTSEQ + i. The publisher writes batches with BatchBuilder; a relay
// reads them back with DecodeBatch. Pure (no hiredis): the fuzz target fuzz_redis_batch
// feeds DecodeBatch any entry.
//
// Anything in Redis is hostile input: an entry that is not exactly such a batch (an id that
// is not `0-SEQ` within 2^53, other fields, `n` that disagrees with the lines, a line that
// is no event, data that is not one JSON object, text that is not UTF-8 or holds a NUL or a
// CR, `start` anywhere but first in the run, anything after `exit`) is refused whole.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "events/event.hpp"

namespace ssetail {

// A batch closes when its text would pass this many bytes (about 64 KiB: Redis then stores
// each entry in one 64 KiB allocation), or when its events span 10 ms of the run. A single
// larger event is a batch of its own.
inline constexpr std::size_t kBatchBytes = (64 << 10) - 512;
inline constexpr std::uint32_t kBatchSpanMs = 10;

// The longest output text a batch may give (capture's 64 KiB of bytes, repaired: each
// invalid byte becomes 3); a longer one is cut to kMaxEntryTextCut at a UTF-8 boundary and
// flagged partial, as capture would have cut it.
inline constexpr std::size_t kMaxEntryText = 192 << 10;
inline constexpr std::size_t kMaxEntryTextCut = 64 << 10;

// The most events one entry may claim (`n`): what 64 KiB of the shortest lines holds, with room.
inline constexpr std::size_t kMaxBatchEvents = 1 << 16;

// Events in the order they come, as batches: one builder per batch. Not thread-safe.
class BatchBuilder {
 public:
  explicit BatchBuilder(std::uint64_t first_seq) : first_seq_(first_seq) {}

  // An empty batch from `first_seq` on, its room kept (a publisher reuses its builders: a
  // text grown anew for each batch was a fifth of its time).
  void Reset(std::uint64_t first_seq) {
    first_seq_ = first_seq;
    count_ = 0;
    size_ = 0;
  }

  // Whether event `seq` (its time, its data's size) belongs in this batch: the next SEQ,
  // within the size and the 10 ms. An empty batch takes any event.
  bool Takes(std::uint64_t seq, std::uint32_t t_ms, std::size_t data_size) const;
  // Appends the next event: `data` is an output event's text, or the JSON of start and exit.
  void Add(EventType type, SegmentEnd end, std::uint32_t t_ms, std::string_view data);

  std::uint64_t first_seq() const { return first_seq_; }
  std::uint64_t next_seq() const { return first_seq_ + count_; }
  std::size_t count() const { return count_; }
  bool empty() const { return count_ == 0; }
  // The `events` field.
  std::string_view text() const { return {buffer_.get(), size_}; }

 private:
  char* Room(std::size_t bytes);  // where the next `bytes` may be written

  std::uint64_t first_seq_;
  std::size_t count_ = 0;
  std::uint32_t first_t_ms_ = 0;
  // The text, written a line at a time through a pointer: each event costs a few stores and
  // one copy of its data (a std::string's appends checked its room once per piece).
  std::unique_ptr<char[]> buffer_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

// One event of a decoded batch; `data` points into the entry's `events` field.
struct BatchEvent {
  EventType type = EventType::Start;
  SegmentEnd end = SegmentEnd::Newline;
  std::uint32_t t_ms = 0;
  std::string_view data;  // output: the text; start and exit: their JSON object
};

struct DecodedBatch {
  std::uint64_t first_seq = 0;
  std::vector<BatchEvent> events;
  bool cut = false;  // a text was longer than kMaxEntryText: cut
};

// The entry `id` with its `fields` (name, value, name, value…), or why it is no batch of
// ssetail's.
Result<DecodedBatch> DecodeBatch(std::string_view id, const std::vector<std::string_view>& fields);

// The last SEQ an entry holds (FIRSTSEQ + n - 1), read from its id and `n` alone: where a
// publisher resumes. Nothing when the id is not ssetail's; FIRSTSEQ when `n` is unreadable.
std::optional<std::uint64_t> LastSeqOfEntry(std::string_view id,
                                            const std::vector<std::string_view>& fields);

}  // namespace ssetail
