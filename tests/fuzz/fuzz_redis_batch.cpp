// A Redis stream entry read back by a relay (DecodeBatch, SeqOfEntryId, LastSeqOfEntry):
// never a crash; an id is accepted exactly when it is "0-" and decimal digits worth 1 to 2^53
// (checked against 128-bit arithmetic); an accepted entry holds exactly `n` events, one per
// line of its `events` field (counted independently), within 2^53; `start` is SEQ 1 and only
// it, nothing follows `exit`; output texts are valid UTF-8 without NUL, CR or LF (independent
// validator), at most 192 KiB or cut to 64 KiB and flagged partial; start and exit data are
// objects on one line; every view points into the field; written back by BatchBuilder, the
// events decode to the same events.
//
// Input: [mode][fields separated by 0xFF...]. The first field is the entry id; the others
// are name, value, …. Mode 1 builds the fields "n", N, "events", VALUE from the rest; mode 2
// "n" (the count of newlines in VALUE, which agrees), "events", VALUE.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "checkers.hpp"
#include "events/event.hpp"
#include "redisformat/entry_id.hpp"
#include "redisformat/event_batch.hpp"

using namespace ssetail;

namespace {

FUZZ_NO_COVERAGE bool ReferenceId(std::string_view id, std::uint64_t& seq) {
  if (id.size() < 3 || id[0] != '0' || id[1] != '-') return false;
  unsigned __int128 value = 0;
  for (char c : id.substr(2)) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
    if (value > (static_cast<unsigned __int128>(1) << 64)) return false;
  }
  if (value == 0 || value > kMaxSeq) return false;
  seq = static_cast<std::uint64_t>(value);
  return true;
}

FUZZ_NO_COVERAGE std::vector<std::string_view> Split(std::string_view rest) {
  std::vector<std::string_view> parts;
  for (;;) {
    const std::size_t cut = rest.find('\xFF');
    parts.push_back(rest.substr(0, cut));
    if (cut == std::string_view::npos) return parts;
    rest.remove_prefix(cut + 1);
  }
}

FUZZ_NO_COVERAGE std::size_t Newlines(std::string_view text) {
  std::size_t count = 0;
  for (char c : text) count += c == '\n';
  return count;
}

FUZZ_NO_COVERAGE bool Inside(std::string_view part, std::string_view whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Reader reader(data, size);
  const std::uint8_t mode = reader.Byte() % 3;
  std::vector<std::string_view> parts = Split(reader.Rest());
  const std::string_view id = parts.front();
  parts.erase(parts.begin());
  std::string count;
  if (mode == 1 && parts.size() >= 2) parts = {"n", parts[0], "events", parts[1]};
  if (mode == 2 && !parts.empty()) {
    count = std::to_string(Newlines(parts[0]));
    parts = {"n", count, "events", parts[0]};
  }

  std::uint64_t expected = 0;
  const bool valid = ReferenceId(id, expected);
  const auto seq = SeqOfEntryId(id);
  FUZZ_CHECK(seq.has_value() == valid);
  if (seq) FUZZ_CHECK(*seq == expected);

  const auto batch = DecodeBatch(id, parts);
  if (!batch) {
    FUZZ_CHECK(!batch.error().empty());
    return 0;
  }
  FUZZ_CHECK(valid && batch->first_seq == expected);
  std::string_view n, events;
  for (std::size_t i = 0; i + 1 < parts.size(); i += 2) {
    if (parts[i] == "n") n = parts[i + 1];
    if (parts[i] == "events") events = parts[i + 1];
  }
  FUZZ_CHECK(parts.size() == 4);
  FUZZ_CHECK(!batch->events.empty());
  FUZZ_CHECK(batch->events.size() == Newlines(events));
  FUZZ_CHECK(n == std::to_string(batch->events.size()));
  FUZZ_CHECK(batch->first_seq - 1 + batch->events.size() <= kMaxSeq);
  FUZZ_CHECK(LastSeqOfEntry(id, parts) == batch->first_seq + batch->events.size() - 1);
  BatchBuilder rebuilt(batch->first_seq);
  for (std::size_t i = 0; i < batch->events.size(); ++i) {
    const BatchEvent& event = batch->events[i];
    const std::uint64_t event_seq = batch->first_seq + i;
    FUZZ_CHECK((event.type == EventType::Start) == (event_seq == 1));
    FUZZ_CHECK(event.type != EventType::Exit || i + 1 == batch->events.size());
    FUZZ_CHECK(event.type != EventType::Gap);
    FUZZ_CHECK(Inside(event.data, events));
    FUZZ_CHECK(fuzz::IsValidUtf8WithoutNul(event.data));
    FUZZ_CHECK(event.data.find_first_of("\r\n") == std::string_view::npos);
    if (IsOutput(event.type)) {
      FUZZ_CHECK(event.data.size() <= kMaxEntryText);
    } else {
      FUZZ_CHECK(!event.data.empty() && event.data.front() == '{' && event.data.back() == '}');
    }
    rebuilt.Add(event.type, event.end, event.t_ms, event.data);
  }
  if (batch->cut) {
    bool partial_cut = false;
    for (const BatchEvent& event : batch->events) {
      partial_cut |= IsOutput(event.type) && event.end == SegmentEnd::Partial &&
                     event.data.size() <= kMaxEntryTextCut;
    }
    FUZZ_CHECK(partial_cut);
  }
  const std::string rebuilt_n = std::to_string(rebuilt.count());
  const auto again =
      DecodeBatch(EntryId(batch->first_seq), {"n", rebuilt_n, "events", rebuilt.text()});
  if (!again)
    fuzz::Fail(__FILE__, __LINE__, ("written back and refused: " + again.error()).c_str());
  FUZZ_CHECK(again->events.size() == batch->events.size());
  for (std::size_t i = 0; i < again->events.size(); ++i) {
    const BatchEvent &a = batch->events[i], &b = again->events[i];
    FUZZ_CHECK(a.type == b.type && a.end == b.end && a.data == b.data);
    FUZZ_CHECK(!IsOutput(a.type) || a.t_ms == b.t_ms);
  }
  return 0;
}
