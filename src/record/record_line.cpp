#include "record/record_line.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "events/json.hpp"
#include "events/json_reader.hpp"
#include "events/sse_format.hpp"
#include "text/utf8.hpp"

namespace ssetail::record {

namespace {

char* WriteLinePrefix(char* out, std::string_view run_id, std::uint64_t seq, EventType type) {
  const auto put = [&out](std::string_view s) {
    std::memcpy(out, s.data(), s.size());
    out += s.size();
  };
  put("{\"id\":\"");
  put(run_id);  // run ids are [0-9a-z]: nothing to escape
  *out++ = '.';
  out = std::to_chars(out, out + 20, seq).ptr;
  put("\",\"event\":\"");
  put(EventTypeName(type));
  put("\",\"data\":");
  return out;
}

}  // namespace

void AppendLine(std::string& out, std::string_view run_id, std::uint64_t seq, EventType type,
                std::string_view json_data) {
  const std::size_t at = out.size();
  out.resize(at + 64 + run_id.size());
  out.resize(
      static_cast<std::size_t>(WriteLinePrefix(out.data() + at, run_id, seq, type) - out.data()));
  out.append(json_data);
  out.append("}\n");
}

char* WriteOutputLine(char* out, std::string_view run_id, std::uint64_t seq, EventType type,
                      std::string_view text, std::uint32_t t_ms, SegmentEnd end) {
  out = WriteLinePrefix(out, run_id, seq, type);
  out = sse::WriteJsonOutputData(out, text, t_ms, end);
  *out++ = '}';
  *out++ = '\n';
  return out;
}

namespace {

std::optional<EventType> RecordedType(std::string_view name) {
  for (EventType type : {EventType::Start, EventType::Stdout, EventType::Stderr, EventType::Exit}) {
    if (EventTypeName(type) == name) return type;
  }
  return std::nullopt;
}

std::optional<Line> Refuse(const char** why, const char* reason) {
  if (why != nullptr) *why = reason;
  return std::nullopt;
}

bool Fail(const char** why, const char* reason) {
  if (why != nullptr) *why = reason;
  return false;
}

// The fields of an output event's DATA object; the text is appended to `text_buffer`.
bool ParseOutputData(std::string_view data, std::string& text_buffer, Line& line,
                     const char** why) {
  json::Reader r(data);
  if (!r.Consume('{')) return Fail(why, "\"data\" of an output event is not an object");
  bool has_text = false;
  std::string scratch;
  if (!r.Consume('}')) {
    do {
      std::string_view key;
      bool escaped;
      if (!r.String(key, scratch, escaped) || !r.Consume(':')) {
        return Fail(why, "bad JSON in \"data\"");
      }
      bool ok;
      if (key == "text") {
        std::string_view raw;
        std::string decoded;
        ok = r.String(raw, decoded, escaped);
        if (ok) {
          const std::string_view value = escaped ? std::string_view(decoded) : raw;
          if (value.find_first_of("\r\n") != std::string_view::npos) {
            return Fail(why, "\"text\" holds a line break");
          }
          if (!escaped && utf8::IsClean(value)) {
            line.text = raw;  // the common case: no copy
          } else {
            const std::size_t at = text_buffer.size();
            utf8::AppendRepaired(value, text_buffer);
            line.text = std::string_view(text_buffer).substr(at);
          }
          has_text = true;
        }
      } else if (key == "t") {
        ok = r.Unsigned(line.t_ms);
      } else if (key == "cr" || key == "partial") {
        bool flag = false;
        ok = r.Bool(flag);
        if (flag) line.end = key == "cr" ? SegmentEnd::CarriageReturn : SegmentEnd::Partial;
      } else {
        ok = r.SkipValue();
      }
      if (!ok) return Fail(why, "bad JSON in \"data\"");
    } while (r.Consume(','));
    if (!r.Consume('}')) return Fail(why, "bad JSON in \"data\"");
  }
  if (!has_text) return Fail(why, "an output event without \"text\"");
  return true;
}

// The checks ParseLine and ParseEvent share, once the id, event and DATA are known.
std::optional<Line> CheckedLine(Line line, std::string& text_buffer, const char** why) {
  if (!IsRunId(line.run_id)) return Refuse(why, "the run id is not 1 to 64 of A-Z a-z 0-9 _ -");
  // One JSON value may hold line breaks as whitespace; a record line and an SSE data: line
  // cannot.
  if (line.data.find_first_of("\r\n") != std::string_view::npos) {
    return Refuse(why, "\"data\" holds a line break");
  }
  if (!utf8::IsClean(line.data)) return Refuse(why, "not UTF-8");
  if (IsOutput(line.type)) {
    if (!ParseOutputData(line.data, text_buffer, line, why)) return std::nullopt;
  } else if (line.data.empty() || line.data.front() != '{') {
    return Refuse(why, "\"data\" is not an object");
  }
  return line;
}

// "RUN.SEQ" into `line`; false with the reason.
bool ParseId(std::string_view value, Line& line, const char** why) {
  const auto id = sse::ParseEventId(value);
  if (!id || id->seq == 0) {
    // RUN "." and digits worth more than kMaxSeq (2^53 = 9007199254740992, 16 digits).
    const std::size_t dot = value.rfind('.');
    std::string_view digits = value.substr(dot == std::string_view::npos ? 0 : dot + 1);
    const bool number = dot != std::string_view::npos && dot > 0 && !digits.empty() &&
                        digits.find_first_not_of("0123456789") == std::string_view::npos;
    digits.remove_prefix(std::min(digits.find_first_not_of('0'), digits.size()));
    const bool past =
        number && (digits.size() > 16 || (digits.size() == 16 && digits > "9007199254740992"));
    return Fail(why, past ? "the id's SEQ is past 2^53" : "\"id\" is not RUN.SEQ");
  }
  line.run_id = value.substr(0, value.rfind('.'));
  line.seq = id->seq;
  return true;
}

std::optional<Line> ParseLineOrWhy(std::string_view text, std::string& text_buffer,
                                   const char** why) {
  Line line;
  json::Reader r(text);
  if (!r.Consume('{')) return Refuse(why, "not a JSON object");
  bool has_id = false, has_event = false, has_data = false;
  std::string scratch;
  if (!r.Consume('}')) {
    do {
      std::string_view key;
      bool escaped;
      if (!r.String(key, scratch, escaped) || !r.Consume(':')) return Refuse(why, "bad JSON");
      if (key == "id" || key == "event") {
        std::string_view value;
        if (!r.String(value, scratch, escaped) || escaped) {
          return Refuse(why, key == "id" ? "\"id\" is not a RUN.SEQ string"
                                         : "\"event\" is not a plain string");
        }
        if (key == "id") {
          if (has_id) return Refuse(why, "two \"id\"");
          if (!ParseId(value, line, why)) return std::nullopt;
          has_id = true;
        } else {
          const auto type = RecordedType(value);
          if (!type) return Refuse(why, "\"event\" is not start, stdout, stderr or exit");
          if (has_event) return Refuse(why, "two \"event\"");
          line.type = *type;
          has_event = true;
        }
      } else {
        const std::size_t from = r.position();
        if (!r.SkipValue()) return Refuse(why, "bad JSON");
        if (key == "data") {
          if (has_data) return Refuse(why, "two \"data\"");
          line.data = text.substr(from, r.position() - from);
          while (!line.data.empty() && (line.data.front() == ' ' || line.data.front() == '\t')) {
            line.data.remove_prefix(1);
          }
          has_data = true;
        }
      }
    } while (r.Consume(','));
    if (!r.Consume('}')) return Refuse(why, "bad JSON");
  }
  if (!r.AtEnd()) return Refuse(why, "more after the JSON object");
  if (!has_id || !has_event || !has_data)
    return Refuse(why, "\"id\", \"event\" or \"data\" missing");
  return CheckedLine(line, text_buffer, why);
}

std::optional<Line> ParseEventOrWhy(std::string_view run_id, std::uint64_t seq,
                                    std::string_view event, std::string_view data,
                                    std::string& text_buffer, const char** why) {
  Line line;
  if (seq == 0 || seq > kMaxSeq) return Refuse(why, "SEQ is not from 1 to 2^53");
  line.run_id = run_id;
  line.seq = seq;
  const auto type = RecordedType(event);
  if (!type) return Refuse(why, "\"event\" is not start, stdout, stderr or exit");
  line.type = *type;
  // DATA must be one JSON value and nothing else: `{"text":"x"},"event":"exit"` is not.
  json::Reader r(data);
  if (!r.SkipValue() || !r.AtEnd()) return Refuse(why, "\"data\" is not one JSON value");
  line.data = data;
  while (!line.data.empty() && (line.data.front() == ' ' || line.data.front() == '\t')) {
    line.data.remove_prefix(1);
  }
  while (!line.data.empty() && (line.data.back() == ' ' || line.data.back() == '\t')) {
    line.data.remove_suffix(1);
  }
  return CheckedLine(line, text_buffer, why);
}

}  // namespace

Result<Line> ParseLine(std::string_view text, std::string& text_buffer) {
  const char* why = "";
  if (auto line = ParseLineOrWhy(text, text_buffer, &why)) return *line;
  return Error{why};
}

Result<Line> ParseEvent(std::string_view run_id, std::uint64_t seq, std::string_view event,
                        std::string_view data, std::string& text_buffer) {
  const char* why = "";
  if (auto line = ParseEventOrWhy(run_id, seq, event, data, text_buffer, &why)) return *line;
  return Error{why};
}

}  // namespace ssetail::record
