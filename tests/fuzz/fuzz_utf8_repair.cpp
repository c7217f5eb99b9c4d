// utf8::AppendRepaired, IsClean, IsCleanAscii, CutPoint and IncompleteTail against the
// WHATWG decoder and an RFC 3629 validator written here.
//
// Input: [max for CutPoint (2 bytes)][split][text].
#include <cstdint>
#include <string>
#include <string_view>

#include "checkers.hpp"
#include "text/utf8.hpp"

namespace utf8 = ssetail::utf8;

namespace {

bool IsContinuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

std::string Repaired(std::string_view text) {
  std::string out;
  utf8::AppendRepaired(text, out);
  return out;
}

// True when `tail` is the start of some well-formed encoding that is still missing bytes.
bool IsIncompletePrefix(std::string_view tail) {
  if (tail.empty() || tail.size() > 3) return false;
  for (int second = 0x80; second <= 0xBF; ++second) {
    for (std::size_t total = tail.size() + 1; total <= 4; ++total) {
      std::string candidate(tail);
      if (candidate.size() == 1) candidate.push_back(static_cast<char>(second));
      while (candidate.size() < total) candidate.push_back('\x80');
      char32_t cp;
      if (candidate.size() == total && fuzz::DecodeScalar(candidate, 0, &cp) == total) return true;
    }
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Reader reader(data, size);
  const auto max = static_cast<std::size_t>(reader.Bytes(2)) % 512;
  const std::uint8_t split = reader.Byte();
  const std::string_view text = reader.Rest();

  // Repair: the WHATWG decoding (NUL too becomes U+FFFD), appended after what `out` held.
  std::string out = "prefix";
  utf8::AppendRepaired(text, out);
  FUZZ_CHECK(out.substr(0, 6) == "prefix");
  const std::string repaired = out.substr(6);
  FUZZ_CHECK(fuzz::IsValidUtf8WithoutNul(repaired));
  FUZZ_CHECK(repaired == fuzz::WhatwgDecode(text));
  FUZZ_CHECK(Repaired(repaired) == repaired);  // idempotent

  // IsClean is "repairing changes nothing", which is "valid UTF-8 without NUL".
  const bool clean = utf8::IsClean(text);
  FUZZ_CHECK(clean == (repaired == text));
  FUZZ_CHECK(clean == fuzz::IsValidUtf8WithoutNul(text));
  bool ascii = true;
  for (char c : text) ascii = ascii && c != '\0' && static_cast<unsigned char>(c) < 0x80;
  FUZZ_CHECK(utf8::IsCleanAscii(text) == ascii);
  FUZZ_CHECK(utf8::IsClean(repaired));

  // Repair composes at any cut before a byte that cannot continue a sequence: what lets the
  // splitter repair each segment on its own.
  const std::size_t at = text.empty() ? 0 : split % (text.size() + 1);
  if (at == text.size() || !IsContinuation(text[at])) {
    FUZZ_CHECK(Repaired(text.substr(0, at)) + Repaired(text.substr(at)) == repaired);
  }

  // CutPoint: the text itself when it fits; otherwise at most `max`, never inside a
  // character of valid text (unless the first character is longer than `max`), at most three
  // bytes back, and never 0 for max > 0.
  const std::size_t cut = utf8::CutPoint(text, max);
  if (text.size() <= max) {
    FUZZ_CHECK(cut == text.size());
  } else {
    FUZZ_CHECK(cut <= max && cut + 3 >= max);
    FUZZ_CHECK(max == 0 || cut > 0);
    FUZZ_CHECK(cut == max || !IsContinuation(text[cut]) || max - cut == 3);
    for (std::size_t k = cut + 1; k <= max && cut < max; ++k) FUZZ_CHECK(IsContinuation(text[k]));
    if (fuzz::IsValidUtf8(text)) {
      std::size_t boundary = max;  // the largest character boundary <= max
      while (boundary > 0 && IsContinuation(text[boundary])) --boundary;
      FUZZ_CHECK(cut == (boundary > 0 ? boundary : max));
      if (boundary > 0) FUZZ_CHECK(fuzz::IsValidUtf8(text.substr(0, cut)));
    }
  }

  // IncompleteTail: 0..3 trailing bytes that a well-formed character could still complete,
  // and no shorter or longer such suffix when it says 0.
  const std::size_t tail = utf8::IncompleteTail(text);
  FUZZ_CHECK(tail <= 3 && tail <= text.size());
  if (tail > 0) {
    FUZZ_CHECK(IsIncompletePrefix(text.substr(text.size() - tail)));
  } else {
    for (std::size_t k = 1; k <= 3 && k <= text.size(); ++k)
      FUZZ_CHECK(!IsIncompletePrefix(text.substr(text.size() - k)));
  }
  // Holding the tail back and repairing the rest loses nothing: with any continuation the
  // result is that of the whole (the tail starts with a lead byte).
  if (tail > 0) {
    const std::string next = std::string(text.substr(text.size() - tail)) + "\x80\x80\x80";
    FUZZ_CHECK(Repaired(text.substr(0, text.size() - tail)) + Repaired(next) ==
               Repaired(std::string(text) + "\x80\x80\x80"));
  }
  return 0;
}
