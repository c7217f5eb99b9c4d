// Minimal JSON writing: enough for our event data and /status, nothing more.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ssetail::json {

// Appends `text` (valid UTF-8) as a quoted JSON string. Control characters are escaped,
// so the result never holds a raw CR or LF and fits on one SSE `data:` line.
void AppendString(std::string& out, std::string_view text);

// The same, written at `out`, which must have room for StringBound(text.size()) bytes.
// Returns the end of what it wrote.
char* WriteString(char* out, std::string_view text);
constexpr std::size_t StringBound(std::size_t text_size) {
  return 2 + 6 * text_size;
}

inline std::string Quote(std::string_view text) {
  std::string out;
  AppendString(out, text);
  return out;
}

// Decodes the escapes of a JSON string's raw content (between its quotes), appending it to
// `out`; a lone surrogate becomes U+FFFD. False on a bad escape.
bool AppendUnescaped(std::string_view raw, std::string& out);

}  // namespace ssetail::json
