// The run record's lines read back (record::ParseLine) from torn, truncated and corrupt
// input: never a crash; what it accepts is safe to pass on (the text valid UTF-8 without
// CR, LF or NUL, checked by the independent validator) and survives a round trip: the
// event re-encoded as ssetail writes it (WriteOutputLine, AppendLine) parses back to the
// same fields, and the independent JSON decoder reads the same text out of it. The
// temporary record's compact lines (record::compact::Parse) go through the same pieces:
// what it accepts holds no NUL and writes back to the very same line.
//
// Input: [mode][bytes...]. Mode 0: the bytes as one line. Otherwise the bytes are split at
// every LF, as a reader of a torn or corrupt file does, each piece parsed on its own; with
// mode odd, NUL bytes are put before each piece first (a hole punched by --record-max).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "checkers.hpp"
#include "events/event.hpp"
#include "record/compact_line.hpp"
#include "record/record_line.hpp"

using namespace ssetail;

namespace {

// The output data ssetail writes: {"text":..,"t":..} and "cr" or "partial" when so.
void CheckJsonData(std::string_view data, const record::Line& line) {
  const auto object = fuzz::DecodeFlatObject(data);
  FUZZ_CHECK(object.has_value());
  FUZZ_CHECK(object->count("text") == 1 && object->at("text").kind == fuzz::JsonValue::String);
  FUZZ_CHECK(object->at("text").text == line.text);
  FUZZ_CHECK(object->count("t") == 1 && object->at("t").kind == fuzz::JsonValue::Number);
  FUZZ_CHECK(object->at("t").number == line.t_ms);
  FUZZ_CHECK((object->count("cr") == 1) == (line.end == SegmentEnd::CarriageReturn));
  FUZZ_CHECK((object->count("partial") == 1) == (line.end == SegmentEnd::Partial));
  FUZZ_CHECK(object->size() == 2 + (line.end == SegmentEnd::Newline ? 0 : 1));
}

void CheckLine(std::string_view text) {
  std::string buffer;
  const auto line = record::ParseLine(text, buffer);
  if (!line) {
    FUZZ_CHECK(!line.error().empty());
    return;
  }
  FUZZ_CHECK(line->seq >= 1);
  FUZZ_CHECK(!line->run_id.empty());
  FUZZ_CHECK(line->type == EventType::Start || line->type == EventType::Stdout ||
             line->type == EventType::Stderr || line->type == EventType::Exit);
  // DATA is a piece of the line, a JSON value a client can be given as one `data:` line.
  FUZZ_CHECK(line->data.data() >= text.data() &&
             line->data.data() + line->data.size() <= text.data() + text.size());
  FUZZ_CHECK(line->data.find_first_of("\r\n") == std::string_view::npos);
  FUZZ_CHECK(fuzz::IsValidUtf8(line->data));
  FUZZ_CHECK(!line->data.empty() && line->data.front() == '{');

  // Re-encoded as the recorder writes it, then parsed again.
  std::string encoded;
  if (IsOutput(line->type)) {
    FUZZ_CHECK(fuzz::IsValidUtf8WithoutNul(line->text));
    FUZZ_CHECK(line->text.find_first_of("\r\n") == std::string_view::npos);
    encoded.resize(record::OutputLineBound(line->run_id, line->text.size()));
    char* const end = record::WriteOutputLine(encoded.data(), line->run_id, line->seq, line->type,
                                              line->text, line->t_ms, line->end);
    const auto size = static_cast<std::size_t>(end - encoded.data());
    FUZZ_CHECK(size <= encoded.size());
    encoded.resize(size);
  } else {
    FUZZ_CHECK(line->text.empty());
    record::AppendLine(encoded, line->run_id, line->seq, line->type, line->data);
  }
  FUZZ_CHECK(!encoded.empty() && encoded.back() == '\n');
  encoded.pop_back();
  FUZZ_CHECK(encoded.find('\n') == std::string::npos);

  std::string buffer2;
  const auto again = record::ParseLine(encoded, buffer2);
  if (!again) fuzz::Fail(__FILE__, __LINE__, ("re-encoded line refused: " + again.error()).c_str());
  FUZZ_CHECK(again->run_id == line->run_id);
  FUZZ_CHECK(again->seq == line->seq);
  FUZZ_CHECK(again->type == line->type);
  if (IsOutput(line->type)) {
    FUZZ_CHECK(again->text == line->text);
    FUZZ_CHECK(again->t_ms == line->t_ms);
    FUZZ_CHECK(again->end == line->end);
    CheckJsonData(again->data, *line);
  } else {
    FUZZ_CHECK(again->data == line->data);
  }
}

void CheckCompactLine(std::string_view text) {
  const std::optional<record::compact::Line> line = record::compact::Parse(text);
  if (!line) return;
  FUZZ_CHECK(text.find('\0') == std::string_view::npos);
  std::string encoded(record::compact::LineBound(line->data.size()), '\0');
  char* const end = line->jump ? record::compact::WriteJump(encoded.data(), line->seq)
                               : record::compact::WriteEvent(encoded.data(), line->type, line->end,
                                                             line->t_ms, line->data);
  const auto size = static_cast<std::size_t>(end - encoded.data());
  FUZZ_CHECK(size <= encoded.size());
  encoded.resize(size);
  FUZZ_CHECK(!encoded.empty() && encoded.back() == '\n');
  encoded.pop_back();
  const auto again = record::compact::Parse(encoded);
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(again->jump == line->jump && again->seq == line->seq && again->type == line->type &&
             again->end == line->end && again->t_ms == line->t_ms && again->data == line->data);
}

void Check(std::string_view text) {
  CheckLine(text);
  CheckCompactLine(text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Reader reader(data, size);
  const std::uint8_t mode = reader.Byte();
  const std::string_view rest = reader.Rest();
  if (mode == 0) {
    Check(rest);
    return 0;
  }
  std::string piece;
  for (std::size_t at = 0; at <= rest.size();) {
    std::size_t newline = rest.find('\n', at);
    if (newline == std::string_view::npos) newline = rest.size();
    piece.clear();
    if (mode % 2 == 1) piece.append(mode % 7, '\0');
    piece.append(rest.substr(at, newline - at));
    Check(piece);
    at = newline + 1;
  }
  return 0;
}
