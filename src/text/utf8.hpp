// UTF-8 helpers for the capture path: validation fast path, repair, safe cut points.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ssetail::utf8 {

// The length of the character a byte begins (1 for ASCII and for a stray continuation byte).
inline std::size_t LeadLength(unsigned char lead) {
  return lead < 0xc0 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
}

// True when `text` is plain ASCII without NUL: the common case, checked a word at a time.
bool IsCleanAscii(std::string_view text);

// True when `text` is valid UTF-8 and holds no NUL, i.e. Repair() would return it unchanged.
bool IsClean(std::string_view text);

// Appends `text` to `out` with every NUL byte and every maximal invalid subsequence
// replaced by U+FFFD (the WHATWG "replacement" decoding rule).
void AppendRepaired(std::string_view text, std::string& out);

// The largest n <= max such that text[0, n) does not end inside a multi-byte sequence
// (n == max when text is shorter or already at a boundary). Never returns 0 for max > 0
// unless the text starts with continuation bytes only, in which case max is returned.
std::size_t CutPoint(std::string_view text, std::size_t max);

// Length of a trailing, still incomplete (but so far valid) multi-byte sequence: 0..3.
// Such bytes may be completed by the next read and must not be repaired yet.
std::size_t IncompleteTail(std::string_view text);

}  // namespace ssetail::utf8
