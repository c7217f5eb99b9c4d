#include "index/progress.hpp"

namespace ssetail::index {

namespace {

// Digits at `at` (at most 18, so no overflow); moves `at` past them. Nothing if none.
std::optional<std::uint64_t> Number(std::string_view text, std::size_t& at) {
  std::uint64_t n = 0;
  const std::size_t from = at;
  while (at < text.size() && text[at] >= '0' && text[at] <= '9' && at - from < 18) {
    n = n * 10 + static_cast<std::uint64_t>(text[at++] - '0');
  }
  if (at == from || (at < text.size() && text[at] >= '0' && text[at] <= '9')) return std::nullopt;
  return n;
}

}  // namespace

std::optional<Fraction> ParseProgress(std::string_view text) {
  if (text.size() < 4 || text[0] != '[') return std::nullopt;
  std::size_t at = 1;
  const bool padded = text[at] == ' ';  // `[ 45%]`; ninja's `[3/14]` never is
  while (at < text.size() && text[at] == ' ') ++at;
  const auto done = Number(text, at);
  if (!done || at >= text.size()) return std::nullopt;
  Fraction fraction;
  if (text[at] == '%') {
    if (*done > 100) return std::nullopt;
    fraction = {*done, 100};
    ++at;
  } else if (text[at] == '/' && !padded) {
    ++at;
    const auto total = Number(text, at);
    if (!total || *total == 0 || *done > *total) return std::nullopt;
    fraction = {*done, *total};
  } else {
    return std::nullopt;
  }
  if (at >= text.size() || text[at] != ']') return std::nullopt;
  ++at;
  if (at < text.size() && text[at] != ' ') return std::nullopt;
  return fraction;
}

}  // namespace ssetail::index
