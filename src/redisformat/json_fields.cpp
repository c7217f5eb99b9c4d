#include "redisformat/json_fields.hpp"

#include <cstdio>
#include <ctime>

#include "events/json.hpp"

namespace ssetail::json {

namespace {

// The end of the value starting at `at` (after white space), or npos.
std::size_t ValueEnd(std::string_view text, std::size_t at) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = at; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
        if (depth == 0) return i + 1;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '{':
      case '[':
        ++depth;
        break;
      case '}':
      case ']':
        if (depth == 0) return i;  // the end of the enclosing object: a bare value ended
        if (--depth == 0) return i + 1;
        break;
      case ',':
        if (depth == 0) return i;
        break;
      default:
        break;
    }
  }
  return depth == 0 && !in_string ? text.size() : std::string_view::npos;
}

std::size_t SkipSpace(std::string_view text, std::size_t at) {
  while (at < text.size() &&
         (text[at] == ' ' || text[at] == '\t' || text[at] == '\n' || text[at] == '\r')) {
    ++at;
  }
  return at;
}

}  // namespace

std::optional<std::string_view> RawField(std::string_view object, std::string_view key) {
  std::size_t at = SkipSpace(object, 0);
  if (at >= object.size() || object[at] != '{') return std::nullopt;
  ++at;
  for (;;) {
    at = SkipSpace(object, at);
    if (at >= object.size() || object[at] != '"') return std::nullopt;
    const std::size_t key_end = ValueEnd(object, at);
    if (key_end == std::string_view::npos) return std::nullopt;
    const auto name = DecodeString(object.substr(at, key_end - at));
    at = SkipSpace(object, key_end);
    if (at >= object.size() || object[at] != ':') return std::nullopt;
    at = SkipSpace(object, at + 1);
    std::size_t end = ValueEnd(object, at);
    if (end == std::string_view::npos) return std::nullopt;
    std::size_t trimmed = end;
    while (trimmed > at && (object[trimmed - 1] == ' ' || object[trimmed - 1] == '\n')) --trimmed;
    if (name && *name == key) return object.substr(at, trimmed - at);
    at = SkipSpace(object, end);
    if (at >= object.size() || object[at] != ',') return std::nullopt;
    ++at;
  }
}

std::optional<std::string> DecodeString(std::string_view raw) {
  if (raw.size() < 2 || raw.front() != '"' || raw.back() != '"') return std::nullopt;
  std::string out;
  if (!AppendUnescaped(raw.substr(1, raw.size() - 2), out)) return std::nullopt;
  return out;
}

std::optional<std::int64_t> ParseIsoUtcMs(std::string_view iso) {
  std::tm tm{};
  int millis = 0;
  const std::string text(iso);
  int used = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &used) != 6) {
    return std::nullopt;
  }
  std::size_t at = static_cast<std::size_t>(used);
  if (at < text.size() && text[at] == '.') {
    int digits = 0;
    for (++at; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at, ++digits) {
      if (digits < 3) millis = millis * 10 + (text[at] - '0');
    }
    for (; digits < 3; ++digits) millis *= 10;
  }
  if (at >= text.size() || text[at] != 'Z') return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const std::time_t seconds = timegm(&tm);
  return static_cast<std::int64_t>(seconds) * 1000 + millis;
}

}  // namespace ssetail::json
