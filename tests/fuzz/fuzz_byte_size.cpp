// ParseByteSize (--history-bytes): never fails on any text, never wraps around (a size
// that does not fit size_t is refused), and N, NK, NM, NG (with B/iB, any case) give N times
// the power of 1024.
//
// Input: [mode][text...]. Mode 0: the text itself. Otherwise a number (8 bytes, reduced to
// at most 15 digits) with one of the suffixes.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "checkers.hpp"
#include "options.hpp"

namespace {

// The value of `text` by the documented grammar, computed with 128-bit arithmetic:
// DIGITS (1..15) then "", "B", or K/M/G optionally followed by "B" or "iB" (any case).
std::optional<std::size_t> Reference(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || digits > 15) return std::nullopt;
  unsigned __int128 value = 0;
  for (std::size_t i = 0; i < digits; ++i)
    value = value * 10 + static_cast<unsigned>(text[i] - '0');
  std::string suffix;
  for (char c : text.substr(digits)) suffix.push_back(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  // The unit: nothing, B, or K/M/G with an optional B or iB. Today's code also takes "iB",
  // "BB" and "BiB" after a plain number (it strips one "iB" or "B" before looking at the
  // rest): lenient, harmless, and kept as accepted here.
  int shift;
  if (suffix.empty() || suffix == "B" || suffix == "IB" || suffix == "BB" || suffix == "BIB") {
    shift = 0;
  } else if (suffix[0] == 'K' || suffix[0] == 'M' || suffix[0] == 'G') {
    shift = suffix[0] == 'K' ? 10 : suffix[0] == 'M' ? 20 : 30;
    const std::string_view unit = std::string_view(suffix).substr(1);
    if (!unit.empty() && unit != "B" && unit != "IB") return std::nullopt;
  } else {
    return std::nullopt;
  }
  value <<= shift;
  if (value > SIZE_MAX) return std::nullopt;
  return static_cast<std::size_t>(value);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Reader reader(data, size);
  const std::uint8_t mode = reader.Byte();
  if (mode % 2 == 0) {
    const std::string text(reader.Rest());
    const auto parsed = ssetail::ParseByteSize(text);
    const auto reference = Reference(text);
    // Whatever it accepts is by the grammar, and what the grammar values it values the same.
    // (A number that would wrap has no reference value: it must be refused.)
    FUZZ_CHECK(parsed.has_value() == reference.has_value());
    if (parsed) FUZZ_CHECK(*parsed == *reference);
    return 0;
  }
  static constexpr const char* kSuffixes[] = {"",    "B",  "K",   "KB",  "KiB", "k",
                                              "kib", "M",  "MB",  "MiB", "m",   "mB",
                                              "G",   "GB", "GiB", "g",   "gIb"};
  const std::uint64_t n = reader.Bytes(8) % 1'000'000'000'000'000ULL;  // up to 15 digits
  const std::string_view suffix = kSuffixes[reader.Byte() % std::size(kSuffixes)];
  const std::string text = std::to_string(n) + std::string(suffix);
  const auto parsed = ssetail::ParseByteSize(text);
  const int shift = suffix.empty() || suffix == "B"          ? 0
                    : (suffix[0] == 'K' || suffix[0] == 'k') ? 10
                    : (suffix[0] == 'M' || suffix[0] == 'm') ? 20
                                                             : 30;
  const unsigned __int128 exact = static_cast<unsigned __int128>(n) << shift;
  if (exact > SIZE_MAX) {
    FUZZ_CHECK(!parsed.has_value());  // would wrap: must be refused, not truncated
  } else {
    FUZZ_CHECK(parsed.has_value() && *parsed == static_cast<std::size_t>(exact));
  }
  return 0;
}
