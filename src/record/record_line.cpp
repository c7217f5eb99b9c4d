#include "record/record_line.hpp"

#include <charconv>
#include <cstring>

#include "capture/utf8.hpp"
#include "events/sse_format.hpp"

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

// A strict reader of one JSON text, enough for record lines: it finds members, decodes
// strings and skips any value. Hand-rolled: none of the project's libraries reads JSON.
class Reader {
 public:
  explicit Reader(std::string_view text) : s_(text) {}

  bool AtEnd() {
    SkipSpace();
    return i_ == s_.size();
  }
  bool Consume(char c) {
    SkipSpace();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  std::size_t position() const { return i_; }

  // A string: its raw content (between the quotes) when it holds no escape, else decoded
  // into `decoded`. Sets `raw` to the raw view either way.
  bool String(std::string_view& raw, std::string& decoded, bool& escaped) {
    SkipSpace();
    if (i_ >= s_.size() || s_[i_] != '"') return false;
    const std::size_t start = ++i_;
    escaped = false;
    for (; i_ < s_.size(); ++i_) {
      const auto c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') break;
      if (c < 0x20) return false;
      if (c == '\\') {
        escaped = true;
        ++i_;
      }
    }
    if (i_ >= s_.size()) return false;
    raw = s_.substr(start, i_ - start);
    ++i_;
    return !escaped || Unescape(raw, decoded);
  }

  // Any value, skipped; nesting is limited so a hostile line cannot exhaust the stack.
  bool SkipValue(int depth = 0) {
    SkipSpace();
    if (i_ >= s_.size() || depth > 64) return false;
    const char c = s_[i_];
    if (c == '"') {
      std::string_view raw;
      std::string ignored;
      bool escaped;
      return String(raw, ignored, escaped);
    }
    if (c == '{' || c == '[') {
      const char close = c == '{' ? '}' : ']';
      ++i_;
      if (Consume(close)) return true;
      do {
        if (c == '{') {
          std::string_view raw;
          std::string ignored;
          bool escaped;
          if (!String(raw, ignored, escaped) || !Consume(':')) return false;
        }
        if (!SkipValue(depth + 1)) return false;
      } while (Consume(','));
      return Consume(close);
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      double ignored;
      const auto [ptr, ec] = std::from_chars(s_.data() + i_, s_.data() + s_.size(), ignored);
      if (ec != std::errc{}) return false;
      i_ = static_cast<std::size_t>(ptr - s_.data());
      return true;
    }
    for (std::string_view word : {"true", "false", "null"}) {
      if (s_.substr(i_, word.size()) == word) {
        i_ += word.size();
        return true;
      }
    }
    return false;
  }

  bool Bool(bool& value) {
    SkipSpace();
    for (bool candidate : {true, false}) {
      const std::string_view word = candidate ? "true" : "false";
      if (s_.substr(i_, word.size()) == word) {
        i_ += word.size();
        value = candidate;
        return true;
      }
    }
    return false;
  }

  bool Unsigned(std::uint32_t& value) {
    SkipSpace();
    const auto [ptr, ec] = std::from_chars(s_.data() + i_, s_.data() + s_.size(), value);
    if (ec != std::errc{}) return false;
    i_ = static_cast<std::size_t>(ptr - s_.data());
    return true;
  }

 private:
  void SkipSpace() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\r')) ++i_;
  }

  static int Hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
  static bool Hex4(std::string_view s, std::size_t at, char32_t& out) {
    if (at + 4 > s.size()) return false;
    out = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      const int h = Hex(s[at + k]);
      if (h < 0) return false;
      out = out * 16 + static_cast<char32_t>(h);
    }
    return true;
  }
  static void AppendScalar(std::string& out, char32_t cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  // Decodes the escapes of a string's raw content; a lone surrogate becomes U+FFFD.
  static bool Unescape(std::string_view raw, std::string& out) {
    for (std::size_t k = 0; k < raw.size(); ++k) {
      if (raw[k] != '\\') {
        out.push_back(raw[k]);
        continue;
      }
      if (++k >= raw.size()) return false;
      switch (raw[k]) {
        case '"':
        case '\\':
        case '/':
          out.push_back(raw[k]);
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
          char32_t cp;
          if (!Hex4(raw, k + 1, cp)) return false;
          k += 4;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            char32_t low;
            if (k + 2 < raw.size() && raw[k + 1] == '\\' && raw[k + 2] == 'u' &&
                Hex4(raw, k + 3, low) && low >= 0xDC00 && low <= 0xDFFF) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
              k += 6;
            } else {
              cp = 0xFFFD;
            }
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            cp = 0xFFFD;
          }
          AppendScalar(out, cp);
          break;
        }
        default:
          return false;
      }
    }
    return true;
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

std::optional<EventType> RecordedType(std::string_view name) {
  for (EventType type : {EventType::Start, EventType::Stdout, EventType::Stderr, EventType::Exit}) {
    if (EventTypeName(type) == name) return type;
  }
  return std::nullopt;
}

std::optional<Line> Refuse(std::string* why, const char* reason) {
  if (why != nullptr) *why = reason;
  return std::nullopt;
}

bool Fail(std::string* why, const char* reason) {
  if (why != nullptr) *why = reason;
  return false;
}

// The fields of an output event's DATA object; the text is appended to `text_buffer`.
bool ParseOutputData(std::string_view data, std::string& text_buffer, Line& line,
                     std::string* why) {
  Reader r(data);
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

}  // namespace

std::optional<Line> ParseLine(std::string_view text, std::string& text_buffer, std::string* why) {
  Line line;
  Reader r(text);
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
          const auto id = sse::ParseEventId(value);
          if (!id || id->seq == 0) return Refuse(why, "\"id\" is not RUN.SEQ");
          line.run_id = value.substr(0, value.rfind('.'));
          line.seq = id->seq;
          has_id = true;
        } else {
          const auto type = RecordedType(value);
          if (!type) return Refuse(why, "\"event\" is not start, stdout, stderr or exit");
          line.type = *type;
          has_event = true;
        }
      } else {
        const std::size_t from = r.position();
        if (!r.SkipValue()) return Refuse(why, "bad JSON");
        if (key == "data") {
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
  if (line.data.find('\r') != std::string_view::npos) return Refuse(why, "\"data\" holds a CR");
  if (!utf8::IsClean(line.data)) return Refuse(why, "not UTF-8");
  if (IsOutput(line.type)) {
    if (!ParseOutputData(line.data, text_buffer, line, why)) return std::nullopt;
  } else if (line.data.empty() || line.data.front() != '{') {
    return Refuse(why, "\"data\" is not an object");
  }
  return line;
}

}  // namespace ssetail::record
