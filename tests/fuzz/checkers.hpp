// Independent checkers for the fuzz targets, written from the standards (RFC 3629 and the
// WHATWG Encoding spec for UTF-8, the WHATWG HTML spec for event streams, RFC 8259 for JSON)
// and not from the code under test, so that no function is checked by itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fuzz {

[[noreturn]] inline void Fail(const char* file, int line, const char* what) {
  std::fprintf(stderr, "\n==== ssetail fuzz invariant failed at %s:%d: %s\n", file, line, what);
  std::abort();
}

// The checkers' own branches are no coverage worth steering by, and on 64 KiB inputs their
// comparison hooks cost more than the code under test: they are left uninstrumented.
// (The unit tests share these checkers; g++ has no such sanitizer to exclude.)
#if defined(__clang__)
#define FUZZ_NO_COVERAGE __attribute__((no_sanitize("coverage")))
#else
#define FUZZ_NO_COVERAGE
#endif

#define FUZZ_CHECK(cond) ((cond) ? (void)0 : ::fuzz::Fail(__FILE__, __LINE__, #cond))

// Reads parameters off the front of the fuzz input; zeros when it runs out.
class Reader {
 public:
  Reader(const std::uint8_t* data, std::size_t size)
      : rest_(reinterpret_cast<const char*>(data), size) {}
  std::uint8_t Byte() {
    if (rest_.empty()) return 0;
    const auto b = static_cast<std::uint8_t>(rest_[0]);
    rest_.remove_prefix(1);
    return b;
  }
  std::uint64_t Bytes(int n) {  // little-endian, n <= 8
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= static_cast<std::uint64_t>(Byte()) << (8 * i);
    return v;
  }
  std::string_view Take(std::size_t n) {
    n = n < rest_.size() ? n : rest_.size();
    const std::string_view taken = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return taken;
  }
  std::string_view Rest() const { return rest_; }

 private:
  std::string_view rest_;
};

// ---- UTF-8 (RFC 3629 section 3/4) ----

// Decodes the scalar value at s[i]: the number of bytes it takes, or 0 if the bytes there
// are not a well-formed encoding (overlong, surrogate, above U+10FFFF, truncated, stray).
FUZZ_NO_COVERAGE inline std::size_t DecodeScalar(std::string_view s, std::size_t i, char32_t* out) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t n;
  char32_t v, min;
  if (b0 < 0x80) {
    *out = b0;
    return 1;
  } else if ((b0 & 0xE0) == 0xC0) {
    n = 2, v = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 3, v = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 4, v = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (s.size() - i < n) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    v = (v << 6) | (b & 0x3F);
  }
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
  *out = v;
  return n;
}

