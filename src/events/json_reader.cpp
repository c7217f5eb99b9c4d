#include "events/json_reader.hpp"

#include <charconv>

#include "events/json.hpp"

namespace ssetail::json {

namespace {

template <class Number>
bool ReadNumber(std::string_view s, std::size_t& i, Number& value) {
  const auto [end, error] = std::from_chars(s.data() + i, s.data() + s.size(), value);
  if (error != std::errc{}) return false;
  i = static_cast<std::size_t>(end - s.data());
  return true;
}

}  // namespace

void Reader::SkipSpace() {
  while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
    ++i_;
}

bool Reader::AtEnd() {
  SkipSpace();
  return i_ == s_.size();
}

bool Reader::Consume(char c) {
  SkipSpace();
  if (i_ < s_.size() && s_[i_] == c) {
    ++i_;
    return true;
  }
  return false;
}

bool Reader::Word(std::string_view word) {
  SkipSpace();
  if (s_.substr(i_, word.size()) != word) return false;
  i_ += word.size();
  return true;
}

bool Reader::String(std::string_view& raw, std::string& decoded, bool& escaped) {
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
  return !escaped || AppendUnescaped(raw, decoded);
}

bool Reader::String(std::string& out) {
  std::string_view raw;
  std::string decoded;
  bool escaped = false;
  if (!String(raw, decoded, escaped)) return false;
  out = escaped ? std::move(decoded) : std::string(raw);
  return true;
}

bool Reader::Bool(bool& value) {
  for (bool candidate : {true, false}) {
    if (Word(candidate ? "true" : "false")) {
      value = candidate;
      return true;
    }
  }
  return false;
}

bool Reader::Unsigned(std::uint32_t& value) {
  SkipSpace();
  return ReadNumber(s_, i_, value);
}

bool Reader::Integer(std::int64_t& value) {
  SkipSpace();
  return ReadNumber(s_, i_, value);
}

bool Reader::SkipValue() {
  return SkipValue(0);
}

bool Reader::SkipValue(int depth) {
  SkipSpace();
  if (i_ >= s_.size() || depth > 64) return false;
  const char c = s_[i_];
  std::string_view raw;
  std::string ignored;
  bool escaped = false;
  if (c == '"') return String(raw, ignored, escaped);
  if (c == '{' || c == '[') {
    const char close = c == '{' ? '}' : ']';
    ++i_;
    if (Consume(close)) return true;
    do {
      if (c == '{' && (!String(raw, ignored, escaped) || !Consume(':'))) return false;
      if (!SkipValue(depth + 1)) return false;
    } while (Consume(','));
    return Consume(close);
  }
  if (c == '-' || (c >= '0' && c <= '9')) {
    double ignored_number;
    return ReadNumber(s_, i_, ignored_number);
  }
  return Word("true") || Word("false") || Word("null");
}

}  // namespace ssetail::json
