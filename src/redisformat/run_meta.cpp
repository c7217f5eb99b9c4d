#include "redisformat/run_meta.hpp"

#include <charconv>
#include <cstdint>
#include <optional>

#include "events/json.hpp"
#include "events/json_reader.hpp"
#include "redisformat/json_fields.hpp"
#include "text/utf8.hpp"

namespace ssetail {

namespace {

// A string from the meta, decoded and repaired to valid UTF-8 (anyone may write there).
bool ReadText(json::Reader& reader, std::string& out) {
  std::string decoded;
  if (!reader.String(decoded)) return false;
  out.clear();
  utf8::AppendRepaired(decoded, out);
  return true;
}

// The exit event's object encoded anew, with its code and duration; `null` for anything else.
std::string ExitJson(std::string_view raw, std::optional<std::int64_t>& code,
                     std::optional<std::string>& signal, std::optional<std::int64_t>& duration) {
  json::Reader s(raw);
  bool has_code = false, has_signal = false;
  if (!s.Consume('{')) return "null";
  if (!s.Consume('}')) {
    do {
      std::string key;
      if (!ReadText(s, key) || !s.Consume(':')) return "null";
      std::int64_t number = 0;
      std::string text;
      if (key == "code" && !has_code) {
        has_code = true;
        if (s.Integer(number)) {
          code = number;
        } else if (!s.Word("null")) {
          return "null";
        }
      } else if (key == "signal" && !has_signal) {
        has_signal = true;
        if (ReadText(s, text)) {
          signal = text;
        } else if (!s.Word("null")) {
          return "null";
        }
      } else if (key == "duration_ms" && !duration) {
        if (!s.Integer(number) || number < 0) return "null";
        duration = number;
      } else {
        return "null";  // unknown, or twice
      }
    } while (s.Consume(','));
    if (!s.Consume('}')) return "null";
  }
  if (!s.AtEnd() || !has_code || !has_signal || !duration) return "null";
  std::string out = "{\"code\":" + (code ? std::to_string(*code) : std::string("null"));
  out += ",\"signal\":";
  out += signal ? json::Quote(*signal) : "null";
  return out + ",\"duration_ms\":" + std::to_string(*duration) + "}";
}

// A count: plain decimal digits, nothing else.
std::optional<std::uint64_t> Count(std::string_view raw) {
  if (raw.empty() || raw.size() > 15 || raw.find_first_not_of("0123456789") != raw.npos) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  std::from_chars(raw.data(), raw.data() + raw.size(), value);
  return value;
}

std::string Text(std::string_view raw) {
  std::string out;
  utf8::AppendRepaired(raw, out);
  return out;
}

// `null` or an array of strings, encoded anew.
std::string Command(std::string_view raw) {
  json::Reader s(raw);
  if (s.Word("null") && s.AtEnd()) return "null";
  s = json::Reader(raw);
  if (!s.Consume('[')) return "null";
  std::string out = "[";
  if (!s.Consume(']')) {
    std::string arg;
    do {
      if (!ReadText(s, arg)) return "null";
      if (out.size() > 1) out += ',';
      json::AppendString(out, arg);
    } while (s.Consume(','));
    if (!s.Consume(']')) return "null";
  }
  return s.AtEnd() ? out + "]" : "null";
}

// The exit event's object, encoded anew into meta.exit, its code and duration into theirs;
// `null` for anything else.
void Exit(std::string_view raw, RunMeta& meta) {
  meta.exit = ExitJson(raw, meta.exit_code, meta.exit_signal, meta.duration_ms);
  if (meta.exit == "null") {
    meta.exit_code = meta.duration_ms = std::nullopt;
    meta.exit_signal = std::nullopt;
  }
}

}  // namespace

RunMeta DecodeRunMeta(const std::vector<std::string_view>& fields) {
  RunMeta meta;
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
    const std::string_view key = fields[i], value = fields[i + 1];
    if (key == "title") meta.title = Text(value);
    if (key == "started") meta.started = Text(value);
    if (key == "state") meta.state = value == "running" || value == "exited" ? value : "";
    if (key == "command") meta.command = Command(value);
    if (key == "exit") Exit(value, meta);
    if (key == "errors") meta.errors = Count(value);
    if (key == "warnings") meta.warnings = Count(value);
    if (key == "first_error") meta.first_error = Count(value);
  }
  return meta;
}

std::string StartDataFromMeta(const RunMeta& meta) {
  std::string start = "{\"command\":" + meta.command + ",\"pid\":null,\"started\":";
  json::AppendString(start, meta.started);
  start += ",\"title\":";
  json::AppendString(start, meta.title);
  return start + '}';
}

StartMeta MetaOfStart(std::string_view start_data) {
  const auto field = [start_data](std::string_view key) {
    return json::RawField(start_data, key).value_or("null");
  };
  StartMeta meta;
  meta.title = json::DecodeString(field("title")).value_or("");
  meta.command = std::string(field("command"));
  meta.started = json::DecodeString(field("started")).value_or("");
  meta.score = json::ParseIsoUtcMs(meta.started).value_or(0);
  return meta;
}

}  // namespace ssetail