FUZZ_NO_COVERAGE inline bool IsValidUtf8(std::string_view s) {
  char32_t cp;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = DecodeScalar(s, i, &cp);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

FUZZ_NO_COVERAGE inline bool IsValidUtf8WithoutNul(std::string_view s) {
  return IsValidUtf8(s) && s.find('\0') == std::string_view::npos;
}

FUZZ_NO_COVERAGE inline void AppendScalar(std::string& out, char32_t cp) {
  char bytes[4];
  std::size_t n;
  if (cp < 0x80) {
    bytes[0] = static_cast<char>(cp), n = 1;
  } else if (cp < 0x800) {
    bytes[0] = static_cast<char>(0xC0 | (cp >> 6)), n = 2;
  } else if (cp < 0x10000) {
    bytes[0] = static_cast<char>(0xE0 | (cp >> 12)), n = 3;
  } else {
    bytes[0] = static_cast<char>(0xF0 | (cp >> 18)), n = 4;
  }
  for (std::size_t k = 1; k < n; ++k) {
    bytes[k] = static_cast<char>(0x80 | ((cp >> (6 * (n - 1 - k))) & 0x3F));
  }
  out.append(bytes, n);
}

// The WHATWG Encoding standard's UTF-8 decoder (section 9.1.1, "replacement" error mode),
// transcribed step by step, with U+0000 also replaced: what utf8::AppendRepaired promises.
FUZZ_NO_COVERAGE inline void AppendWhatwgDecoded(std::string_view bytes, std::string& out) {
  char32_t code_point = 0;
  int bytes_seen = 0, bytes_needed = 0;
  unsigned lower = 0x80, upper = 0xBF;
  auto emit = [&out](char32_t cp) { AppendScalar(out, cp == 0 ? 0xFFFD : cp); };
  for (std::size_t i = 0; i < bytes.size();) {
    const unsigned byte = static_cast<unsigned char>(bytes[i]);
    if (bytes_needed == 0) {
      ++i;
      if (byte <= 0x7F) {
        emit(byte);
      } else if (byte >= 0xC2 && byte <= 0xDF) {
        bytes_needed = 1, code_point = byte & 0x1F;
      } else if (byte >= 0xE0 && byte <= 0xEF) {
        if (byte == 0xE0) lower = 0xA0;
        if (byte == 0xED) upper = 0x9F;
        bytes_needed = 2, code_point = byte & 0xF;
      } else if (byte >= 0xF0 && byte <= 0xF4) {
        if (byte == 0xF0) lower = 0x90;
        if (byte == 0xF4) upper = 0x8F;
        bytes_needed = 3, code_point = byte & 0x7;
      } else {
        emit(0xFFFD);
      }
      continue;
    }
    if (byte < lower || byte > upper) {
      code_point = 0, bytes_needed = 0, bytes_seen = 0, lower = 0x80, upper = 0xBF;
      emit(0xFFFD);  // the byte is processed again ("prepend"): i is not advanced
      continue;
    }
    ++i;
    lower = 0x80, upper = 0xBF;
    code_point = (code_point << 6) | (byte & 0x3F);
    if (++bytes_seen != bytes_needed) continue;
    emit(code_point);
    code_point = 0, bytes_needed = 0, bytes_seen = 0;
  }
  if (bytes_needed != 0) emit(0xFFFD);  // end of queue inside a sequence
}

FUZZ_NO_COVERAGE inline std::string WhatwgDecode(std::string_view bytes) {
  std::string out;
  AppendWhatwgDecoded(bytes, out);
  return out;
}

// ---- JSON (RFC 8259), only what the event data uses: objects of strings, numbers, true ----

class JsonDecoder {
 public:
  explicit JsonDecoder(std::string_view text) : s_(text) {}

  // A string token at the cursor, decoded to UTF-8; nothing if it is not a valid one.
  std::optional<std::string> String() {
    if (!Eat('"')) return std::nullopt;
    std::string out;
    for (;;) {
      if (i_ >= s_.size()) return std::nullopt;
      const auto c = static_cast<unsigned char>(s_[i_++]);
      if (c == '"') return out;
      if (c < 0x20) return std::nullopt;  // must be escaped
      if (c != '\\') {
        out.push_back(static_cast<char>(c));
        continue;
      }
      if (i_ >= s_.size()) return std::nullopt;
      const char e = s_[i_++];
      switch (e) {
        case '"':
          out.push_back('"');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case '/':
          out.push_back('/');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          auto unit = Hex4();
          if (!unit) return std::nullopt;
          char32_t cp = *unit;
          if (cp >= 0xD800 && cp <= 0xDBFF) {  // a surrogate pair
            if (!Eat('\\') || !Eat('u')) return std::nullopt;
            const auto low = Hex4();
            if (!low || *low < 0xDC00 || *low > 0xDFFF) return std::nullopt;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (*low - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return std::nullopt;
          }
          AppendScalar(out, cp);
          break;
        }
        default:
          return std::nullopt;
      }
    }
  }

  // A non-negative integer without leading zeros.
  std::optional<std::uint64_t> Unsigned() {
    const std::size_t start = i_;
    std::uint64_t v = 0;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
      const std::uint64_t digit = static_cast<std::uint64_t>(s_[i_++] - '0');
      if (v > (UINT64_MAX - digit) / 10) return std::nullopt;
      v = v * 10 + digit;
    }
    if (i_ == start || (i_ - start > 1 && s_[start] == '0')) return std::nullopt;
    return v;
  }

  bool Literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }

  bool Eat(char c) {
    if (i_ >= s_.size() || s_[i_] != c) return false;
    ++i_;
    return true;
  }
  bool AtEnd() const { return i_ == s_.size(); }

 private:
  std::optional<char32_t> Hex4() {
    if (s_.size() - i_ < 4) return std::nullopt;
    char32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = s_[i_++];
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= static_cast<char32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<char32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= static_cast<char32_t>(c - 'A' + 10);
      else
        return std::nullopt;
    }
    return v;
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

