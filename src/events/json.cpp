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

namespace {

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
bool Hex4(std::string_view s, std::size_t at, char32_t& out) {
  if (at + 4 > s.size()) return false;
  out = 0;
  for (std::size_t k = 0; k < 4; ++k) {
    const int h = Hex(s[at + k]);
    if (h < 0) return false;
    out = out * 16 + static_cast<char32_t>(h);
  }
  return true;
}
void AppendScalar(std::string& out, char32_t cp) {
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

}  // namespace

bool AppendUnescaped(std::string_view raw, std::string& out) {
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

}  // namespace ssetail::json
