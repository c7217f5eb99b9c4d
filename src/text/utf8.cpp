#include "text/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace ssetail::utf8 {
namespace {

constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

bool IsContinuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

// Number of bytes of the valid sequence starting at text[i], or 0 if the bytes there are
// not a complete valid sequence. `*valid_prefix` receives how many bytes (>= 1) belong to
// the maximal invalid subpart when the result is 0.
std::size_t SequenceLength(std::string_view text, std::size_t i, std::size_t* valid_prefix) {
  const auto c = static_cast<unsigned char>(text[i]);
  *valid_prefix = 1;
  if (c >= 0x01 && c < 0x80) return 1;
  std::size_t length;
  unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    length = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    length = 3;
    if (c == 0xE0) low = 0xA0;   // overlong
    if (c == 0xED) high = 0x9F;  // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    length = 4;
    if (c == 0xF0) low = 0x90;   // overlong
    if (c == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return 0;  // NUL, stray continuation byte, C0/C1 overlong lead, F5..FF
  }
  for (std::size_t k = 1; k < length; ++k) {
    if (i + k >= text.size()) return 0;
    const auto b = static_cast<unsigned char>(text[i + k]);
    if (k == 1 ? (b < low || b > high) : !IsContinuation(b)) return 0;
    *valid_prefix = k + 1;
  }
  return length;
}

}  // namespace

bool IsCleanAscii(std::string_view text) {
  const char* p = text.data();
  std::size_t n = text.size();
  // A byte is NUL or >= 0x80 exactly when (byte - 1) | byte has its high bit set, and
  // subtracting 1 from every byte of a word borrows across bytes only out of a NUL byte.
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    if (((w - kOnes) | w) & kHighs) return false;
  }
  for (; n > 0; ++p, --n) {
    const auto c = static_cast<unsigned char>(*p);
    if (c == 0 || c >= 0x80) return false;
  }
  return true;
}

bool IsClean(std::string_view text) {
  if (IsCleanAscii(text)) return true;
  std::size_t prefix;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = SequenceLength(text, i, &prefix);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

void AppendRepaired(std::string_view text, std::string& out) {
  std::size_t prefix;
  std::size_t clean_from = 0;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = SequenceLength(text, i, &prefix);
    if (length > 0) {
      i += length;
      continue;
    }
    out.append(text.substr(clean_from, i - clean_from));
    out.append(kReplacement);
    // A NUL or an invalid lead byte is one subpart; a truncated sequence is all its bytes.
    i += (static_cast<unsigned char>(text[i]) == 0) ? 1 : prefix;
    clean_from = i;
  }
  out.append(text.substr(clean_from));
}

std::size_t CutPoint(std::string_view text, std::size_t max) {
  if (text.size() <= max) return text.size();
  std::size_t n = max;
  // Back up over at most three continuation bytes to the lead byte of the sequence.
  for (int k = 0; k < 3 && n > 0 && IsContinuation(static_cast<unsigned char>(text[n])); ++k) --n;
  return n == 0 ? max : n;
}

std::size_t IncompleteTail(std::string_view text) {
  const std::size_t n = text.size();
  for (std::size_t back = 1; back <= 3 && back <= n; ++back) {
    const auto c = static_cast<unsigned char>(text[n - back]);
    if (IsContinuation(c)) continue;
    const std::size_t length = c >= 0xF5 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 1;
    if (length <= back) return 0;  // complete (or not a lead byte at all)
    // Only hold back bytes that could still become a valid sequence.
    std::size_t prefix;
    std::string padded(text.substr(n - back));
    padded.append(length - back, '\x80');
    // Pad with the smallest continuation bytes and accept if the prefix is valid so far.
    SequenceLength(padded, 0, &prefix);
    return prefix >= back ? back : 0;
  }
  return 0;
}

}  // namespace ssetail::utf8