// A whole JSON text that is one string.
inline std::optional<std::string> DecodeJsonString(std::string_view text) {
  JsonDecoder d(text);
  auto s = d.String();
  if (!s || !d.AtEnd()) return std::nullopt;
  return s;
}

// A flat JSON object (no whitespace, as ssetail writes it) whose values are strings,
// unsigned integers or `true`, kept as their decoded text ("true" for true). Nothing if
// malformed or if a key repeats.
struct JsonValue {
  enum Kind { String, Number, True } kind;
  std::string text;
  std::uint64_t number = 0;
};
inline std::optional<std::map<std::string, JsonValue>> DecodeFlatObject(std::string_view text) {
  JsonDecoder d(text);
  std::map<std::string, JsonValue> object;
  if (!d.Eat('{')) return std::nullopt;
  if (d.Eat('}')) return d.AtEnd() ? std::optional(object) : std::nullopt;
  do {
    auto key = d.String();
    if (!key || !d.Eat(':') || object.count(*key) != 0) return std::nullopt;
    JsonValue value{JsonValue::True, "true"};
    if (auto s = d.String()) {
      value = {JsonValue::String, *s};
    } else if (auto n = d.Unsigned()) {
      value = {JsonValue::Number, std::to_string(*n), *n};
    } else if (!d.Literal("true")) {
      return std::nullopt;
    }
    object.emplace(*key, value);
  } while (d.Eat(','));
  if (!d.Eat('}') || !d.AtEnd()) return std::nullopt;
  return object;
}

// ---- text/event-stream (WHATWG HTML, "Interpreting an event stream") ----

struct SseEvent {
  std::string type;           // "message" when no event field was given
  std::string data;           // the data buffer without its final LF
  std::string last_event_id;  // the last event ID buffer when it was dispatched
};

// Parses a whole stream (already valid UTF-8) the way EventSource does, field by field.
inline std::vector<SseEvent> ParseEventStream(std::string_view stream, int* retry_ms = nullptr) {
  std::vector<SseEvent> events;
  std::string data, type, last_id;
  if (stream.substr(0, 3) == "\xEF\xBB\xBF") stream.remove_prefix(3);  // one leading BOM
  std::size_t i = 0;
  while (i < stream.size()) {
    // A line ends at CRLF, a lone LF or a lone CR; a final unterminated line is discarded.
    std::size_t end = i;
    while (end < stream.size() && stream[end] != '\r' && stream[end] != '\n') ++end;
    if (end == stream.size()) break;
    const std::string_view line = stream.substr(i, end - i);
    i = end + 1;
    if (stream[end] == '\r' && i < stream.size() && stream[i] == '\n') ++i;

    if (line.empty()) {  // dispatch
      if (data.empty()) {
        type.clear();
        continue;
      }
      data.pop_back();  // the final LF
      events.push_back({type.empty() ? "message" : type, data, last_id});
      data.clear();
      type.clear();
      continue;
    }
    if (line[0] == ':') continue;  // a comment
    std::string_view field = line, value;
    if (const std::size_t colon = line.find(':'); colon != std::string_view::npos) {
      field = line.substr(0, colon);
      value = line.substr(colon + 1);
      if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
    }
    if (field == "event") {
      type = std::string(value);
    } else if (field == "data") {
      data.append(value);
      data.push_back('\n');
    } else if (field == "id") {
      if (value.find('\0') == std::string_view::npos) last_id = std::string(value);
    } else if (field == "retry") {
      if (!value.empty() && value.find_first_not_of("0123456789") == std::string_view::npos &&
          retry_ms != nullptr)
        *retry_ms = std::atoi(std::string(value).c_str());
    }
  }
  return events;
}

}  // namespace fuzz
