#include "index/line_text.hpp"

#include "index/problem.hpp"
#include "text/utf8.hpp"

namespace ssetail::index {

namespace {

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

// `text` matches `shape` at `at`, where '9' in the shape stands for any digit.
bool Shaped(std::string_view text, std::size_t at, std::string_view shape) {
  if (text.size() - at < shape.size()) return false;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    const char c = text[at + i];
    if (shape[i] == '9' ? !IsDigit(c) : c != shape[i]) return false;
  }
  return true;
}

// GitLab's tag after the timestamp: two hex digits, O or E, an optional '+', a space.
std::size_t GitLabStreamTag(std::string_view text, std::size_t at) {
  const auto hex = [](char c) { return IsDigit(c) || (c >= 'a' && c <= 'f'); };
  if (text.size() - at < 4 || !hex(text[at]) || !hex(text[at + 1])) return 0;
  if (text[at + 2] != 'O' && text[at + 2] != 'E') return 0;
  std::size_t n = 3;
  if (text[at + n] == '+') ++n;
  return at + n < text.size() && text[at + n] == ' ' ? n + 1 : 0;
}

}  // namespace

std::string_view SkipTimestamp(std::string_view line) {
  if (line.size() < 20 || !IsDigit(line[0]) || !Shaped(line, 0, "9999-99-99T99:99:99")) {
    return line;
  }
  std::size_t at = 19;
  if (at < line.size() && (line[at] == '.' || line[at] == ',')) {
    const std::size_t digits = ++at;
    while (at < line.size() && IsDigit(line[at])) ++at;
    if (at == digits) return line;
  }
  if (at < line.size() && line[at] == 'Z') {
    ++at;
  } else if (at < line.size() && (line[at] == '+' || line[at] == '-')) {
    if (Shaped(line, at + 1, "99:99")) {
      at += 6;
    } else if (Shaped(line, at + 1, "9999")) {
      at += 5;
    } else {
      return line;
    }
  }
  if (at >= line.size() || line[at] != ' ') return line;
  ++at;
  return line.substr(at + GitLabStreamTag(line, at));
}

std::string_view Trim(std::string_view text) {
  const auto blank = [](char c) { return c == ' ' || c == '\t'; };
  while (!text.empty() && blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && blank(text.back())) text.remove_suffix(1);
  return text;
}

std::string_view CutUtf8(std::string_view text, std::size_t max) {
  return text.size() <= max ? text : text.substr(0, utf8::CutPoint(text, max));
}

std::uint32_t ParseLineNumber(std::string_view digits) {
  if (digits.empty() || digits.size() > 9) return 0;
  std::uint32_t n = 0;
  for (const char c : digits) {
    if (!IsDigit(c)) return 0;
    n = n * 10 + static_cast<std::uint32_t>(c - '0');
  }
  return n;
}

std::string OneLine(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return out;
}

std::string Field(std::string_view text) {
  return OneLine(CutUtf8(text, kMaxFieldBytes));
}

}  // namespace ssetail::index
