#include "events/json.hpp"

#include <array>
#include <cstring>

namespace ssetail::json {

namespace {
// Which bytes a JSON string cannot hold as they are.
constexpr std::array<bool, 256> kNeedsEscape = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[static_cast<std::size_t>(c)] = true;
  table['"'] = true;
  table['\\'] = true;
  return table;
}();
}  // namespace

char* WriteString(char* out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  *out++ = '"';
  std::size_t clean_from = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (!kNeedsEscape[c]) continue;
    std::memcpy(out, text.data() + clean_from, i - clean_from);
    out += i - clean_from;
    clean_from = i + 1;
    *out++ = '\\';
    switch (c) {
      case '"':
      case '\\':
        *out++ = static_cast<char>(c);
        break;
      case '\n':
        *out++ = 'n';
        break;
      case '\r':
        *out++ = 'r';
        break;
      case '\t':
        *out++ = 't';
        break;
      default:
        *out++ = 'u';
        *out++ = '0';
        *out++ = '0';
        *out++ = kHex[c >> 4];
        *out++ = kHex[c & 0xF];
    }
  }
  std::memcpy(out, text.data() + clean_from, text.size() - clean_from);
  out += text.size() - clean_from;
  *out++ = '"';
  return out;
}

void AppendString(std::string& out, std::string_view text) {
  const std::size_t at = out.size();
  out.resize(at + StringBound(text.size()));
  out.resize(static_cast<std::size_t>(WriteString(out.data() + at, text) - out.data()));
}

}  // namespace ssetail::json
