#include "redisformat/event_batch.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "record/record_line.hpp"
#include "redisformat/entry_id.hpp"
#include "text/utf8.hpp"

namespace ssetail {

namespace {

constexpr char kLetters[] = {'s', 'o', 'e', 'x'};  // by EventType: start, stdout, stderr, exit

// An unsigned decimal number that is all of `text`, as ssetail writes it (no sign, no space,
// no leading zero), at most `max`.
template <typename T>
std::optional<T> Number(std::string_view text, T max) {
  if (text.empty() || text.size() > 20 || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  if (text.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || value > max) return std::nullopt;
  return static_cast<T>(value);
}

// One line of `events` (without its newline) as event `seq`; false with `why` set.
bool DecodeLine(std::string_view line, std::uint64_t seq, BatchEvent& event, const char*& why) {
  if (line.size() < 2) {
    why = "a line that is no event";
    return false;
  }
  if (line[0] == 's' || line[0] == 'x') {
    if (line[1] != ' ') {
      why = "a line that is no event";
      return false;
    }
    std::string unused;
    const auto parsed =
        record::ParseEvent("run", seq, line[0] == 's' ? "start" : "exit", line.substr(2), unused);
    if (!parsed) {
      why = "start or exit data that is not one JSON object";
      return false;
    }
    event = {parsed->type, SegmentEnd::Newline, 0, parsed->data};
    return true;
  }
  if (line[0] != 'o' && line[0] != 'e') {
    why = "a line that is no event";
    return false;
  }
  event.type = line[0] == 'o' ? EventType::Stdout : EventType::Stderr;
  std::size_t at = 1;
  event.end = SegmentEnd::Newline;
  // `r` then `p`: ssetail writes one at most; a line with both is read as CR (the segment
  // was overwritten on a terminal either way).
  if (at < line.size() && line[at] == 'r') {
    event.end = SegmentEnd::CarriageReturn;
    ++at;
  }
  if (at < line.size() && line[at] == 'p') {
    if (event.end == SegmentEnd::Newline) event.end = SegmentEnd::Partial;
    ++at;
  }
  const std::size_t space = line.find(' ', at + 1);
  if (at >= line.size() || line[at] != ' ' || space == std::string_view::npos) {
    why = "a line that is no event";
    return false;
  }
  const auto t_ms = Number<std::uint32_t>(line.substr(at + 1, space - at - 1), UINT32_MAX);
  if (!t_ms) {
    why = "a time that is not a number of milliseconds";
    return false;
  }
  event.t_ms = *t_ms;
  event.data = line.substr(space + 1);
  return true;
}

}  // namespace

bool BatchBuilder::Takes(std::uint64_t seq, std::uint32_t t_ms, std::size_t data_size) const {
  if (count_ == 0) return true;
  return seq == next_seq() && size_ + data_size + 16 <= kBatchBytes &&
         t_ms - first_t_ms_ < kBatchSpanMs && count_ < kMaxBatchEvents;
}

char* BatchBuilder::Room(std::size_t bytes) {
  if (size_ + bytes > capacity_) {
    // Room for a whole batch at once, or for the one event that is larger.
    const std::size_t capacity = std::max(kBatchBytes, size_ + bytes);
    auto grown = std::make_unique<char[]>(capacity);
    if (size_ > 0) std::memcpy(grown.get(), buffer_.get(), size_);
    buffer_ = std::move(grown);
    capacity_ = capacity;
  }
  return buffer_.get() + size_;
}

void BatchBuilder::Add(EventType type, SegmentEnd end, std::uint32_t t_ms, std::string_view data) {
  if (count_ == 0) first_t_ms_ = t_ms;
  ++count_;
  constexpr std::size_t kHead = 16;  // letter, flag, space, ten digits, space
  char* const start = Room(kHead + data.size() + 1);
  char* out = start;
  *out++ = kLetters[static_cast<std::size_t>(type) & 3];
  if (IsOutput(type)) {
    if (end == SegmentEnd::CarriageReturn) *out++ = 'r';
    if (end == SegmentEnd::Partial) *out++ = 'p';
    *out++ = ' ';
    out = std::to_chars(out, start + kHead, t_ms).ptr;
  }
  *out++ = ' ';
  if (!data.empty()) std::memcpy(out, data.data(), data.size());
  out += data.size();
  *out++ = '\n';
  size_ += static_cast<std::size_t>(out - start);
}

Result<DecodedBatch> DecodeBatch(std::string_view id, const std::vector<std::string_view>& fields) {
  DecodedBatch batch;
  const auto first = SeqOfEntryId(id);
  if (!first) return Error{"its id is not 0-SEQ with SEQ from 1 to 2^53"};
  batch.first_seq = *first;
  std::optional<std::string_view> n_field, events;
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
    auto* field = fields[i] == "n" ? &n_field : fields[i] == "events" ? &events : nullptr;
    if (field == nullptr || field->has_value()) return Error{"fields other than n and events"};
    *field = fields[i + 1];
  }
  if (fields.size() % 2 != 0 || !n_field || !events) return Error{"no n or no events field"};
  const auto n = Number<std::size_t>(*n_field, kMaxBatchEvents);
  if (!n || *n == 0 || *n - 1 > kMaxSeq - *first) return Error{"n is not a count of events"};
  std::string_view text = *events;
  if (text.empty() || text.back() != '\n') return Error{"events does not end with a newline"};
  if (!utf8::IsClean(text)) return Error{"events is not UTF-8, or holds a NUL"};
  if (text.find('\r') != std::string_view::npos) return Error{"events holds a CR"};
  batch.events.reserve(*n);
  const char* why = "";
  while (!text.empty()) {
    const std::size_t newline = text.find('\n');
    const std::uint64_t seq = *first + batch.events.size();
    if (batch.events.size() == *n) return Error{"more lines than n says"};
    if (!batch.events.empty() && batch.events.back().type == EventType::Exit) {
      return Error{"events after exit"};
    }
    BatchEvent& event = batch.events.emplace_back();
    if (!DecodeLine(text.substr(0, newline), seq, event, why)) return Error{why};
    if ((event.type == EventType::Start) != (seq == 1)) {
      return Error{"a start that is not the run's first event, or a first that is no start"};
    }
    if (IsOutput(event.type) && event.data.size() > kMaxEntryText) {
      event.data = event.data.substr(0, utf8::CutPoint(event.data, kMaxEntryTextCut));
      event.end = SegmentEnd::Partial;
      batch.cut = true;
    }
    text.remove_prefix(newline + 1);
  }
  if (batch.events.size() != *n) return Error{"fewer lines than n says"};
  return batch;
}

std::optional<std::uint64_t> LastSeqOfEntry(std::string_view id,
                                            const std::vector<std::string_view>& fields) {
  const auto first = SeqOfEntryId(id);
  if (!first) return std::nullopt;
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
    if (fields[i] != "n") continue;
    const auto n = Number<std::size_t>(fields[i + 1], kMaxBatchEvents);
    if (n && *n > 0 && *n - 1 <= kMaxSeq - *first) return *first + *n - 1;
  }
  return first;
}

}  // namespace ssetail
