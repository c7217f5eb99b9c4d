// Minimal JSON writing: enough for our event data and /status, nothing more.
#pragma once

#include <string>
#include <string_view>

namespace ssetail::json {

// Appends `text` (valid UTF-8) as a quoted JSON string. Control characters are escaped,
// so the result never holds a raw CR or LF and fits on one SSE `data:` line.
void AppendString(std::string& out, std::string_view text);

inline std::string Quote(std::string_view text) {
  std::string out;
  AppendString(out, text);
  return out;
}

}  // namespace ssetail::json
