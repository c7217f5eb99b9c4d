#include "text/printable.hpp"

#include <cstdint>
#include <cstring>

#include "text/utf8.hpp"

namespace ssetail::text {

namespace {

// A C1 control is two bytes in UTF-8: C2 80 to C2 9F. Returns it (0x80..0x9f) or 0.
unsigned C1At(std::string_view s, std::size_t i) {
  if (i + 1 < s.size() && static_cast<unsigned char>(s[i]) == 0xc2) {
    const auto next = static_cast<unsigned char>(s[i + 1]);
    if (next >= 0x80 && next <= 0x9f) return next;
  }
  return 0;
}

// Skips a control string (OSC, DCS, SOS, PM, APC) starting at `i` (after its introducer):
// it ends with BEL or ST (ESC \ or C1 0x9c); another ESC starts a new sequence.
std::size_t SkipControlString(std::string_view s, std::size_t i) {
  for (; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == 0x07) return i + 1;
    if (C1At(s, i) == 0x9c) return i + 2;
    if (c == 0x1b) return i + 1 < s.size() && s[i + 1] == '\\' ? i + 2 : i;
  }
  return i;
}

// Skips a CSI's parameters and final byte from `i`; an invalid byte ends it unconsumed.
std::size_t SkipCsi(std::string_view s, std::size_t i) {
  for (; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x40 && c <= 0x7e) return i + 1;
    if (c < 0x20 || c > 0x3f) return i;
  }
  return i;
}

bool IsControlStringIntroducer(char c) {
  return c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_';
}

// True when `text` holds nothing Printable removes: no C0 control but TAB, no DEL, no ESC
// and no C1 control (C2 80 to C2 9F). A word of plain ASCII above 0x1f and below 0x7f is
// passed at once; others are looked at byte by byte.
bool NothingToRemove(std::string_view text) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  std::size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, text.data() + i, 8);
    const std::uint64_t below_space = (w - kOnes * 0x20) & ~w & kHigh;
    const std::uint64_t del = ((w ^ (kOnes * 0x7f)) - kOnes) & ~(w ^ (kOnes * 0x7f)) & kHigh;
    if (((w & kHigh) | below_space | del) == 0) continue;
    for (std::size_t k = i; k < i + 8; ++k) {
      const auto c = static_cast<unsigned char>(text[k]);
      if ((c < 0x20 && c != '\t') || c == 0x7f || C1At(text, k) != 0) return false;
    }
  }
  for (; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\t') || c == 0x7f || C1At(text, i) != 0) return false;
  }
  return true;
}

}  // namespace

std::string_view PrintableView(std::string_view text, std::string& scratch) {
  if (NothingToRemove(text)) return text;
  scratch = Printable(text);
  return scratch;
}

std::string Printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == 0x1b) {
      if (i + 1 >= s.size()) break;
      const char kind = s[i + 1];
      if (kind == '[') {
        i = SkipCsi(s, i + 2);
      } else if (IsControlStringIntroducer(kind)) {
        i = SkipControlString(s, i + 2);
      } else {  // ESC, intermediates 0x20-0x2f, one final character
        std::size_t p = i + 1;
        while (p < s.size() && s[p] >= 0x20 && s[p] <= 0x2f) ++p;
        i = p < s.size() ? p + utf8::LeadLength(static_cast<unsigned char>(s[p])) : p;
      }
    } else if (const unsigned c1 = C1At(s, i)) {
      if (c1 == 0x9b) {
        i = SkipCsi(s, i + 2);
      } else if (c1 == 0x9d || c1 == 0x90 || c1 == 0x98 || c1 == 0x9e || c1 == 0x9f) {
        i = SkipControlString(s, i + 2);
      } else {
        i += 2;
      }
    } else if ((c < 0x20 && c != '\t') || c == 0x7f) {
      ++i;
    } else {
      out.push_back(static_cast<char>(c));
      ++i;
    }
  }
  return out;
}

}  // namespace ssetail::text
