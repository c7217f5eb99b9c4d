// The SSE writer (EncodeEventWithId, IdLine, AppendEvent, AppendGap,
// AppendJsonOutputEvent, and the history's pre-encoded events) read back by an independent
// EventSource parser (WHATWG rules) and JSON decoder: each event gives back its id, its
// name and its data, and the JSON data its text, t and cr/partial flags.
//
// Input: [type][end][seq 8][missed 8][t 4][id increments 2][run length][run][text...].
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "checkers.hpp"
#include "events/event.hpp"
#include "events/sse_format.hpp"
#include "history/history.hpp"
#include "text/utf8.hpp"

using namespace ssetail;

namespace {

struct Expected {
  std::string_view type;
  std::string data;
  std::string id;
};

void CheckStream(std::string_view stream, const std::vector<Expected>& expected) {
  FUZZ_CHECK(fuzz::IsValidUtf8(stream));
  const std::vector<fuzz::SseEvent> events = fuzz::ParseEventStream(stream);
  FUZZ_CHECK(events.size() == expected.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    FUZZ_CHECK(events[i].type == expected[i].type);
    FUZZ_CHECK(events[i].data == expected[i].data);
    FUZZ_CHECK(events[i].last_event_id == expected[i].id);
  }
}

void CheckJsonOutput(std::string_view data, std::string_view text, std::uint32_t t_ms,
                     SegmentEnd end) {
  const auto object = fuzz::DecodeFlatObject(data);
  FUZZ_CHECK(object.has_value());
  const std::size_t flags = (end == SegmentEnd::Newline) ? 0 : 1;
  FUZZ_CHECK(object->size() == 2 + flags);
  FUZZ_CHECK(object->count("text") == 1 && object->at("text").kind == fuzz::JsonValue::String);
  FUZZ_CHECK(object->at("text").text == text);
  FUZZ_CHECK(object->count("t") == 1 && object->at("t").kind == fuzz::JsonValue::Number);
  FUZZ_CHECK(object->at("t").number == t_ms);
  if (end == SegmentEnd::CarriageReturn) {
    FUZZ_CHECK(object->count("cr") == 1 && object->at("cr").kind == fuzz::JsonValue::True);
  }
  if (end == SegmentEnd::Partial) {
    FUZZ_CHECK(object->count("partial") == 1 &&
               object->at("partial").kind == fuzz::JsonValue::True);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Reader reader(data, size);
  const auto type = static_cast<EventType>(reader.Byte() % 5);
  const auto end = static_cast<SegmentEnd>(reader.Byte() % 3);
  const std::uint64_t seq = reader.Bytes(8);
  const std::uint64_t missed = reader.Bytes(8);
  const auto t_ms = static_cast<std::uint32_t>(reader.Bytes(4));
  const std::size_t increments = reader.Bytes(2) % 1200;
  // A run id of printable ASCII, as ssetail's (8 of [0-9a-z]) is.
  std::string run;
  for (char c : reader.Take(reader.Byte() % 16 + 1))
    run.push_back(static_cast<char>(0x21 + static_cast<unsigned char>(c) % 94));
  // Text as the splitter delivers it: valid UTF-8 without NUL, CR or LF.
  std::string repaired;
  utf8::AppendRepaired(reader.Rest(), repaired);
  std::string text;
  for (char c : repaired)
    if (c != '\r' && c != '\n') text.push_back(c);
  const std::string name(EventTypeName(type));
  const std::string id = run + "." + std::to_string(seq);

  std::string stream(sse::kStreamPreamble);
  std::vector<Expected> expected;

  // EncodeEventWithId into a buffer of exactly the bound it promises.
  std::string buffer(sse::EncodedSizeBound(run, text.size()), '\xAA');
  sse::IdLine event_id(run);
  event_id.Set(seq);
  const sse::Encoded encoded = sse::EncodeEventWithId(buffer.data(), event_id.text(), type, text);
  FUZZ_CHECK(encoded.size <= buffer.size());
  FUZZ_CHECK(encoded.data_offset + text.size() + 2 == encoded.size);
  buffer.resize(encoded.size);
  FUZZ_CHECK(buffer.compare(encoded.data_offset, text.size(), text) == 0);
  stream += buffer;
  expected.push_back({name, text, id});

  // IdLine counts up in decimal like std::to_string.
  sse::IdLine id_line(run);
  FUZZ_CHECK(id_line.text() == "id: " + run + ".0");
  for (std::size_t k = 1; k <= increments; ++k) {
    id_line.Increment();
    FUZZ_CHECK(id_line.text() == "id: " + run + "." + std::to_string(k));
  }
  sse::AppendEvent(stream, id_line.text(), type, text);
  expected.push_back({name, text, run + "." + std::to_string(increments)});

  // No id line: the client's last event id stays what it was (as for gap).
  std::string no_id(sse::EncodedSizeBound("", text.size()), '\xAA');
  no_id.resize(sse::EncodeEventWithId(no_id.data(), "", type, text).size);
  stream += no_id;
  expected.push_back({name, text, expected.back().id});

  stream += sse::kHeartbeat;
  sse::AppendGap(stream, missed);
  expected.push_back({"gap", "{\"missed\":" + std::to_string(missed) + "}", expected.back().id});

  const std::size_t json_at = stream.size();
  sse::AppendJsonOutputEvent(stream, run, seq, type, text, t_ms, end);
  std::string json_data;
  sse::AppendJsonOutputData(json_data, text, t_ms, end);
  FUZZ_CHECK(stream.find(json_data, json_at) != std::string::npos);
  expected.push_back({name, json_data, id});

  int retry = -1;
  fuzz::ParseEventStream(stream, &retry);
  FUZZ_CHECK(retry == 2000);
  CheckStream(stream, expected);
  const auto gap = fuzz::DecodeFlatObject(expected[3].data);
  FUZZ_CHECK(gap && gap->size() == 1 && gap->count("missed") == 1 &&
             gap->at("missed").kind == fuzz::JsonValue::Number &&
             gap->at("missed").number == missed);
  CheckJsonOutput(json_data, text, t_ms, end);

  // The history's own encoding: the same events, numbered from 1, read back slice by slice.
  History history(run, HistoryLimits{});
  {
    History::Writer writer(history);
    writer.Append(EventType::Start, "{}", 0);
    writer.Append(type, text, t_ms, end);
    writer.Append(EventType::Stderr, text, t_ms + 1, SegmentEnd::Partial);
  }
  history.AppendLast(EventType::Exit, text, t_ms);
  std::string replay;
  std::vector<Expected> replay_expected;
  std::uint64_t cursor = 1;
  for (;;) {
    const History::Slice slice = history.Read(cursor);
    if (slice.status != History::ReadStatus::Events) {
      FUZZ_CHECK(slice.status == History::ReadStatus::Ended);
      break;
    }
    FUZZ_CHECK(slice.first_seq == cursor && slice.missed == 0);
    replay += slice.encoded();
    for (const EventView& event : slice) {
      FUZZ_CHECK(event.seq == cursor);
      replay_expected.push_back({EventTypeName(event.type), std::string(event.data),
                                 run + "." + std::to_string(event.seq)});
      if (event.seq == 2) {
        FUZZ_CHECK(event.type == type && event.end == end && event.t_ms == t_ms);
        FUZZ_CHECK(event.data == text);
      }
      ++cursor;
    }
    FUZZ_CHECK(cursor == slice.next_seq);
  }
  FUZZ_CHECK(cursor == 5);
  FUZZ_CHECK(replay_expected[1].data == text && replay_expected[2].data == text &&
             replay_expected[3].data == text && replay_expected[0].data == "{}");
  CheckStream(replay, replay_expected);
  return 0;
}
